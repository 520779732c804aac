"""What the finance page says: its glued figures, alt text, tables as shown, the charts' data and the
headline results, each made from the recomputed tables."""

from __future__ import annotations

import pandas as pd

from .. import ledger
from ..contract import LedgerFigures
from ..page import Result
from . import GOAL_UNDERSPEND, YEAR, agreed_by_input_rounding


def millions(values: pd.Series) -> pd.Series:
    """Amounts in £ million as the page's tables print them: whole, with thousands separators."""
    return values.map("{:,.0f}".format)


def percents(values: pd.Series) -> pd.Series:
    """Percentages as the page's tables print them: one decimal and a per cent sign."""
    return values.map("{:.1f}%".format)


def yes_no(values: pd.Series) -> pd.Series:
    """True / False as "yes" / "no"."""
    return values.map({True: "yes", False: "no"})


def total_row(perf: pd.DataFrame) -> pd.Series:
    """The 2016/17 total of the performance table (`performance_table`): plan, actual and variance."""
    return perf[(perf["year"] == YEAR.slash_label) & (perf["item"] == "total")].iloc[0]


def headline_figures(perf: pd.DataFrame) -> dict:
    """The 2016/17 total for the prose: the underspend, its percentage of the budget, the budget and the actual."""
    total = total_row(perf)
    return {"underspend": total["variance"], "underspend_pct": total["variance_pct"], "budget": total["plan"],
            "actual": total["actual"]}


def _lines(perf: pd.DataFrame) -> pd.DataFrame:
    """The 2016/17 rows of the performance table, each line and the total."""
    return perf[perf["year"] == YEAR.slash_label]


def lines_shown(perf: pd.DataFrame) -> pd.DataFrame:
    """The 2016/17 performance by line as the page shows it: plan, actual, under/(over)spend and its percentage."""
    lines = _lines(perf)
    return lines.assign(**{"Plan £m": millions(lines["plan"]), "Actual £m": millions(lines["actual"]),
                           "Under/(over)spend £m": millions(lines["variance"]),
                           "% of plan": percents(lines["variance_pct"])})[
        ["line", "Plan £m", "Actual £m", "Under/(over)spend £m", "% of plan"]].rename(columns={"line": "Line"})


def plan_actual_data(perf: pd.DataFrame) -> pd.DataFrame:
    """The plan-against-actual chart's data: each 2016/17 line (not the total) with plan, actual and variance."""
    lines = _lines(perf)
    return lines[lines["item"] != "total"][["line", "plan", "actual", "variance"]]


def _biggest_underspend(perf: pd.DataFrame) -> pd.Series:
    lines = _lines(perf)
    return lines[lines["item"] != "total"].sort_values("variance").iloc[-1]


def biggest_underspend_figures(perf: pd.DataFrame) -> dict:
    """The 2016/17 line with the largest underspend against plan, and that underspend, for the prose."""
    biggest = _biggest_underspend(perf)
    return {"biggest_line": biggest["line"], "biggest_variance": biggest["variance"]}


def plan_actual_alt(perf: pd.DataFrame) -> str:
    """The plan-against-actual chart's alt text: which lines spent less than planned, and the largest underspend."""
    lines = _lines(perf)
    lines = lines[lines["item"] != "total"]
    under, over = (lines["variance"] > 0).sum(), lines.loc[lines["variance"] < 0, "line"].tolist()
    spent = ("every line spent less than planned" if under == len(lines) else
             f"{under} of {len(lines)} lines spent less than planned" + (f"; overspent: {', '.join(over)}" if over else ""))
    biggest = _biggest_underspend(perf)
    return (f"Underspend against plan by line in {YEAR.slash_label}, in £ million: {spent}; "
            f"the largest underspend, £{biggest['variance']:,.0f}m, was in {biggest['line']}.")


def _years_words(years: list[str]) -> str:
    return years[0] if len(years) == 1 else f"{', '.join(years[:-1])} and {years[-1]}"


def variance_alt(perf: pd.DataFrame) -> str:
    """The four years' under/(over)spend chart's alt text: for each line, the years it overspent."""
    rows = perf[perf["item"] != "total"]
    years = sorted(rows["year"].unique())
    said = []
    for line, own in rows.groupby("line", sort=False):
        over = own.loc[own["variance"] < 0, "year"].tolist()
        said.append(f"{line} underspent every year" if not over else f"{line} overspent in {_years_words(over)}")
    return f"Under/(over)spend by line, {years[0]} to {years[-1]}: {'; '.join(said)}."


def expenditure_alt(expenditure: pd.DataFrame) -> str:
    """The expenditure chart's alt text: each line's first and last year, and its largest change on the year before."""
    years = sorted(expenditure["year"].unique())
    said = []
    for line, own in expenditure.groupby("line", sort=False):
        own = own.sort_values("year")
        first, last = own.iloc[0], own.iloc[-1]
        text = f"{line} £{first['expenditure']:,.0f}m to £{last['expenditure']:,.0f}m"
        changes = own.dropna(subset=["increase_pct"])
        if len(changes):
            largest = changes.loc[changes["increase_pct"].abs().idxmax()]
            text += f" (largest change {largest['increase_pct']:+.1f}% in {largest['year']})"
        said.append(text)
    return f"Expenditure by line, {years[0]} to {years[-1]}: {'; '.join(said)}."


def variance_data(perf: pd.DataFrame) -> pd.DataFrame:
    """The four years' under/(over)spend chart's data: every line (no totals) with the base of its percentage."""
    return perf[perf["item"] != "total"][["year", "line", "plan", "actual", "variance", "variance_pct", "plan_basis"]]


