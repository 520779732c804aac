"""Reader for NHS England's Delayed Transfers of Care England time series workbook.

The workbook (`DTOC-England-Data_Set.xls`) has four sheets, each with about thirteen title
rows (Title, Summary, Period, Source, Published, Revised...), a header row beginning
`Year, Period` (`Period Name` in the cross-tab), a blank row, then one row per month
(`2016-17`, `April`) and notes. Delayed days are read from 'Delayed Days by responsible
org' (NHS, Social Care, Both, Total) and 'Delayed Days by type' (Acute, Non-Acute,
Total); every month's total must agree across all four sheets and with its parts, and each
sheet's months must run on without a gap (`analysis.completeness`, parts (b) and (c)), or the
file is refused with the sheet, row and column at fault.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..completeness import check_parts, check_runs_on
from ..errors import DataError
from ..workbook import sheet_rows
from ..readcache import cached_read

BY_ORG = "Delayed Days by responsible org"
BY_TYPE = "Delayed Days by type"
BY_REASON = "Delayed Days by reason"
CROSS_TAB = "Delayed Days"
SHEETS = (BY_TYPE, BY_ORG, BY_REASON, CROSS_TAB)
ORG_COLUMNS = {"NHS": "nhs", "Social Care": "social_care", "Both": "both"}
TYPE_COLUMNS = {"Acute": "acute", "Non-Acute": "non_acute"}
MONTHS = {name: number for number, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], 1)}
HEADER_SEARCH = 30  # rows searched for the header row
LARGEST = 10_000_000  # delayed days in a month beyond any plausible value (England peaked near 200,000)


@dataclass(frozen=True)
class DtocFile:
    """The monthly series and the file's own notes (title rows) of one workbook."""

    monthly: pd.DataFrame  # month, nhs, social_care, both, total, acute, non_acute
    notes: dict  # "Period", "Published", "Revised", ... as the title rows give them


def _text(cell) -> str:
    return "" if cell is None else re.sub(r"\s+", " ", str(cell)).strip()


def _header(path: Path, sheet: str, rows: list[list]) -> tuple[int, int]:
    """The 0-based index of the `Year, Period` header row and the column of `Year`."""
    for i, row in enumerate(rows[:HEADER_SEARCH]):
        cells = [_text(c) for c in row]
        if "Year" in cells:
            j = cells.index("Year")
            if j + 1 < len(cells) and cells[j + 1] in ("Period", "Period Name"):
                return i, j
    raise DataError(path, f"sheet '{sheet}' has no header row beginning 'Year, Period' in its first "
                          f"{HEADER_SEARCH} rows")


def _column(path: Path, sheet: str, rows: list[list], header: int, name: str) -> int:
    """The first column labelled `name` in the header row, else in the group rows just above it."""
    for i in (header, header - 1, header - 2):
        cells = [_text(c) for c in rows[i]] if i >= 0 else []
        if name in cells:
            return cells.index(name)
    raise DataError(path, f"sheet '{sheet}' has no column '{name}'", header + 1)


def _count(path: Path, sheet: str, row: list, index: int, line: int, name: str) -> float:
    value = row[index] if index < len(row) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DataError(path, f"sheet '{sheet}': '{name}' must be a number of delayed days, not "
                              f"'{_text(value) or 'blank'}'", line, name)
    if not 0 <= value <= LARGEST:
        raise DataError(path, f"sheet '{sheet}': '{name}' = {value:,.0f} is not a plausible number of delayed days",
                        line, name)
    return float(value)


def _month(path: Path, sheet: str, year_cell, month_cell, line: int) -> pd.Period:
    year, name = _text(year_cell), _text(month_cell).title()
    found = re.fullmatch(r"(\d{4})-(\d{2})", year)
    if not found or (int(found.group(1)) + 1) % 100 != int(found.group(2)):
        raise DataError(path, f"sheet '{sheet}': year '{year}' is not a financial year like 2016-17", line, "Year")
    if name not in MONTHS:
        raise DataError(path, f"sheet '{sheet}': '{_text(month_cell)}' is not a month name", line, "Period")
    start = int(found.group(1))
    return pd.Period(year=start if MONTHS[name] >= 4 else start + 1, month=MONTHS[name], freq="M")


