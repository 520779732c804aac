"""Reader for admitted patient care records in the HES APC layout.

A source is one CSV or Parquet file, or a folder of them (Parquet partitions such as
`FYEAR=1516/part.parquet`). Every file is checked before any query: Parquet footers are
read (an unreadable partition is named), and each file must carry the required columns.
Columns are cast to one type each, so the same expressions run on every engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import ibis

from ..completeness import refuse_cut_short
from ..errors import DataError

REQUIRED = ("EPIKEY", "ADMIDATE", "ADMIMETH", "EPIORDER", "STARTAGE", "SPELDUR", "CCG_RESPONSIBILITY")
SUFFIXES = (".parquet", ".csv")


@dataclass
class Records:
    """Episodes as an Ibis table (typed), the engine it lives on, and the files read."""

    table: ibis.Table
    backend: object
    files: list[Path]
    kind: str


def files_of(path) -> list[Path]:
    """The data files of a source: the file itself, every CSV/Parquet file under the folder,
    or a list of files (as the registry finds them)."""
    if isinstance(path, (list, tuple)):
        files = sorted(Path(p) for p in path if Path(p).suffix.lower() in SUFFIXES)
        if not files:
            raise DataError(", ".join(str(p) for p in path) or "records", "no .csv or .parquet file of records")
        if len({p.suffix.lower() for p in files}) > 1:
            raise DataError(files[0].parent, "the records mix CSV and Parquet files; give one layout")
        return files
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(path, "no such file or folder of admitted patient care records")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise DataError(path, "the folder holds no .csv or .parquet files of admitted patient care records")
    kinds = {p.suffix.lower() for p in files}
    if len(kinds) > 1:
        raise DataError(path, "the folder mixes CSV and Parquet files; give one layout")
    return files


def _columns(path: Path) -> list[str]:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except Exception as error:  # a damaged or truncated partition
            raise DataError(path, f"unreadable Parquet partition ({str(error).splitlines()[0]})") from None
    with open(path, encoding="utf-8", errors="replace") as handle:
        header = handle.readline().strip()
    if not header:
        raise DataError(path, "the file is empty", row=1)
    return [c.strip().strip('"') for c in header.split(",")]


def check_files(files: list[Path]) -> None:
    """Every file readable and carrying the required columns (DataError naming file and column); a CSV
    ends with a line end (`completeness.refuse_cut_short`)."""
    for path in files:
        if path.suffix.lower() == ".csv":
            refuse_cut_short(path)
        names = set(_columns(path))
        if path.suffix.lower() == ".parquet":
            names |= {part.split("=")[0] for part in path.parts if "=" in part}  # hive partition keys
        for column in REQUIRED:
            if column not in names:
                raise DataError(path, f"lacks required column '{column}' of the HES APC layout", row=1,
                                column=column)


TYPES = {"EPIKEY": "string", "ADMIDATE": "date", "ADMIMETH": "string", "EPIORDER": "int64", "STARTAGE": "int64",
         "SPELDUR": "int64", "CCG_RESPONSIBILITY": "string"}


def typed(table: ibis.Table) -> ibis.Table:
    """The required columns with one type each, whatever the file's own inference (a value that
    cannot be read as its type becomes null, and is then counted as an exclusion)."""
    columns = {}
    for name, kind in TYPES.items():
        column = table[name]
        if kind == "string":
            columns[name] = column if column.type().is_string() else column.cast("string")
        elif kind == "date":
            columns[name] = column if column.type().is_date() else column.try_cast("date")
        else:
            columns[name] = column if column.type().is_integer() else column.try_cast(kind)
    if "FYEAR" in table.columns:  # optional: the records' own financial years, as text or (a partition key) a number
        columns["FYEAR"] = table.FYEAR
    return table.select(**columns)


def read_apc(path, backend=None) -> Records:
    """Open a file or folder of HES APC records on `backend` (default: a new DuckDB connection).

    Nothing is loaded: the result is an Ibis table for the measures to aggregate."""
    files = files_of(path)
    check_files(files)
    kind = files[0].suffix.lower().lstrip(".")
    backend = backend if backend is not None else ibis.duckdb.connect()
    names = [str(p) for p in files]
    try:
        if backend.name == "duckdb":  # DuckDB takes the list of files; Spark takes the folder
            table = (backend.read_parquet(names) if kind == "parquet" else backend.read_csv(names, all_varchar=True))
        else:
            import os

            source = os.path.commonpath([str(p) for p in files]) if isinstance(path, (list, tuple)) else str(path)
            table = (backend.read_parquet(source) if kind == "parquet"
                     else backend.read_csv(source, header=True, inferSchema=False))
    except Exception as error:
        raise DataError(files[0].parent, f"could not be read as {kind.upper()} ({str(error).splitlines()[0]})") from None
    return Records(table=typed(table), backend=backend, files=files, kind=kind)


def read_table(backend, name: str) -> Records:
    """Records already held as a table on a backend (for example a Spark table on a cluster:
    `read_table(ibis.pyspark.connect(spark), "hes.apc_1617")`, or a folder of Parquet files as
    "parquet.`/path`"), checked for the required columns."""
    try:
        if backend.name == "pyspark":  # Spark parses the name itself (db.table, catalog.db.table, parquet.`/path`)
            view = "handbook_apc_" + hashlib.sha1(name.encode()).hexdigest()[:12]
            backend._session.table(name).createOrReplaceTempView(view)
            name_on_engine = view
        else:
            name_on_engine = name
        table = backend.table(name_on_engine)
    except Exception as error:  # the engine's own reason, on one line
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(name, f"no such table on the {backend.name} session ({reason})") from None
    for column in REQUIRED:
        if column not in table.columns:
            raise DataError(name, f"lacks required column '{column}' of the HES APC layout", column=column)
    return Records(table=typed(table), backend=backend, files=[], kind="table")
