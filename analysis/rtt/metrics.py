"""RTT measures from the overview series: the 18-week position, the waiting list, completed pathways.

Each measure is given for both of NHS England's series: as reported ("reported") and with
its estimates for trusts that did not report ("with estimates"). The waiting list is the
number of incomplete pathways at a month's end; its growth over a year is March on March.
Completed pathways are admitted plus non-admitted pathways completed in the year; their
growth is given as totals, per calendar day and per working day (weekdays that are not
bank holidays in England), because the report speaks of pathways "completed each day".
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import HandbookError
from ..periods import FinancialYear, month_label, years_covered

STANDARD = 92.0
WAITING_RESULT = ("incomplete pathways on the waiting list, as reported (pathways, not patients: one patient can "
                  "have two)")
"""The waiting list in words: RTT counts pathways, so its unit is the pathway."""
"""Incomplete pathways within 18 weeks: `004_f1ee6f075f639a35.txt` line 1045 (and `000` line 379)."""
STANDARD_SOURCE = ("004_f1ee6f075f639a35.txt", 1045,
                   "Patients on incomplete non-emergency pathways (yet to start treatment) should have been "
                   "waiting no more than 18 weeks from referral – 92%")
SERIES = {"reported": "", "with estimates": "_est"}

BANK_HOLIDAYS = frozenset(dt.date.fromisoformat(d) for d in (
    # England and Wales, from GOV.UK's list of UK bank holidays, April 2014 to March 2020
    "2014-04-18", "2014-04-21", "2014-05-05", "2014-05-26", "2014-08-25", "2014-12-25", "2014-12-26",
    "2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04", "2015-05-25", "2015-08-31", "2015-12-25",
    "2015-12-28", "2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02", "2016-05-30", "2016-08-29",
    "2016-12-26", "2016-12-27", "2017-01-02", "2017-04-14", "2017-04-17", "2017-05-01", "2017-05-29",
    "2017-08-28", "2017-12-25", "2017-12-26", "2018-01-01", "2018-03-30", "2018-04-02", "2018-05-07",
    "2018-05-28", "2018-08-27", "2018-12-25", "2018-12-26", "2019-01-01", "2019-04-19", "2019-04-22",
    "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25", "2019-12-26", "2020-01-01"))
BANK_HOLIDAY_YEARS = (FinancialYear(2014), FinancialYear(2019))


def coverage(table: pd.DataFrame) -> list[FinancialYear]:
    """Financial years with the 18-week position and completed pathways for all twelve months."""
    known = table.dropna(subset=["percent_within_18", "waiting", "completed"])
    return years_covered(set(known["month"]))


def _month(table: pd.DataFrame, month: pd.Period) -> pd.Series | None:
    rows = table[table["month"] == month]
    return None if rows.empty else rows.iloc[0]


def position(table: pd.DataFrame, year: FinancialYear) -> dict:
    """The 18-week position at the end of the year (March), in both series."""
    row = _month(table, year.last_month)
    return {"month": year.last_month, "percent": float(row["percent_within_18"]),
            "percent_est": float(row["percent_within_18_est"]), "waiting": float(row["waiting"]),
            "waiting_est": float(row["waiting_est"]), "within_18": float(row["within_18"]),
            "within_18_est": float(row["within_18_est"])}


def monthly(table: pd.DataFrame, year: FinancialYear) -> pd.DataFrame:
    """The year's months: 18-week percentages, waiting list and completed pathways, both series."""
    rows = table[table["month"].isin(list(year.months()))]
    return rows[["month", "percent_within_18", "percent_within_18_est", "waiting", "waiting_est",
                 "completed", "completed_est", "new_periods", "new_periods_est"]].reset_index(drop=True)


def position_result(month: pd.Period) -> str:
    """The 18-week position in words, for a headline result: a share of incomplete pathways."""
    return (f"of incomplete pathways (the waiting list) had waited less than 18 weeks at the end of "
            f"{month_label(month)}")


