"""Published spreadsheets (.xls and .xlsx) read through one API, python-calamine.

`sheet_rows(path, sheet)` returns a sheet's rows as lists of cell values: numbers as
floats, dates as `datetime.date` / `datetime.datetime`, text as str, and blank cells as
None. A file that is not a readable workbook (truncated, not a spreadsheet at all) or
that lacks the sheet is a DataError naming the file, never a library traceback.
"""

from __future__ import annotations

from pathlib import Path

from .errors import DataError


def sheet_names(path: str | Path) -> list[str]:
    """The names of a workbook's sheets."""
    return list(_open(Path(path)).sheet_names)


def sheet_rows(path: str | Path, sheet: str) -> list[list]:
    """The rows of one sheet, blank cells as None."""
    path = Path(path)
    book = _open(path)
    if sheet not in book.sheet_names:
        raise DataError(path, f"has no sheet '{sheet}' (sheets: {', '.join(book.sheet_names)})")
    try:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine reports damage inside a sheet with its own error type
        raise DataError(path, f"sheet '{sheet}' cannot be read ({_reason(exc)})") from None
    return [[None if cell == "" else cell for cell in row] for row in rows]


def _open(path: Path):
    import python_calamine

    if not path.is_file():
        raise DataError(path, "does not exist or is not a file")
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # CalamineError, or an OSError for an unreadable file
        raise DataError(path, f"is not a readable Excel workbook ({_reason(exc)}); it may be "
                              "truncated or not a spreadsheet") from None


def _reason(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
