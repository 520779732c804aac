"""Mental health and dementia: EIP and dementia readers, bad input, funnel limits, ledger, bundled and real data."""

import re

import pandas as pd
import pytest

from analysis import ledger, mental_health as mh
from analysis.errors import DataError, ParameterError
from analysis.page import prepare_chapter
from analysis.periods import FinancialYear

Y2016 = FinancialYear(2016)
EIP_HEADER = ("Date,Provider_Org_code,Provider_name,Org_Code,CCG_Name,Description,Gt_0_1_Weeks,Gt_1_2_Weeks,"
              "Gt_2_3_Weeks,Gt_3_4_Weeks,Gt_4_5_Weeks,Gt_5_6_Weeks,Gt_6_7_Weeks,Gt_7_8_Weeks,Gt_8_9_Weeks,"
              "Gt_9_10_Weeks,Gt_10_11_Weeks,Gt_11_12_Weeks,Gt_12_Plus_Weeks,Total_Pathways")
DONE = "EIP pathways completed this month"
WAITING = "EIP pathways incomplete at month end"


def eip_row(provider="ZSP01", ccg="ZSC01", kind=DONE, bands=(3, 2, 1) + (0,) * 10, total=None, date="01/03/2017"):
    total = sum(int(b) for b in bands if str(b).isdigit()) if total is None else total
    return ",".join([date, provider, "A TRUST", ccg, "A CCG", kind, *map(str, bands), str(total)])


def eip_file(tmp_path, rows, header=EIP_HEADER):
    path = tmp_path / "EIP-Timeseries-test.csv"
    path.write_text("\n".join([header] + rows) + "\n")
    return path


def test_eip_reader_sums_the_first_two_bands_and_keeps_both_kinds(tmp_path):
    table = mh.read_eip(eip_file(tmp_path, [eip_row(), eip_row(kind=WAITING, bands=(1,) * 13)]))
    done = table[table["kind"] == "completed"].iloc[0]
    assert (done["within_two_weeks"], done["total"], done["month"]) == (5, 6, pd.Period("2017-03", "M"))
    assert table.loc[table["kind"] == "incomplete", "total"].iloc[0] == 13


def test_eip_sums_before_dividing(tmp_path):
    rows = [eip_row("ZSP01", bands=(1, 0) + (0,) * 10 + (1,)), eip_row("ZSP02", bands=(60, 20) + (0,) * 10 + (20,)),
            eip_row("ZSP01", kind=WAITING), eip_row("ZSP02", kind=WAITING)]  # the publisher gives both kinds
    month = mh.eip_month(mh.read_eip(eip_file(tmp_path, rows)), pd.Period("2017-03", "M"))
    assert month["percent"] == pytest.approx(100 * 81 / 102)  # a mean of the two providers would give 65%


@pytest.mark.parametrize("rows, header, message", [
    ([eip_row()], EIP_HEADER.replace("Gt_1_2_Weeks,", ""), "row 1, column 'Gt_1_2_Weeks': lacks column"),
    ([eip_row(bands=(3, "", 1) + (0,) * 10, total=4)], EIP_HEADER, "row 2, column 'Gt_1_2_Weeks': value '' is blank"),
    ([eip_row(total=7)], EIP_HEADER, "row 2, column 'total': value 7.0 is not the sum of the week bands"),
    ([eip_row(kind="EIP pathways started")], EIP_HEADER, "row 2, column 'Description': value 'EIP pathways started'"),
    ([eip_row(date="2017-03")], EIP_HEADER, "row 2, column 'Date': value '2017-03' is not a date"),
    ([eip_row(bands=(3, "x", 1) + (0,) * 10, total=4)], EIP_HEADER, "row 2, column 'Gt_1_2_Weeks': value 'x' is not a number"),
    ([eip_row(), eip_row()], EIP_HEADER, "row 3, column 'Org_Code': provider ZSP01 and CCG ZSC01 appear twice"),
    ([eip_row(provider="")], EIP_HEADER, "row 2, column 'Provider_Org_code': value '' is empty"),
])
def test_bad_eip_input_is_named(tmp_path, rows, header, message):
    with pytest.raises(DataError, match=re.escape(message)):
        mh.read_eip(eip_file(tmp_path, rows, header))


