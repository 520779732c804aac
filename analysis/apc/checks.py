"""Checks that stop a run on record-level extracts rather than let a figure change.

They act on the aggregates of the measures' scans (`analysis.apc.measures.expressions`), in
pandas, whichever engine ran them. Only when a check fails does a small query on the engine
fetch one example row, and only then is the file read here, to give the example's line.

- Episode keys: every emergency first episode (the episodes the figures count) has an EPIKEY,
  and no EPIKEY among them is read twice, whether from one file or from two (a backup copy
  under the data folder, an old copy of a partition). Keys of other episodes change no
  figure and are not compared: an exact distinct count of every key cost about six times
  the aggregation's time and nine times its memory at 50 million episodes.
- Financial years: a year is read from one place. Files in one folder, or under one `FYEAR=`
  partition folder, may share a year (a year written in parts); files in two places may not.
- Exclusions: each reason that means a value could not be read or is out of range
  (`measures.VALUE_REASONS`) may leave out at most MAX_EXCLUDED_SHARE of the episodes it
  looks at; more stops the run, naming the file, the line, the column and the value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from ..errors import DataError
from .measures import VALUE_REASONS, financial_years
from .reader import DATE_FORMATS, SOURCE, execute, locate, typed

MAX_EXCLUDED_SHARE = 0.01
"""The share of the episodes a reason looks at that it may leave out for unreadable or
out-of-range values (1%); more is a file read wrongly, not a few bad cells."""

READ_AS = {"ADMIDATE": f"dates are read as {DATE_FORMATS}, a time after the date ignored",
           "ADMIMETH": "admission methods are HES codes (11-13, 21-25, 28, 2A-2D, 31, 32, 81-83, 98, 99), also "
                       "written as numbers such as 21.0",
           "EPIORDER": "episode orders are whole numbers from 1 to 99",
           "STARTAGE": "ages are whole numbers of years from 0 to 120, or 7001-7007 for infants",
           "SPELDUR": "lengths of stay are whole numbers of days from 0 to 3,650"}


def _where(records, source: str, key) -> tuple[str, int | None]:
    """The file (or table) of an example, and the example's line when the file is known."""
    if not records.files:
        return records.name, None
    rows = locate(Path(source), key)
    return source, (rows[0] if rows else None)


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def check_keys(records, keys: pd.DataFrame, table) -> None:
    """Every episode of `table` (the emergency first episodes, which the figures count) has a key
    and no key is read twice (DataError naming both places, one key)."""
    episodes, keyed, distinct = (int(keys[c].iloc[0]) for c in ("episodes", "keyed", "keys"))
    if keyed < episodes:
        row = execute(records, table.filter(table.EPIKEY.isnull()).select(source=table[SOURCE]).limit(1))
        path, line = _where(records, row["source"].iloc[0], None)
        raise DataError(path, f"{episodes - keyed:,} of the {episodes:,} episodes have no episode key (EPIKEY); every "
                              "episode needs its key, so that none is counted twice", row=line, column="EPIKEY")
    if distinct == keyed:
        return
    twice = table.group_by("EPIKEY").aggregate(copies=table.count())
    key = _plain(execute(records, twice.filter(twice.copies > 1).select("EPIKEY").limit(1))["EPIKEY"].iloc[0])
    extra = f"{keyed - distinct:,} episode{'s' if keyed - distinct != 1 else ''} in all"
    why = ("the same episode read twice would be counted twice; keep one copy of each extract under the data folder "
           "(a backup or an old copy of a partition is read too)")
    if not records.files:
        raise DataError(records.name, f"episode key {key} appears more than once ({extra}): {why}", column="EPIKEY")
    places = execute(records, table.filter(table.EPIKEY == key).select(source=table[SOURCE]).limit(2))["source"]
    first, second = sorted(places)
    if first == second:
        rows = locate(Path(first), key, 2) + [None, None]
        raise DataError(first, f"episode key {key} appears again at row {rows[1]} ({extra}): {why}", row=rows[0],
                        column="EPIKEY")
    _, line = _where(records, first, key)
    _, other = _where(records, second, key)
    raise DataError(second, f"episode key {key} is also in {first}" + (f" (row {line})" if line else "")
                    + f" ({extra}): {why}", row=other, column="EPIKEY")


def partition_of(source: str) -> str:
    """Where a file's episodes belong: its `FYEAR=` partition folder when it has one, else its folder."""
    parts = Path(source).parts
    for i, part in enumerate(parts[:-1]):
        if part.upper().startswith("FYEAR="):
            return str(Path(*parts[:i + 1]))
    return str(Path(source).parent)


def check_years(records, orders: pd.DataFrame) -> list[str]:
    """The records' financial years ("2015-16"), each read from one place (DataError naming the
    file of a FYEAR value that is not a year, or both places holding one year)."""
    places: dict[str, tuple[str, str]] = {}
    for source, values in orders.groupby("source", sort=True)["year"]:
        try:
            years = financial_years(values.unique())
        except DataError as error:
            raise DataError(source, error.reason, column="FYEAR") from None
        place = partition_of(source) if records.files else source
        for year in years:
            seen = places.setdefault(year, (place, source))
            if seen[0] != place:
                raise DataError(source, f"holds episodes of financial year {year.replace('-', '/')}, as {seen[1]} "
                                        "does: a year read from two places would be counted twice; keep one copy of "
                                        "each extract under the data folder (a year may be split into files in one "
                                        "folder, or under one FYEAR= folder)", column="FYEAR")
    return sorted(places)


def check_exclusions(records, excluded: dict, looked_at: dict, condition: Callable) -> None:
    """Each of VALUE_REASONS leaves out at most MAX_EXCLUDED_SHARE of the episodes it looks at;
    `condition(table, reason)` is the reason as a row condition, to fetch an example."""
    for reason, (column, episodes) in VALUE_REASONS.items():
        count, total = int(excluded[reason]), looked_at[episodes]
        if not total or count / total <= MAX_EXCLUDED_SHARE:
            continue
        table = typed(records.raw, written=column)
        chosen = table.filter(condition(table, reason))
        written = chosen.written.strip()
        example = execute(records, chosen.filter(written.notnull() & (written != "")).select(
            "EPIKEY", "written", source=chosen[SOURCE]).limit(1))
        if example.empty:  # only blank cells
            example = execute(records, chosen.select("EPIKEY", "written", source=chosen[SOURCE]).limit(1))
        row = example.iloc[0]
        path, line = _where(records, row["source"], _plain(row["EPIKEY"]))
        value = row["written"]
        shown = "the cell is blank" if value is None or pd.isna(value) or not str(value).strip() else (
            f"value {str(value)!r} cannot be read or is out of range")
        raise DataError(path, f"{shown}; \"{reason}\" leaves out {count:,} of the {total:,} {episodes} "
                              f"({count / total:.1%}), more than the {MAX_EXCLUDED_SHARE:.0%} a run accepts, so the "
                              f"file is not read as it was meant ({READ_AS[column]})", row=line, column=column)


__all__ = ["MAX_EXCLUDED_SHARE", "check_keys", "check_years", "check_exclusions", "partition_of"]
