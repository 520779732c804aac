"""The record-level measures, defined once as Ibis expressions.

Emergency admissions: first episodes of spells (EPIORDER 1) whose admission method is an
emergency one (ADMIMETH 21-25, 28, 2A-2D), counted by responsible CCG, month of admission
and age band. Emergency bed days: the spell duration (SPELDUR) summed over those episodes.

A first episode whose admission method is not a known code, or an episode whose order is
not, is excluded and counted (it cannot be classified; the method is a spell's, so it is
checked once per spell, on its first episode). A method is read as written, then each
spelling found is recognised once, on the aggregate: trimmed, in capitals, and a number
written as a float (`21.0`) as that number, so no spelling costs anything per row.
An emergency first episode is excluded, and counted under the first reason that applies,
when its admission date is missing (or unreadable) or outside the period, its age is
missing or out of range (0-120, or HES's 7001-7007 for infants, counted as 0), or its
length of stay is missing or outside 0-3,650 days. A value that cannot be read counts as
missing. Those
left are the admissions by month and age band. Of them, one whose responsible CCG is blank
or not a known CCG cannot be placed in a cohort: it is counted under that reason and left
out of the CCG figures only. Other episodes (elective, later episodes of a spell) are not
the measures' business and are not checked further.

The work is four scans of the records, each of the shape of a plain grouped count: first
episodes by admission method (as written); the emergency first episodes by raw CCG, month
and age band (with the count, minimum and maximum of the length of stay, so a group
holding a bad length of stay is known); every episode by file, financial year (when the
records carry FYEAR) and episode order; and the episodes and distinct episode keys. Only
when a group holds a bad length of stay does a further, filtered scan count those
episodes. The checks (`analysis.apc.checks`) then act on these aggregates (a few thousand
rows), in pandas, the same whichever engine ran the scans.
"""

from __future__ import annotations

import ibis
import pandas as pd

from ..errors import DataError
from .reader import SOURCE

EMERGENCY_METHODS = ("21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D")
KNOWN_METHODS = EMERGENCY_METHODS + ("11", "12", "13", "31", "32", "81", "82", "83", "98", "99")
AGE_BANDS = ("0-64", "65-74", "75-84", "85+")
MAX_AGE, MAX_STAY = 120, 3650
BAD_AGE = "bad age"
REASONS = ("admission date missing or unreadable", "admission date outside the period", "unknown admission method",
           "unknown episode order", "age missing or out of range", "length of stay missing or out of range")
CCG_REASONS = ("responsible CCG blank", "unknown CCG")
"""Reasons that leave an admission out of the CCG (cohort) figures only, not out of the counts by month and age."""
KEYS = ("ccg", "month", "age_band")


def age_band(age) -> ibis.Value:
    """The age band; BAD_AGE when the age is missing or out of range (HES 7001-7007: under one)."""
    return ibis.cases((age < 0, BAD_AGE), (age < 65, AGE_BANDS[0]), (age < 75, AGE_BANDS[1]),
                      (age < 85, AGE_BANDS[2]), (age <= MAX_AGE, AGE_BANDS[3]),
                      (age.between(7001, 7007), AGE_BANDS[0]), else_=BAD_AGE)


def method_code(spelling) -> str | None:
    """An admission method as written, as its HES code: trimmed, in capitals, and a whole number
    written as a float ("21.0", "21.00") as that number; None when blank."""
    if spelling is None or pd.isna(spelling) or not str(spelling).strip():
        return None
    text = str(spelling).strip().upper()
    whole, dot, zeros = text.partition(".")
    return whole if dot and whole.isdigit() and set(zeros) <= {"0"} else text


def spellings(methods: pd.DataFrame, codes) -> list[str]:
    """The spellings in the methods scan (`method`, as written) that are one of `codes`."""
    return [m for m in methods["method"].dropna() if method_code(m) in codes]