def test_suppressed_eip_row_is_left_out_and_counted_and_incomplete_bands_may_disagree(tmp_path):
    rows = [eip_row("ZSP01", bands=("*", 2, 1) + (0,) * 10, total=6), eip_row("ZSP02"),
            eip_row("ZSP02", kind=WAITING, total=99), eip_row("ZSP01", kind=WAITING)]
    table = mh.read_eip(eip_file(tmp_path, rows))
    assert mh.suppressed_rows(table, Y2016) == 1
    assert mh.eip_month(table, pd.Period("2017-03", "M"))["total"] == 6  # ZSP02 only
    assert table["bands_disagree"].sum() == 1  # the incomplete row: marked, not an error


def dementia_file(tmp_path, rows, header="area_code,area_name,period,value,indicator,significance"):
    path = tmp_path / "dementia_diagnosis_rate_test.csv"
    indicator = "Estimated dementia diagnosis rate (aged 65 and over)"
    path.write_text("\n".join([header] + [f"{r},{indicator},Similar" for r in rows]) + "\n")
    return path


def test_dementia_reader_types_areas_and_keeps_a_blank_value_missing(tmp_path):
    table = mh.read_dementia(dementia_file(tmp_path, [
        "E92000001,England,2017,67.9", "E06900001,Northbrook,2017,70.2", "E09900002,Eastmere,2017,",
        "E47900001,Combined,2017,71"]))
    assert mh.dementia_england(table, 2017) == 67.9 and mh.dementia_england(table, 2018) is None
    areas, spread = mh.dementia_areas(table, 2017)
    assert list(areas["area_type"]) == ["London borough", "unitary authority"]  # sorted by name; no combined authority
    assert (spread["areas"], spread["with_value"], spread["missing"], spread["other_areas"]) == (2, 1, 1, 1)
    assert spread["at_or_above_ambition"] == 1


@pytest.mark.parametrize("rows, header, message", [
    (["E92000001,England,2017,67.9"], "area_code,area_name,value,indicator,significance", "column 'period': lacks column"),
    (["E92000001,England,FY17,67.9"], None, "row 2, column 'period': value 'FY17' is not a year"),
    (["E92000001,England,2017,high"], None, "row 2, column 'value': value 'high' is not a number"),
    (["E92000001,England,2017,679"], None, "row 2, column 'value': value 679.0 is larger than any plausible value"),
    (["E92000001,England,2017,67.9", "E92000001,England,2017,68"], None, "row 3, column 'area_code': area E92000001 appears twice"),
])
def test_bad_dementia_input_is_named(tmp_path, rows, header, message):
    path = dementia_file(tmp_path, rows, header) if header else dementia_file(tmp_path, rows)
    with pytest.raises(DataError, match=re.escape(message)):
        mh.read_dementia(path)


def test_bundled_sample_reproduces_the_printed_figures_and_transcribes_the_rest():
    page = prepare_chapter("mental-health")
    assert page.synthetic
    data = mh.load(page.sources)
    assert isinstance(data, mh.MentalHealthData)
    eip, dementia = data.eip, data.dementia
    month = mh.eip_month(eip, Y2016.last_month)
    assert (month["within_two_weeks"], month["total"]) == (920, 1248)
    figures = mh.ledger_figures(page.sources, page.parameters)
    result = ledger.compare("mental-health", figures.values, figures.notes).set_index("figure")
    assert result.loc[list(mh.COMPUTED), "agrees"].tolist() == [True, True]
    others = result.drop(index=list(mh.COMPUTED))
    assert len(others) == 10 and others["reproduced"].isna().all()
    assert others["verdict"].str.startswith("Not computable from this data. ").all()
    assert others["verdict"].str.contains("not in any file here|has no").all()
    assert set(others["source"]) >= {"000_5311d35d774c4b17.txt line 171", "000_5311d35d774c4b17.txt line 177"}
    providers, summary = mh.eip_providers(eip, Y2016)
    assert summary["ranked"] < summary["providers"] and providers["rank"].isna().any()
    assert (providers.loc[providers["rank"].isna(), "volume"] < summary["threshold"]).all()
    assert mh.dementia_areas(dementia, 2018)[1]["missing"] == 1


