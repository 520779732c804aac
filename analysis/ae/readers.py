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
  publisher's totals do. A row whose Org Code is empty or "TOTAL" is the England total
  and is not read (England is summed from the providers).

Department types: 1 = major emergency departments, 2 = single-specialty departments,
"other" = type 3 and 4 (walk-in centres, minor injury units).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..schema import Column, RowCheck, Schema, ends_with_line_end, parse_numbers, read_text_csv
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
    raw = read_text_csv(path, LONG_COLUMNS)
    rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
    _refuse_cut_short(path, len(raw) + 1)
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
    return _check(table, path)


def _refuse_cut_short(path: Path, last_row: int) -> None:
    """A file whose last line has no line end was most likely cut short: refuse it."""
    if not ends_with_line_end(path):
        raise DataError(path, "its last line has no line end, so the file looks cut short (truncated); "
                              "download it again", row=last_row)


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
    raw = read_text_csv(path, needed)
    rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
    _refuse_cut_short(path, len(raw) + 1)
    keep = ~raw["Org Code"].str.strip().str.upper().isin(["", "TOTAL", "-"])
    raw, rows = raw[keep], rows[keep]
    if raw.empty:
        raise DataError(path, "has no provider rows")
    months = raw["Period"].map(month_from_period)
    if months.isna().any():
        first = months.isna().idxmax()
        raise DataError(path, f"value {raw.at[first, 'Period']!r} is not a month like MSitAE-MARCH-2017",
                        row=int(rows[first]), column="Period")
    frames = []
    for kind, (att, over, adm) in MONTHLY_TYPE_COLUMNS.items():
        attendances, _ = parse_numbers(raw[att], att, path, rows, required=True)
        breaches, _ = parse_numbers(raw[over], over, path, rows, required=True)
        admissions, _ = parse_numbers(raw[adm], adm, path, rows, required=True)
        booked_att, booked_over = BOOKED[kind]
        if booked_att in raw.columns and booked_over in raw.columns:
            attendances = attendances + parse_numbers(raw[booked_att], booked_att, path, rows, required=True)[0]
            breaches = breaches + parse_numbers(raw[booked_over], booked_over, path, rows, required=True)[0]
        frames.append(pd.DataFrame({
            "month": pd.PeriodIndex(months.tolist(), freq="M"), "org_code": raw["Org Code"].str.strip().str.upper().values,
            "org_name": raw["Org name"].str.strip().values, "type": kind,
            "attendances": attendances.values, "breaches": breaches.values,
            "admissions": admissions.values, "source_file": str(path), "source_row": rows.values}))
    table = pd.concat(frames, ignore_index=True)
    table = table[(table["attendances"] > 0) | (table["breaches"] > 0) | (table["admissions"] > 0)]
    return _check(table.reset_index(drop=True), path)


MIN_ORGANISATION_SHARE = 0.9
"""A month with fewer organisations than this share of its neighbours' (median) is refused."""
MAX_MISSING_SHARE = 0.02
"""Organisations missing from a month, but present on either side, may carry at most this share
of the month's attendances (judged by their neighbouring months); more is refused. On the real
files (April 2016 to March 2019) the largest such gap is 1.0% (RHQ in April 2016, the first month,
judged by the two after it), then 0.7% (RWH and NJS05 in September 2017)."""
NEIGHBOURS = 3


def gaps(table: pd.DataFrame) -> pd.DataFrame:
    """Organisations absent from a month but present in the months either side of it.

    One row per (month, org_code) with `expected_attendances`, the mean of the
    organisation's attendances in the two neighbouring months, and `share`, that as a share
    of the month's attendances. The first and last months are judged by the two months
    on their one side. Real returns have a few such gaps; a truncated file has many.
    """
    months = sorted(table["month"].unique())
    by_month = table.groupby("month")
    orgs = {m: set(by_month.get_group(m)["org_code"]) for m in months}
    totals = by_month["attendances"].sum()
    per_org = table.groupby(["month", "org_code"])["attendances"].sum()
    rows = []
    for i, month in enumerate(months):
        if len(months) < 3:
            break
        if i == 0:
            around = [months[1], months[2]]
        elif i == len(months) - 1:
            around = [months[-2], months[-3]]
        else:
            around = [months[i - 1], months[i + 1]]
        for org in sorted((orgs[around[0]] & orgs[around[1]]) - orgs[month]):
            expected = sum(per_org.get((m, org), 0.0) for m in around) / 2
            rows.append({"month": month, "org_code": org, "expected_attendances": float(expected),
                         "share": float(expected / totals[month]) if totals[month] else 1.0})
    return pd.DataFrame(rows, columns=["month", "org_code", "expected_attendances", "share"])


def check_complete(table: pd.DataFrame) -> pd.DataFrame:
    """Refuse a table that looks cut short: a month with far fewer organisations than the
    months around it, or missing organisations that carry more than a small share of the
    month's attendances. Returns the table; small gaps are left for `gaps` to report."""
    counts = table.groupby("month")["org_code"].nunique().sort_index()
    for i, (month, count) in enumerate(counts.items()):
        around = pd.concat([counts.iloc[max(0, i - NEIGHBOURS):i], counts.iloc[i + 1:i + 1 + NEIGHBOURS]])
        if around.empty:
            continue
        typical = float(around.median())
        if count < MIN_ORGANISATION_SHARE * typical:
            files = sorted(set(table.loc[table["month"] == month, "source_file"]))
            raise DataError(", ".join(files), f"{month.strftime('%B %Y')} has {count} organisations against "
                            f"about {typical:.0f} in the months around it; the file looks truncated, so the "
                            "A&E figures would be wrong. Use a complete copy")
    missing = gaps(table)
    share = missing.groupby("month")["share"].sum()
    if (share > MAX_MISSING_SHARE).any():
        month = share.idxmax()
        names = missing.loc[missing["month"] == month, "org_code"].tolist()
        files = sorted(set(table.loc[table["month"] == month, "source_file"]))
        listed = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        raise DataError(", ".join(files), f"{month.strftime('%B %Y')} lacks {len(names)} organisation(s) present "
                        f"in the months either side ({listed}), about {100 * share[month]:.1f}% of the month's "
                        "attendances; the file looks truncated, so the A&E figures would be wrong")
    return table


def read_files(long_files, monthly_files) -> pd.DataFrame:
    """Every file of either layout as one table, checked whole.

    The same provider, month and type twice is an error, and so is a table that looks cut
    short (see `check_complete`).
    """
    tables = [read_long(p) for p in long_files] + [read_monthly(p) for p in monthly_files]
    if not tables:
        raise DataError("A&E data", "no A&E files were found")
    return check_complete(_check(pd.concat(tables, ignore_index=True), "A&E files"))
