"""What the finance page says, from small inputs: glued figures, tables as shown, the charts' data, alt
text, the ledger in numbers and the headline results."""

import pandas as pd
import pytest

from analysis import finance, ledger
from analysis.contract import LedgerFigures


def performance() -> pd.DataFrame:
    """Two lines and their total for 2016/17, and one line of 2015/16."""
    rows = [("2016/17", "ccgs", "CCGs", 1000.0, 900.0), ("2016/17", "direct", "Direct commissioning", 500.0, 480.0),
            ("2016/17", "total", "Total", 1500.0, 1380.0), ("2015/16", "ccgs", "CCGs", 950.0, 960.0)]
    perf = pd.DataFrame(rows, columns=["year", "item", "line", "plan", "actual"])
    perf["variance"] = perf["plan"] - perf["actual"]
    perf["variance_pct"] = 100 * perf["variance"] / perf["plan"]
    perf["plan_basis"] = "printed"
    return perf


def limits() -> pd.DataFrame:
    """Two duties, one met, and the total row `limits_table` ends with."""
    table = pd.DataFrame({"item": ["a", "b", "total_revenue"], "duty": ["Duty A", "Duty B", "Total"],
                          "limit": [1000.0, 200.0, 1200.0], "actual": [990.0, 210.0, 1200.0]})
    table["underspend"] = table["limit"] - table["actual"]
    table["underspend_pct"] = 100 * table["underspend"] / table["limit"]
    table["met"] = table["actual"] <= table["limit"]
    return table


def test_the_headline_figures_and_results_are_the_2016_17_total():
    assert finance.headline_figures(performance()) == {"underspend": 120.0, "underspend_pct": 8.0, "budget": 1500.0,
                                                       "actual": 1380.0}
    underspend, share, duties = finance.page_results(performance(), limits())
    assert (underspend.value, underspend.met, underspend.standard_text) == (120.0, False, "goal: more than £800m")
    assert (share.value, share.met) == (8.0, None)
    assert (duties.value, duties.standard, duties.met, duties.standard_text) == (1, 2, False, "all 2 duties")


def test_the_lines_table_prints_millions_and_percentages():
    shown = finance.lines_shown(performance())
    assert shown.columns.tolist() == ["Line", "Plan £m", "Actual £m", "Under/(over)spend £m", "% of plan"]
    assert shown.iloc[0].tolist() == ["CCGs", "1,000", "900", "100", "10.0%"]
    assert shown["Line"].tolist() == ["CCGs", "Direct commissioning", "Total"]  # 2016/17 only


def test_the_plan_actual_chart_names_the_largest_underspend():
    assert finance.biggest_underspend_figures(performance()) == {"biggest_line": "CCGs", "biggest_variance": 100.0}
    assert finance.plan_actual_alt(performance()) == (
        "Underspend against plan by line in 2016/17, in £ million: every line spent less than planned; the largest "
        "underspend, £100m, was in CCGs.")
    data = finance.plan_actual_data(performance())
    assert data.columns.tolist() == ["line", "plan", "actual", "variance"]
    assert data["line"].tolist() == ["CCGs", "Direct commissioning"]


def test_the_alt_texts_say_what_the_rows_show():
    overspent = performance()
    overspent.loc[overspent["item"] == "direct", "variance"] = -20.0
    assert finance.plan_actual_alt(overspent) == (
        "Underspend against plan by line in 2016/17, in £ million: 1 of 2 lines spent less than planned; overspent: "
        "Direct commissioning; the largest underspend, £100m, was in CCGs.")
    assert finance.variance_alt(performance()) == (
        "Under/(over)spend by line, 2015/16 to 2016/17: CCGs overspent in 2015/16; Direct commissioning underspent "
        "every year.")
    spend = pd.DataFrame({"year": ["2015/16", "2016/17", "2014/15", "2015/16", "2016/17"],
                          "line": ["CCGs", "CCGs", "Central", "Central", "Central"],
                          "expenditure": [100.0, 110.0, 50.0, 40.0, 100.0],
                          "increase_pct": [None, 10.0, None, -20.0, 150.0]})
    assert finance.expenditure_alt(spend) == (
        "Expenditure by line, 2014/15 to 2016/17: CCGs £100m to £110m (largest change +10.0% in 2016/17); "
        "Central £50m to £100m (largest change +150.0% in 2016/17).")


