"""Screening each CCG's monthly series for breaks before any growth is computed.

Rule: a month is flagged when a CCG's non-elective count is more than 25% above or below
that CCG's own median month (over every month in the data). Seasonal swings are about
+/-6% and a small CCG's month-to-month noise a few per cent, so a month 25% off its own
level is a reporting break (a hole, or a change in what was counted), not care. On the
real Monthly Activity Return it finds the West Midlands hole (13P, 04X, 05P and 05Q,
July 2014 to March 2015) and a few other breaks. A month in which a CCG is missing from
the return (while it reports in other months) is flagged too, with no count. Handling: a CCG with any flagged month
inside a window being compared is left out of both windows (and out of its cohort and
the rest of England); the page shows every result with and without that handling.
"""

from __future__ import annotations

import pandas as pd

THRESHOLD = 0.25


def screen(monthly: pd.DataFrame, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Flagged months: one row per CCG and month (ccg_code, month, count, median, ratio), given
    `monthly` with one row per month and one column per CCG (blank where a CCG did not report)."""
    median = monthly.median()
    ratio = monthly / median.where(median > 0)
    far = ((ratio - 1).abs() > threshold) | (monthly.notna() & (median <= 0)) | monthly.isna()
    flagged = far.stack()
    flagged = flagged[flagged].index
    rows = [{"ccg_code": ccg, "month": month, "count": float(monthly.at[month, ccg]),
             "median": float(median[ccg]), "ratio": float(ratio.at[month, ccg])} for month, ccg in flagged]
    table = pd.DataFrame(rows, columns=["ccg_code", "month", "count", "median", "ratio"])
    return table.sort_values(["ccg_code", "month"], ignore_index=True)


def flagged_in(flags: pd.DataFrame, months) -> list[str]:
    """CCGs with a flagged month among `months` (the windows compared)."""
    return sorted(set(flags.loc[flags["month"].isin(list(months)), "ccg_code"]))


def flag_summary(flags: pd.DataFrame, names: dict) -> pd.DataFrame:
    """One row per flagged CCG: its name, the flagged months as runs, and how far off its median they were."""
    rows = []
    for ccg, group in flags.groupby("ccg_code"):
        months = list(group["month"])
        runs, start = [], months[0]
        for before, after in zip(months, months[1:] + [None]):
            if after is None or (after - before).n != 1:
                runs.append(start.strftime("%b %Y") if start == before else
                            f"{start.strftime('%b %Y')} to {before.strftime('%b %Y')}")
                start = after
        rows.append({"ccg_code": ccg, "ccg_name": names.get(ccg, ""), "months": "; ".join(runs),
                     "flagged_months": len(months), "median": group["median"].iloc[0],
                     "lowest": 100 * group["ratio"].min(), "highest": 100 * group["ratio"].max()})
    return pd.DataFrame(rows, columns=["ccg_code", "ccg_name", "months", "flagged_months", "median", "lowest",
                                       "highest"])
