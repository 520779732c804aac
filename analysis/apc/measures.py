"""The record-level measures, defined once as Ibis expressions.

Emergency admissions: first episodes of spells (EPIORDER 1) whose admission method is an
emergency one (ADMIMETH 21-25, 28, 2A-2D), counted by responsible CCG, month of admission
and age band. Emergency bed days: the spell duration (SPELDUR) summed over those episodes.

A first episode whose admission method is not a known code, or an episode whose order is
not, is excluded and counted (it cannot be classified; the method is a spell's, so it is
checked once per spell, on its first episode).
An emergency first episode is excluded, and counted under the first reason that applies,
when its admission date is missing or outside the period, its age is out of range (0-120, or HES's 7001-7007
for infants, counted as 0), or its length of stay is missing or outside 0-3,650 days. Those
left are the admissions by month and age band. Of them, one whose responsible CCG is blank
or not a known CCG cannot be placed in a cohort: it is counted under that reason and left
out of the CCG figures only. Other episodes (elective, later episodes of a spell) are not
the measures' business and are not checked further.

The work is three scans of the records, each of the shape of a plain grouped count: the
emergency first episodes by raw CCG, month and age band (with the count, minimum and
maximum of the length of stay, so a group holding a bad length of stay is known); every
episode by episode order (and financial year, when the records carry FYEAR); first
episodes by admission method. Only when a group holds a bad length of stay does a fourth,
filtered scan count those episodes. The checks then act on these aggregates (a few
thousand rows), in pandas, the same whichever engine ran the scans.
"""

from __future__ import annotations

import ibis
import pandas as pd

from ..errors import DataError

EMERGENCY_METHODS = ("21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D")
KNOWN_METHODS = EMERGENCY_METHODS + ("11", "12", "13", "31", "32", "81", "82", "83", "98", "99")
AGE_BANDS = ("0-64", "65-74", "75-84", "85+")
MAX_AGE, MAX_STAY = 120, 3650
BAD_AGE = "bad age"
REASONS = ("admission date missing", "admission date outside the period", "unknown admission method",
           "unknown episode order", "age out of range", "length of stay out of range")
CCG_REASONS = ("responsible CCG blank", "unknown CCG")
"""Reasons that leave an admission out of the CCG (cohort) figures only, not out of the counts by month and age."""
KEYS = ("ccg", "month", "age_band")


def age_band(age) -> ibis.Value:
    """The age band; BAD_AGE when the age is missing or out of range (HES 7001-7007: under one)."""
    return ibis.cases((age < 0, BAD_AGE), (age < 65, AGE_BANDS[0]), (age < 75, AGE_BANDS[1]),
                      (age < 85, AGE_BANDS[2]), (age <= MAX_AGE, AGE_BANDS[3]),
                      (age.between(7001, 7007), AGE_BANDS[0]), else_=BAD_AGE)


def emergency_firsts(table: ibis.Table) -> ibis.Table:
    return table.filter(table.ADMIMETH.isin(EMERGENCY_METHODS) & (table.EPIORDER == 1))


def bad_stay(table: ibis.Table) -> ibis.Value:
    return table.SPELDUR.isnull() | ~table.SPELDUR.between(0, MAX_STAY)


def _grouped(table: ibis.Table) -> ibis.expr.types.GroupedTable:
    return table.group_by(ccg=table.CCG_RESPONSIBILITY, month=table.ADMIDATE.truncate("M"),
                          age_band=age_band(table.STARTAGE))


def expressions(table: ibis.Table) -> dict[str, ibis.Table]:
    """The scans: emergency first episodes by raw CCG, month and age band; episodes by order
    (and financial year); first episodes by admission method."""
    emergency = emergency_firsts(table)
    groups = _grouped(emergency).aggregate(
        episodes=emergency.count(), bed_days=emergency.SPELDUR.sum(), stays=emergency.SPELDUR.count(),
        shortest=emergency.SPELDUR.min(), longest=emergency.SPELDUR.max())
    year = table.FYEAR if "FYEAR" in table.columns else ibis.null("string")
    orders = table.group_by(year=year, order=table.EPIORDER).aggregate(episodes=table.count())
    firsts = table.filter(table.EPIORDER == 1)
    methods = firsts.group_by(method=firsts.ADMIMETH).aggregate(episodes=firsts.count())
    return {"groups": groups, "orders": orders, "methods": methods}


def bad_stays(table: ibis.Table) -> ibis.Table:
    """Emergency first episodes with a missing or out-of-range length of stay, by the groups' keys."""
    emergency = emergency_firsts(table)
    bad = emergency.filter(bad_stay(emergency))
    return _grouped(bad).aggregate(bad_stays=bad.count(), bad_days=bad.SPELDUR.sum())