def test_the_variance_and_expenditure_charts_data():
    data = finance.variance_data(performance())
    assert data["year"].tolist() == ["2016/17", "2016/17", "2015/16"] and "plan_basis" in data
    expenditure = pd.DataFrame({"item": ["ccgs"], "year": ["2016/17"], "expenditure": [900.0], "increase_pct": [2.0],
                                "line": ["CCGs"]})
    assert finance.expenditure_data(expenditure).columns.tolist() == ["year", "line", "expenditure", "increase_pct"]


def test_the_duties_met_leave_out_the_total_row():
    assert finance.duties_met(limits()) == (1, 2)
    assert finance.limits_figures(limits()) == {"limits_met": 1, "limits_count": 2}
    shown = finance.limits_shown(limits())
    assert shown.columns.tolist() == ["Duty", "Limit £m", "Actual £m", "Underspend £m", "% of limit", "Met"]
    assert shown.iloc[1].tolist() == ["Duty B", "200", "210", "-10", "-5.0%", "no"]


def test_the_provider_sector_figures_and_table():
    sector = pd.DataFrame({"item": ["foundation_trusts", "nhs_trusts"],
                           "trust_type": ["Foundation trusts", "NHS trusts"],
                           "trusts": [3, 4], "accepted": [2, 4], "achieved": [1, 3], "accepted_pct": [200 / 3, 100.0],
                           "achieved_pct": [100 / 3, 75.0], "achieved_of_accepted_pct": [50.0, 75.0],
                           "stf_gbp_m": [1200.0, 600.0]})
    figures = finance.provider_figures(sector)
    assert len(figures) == 8 and figures["nhs_trusts_achieved_pct"] == 75.0
    assert figures["foundation_trusts_accepted_pct"] == pytest.approx(66.667, abs=1e-3)
    assert figures["foundation_trusts_stf_gbp_m"] == 1200.0
    shown = finance.provider_shown(sector)
    assert shown.columns.tolist() == ["Trust type", "Trusts", "Accepted", "Achieved", "Accepted %", "Achieved %",
                                      "Achieved, % of those accepting", "STF received £m"]
    assert shown.iloc[0].tolist() == ["Foundation trusts", 3, 2, 1, 66.7, 33.3, 50.0, 1200.0]


def test_the_ccg_reconciliation_as_shown_and_for_the_prose():
    steps = pd.DataFrame({"step": ["after_reserve", "table", "unexplained"],
                          "item": ["After the release", "In the table", "Table minus rebuilt"],
                          "gbp_m": [1234.0, 154.0, -1080.0], "source": ["computed", "line 844", "computed"]})
    shown = finance.reconciliation_shown(steps)
    assert shown.columns.tolist() == ["Step", "£m", "Printed at"]
    assert shown["£m"].tolist() == ["1,234", "154", "-1,080"]
    assert finance.reconciliation_figures(steps, {"ccg_position_from_commentary": 2.0}) == {
        "ccg_after_reserve": 1234.0, "ccg_table": 154.0, "ccg_unexplained": -1080.0, "ccg_rounding": 2.5}


def test_the_ledger_summary_counts_each_kind_of_agreement():
    printed = ledger.published("finance")
    values = dict(zip(printed["figure"], printed["value"]))
    summary = finance.ledger_summary(LedgerFigures(values, {}))
    assert summary["figures_checked"] == summary["figures_printed_rounding"] == len(printed)
    assert (summary["figures_input_rounding"], summary["figures_differing"], summary["differing_labels"],
            summary["figures_uncomputable"], summary["uncomputable_labels"]) == (0, 0, "none", 0, "none")

    label = dict(zip(printed["figure"], printed["label"]))
    changed = {**values, "variance_2016_17_ccgs": values["variance_2016_17_ccgs"] + 3,
               "variance_2016_17_direct": values["variance_2016_17_direct"] + 100,
               "variance_2016_17_chc": None}
    percent = printed.loc[printed["unit"] == "percent", "figure"].iloc[0]
    summary = finance.ledger_summary(LedgerFigures(changed, {}, tolerance={"variance_2016_17_ccgs": 4.0,
                                                                            percent: 0.3}))
    assert summary["figures_printed_rounding"] == len(printed) - 3
    assert (summary["figures_input_rounding"], summary["figures_differing"],
            summary["figures_uncomputable"]) == (1, 1, 1)
    assert summary["differing_labels"] == label["variance_2016_17_direct"]
    assert summary["uncomputable_labels"] == label["variance_2016_17_chc"]
    assert (summary["widest_pct_tolerance"], summary["widest_pct_label"]) == (0.3, label[percent])
