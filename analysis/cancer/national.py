"""Reader for NHS England's cancer waiting times national time series workbook.

The national time series workbook has sheets "Monthly Data", "Quarterly Data" and
"Annual Data", each with a block of columns per standard (period, Total, Within
Standard, Outside Standard, Performance) under the standard's title. Before a standard
existed its cells are blank or say "No Standard Set"; from its first count on, a blank
or suppressed cell is an error naming sheet, row and column. Outside must equal Total
minus Within, each whole year of "Annual Data" must equal the sum of its four
quarters in "Quarterly Data" (both hold on the real workbook for every year), and each
standard's months in "Monthly Data" run on without a gap.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..completeness import check_runs_on
from ..errors import DataError
from ..periods import FinancialYear
from ..readcache import cached_read
from ..schema import SUPPRESSED_MARKERS, Column, RowCheck, Schema
from ..workbook import sheet_rows
from .readers import ENGLAND, PERIOD_MAXIMUM, SCHEMA
from .standards import catalogue, known_keys

SUMMARY_SCHEMA = Schema(
    name="cancer waiting times (quarters and years)",
    columns={
        "standard": Column("text", allowed=known_keys()),
        "sheet": Column("text", allowed=frozenset({"Quarterly Data", "Annual Data"})),
        "year": Column("text"),
        "quarter": Column("count", non_negative=True, maximum=4),
        "total": Column("number", non_negative=True, maximum=PERIOD_MAXIMUM),
        "within": Column("number", non_negative=True, maximum=PERIOD_MAXIMUM),
    },
    row_checks=(RowCheck("within", "is more than the Total on the same row",
                         lambda d: d["within"] > d["total"] + 1e-9),),
)

# Block titles of the national time series (lower case) -> standard key; first match wins.
NATIONAL_TITLES = [
    (r"two week wait breast symptomatic", "tww_breast"),
    (r"two week wait from gp urgent referral", "tww"),
    (r"one month wait .* first treatment", "first_31"),
    (r"one month wait .* subsequent .*anti-cancer drug", "sub_31_drug"),
    (r"one month wait .* subsequent .*radiotherapy", "sub_31_radiotherapy"),
    (r"one month wait .* subsequent .*surgery", "sub_31_surgery"),
    (r"two month wait from gp urgent referral", "gp_62"),
    (r"two month wait from a national screening", "screening_62"),
    (r"two month wait following a consultant upgrade", "upgrade_62"),
    (r"four week \(28 days\) wait", "fds_28"),
]


def empty_summaries() -> pd.DataFrame:
    """A quarters-and-years table with no rows (no national workbook in the data)."""
    table = pd.DataFrame({c: pd.Series(dtype="object") for c in ("standard", "sheet", "year", "source_file")})
    for column in ("quarter", "source_row"):
        table[column] = pd.Series(dtype=int)
    table["total"] = table["within"] = pd.Series(dtype=float)
    return table


def _national_key(title: str, path, row: int, column: str) -> str:
    text = re.sub(r"\s+", " ", title).strip().lower()
    text = re.sub(r"^(one|two) month \((31|62) days\) wait", r"\1 month wait", text)  # "Quarterly Data" titles
    for pattern, key in NATIONAL_TITLES:
        if re.search(pattern, text):
            return key
    raise DataError(path, f"block title '{title.strip()}' is not a cancer waiting times standard "
                          "this handbook knows", row=row, column=column)


# The period column's heading on each sheet of the national series.
NATIONAL_SHEETS = {"Monthly Data": "Monthly", "Quarterly Data": "Quarterly", "Annual Data": "Year"}
COUNT_HEADINGS = ["Total", "Within Standard", "Outside Standard"]


def _national_period(value, sheet: str) -> tuple[str, int] | pd.Period | None:
    """A period cell: a month (Monthly Data), (year, quarter) or (year, 0) for a whole year.

    None for a year to date ("2023/24 YTD"), which is not a whole year.
    """
    if sheet == "Monthly Data":
        return pd.Period(value, freq="M") if isinstance(value, (dt.datetime, dt.date)) else False
    text = str(value).strip()
    if sheet == "Quarterly Data":
        match = re.fullmatch(r"(\d{2})/(\d{2}) Q([1-4])", text)
        if match and int(match.group(2)) == (int(match.group(1)) + 1) % 100:
            return FinancialYear(2000 + int(match.group(1))).label, int(match.group(3))
        return False
    match = re.fullmatch(r"(\d{4})/(\d{2})( YTD)?", text)
    if match and int(match.group(2)) == (int(match.group(1)) + 1) % 100:
        return None if match.group(3) else (FinancialYear(int(match.group(1))).label, 0)
    return False


def _count(value, where: str, row: int, column: str) -> float:
    """A count cell of the national series: a finite number, else an error saying what it is."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DataError(where, "is blank where a count must be (the standard has counts before "
                               "this row)", row=row, column=column)
    if isinstance(value, str) and value.strip() in SUPPRESSED_MARKERS:
        raise DataError(where, f"value {value.strip()!r} marks a suppressed count; the national series "
                               "must give a count here", row=row, column=column)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataError(where, f"value {value!r} is not a number", row=row, column=column)
    return float(value)