def expenditure_data(expenditure: pd.DataFrame) -> pd.DataFrame:
    """The expenditure chart's data: each line and year with its increase on the year before."""
    return expenditure[["year", "line", "expenditure", "increase_pct"]]


def duties_met(limits: pd.DataFrame) -> tuple[int, int]:
    """How many financial duties (`limits_table`, less its total revenue row) were met, and of how many."""
    return int(limits["met"].iloc[:-1].sum()), int(len(limits) - 1)


def limits_figures(limits: pd.DataFrame) -> dict:
    """The financial duties met and their number, for the prose."""
    met, duties = duties_met(limits)
    return {"limits_met": met, "limits_count": duties}


def limits_shown(limits: pd.DataFrame) -> pd.DataFrame:
    """The financial duties as the page shows them: limit, actual, underspend, its percentage and met."""
    return limits.assign(**{"Limit £m": millions(limits["limit"]), "Actual £m": millions(limits["actual"]),
                            "Underspend £m": millions(limits["underspend"]),
                            "% of limit": percents(limits["underspend_pct"]), "Met": yes_no(limits["met"])})[
        ["duty", "Limit £m", "Actual £m", "Underspend £m", "% of limit", "Met"]].rename(columns={"duty": "Duty"})


PROVIDER_FIGURES = ("accepted_pct", "achieved_pct", "achieved_of_accepted_pct", "stf_gbp_m")
PROVIDER_COLUMNS = {"trust_type": "Trust type", "trusts": "Trusts", "accepted": "Accepted", "achieved": "Achieved",
                    "accepted_pct": "Accepted %", "achieved_pct": "Achieved %",
                    "achieved_of_accepted_pct": "Achieved, % of those accepting", "stf_gbp_m": "STF received £m"}
"""The provider sector table's columns as the page heads them."""


def provider_figures(sector: pd.DataFrame) -> dict:
    """The provider sector (`provider_sector`) for the prose: each trust type's shares accepting and achieving
    their control totals and its STF receipts, named "<item>_<column>" ("nhs_trusts_achieved_pct")."""
    by_item = sector.set_index("item")
    return {f"{item}_{column}": by_item.loc[item, column] for item in by_item.index for column in PROVIDER_FIGURES}


def provider_shown(sector: pd.DataFrame) -> pd.DataFrame:
    """The provider sector as the page shows it: one row a trust type, shares to one decimal."""
    return sector.drop(columns="item").rename(columns=PROVIDER_COLUMNS).round(1)


def reconciliation_shown(steps: pd.DataFrame) -> pd.DataFrame:
    """The CCG reconciliation (`ccg_reconciliation`) as the page shows it: each step, its amount and where printed."""
    return steps.assign(gbp_m=millions(steps["gbp_m"]))[["item", "gbp_m", "source"]].rename(
        columns={"item": "Step", "gbp_m": "£m", "source": "Printed at"})


def reconciliation_figures(steps: pd.DataFrame, tolerance: dict) -> dict:
    """The CCG reconciliation for the prose: the position after the reserve release, the table's figure, the
    difference, and the most the rounding of the amounts and of the printed figure can explain."""
    step = steps.set_index("step")["gbp_m"]
    return {"ccg_after_reserve": float(step["after_reserve"]), "ccg_table": float(step["table"]),
            "ccg_unexplained": float(step["unexplained"]),
            "ccg_rounding": tolerance["ccg_position_from_commentary"] + 0.5}


def ledger_summary(figures: LedgerFigures) -> dict:
    """The ledger in numbers for the prose: figures checked, reproduced within the rounding of the printed
    figure and within that of its inputs, differing and not computable (each with their labels, or "none"), and the
    widest tolerance of a percentage with its figure's label."""
    comparison = ledger.compare("finance", figures.values, figures.notes, tolerance=figures.tolerance)
    plain = ledger.compare("finance", figures.values)
    differs = comparison["status"].eq("differs")
    widest = comparison[comparison["unit"] == "percent"].sort_values("tolerance").iloc[-1]
    return {"figures_checked": len(comparison), "figures_printed_rounding": int(plain["status"].eq("agrees").sum()),
            "figures_input_rounding": len(agreed_by_input_rounding(plain, comparison)),
            "figures_differing": int(differs.sum()),
            "differing_labels": "; ".join(comparison.loc[differs, "label"]) or "none",
            "figures_uncomputable": int(comparison["status"].eq("not computable").sum()),
            "uncomputable_labels": "; ".join(comparison.loc[comparison["status"].eq("not computable"), "label"])
            or "none",
            "widest_pct_tolerance": float(widest["tolerance"]), "widest_pct_label": widest["label"]}


def page_results(perf: pd.DataFrame, limits: pd.DataFrame) -> list[Result]:
    """The page's headline results: the managed underspend against the £800m goal, its share of the budget, and
    the financial duties met against all of them."""
    total = total_row(perf)
    met, duties = duties_met(limits)
    return [
        Result("managed underspend against NHS England's budget", total["variance"], unit="gbp_m", decimals=0,
               standard=GOAL_UNDERSPEND, standard_text=f"goal: more than £{GOAL_UNDERSPEND:,.0f}m"),
        Result("of the budget left unspent", total["variance_pct"]),
        Result("financial duties met", met, unit="count", standard=duties, standard_text=f"all {duties} duties"),
    ]
