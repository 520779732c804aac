"""Reader for NHS England's RTT overview time series workbook into one tidy monthly table.

The workbook (`rtt_overview_time_series.xlsx`, sheet `Full Time Series`) has title rows,
then two header rows: the first names column groups ("Incomplete RTT pathways",
"Completed admitted (unadjusted) RTT pathways", "Completed non-admitted RTT pathways",
"New RTT periods", "Total completed pathways", ...), written once over the group's first
column; the second names each column within its group ("No. within 18 weeks",
"% within 18 weeks with estimates for missing data", "No. of pathways (all)", ...). The
same name recurs in several groups, so a column is found by its (group, name) pair,
wherever it stands. Below: one row per month (column `Month`, a date), England only.

Most figures come twice: as reported, and "with estimates for missing data", where NHS
England adds an estimate for trusts that did not report that month. Both are read.
`-` means not collected then (new RTT periods before October 2015, say) and becomes
missing; a blank cell in a month that has figures is an error, and months at the end
of the sheet with no figures at all (not yet published) are left out. Proportions are
published as fractions (0.903) and are read as percentages (90.3). The months must run on
without a gap, and where the total completed pathways and both its parts are given, the
admitted and non-admitted pathways add up to it, as they do in every real month
(`analysis.completeness`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ..completeness import check_parts, check_runs_on
from ..errors import DataError
from ..schema import Column, RowCheck, Schema, parse_numbers
from ..workbook import sheet_rows
from ..readcache import cached_read

SHEET = "Full Time Series"
INCOMPLETE = "Incomplete RTT pathways"
ADMITTED = "Completed admitted (unadjusted) RTT pathways"
NON_ADMITTED = "Completed non-admitted RTT pathways"
NEW_PERIODS = "New RTT periods"
COMPLETED = "Total completed pathways"
WITH_ESTIMATES = " with estimates for missing data"

# tidy column: (group, column name in the workbook)
COLUMNS = {
    "within_18": (INCOMPLETE, "No. within 18 weeks"),
    "within_18_est": (INCOMPLETE, "No. within 18 weeks" + WITH_ESTIMATES),
    "percent_within_18": (INCOMPLETE, "% within 18 weeks"),
    "percent_within_18_est": (INCOMPLETE, "% within 18 weeks" + WITH_ESTIMATES),
    "waiting": (INCOMPLETE, "Total waiting (mil)"),
    "waiting_est": (INCOMPLETE, "Total waiting (mil)" + WITH_ESTIMATES),
    "admitted": (ADMITTED, "No. of pathways (all)"),
    "admitted_est": (ADMITTED, "No. of pathways (all)" + WITH_ESTIMATES),
    "non_admitted": (NON_ADMITTED, "No. of pathways (all)"),
    "non_admitted_est": (NON_ADMITTED, "No. of pathways (all)" + WITH_ESTIMATES),
    "new_periods": (NEW_PERIODS, "No. of new RTT periods"),
    "new_periods_est": (NEW_PERIODS, "No. of new RTT periods" + WITH_ESTIMATES),
    "completed": (COMPLETED, "Total completed pathways"),
    "completed_est": (COMPLETED, "Total completed pathways with estimates"),
}
OPTIONAL_COLUMNS = {"over_52": (INCOMPLETE, "No. > 52 weeks")}
"""Read when the workbook has them (blank or '-' where not collected), else left empty: the commitments
(`analysis.commitments`) judge the 52-week waits from them."""
PERCENT_COLUMNS = ("percent_within_18", "percent_within_18_est")
MAXIMUM_COUNT = 50_000_000  # more than all of England's pathways: a larger value is a damaged cell

SCHEMA = Schema(
    name="RTT overview",
    columns={
        "month": Column("month"),
        **{name: Column("number", nullable=True, non_negative=True,
                        maximum=100.0 if name in PERCENT_COLUMNS else MAXIMUM_COUNT) for name in COLUMNS},
        **{name: Column("number", nullable=True, non_negative=True, maximum=MAXIMUM_COUNT) for name in OPTIONAL_COLUMNS},
    },
    row_checks=(
        RowCheck("within_18", "is more than the incomplete pathways (Total waiting) in the same month",
                 lambda d: d["within_18"] > d["waiting"]),
        RowCheck("within_18_est", "is more than the incomplete pathways with estimates in the same month",
                 lambda d: d["within_18_est"] > d["waiting_est"]),
        RowCheck("percent_within_18", "does not match No. within 18 weeks over Total waiting in the same month",
                 lambda d: (d["percent_within_18"] - 100 * d["within_18"] / d["waiting"]).abs() > 0.05),
        RowCheck("percent_within_18_est", "does not match No. within 18 weeks over Total waiting (with "
                 "estimates) in the same month",
                 lambda d: (d["percent_within_18_est"] - 100 * d["within_18_est"] / d["waiting_est"]).abs() > 0.05),
    ),
)


def _header(rows: list[list], path: Path) -> tuple[int, dict[str, int]]:
    """The row number (0-based) of the group header row and the column of each tidy field."""
    for number, row in enumerate(rows[:-1]):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if "Month" in cells and INCOMPLETE in cells:
            break
    else:
        raise DataError(path, f"sheet '{SHEET}' has no header row with 'Month' and '{INCOMPLETE}'")
    groups, group = [], ""
    for cell in rows[number]:
        text = str(cell).strip() if cell is not None else ""
        group = text or group
        groups.append(group)
    names = [str(c).strip() if c is not None else "" for c in rows[number + 1]]
    found = {(g, n): i for i, (g, n) in enumerate(zip(groups, names)) if n}
    positions = {}
    for field, (group, name) in COLUMNS.items():
        if (group, name) not in found:
            raise DataError(path, f"lacks column '{name}' under '{group}'", row=number + 2, column=name)
        positions[field] = found[(group, name)]
    positions.update({field: found[key] for field, key in OPTIONAL_COLUMNS.items() if key in found})
    positions["month"] = [str(c).strip() if c is not None else "" for c in rows[number]].index("Month")
    return number, positions


def _month(cell) -> pd.Period | None:
    """A date cell, or a label like "* Feb-24" (the star marks a change of definition)."""
    if isinstance(cell, (dt.date, dt.datetime)):
        return pd.Period(cell, freq="M")
    try:
        return pd.Period(dt.datetime.strptime(str(cell).strip().lstrip("*").strip(), "%b-%y"), freq="M")
    except ValueError:
        return None


@cached_read
def read_overview(path: str | Path) -> pd.DataFrame:
    """The monthly England series: one row per month, reported and with estimates."""
    path = Path(path)
    rows = sheet_rows(path, SHEET)
    header, positions = _header(rows, path)
    width = max(positions.values()) + 1
    body = []
    for number in range(header + 2, len(rows)):
        row = list(rows[number]) + [None] * (width - len(rows[number]))
        cell = row[positions["month"]]
        if cell is None:
            continue
        month = _month(cell)
        if month is None:
            raise DataError(path, f"value {cell!r} is not a month", row=number + 1, column="Month")
        body.append((number + 1, month, row))
    # leave out the months at the end with no figures yet (the sheet runs on to the year's end)
    while body and all(body[-1][2][positions[f]] is None for f in COLUMNS):
        body.pop()
    if not body:
        raise DataError(path, f"sheet '{SHEET}' has no monthly rows")
    source_rows = pd.Series([b[0] for b in body])
    table = pd.DataFrame({"month": pd.PeriodIndex([b[1] for b in body], freq="M")})
    for field in COLUMNS:
        cells = pd.Series([b[2][positions[field]] for b in body], dtype=object)
        values, suppressed = parse_numbers(cells, COLUMNS[field][1], path, source_rows)
        blank = values.isna() & ~suppressed
        if blank.any():
            first = int(np.argmax(blank.to_numpy()))
            raise DataError(path, f"is blank for {table['month'].iloc[first].strftime('%B %Y')}; a month with "
                                  "figures needs every cell (or '-' where not collected)",
                            row=int(source_rows[first]), column=COLUMNS[field][1])
        table[field] = values * 100 if field in PERCENT_COLUMNS else values
    for field in OPTIONAL_COLUMNS:
        cells = pd.Series([b[2][positions[field]] if field in positions else None for b in body], dtype=object)
        table[field] = parse_numbers(cells, OPTIONAL_COLUMNS[field][1], path, source_rows)[0]
    table["source_file"], table["source_row"] = str(path), source_rows
    if table["month"].duplicated().any():
        first = table.loc[table["month"].duplicated()].iloc[0]
        raise DataError(path, f"{first['month'].strftime('%B %Y')} appears twice", row=int(first["source_row"]),
                        column="Month")
    check_runs_on(table["month"], path, table["source_row"])
    for suffix in ("", "_est"):
        check_parts(table, path, total="completed" + suffix, parts=["admitted" + suffix, "non_admitted" + suffix],
                    label=lambda r: r["month"].strftime("%B %Y"), row="source_row",
                    names={c: f"{COLUMNS[c][0]}: {COLUMNS[c][1]}" for c in COLUMNS})
    return SCHEMA.validate(table, str(path))