def _national_sheet(path: Path, sheet: str) -> pd.DataFrame:
    """Every standard's counts on one sheet of the national series, with sheet row and columns."""
    from openpyxl.utils import get_column_letter

    rows = sheet_rows(path, sheet)
    where = f"{path}, sheet '{sheet}'"
    header_row = next((i for i, r in enumerate(rows[:10]) if r and "Total" in r), None)
    if header_row is None or header_row < 2:
        raise DataError(where, "has no header row with 'Total' under the standards' titles")
    titles, header = rows[header_row - 2], rows[header_row]
    expected = [NATIONAL_SHEETS[sheet]] + COUNT_HEADINGS
    records = []
    for start, cell in enumerate(titles):
        if not isinstance(cell, str) or not cell.strip():
            continue
        key = _national_key(cell, where, header_row - 1, get_column_letter(start + 1))
        found = [header[i] if 0 <= i < len(header) else None for i in range(start - 1, start + 3)]
        if found != expected:
            raise DataError(where, f"the block '{cell.strip()}' lacks the columns "
                                   f"{', '.join(expected)} (found {found})", row=header_row + 1,
                            column=get_column_letter(max(start, 1)))
        letters = [get_column_letter(start + 1 + i) for i in range(3)]
        started = False
        for number, row in enumerate(rows[header_row + 1:], header_row + 2):
            cells = (row + [None] * (start + 3))[start - 1:start + 3]
            if cells[0] is None:
                continue
            period = _national_period(cells[0], sheet)
            if period is False:
                raise DataError(where, f"value {cells[0]!r} is not a {NATIONAL_SHEETS[sheet].lower()} "
                                       "period", row=number, column=get_column_letter(start))
            if not started:
                first = cells[1]
                if all(c is None for c in cells[1:]) or (isinstance(first, str) and "standard" in first.lower()):
                    continue  # before the standard existed
                started = True
            if period is None:
                continue  # a year to date
            total, within, outside = (_count(v, where, number, c) for v, c in zip(cells[1:], letters))
            if abs(total - within - outside) > 1e-6:
                raise DataError(where, f"Outside Standard ({outside:g}) is not Total ({total:g}) minus "
                                       f"Within Standard ({within:g})", row=number, column=letters[2])
            records.append({"standard": key, "period": period, "total": total, "within": within,
                            "source_row": number, "total_column": letters[0], "within_column": letters[1]})
    if not records:
        raise DataError(where, "has no rows of counts")
    table = pd.DataFrame(records)
    table["source_file"] = str(path)
    return table


@cached_read
def read_national_series(path: str | Path) -> pd.DataFrame:
    """The national time series workbook's "Monthly Data" sheet as a tidy table (England rows)."""
    path = Path(path)
    table = _national_sheet(path, "Monthly Data")
    table["month"] = pd.PeriodIndex(table.pop("period"), freq="M")
    table["suppressed"] = "no"
    table["organisation"], table["organisation_name"] = ENGLAND, "England"
    table["care_setting"], table["cancer_type"] = "all", "ALL CANCERS"
    where = f"{path}, sheet 'Monthly Data'"
    _check_national(table, where, SCHEMA)
    names = catalogue()["short_name"]
    for standard, rows in table.groupby("standard", sort=False):  # no month missing (completeness, part (b))
        check_runs_on(rows["month"], where, rows["source_row"], prefix=f"{names[standard]}: ")
    return table.drop(columns=["total_column", "within_column"])


@cached_read
def read_national_summaries(path: str | Path) -> pd.DataFrame:
    """The "Quarterly Data" and "Annual Data" sheets as one tidy table.

    Columns: standard, sheet, year ("2016-17"), quarter (1-4, or 0 for the whole year),
    total, within, source_file, source_row. Each whole year must equal its four quarters.
    """
    path = Path(path)
    tables = []
    for sheet in ("Quarterly Data", "Annual Data"):
        table = _national_sheet(path, sheet)
        table["year"] = [p[0] for p in table["period"]]
        table["quarter"] = [p[1] for p in table["period"]]
        table["sheet"] = sheet
        _check_national(table, f"{path}, sheet '{sheet}'", SUMMARY_SCHEMA)
        tables.append(table.drop(columns=["period"]))
    quarters, years = tables
    _check_years_against_quarters(years, quarters, path)
    return pd.concat(tables, ignore_index=True).drop(columns=["total_column", "within_column"])


def _check_national(table: pd.DataFrame, where: str, schema: Schema) -> None:
    """The schema, with errors naming the sheet's column letter."""
    try:
        schema.validate(table.drop(columns=["source_file"]), where)
    except DataError as exc:
        if exc.column in ("total", "within") and exc.row is not None:
            letter = table.loc[table["source_row"] == exc.row, f"{exc.column}_column"].iloc[0]
            raise DataError(where, exc.reason, row=exc.row, column=letter) from None
        raise


def _check_years_against_quarters(years: pd.DataFrame, quarters: pd.DataFrame, path: Path) -> None:
    """Each whole year of "Annual Data" is the sum of its four quarters in "Quarterly Data"."""
    summed = quarters.groupby(["standard", "year"]).agg(total=("total", "sum"), within=("within", "sum"),
                                                        quarters=("quarter", "nunique"))
    names = catalogue()["short_name"]
    for row in years.itertuples():
        where = f"{path}, sheet 'Annual Data'"
        if (row.standard, row.year) not in summed.index or summed.at[(row.standard, row.year), "quarters"] != 4:
            raise DataError(where, f"{names[row.standard]} {row.year} has a whole-year count but not four "
                                   "quarters in sheet 'Quarterly Data'", row=row.source_row,
                            column=row.total_column)
        for column in ("total", "within"):
            quarterly = float(summed.at[(row.standard, row.year), column])
            if abs(quarterly - getattr(row, column)) > 1e-6:
                raise DataError(where, f"{names[row.standard]} {row.year}: {getattr(row, column):,.1f} "
                                       f"({'Total' if column == 'total' else 'Within Standard'}) but its four "
                                       f"quarters in sheet 'Quarterly Data' add up to {quarterly:,.1f}",
                                row=row.source_row, column=getattr(row, f"{column}_column"))
