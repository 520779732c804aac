"""The cancer waiting times readers on small files written in the published layouts."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from analysis.cancer.readers import (ENGLAND, parse_period_cell, read_national_series, read_provider_csv,
                                     read_provider_files)
from analysis.errors import DataError

TITLE = "62-DAY (URGENT GP REFERRAL TO TREATMENT) WAIT FOR FIRST TREATMENT: ALL CANCERS"
HEADER = ",ODS CODE (1),ACCOUNTABLE PROVIDER (4) (5),CARE SETTING (2),CANCER TYPE,TOTAL,WITHIN 62 DAYS,AFTER 62 DAYS,TREATED WITHIN 62 DAYS"


def provider_file(tmp_path, period="PERIOD: April 2016", rows_c=None, header=HEADER, name="201604-11.-62-Day-Wait-for-first-treatment-All-Cancers-Provider-Data.csv", title=TITLE, encoding="cp1252", lead=""):
    rows_c = rows_c or [",RXR,EAST LANCASHIRE HOSPITALS NHS TRUST,ALL CARE,ALL CANCERS,63.5,52,11.5,81.89%",
                        ",RXQ,ST GEORGE\u2019S TRUST,ALL CARE,ALL CANCERS,10,9.5,0.5,95.00%"]
    lines = [title + ",,,", period + ",,,", "BASIS: PROVIDER BASED,,", "Footnotes: See Cover page", ",,,",
             "PART A: ADMITTED CARE", ",,,,,NUMBER OF PEOPLE", header,
             lead + ",RXR,EAST LANCASHIRE HOSPITALS NHS TRUST,ADMITTED,ALL CANCERS,40,30,10,75.00%", ",,,",
             lead + ",,ALL ENGLISH PROVIDERS,ADMITTED,ALL CANCERS,40,30,10,75.00%",
             "PART C:ALL CARE", ",,,,,NUMBER OF PEOPLE", header] + [lead + r for r in rows_c] + [
             ",,,", lead + ",,ALL ENGLISH PROVIDERS,ALL CARE,ALL CANCERS,73.5,61.5,12,83.67%"]
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def test_reads_parts_halves_and_windows_1252(tmp_path):
    table = read_provider_csv(provider_file(tmp_path))
    assert set(table["care_setting"]) == {"admitted", "all"}
    allcare = table[table["care_setting"] == "all"].set_index("organisation")
    assert allcare.loc["RXR", "total"] == 63.5 and allcare.loc["RXR", "within"] == 52.0
    assert allcare.loc["RXQ", "organisation_name"] == "ST GEORGE\u2019S TRUST"
    assert allcare.loc[ENGLAND, "within"] == 61.5
    assert (table["standard"] == "gp_62").all()
    assert str(table["month"].iloc[0]) == "2016-04"
    assert allcare.loc["RXR", "source_row"] == 15


@pytest.mark.parametrize("cell, month", [("PERIOD: April 2016", "2016-04"), ("PERIOD: JANUARY 2016", "2016-01"),
                                         ("42705", "2016-12"), ("Oct-15", "2015-10"), ("nonsense", None)])
def test_period_row_in_its_published_forms(cell, month):
    parsed = parse_period_cell(cell)
    assert (str(parsed) if parsed is not None else None) == month


def test_blank_period_row_takes_the_month_from_the_file_name(tmp_path):
    table = read_provider_csv(provider_file(tmp_path, period=""))
    assert str(table["month"].iloc[0]) == "2016-04"


def test_2015_layout_with_ons_area_id(tmp_path):
    header = "ONS AREA ID (1),ODS CODE (2),ACCOUNTABLE PROVIDER,CARE SETTING (3),CANCER TYPE,TOTAL,WITHIN 62 DAYS,AFTER 62 DAYS,,,WITHIN 31 DAYS"
    path = provider_file(tmp_path, header=header, lead="E18000008")
    table = read_provider_csv(path)
    assert table.set_index(["care_setting", "organisation"]).loc[("all", "RXR"), "within"] == 52.0


def test_suppressed_cell_is_marked_not_zero(tmp_path):
    rows = [",RXR,EAST LANCASHIRE,ALL CARE,ALL CANCERS,*,*,*,", ",RXQ,OTHER,ALL CARE,ALL CANCERS,10,9,1,90%"]
    table = read_provider_csv(provider_file(tmp_path, rows_c=rows)).set_index(["care_setting", "organisation"])
    assert table.loc[("all", "RXR"), "suppressed"] == "yes" and pd.isna(table.loc[("all", "RXR"), "total"])
    assert table.loc[("all", "RXQ"), "suppressed"] == "no"


NAME = "201604-11.-62-Day-Wait-for-first-treatment-All-Cancers-Provider-Data.csv"


@pytest.mark.parametrize("change, message", [
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,-3,0,0,"]}, f"{NAME}, row 15, column 'TOTAL': value -3.0 is negative"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,10,12,0,"]},
     f"{NAME}, row 15, column 'WITHIN': value 12.0 is more than the TOTAL treated on the same row"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,ten,5,5,"]}, f"{NAME}, row 15, column 'TOTAL': value 'ten' is not a number"),
    ({"rows_c": [",RXR,A,ALL CARE,ALL CANCERS,10,,5,"]}, f"{NAME}, row 15, column 'WITHIN 62 DAYS': is empty"),
    ({"header": HEADER.replace("TOTAL,", "COUNT,")}, f"{NAME}, row 8, column 'TOTAL': the header has no 'TOTAL' column"),
    ({"title": "99-DAY WAIT FOR SOMETHING ELSE"}, f"{NAME}, row 1: title '99-DAY WAIT FOR SOMETHING ELSE' is not a cancer"),
    ({"period": "PERIOD: May 2016"}, f"{NAME}, row 2: the period row says May 2016 but the file name says April 2016"),
])
def test_bad_input_names_file_row_and_column(tmp_path, change, message):
    with pytest.raises(DataError) as info:
        read_provider_csv(provider_file(tmp_path, **change))
    assert str(info.value).split("/")[-1].startswith(message)


def test_the_same_provider_and_month_twice_is_an_error(tmp_path):
    first = provider_file(tmp_path)
    copy = tmp_path / "copy" / first.name
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    with pytest.raises(DataError, match="organisation RXR appears twice for April 2016"):
        read_provider_files([first, copy])


def national_workbook(path, block_title="Two Month Wait from GP Urgent Referral to a First Treatment for Cancer",
                      total=100.0):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Monthly Data"
    sheet["C2"], sheet["C3"] = block_title, "Operational Standard = 85%"
    for col, name in zip("BCDEF", ["Monthly", "Total", "Within Standard", "Outside Standard", "Performance (%)"]):
        sheet[f"{col}4"] = name
    sheet["B5"], sheet["C5"], sheet["D5"] = dt.datetime(2016, 4, 1), total, 80.0
    sheet["B6"], sheet["C6"], sheet["D6"] = dt.datetime(2016, 5, 1), 50.5, 40.5
    book.save(path)
    return path


def test_national_series(tmp_path):
    table = read_national_series(national_workbook(tmp_path / "series.xlsx"))
    assert table["standard"].tolist() == ["gp_62", "gp_62"]
    assert table["within"].tolist() == [80.0, 40.5]
    assert (table["organisation"] == ENGLAND).all()


def test_national_series_bad_input(tmp_path):
    with pytest.raises(DataError, match=r"row 2, column 'C': block title 'Weekly widgets' is not a cancer"):
        read_national_series(national_workbook(tmp_path / "a.xlsx", block_title="Weekly widgets"))
    with pytest.raises(DataError, match=r"row 5, column 'C': value 'lots' is not a number"):
        read_national_series(national_workbook(tmp_path / "b.xlsx", total="lots"))
    with pytest.raises(DataError, match=r"row 5, column 'D': value 80.0 is more than the TOTAL|row 5, column 'WITHIN'"):
        read_national_series(national_workbook(tmp_path / "c.xlsx", total=50.0))
    (tmp_path / "d.xlsx").write_text("not a workbook")
    with pytest.raises(DataError, match="is not a readable Excel workbook"):
        read_national_series(tmp_path / "d.xlsx")
