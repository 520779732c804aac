"""The record-level measures, defined once as Ibis expressions.

Emergency admissions: first episodes of spells (EPIORDER 1) whose admission method is an
emergency one (ADMIMETH 21-25, 28, 2A-2D), counted by responsible CCG, month of admission
and age band. Emergency bed days: the spell duration (SPELDUR) summed over those episodes.

Every episode is checked in the same pass. An episode is excluded, and counted under its
reason, when its admission date is missing or outside the period, its admission method or
episode order is not a known code, its age is out of range (0-120, or HES's 7001-7007 for
infants, counted as 0), its length of stay is missing or outside 0-3,650 days, or its
responsible CCG is not a known CCG. Only the aggregate (a few thousand rows) leaves the
engine.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

EMERGENCY_METHODS = ("21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D")
KNOWN_METHODS = EMERGENCY_METHODS + ("11", "12", "13", "31", "32", "81", "82", "83", "98", "99")
AGE_BANDS = ("0-64", "65-74", "75-84", "85+")
MAX_AGE, MAX_STAY = 120, 3650
KEPT = "kept"
REASONS = ("admission date missing", "admission date outside the period", "unknown admission method",
           "unknown episode order", "age out of range", "length of stay out of range", "unknown CCG")


def _age(table: ibis.Table):
    infant = table.STARTAGE.between(7001, 7007)
    return ibis.ifelse(infant, 0, table.STARTAGE)


def reason(table: ibis.Table, first: dt.date, last: dt.date, ccgs) -> ibis.Value:
    """Each episode's exclusion reason, or KEPT."""
    age = _age(table)
    return ibis.cases(
        (table.ADMIDATE.isnull(), REASONS[0]),
        ((table.ADMIDATE < first) | (table.ADMIDATE > last), REASONS[1]),
        (table.ADMIMETH.isnull() | ~table.ADMIMETH.isin(KNOWN_METHODS), REASONS[2]),
        (table.EPIORDER.isnull() | ~table.EPIORDER.between(1, 99), REASONS[3]),
        (age.isnull() | ~age.between(0, MAX_AGE), REASONS[4]),
        (table.SPELDUR.isnull() | ~table.SPELDUR.between(0, MAX_STAY), REASONS[5]),
        (table.CCG_RESPONSIBILITY.isnull() | ~table.CCG_RESPONSIBILITY.isin(list(ccgs)), REASONS[6]),
        else_=KEPT)


def age_band(age) -> ibis.Value:
    return ibis.cases((age < 65, AGE_BANDS[0]), (age < 75, AGE_BANDS[1]), (age < 85, AGE_BANDS[2]),
                      else_=AGE_BANDS[3])


def admissions_by_ccg_month_age(table: ibis.Table, first: dt.date, last: dt.date, ccgs) -> ibis.Table:
    """One expression: emergency admissions and bed days by CCG, month and age band (status KEPT),
    and every excluded episode counted by reason (other keys null)."""
    status = reason(table, first, last, ccgs)
    kept = status == KEPT
    emergency = table.ADMIMETH.isin(EMERGENCY_METHODS) & (table.EPIORDER == 1)
    chosen = table.mutate(status=status, kept=kept, emergency=emergency)
    chosen = chosen.filter(~chosen.kept | chosen.emergency)
    keys = dict(status=chosen.status,
                ccg_code=ibis.ifelse(chosen.kept, chosen.CCG_RESPONSIBILITY, ibis.null("string")),
                month=ibis.ifelse(chosen.kept, chosen.ADMIDATE.truncate("M"), ibis.null("date")),
                age_band=ibis.ifelse(chosen.kept, age_band(_age(chosen)), ibis.null("string")))
    return chosen.group_by(**keys).aggregate(
        admissions=chosen.count(),
        bed_days=ibis.ifelse(chosen.kept, chosen.SPELDUR, 0).sum())


def run(expression: ibis.Table) -> pd.DataFrame:
    """Execute on the expression's own engine; sorted so engines can be compared row by row."""
    frame = expression.to_pandas()
    frame["admissions"] = frame["admissions"].astype("int64")
    frame["bed_days"] = frame["bed_days"].fillna(0).astype("int64")
    if "month" in frame:
        frame["month"] = pd.to_datetime(frame["month"]).dt.to_period("M")
    return frame.sort_values([c for c in ("status", "ccg_code", "month", "age_band") if c in frame],
                             na_position="first", ignore_index=True)


def aggregate(records, first, last, ccgs) -> dict:
    """Admissions and bed days by CCG, month and age band, and the exclusions by reason.

    `first`, `last`: the period (dates or months like "2014-04"); `ccgs`: the known CCG codes."""
    first = pd.Period(first, "M").start_time.date()
    last = pd.Period(last, "M").end_time.date()
    frame = run(admissions_by_ccg_month_age(records.table, first, last, sorted(set(ccgs))))
    kept = frame[frame["status"] == KEPT].drop(columns="status").reset_index(drop=True)
    excluded = frame[frame["status"] != KEPT].groupby("status")["admissions"].sum()
    exclusions = pd.DataFrame({"reason": list(REASONS),
                               "episodes": [int(excluded.get(r, 0)) for r in REASONS]})
    return {"admissions": kept, "exclusions": exclusions, "first": first, "last": last}