def is_emergency_first(table: ibis.Table, emergency=EMERGENCY_METHODS) -> ibis.Value:
    """First episodes whose method is written as one of `emergency` (the spellings found)."""
    method = table.ADMIMETH.isin(list(emergency)) if len(emergency) else ibis.literal(False)
    return method & (table.EPIORDER == 1)


def emergency_firsts(table: ibis.Table, emergency=EMERGENCY_METHODS) -> ibis.Table:
    return table.filter(is_emergency_first(table, emergency))


def bad_stay(table: ibis.Table) -> ibis.Value:
    return table.SPELDUR.isnull() | ~table.SPELDUR.between(0, MAX_STAY)


def _grouped(table: ibis.Table) -> ibis.expr.types.GroupedTable:
    return table.group_by(ccg=table.CCG_RESPONSIBILITY, month=table.ADMIDATE.truncate("M"),
                          age_band=age_band(table.STARTAGE))


def methods_scan(table: ibis.Table) -> ibis.Table:
    """First episodes by admission method, as written."""
    firsts = table.filter(table.EPIORDER == 1)
    return firsts.group_by(method=firsts.ADMIMETH).aggregate(episodes=firsts.count())


def expressions(table: ibis.Table, emergency=EMERGENCY_METHODS) -> dict[str, ibis.Table]:
    """The scans: first episodes by admission method; emergency first episodes (methods written
    as one of `emergency`) by raw CCG, month and age band; episodes by file, financial year and
    order; the emergency first episodes and their distinct keys (the episodes a figure counts:
    a key read twice among them would change a figure; every other episode is counted by
    file and year, where a year read from two places is refused)."""
    chosen = emergency_firsts(table, emergency)
    groups = _grouped(chosen).aggregate(
        episodes=chosen.count(), bed_days=chosen.SPELDUR.sum(), stays=chosen.SPELDUR.count(),
        shortest=chosen.SPELDUR.min(), longest=chosen.SPELDUR.max())
    year = table.FYEAR if "FYEAR" in table.columns else ibis.null("string")
    orders = table.group_by(source=table[SOURCE], year=year, order=table.EPIORDER).aggregate(episodes=table.count())
    keys = chosen.aggregate(episodes=chosen.count(), keyed=chosen.EPIKEY.count(), keys=chosen.EPIKEY.nunique())
    return {"methods": methods_scan(table), "groups": groups, "orders": orders, "keys": keys}


def bad_stays(table: ibis.Table, emergency=EMERGENCY_METHODS) -> ibis.Table:
    """Emergency first episodes with a missing or out-of-range length of stay, by the groups' keys."""
    emergency = emergency_firsts(table, emergency)
    bad = emergency.filter(bad_stay(emergency))
    return _grouped(bad).aggregate(bad_stays=bad.count(), bad_days=bad.SPELDUR.sum())


def run(expression: ibis.Table) -> pd.DataFrame:
    """Execute on the expression's own engine: counts as int64, months as periods, sorted, so
    engines can be compared row by row."""
    frame = expression.to_pandas()
    for column in frame.columns:
        if column in ("episodes", "bed_days", "stays", "shortest", "longest", "bad_stays", "bad_days", "order",
                      "keyed", "keys"):
            frame[column] = frame[column].astype("Int64")
    if "month" in frame:
        frame["month"] = pd.to_datetime(frame["month"]).dt.to_period("M")
    keys = [c for c in frame.columns if c in KEYS + ("source", "year", "order", "method")]
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


def excluded_by(table: ibis.Table, reason: str, emergency, known, first, last) -> ibis.Value:
    """The episodes left out under `reason` (one of VALUE_REASONS), as a condition on the
    typed records: the row-level form of what `aggregate` counts on the scans, used only to
    fetch an example when too many are left out. `emergency`, `known`: the methods' spellings."""
    chosen = is_emergency_first(table, emergency)
    inside = chosen & table.ADMIDATE.between(first, last)
    aged = age_band(table.STARTAGE) != BAD_AGE
    return {REASONS[0]: chosen & table.ADMIDATE.isnull(),
            REASONS[2]: (table.EPIORDER == 1) & (table.ADMIMETH.isnull() | ~table.ADMIMETH.isin(list(known) or [""])),
            REASONS[3]: table.EPIORDER.isnull() | ~table.EPIORDER.between(1, 99),
            REASONS[4]: inside & ~aged,
            REASONS[5]: inside & aged & bad_stay(table)}[reason]


