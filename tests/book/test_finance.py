"""Finance: transcription checks, recomputation, and the ledger of every printed derived figure."""

import pytest

from analysis import finance, ledger
from analysis.errors import DataError, ParameterError
from analysis.page import prepare_chapter
from analysis.sources import BUNDLED_DIR, read_sources_csv

TABLES = BUNDLED_DIR / "finance" / "finance_tables_transcribed.csv"
SEEDS = {"000_5311d35d774c4b17.txt": (830, 925), "003_aa8731bbbd271962.txt": (76, 79)}


@pytest.fixture(scope="module")
def inputs():
    return finance.read_tables(TABLES)


@pytest.fixture(scope="module")
def tolerance(inputs):
    """`finance.rounding_tolerance(inputs)`, computed once: it recomputes groups of figures 186 times."""
    return finance.rounding_tolerance(inputs)


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


# Measured: without the rounding of the inputs these 13 figures differ from the printed ones.
AGREE_ONLY_WITHIN_INPUT_ROUNDING = [
    "actual_2016_17_total", "increase_2014_15_chc", "increase_2015_16_chc", "increase_2016_17_chc",
    "limit_underspend_pct_ame", "limit_underspend_pct_technical", "variance_2014_15_total",
    "variance_2016_17_central", "variance_pct_2013_14_direct", "variance_pct_2014_15_chc",
    "variance_pct_2015_16_central", "variance_pct_2015_16_chc", "variance_pct_2016_17_chc"]


def test_rounding_tolerance_by_hand(tolerance):
    assert tolerance["variance_2016_17_ccgs"] == pytest.approx(2 * 0.5)  # plan - actual
    assert tolerance["variance_2015_16_total"] == pytest.approx(4 * 0.5)  # four printed variances
    assert tolerance["limit_total_revenue_underspend"] == pytest.approx(8 * 0.5)  # four limits, four actuals
    assert tolerance["headline_budget"] == pytest.approx(0.5)
    assert tolerance["limits_met"] == 0
    # 13 / 150: the plan and the actual each moved by £0.5m, the largest changes added up.
    pct = lambda plan, actual: 100 * (plan - actual) / plan  # noqa: E731
    by_plan = max(abs(pct(150 + d, 137) - pct(150, 137)) for d in (0.5, -0.5))
    by_actual = max(abs(pct(150, 137 + d) - pct(150, 137)) for d in (0.5, -0.5))
    assert tolerance["variance_pct_2016_17_chc"] == pytest.approx(by_plan + by_actual)


def test_rounding_of_the_inputs_turns_13_differences_into_agreement(inputs, tolerance):
    figures = finance.reproduce(inputs)
    plain = ledger.compare("finance", figures, finance.ledger_notes(inputs))
    widened = ledger.compare("finance", figures, finance.ledger_notes(inputs),
                             tolerance=tolerance)
    assert len(widened) == len(ledger.published("finance"))
    assert finance.agreed_by_input_rounding(plain, widened) == AGREE_ONLY_WITHIN_INPUT_ROUNDING
    assert plain["status"].eq("differs").sum() == 13 + 1  # and the commentary's CCG position
    rows = widened.set_index("figure")
    assert set(rows.index[rows["status"] != "agrees"]) == {"variance_pct_2013_14_chc", "ccg_position_from_commentary"}
    assert rows.loc["variance_pct_2013_14_chc", "status"] == "not computable"
    assert "The implied plan is £0m (actual £77m, overspend £77m), so no percentage exists" in rows.loc[
        "variance_pct_2013_14_chc", "verdict"]
    assert rows.loc["variance_2016_17_central", "difference"] == -1
    assert rows.loc["variance_2016_17_central", "verdict"].startswith(
        "Agrees: inside the range £437.5m to £440.5m that the printed rounding allows (half a rounding step either "
        "side), widened by £1.0m either side for the rounding of its inputs.")
    assert rows.loc["ccg_position_from_commentary", "difference"] == -3
    assert rows.loc["ccg_position_from_commentary", "tolerance"] == pytest.approx(2.0)  # 17, 34, 607, 707
    assert finance.discrepancies(widened)["figure"].tolist() == ["variance_pct_2013_14_chc",
                                                                 "ccg_position_from_commentary"]


