"""Cancer measures: which source gives each figure, sums not means, incomplete years, the ledger on
bundled and real data."""

import pandas as pd
import pytest

from analysis import cancer, ledger
from analysis.cancer.metrics import ANNUAL_SHEET, MONTHLY_SHEET, PROVIDER_ENGLAND_ROWS, PROVIDER_MONTHS
from analysis.cancer.national import empty_summaries
from analysis.cancer.readers import ENGLAND
from analysis.errors import ParameterError
from analysis.page import prepare_chapter
from analysis.periods import FinancialYear
from analysis.registry import load_registry
from analysis.sources import resolve_all

Y2016, Y2015 = FinancialYear(2016), FinancialYear(2015)


def rows(records, standard="gp_62"):
    table = pd.DataFrame(records, columns=["organisation", "month", "total", "within"])
    table["month"] = pd.PeriodIndex(table["month"], freq="M")
    table["standard"], table["care_setting"], table["cancer_type"] = standard, "all", "ALL CANCERS"
    table["organisation_name"], table["suppressed"] = table["organisation"], "no"
    return table


def whole_year(big=(1000, 700), small=(10, 10), year=Y2016):
    """Two providers and their ALL ENGLISH PROVIDERS row for every month of the year."""
    records = []
    for month in year.months():
        records += [("BIG", str(month), *big), ("SMALL", str(month), *small),
                    (ENGLAND, str(month), big[0] + small[0], big[1] + small[1])]
    return rows(records)


def summaries(records):
    """Quarterly and Annual Data rows: (year label, quarter, total, within); quarter 0 is the year."""
    table = pd.DataFrame(records, columns=["year", "quarter", "total", "within"])
    table["standard"], table["source_row"] = "gp_62", range(5, 5 + len(table))
    table["sheet"] = ["Annual Data" if q == 0 else "Quarterly Data" for q in table["quarter"]]
    return table


def data(provider=None, monthly=None, summary=None):
    return cancer.CancerData(provider if provider is not None else rows([]),
                             monthly if monthly is not None else rows([]),
                             summary if summary is not None else empty_summaries())


def test_a_year_comes_from_the_annual_sheet_when_there_is_one():
    annual = summaries([("2016-17", 0, 12_500, 9_000), ("2015-16", 0, 12_000, 8_000)])
    totals = cancer.year_totals(data(whole_year(), summary=annual), "gp_62", Y2016)
    assert (totals["within"], totals["total"], totals["source"]) == (9_000, 12_500, ANNUAL_SHEET)
    assert totals["where"] == f"{ANNUAL_SHEET}, row 5"


def test_without_the_workbook_a_year_is_the_sum_of_the_provider_files_and_says_so():
    totals = cancer.year_totals(data(whole_year()), "gp_62", Y2016)
    assert totals["within"] == 12 * 710 and totals["total"] == 12 * 1010
    assert totals["performance"] == pytest.approx(100 * 710 / 1010)
    assert totals["source"] == PROVIDER_MONTHS and "without records submitted later" in totals["note"]


def test_performance_is_a_sum_not_a_mean_of_providers():
    assert cancer.mean_of_provider_percentages(whole_year(), "gp_62", Y2016) == pytest.approx(85.0)


def test_a_part_year_is_incomplete_not_summed():
    table = whole_year()
    table = table[table["month"] != pd.Period("2016-04", "M")]
    totals = cancer.year_totals(data(table), "gp_62", Y2016)
    assert totals["source"] == "incomplete" and totals["within"] is None
    assert totals["note"] == ("no Annual Data sheet row for 2016-17, and only 11 of 12 months in the data "
                              "(May 2016 to March 2017); not summed")


