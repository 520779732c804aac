"""Reader for admitted patient care records in the HES APC layout.

A source is one CSV or Parquet file, or a folder of them (Parquet partitions such as
`FYEAR=1516/part.parquet`). Every file is checked before any query: a CSV must be UTF-8
text (a byte-order mark is allowed; UTF-16, UTF-32, a workbook or a compressed file is
named as such, by `analysis.schema.sniff_text`), Parquet footers are read (an unreadable
partition is named), and each file must carry the required columns. Every row keeps the
file it came from (`source_file`), so a check on the engine can name the file.

Values are read the same way on every engine, from the text or type the file holds:
dates as YYYY-MM-DD (a time after it is ignored), DD/MM/YYYY or YYYYMMDD; whole numbers
as digits, also written as a float (`70.0`); anything else becomes missing, and is then
counted as an exclusion (too many stop the run: `analysis.apc.checks`). Codes (the
admission method) keep their spelling here; `analysis.apc.measures` recognises each
spelling once, on the aggregate (`21.0` is `21`).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from ..completeness import refuse_cut_short
from ..errors import DataError, HandbookError
from ..schema import sniff_text

REQUIRED = ("EPIKEY", "ADMIDATE", "ADMIMETH", "EPIORDER", "STARTAGE", "SPELDUR", "CCG_RESPONSIBILITY")
SUFFIXES = (".parquet", ".csv")
SOURCE = "source_file"
"""The column naming each row's file (or, for a table on an engine, the table)."""
DATE_FORMATS = "YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD"


@dataclass
class Records:
    """Episodes as an Ibis table (typed), the engine it lives on, and the files read (none
    for a table on an engine, named by `name`). `raw` is the table as read, for examples."""

    table: ibis.Table
    backend: object
    files: list[Path]
    kind: str
    raw: ibis.Table | None = None
    name: str = field(default="")


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
    sniff_text(path, "UTF-8")  # UTF-16, UTF-32, a workbook, compressed or binary data: named as such
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:  # a BOM is not a letter
        header = next(csv.reader(handle), [])
    if not any(cell.strip() for cell in header):
        raise DataError(path, "the file is empty", row=1)
    return [c.strip() for c in header]


def check_files(files: list[Path]) -> None:
    """Every file readable and carrying the required columns (DataError naming file and column); a CSV
    ends with a line end (`completeness.refuse_cut_short`)."""
    for path in files:
        columns = _columns(path)  # first: names the encoding in the words for this reader
        if path.suffix.lower() == ".csv":
            refuse_cut_short(path)
        names = set(columns)
        if path.suffix.lower() == ".parquet":
            names |= {part.split("=")[0] for part in path.parts if "=" in part}  # hive partition keys
        for column in REQUIRED:
            if column not in names:
                header = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
                raise DataError(path, f"lacks required column '{column}' of the HES APC layout (its columns: "
                                      f"{header[:200]})", row=1, column=column)


ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9:.]*)?$"
DAY_FIRST = r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"
COMPACT_DATE = r"^[0-9]{8}$"


def as_date(column: ibis.Value) -> ibis.Value:
    """A date from a date, a timestamp, or text in one of DATE_FORMATS; otherwise missing.

    Text is matched against each format first, then cast from YYYY-MM-DD, so every engine
    reads the same values (Spark's own cast would take "2017" as 1 January 2017)."""
    kind = column.type()
    if kind.is_date():
        return column
    if kind.is_timestamp():
        return column.cast("date")
    text = (column if kind.is_string() else column.cast("string")).strip()
    day_first = (text.re_extract(DAY_FIRST, 3) + "-" + text.re_extract(DAY_FIRST, 2).lpad(2, "0") + "-"
                 + text.re_extract(DAY_FIRST, 1).lpad(2, "0"))
    compact = text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2)
    return ibis.cases((text.re_search(ISO_DATE), text.substr(0, 10).try_cast("date")),
                      (text.re_search(DAY_FIRST + r"( [0-9:.]*)?$"), day_first.try_cast("date")),
                      (text.re_search(COMPACT_DATE), compact.try_cast("date")), else_=ibis.null("date"))


def as_whole_number(column: ibis.Value) -> ibis.Value:
    """A whole number from an integer, a float with no fraction, or text of digits (also
    written as a float, "70.0"); otherwise missing. The same on every engine (DuckDB's own
    cast reads "1.5" as 2 and "1e3" as 1000, Spark's reads "70.0" as missing)."""
    kind = column.type()
    if kind.is_integer():
        return column
    if kind.is_floating() or kind.is_decimal():
        whole = column.between(-1e15, 1e15) & (column.floor() == column)  # NaN and infinities fail `between`
        return ibis.cases((whole, column.cast("int64")), else_=ibis.null("int64"))
    text = (column if kind.is_string() else column.cast("string")).strip()
    return ibis.cases((text.re_search(r"^-?[0-9]{1,15}$"), text.cast("int64")),
                      (text.re_search(r"^-?[0-9]{1,15}\.0*$"), text.re_replace(r"\.0*$", "").cast("int64")),
                      else_=ibis.null("int64"))


def as_text(column: ibis.Value) -> ibis.Value:
    return column if column.type().is_string() else column.cast("string")


READERS = {"EPIKEY": None, "ADMIDATE": as_date, "ADMIMETH": as_text, "EPIORDER": as_whole_number,
           "STARTAGE": as_whole_number, "SPELDUR": as_whole_number, "CCG_RESPONSIBILITY": as_text}
"""How each required column is read. EPIKEY keeps its own type (a number or text): it is only
compared with itself, and a number is cheaper to check for uniqueness."""


