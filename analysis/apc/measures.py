"""The record-level measures, defined once as Ibis expressions.

Emergency admissions: first episodes of spells (EPIORDER 1) whose admission method is an
emergency one (ADMIMETH 21-25, 28, 2A-2D), counted by responsible CCG, month of admission
and age band. Emergency bed days: the spell duration (SPELDUR) summed over those episodes.

A first episode whose admission method is not a known code, or an episode whose order is
not, is excluded and counted (it cannot be classified; the method is a spell's, so it is
checked once per spell, on its first episode).
An emergency first episode is excluded, and counted under the first reason that applies,
when its admission date is missing or outside the period, its age is out of range (0-120, or HES's 7001-7007
for infants, counted as 0), its length of stay is missing or outside 0-3,650 days, or its
responsible CCG is not a known CCG. Other episodes (elective, later episodes of a spell)
are not the measures' business and are not checked further. Only the aggregate (a few
thousand rows) leaves the engine.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis import _
import pandas as pd

EMERGENCY_METHODS = ("21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D")
KNOWN_METHODS = EMERGENCY_METHODS + ("11", "12", "13", "31", "32", "81", "82", "83", "98", "99")
AGE_BANDS = ("0-64", "65-74", "75-84", "85+")
MAX_AGE, MAX_STAY = 120, 3650
KEPT = "kept"
COUNTED, BAD_AGE = "counted", "bad age"
REASONS = ("admission date missing", "admission date outside the period", "unknown admission method",
           "unknown episode order", "age out of range", "length of stay out of range", "unknown CCG")


def _age(table: ibis.Table):
    infant = table.STARTAGE.between(7001, 7007)
    return ibis.ifelse(infant, 0, table.STARTAGE)


def age_band(age) -> ibis.Value:
    """The age band, BAD_AGE when the age is missing or out of range."""
    return ibis.cases((age.isnull() | (age < 0) | (age > MAX_AGE), BAD_AGE), (age < 65, AGE_BANDS[0]),
                      (age < 75, AGE_BANDS[1]), (age < 85, AGE_BANDS[2]), else_=AGE_BANDS[3])


def admissions_by_ccg_month_age(table: ibis.Table, first: dt.date, last: dt.date, ccgs) -> ibis.Table:
    """One expression: emergency admissions and bed days by CCG, month and age band (status KEPT),
    and every excluded episode counted by reason (other keys null).

    Emergency first episodes (and episodes of unknown order) are grouped on raw keys, a query
    of the same shape as a plain count; each group (a few thousand) is then checked. First
    episodes are also counted by admission method alone, to count unknown methods."""
    order_unknown = table.EPIORDER.isnull() | ~table.EPIORDER.between(1, 99)
    scanned = table.filter((table.ADMIMETH.isin(EMERGENCY_METHODS) & (table.EPIORDER == 1)) | order_unknown)
    groups = scanned.group_by(
        order_unknown=scanned.EPIORDER.isnull() | ~scanned.EPIORDER.between(1, 99),
        ccg=scanned.CCG_RESPONSIBILITY, month=scanned.ADMIDATE.truncate("M"),
        missing_date=scanned.ADMIDATE.isnull(), band=age_band(_age(scanned)),
        bad_stay=scanned.SPELDUR.isnull() | ~scanned.SPELDUR.between(0, MAX_STAY),
    ).aggregate(episodes=scanned.count(), bed_days=scanned.SPELDUR.sum())
    ccg = groups.ccg.strip().upper()
    status = ibis.cases(
        (groups.order_unknown, REASONS[3]),
        (groups.missing_date, REASONS[0]),
        ((groups.month < first) | (groups.month > last), REASONS[1]),
        (groups.band == BAD_AGE, REASONS[4]),
        (groups.bad_stay, REASONS[5]),
        (ccg.isnull() | ~ccg.isin(list(ccgs)), REASONS[6]),
        else_=KEPT)
    checked = groups.mutate(status=status, ccg_code=ccg)
    kept = checked.status == KEPT
    measured = checked.group_by(
        status=checked.status,
        ccg_code=ibis.ifelse(kept, checked.ccg_code, ibis.null("string")),
        month=ibis.ifelse(kept, checked.month, ibis.null("date")),
        age_band=ibis.ifelse(kept, checked.band, ibis.null("string")),
    ).aggregate(admissions=checked.episodes.sum(), bed_days=ibis.ifelse(kept, checked.bed_days, 0).sum())
    firsts = table.filter(table.EPIORDER == 1)
    methods = firsts.group_by(method=firsts.ADMIMETH).aggregate(episodes=firsts.count())
    unknown = methods.filter(methods.method.isnull() | ~methods.method.isin(KNOWN_METHODS))
    unknown = unknown.aggregate(admissions=unknown.episodes.sum()).select(
        status=ibis.literal(REASONS[2]), ccg_code=ibis.null("string"), month=ibis.null("date"),
        age_band=ibis.null("string"), admissions=_.admissions, bed_days=ibis.literal(0, "int64"))
    return measured.union(unknown.filter(unknown.admissions > 0))


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