def run(expression: ibis.Table) -> pd.DataFrame:
    """Execute on the expression's own engine: counts as int64, months as periods, sorted, so
    engines can be compared row by row."""
    frame = expression.to_pandas()
    for column in frame.columns:
        if column in ("episodes", "bed_days", "stays", "shortest", "longest", "bad_stays", "bad_days", "order"):
            frame[column] = frame[column].astype("Int64")
    if "month" in frame:
        frame["month"] = pd.to_datetime(frame["month"]).dt.to_period("M")
    keys = [c for c in frame.columns if c in KEYS + ("year", "order", "method")]
    return frame.sort_values(keys, na_position="first", ignore_index=True)


def financial_years(values) -> list[str]:
    """FYEAR values ("1516", 1516, or 102 for 2001/02 read as a number) as "2015-16", sorted."""
    out = set()
    for value in values:
        if value is None or pd.isna(value) or str(value).strip() == "":
            continue
        text = str(value).strip().split(".")[0].zfill(4)
        if not (len(text) == 4 and text.isdigit() and (int(text[:2]) + 1) % 100 == int(text[2:])):
            raise DataError("FYEAR", f"'{value}' is not a HES financial year (like 1516 for 2015/16)")
        start = int(text[:2]) + (1900 if int(text[:2]) >= 50 else 2000)
        out.add(f"{start}-{text[2:]}")
    return sorted(out)


def _period(first, last, years: list[str]):
    if first is None or last is None:
        if not years:
            raise DataError("FYEAR", "the records carry no financial year, so give the months to count")
        first, last = f"{years[0][:4]}-04", f"{int(years[-1][:4]) + 1}-03"
    return pd.Period(first, "M").start_time.date(), pd.Period(last, "M").end_time.date()


def aggregate(records, first, last, ccgs) -> dict:
    """Admissions and bed days by CCG, month and age band (known CCGs), by month and age band
    (every CCG), and the exclusions by reason.

    `first`, `last`: the period (dates or months like "2014-04"), or None for the records' own
    financial years (FYEAR); `ccgs`: the known CCG codes."""
    scans = {name: run(expression) for name, expression in expressions(records.table).items()}
    years = financial_years(scans["orders"]["year"])
    first, last = _period(first, last, years)
    groups = scans["groups"]
    if ((groups["stays"] < groups["episodes"]) | (groups["shortest"] < 0) | (groups["longest"] > MAX_STAY)).any():
        groups = groups.merge(run(bad_stays(records.table)), on=list(KEYS), how="left")
    else:
        groups = groups.assign(bad_stays=0, bad_days=0)
    groups[["bad_stays", "bad_days"]] = groups[["bad_stays", "bad_days"]].fillna(0).astype("int64")
    dated = groups["month"].notna()
    inside = dated & (groups["month"] >= pd.Period(first, "M")) & (groups["month"] <= pd.Period(last, "M"))
    aged = inside & (groups["age_band"] != BAD_AGE)
    counted = groups[aged].assign(admissions=lambda t: t["episodes"] - t["bad_stays"],
                                  bed_days=lambda t: t["bed_days"].fillna(0) - t["bad_days"])
    code = counted["ccg"].str.strip().str.upper()
    blank = code.isna() | (code == "")
    known = ~blank & code.isin(set(ccgs))
    orders, methods = scans["orders"], scans["methods"]
    order_unknown = orders["order"].isna() | ~orders["order"].between(1, 99)
    method_unknown = methods["method"].isna() | ~methods["method"].isin(KNOWN_METHODS)
    excluded = {
        REASONS[0]: groups.loc[~dated, "episodes"].sum(),
        REASONS[1]: groups.loc[dated & ~inside, "episodes"].sum(),
        REASONS[2]: methods.loc[method_unknown, "episodes"].sum(),
        REASONS[3]: orders.loc[order_unknown, "episodes"].sum(),
        REASONS[4]: groups.loc[inside & ~aged, "episodes"].sum(),
        REASONS[5]: counted["bad_stays"].sum(),
        CCG_REASONS[0]: counted.loc[blank, "admissions"].sum(),
        CCG_REASONS[1]: counted.loc[~blank & ~known, "admissions"].sum()}
    exclusions = pd.DataFrame({"reason": list(excluded), "episodes": [int(v) for v in excluded.values()],
                               "left_out_of": ["every figure"] * len(REASONS) + ["the CCG and cohort figures"] * 2})
    sums = {"admissions": "sum", "bed_days": "sum"}
    by_month = (counted.groupby(["month", "age_band"], as_index=False).agg(sums)
                .astype({"admissions": "int64", "bed_days": "int64"}))
    admissions = (counted[known].assign(ccg_code=code[known]).groupby(["ccg_code", "month", "age_band"], as_index=False)
                  .agg(sums).astype({"admissions": "int64", "bed_days": "int64"}))
    return {"admissions": admissions, "by_month": by_month, "exclusions": exclusions, "first": first, "last": last,
            "years": years}