def test_the_change_is_given_only_when_both_years_come_from_one_source():
    provider = pd.concat([whole_year(year=Y2015), whole_year()])
    same = cancer.sixty_two_day_summary(data(provider), Y2016)
    assert same["change"] == 0 and same["previous_source"] == PROVIDER_MONTHS
    mixed = cancer.sixty_two_day_summary(data(provider, summary=summaries([("2016-17", 0, 12_500, 9_000)])), Y2016)
    assert mixed["within"] == 9_000 and mixed["previous_within"] == 12 * 710
    assert mixed["change"] is None and mixed["change_percent"] is None
    sentence = cancer.change_sentence(mixed, Y2016)
    assert sentence.startswith("No change on 2015-16 is given: that year comes from the sum of the twelve monthly "
                               "provider files") and "this one from the national time series, Annual Data sheet" in sentence


def test_months_come_from_the_monthly_sheet_else_the_england_rows_and_one_provider_from_its_rows():
    national = rows([(ENGLAND, str(m), 2000, 1500) for m in Y2016.months()])
    both = cancer.monthly_performance(data(whole_year(), national), "gp_62", Y2016.months())
    assert len(both) == 12 and (both["source"] == MONTHLY_SHEET).all() and both["total"].iloc[0] == 2000
    alone = cancer.monthly_performance(data(whole_year()), "gp_62", Y2016.months())
    assert (alone["source"] == PROVIDER_ENGLAND_ROWS).all() and alone["total"].iloc[0] == 1010
    one = cancer.monthly_performance(data(whole_year(), national), "gp_62", Y2016.months(), organisation="SMALL")
    assert one["performance"].iloc[0] == 100 and one["total"].sum() == 120


def test_quarters_sit_beside_the_sums_of_their_months():
    national = rows([(ENGLAND, str(m), 100, 80) for m in Y2016.months()])
    quarterly = summaries([("2016-17", q, 310, 250 + q) for q in range(1, 5)])
    table = cancer.quarterly_table(data(monthly=national, summary=quarterly), "gp_62", Y2016)
    assert table["Quarter"].tolist() == [f"2016-17 Q{q}" for q in range(1, 5)]
    assert table["Treated within, sum of its months (Monthly Data sheet)"].tolist() == ["240"] * 4
    assert table["Quarter minus its months"].tolist() == ["+11", "+12", "+13", "+14"]


def test_standards_met_are_counted_out_of_the_standards_the_data_cover():
    full = pd.DataFrame({"key": ["tww", "gp_62"], "met": [True, False]})
    assert cancer.standards_sentence(full, Y2016).startswith("The data cover 2 of the 8 standards")
    every = pd.DataFrame({"key": cancer.standards.with_thresholds(), "met": [True] * 7 + [False]})
    assert cancer.standards_sentence(every, Y2016) == "In 2016-17 the NHS met 7 of the 8 standards that have a threshold."
    before = cancer.standards_sentence(every.assign(met=None), FinancialYear(2013))  # the year before they apply
    assert before == ("No standard with a threshold applies in 2013-14 by the documents here (they set them from "
                      "2014-15), so none is judged.")


def test_no_provider_table_for_a_part_year():
    table = whole_year()
    assert len(cancer.provider_table(table, Y2016)) == 2
    assert cancer.providers_met_sentence(cancer.provider_table(table, Y2016)) == (
        "1 of the 2 provider(s) shown met the standard over the year.")
    part = table[table["month"] != pd.Period("2016-04", "M")]
    assert cancer.provider_table(part, Y2016).empty
    assert cancer.providers_met_sentence(cancer.provider_table(part, Y2016)) == ""
    assert "hold 11 of the 12 months of 2016-17, so no provider table" in cancer.providers_sentence(data(part), Y2016)


@pytest.fixture(scope="module")
def bundled():
    return cancer.load(prepare_chapter("cancer").sources)


