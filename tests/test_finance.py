"""Finance: transcription checks, recomputation, and the ledger of every printed derived figure."""

import shutil

import pandas as pd
import pytest

from analysis import finance, ledger
from analysis.errors import DataError, ParameterError
from analysis.page import prepare_chapter
from analysis.sources import BUNDLED_DIR

TABLES = BUNDLED_DIR / "finance" / "finance_tables.csv"
SEEDS = {"000_5311d35d774c4b17.txt": (830, 925), "003_aa8731bbbd271962.txt": (76, 79)}


@pytest.fixture(scope="module")
def inputs():
    return finance.read_tables(TABLES)


def test_every_input_cites_a_line_of_the_tables_it_came_from(inputs):
    for row in inputs.itertuples():
        first, last = SEEDS[row.document]
        assert first <= row.line <= last, row


def test_transcribed_numbers_appear_on_their_cited_line(inputs, real_data):
    seeds = real_data.parent / "seeds"
    text = {doc: (seeds / doc).read_text().splitlines() for doc in SEEDS}
    for row in inputs.itertuples():
        line = text[row.document][row.line - 1].replace(",", "")
        printed = f"{abs(row.value):.0f}" if row.measure != "stf_received_gbp_m" else \
            ("1.2 billion" if row.value == 1200 else "600 million")
        assert printed in line, (row.document, row.line, printed)


def test_recomputation_by_hand(inputs):
    perf = finance.performance_table(inputs).set_index(["year", "item"])
    assert perf.loc[("2016/17", "ccgs"), "variance"] == 76630 - 76476
    assert perf.loc[("2016/17", "total"), "variance"] == 105702 - 104800
    assert perf.loc[("2015/16", "direct"), "plan"] == 26687 + 82  # implied: actual + variance
    assert perf.loc[("2015/16", "total"), "variance"] == -15 + 82 + 340 + 192
    increases = finance.expenditure_table(inputs).set_index(["item", "year"])
    assert increases.loc[("central", "2016/17"), "increase_pct"] == pytest.approx(100 * (2874 / 1245 - 1))
    limits = finance.limits_table(inputs).set_index("item")
    assert limits.loc["ame", "underspend"] == 300 - (-308)
    assert limits.loc["total_revenue", "limit"] == 105702 + 166 + 300 + 360
    sector = finance.provider_sector(inputs).set_index("item")
    assert sector.loc["foundation_trusts", "accepted_pct"] == pytest.approx(100 * 152 / 156)


def test_headline_is_computed_from_the_rows(inputs):
    figures = finance.reproduce(inputs)
    assert figures["headline_underspend"] == 902
    assert round(figures["headline_underspend_pct"], 1) == 0.9
    assert figures["headline_budget"] == 105702


def test_every_printed_figure_is_reproduced_or_listed_as_a_discrepancy_of_rounding_size(inputs):
    comparison = ledger.compare("finance", finance.reproduce(inputs), finance.ledger_notes(inputs))
    differing = finance.discrepancies(comparison)
    assert len(comparison) == len(ledger.published("finance"))
    assert comparison["agrees"].eq(True).sum() + len(differing) == len(comparison)
    for row in differing.itertuples():
        if pd.isna(row.reproduced):
            assert "no percentage exists" in row.verdict
            continue
        assert row.verdict.startswith("Differs by")
        bound = 2.0 if row.unit == "gbp_m" else 1.0  # sums of £1m-rounded lines; percents of small lines
        assert 0 < abs(row.difference) <= bound, row
    agreeing = set(comparison.loc[comparison["agrees"].eq(True), "figure"])
    assert {"headline_underspend", "headline_underspend_pct", "limits_met", "risk_reserve_release",
            "limit_total_revenue_underspend", "variance_2015_16_total"} <= agreeing


def test_bad_transcription_is_named(tmp_path):
    bad = tmp_path / "finance_tables.csv"
    text = TABLES.read_text()
    bad.write_text(text.replace("performance,ccgs,CCGs,2016/17,plan,76630", "performance,ccgs,CCGs,2016/17,plan,lots"))
    with pytest.raises(DataError, match=r"finance_tables.csv, row 2, column 'value': value 'lots' is not a number"):
        finance.read_tables(bad)
    bad.write_text(text + text.splitlines()[1] + "\n")
    with pytest.raises(DataError, match="ccgs plan 2016/17 is given twice"):
        finance.read_tables(bad)


def test_only_2016_17_is_covered():
    with pytest.raises(ParameterError, match="2017-18 is not covered: the finance tables are the annual report's for 2016-17"):
        prepare_chapter("finance", period="2017-18")
    page = prepare_chapter("finance")
    assert not page.synthetic
