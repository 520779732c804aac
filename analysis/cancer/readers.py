"""Readers for NHS England's cancer waiting times (CWT) publications.

The monthly provider files become a tidy table (the national time series: `analysis.cancer.national`):

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
  blank, when the month comes from the file name), and text in Windows-1252.

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

from ..completeness import check_national, refuse_cut_short
from ..errors import DataError
from ..schema import Column, RowCheck, Schema, parse_numbers, sniff_text
from ..readcache import cached_read
from .standards import catalogue, known_keys

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