def compare(sources, year=Y2016):
    """The chapter's standards table, 62-day summary and ledger for `year` from `sources`."""
    chapter_data = cancer.load(sources)
    table = cancer.standards_table(chapter_data, year)
    gp = cancer.sixty_two_day_summary(chapter_data, year)
    figures = cancer.ledger_figures(sources, {"period": year.label})
    result = ledger.compare("cancer", figures.values, figures.notes, alternatives=figures.alternatives)
    return table, gp, result.set_index("figure")


def test_bundled_sample_reproduces_every_printed_figure_from_its_annual_sheet():
    table, gp, result = compare(prepare_chapter("cancer").sources)
    assert result["agrees"].all(), result[["published", "reproduced"]]
    assert set(table.loc[table["met"].notna(), "source"]) == {ANNUAL_SHEET}
    assert gp["within"] == 119_798 and gp["previous_within"] == 113_896 and gp["change"] == 5_902
    assert 1_700_000 <= result.loc["tww_referrals", "reproduced"] < 1_800_000  # "over 1.7 million"
    assert "Annual Data sheet, row 6: 119,798 of 146,110" in result.loc["gp62_within", "verdict"]


def test_bundled_sample_months_fall_short_of_its_quarters_and_years_as_published(bundled):
    summary = bundled.summaries
    for standard in ("gp_62", "first_31", "tww"):
        for year in (Y2015, Y2016):
            months = cancer.metrics.months_total(bundled, standard, year)
            annual = summary[(summary["standard"] == standard) & (summary["year"] == year.label)]
            assert annual.loc[annual["quarter"] == 0, "within"].item() == annual.loc[annual["quarter"] > 0, "within"].sum()
            assert months["within"] < annual.loc[annual["quarter"] == 0, "within"].item()
            assert months["total"] < annual.loc[annual["quarter"] == 0, "total"].item()
    gp = cancer.sixty_two_day_summary(bundled, Y2016)
    assert gp["months"]["within"] == 117_900 and gp["months"]["source"] == MONTHLY_SHEET
    assert cancer.months_sentence(gp, Y2016).endswith("1,898 fewer treated within 62 days than the national time "
                                                      "series, Annual Data sheet.")


def test_bundled_provider_files_add_up_to_the_monthly_sheet(bundled):
    sentence = cancer.providers_sentence(bundled, Y2016)
    assert "the providers treated 117,900 within 62 days" in sentence
    assert "That is the same as the twelve months of the Monthly Data sheet." in sentence


def test_a_mean_of_provider_percentages_would_miss_the_published_figure(bundled):
    wrong = cancer.mean_of_provider_percentages(bundled.provider, "gp_62", Y2016)
    assert not ledger.tolerance_of("82%", "rounded", 82, "percent").contains(wrong)


def test_period_and_organisation_are_checked_against_the_data():
    with pytest.raises(ParameterError, match="2018-19 is not covered by the cancer data .whole years available: 2015-16 to 2016-17"):
        prepare_chapter("cancer", period="2018/19")
    with pytest.raises(ParameterError, match="parameter 'organisation': 'ZZZ' is not an ODS code"):
        prepare_chapter("cancer", organisation="zzz")
    page = prepare_chapter("cancer", period="2015/16", organisation="s01")
    assert page.parameters == {"period": "2015-16", "organisation": "S01"}


@pytest.fixture(scope="module")
def real_sources(real_data):
    sources = resolve_all(["cwt_provider", "cwt_national"], load_registry().datasets, real_data)
    assert not any(s.synthetic for s in sources.values())
    return sources


@pytest.fixture(scope="module")
def real(real_sources):
    return cancer.load(real_sources)


