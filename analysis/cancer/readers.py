"""Readers for NHS England's cancer waiting times (CWT) publications.

Two published formats become tidy tables:

* the monthly provider-based CSVs ("YYYYMM-11.-62-Day-Wait-...-Provider-Data.csv"):
  title rows, a period row, then PART A (admitted care), PART B (non-admitted care) and
  PART C (all care), each with a header row, one row per provider and an
  "ALL ENGLISH PROVIDERS" row (see `SCHEMA`). Every part must be there with its England
  row, and the providers of each part must add up to it (`analysis.completeness`, part (c)),
  so a file cut short or missing rows is an error, never a smaller figure; the file must end
  with a line end unless its last line is a note below the table (June 2015's 31-day file ends
  so). The months are not judged against each other (part (b)): each file's own England rows
  already check it whole, and providers come and go (the radiotherapy files of 2015 to 2017
  hold 51 to 62 providers, with gaps of up to 5.5% of a month's patients). Columns are found by their exact published
  names (footnote markers such as "(1)" aside): `TOTAL`, `WITHIN n DAYS` and
  `AFTER n DAYS`, n being the standard's days, and WITHIN plus AFTER must equal TOTAL on
  every row. The publisher's drift is handled: an extra "ONS AREA ID" column in 2015,
  "PROVIDER" or "ACCOUNTABLE PROVIDER", "CANCER TYPE" or "TREATMENT TYPE", a period row
  written as "PERIOD: April 2016", an Excel day serial ("42705") or "Oct-15" (or left
  blank, when the month comes from the file name), and text in Windows-1252;
* the national time series workbook: sheets "Monthly Data", "Quarterly Data" and
  "Annual Data", each with a block of columns per standard (period, Total, Within
  Standard, Outside Standard, Performance) under the standard's title. Before a standard
  existed its cells are blank or say "No Standard Set"; from its first count on, a blank
  or suppressed cell is an error naming sheet, row and column. Outside must equal Total
  minus Within, each whole year of "Annual Data" must equal the sum of its four
  quarters in "Quarterly Data" (both hold on the real workbook for every year), and each
  standard's months in "Monthly Data" run on without a gap.

Counts can be halves: a patient shared by two providers counts 0.5 to each.
Suppressed provider cells (`*`) are read as missing with `suppressed` set, and are left
out of sums; the page reports how many rows that affected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from ..completeness import check_national, check_runs_on, refuse_cut_short
from ..errors import DataError
from ..periods import FinancialYear
from ..schema import SUPPRESSED_MARKERS, Column, RowCheck, Schema, parse_numbers, sniff_text
from ..workbook import sheet_rows
from .standards import catalogue, known_keys
from ..readcache import cached_read

ENGLAND = "ENGLAND"
ENGLAND_ROW_NAME = "ALL ENGLISH PROVIDERS"
CARE_SETTINGS = {"A": "admitted", "B": "non-admitted", "C": "all"}

# The largest plausible count of one row. No standard has come near a million patients in a
# month in England (the largest, the two-week wait, peaks at 269,256 in the national series
# to September 2023), nor ten million in a quarter or year (2,889,804 at most).
MONTHLY_MAXIMUM = 1_000_000
PERIOD_MAXIMUM = 10_000_000

SCHEMA = Schema(
    name="cancer waiting times",
    columns={
        "standard": Column("text", allowed=known_keys()),
        "organisation": Column("text"),
        "organisation_name": Column("text", nullable=True),
        "month": Column("month"),
        "care_setting": Column("text", allowed=frozenset(CARE_SETTINGS.values())),
        "cancer_type": Column("text"),
        "total": Column("number", non_negative=True, nullable=True, maximum=MONTHLY_MAXIMUM),
        "within": Column("number", non_negative=True, nullable=True, maximum=MONTHLY_MAXIMUM),
        "suppressed": Column("text", nullable=True),
    },
    row_checks=(RowCheck("within", "is more than the TOTAL treated on the same row",
                         lambda d: d["within"] > d["total"] + 1e-9),),
)

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

# Title text (upper case) of each provider file -> standard key.
PROVIDER_TITLES = [
    (r"62-DAY .*URGENT GP REFERRAL", "gp_62"),
    (r"62-DAY .*SCREENING", "screening_62"),
    (r"62-DAY .*UPGRADE", "upgrade_62"),
    (r"31-DAY .*FIRST TREATMENT", "first_31"),
    (r"31-DAY .*SUBSEQUENT TREATMENT: RADIOTHERAPY", "sub_31_radiotherapy"),
    (r"31-DAY .*SUBSEQUENT TREATMENT: SURGERY", "sub_31_surgery"),
    (r"31-DAY .*SUBSEQUENT TREATMENT: ANTI-CANCER DRUG", "sub_31_drug"),
    (r"TWO WEEK WAIT.*BREAST", "tww_breast"),
    (r"TWO WEEK WAIT", "tww"),
]

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

# Days of each standard, as in its provider file's column names (WITHIN 62 DAYS ...). Only the
# 62-day and 31-day layouts were seen in published files; the others follow the same pattern.
STANDARD_DAYS = {"gp_62": 62, "screening_62": 62, "upgrade_62": 62, "first_31": 31,
                 "sub_31_radiotherapy": 31, "sub_31_surgery": 31, "sub_31_drug": 31,
                 "tww": 14, "tww_breast": 14}

MONTHS = {m.upper(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August",
     "September", "October", "November", "December"], 1)}


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(path, "cannot be read as text")  # latin-1 never fails; kept for clarity


def _standard_from_title(title: str, path: Path) -> str:
    text = title.upper()
    for pattern, key in PROVIDER_TITLES:
        if re.search(pattern, text):
            return key
    raise DataError(path, f"title '{title.strip()}' is not a cancer waiting times standard "
                          "this handbook knows", row=1)


def parse_period_cell(text: str) -> pd.Period | None:
    """The month in a provider file's period row, in any of its three published forms."""
    text = text.strip()
    match = re.fullmatch(r"PERIOD:\s*([A-Za-z]+)\s+(\d{4})", text, flags=re.IGNORECASE)
    if match and match.group(1).upper() in MONTHS:
        return pd.Period(year=int(match.group(2)), month=MONTHS[match.group(1).upper()], freq="M")
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel day serial, e.g. 42705 = 1 December 2016
        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text)))
        return pd.Period(day, freq="M")
    match = re.fullmatch(r"([A-Za-z]{3})-(\d{2})", text)
    if match:
        try:
            return pd.Period(dt.datetime.strptime(text.title(), "%b-%y"), freq="M")
        except ValueError:
            return None
    return None


