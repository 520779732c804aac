"""Errors a user can act on: each names the file, row, column or parameter at fault."""

from __future__ import annotations

from pathlib import Path


class HandbookError(Exception):
    """Base class: the message is a sentence meant for the user, shown without a traceback."""


class ParameterError(HandbookError):
    """A chapter parameter (period, organisation, ...) is malformed or outside the data.

    `reason` is the message without the parameter's name, for a sentence of the caller's own."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        self.reason = message
        super().__init__(f"parameter '{parameter}': {message}")


class DataError(HandbookError):
    """An input file breaks its published layout or the tidy schema.

    `row` is the 1-based line (CSV) or row (spreadsheet) as the user sees it in
    the file, so they can open the file and find it. `reason` is the message without the
    file, row and column, for a caller that names them its own way.
    """

    def __init__(self, path: str | Path, message: str, row: int | None = None,
                 column: str | None = None):
        self.path = Path(path)
        self.row = row
        self.column = column
        self.reason = message
        where = str(path)
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class ChapterError(HandbookError):
    """A chapter notebook failed while running; names the chapter and the failing cell."""