def test_real_data_reproduces_the_printed_figures_from_the_annual_sheet(real_sources):
    table, gp, result = compare(real_sources)
    assert cancer.standards_met(table) == (7, 8)
    assert set(table.loc[table["met"].notna(), "source"]) == {ANNUAL_SHEET}
    assert (gp["within"], gp["total"], gp["previous_within"]) == (119_797.5, 146_080.5, 113_896)
    assert gp["change"] == 5_901.5 and round(gp["change_percent"], 1) == 5.2 and round(gp["performance"]) == 82
    assert result.drop(index="tww_referrals")["agrees"].all(), result[["published", "reproduced"]]
    # "Over 1.7 million" allows 1,700,000 up to 1,800,000: 2016/17's count is above it, 2015/16's inside.
    assert result.loc["tww_referrals", "reproduced"] == 1_876_819 and result.loc["tww_referrals", "status"] == "differs"
    assert result.loc["tww_referrals", "fits_better"] == "2015/16"
    assert "1,726,121 (2015/16) fits the printed figure." in result.loc["tww_referrals", "verdict"]
    assert result.loc["gp62_within", "verdict"].endswith("From the national time series, Annual Data sheet, "
                                                         "row 12: 119,797.5 of 146,080.5.")
    assert "rows 12 and 11" in result.loc["gp62_change", "verdict"]


def test_real_data_months_quarters_and_years_differ_as_the_publisher_says(real):
    gp = cancer.sixty_two_day_summary(real, Y2016)
    assert (gp["months"]["within"], gp["months"]["total"]) == (117_901.5, 143_986.5)
    assert cancer.months_sentence(gp, Y2016) == (
        "Summed over the twelve months of the national time series, Monthly Data sheet, the same year gives "
        "117,901.5 treated within 62 days out of 143,986.5 (81.9%): 1,896 fewer treated within 62 days than the "
        "national time series, Annual Data sheet.")
    assert cancer.metrics.months_total(real, "gp_62", Y2015)["within"] == 112_206
    quarters = cancer.quarterly_table(real, "gp_62", Y2016)
    assert quarters["Quarter minus its months"].tolist() == ["+292", "+659", "+451", "+494"]
    two_week = cancer.metrics.months_total(real, "tww", Y2016)
    assert two_week["total"] == 1_867_303  # the monthly sheet too gives over 1.7 million


def test_real_provider_files_add_up_to_the_monthly_sheet_in_every_month(real):
    for standard in ("gp_62", "first_31", "sub_31_radiotherapy"):
        england = cancer.metrics.england_rows(real.provider, standard).set_index("month")[["total", "within"]]
        monthly = real.monthly[real.monthly["standard"] == standard].set_index("month")[["total", "within"]]
        assert len(england) == 26
        pd.testing.assert_frame_equal(england.sort_index(), monthly.loc[england.index].sort_index())
    assert "That is the same as the twelve months of the Monthly Data sheet." in cancer.providers_sentence(real, Y2016)


def test_real_2015_16_provider_files_are_a_part_year(real):
    assert cancer.provider_months(real.provider, "gp_62", Y2015) == 10
    assert cancer.provider_table(real.provider, Y2015).empty


def test_real_provider_files_without_the_workbook_say_what_they_are(real_data, tmp_path):
    """With only the provider files, the year is their sum of months, and the page says so; the year
    before (June 2015 onwards) is incomplete, so no change is given, and standards the files do not
    cover are marked incomplete rather than counted as met."""
    (tmp_path / "cwt").mkdir()
    (tmp_path / "cwt" / "provider_monthly").symlink_to(real_data / "cwt" / "provider_monthly")
    page = prepare_chapter("cancer", data_dir=str(tmp_path))
    assert not page.sources["cwt_national"].files and not page.sources["cwt_national"].synthetic
    only = cancer.load(page.sources)
    table, gp, result = compare(page.sources)
    assert (gp["within"], gp["source"]) == (117_901.5, PROVIDER_MONTHS) and gp["change"] is None
    assert cancer.standards_sentence(table, Y2016) == (
        "The data cover 3 of the 8 standards that have a threshold for the whole of 2016-17; the NHS met 2 of "
        "those 3. The others are marked incomplete.")
    assert cancer.change_sentence(gp, Y2016).startswith("The previous year, 2015-16, is not complete in the data "
                                                        "(no Annual Data sheet row for 2015-16, and only 10 of 12 months")
    assert cancer.months_sentence(gp, Y2016).startswith("The year's figure is itself a sum of months")
    assert not result.loc["gp62_within", "agrees"] and result.loc["gp62_performance", "agrees"]
    assert pd.isna(result.loc["gp62_change", "reproduced"])
    assert result.loc["gp62_change", "verdict"].endswith("Not given: the year before is not complete in the data "
                                                         "(no Annual Data sheet row for 2015-16, and only 10 of 12 "
                                                         "months in the data (June 2015 to March 2016); not summed).")
    assert cancer.quarterly_table(only, "gp_62", Y2016).empty


