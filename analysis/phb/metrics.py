"""Personal health budget measures: national counts, CCG rates and the road to the commitment."""

from __future__ import annotations

import pandas as pd

from ..periods import FinancialYear

COMMITMENT_END = pd.Period("2021-03", freq="M")  # "by 2020/21", 000_5311d35d774c4b17.txt line 546
COMMITMENT = (50_000, 100_000)  # 001_899a8076ef4f6916.txt line 185


def national(table: pd.DataFrame) -> pd.DataFrame:
    """The national count at each quarter end (suppressed CCG counts left out, and counted)."""
    out = table.groupby("quarter_end").agg(total=("total", "sum"), chc=("chc", "sum"), other=("other", "sum"),
                                           ccgs=("ccg_code", "nunique"), suppressed=("suppressed", "sum"))
    return out.reset_index()


def count_at(table: pd.DataFrame, month: pd.Period) -> float | None:
    series = national(table).set_index("quarter_end")["total"]
    return float(series[month]) if month in series.index else None


def rates(table: pd.DataFrame, population: pd.Series, month: pd.Period) -> pd.DataFrame:
    """PHBs per 100,000 registered patients by CCG at a quarter end, ranked highest first."""
    rows = table[table["quarter_end"] == month][["ccg_code", "ccg_name", "total"]].copy()
    rows["population"] = rows["ccg_code"].map(population)
    rows["rate"] = 100_000 * rows["total"] / rows["population"]
    rows = rows.sort_values("rate", ascending=False).reset_index(drop=True)
    rows["rank"] = rows["rate"].rank(ascending=False, method="min").astype("Int64")
    return rows


def required_growth(latest: float, target: float, quarters: int) -> float:
    """Compound growth per quarter that takes `latest` to `target` in `quarters` quarters (percent)."""
    return 100 * ((target / latest) ** (1 / quarters) - 1)


def trajectory(table: pd.DataFrame, year: FinancialYear) -> dict:
    """Growth needed from the year's last count to each end of the commitment, and growth seen."""
    series = national(table).set_index("quarter_end")["total"]
    latest_month = year.last_month
    latest = float(series[latest_month])
    quarters = (COMMITMENT_END.ordinal - latest_month.ordinal) // 3
    year_ago = latest_month - 12
    seen = 100 * ((latest / float(series[year_ago])) ** (1 / 4) - 1) if year_ago in series.index else None
    return {"latest": latest, "latest_month": latest_month, "quarters": quarters,
            "needed_low": required_growth(latest, COMMITMENT[0], quarters),
            "needed_high": required_growth(latest, COMMITMENT[1], quarters), "seen": seen}


def trajectory_lines(trend: dict) -> pd.DataFrame:
    """The two required paths, quarter by quarter, from the latest count to March 2021."""
    rows = []
    for target, label in zip(COMMITMENT, ("Path to 50,000", "Path to 100,000")):
        growth = required_growth(trend["latest"], target, trend["quarters"]) / 100
        for step in range(trend["quarters"] + 1):
            rows.append({"quarter_end": trend["latest_month"] + 3 * step, "series": label,
                         "count": trend["latest"] * (1 + growth) ** step})
    return pd.DataFrame(rows)
