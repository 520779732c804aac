"""Readers for NHS England's cancer waiting times (CWT) publications.

Two published formats become one tidy table (see `SCHEMA`):

* the monthly provider-based CSVs ("YYYYMM-11.-62-Day-Wait-...-Provider-Data.csv"):
  title rows, a period row, then PART A (admitted care), PART B (non-admitted care) and
  PART C (all care), each with a header row, one row per provider and an
  "ALL ENGLISH PROVIDERS" row. The publisher's drift is handled: an extra
  "ONS AREA ID" column in 2015, footnote markers in column names ("ODS CODE (1)"),
  "PROVIDER" or "ACCOUNTABLE PROVIDER", "CANCER TYPE" or "TREATMENT TYPE", a period row
  written as "PERIOD: April 2016", an Excel day serial ("42705") or "Oct-15" (or left
  blank, when the month comes from the file name), and text in Windows-1252;
* the national time series workbook (sheet "Monthly Data"): per standard a block of
  columns (month, total, within, outside, performance) under the standard's title.

Counts can be halves: a patient shared by two providers counts 0.5 to each.
Suppressed cells (`*`) are read as missing with `suppressed` set, and are left out of
sums; the page reports how many rows that affected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..schema import Column, RowCheck, Schema, parse_numbers
from ..workbook import sheet_rows
from .standards import known_keys

ENGLAND = "ENGLAND"
ENGLAND_ROW_NAME = "ALL ENGLISH PROVIDERS"
CARE_SETTINGS = {"A": "admitted", "B": "non-admitted", "C": "all"}

SCHEMA = Schema(
    name="cancer waiting times",
    columns={
        "standard": Column("text", allowed=known_keys()),
        "organisation": Column("text"),
        "organisation_name": Column("text", nullable=True),
        "month": Column("month"),
        "care_setting": Column("text", allowed=frozenset(CARE_SETTINGS.values())),
        "cancer_type": Column("text"),
        "total": Column("number", non_negative=True, nullable=True),
        "within": Column("number", non_negative=True, nullable=True),
        "suppressed": Column("text", nullable=True),
    },
    row_checks=(RowCheck("within", "is more than the TOTAL treated on the same row",
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


def _columns(header: list[str], path: Path, row: int) -> dict[str, int]:
    """Positions of the columns the reader needs, named for the user when missing."""
    names = [_normalise(h) for h in header]
    found = {}
    wanted = {
        "ods": ("ODS CODE",),
        "name": ("ACCOUNTABLE PROVIDER", "PROVIDER"),
        "setting": ("CARE SETTING",),
        "cancer_type": ("CANCER TYPE", "TREATMENT TYPE"),
        "total": ("TOTAL",),
    }
    for key, options in wanted.items():
        for option in options:
            if option in names:
                found[key] = names.index(option)
                break
        else:
            raise DataError(path, f"the header has no '{options[0]}' column", row=row, column=options[0])
    after_total = names[found["total"] + 1:]
    within = [i for i, n in enumerate(after_total) if re.fullmatch(r"WITHIN \d+ DAYS", n)]
    if not within:
        raise DataError(path, "the header has no 'WITHIN n DAYS' column after TOTAL", row=row,
                        column="WITHIN n DAYS")
    found["within"] = found["total"] + 1 + within[0]
    found["within_name"] = header[found["within"]].strip()
    return found


def month_from_filename(path: Path) -> pd.Period | None:
    match = re.match(r"(\d{4})(\d{2})-", Path(path).name)
    if match and 1 <= int(match.group(2)) <= 12:
        return pd.Period(year=int(match.group(1)), month=int(match.group(2)), freq="M")
    return None


def read_provider_csv(path: str | Path) -> pd.DataFrame:
    """One published provider-based CWT CSV as a tidy table (all three parts)."""
    path = Path(path)
    rows = list(csv.reader(io.StringIO(_decode(path))))
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

    records, setting, columns = [], None, None
    for number, row in enumerate(rows, 1):
        first = next((c.strip() for c in row if c.strip()), "")
        part = re.match(r"PART ([ABC])\b", first.upper())
        if part:
            setting, columns = CARE_SETTINGS[part.group(1)], None
            continue
        if setting is None:
            continue
        if columns is None:
            if any(_normalise(c) == "ODS CODE" for c in row):
                columns = _columns(row, path, number)
            continue
        if not first:
            continue
        cells = row + [""] * (len(row) < columns["within"] + 1) * (columns["within"] + 1 - len(row))
        name = cells[columns["name"]].strip()
        code = cells[columns["ods"]].strip()
        if name.upper() == ENGLAND_ROW_NAME:
            code = ENGLAND
        elif not code:
            continue  # footnotes and notes below the table
        records.append({
            "organisation": code.upper(), "organisation_name": name,
            "care_setting": setting, "cancer_type": cells[columns["cancer_type"]].strip().upper(),
            "total": cells[columns["total"]], "within": cells[columns["within"]],
            "source_row": number,
        })
    if not records:
        raise DataError(path, "has no provider rows under PART A, B or C")
    table = pd.DataFrame(records)
    table["source_file"] = str(path)
    total, total_suppressed = parse_numbers(table["total"], "TOTAL", path, table["source_row"])
    within, within_suppressed = parse_numbers(table["within"], columns["within_name"], path,
                                              table["source_row"])
    table["total"], table["within"] = total, within
    for column, values, label in (("total", total, "TOTAL"), ("within", within, columns["within_name"])):
        empty = values.isna() & ~(total_suppressed | within_suppressed)
        if empty.any():
            raise DataError(path, "is empty", row=int(table.loc[empty, "source_row"].iloc[0]), column=label)
    table["suppressed"] = (total_suppressed | within_suppressed).map({True: "yes", False: "no"})
    table["standard"] = standard
    table["month"] = pd.PeriodIndex([month] * len(table), freq="M")
    return _check(table, path)


def _check(table: pd.DataFrame, path) -> pd.DataFrame:
    try:
        SCHEMA.validate(table, str(path))
    except DataError as exc:
        if exc.column == "within" or exc.column == "total":
            raise DataError(exc.path, str(exc).split(": ", 1)[-1].replace(
                f"column '{exc.column}': ", ""), row=exc.row,
                column=exc.column.upper() if exc.column == "total" else "WITHIN") from None
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
    return _check(table, "provider files")


def empty_table() -> pd.DataFrame:
    columns = ["standard", "organisation", "organisation_name", "month", "care_setting", "cancer_type",
               "total", "within", "suppressed", "source_file", "source_row"]
    table = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    table["month"] = pd.PeriodIndex([], freq="M")
    table["total"] = table["within"] = pd.Series(dtype=float)
    return table


def _national_key(title: str, path: Path, column: str) -> str:
    text = re.sub(r"\s+", " ", title).strip().lower()
    for pattern, key in NATIONAL_TITLES:
        if re.search(pattern, text):
            return key
    raise DataError(path, f"block title '{title.strip()}' is not a cancer waiting times standard "
                          "this handbook knows", row=2, column=column)


def read_national_series(path: str | Path) -> pd.DataFrame:
    """The national time series workbook's monthly sheet as a tidy table (England rows)."""
    from openpyxl.utils import get_column_letter

    path = Path(path)
    rows = sheet_rows(path, "Monthly Data")
    header_row = next((i for i, r in enumerate(rows[:10]) if r and "Total" in r), None)
    if header_row is None:
        raise DataError(path, "sheet 'Monthly Data' has no header row with 'Total'")
    titles, header = rows[header_row - 2], rows[header_row]
    records = []
    for start, cell in enumerate(titles):
        if not isinstance(cell, str) or not cell.strip():
            continue
        column = get_column_letter(start + 1)
        key = _national_key(cell, path, column)
        expected = ["Total", "Within Standard"]
        if start < 1 or list(header[start:start + 2]) != expected:
            raise DataError(path, f"the block '{cell.strip()}' lacks the columns Total and Within "
                                  "Standard", row=header_row + 1, column=column)
        for offset, row in enumerate(rows[header_row + 1:], header_row + 2):
            when = row[start - 1] if start - 1 < len(row) else None
            if when is None:
                continue
            if not isinstance(when, (dt.datetime, dt.date)):
                raise DataError(path, f"value {when!r} is not a month", row=offset,
                                column=get_column_letter(start))
            total, within = row[start], row[start + 1]
            if total is None or (isinstance(total, str) and "standard" in total.lower()):
                continue  # before the standard existed
            records.append({"standard": key, "month": pd.Period(when, freq="M"), "total": total,
                            "within": within, "source_row": offset,
                            "total_column": get_column_letter(start + 1),
                            "within_column": get_column_letter(start + 2)})
    if not records:
        raise DataError(path, "sheet 'Monthly Data' has no monthly rows")
    table = pd.DataFrame(records)
    for column in ("total", "within"):
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() & table[column].notna()
        if bad.any():
            first = table.loc[bad].iloc[0]
            raise DataError(path, f"value {first[column]!r} is not a number", row=int(first["source_row"]),
                            column=first[f"{column}_column"])
        table[column] = values.astype(float)
    table = table.drop(columns=["total_column", "within_column"])
    table["suppressed"] = "no"
    table["organisation"], table["organisation_name"] = ENGLAND, "England"
    table["care_setting"], table["cancer_type"] = "all", "ALL CANCERS"
    table["source_file"] = str(path)
    table["month"] = pd.PeriodIndex(table["month"], freq="M")
    return _check(table, path)