def test_a_provider_with_half_a_patient_is_shown_but_not_ranked():
    table = pd.concat([whole_year(), rows([("HALF", "2016-05", 0.5, 0.5)])])
    out = cancer.provider_table(table, Y2016)
    assert list(out["ODS code"]) == ["BIG", "SMALL", "HALF"]  # by patients treated, not by rate
    compared, summary = cancer.provider_funnel(table, Y2016)
    assert summary["threshold"] > 1
    assert out["Rank"].tolist()[2] == f"not ranked (fewer than {summary['threshold']} treated)"
    assert out[["Treated", "Performance"]].values.tolist()[2] == ["0.5", "100.0%"]
    assert out["Rank"].tolist()[:2] == ["2 of 2", "1 of 2"]  # SMALL (100%, 120 treated) above BIG (70%)
    assert out.columns[-1] == "Met 85%" and cancer.provider_table(table, Y2016, "HALF")["Rank"].tolist() == [
        f"not ranked (fewer than {summary['threshold']} treated)"]


def test_real_provider_table_ranks_no_provider_too_small_to_tell_apart(real):
    compared, summary = cancer.provider_funnel(real.provider, Y2016)
    assert (summary["providers"], summary["ranked"], summary["threshold"]) == (169, 145, 73)
    assert round(summary["england"], 1) == 81.9
    assert compared["volume"].sum() == 143_986.5  # the twelve provider files, as the README's check
    assert compared.loc[compared["rank"].notna(), "volume"].min() >= 73
    assert compared.loc[compared["rank"].isna(), "volume"].max() < 73
    halves = compared[compared["volume"] == 0.5]
    assert len(halves) >= 5 and halves["rank"].isna().all()
    assert sorted(compared["rank"].dropna().astype(int)) [0] == 1
    first = compared.loc[compared["rank"] == 1].iloc[0]
    assert first["volume"] >= 73 and first["rate"] < 100
    # 87 of 169 beyond the exact binomial 99.8% limits; 2 beyond them widened for over-dispersion
    binomial, widened = summary["binomial_positions"], summary["positions"]
    assert binomial["above the 99.8% limit"] + binomial["below the 99.8% limit"] == 87
    assert widened["above the 99.8% limit"] + widened["below the 99.8% limit"] == 2
    assert round(summary["tau"], 1) == 4.7


def test_every_providers_months_at_once_are_each_providers_own():
    from analysis.cancer import load
    from analysis.cancer.metrics import PROVIDER_FILES, monthly_performance, providers_by_month
    from analysis.page import prepare_chapter

    data = load(prepare_chapter("cancer").sources)
    months = list(FinancialYear(2016).months())
    every = providers_by_month(data.provider, "gp_62", months)
    codes = sorted(every["organisation"].unique())
    assert len(codes) > 5
    for code in codes[:: max(1, len(codes) // 5)]:
        own = monthly_performance(data, "gp_62", months, organisation=code)
        mine = every[every["organisation"] == code].drop(columns="organisation").reset_index(drop=True)
        pd.testing.assert_frame_equal(own.drop(columns="source"), mine)
        assert set(own["source"]) == {PROVIDER_FILES}