def spc_series(table: pd.DataFrame, year: FinancialYear, months: int = 36) -> pd.Series:
    """Percent within 18 weeks (reported) for an XmR chart: up to `months` ending with the year, no gaps."""
    known = table.dropna(subset=["percent_within_18"]).set_index("month")["percent_within_18"]
    window = pd.period_range(year.last_month - months + 1, year.last_month, freq="M")
    series = known.reindex(window)
    if series.isna().any():  # start after the last gap, as far as the data reaches
        series = series[series.index > series[series.isna()].index.max()]
    series.index = pd.PeriodIndex(series.index, freq="M")
    return series.rename("percent_within_18")


def waiting_list_growth(table: pd.DataFrame, year: FinancialYear) -> pd.DataFrame | None:
    """March-on-March growth of the waiting list in `year` and the year before, in both series.

    Columns: series, growth this year and last (pathways and percent), and how much smaller
    this year's growth was (percent less, from the counts and from the rates).
    """
    ends = [year.last_month - 24, year.last_month - 12, year.last_month]
    rows = [_month(table, m) for m in ends]
    if any(r is None for r in rows):
        return None
    out = []
    for name, suffix in SERIES.items():
        before, last, now = (float(r["waiting" + suffix]) for r in rows)
        if any(np.isnan(v) for v in (before, last, now)):
            return None
        this, previous = now - last, last - before
        out.append({"series": name, "end": now, "growth": this, "growth_percent": 100 * (now / last - 1),
                    "previous_growth": previous, "previous_growth_percent": 100 * (last / before - 1),
                    "less_by_count": 100 * (1 - this / previous),
                    "less_by_rate": 100 * (1 - (now / last - 1) / (last / before - 1))})
    return pd.DataFrame(out)


def working_days(year: FinancialYear) -> int:
    """Weekdays in the year that are not bank holidays in England."""
    if not BANK_HOLIDAY_YEARS[0] <= year <= BANK_HOLIDAY_YEARS[1]:
        raise HandbookError(f"working days: the handbook lists England's bank holidays for "
                            f"{BANK_HOLIDAY_YEARS[0].label} to {BANK_HOLIDAY_YEARS[1].label} only, not {year.label}")
    days = pd.date_range(year.first_month.start_time, year.last_month.end_time.normalize(), freq="D")
    return int(sum(d.weekday() < 5 and d.date() not in BANK_HOLIDAYS for d in days))


def calendar_days(year: FinancialYear) -> int:
    return int((year.last_month.end_time.normalize() - year.first_month.start_time).days + 1)


def completed_growth(table: pd.DataFrame, year: FinancialYear) -> pd.DataFrame | None:
    """Completed pathways in the year against the year before: totals, per day and per working day."""
    if year not in coverage(table) or year.previous() not in coverage(table):
        return None
    this_rows = table[table["month"].isin(list(year.months()))]
    last_rows = table[table["month"].isin(list(year.previous().months()))]
    days, last_days = calendar_days(year), calendar_days(year.previous())
    try:
        work, last_work = working_days(year), working_days(year.previous())
    except HandbookError:
        work = last_work = None
    out = []
    for name, suffix in SERIES.items():
        now, last = float(this_rows["completed" + suffix].sum()), float(last_rows["completed" + suffix].sum())
        out.append({"series": name, "completed": now, "previous_completed": last,
                    "growth_percent": 100 * (now / last - 1), "days": days, "previous_days": last_days,
                    "per_day_growth_percent": 100 * ((now / days) / (last / last_days) - 1),
                    "working_days": work, "previous_working_days": last_work,
                    "per_working_day_growth_percent": None if work is None else
                    100 * ((now / work) / (last / last_work) - 1)})
    return pd.DataFrame(out)


def new_periods_growth(table: pd.DataFrame, year: FinancialYear) -> dict | None:
    """New RTT periods (clock starts) in the year on the year before, when both are whole."""
    this = table[table["month"].isin(list(year.months()))]["new_periods"]
    last = table[table["month"].isin(list(year.previous().months()))]["new_periods"]
    if len(this) < 12 or len(last) < 12 or this.isna().any() or last.isna().any():
        return None
    return {"growth_percent": 100 * (this.sum() / last.sum() - 1), "new_periods": float(this.sum())}


def first_new_periods_month(table: pd.DataFrame) -> pd.Period | None:
    """The first month with a count of new RTT periods (NHS England began collecting it in October 2015)."""
    known = table.dropna(subset=["new_periods"])
    return None if known.empty else known["month"].min()
