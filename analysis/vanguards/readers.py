"""Reader for NHS England's Monthly Activity Return (MAR), commissioner level.

Each monthly workbook (`mar_commissioner_YYYY-MM.xls`) has a sheet `Commissioner` with
title rows ("Period: April 2014", ...), then a header row beginning `Year, Period`
followed by `Area Team Code`/`Region Code`, `... Name`, `Org Code`, `Org Name` and the
activity columns, one of which is `Total Non-elective G&A Admissions (FFCEs)`. Below
it: an England row (no Org Code), the NHS England row (`X24`) and one row per CCG. The
header row's position and the period labels' spacing and case vary between months.

Counts are finished first consultant episodes (FFCEs) of all non-elective admissions:
close to, but not the same as, emergency admissions counted from patient-level data.

Each workbook must have its England row, equal to the sum of the CCGs and X24 (so it is on
every real month), and the months are judged against each other (`MAR_PERIODS`); both parts
of `analysis.completeness`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..completeness import Periods, check_national
from ..errors import DataError
from ..schema import Column, Schema
from ..workbook import sheet_rows
from ..readcache import cached_read

NON_ELECTIVE = "Total Non-elective G&A Admissions (FFCEs)"
NHS_ENGLAND = "X24"
SCHEMA = Schema(name="monthly activity return", columns={
    "month": Column("month"), "ccg_code": Column("text"), "ccg_name": Column("text"),
    "non_elective": Column("number", non_negative=True)})
MAR_PERIODS = Periods("monthly activity return", organisation=("ccg_code",), volume="non_elective",
                      volume_noun="non-elective admissions", noun="CCGs")
"""The months against each other: 90% of the CCGs of the months around a month, and CCGs missing but
present around it carrying at most 2% of its admissions. The 36 real workbooks (April 2014 to March
2017) have 211 CCGs to March 2015 and 209 after, and no gap."""
MONTHS = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
          "NOVEMBER", "DECEMBER"]


def _cells(path: Path) -> list[list]:
    return sheet_rows(path, "Commissioner")


def month_of(year_label: str, period_label: str) -> pd.Period | None:
    """("2014-15", "JANUARY  ") -> January 2015: the month within the financial year."""
    year = re.match(r"\s*(\d{4})", str(year_label))
    name = re.sub(r"[^A-Z]", "", str(period_label).upper())
    name = next((m for m in MONTHS if name.startswith(m)), None)
    if not year or not name:
        return None
    number = MONTHS.index(name) + 1
    start = int(year.group(1))
    return pd.Period(year=start if number >= 4 else start + 1, month=number, freq="M")


@cached_read
def read_mar(path: str | Path) -> pd.DataFrame:
    """One MAR workbook: non-elective admissions per CCG for its month (NHS England's X24 row left out)."""
    path = Path(path)
    rows = _cells(path)
    header_at = next((i for i, r in enumerate(rows[:40])
                      if [str(c).strip() for c in r if str(c or "").strip()][:2] == ["Year", "Period"]), None)
    if header_at is None:
        raise DataError(path, "sheet 'Commissioner' has no header row beginning 'Year, Period'")
    header = [re.sub(r"\s+", " ", str(c or "")).strip() for c in rows[header_at]]
    for column in ("Year", "Period", "Org Code", "Org Name", NON_ELECTIVE):
        if column not in header:
            raise DataError(path, f"the header has no '{column}' column", row=header_at + 1, column=column)
    at = {name: header.index(name) for name in ("Year", "Period", "Org Code", "Org Name", NON_ELECTIVE)}
    named = re.search(r"(\d{4})-(\d{2})", path.name)
    expected = pd.Period(year=int(named.group(1)), month=int(named.group(2)), freq="M") if named else None
    records = []
    for number, row in enumerate(rows[header_at + 1:], header_at + 2):
        code, name = (str(row[at[c]] or "").strip() if len(row) > at[c] else "" for c in ("Org Code", "Org Name"))
        code = code.upper()
        if not code and not name:
            continue  # a blank row
        month = month_of(row[at["Year"]], row[at["Period"]])
        if month is None:
            raise DataError(path, f"'{row[at['Year']]}' / '{row[at['Period']]}' is not a month", row=number,
                            column="Period")
        if expected is not None and month != expected:
            raise DataError(path, f"the rows say {month.strftime('%B %Y')} but the file name says "
                                  f"{expected.strftime('%B %Y')}", row=number, column="Period")
        value = row[at[NON_ELECTIVE]]
        try:  # a blank England row is named by the national check below
            count = float("nan") if not code and value is None else float(str(value).replace(",", ""))
        except ValueError:
            raise DataError(path, f"value {value!r} is not a number", row=number, column=NON_ELECTIVE) from None
        records.append({"month": month, "ccg_code": code, "ccg_name": name,
                        "non_elective": count, "source_file": str(path), "source_row": number})
    table = pd.DataFrame(records, columns=["month", "ccg_code", "ccg_name", "non_elective", "source_file",
                                           "source_row"])
    england = table["ccg_code"] == ""  # the England row: no Org Code
    check_national(table, path, national=england, group=["month"], expected=[expected] if expected else None,
                   columns={"non_elective": NON_ELECTIVE}, tolerance=0.5, describe=lambda m: m.strftime("%B %Y"),
                   parts_noun="CCGs and NHS England (X24)")
    table = table[~england & (table["ccg_code"] != NHS_ENGLAND)].reset_index(drop=True)  # X24: NHS England's own
    if table.empty:
        raise DataError(path, "has no CCG rows")
    table["month"] = pd.PeriodIndex(table["month"], freq="M")
    SCHEMA.validate(table, str(path))
    if table["ccg_code"].duplicated().any():
        first = table.loc[table["ccg_code"].duplicated()].iloc[0]
        raise DataError(path, f"CCG {first['ccg_code']} appears twice", row=int(first["source_row"]),
                        column="Org Code")
    return table


def read_mar_files(paths) -> pd.DataFrame:
    """Several monthly workbooks as one table; the same month twice is an error."""
    tables = [read_mar(p) for p in paths]
    if not tables:
        raise DataError("monthly activity return", "no MAR workbooks were found")
    table = pd.concat(tables, ignore_index=True)
    twice = table.duplicated(["month", "ccg_code"])
    if twice.any():
        first = table.loc[twice].iloc[0]
        raise DataError(first["source_file"], f"{first['month'].strftime('%B %Y')} is also in another workbook")
    return MAR_PERIODS.check(table)


def window_total(table: pd.DataFrame, first: str, last: str) -> float:
    """Non-elective admissions summed over the months from `first` to `last` inclusive."""
    months = pd.period_range(first, last, freq="M")
    missing = [m for m in months if m not in set(table["month"])]
    if missing:
        raise DataError("monthly activity return", f"the window {first} to {last} lacks "
                        f"{', '.join(str(m) for m in missing[:3])}")
    return float(table.loc[table["month"].isin(list(months)), "non_elective"].sum())
