"""The referral-to-treatment figures the commitments tables judge (see analysis.commitments)."""

from __future__ import annotations

import pandas as pd

from ..contract import CommitmentFigure
from ..periods import FinancialYear


def months_of(column: str):
    """A figure from each month-end of the year in `column` (all twelve needed)."""
    def figure(data: pd.DataFrame, year: FinancialYear, _month, _argument) -> CommitmentFigure | None:
        rows = data[data["month"].isin(list(year.months()))].dropna(subset=[column])
        if len(rows) < 12:
            return None
        values = [float(v) for v in rows[column]]
        if column == "over_52":
            text = f"{sum(v > 0 for v in values)} of 12 months with waits over 52 weeks (most: {max(values):,.0f})"
            how = "England's incomplete pathways waiting over 52 weeks at each month's end, as reported"
        else:
            text = f"{min(values):.1f}% to {max(values):.1f}% over the 12 months"
            how = "England's incomplete pathways within 18 weeks at each month's end, as reported"
        return CommitmentFigure(values, text, how + "; met when every month meets the level, partly when some do")
    return figure


FIGURES = {"rtt_within_18_months": months_of("percent_within_18"), "rtt_over_52_months": months_of("over_52")}