def _normalise(header: str) -> str:
    """'ODS CODE (1)' -> 'ODS CODE'; 'ACCOUNTABLE PROVIDER (4) (5)' -> 'ACCOUNTABLE PROVIDER'."""
    return re.sub(r"\s+", " ", re.sub(r"\(\d+\)", "", header)).strip().upper()


# Published names of the descriptive columns; one of each tuple must be present.
NAME_COLUMNS = {
    "ods": ("ODS CODE",),
    "name": ("ACCOUNTABLE PROVIDER", "PROVIDER"),
    "setting": ("CARE SETTING",),
    "cancer_type": ("CANCER TYPE", "TREATMENT TYPE"),
}


def _columns(header: list[str], path: Path, row: int, days: int) -> dict:
    """Positions of the columns the reader needs, each by its exact published name.

    Where a name appears twice (the 31-day files repeat WITHIN 31 DAYS as the first day
    band), the first is the standard's; the check that WITHIN plus AFTER equals TOTAL on
    every row would show a day band taken in its place.
    """
    names = [_normalise(h) for h in header]
    wanted = {**NAME_COLUMNS, "total": ("TOTAL",), "within": (f"WITHIN {days} DAYS",),
              "after": (f"AFTER {days} DAYS",)}
    found = {}
    for key, options in wanted.items():
        position = next((names.index(o) for o in options if o in names), None)
        if position is None:
            raise DataError(path, f"the header has no '{options[0]}' column", row=row, column=options[0])
        found[key] = position
    found["names"] = {key: wanted[key][0] if key in ("total", "within", "after") else names[found[key]]
                      for key in wanted}
    return found


def month_from_filename(path: Path) -> pd.Period | None:
    match = re.match(r"(\d{4})(\d{2})-", Path(path).name)
    if match and 1 <= int(match.group(2)) <= 12:
        return pd.Period(year=int(match.group(1)), month=int(match.group(2)), freq="M")
    return None