@pytest.mark.parametrize("period, message", [
    ("whenever", "parameter 'period': 'whenever' is not an NHS financial year"),
    ("2019-20", "parameter 'period': 2019-20 is not covered by the EIP waiting times data"),
])
def test_nonsense_periods_name_the_parameter(period, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        prepare_chapter("mental-health", period=period)


def test_real_data_back_test(real_data):
    page = prepare_chapter("mental-health", data_dir=str(real_data))
    assert not page.synthetic
    data = mh.load(page.sources)
    eip, dementia = data.eip, data.dementia
    assert [y.label for y in mh.eip_coverage(eip)] == ["2016-17", "2017-18", "2018-19"]
    month = mh.eip_month(eip, Y2016.last_month)
    assert (month["within_two_weeks"], month["total"]) == (920, 1248) and round(month["percent"], 1) == 73.7
    assert int(eip["bands_disagree"].sum()) == 3  # incomplete pathways, July 2019, provider RWK
    assert mh.dementia_england(dementia, 2017) == 67.9
    areas, spread = mh.dementia_areas(dementia, 2017)
    assert spread["areas"] == 326 and spread["missing"] == 0
    providers, summary = mh.eip_providers(eip, Y2016)
    assert summary["providers"] == 60 and round(summary["england"], 1) == 74.4
    assert providers.set_index("provider_code").at["TAE", "rank"] is pd.NA  # 2 of 24: too few to rank
    figures = mh.ledger_figures(page.sources, page.parameters)
    result = ledger.compare("mental-health", figures.values, figures.notes).set_index("figure")
    assert result.loc[list(mh.COMPUTED), "agrees"].all()


@pytest.mark.parametrize("period, dementia_value", [("2017-18", True), ("2018-19", False)])
def test_real_data_reruns_for_later_years(real_data, period, dementia_value):
    page = prepare_chapter("mental-health", data_dir=str(real_data), period=period)
    data = mh.load(page.sources)
    eip, dementia = data.eip, data.dementia
    assert 50 < mh.eip_month(eip, page.period.last_month)["percent"] < 100
    assert (mh.dementia_england(dementia, mh.dementia_year(page.period)) is not None) == dementia_value


def test_built_pages(bundled_book, real_book):
    def text(book):
        html = (book / "_build" / "html" / "chapters" / "mental-health.html").read_text()
        return html, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    html, bundled = text(bundled_book)
    assert "handbook-synthetic" in html and html.count("Variation: ") >= 1
    assert "920 of 1,248 completed pathways" in bundled and "too few to rank" in bundled
    html, real = text(real_book)
    assert "handbook-synthetic" not in html
    assert "920 of 1,248 completed pathways started treatment within two weeks of referral, 73.7 %" in real
    assert "England’s estimated diagnosis rate for people aged 65 and over was 67.9% in 2017" in real
    assert "Not computable from this data. The handbook has no IAPT data" in real and "cannot show the monthly path" in real


def test_the_dementia_sample_copies_nothing_from_the_published_file(real_data):
    from analysis.sources import BUNDLED_DIR

    sample = pd.read_csv(BUNDLED_DIR / "dementia" / "dementia_rate_SYNTHETIC_SAMPLE.csv", dtype=str)
    (published,) = (real_data / "dementia").glob("*.csv")
    real = pd.read_csv(published, dtype=str)
    assert not published.name.startswith(tuple(p.stem for p in (BUNDLED_DIR / "dementia").glob("*.csv")))
    key = ["area_code", "period", "value"]
    assert sample[key].merge(real[key]).empty  # no area has its published value in the sample
    assert set(sample["area_code"]) & set(real["area_code"]) == {"E92000001"}  # England is the only real area


def test_each_providers_months_at_once_are_its_own_rows_months(tmp_path):
    done = [("ZSP01", "ZSC01", "01/03/2017", (1, 0) + (0,) * 10 + (1,)), ("ZSP01", "ZSC02", "01/03/2017", (2, 1) + (0,) * 11),
            ("ZSP02", "ZSC01", "01/03/2017", (60, 20) + (0,) * 10 + (20,)), ("ZSP02", "ZSC01", "01/02/2017", (1,) * 13),
            ("ZSP01", "ZSC01", "01/02/2017", (0, 1) + (0,) * 11)]
    rows = [row for provider, ccg, date, bands in done
            for row in (eip_row(provider, ccg, bands=bands, date=date),
                        eip_row(provider, ccg, kind=WAITING, bands=(1,) * 13, date=date))]
    table = mh.read_eip(eip_file(tmp_path, rows))
    months = [pd.Period("2017-02", "M"), pd.Period("2017-03", "M")]
    at_once = mh.eip_monthly_by_provider(table, months)
    assert sorted(set(at_once["provider_code"])) == ["ZSP01", "ZSP02"]
    for code, own in at_once.groupby("provider_code"):
        alone = mh.eip_monthly(table[table["provider_code"] == code], months)
        assert own["month"].tolist() == alone["month"].tolist()
        assert own["percent"].tolist() == alone["percent"].tolist()
    march = at_once.set_index(["provider_code", "month"]).loc[("ZSP01", months[1])]
    assert (march["within_two_weeks"], march["total"], march["percent"]) == (4, 5, 80.0)
