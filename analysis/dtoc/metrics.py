"""Delayed transfers of care: delayed days by month and by the organisation responsible.

A delayed day is a day a patient ready to leave hospital stayed in an NHS bed; the file
counts them for the month by the organisation responsible (NHS, social care or both).
Years are sums of their twelve months, never of a part year. The SPC chart uses delayed
days per day of the month (the average number of beds occupied by delayed patients,
the file's own "DTOC beds"), so that February's fewer days do not look like improvement.
"""

from __future__ import annotations

import pandas as pd

from ..periods import FinancialYear, years_covered

RESPONSIBLE = {"nhs": "NHS", "social_care": "Social care", "both": "Both"}
WINTER = (12, 1, 2)  # December to February, the winter the report speaks of


def coverage(monthly: pd.DataFrame) -> list[FinancialYear]:
    return years_covered(set(monthly["month"]))


def year_sums(monthly: pd.DataFrame, year: FinancialYear) -> dict | None:
    """A year's delayed days in total and by responsible organisation; None unless all twelve months are there."""
    rows = monthly[monthly["month"].isin(list(year.months()))]
    if len(rows) != 12:
        return None
    return {key: float(rows[key].sum()) for key in ("total", *RESPONSIBLE, "acute", "non_acute")}


def comparison(monthly: pd.DataFrame, year: FinancialYear) -> pd.DataFrame | None:
    """The year against the one before: delayed days by responsible organisation and in total, with growth."""
    now, before = year_sums(monthly, year), year_sums(monthly, year.previous())
    if now is None or before is None:
        return None
    rows = []
    for key, label in [*RESPONSIBLE.items(), ("total", "All")]:
        rows.append({"responsible": label, "previous": before[key], "current": now[key],
                     "change": now[key] - before[key], "growth_percent": 100 * (now[key] / before[key] - 1),
                     "share_percent": 100 * now[key] / now["total"]})
    return pd.DataFrame(rows)


def figures(table: pd.DataFrame | None) -> dict:
    """`comparison`'s table as plain numbers, for gluing (empty when there is no year before)."""
    if table is None:
        return {}
    rows = table.set_index("responsible")
    out = {"current": float(rows.at["All", "current"]), "previous": float(rows.at["All", "previous"]),
           "growth": float(rows.at["All", "growth_percent"])}
    for key, label in RESPONSIBLE.items():
        out[key] = float(rows.at[label, "current"])
    return out


def winter_growth(monthly: pd.DataFrame, year: FinancialYear) -> float | None:
    """Delayed days of the year's winter (December to February) against the winter before, in percent."""
    def winter(y: FinancialYear) -> pd.DataFrame:
        return monthly[monthly["month"].isin([m for m in y.months() if m.month in WINTER])]
    now, before = winter(year), winter(year.previous())
    if len(now) != 3 or len(before) != 3:
        return None
    return float(100 * (now["total"].sum() / before["total"].sum() - 1))


def by_month(monthly: pd.DataFrame, year: FinancialYear) -> pd.DataFrame:
    """Long table for the chart, the year before and the year: month, responsible organisation, delayed days."""
    rows = monthly[monthly["month"].isin([*year.previous().months(), *year.months()])]
    return rows.melt(id_vars=["month"], value_vars=list(RESPONSIBLE), var_name="key", value_name="delayed_days").assign(
        responsible=lambda t: t["key"].map(RESPONSIBLE)).drop(columns="key")


def spc_series(monthly: pd.DataFrame, year: FinancialYear, months: int = 36) -> pd.Series:
    """Delayed days per day of the month (beds occupied by delayed patients), up to `months` ending with the year."""
    window = pd.period_range(year.last_month - months + 1, year.last_month, freq="M")
    rows = monthly[monthly["month"].isin(list(window))].set_index("month")
    series = rows["total"] / [m.days_in_month for m in rows.index]
    series.index = pd.PeriodIndex(series.index, freq="M")
    return series.rename("delayed_beds")


def revision_sentence(notes: dict, synthetic: bool) -> str:
    """What the file says of its own publication and revision, and what that means for the report's figures."""
    if synthetic:
        return ("This is the handbook's synthetic sample in the published layout, so it says nothing of any "
                "revision; the real file is a later revision than the report used.")
    published, revised = notes.get("Published"), notes.get("Revised")
    if not published and not revised:
        return "The file carries no publication or revision note, so which revision it is cannot be said."
    text = f"The file covers {notes['Period']}; " if notes.get("Period") else "The file "
    text += f"it was published on {published}" if published else "it carries no publication date"
    text += f" and revised on {revised}." if revised else "."
    return (text + " That is later than the annual report (2017), so its 2016/17 months are a later revision "
                   "than the figures the report's authors saw, and may differ slightly from them.")