def typed(table: ibis.Table, written: str = "") -> ibis.Table:
    """The required columns read as READERS says, the file of each row, and FYEAR when the
    records carry it (as text or, a partition key, a number); with `written`, that column also
    as the file writes it (`written`, as text), for an example."""
    columns = {name: table[name] if read is None else read(table[name]) for name, read in READERS.items()}
    if "FYEAR" in table.columns:
        columns["FYEAR"] = table.FYEAR
    columns[SOURCE] = table[SOURCE]
    if written:
        columns["written"] = as_text(table[written])
    return table.select(**columns)


def engine_error(error: Exception, files: list[Path], name: str = "") -> DataError:
    """An engine's error while reading, as a DataError naming the file it names (and its line),
    else the one file or table read."""
    text = str(error).strip()
    reason = text.splitlines()[0] if text else type(error).__name__
    named = [p for p in files if str(p) in text]
    if named or len(files) == 1:
        path = max(named, key=lambda p: len(str(p))) if named else files[0]
    elif name or not files:
        path = name or "records"
    else:
        return DataError(files[0].parent, f"one of its {len(files)} files of records could not be read "
                                          f"({reason[:300]})")
    line = re.search(r"CSV Error on Line: (\d+)", text)
    row = int(line.group(1)) if line else None
    if "not utf-8 encoded" in text.lower():
        return DataError(path, "is not UTF-8 text; save it as CSV in UTF-8 and try again", row=row)
    return DataError(path, f"could not be read ({reason[:300]})", row=row)


def engine_errors() -> tuple[type, ...]:
    """The exception types an engine raises for what it was given (not the handbook's own)."""
    import duckdb

    kinds: list[type] = [duckdb.Error]
    try:
        from pyspark.errors import PySparkException

        kinds.append(PySparkException)
    except ImportError:
        pass
    try:
        from py4j.protocol import Py4JJavaError

        kinds.append(Py4JJavaError)
    except ImportError:
        pass
    return tuple(kinds)


def _read_on_spark(backend, files: list[Path], kind: str) -> ibis.Table:
    """The files as one table on a Spark session: each file read on its own and the tables put
    together by column name (Spark's CSV reader would otherwise take every file's columns in the
    first file's order), each row with its file."""
    import os
    from functools import reduce

    from pyspark.sql import functions

    session = backend._session
    base = os.path.commonpath([str(p.parent) for p in files])
    frames = []
    for path in files:
        if kind == "parquet":  # the partition keys (FYEAR=1516) between the common folder and the file
            frame = session.read.option("basePath", base).parquet(str(path))
        else:
            frame = session.read.csv(str(path), header=True, inferSchema=False)
        frames.append(frame.withColumn(SOURCE, functions.lit(str(path))))
    union = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)
    view = "handbook_apc_" + hashlib.sha1("\n".join(map(str, files)).encode()).hexdigest()[:12]
    union.createOrReplaceTempView(view)
    return backend.table(view)


def read_apc(path, backend=None) -> Records:
    """Open a file or folder of HES APC records on `backend` (default: a new DuckDB connection).

    Nothing is loaded: the result is an Ibis table for the measures to aggregate."""
    files = files_of(path)
    check_files(files)
    kind = files[0].suffix.lower().lstrip(".")
    backend = backend if backend is not None else ibis.duckdb.connect()
    names = [str(p) for p in files]
    try:
        if backend.name == "duckdb":
            table = (backend.read_parquet(names, filename=True) if kind == "parquet"
                     else backend.read_csv(names, all_varchar=True, filename=True))
            table = table.rename({SOURCE: "filename"})
        else:
            table = _read_on_spark(backend, files, kind)
    except engine_errors() as error:
        raise engine_error(error, files) from None
    return Records(table=typed(table), backend=backend, files=files, kind=kind, raw=table)


def read_table(backend, name: str) -> Records:
    """Records already held as a table on a backend (for example a Spark table on a cluster:
    `read_table(ibis.pyspark.connect(spark), "hes.apc_1617")`, or a folder of Parquet files as
    "parquet.`/path`"), checked for the required columns. Its files are not known: checks name
    the table."""
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
    table = table.mutate(**{SOURCE: ibis.literal(name)})
    return Records(table=typed(table), backend=backend, files=[], kind="table", raw=table, name=name)


def execute(records: Records, expression: ibis.Table):
    """Run an expression of the records on their engine; an engine's error reading them is a
    DataError naming the file (or table)."""
    from .measures import run

    try:
        return run(expression)
    except HandbookError:
        raise
    except engine_errors() as error:
        raise engine_error(error, records.files, records.name) from None


def locate(path: Path, key, count: int = 1) -> list[int]:
    """The rows of a file (CSV: lines as a text editor numbers them, the header being 1;
    Parquet: records from 1) whose EPIKEY is `key` (None: blank), at most `count` of them. Only
    when a check has failed, to name the line: it reads the file again, here, not on the engine."""
    wanted = "" if key is None else str(key).strip()
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        keys = pc.utf8_trim_whitespace(pq.read_table(path, columns=["EPIKEY"]).column(0).cast(pa.string()))
        found = pc.fill_null(pc.equal(pc.fill_null(keys, ""), wanted), False)
        return [int(i) + 1 for i in pc.indices_nonzero(found).to_pylist()[:count]]
    rows = []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        at = [c.strip() for c in next(reader, [])].index("EPIKEY")
        line = reader.line_num  # the lines read so far (a quoted value may hold a line end)
        for cells in reader:
            if len(cells) > at and cells[at].strip() == wanted:
                rows.append(line + 1)
                if len(rows) == count:
                    break
            line = reader.line_num
    return rows
