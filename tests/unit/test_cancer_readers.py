"""The cancer waiting times readers on small files written in the published layouts."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from analysis.cancer.national import read_national_series, read_national_summaries
from analysis.cancer.readers import ENGLAND, parse_period_cell, read_provider_csv, read_provider_files
from analysis.errors import DataError

TITLE = "62-DAY (URGENT GP REFERRAL TO TREATMENT) WAIT FOR FIRST TREATMENT: ALL CANCERS"
HEADER = (",ODS CODE (1),ACCOUNTABLE PROVIDER (4) (5),CARE SETTING (2),CANCER TYPE,TOTAL,WITHIN 62 DAYS,"
          "AFTER 62 DAYS,TREATED WITHIN 62 DAYS,,WITHIN 31 DAYS,32 TO 38 DAYS")
NAME = "201604-11.-62-Day-Wait-for-first-treatment-All-Cancers-Provider-Data.csv"
ROWS_C = [",RXR,EAST LANCASHIRE HOSPITALS NHS TRUST,ALL CARE,ALL CANCERS,63.5,52,11.5,81.89%,,30,22",
          ",RXQ,ST GEORGE\u2019S TRUST,ALL CARE,ALL CANCERS,10,9.5,0.5,95.00%,,5,4.5"]


def england(rows, setting, lead=""):
    """The ALL ENGLISH PROVIDERS row that the given provider rows add up to."""
    sums = [0.0, 0.0, 0.0]
    for row in rows:
        for i, cell in enumerate(row.split(",")[5:8]):
            sums[i] += float(cell) if cell not in ("*", "") else 0.0
    return lead + ",,ALL ENGLISH PROVIDERS,{},ALL CANCERS,{:g},{:g},{:g},".format(setting, *sums)


def provider_file(tmp_path, period="PERIOD: April 2016", rows_c=None, header=HEADER, name=NAME, title=TITLE,
                  encoding="cp1252", lead="", england_c=None, parts="ABC"):
    rows_c = rows_c or ROWS_C
    rows_a = [",RXR,EAST LANCASHIRE HOSPITALS NHS TRUST,ADMITTED,ALL CANCERS,40,30,10,75.00%"]
    rows_b = [",RXR,EAST LANCASHIRE HOSPITALS NHS TRUST,NON-ADMITTED,ALL CANCERS,23.5,22,1.5,93.62%"]
    lines = [title + ",,,", period + ",,,", "BASIS: PROVIDER BASED,,", "Footnotes: See Cover page", ",,,"]
    blocks = {"A": ("PART A: ADMITTED CARE", rows_a, "ADMITTED", None),
              "B": ("PART B:NON ADMITTED CARE", rows_b, "NON-ADMITTED", None),
              "C": ("PART C:ALL CARE", rows_c, "ALL CARE", england_c)}
    for part in parts:
        heading, rows, setting, total_row = blocks[part]
        lines += [heading, ",,,,,NUMBER OF PEOPLE", header] + [lead + r for r in rows] + [
            ",,,", total_row if total_row is not None else england([lead + r for r in rows], setting)]
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_reads_parts_halves_and_windows_1252(tmp_path):
    table = read_provider_csv(provider_file(tmp_path))
    assert set(table["care_setting"]) == {"admitted", "non-admitted", "all"}
    allcare = table[table["care_setting"] == "all"].set_index("organisation")
    assert allcare.loc["RXR", "total"] == 63.5 and allcare.loc["RXR", "within"] == 52.0
    assert allcare.loc["RXQ", "organisation_name"] == "ST GEORGE\u2019S TRUST"
    assert allcare.loc[ENGLAND, "within"] == 61.5 and allcare.loc[ENGLAND, "total"] == 73.5
    assert (table["standard"] == "gp_62").all()
    assert str(table["month"].iloc[0]) == "2016-04"
    assert allcare.loc["RXR", "source_row"] == 21


@pytest.mark.parametrize("cell, month", [("PERIOD: April 2016", "2016-04"), ("PERIOD: JANUARY 2016", "2016-01"),
                                         ("42705", "2016-12"), ("Oct-15", "2015-10"), ("nonsense", None)])
def test_period_row_in_its_published_forms(cell, month):
    parsed = parse_period_cell(cell)
    assert (str(parsed) if parsed is not None else None) == month


def test_blank_period_row_takes_the_month_from_the_file_name(tmp_path):
    table = read_provider_csv(provider_file(tmp_path, period=""))
    assert str(table["month"].iloc[0]) == "2016-04"


def test_2015_layout_with_ons_area_id(tmp_path):
    header = ("ONS AREA ID (1),ODS CODE (2),ACCOUNTABLE PROVIDER,CARE SETTING (3),CANCER TYPE,TOTAL,"
              "WITHIN 62 DAYS,AFTER 62 DAYS,,,WITHIN 31 DAYS")
    path = provider_file(tmp_path, header=header, lead="E18000008")
    table = read_provider_csv(path)
    assert table.set_index(["care_setting", "organisation"]).loc[("all", "RXR"), "within"] == 52.0


def test_suppressed_cell_is_marked_not_zero(tmp_path):
    rows = [",RXR,EAST LANCASHIRE,ALL CARE,ALL CANCERS,*,*,*,", ",RXQ,OTHER,ALL CARE,ALL CANCERS,10,9,1,90%"]
    # The England row counts the suppressed provider too, so the providers left fall short of it.
    england_c = ",,ALL ENGLISH PROVIDERS,ALL CARE,ALL CANCERS,14,12,2,"
    table = read_provider_csv(provider_file(tmp_path, rows_c=rows, england_c=england_c))
    table = table.set_index(["care_setting", "organisation"])
    assert table.loc[("all", "RXR"), "suppressed"] == "yes" and pd.isna(table.loc[("all", "RXR"), "total"])
    assert table.loc[("all", "RXQ"), "suppressed"] == "no"


def test_thirty_one_day_file_takes_the_standard_column_not_the_day_band(tmp_path):
    title = "31-DAY (DIAGNOSIS TO TREATMENT) WAIT FOR FIRST TREATMENT: ALL CANCERS"
    header = (",ODS CODE (1),PROVIDER (4) (5),CARE SETTING (2),CANCER TYPE,TOTAL,WITHIN 31 DAYS,AFTER 31 DAYS,"
              "TREATED WITHIN 31 DAYS,,WITHIN 31 DAYS,32 TO 38 DAYS")
    rows = [",RXR,EAST LANCASHIRE,ALL CARE,ALL CANCERS,100,97,3,97%,,97,2"]
    name = "201604-5.-31-Day-Wait-for-first-treatment-All-Cancers-Provider-Data.csv"
    table = read_provider_csv(provider_file(tmp_path, title=title, header=header, rows_c=rows, name=name))
    assert table.set_index(["care_setting", "organisation"]).loc[("all", "RXR"), "within"] == 97.0
    assert (table["standard"] == "first_31").all()


@pytest.mark.parametrize("change, message", [
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,-3,0,-3,"]}, f"{NAME}, row 21, column 'TOTAL': value -3.0 is negative"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,10,12,-2,"]},
     f"{NAME}, row 21, column 'WITHIN 62 DAYS': value 12.0 is more than the TOTAL treated on the same row"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,ten,5,5,"], "england_c": ",,ALL ENGLISH PROVIDERS,ALL CARE,ALL CANCERS,10,5,5,"},
     f"{NAME}, row 21, column 'TOTAL': value 'ten' is not a number"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,10,,5,"]}, f"{NAME}, row 21, column 'WITHIN 62 DAYS': is empty"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,inf,5,5,"], "england_c": ",,ALL ENGLISH PROVIDERS,ALL CARE,ALL CANCERS,10,5,5,"},
     f"{NAME}, row 21, column 'TOTAL': value 'inf' is not a number"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,1e308,5,1e308,"]},
     f"{NAME}, row 21, column 'TOTAL': value 1e+308 is larger than any plausible value (1,000,000)"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,10,6,5,"]},
     f"{NAME}, row 21, column 'WITHIN 62 DAYS': WITHIN 62 DAYS (6) plus AFTER 62 DAYS (5) is not the TOTAL (10)"),
    ({"header": HEADER.replace("TOTAL,", "COUNT,")}, f"{NAME}, row 8, column 'TOTAL': the header has no 'TOTAL' column"),
    ({"header": HEADER.replace("WITHIN 62 DAYS,", "WITHIN 62 DAYS (IN TOTAL),")},
     f"{NAME}, row 8, column 'WITHIN 62 DAYS': the header has no 'WITHIN 62 DAYS' column"),
    ({"title": "99-DAY WAIT FOR SOMETHING ELSE"}, f"{NAME}, row 1: title '99-DAY WAIT FOR SOMETHING ELSE' is not a cancer"),
    ({"period": "PERIOD: May 2016"}, f"{NAME}, row 2: the period row says May 2016 but the file name says April 2016"),
    ({"parts": "AB"}, f"{NAME}: has no PART C (all care) with a header row"),
    ({"parts": "AC"}, f"{NAME}: has no PART B (non-admitted care) with a header row"),
    ({"england_c": ""}, f"{NAME}: 62-day (GP urgent referral), PART C (all care) has no ALL ENGLISH PROVIDERS row; "
                        "the file may be cut short"),
    ({"england_c": ",,ALL ENGLISH PROVIDERS,ALL CARE,ALL CANCERS,*,*,*,"},
     f"{NAME}, row 24, column 'TOTAL': the ALL ENGLISH PROVIDERS row of 62-day (GP urgent referral), PART C "
     "(all care) is suppressed ('*')"),
    ({"england_c": ",,ALL ENGLISH PROVIDERS,ALL CARE,ALL CANCERS,83.5,71.5,12,"},
     f"{NAME}, row 24, column 'TOTAL': 62-day (GP urgent referral), PART C (all care): the providers' TOTAL "
     "add up to 73.5 but the ALL ENGLISH PROVIDERS row gives 83.5"),
])
def test_bad_input_names_file_row_and_column(tmp_path, change, message):
    with pytest.raises(DataError) as info:
        read_provider_csv(provider_file(tmp_path, **change))
    assert str(info.value).split("/")[-1].startswith(message), str(info.value)


def test_a_file_cut_at_a_row_boundary_is_an_error(tmp_path):
    whole = provider_file(tmp_path).read_bytes().split(b"\r\n")
    for keep in range(8, len(whole) - 1):  # every cut after the first header row (the last item is the end)
        cut = tmp_path / "cut" / NAME
        cut.parent.mkdir(exist_ok=True)
        cut.write_bytes(b"\r\n".join(whole[:keep]) + b"\r\n")
        with pytest.raises(DataError, match="has no PART|has no ALL ENGLISH PROVIDERS row"):
            read_provider_csv(cut)


def test_a_provider_row_missing_from_the_middle_is_an_error(tmp_path):
    lines = provider_file(tmp_path).read_bytes().split(b"\r\n")
    damaged = [line for line in lines if not line.startswith(b",RXQ,")]
    path = tmp_path / "gap" / NAME
    path.parent.mkdir()
    path.write_bytes(b"\r\n".join(damaged))
    with pytest.raises(DataError, match=r"row 23, column 'TOTAL': 62-day \(GP urgent referral\), PART C \(all care\): "
                                        r"the providers' TOTAL add up to 63.5 but the ALL ENGLISH PROVIDERS row "
                                        r"gives 73.5"):
        read_provider_csv(path)


def test_the_same_provider_and_month_twice_is_an_error(tmp_path):
    first = provider_file(tmp_path)
    copy = tmp_path / "copy" / first.name
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    with pytest.raises(DataError, match="organisation RXR appears twice for April 2016"):
        read_provider_files([first, copy])


GP62 = "Two Month Wait from GP Urgent Referral to a First Treatment for Cancer"


def national_workbook(path, block_title=GP62, monthly=None, quarterly=None, annual=None, early=False):
    """A workbook with the three published sheets; each row is (period, total, within, outside)."""
    monthly = monthly or [(dt.datetime(2016, 4, 1), 100.0, 80.0, 20.0), (dt.datetime(2016, 5, 1), 50.5, 40.5, 10.0)]
    quarterly = quarterly or [(f"16/17 Q{q}", 100.0 + q, 80.0 + q, 20.0) for q in range(1, 5)]
    annual = annual or [("2016/17", 410.0, 330.0, 80.0), ("2017/18 YTD", 5.0, 4.0, 1.0)]
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, heading, rows in (("Monthly Data", "Monthly", monthly), ("Quarterly Data", "Quarterly", quarterly),
                                ("Annual Data", "Year", annual)):
        sheet = book.create_sheet(name)
        sheet["C2"], sheet["C3"] = block_title, "Operational Standard = 85%"
        for col, text in zip("BCDEF", [heading, "Total", "Within Standard", "Outside Standard", "Performance (%)"]):
            sheet[f"{col}4"] = text
        first = 5
        if early:  # the publisher's rows before a standard existed
            sheet["B5"], sheet["C5"] = "earlier" if name != "Monthly Data" else dt.datetime(2009, 10, 1), "No Standard Set"
            sheet["B6"] = "earlier" if name != "Monthly Data" else dt.datetime(2009, 11, 1)
            if name != "Monthly Data":
                sheet["B5"], sheet["B6"] = ("08/09 Q4", "09/10 Q1") if name == "Quarterly Data" else ("2008/09", "2009/10")
            first = 7
        for number, row in enumerate(rows, first):
            for col, value in zip("BCDE", row):
                sheet[f"{col}{number}"] = value
    book.save(path)
    return path


def test_national_series_sheets(tmp_path):
    path = national_workbook(tmp_path / "series.xlsx", early=True)
    monthly = read_national_series(path)
    assert monthly["standard"].tolist() == ["gp_62", "gp_62"]
    assert monthly["within"].tolist() == [80.0, 40.5] and monthly["source_row"].tolist() == [7, 8]
    assert (monthly["organisation"] == ENGLAND).all()
    summaries = read_national_summaries(path).set_index(["sheet", "quarter"])
    assert summaries.loc[("Annual Data", 0), "within"] == 330.0
    assert summaries.loc[("Annual Data", 0), "year"] == "2016-17"
    assert summaries.loc[("Quarterly Data", 2), "total"] == 102.0
    assert len(summaries) == 5  # the year to date is not a whole year


def test_national_series_bad_input(tmp_path):
    with pytest.raises(DataError, match=r"row 2, column 'C': block title 'Weekly widgets' is not a cancer"):
        read_national_series(national_workbook(tmp_path / "a.xlsx", block_title="Weekly widgets"))
    with pytest.raises(DataError, match=r"sheet 'Monthly Data', row 5, column 'C': value 'lots' is not a number"):
        read_national_series(national_workbook(tmp_path / "b.xlsx", monthly=[(dt.datetime(2016, 4, 1), "lots", 1.0, 1.0)]))
    with pytest.raises(DataError, match=r"sheet 'Monthly Data', row 5, column 'D': value 80.0 is more than the TOTAL"):
        read_national_series(national_workbook(tmp_path / "c.xlsx", monthly=[(dt.datetime(2016, 4, 1), 50.0, 80.0, -30.0)]))
    (tmp_path / "d.xlsx").write_text("not a workbook")
    with pytest.raises(DataError, match="is not a readable Excel workbook"):
        read_national_series(tmp_path / "d.xlsx")


@pytest.mark.parametrize("monthly, message", [
    ([(dt.datetime(2016, 4, 1), 100.0, 80.0, 20.0), (dt.datetime(2016, 5, 1), 50.0, None, 10.0)],
     r"sheet 'Monthly Data', row 6, column 'D': is blank where a count must be"),
    ([(dt.datetime(2016, 4, 1), 100.0, 80.0, 20.0), (dt.datetime(2016, 5, 1), None, None, None)],
     r"sheet 'Monthly Data', row 6, column 'C': is blank where a count must be"),
    ([(dt.datetime(2016, 4, 1), 100.0, "*", 20.0)],
     r"sheet 'Monthly Data', row 5, column 'D': value '\*' marks a suppressed count"),
    ([(dt.datetime(2016, 4, 1), 100.0, 80.0, 25.0)],
     r"sheet 'Monthly Data', row 5, column 'E': Outside Standard \(25\) is not Total \(100\) minus Within Standard \(80\)"),
    ([(dt.datetime(2016, 4, 1), 1e308, 80.0, 1e308)],
     r"sheet 'Monthly Data', row 5, column 'C': value 1e\+308 is larger than any plausible value \(1,000,000\)"),
    ([("April 2016", 100.0, 80.0, 20.0)], r"sheet 'Monthly Data', row 5, column 'B': value 'April 2016' is not a monthly period"),
])
def test_national_series_blank_suppressed_and_implausible_cells(tmp_path, monthly, message):
    with pytest.raises(DataError, match=message):
        read_national_series(national_workbook(tmp_path / "m.xlsx", monthly=monthly))


@pytest.mark.parametrize("change, message", [
    ({"annual": [("2016/17", 410.0, 331.0, 79.0)]},
     r"sheet 'Annual Data', row 5, column 'D': 62-day \(GP urgent referral\) 2016-17: 331.0 \(Within Standard\) but "
     r"its four quarters in sheet 'Quarterly Data' add up to 330.0"),
    ({"quarterly": [(f"16/17 Q{q}", 100.0 + q, 80.0 + q, 20.0) for q in range(1, 4)]},
     r"sheet 'Annual Data', row 5, column 'C': 62-day \(GP urgent referral\) 2016-17 has a whole-year count but not four quarters"),
    ({"annual": [("2016/17", 410.0, None, 80.0)]}, r"sheet 'Annual Data', row 5, column 'D': is blank where a count must be"),
    ({"annual": [("2016/17", 2e7, 330.0, 2e7 - 330)]},
     r"sheet 'Annual Data', row 5, column 'C': value 20000000.0 is larger than any plausible value \(10,000,000\)"),
    ({"quarterly": [("Q1 2016", 1.0, 1.0, 0.0)]}, r"sheet 'Quarterly Data', row 5, column 'B': value 'Q1 2016' is not a quarterly period"),
])
def test_annual_and_quarterly_sheets_bad_input(tmp_path, change, message):
    with pytest.raises(DataError, match=message):
        read_national_summaries(national_workbook(tmp_path / "q.xlsx", **change))


def test_encoding_and_line_ends_of_a_provider_file(tmp_path):
    crlf = read_provider_csv(provider_file(tmp_path))
    path = provider_file(tmp_path)
    cr_only = path.with_name("cr-" + path.name)
    cr_only.write_bytes(path.read_bytes().replace(b"\r\n", b"\r"))
    pd.testing.assert_frame_equal(read_provider_csv(cr_only).drop(columns="source_file"),
                                  crlf.drop(columns="source_file"))
    utf16 = path.with_name("u16-" + path.name)
    utf16.write_bytes(path.read_bytes().decode("cp1252").encode("utf-16"))
    with pytest.raises(DataError, match=r"u16-.*is UTF-16 text, not UTF-8"):
        read_provider_csv(utf16)
