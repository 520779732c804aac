"""The A&E figures the commitments tables judge (see analysis.commitments)."""

from __future__ import annotations

import pandas as pd

from ..contract import CommitmentFigure
from ..periods import FinancialYear, month_label
from .metrics import coverage, england, performance


def england_month(data: pd.DataFrame, year: FinancialYear, month: pd.Period, _argument) -> CommitmentFigure | None:
    rows = data[data["month"] == month]
    if rows.empty:
        return None
    value = float(performance(rows))
    return CommitmentFigure([value], f"{value:.1f}% in {month_label(month)}",
                            "England, all A&E department types, from the provider rows: one minus attendances over "
                            "four hours over all attendances, summed over providers in the month")


def england_year(data: pd.DataFrame, year: FinancialYear, _month, _argument) -> CommitmentFigure | None:
    if year not in coverage(data):
        return None
    value = england(data, year)["all_types"]
    return CommitmentFigure([value], f"{value:.1f}% in {year.slash_label}",
                            "England, all A&E department types, summed over providers and the twelve months")


def trusts_meeting_95(data: pd.DataFrame, month: pd.Period) -> dict | None:
    """Providers with a major (type 1) department in `month`, each over all its department types together,
    and how many of them saw 95% or more within four hours."""
    rows = data[data["month"] == month]
    if rows.empty:
        return None
    type_1 = set(rows.loc[(rows["type"] == "1") & (rows["attendances"] > 0), "org_code"])
    sums = rows[rows["org_code"].isin(type_1)].groupby("org_code")[["attendances", "breaches"]].sum()
    shares = 100 * (1 - sums["breaches"] / sums["attendances"])
    met = int((shares >= 95).sum())
    return {"met": met, "trusts": len(sums), "share": 100 * met / len(sums)}


def trusts_share(data: pd.DataFrame, year: FinancialYear, month: pd.Period, _argument) -> CommitmentFigure | None:
    found = trusts_meeting_95(data, month)
    if found is None:
        return None
    return CommitmentFigure([found["share"]],
                            f"{found['met']} of {found['trusts']} trusts ({found['share']:.0f}%) in {month_label(month)}",
                            "trusts: providers with a major (type 1) A&E department in the month; each one's "
                            "attendances of all its department types together; met when 95% or more were within "
                            "four hours")


FIGURES = {"ae_england_month": england_month, "ae_england_year": england_year, "ae_trusts_95_share": trusts_share}
