"""Readers for A&E attendances and emergency admissions, in two layouts, into one tidy table.

* The long layout (one row per month, provider and department type): columns `period`
  (first day of the month), `org_code`, `type` ("1", "2" or "other"), `attendances`,
  `breaches` (attendances over four hours) and `admissions` (emergency admissions via
  A&E). This is how the NHS-R community's tidy copy of the monthly returns is laid out.
* NHS England's monthly "A&E Attendances and Emergency Admissions" provider CSV, one file
  per month, one row per provider: `Period` ("MSitAE-MARCH-2017"), `Org Code`,
  `Parent Org`, `Org name`, `A&E attendances Type 1` / `Type 2` / `Other A&E Department`,
  `Attendances over 4hrs Type 1` / `Type 2` / `Other Department`, the decision-to-admit
  waits, `Emergency admissions via A&E - Type 1` / `Type 2` / `Other A&E department`
  and `Other emergency admissions`. Later files add "Booked Appointments" columns per
  type; where present they are added to that type's attendances and breaches, as the
  publisher's totals do. A row whose Org Code is empty, "TOTAL" or "-" is the England total:
  it must be there, and the providers must add up to it (`analysis.completeness`), but England's
  figures are summed from the providers.

Department types: 1 = major emergency departments, 2 = single-specialty departments,
"other" = type 3 and 4 (walk-in centres, minor injury units).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..completeness import Periods, check_national, check_runs_on, check_stated_span, refuse_cut_short
from ..schema import Column, RowCheck, Schema, parse_numbers, read_text_csv
from ..readcache import cached_read

TYPES = ("1", "2", "other")
MAXIMUM = 1_000_000
"""No provider sees a million A&E attendances of one type in a month (the largest real
figure is about 30,000; England's monthly total about 2 million): a larger count is damage."""

SCHEMA = Schema(
    name="A&E attendances",
    columns={
        "month": Column("month"),
        "org_code": Column("text"),
        "type": Column("text", allowed=frozenset(TYPES)),
        "attendances": Column("number", non_negative=True, maximum=MAXIMUM),
        "breaches": Column("number", non_negative=True, maximum=MAXIMUM),
        "admissions": Column("number", non_negative=True, maximum=MAXIMUM),
    },
    row_checks=(RowCheck("breaches", "is more than the attendances on the same row",
                         lambda d: d["breaches"] > d["attendances"]),),
)

LONG_COLUMNS = ["period", "org_code", "type", "attendances", "breaches", "admissions"]
MONTHLY_TYPE_COLUMNS = {
    # tidy type: (attendances, breaches, admissions) column names in the monthly CSV
    "1": ("A&E attendances Type 1", "Attendances over 4hrs Type 1", "Emergency admissions via A&E - Type 1"),
    "2": ("A&E attendances Type 2", "Attendances over 4hrs Type 2", "Emergency admissions via A&E - Type 2"),
    "other": ("A&E attendances Other A&E Department", "Attendances over 4hrs Other Department",
              "Emergency admissions via A&E - Other A&E department"),
}
BOOKED = {"1": ("A&E attendances Booked Appointments Type 1", "Attendances over 4hrs Booked Appointments Type 1"),
          "2": ("A&E attendances Booked Appointments Type 2", "Attendances over 4hrs Booked Appointments Type 2"),
          "other": ("A&E attendances Booked Appointments Other Department",
                    "Attendances over 4hrs Booked Appointments Other Department")}


def _check(table: pd.DataFrame, path) -> pd.DataFrame:
    SCHEMA.validate(table, str(path))
    key = ["month", "org_code", "type"]
    duplicated = table.duplicated(key)
    if duplicated.any():
        first = table.loc[duplicated].iloc[0]
        raise DataError(first["source_file"], f"{first['org_code']} type {first['type']} appears twice "
                        f"for {first['month'].strftime('%B %Y')}", row=int(first["source_row"]),
                        column="org_code")
    return table


@cached_read
def read_long(path: str | Path) -> pd.DataFrame:
    """The long layout (period, org_code, type, attendances, breaches, admissions)."""
    path = Path(path)
    refuse_cut_short(path)
    raw = read_text_csv(path, LONG_COLUMNS)
    rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
    months = pd.to_datetime(raw["period"], format="%Y-%m-%d", errors="coerce")
    if months.isna().any():
        first = months.isna().idxmax()
        raise DataError(path, f"value {raw.at[first, 'period']!r} is not a date like 2016-04-01",
                        row=int(rows[first]), column="period")
    table = pd.DataFrame({"month": months.dt.to_period("M"), "org_code": raw["org_code"].str.strip().str.upper(),
                          "org_name": "", "type": raw["type"].str.strip().str.lower()})
    for column in ("attendances", "breaches", "admissions"):
        table[column], _ = parse_numbers(raw[column], column, path, rows, required=True)
    table["source_file"], table["source_row"] = str(path), rows
    present = sorted(table["month"].unique())
    check_runs_on(present, path)
    check_stated_span(path, present)
    return _check(table, path)


def month_from_period(text: str) -> pd.Period | None:
    """"MSitAE-MARCH-2017" (or "March 2017") -> 2017-03."""
    match = re.search(r"([A-Za-z]+)[- ](\d{4})\s*$", text.strip())
    if not match:
        return None
    try:
        return pd.Period(dt.datetime.strptime(f"{match.group(1).title()} {match.group(2)}", "%B %Y"), freq="M")
    except ValueError:
        return None


@cached_read
def read_monthly(path: str | Path) -> pd.DataFrame:
    """One of NHS England's monthly provider CSVs as the tidy table."""
    path = Path(path)
    needed = ["Period", "Org Code", "Org name"] + [c for cols in MONTHLY_TYPE_COLUMNS.values() for c in cols]
    refuse_cut_short(path)
    raw = read_text_csv(path, needed)
    rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
    national = raw["Org Code"].str.strip().str.upper().isin(["", "TOTAL", "-"])
    if (~national).sum() == 0:
        raise DataError(path, "has no provider rows")
    months = raw["Period"].map(month_from_period)
    if months.isna().any():
        first = months.isna().idxmax()
        raise DataError(path, f"value {raw.at[first, 'Period']!r} is not a month like MSitAE-MARCH-2017",
                        row=int(rows[first]), column="Period")

    def counts(column: str) -> pd.Series:
        """A count column: required on every provider row; the England row is checked below."""
        providers = parse_numbers(raw.loc[~national, column], column, path, rows[~national], required=True)[0]
        england = parse_numbers(raw.loc[national, column], column, path, rows[national])[0]
        return pd.concat([providers, england]).reindex(raw.index)

    frames = []
    for kind, (att, over, adm) in MONTHLY_TYPE_COLUMNS.items():
        attendances, breaches, admissions = counts(att), counts(over), counts(adm)
        booked_att, booked_over = BOOKED[kind]
        if booked_att in raw.columns and booked_over in raw.columns:
            attendances, breaches = attendances + counts(booked_att), breaches + counts(booked_over)
        frame = pd.DataFrame({
            "month": pd.PeriodIndex(months.tolist(), freq="M"),
            "org_code": raw["Org Code"].str.strip().str.upper().values,
            "org_name": raw["Org name"].str.strip().values, "type": kind,
            "attendances": attendances.values, "breaches": breaches.values,
            "admissions": admissions.values, "source_file": str(path), "source_row": rows.values})
        check_national(frame, path, national=pd.Series(national.values, index=frame.index), group=["month"],
                       columns={"attendances": att, "breaches": over, "admissions": adm}, tolerance=0.5,
                       describe=lambda month, kind=kind: f"{month.strftime('%B %Y')}, type {kind}",
                       parts_noun="providers")
        frames.append(frame[~national.values])
    table = pd.concat(frames, ignore_index=True)
    table = table[(table["attendances"] > 0) | (table["breaches"] > 0) | (table["admissions"] > 0)]
    return _check(table.reset_index(drop=True), path)


PERIODS = Periods("A&E", volume="attendances")
"""How A&E files are judged whole (`analysis.completeness`): a month with fewer than 90% of the
organisations of the months around it is refused, and so is a month lacking organisations present
around it that carry more than 2% of its attendances (judged by their neighbouring months). On the
real files (April 2016 to March 2019) the largest such gap is 1.0% (RHQ in April 2016, the first
month, judged by the two after it), then 0.7% (RWH and NJS05 in September 2017)."""


def gaps(table: pd.DataFrame) -> pd.DataFrame:
    """Organisations absent from a month but present in the months around it (`Periods.gaps`)."""
    return PERIODS.gaps(table)


def read_files(long_files, monthly_files) -> pd.DataFrame:
    """Every file of either layout as one table, checked whole.

    The same provider, month and type twice is an error, and so is a table that looks cut
    short (`PERIODS`).
    """
    tables = [read_long(p) for p in long_files] + [read_monthly(p) for p in monthly_files]
    if not tables:
        raise DataError("A&E data", "no A&E files were found")
    return PERIODS.check(_check(pd.concat(tables, ignore_index=True), "A&E files"))