def read_sheet(path: str | Path, sheet: str, columns: list[str]) -> pd.DataFrame:
    """One sheet's months (in file order, which must be consecutive) and the named columns, as counts."""
    path = Path(path)
    rows = sheet_rows(path, sheet)
    header, year = _header(path, sheet, rows)
    where = {name: _column(path, sheet, rows, header, name) for name in columns}
    out = []
    for i in range(header + 1, len(rows)):
        row, line = rows[i], i + 1
        first = _text(row[year]) if year < len(row) else ""
        if not first:
            if out:
                break  # the blank row before the notes ends the data
            continue
        month = _month(path, sheet, row[year], row[year + 1] if year + 1 < len(row) else None, line)
        out.append({"month": month, "row": line,
                    **{name: _count(path, sheet, row, where[name], line, name) for name in columns}})
    if not out:
        raise DataError(path, f"sheet '{sheet}' has no month rows under its header", header + 1)
    table = pd.DataFrame(out)
    check_runs_on(table["month"], path, table["row"], prefix=f"sheet '{sheet}': ")
    return table


def _notes(rows: list[list]) -> dict:
    notes = {}
    for row in rows[:HEADER_SEARCH]:
        cells = [_text(c) for c in row if _text(c)]
        if len(cells) >= 2 and cells[0].endswith(":"):
            notes[cells[0][:-1]] = cells[1]
    return notes


def _agree(path: Path, sheet: str, table: pd.DataFrame, parts: list[str], total: str = "Total"):
    """Every month's parts add up to its total (to the day): `completeness.check_parts`."""
    check_parts(table, path, total=total, parts=parts, label=lambda r: r["month"].strftime("%B %Y"),
                prefix=f"sheet '{sheet}': ")


def read_dtoc(path: str | Path) -> DtocFile:
    """The England monthly series of delayed days by responsible organisation and type of care, checked."""
    monthly = _read_monthly(path)
    notes = monthly.attrs.pop("notes")
    return DtocFile(monthly=monthly, notes=notes)


@cached_read
def _read_monthly(path: str | Path) -> pd.DataFrame:
    """`read_dtoc`'s monthly table, with the title rows' notes in its attrs (so it is kept as one table)."""
    path = Path(path)
    org = read_sheet(path, BY_ORG, [*ORG_COLUMNS, "Total"])
    _agree(path, BY_ORG, org, list(ORG_COLUMNS))
    kind = read_sheet(path, BY_TYPE, [*TYPE_COLUMNS, "Total"])
    _agree(path, BY_TYPE, kind, list(TYPE_COLUMNS))
    totals = org.set_index("month")["Total"]
    for sheet, table in ((BY_TYPE, kind), (BY_REASON, read_sheet(path, BY_REASON, ["Total"])),
                         (CROSS_TAB, read_sheet(path, CROSS_TAB, ["Total"]))):
        if list(table["month"]) != list(totals.index):
            raise DataError(path, f"sheet '{sheet}' covers {table['month'].iloc[0].strftime('%B %Y')} to "
                                  f"{table['month'].iloc[-1].strftime('%B %Y')}, not the months of '{BY_ORG}'")
        differs = (table["Total"].to_numpy() - totals.to_numpy()) != 0
        if differs.any():
            row = table[differs].iloc[0]
            raise DataError(path, f"sheet '{sheet}': total {row['Total']:,.0f} for {row['month'].strftime('%B %Y')} "
                                  f"differs from '{BY_ORG}' ({totals[row['month']]:,.0f})", int(row["row"]), "Total")
    monthly = org.rename(columns={**ORG_COLUMNS, "Total": "total"}).drop(columns="row")
    monthly = monthly.merge(kind.rename(columns=TYPE_COLUMNS)[["month", *TYPE_COLUMNS.values()]], on="month")
    monthly.attrs["notes"] = _notes(sheet_rows(path, BY_ORG))
    return monthly
