"""Cancer measures: sums not means, incomplete years, the ledger on bundled and real data."""

import pandas as pd
import pytest

from analysis import cancer, ledger
from analysis.cancer.readers import ENGLAND
from analysis.errors import ParameterError
from analysis.page import prepare_chapter
from analysis.periods import FinancialYear
from analysis.registry import load_registry
from analysis.sources import resolve_all

Y2016 = FinancialYear(2016)


def rows(records):
    table = pd.DataFrame(records, columns=["organisation", "month", "total", "within"])
    table["month"] = pd.PeriodIndex(table["month"], freq="M")
    table["standard"], table["care_setting"], table["cancer_type"] = "gp_62", "all", "ALL CANCERS"
    table["organisation_name"], table["suppressed"] = table["organisation"], "no"
    return table


def whole_year(big=(1000, 700), small=(10, 10)):
    records = []
    for month in Y2016.months():
        records += [("BIG", str(month), *big), ("SMALL", str(month), *small)]
    return rows(records)


def test_performance_is_the_sum_of_within_over_the_sum_of_treated():
    table = whole_year()
    totals = cancer.year_totals(table, rows([]), "gp_62", Y2016)
    assert totals["performance"] == pytest.approx(100 * 710 / 1010)
    assert totals["source"] == "provider files"
    assert cancer.mean_of_provider_percentages(table, "gp_62", Y2016) == pytest.approx(85.0)


def test_england_rows_and_suppressed_rows_are_not_summed():
    table = pd.concat([whole_year(), rows([(ENGLAND, "2016-04", 99999, 99999)])])
    table.loc[(table["organisation"] == "SMALL") & (table["month"] == pd.Period("2016-04", "M")), "suppressed"] = "yes"
    totals = cancer.year_totals(table, rows([]), "gp_62", Y2016)
    assert totals["total"] == 12 * 1000 + 11 * 10
    assert totals["suppressed_rows"] == 1 and "1 suppressed row" in totals["note"]


def test_a_part_year_is_incomplete_not_summed():
    table = whole_year()
    table = table[table["month"] != pd.Period("2016-04", "M")]
    totals = cancer.year_totals(table, rows([]), "gp_62", Y2016)
    assert totals["source"] == "incomplete" and totals["within"] is None
    assert totals["note"] == "only 11 of 12 months in the data (May 2016 to March 2017); not summed"


def test_the_national_series_fills_a_year_the_provider_files_do_not_cover():
    national = rows([(ENGLAND, str(m), 100, 90) for m in Y2016.months()])
    totals = cancer.year_totals(whole_year().iloc[:4], national, "gp_62", Y2016)
    assert totals["source"] == "national series" and totals["within"] == 1080


def test_monthly_performance_per_month():
    monthly = cancer.monthly_performance(whole_year(), rows([]), "gp_62", Y2016.months())
    assert len(monthly) == 12 and monthly["performance"].iloc[0] == pytest.approx(100 * 710 / 1010)


@pytest.fixture(scope="module")
def bundled():
    page = prepare_chapter("cancer")
    return cancer.load(page.sources)


def test_bundled_sample_reproduces_every_printed_figure(bundled):
    provider, national = bundled
    table = cancer.standards_table(provider, national, Y2016)
    gp = cancer.sixty_two_day_summary(provider, national, Y2016)
    result = ledger.compare("cancer", cancer.ledger_figures(table, gp))
    assert result["agrees"].all(), result[["figure", "published", "reproduced"]]


def test_a_mean_of_provider_percentages_would_miss_the_published_figure(bundled):
    provider, _ = bundled
    wrong = cancer.mean_of_provider_percentages(provider, "gp_62", Y2016)
    assert not ledger.agrees(wrong, 82, "equal", 0)


def test_period_and_organisation_are_checked_against_the_data():
    with pytest.raises(ParameterError, match="2018-19 is not covered by the cancer data .whole years available: 2015-16 to 2016-17"):
        prepare_chapter("cancer", period="2018/19")
    with pytest.raises(ParameterError, match="parameter 'organisation': 'ZZZ' is not an ODS code"):
        prepare_chapter("cancer", organisation="zzz")
    page = prepare_chapter("cancer", period="2015/16", organisation="s01")
    assert page.parameters == {"period": "2015-16", "organisation": "S01"}


def test_real_data_gives_the_official_series(real_data):
    registry = load_registry()
    sources = resolve_all(["cwt_provider", "cwt_national"], registry.datasets, real_data)
    assert not any(s.synthetic for s in sources.values())
    provider, national = cancer.load(sources)
    table = cancer.standards_table(provider, national, Y2016)
    assert cancer.standards_met(table) == (7, 8)
    gp = cancer.sixty_two_day_summary(provider, national, Y2016)
    assert gp["within"] == 117_901.5 and gp["total"] == 143_986.5
    assert round(gp["performance"], 1) == 81.9
    assert gp["previous_within"] == 112_206 and gp["previous_source"] == "national series"
    before = cancer.year_totals(provider, national.iloc[0:0], "gp_62", FinancialYear(2015))
    assert before["source"] == "incomplete" and "June 2015" in before["note"]
    result = ledger.compare("cancer", cancer.ledger_figures(table, gp)).set_index("figure")
    assert result.loc["standards_met", "agrees"] and result.loc["gp62_performance", "agrees"]
    assert not result.loc["gp62_within", "agrees"]
    assert result.loc["gp62_within", "difference"] == pytest.approx(117_901.5 - 119_798)