VALUE_REASONS = {REASONS[0]: ("ADMIDATE", "emergency first episodes"), REASONS[2]: ("ADMIMETH", "first episodes"),
                 REASONS[3]: ("EPIORDER", "episodes"), REASONS[4]: ("STARTAGE", "emergency first episodes"),
                 REASONS[5]: ("SPELDUR", "emergency first episodes")}
"""The reasons that mean a value could not be read or is out of range: each reason's column,
and the episodes it looks at (the share of them it leaves out is checked)."""


def aggregate(records, first, last, ccgs) -> dict:
    """Admissions and bed days by CCG, month and age band (known CCGs), by month and age band
    (every CCG), and the exclusions by reason.

    `first`, `last`: the period (dates or months like "2014-04"), or None for the records' own
    financial years (FYEAR); `ccgs`: the known CCG codes. The records are checked first
    (`analysis.apc.checks`): a DataError names the file when they cannot be counted as they are."""
    from .checks import check_exclusions, check_keys, check_years
    from .reader import execute

    methods = execute(records, methods_scan(records.table))
    emergency = spellings(methods, EMERGENCY_METHODS)
    scans = {name: execute(records, expression) for name, expression in
             expressions(records.table, emergency).items() if name != "methods"}
    check_keys(records, scans["keys"], emergency_firsts(records.table, emergency))
    years = check_years(records, scans["orders"])
    first, last = _period(first, last, years)
    groups = scans["groups"]
    if ((groups["stays"] < groups["episodes"]) | (groups["shortest"] < 0) | (groups["longest"] > MAX_STAY)).any():
        groups = groups.merge(execute(records, bad_stays(records.table, emergency)), on=list(KEYS), how="left")
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
    orders = scans["orders"]
    order_unknown = orders["order"].isna() | ~orders["order"].between(1, 99)
    method_unknown = ~methods["method"].map(method_code).isin(KNOWN_METHODS)
    excluded = {
        REASONS[0]: groups.loc[~dated, "episodes"].sum(),
        REASONS[1]: groups.loc[dated & ~inside, "episodes"].sum(),
        REASONS[2]: methods.loc[method_unknown, "episodes"].sum(),
        REASONS[3]: orders.loc[order_unknown, "episodes"].sum(),
        REASONS[4]: groups.loc[inside & ~aged, "episodes"].sum(),
        REASONS[5]: counted["bad_stays"].sum(),
        CCG_REASONS[0]: counted.loc[blank, "admissions"].sum(),
        CCG_REASONS[1]: counted.loc[~blank & ~known, "admissions"].sum()}
    looked_at = {"episodes": int(scans["orders"]["episodes"].sum()), "first episodes": int(methods["episodes"].sum()),
                 "emergency first episodes": int(groups["episodes"].sum())}
    check_exclusions(records, excluded, looked_at, lambda table, reason: excluded_by(
        table, reason, emergency, spellings(methods, KNOWN_METHODS), first, last))
    exclusions = pd.DataFrame({"reason": list(excluded), "episodes": [int(v) for v in excluded.values()],
                               "left_out_of": ["every figure"] * len(REASONS) + ["the CCG and cohort figures"] * 2})
    sums = {"admissions": "sum", "bed_days": "sum"}
    by_month = (counted.groupby(["month", "age_band"], as_index=False).agg(sums)
                .astype({"admissions": "int64", "bed_days": "int64"}))
    admissions = (counted[known].assign(ccg_code=code[known]).groupby(["ccg_code", "month", "age_band"], as_index=False)
                  .agg(sums).astype({"admissions": "int64", "bed_days": "int64"}))
    return {"admissions": admissions, "by_month": by_month, "exclusions": exclusions, "first": first, "last": last,
            "years": years}