@cached_read
def read_provider_csv(path: str | Path) -> pd.DataFrame:
    """One published provider-based CWT CSV as a tidy table (all three parts, England rows kept)."""
    path = Path(path)
    sniff_text(path)
    rows = list(csv.reader(io.StringIO(_decode(path), newline="")))
    if not rows or not rows[0] or not rows[0][0].strip():
        raise DataError(path, "is empty or has no title row", row=1)
    standard = _standard_from_title(rows[0][0], path)
    month, number = None, None
    for number, row in enumerate(rows[:10], 1):
        if row and row[0].strip() and (month := parse_period_cell(row[0])) is not None:
            break
    named = month_from_filename(path)
    if month is None and named is None:
        raise DataError(path, "has no period row (expected 'PERIOD: April 2016', an Excel date "
                              "serial or 'Oct-15' in the first rows) and no YYYYMM- in its name")
    if month is not None and named is not None and named != month:
        raise DataError(path, f"the period row says {month.strftime('%B %Y')} but the file name "
                              f"says {named.strftime('%B %Y')}", row=number)
    month = month or named  # some files (February 2017) leave the period row blank

    records, part, columns, headers = [], None, None, {}
    for number, row in enumerate(rows, 1):
        first = next((c.strip() for c in row if c.strip()), "")
        match = re.match(r"PART ([ABC])\b", first.upper())
        if match:
            part, columns = match.group(1), None
            continue
        if part is None:
            continue
        if columns is None:
            if any(_normalise(c) == "ODS CODE" for c in row):
                columns = headers[part] = _columns(row, path, number, STANDARD_DAYS[standard])
            continue
        if not first:
            continue
        width = max(columns[k] for k in ("ods", "name", "setting", "cancer_type", "total", "within", "after"))
        cells = row + [""] * max(0, width + 1 - len(row))
        name = cells[columns["name"]].strip()
        code = cells[columns["ods"]].strip()
        if name.upper() == ENGLAND_ROW_NAME:
            code = ENGLAND
        elif not code:
            continue  # footnotes and notes below the table
        records.append({
            "organisation": code.upper(), "organisation_name": name, "part": part,
            "care_setting": CARE_SETTINGS[part], "cancer_type": cells[columns["cancer_type"]].strip().upper(),
            "total": cells[columns["total"]], "within": cells[columns["within"]],
            "after": cells[columns["after"]], "source_row": number,
        })
    missing = [p for p in CARE_SETTINGS if p not in headers]
    if missing:
        raise DataError(path, f"has no PART {missing[0]} ({CARE_SETTINGS[missing[0]]} care) with a header "
                              "row; every provider file has PARTS A, B and C, so this one is cut "
                              "short or not in the published layout")
    refuse_cut_short(path, last_read_row=max((r["source_row"] for r in records), default=None))
    table = pd.DataFrame(records)
    table["source_file"] = str(path)
    names = headers["C"]["names"]
    parsed = {}
    for column in ("total", "within", "after"):
        parsed[column] = parse_numbers(table[column], names[column], path, table["source_row"])
    suppressed = parsed["total"][1] | parsed["within"][1] | parsed["after"][1]
    for column in ("total", "within", "after"):
        values = parsed[column][0]
        empty = values.isna() & ~suppressed
        if empty.any():
            raise DataError(path, "is empty", row=int(table.loc[empty, "source_row"].iloc[0]), column=names[column])
        table[column] = values
    table["suppressed"] = suppressed.map({True: "yes", False: "no"})
    table["standard"] = standard
    table["month"] = pd.PeriodIndex([month] * len(table), freq="M")
    _check(table, path, names)
    _check_after(table, path, names)
    _check_england_rows(table, path, names)
    return table.drop(columns=["after", "part"])


def _check_after(table: pd.DataFrame, path: Path, names: dict) -> None:
    """WITHIN plus AFTER equals TOTAL on every row (a day band read as WITHIN would break it)."""
    bad = (table["suppressed"] == "no") & ((table["within"] + table["after"] - table["total"]).abs() > 1e-6)
    if bad.any():
        first = table.loc[bad].iloc[0]
        raise DataError(path, f"{names['within']} ({first['within']:g}) plus {names['after']} "
                              f"({first['after']:g}) is not the {names['total']} ({first['total']:g})",
                        row=int(first["source_row"]), column=names["within"])


def _check_england_rows(table: pd.DataFrame, path: Path, names: dict) -> None:
    """Each part has one ALL ENGLISH PROVIDERS row, not suppressed, and its providers add up to it
    (`completeness.check_national`); with a suppressed provider row in a part, the providers left
    may only fall short of it."""
    standard = catalogue().at[table["standard"].iloc[0], "short_name"]
    suppressed = table["suppressed"] == "yes"
    check_national(table, path, national=table["organisation"] == ENGLAND, group=["part"], expected=list(CARE_SETTINGS),
                   columns={"total": names["total"], "within": names["within"]}, tolerance=1e-6,
                   describe=lambda part: f"{standard}, PART {part} ({CARE_SETTINGS[part]} care)",
                   national_name=ENGLAND_ROW_NAME, parts_noun="providers", withheld=suppressed,
                   may_fall_short=suppressed)


def _check(table: pd.DataFrame, path, names: dict | None = None) -> pd.DataFrame:
    """The schema, with errors naming the file's own column; and no row twice."""
    names = names or {"total": "TOTAL", "within": "WITHIN"}
    try:
        SCHEMA.validate(table, str(path))
    except DataError as exc:
        if exc.column in ("within", "total"):
            raise DataError(exc.path, exc.reason, row=exc.row, column=names[exc.column]) from None
        raise
    key = ["standard", "organisation", "month", "care_setting", "cancer_type"]
    duplicated = table.duplicated(key, keep="first")
    if duplicated.any():
        first = table.loc[duplicated].iloc[0]
        raise DataError(first["source_file"], f"organisation {first['organisation']} appears twice "
                        f"for {first['month'].strftime('%B %Y')} ({first['care_setting']} care)",
                        row=int(first["source_row"]), column="ODS CODE")
    return table


def read_provider_files(paths) -> pd.DataFrame:
    """Several provider files as one table; the same provider and month twice is an error."""
    paths = list(paths)
    if not paths:
        return empty_table()
    table = pd.concat([read_provider_csv(p) for p in paths], ignore_index=True)
    table["month"] = pd.PeriodIndex(table["month"], freq="M")
    return _check(table, "provider files")


def empty_table() -> pd.DataFrame:
    columns = ["standard", "organisation", "organisation_name", "month", "care_setting", "cancer_type",
               "total", "within", "suppressed", "source_file", "source_row"]
    table = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    table["month"] = pd.PeriodIndex([], freq="M")
    table["total"] = table["within"] = pd.Series(dtype=float)
    return table


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
