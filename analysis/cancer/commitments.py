"""The cancer figures the commitments tables judge (see analysis.commitments)."""

from __future__ import annotations

from ..contract import CommitmentFigure
from ..periods import FinancialYear
from .metrics import INCOMPLETE, standards_table
from .standards import with_thresholds


def standards_year(data, year: FinancialYear, _month, key: str) -> CommitmentFigure | None:
    """One standard's whole-year figure (`key`), or for `others` whether each standard but the 62-day
    one met its own level."""
    table = standards_table(data, year).set_index("key")
    keys = [k for k in with_thresholds() if k != "gp_62"] if key == "others" else [key]
    if any(k not in table.index or table.loc[k, "source"] == INCOMPLETE for k in keys):
        return None
    rows = table.loc[keys]
    if key == "others":
        values = [bool(p >= t) for p, t in zip(rows["performance"], rows["threshold"])]
        return CommitmentFigure(values, f"{sum(values)} of {len(values)} standards met in {year.slash_label}",
                                "England, each standard's patients within its wait over all patients for the whole "
                                "year, against its own level")
    value = float(rows["performance"].iloc[0])
    return CommitmentFigure([value], f"{value:.1f}% in {year.slash_label}",
                            f"England, {rows['standard'].iloc[0]}: patients within the wait over all patients, "
                            "whole year")


FIGURES = {"cancer_year": standards_year}