def test_ccg_position_reconciled_from_the_commentary(inputs):
    steps = finance.ccg_reconciliation(inputs).set_index("step")
    assert steps["gbp_m"].to_dict() == {"further_underspends": 17, "quality_premium": 34,
                                        "operating_overspends": -607, "before_reserve": -556,
                                        "reserve_release": 707, "after_reserve": 151, "table": 154,
                                        "unexplained": 3}
    assert steps.loc["further_underspends", "source"] == "000_5311d35d774c4b17.txt line 854"
    assert steps.loc["reserve_release", "source"] == "000_5311d35d774c4b17.txt line 836"
    assert steps.loc["table", "source"] == "000_5311d35d774c4b17.txt line 844"
    figures = finance.reproduce(inputs)
    assert figures["ccg_before_reserve"] == -556 and round(figures["ccg_before_reserve_pct"], 1) == -0.7


def test_the_tables_are_labelled_as_transcribed_not_as_a_sample():
    assert "transcribed" in TABLES.name and "SAMPLE" not in TABLES.name.upper()
    listed = read_sources_csv(TABLES.parent)[TABLES.name]
    assert listed["synthetic"] == "no" and "transcribed" in listed["title"] and "not a sample" in listed["notes"]
    source = prepare_chapter("finance").sources["finance_tables"]
    assert source.origin == "bundled with the handbook" and source.date_text.startswith("transcribed ")


def test_bad_transcription_is_named(tmp_path):
    bad = tmp_path / "finance_tables_transcribed.csv"
    text = TABLES.read_text()
    bad.write_text(text.replace("performance,ccgs,CCGs,2016/17,plan,76630", "performance,ccgs,CCGs,2016/17,plan,lots"))
    with pytest.raises(DataError, match=r"finance_tables_transcribed.csv, row 2, column 'value': value 'lots' is not a number"):
        finance.read_tables(bad)
    bad.write_text(text.replace("performance,ccgs,CCGs,2016/17,plan,76630,1", "performance,ccgs,CCGs,2016/17,plan,76630,-1"))
    with pytest.raises(DataError, match=r"row 2, column 'rounding': value -1 is negative"):
        finance.read_tables(bad)
    bad.write_text("\n".join(",".join(line.split(",")[:6] + line.split(",")[7:]) for line in text.splitlines()) + "\n")
    with pytest.raises(DataError, match="lacks column 'rounding'"):
        finance.read_tables(bad)
    bad.write_text(text + text.splitlines()[1] + "\n")
    with pytest.raises(DataError, match="ccgs plan 2016/17 is given twice"):
        finance.read_tables(bad)


def test_only_2016_17_is_covered():
    with pytest.raises(ParameterError, match="2017-18 is not covered: the finance tables are the annual report's for 2016-17"):
        prepare_chapter("finance", period="2017-18")
    page = prepare_chapter("finance")
    assert not page.synthetic


def _text(book) -> str:
    import re

    html = (book / "_build" / "html" / "chapters" / "finance.html").read_text()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("which", ["bundled_book", "real_book"])
def test_built_finance_page_states_tolerance_reconciliation_and_origin(which, request):
    text = _text(request.getfixturevalue(which))
    assert "13 more within the rounding of their inputs" in text
    assert ("Agrees: inside the range £437.5m to £440.5m that the printed rounding allows (half a rounding step "
            "either side), widened by £1.0m either side for the rounding of its inputs.") in text
    assert "at most 2.07 points, for Historic continuing healthcare claims: expenditure increase 2015/16" in text
    assert "The commentary’s figures give £ 151 million after the reserve release, against £ 154 million" in text
    assert "can explain at most £ 2.5 million, so the rest is not rounding" in text
    assert "bundled with the handbook" in text and "transcribed 20" in text
    assert "bundled sample" not in text and "Synthetic sample data" not in text and "by construction" not in text
