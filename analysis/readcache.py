"""Parsed input files kept between chapters and builds, keyed by the file's checksum.

Several chapters read the same published files (the front page reads nearly all of them),
each edition reads them again, and the build reads them once more to check each chapter's
period before any chapter runs. A reader decorated with `cached_read` returns a table and
is called once per file content: its table is kept in the build's cache folder in Arrow's
file format (data only: loading it runs no code), under the checksum of the file's bytes,
the reader's name and the package's code, so a changed file, a changed reader or any other
change to the package is read afresh. The checksum is taken from the bytes each time (never
from a file's size or date), so a changed file is never served stale. Each kept table is
written with a record (`analysis.sealed`) and served only if it matches it; one that does
not is removed and the file read again (said in one line by the build; silently in a
chapter's kernel, whose output is the page). A table that does not come back exactly as the
reader returned it (values, dtypes, index, columns, attrs) is not kept.

Caching is on only inside a build (`handbook build` turns it on for itself and, through the
environment, for the chapters' kernels); called anywhere else, a reader simply reads. A read
that warned is not kept (its warning is shown again, so a chapter still fails on it), and a
read that raised is not kept either. Within one process (a chapter's kernel, or one build in the
build's own process) a table read again under the same key is served from memory, as a deep
copy, so a caller that changes its table changes no other caller's.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import warnings
from pathlib import Path
from typing import Callable

from . import sealed

FOLDER_VARIABLE = "HANDBOOK_READ_CACHE"  # the cache folder
CODE_VARIABLE = "HANDBOOK_CODE_KEY"  # the checksum of the package's code (analysis.editions.code_checksum)
SUFFIX = ".arrow"

_say: Callable[[str], None] | None = None  # where a dropped table is reported (the build's terminal)
_loaded: dict[str, object] = {}  # tables this process read or kept, by cache key (see `_remember`)
LOADED_LIMIT = 512  # tables remembered at most; the oldest is forgotten first


@contextlib.contextmanager
def read_cache(folder: Path, code_key: str, say: Callable[[str], None] | None = None):
    """Turn the cache on in `folder` for this process and the kernels it starts; a kept table
    that fails its record is reported to `say` in this process."""
    global _say
    saved = {name: os.environ.get(name) for name in (FOLDER_VARIABLE, CODE_VARIABLE)}
    saved_say, _say = _say, say
    _loaded.clear()
    Path(folder).mkdir(parents=True, exist_ok=True)
    os.environ[FOLDER_VARIABLE] = str(Path(folder).resolve())
    os.environ[CODE_VARIABLE] = code_key
    try:
        yield
    finally:
        _say = saved_say
        _loaded.clear()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def check_kept(folder: Path, say: Callable[[str], None]) -> None:
    """Check every file in the cache folder against its record before a build reads any: one
    that fails (a table changed, a file placed there) is removed, said in one line each, and
    its file is read again when next needed."""
    for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
        if path.name.startswith(".tmp-"):
            continue  # being written (a killed build's are removed under the lock)
        if path.name.endswith(sealed.RECORD_SUFFIX):
            if not path.with_suffix("").exists():
                path.unlink(missing_ok=True)
        elif path.suffix == SUFFIX and path.is_file() and not path.is_symlink():
            sealed.read(path, say, "its file is read again when needed")
        else:
            sealed.drop(path, "is not a table the build kept", say, "it is removed")


def cache_key(reader: str, path: Path, code_key: str) -> str:
    """The name a reading of `path` by `reader` is kept under: from the file's bytes (not its date)
    and its full name (a reader may take a month from the name)."""
    facts = f"{reader}\0{Path(path).resolve()}\0{sealed.sha256_of(path)}\0{code_key}"
    return hashlib.sha256(facts.encode()).hexdigest()


def cached_read(reader):
    """Decorate a reader `reader(path) -> DataFrame` of one file so that a build reads each file content once."""
    name = f"{reader.__module__}.{reader.__qualname__}"

    @functools.wraps(reader)
    def read(path):
        folder, code_key = os.environ.get(FOLDER_VARIABLE), os.environ.get(CODE_VARIABLE)
        if not folder or not code_key or not Path(path).is_file():
            return reader(path)
        key = cache_key(name, Path(path), code_key)
        if key in _loaded:
            return _loaded[key].copy(deep=True)
        kept = Path(folder) / f"{key}{SUFFIX}"
        data = sealed.read(kept, _say, f"{Path(path).name} is read again")
        if data is not None:
            with contextlib.suppress(Exception):  # a table the build wrote: it loads
                return _remember(key, _table(data))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = reader(path)
        for warning in caught:  # shown as they would have been; such a read is not kept
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        if not caught and _keep(kept, result):
            _remember(key, result.copy(deep=True))
        return result

    return read


def _remember(key: str, table):
    """Keep `table` in this process under `key` and give a copy of it."""
    if len(_loaded) >= LOADED_LIMIT:
        del _loaded[next(iter(_loaded))]
    _loaded[key] = table
    return table.copy(deep=True)


def _table(data: bytes):
    import pyarrow as pa

    return pa.ipc.open_file(pa.BufferReader(data)).read_all().to_pandas()


def _keep(target: Path, result) -> bool:
    """Keep `result` in `target` as an Arrow table, if it comes back exactly as it is (values,
    dtypes, index, columns, attrs), and say whether it was kept; kernels running side by side
    may write the same key."""
    import pyarrow as pa

    with contextlib.suppress(Exception):  # a result that cannot be kept is simply read again next time
        table = pa.Table.from_pandas(result)
        buffer = pa.BufferOutputStream()
        with pa.ipc.new_file(buffer, table.schema) as writer:
            writer.write_table(table)
        data = buffer.getvalue().to_pybytes()
        back = _table(data)
        if (back.equals(result) and type(back.index) is type(result.index) and back.index.equals(result.index)
                and list(back.columns) == list(result.columns) and list(back.dtypes) == list(result.dtypes)
                and back.attrs == result.attrs):
            sealed.write(target, data)
            return True
    return False
