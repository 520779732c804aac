"""New care models: cohort file, growth with intervals, windows, ledger on bundled and real data."""

import math

import pandas as pd
import pytest

from analysis import ledger, vanguards
from analysis.errors import DataError, ParameterError
from analysis.page import prepare_chapter
from analysis.vanguards.metrics import REST, growth_table, read_cohort


def test_cohort_file_cites_every_entry_and_marks_partial_ccgs():
    cohort = read_cohort()
    assert set(cohort["type"]) == {"PACS", "MCP"}
    assert cohort.groupby("type")["vanguard"].nunique().to_dict() == {"MCP": 14, "PACS": 9}
    assert (cohort["source"].str.startswith("https://www.england.nhs.uk/")).all()
    assert set(cohort["part_of_ccg"]) == {"yes", "no"}


def test_cohort_file_errors_name_the_row(tmp_path):
    bad = tmp_path / "cohort.csv"
    text = read_cohort().to_csv(index=False)
    bad.write_text(text + text.splitlines()[1] + "\n")
    with pytest.raises(DataError, match=r"row 29, column 'ccg_code': CCG 12F is in two vanguards"):
        read_cohort(bad)


def test_growth_and_poisson_interval_by_hand():
    months = pd.PeriodIndex(["2015-01", "2016-01"], freq="M")
    admissions = pd.DataFrame({"month": months.repeat(2), "ccg_code": ["A", "B"] * 2,
                               "non_elective": [1000.0, 4000.0, 1100.0, 4080.0]})
    cohort = pd.DataFrame({"ccg_code": ["A"], "type": ["PACS"]})
    population = pd.Series({"A": 10_000.0, "B": 40_000.0})
    cohorts = pd.Series(["PACS", REST, "PACS", REST])
    table = growth_table(admissions, cohorts, population, cohort, months[:1], months[1:], "test").set_index("cohort")
    assert table.loc["PACS", "growth"] == pytest.approx(10.0)
    se = math.sqrt(1 / 1000 + 1 / 1100)
    assert table.loc["PACS", "growth_low"] == pytest.approx(100 * (1.1 * math.exp(-1.959964 * se) - 1))
    assert table.loc["PACS", "growth_low"] < 10 < table.loc["PACS", "growth_high"]
    assert table.loc["PACS", "difference"] == pytest.approx(10.0 - 2.0)
    assert table.loc["PACS", "rate_baseline"] == pytest.approx(100.0)  # per 1,000 people


def test_windows_are_checked():
    with pytest.raises(ParameterError, match="parameter 'recent_first': the window 2016-12 to 2016-01 runs backwards"):
        prepare_chapter("vanguards", recent_first="2016-12", recent_last="2016-01")
    with pytest.raises(ParameterError, match=r"parameter 'recent_first': the window 2016-06 to 2017-05 is not all in "
                                             r"the data \(missing 2017-01"):
        prepare_chapter("vanguards", recent_first="2016-06", recent_last="2017-05")
    with pytest.raises(ParameterError, match="parameter 'cohorts': 'ACO' is not a vanguard type"):
        prepare_chapter("vanguards", cohorts="PACS,ACO")
    assert prepare_chapter("vanguards", recent_first="2016-04", recent_last="2016-12").parameters["recent_first"] == "2016-04"


@pytest.fixture(scope="module")
def bundled():
    page = prepare_chapter("vanguards")
    return page, vanguards.load(page.sources)


def test_bundled_sample_reproduces_the_six_printed_figures(bundled):
    page, data = bundled
    spans = vanguards.windows(page.parameters, set(data["admissions"]["month"]))
    labels = {name: vanguards.label_of(span) for name, span in spans.items()}
    growth = vanguards.growth(data, spans, ["PACS", "MCP"], labels)
    figures, _ = vanguards.ledger_figures(growth, labels, synthetic=True)
    assert ledger.compare("vanguards", figures)["agrees"].all()
    per_ccg = data["admissions"].groupby("ccg_code")["non_elective"].sum() / data["population"]
    assert per_ccg.std() / per_ccg.mean() > 0.1  # areas differ from each other


def test_bundled_ages_show_the_benefit_greatest_for_older_people(bundled):
    page, data = bundled
    spans = vanguards.windows(page.parameters, set(data["admissions"]["month"]))
    ages = vanguards.age_growth(data["ages"], data["cohort"], spans["baseline"], spans["recent"], "b")
    gap = ages.pivot(index="age_band", columns="cohort", values="growth")
    gap = gap[REST] - gap[["PACS", "MCP"]].mean(axis=1)
    assert gap["85+"] > gap["0-64"]


def test_real_files_give_their_own_figures_with_reasons(real_data):
    page = prepare_chapter("vanguards", data_dir=str(real_data))
    assert not page.synthetic and page.sources["mar_ages"].files == []
    data = vanguards.load(page.sources)
    spans = vanguards.windows(page.parameters, set(data["admissions"]["month"]))
    labels = {name: vanguards.label_of(span) for name, span in spans.items()}
    figures, notes = vanguards.ledger_figures(vanguards.growth(data, spans, ["PACS", "MCP"], labels), labels, False)
    assert all(v is not None for v in figures.values())
    assert "CCG footprints" in notes["pacs_on_sep_2015"]
    # Back-test: the real files' figures as measured, beside the printed 1.1/1.9/3.2 and 1.7/2.7/3.3.
    measured = {name: round(value, 1) for name, value in figures.items()}
    assert measured == {"pacs_on_sep_2015": 2.4, "pacs_on_2014_15": 3.0, "mcp_on_sep_2015": 9.7,
                        "mcp_on_2014_15": 12.8, "rest_on_sep_2015": 5.0, "rest_on_2014_15": 5.6}
