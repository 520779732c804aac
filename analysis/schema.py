"""Tidy tables with declared columns, checked with errors that name file, row and column.

Readers keep two locating columns on every tidy table, `source_file` and
`source_row` (the 1-based row a user sees when opening the file), so any check
made after reading can still point at the offending cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import DataError

SUPPRESSED_MARKERS = frozenset({"*", "-", ".."})
"""Cell values publishers use for a suppressed or not-applicable count."""
_MARKERS = pa.array(sorted(SUPPRESSED_MARKERS), pa.string())

LOCATING_COLUMNS = ("source_file", "source_row")


@dataclass(frozen=True)
class Column:
    """One column of a tidy table.

    kind: "text", "number" (float, may be a half), "count" (whole number) or "month"
    (pandas Period, monthly). `allowed` restricts text values; `nullable` allows missing
    values (a suppressed count, say); `non_negative` forbids values below zero; `maximum`
    is the largest plausible value for the dataset (a count above it is a damaged cell,
    not a statistic). Numbers must always be finite.
    """

    kind: str
    allowed: frozenset[str] | None = None
    nullable: bool = False
    non_negative: bool = False
    maximum: float | None = None


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns: `bad(df)` returns a boolean mask of rows that break it."""

    column: str
    message: str
    bad: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Schema:
    name: str
    columns: dict[str, Column]
    row_checks: tuple[RowCheck, ...] = field(default_factory=tuple)

    def validate(self, df: pd.DataFrame, path: str | None = None) -> pd.DataFrame:
        """Return `df` if it meets the schema, else raise DataError at the first bad cell."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise DataError(path or self.name,
                            f"the {self.name} table lacks column(s) {', '.join(missing)}")
        for name, col in self.columns.items():
            values = df[name]
            absent = values.isna()
            if not col.nullable and absent.any():
                _fail(df, absent, name, "is blank or suppressed, where a value is required", path)
            if col.kind in ("number", "count"):
                if not pd.api.types.is_numeric_dtype(values):
                    raise DataError(path or self.name, f"column '{name}' is not numeric")
                _fail(df, values.notna() & ~np.isfinite(values.astype(float)), name,
                      "is not a finite number", path)
                if col.maximum is not None:
                    _fail(df, values > col.maximum, name,
                          f"is larger than any plausible value ({col.maximum:,.0f}) for this dataset", path)
                if col.non_negative:
                    _fail(df, values < 0, name, "is negative; counts cannot be below zero", path)
                if col.kind == "count":
                    _fail(df, values.notna() & (values % 1 != 0), name,
                          "is not a whole number", path)
            elif col.kind == "month":
                if not isinstance(values.dtype, pd.PeriodDtype) or str(values.dtype) != "period[M]":
                    raise DataError(path or self.name, f"column '{name}' does not hold months")
            elif col.kind == "text" and col.allowed is not None:
                unknown = values.notna() & ~values.isin(col.allowed)
                if unknown.any():
                    _fail(df, unknown, name,
                          f"is not one of: {', '.join(sorted(col.allowed))}", path)
        for check in self.row_checks:
            _fail(df, check.bad(df).fillna(False).astype(bool), check.column, check.message, path)
        return df


def _fail(df: pd.DataFrame, mask: pd.Series, column: str, message: str, path: str | None):
    if not mask.any():
        return
    first = mask[mask].index[0]
    row = df.at[first, "source_row"] if "source_row" in df.columns else None
    where = df.at[first, "source_file"] if "source_file" in df.columns else (path or "table")
    value = df.at[first, column]
    if hasattr(value, "item"):
        value = value.item()
    shown = "the cell" if pd.isna(value) else f"value {value!r}"
    raise DataError(where, f"{shown} {message}", row=None if row is None else int(row),
                    column=column)


def parse_numbers(cells: pd.Series, column: str, path, rows: pd.Series,
                  required: bool = False) -> tuple[pd.Series, pd.Series]:
    """Turn published cells into floats.

    Returns (values, suppressed): a suppression marker (`*`, `-`, `..`) becomes NaN with
    suppressed=True; an empty cell becomes NaN with suppressed=False; thousands
    separators are accepted; anything else that is not a finite number (text, `inf`,
    `nan`) raises DataError with the file, row and column. With `required`, a count
    must be there: a suppressed or blank cell is a DataError saying which it is.
    """
    text = pa.array(cells.astype("string").str.strip().str.replace(",", "", regex=False).array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    suppressed = pc.is_in(text, value_set=_MARKERS).fill_null(False).to_numpy(zero_copy_only=False)
    empty = pc.equal(text, "").fill_null(True).to_numpy(zero_copy_only=False)
    if required:
        for mask, why in ((suppressed, "is suppressed (a publisher's marker for a withheld count), "
                                       "but this column needs a count on every row"),
                          (empty, "is blank, but this column needs a count on every row "
                                  "(a blank is not read as zero)")):
            if mask.any():
                first = cells.index[mask.argmax()]
                shown = "the cell" if pd.isna(cells[first]) or not str(cells[first]).strip() \
                    else f"value {cells[first]!r}"
                raise DataError(path, f"{shown} {why}", row=int(rows[first]), column=column)
    wanted = pc.if_else(pa.array(suppressed | empty), pa.scalar(None, pa.string()), text)
    try:  # Arrow's parser reads what pandas' does, and refuses more; a column it refuses goes to pandas
        values = pc.cast(wanted, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        values = pd.to_numeric(wanted.to_pandas(), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    values = values + 0.0  # "-0" is 0, as pandas reads it
    bad = ~np.isfinite(values) & ~suppressed & ~empty
    if bad.any():
        first = cells.index[bad.argmax()]
        raise DataError(path, f"value {cells[first]!r} is not a number", row=int(rows[first]),
                        column=column)
    return (pd.Series(values, index=cells.index, name=cells.name),
            pd.Series(suppressed, index=cells.index, name=cells.name))


def sniff_text(path, encodings: str = "UTF-8 (or Windows-1252)") -> None:
    """Refuse a file that is not a plain-text CSV, saying what it is instead.

    UTF-16 or UTF-32 text (a byte-order mark, or NUL bytes between the letters), an Excel
    workbook saved with a .csv name, a compressed file and other binary data each get their
    own sentence, so the user is told the encoding is at fault, not a missing column.
    `encodings`: the ones the caller reads, as the advice names them.
    """
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise DataError(path, "does not exist or is not a file")
    with open(path, "rb") as handle:
        head = handle.read(4096)
    save_as = f"; save it as CSV in {encodings} and try again"
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise DataError(path, "is UTF-32 text, not UTF-8" + save_as)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(path, "is UTF-16 text, not UTF-8" + save_as)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise DataError(path, "is an Excel workbook (or another zipped or OLE file), not a CSV" + save_as)
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ")):
        raise DataError(path, "is a compressed file, not a CSV; uncompress it first")
    if b"\x00" in head:
        pairs = head[: len(head) // 2 * 2]
        if pairs and (pairs[1::2].count(0) > len(pairs) // 4 or pairs[0::2].count(0) > len(pairs) // 4):
            raise DataError(path, "looks like UTF-16 text (NUL bytes between the letters), not UTF-8" + save_as)
        raise DataError(path, "holds binary data (NUL bytes), not CSV text")


def read_text_csv(path, required: list[str] = ()) -> pd.DataFrame:
    """A published CSV as text cells (UTF-8, else Windows-1252), with its required columns.

    Every cell stays a string, so each reader decides how to parse it and can name the
    cell that does not parse; a missing column is named with the file, and the header
    row found is quoted. A file that is not CSV text is refused by `sniff_text` first.
    """
    from pathlib import Path

    path = Path(path)
    sniff_text(path)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(path, f"is not a readable CSV ({reason})") from None
    else:
        raise DataError(path, "cannot be read as text in UTF-8 or Windows-1252")
    table.columns = [str(c).strip() for c in table.columns]
    for column in required:
        if column not in table.columns:
            header = ", ".join(table.columns[:8]) + (", ..." if len(table.columns) > 8 else "")
            raise DataError(path, f"lacks column '{column}' (its header row reads: {header[:200]})",
                            row=1, column=column)
    return table


def empty_like(schema: Schema) -> pd.DataFrame:
    """An empty table with the schema's columns (used when a source has no rows)."""
    kinds = {"text": "string", "number": float, "count": float, "month": "period[M]"}
    return pd.DataFrame({n: pd.Series(dtype=kinds[c.kind]) for n, c in schema.columns.items()})


__all__ = ["Column", "RowCheck", "Schema", "parse_numbers", "read_text_csv", "sniff_text", "empty_like",
           "SUPPRESSED_MARKERS", "LOCATING_COLUMNS", "np"]
