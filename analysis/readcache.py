"""Parsed input files kept between chapters and builds, keyed by the file's checksum.

Several chapters read the same published files (the front page reads nearly all of them),
each edition reads them again, and the build reads them once more to check each chapter's
period before any chapter runs. A reader decorated with `cached_read` is called once per
file content: its result is kept in the build's cache folder under the checksum of the
file's bytes, the reader's name and the package's code, so a changed file, a changed reader
or any other change to the package is read afresh. The checksum is taken from the bytes
each time (never from a file's size or date), so a changed file is never served stale.

Caching is on only inside a build (`handbook build` turns it on for itself and, through the
environment, for the chapters' kernels); called anywhere else, a reader simply reads. A read
that warned is not kept (its warning is shown again, so a chapter still fails on it), and a
read that raised is not kept either.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
import warnings
from pathlib import Path

FOLDER_VARIABLE = "HANDBOOK_READ_CACHE"  # the cache folder
CODE_VARIABLE = "HANDBOOK_CODE_KEY"  # the checksum of the package's code (analysis.editions.code_checksum)


@contextlib.contextmanager
def read_cache(folder: Path, code_key: str):
    """Turn the cache on in `folder` for this process and the kernels it starts."""
    saved = {name: os.environ.get(name) for name in (FOLDER_VARIABLE, CODE_VARIABLE)}
    Path(folder).mkdir(parents=True, exist_ok=True)
    os.environ[FOLDER_VARIABLE] = str(Path(folder).resolve())
    os.environ[CODE_VARIABLE] = code_key
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def cache_key(reader: str, path: Path, code_key: str) -> str:
    """The name a reading of `path` by `reader` is kept under: from the file's bytes (not its date)
    and its full name (a reader may take a month from the name)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    facts = f"{reader}\0{Path(path).resolve()}\0{digest.hexdigest()}\0{code_key}"
    return hashlib.sha256(facts.encode()).hexdigest()


def cached_read(reader):
    """Decorate a reader `reader(path)` of one file so that a build reads each file content once."""
    name = f"{reader.__module__}.{reader.__qualname__}"

    @functools.wraps(reader)
    def read(path):
        folder, code_key = os.environ.get(FOLDER_VARIABLE), os.environ.get(CODE_VARIABLE)
        if not folder or not code_key or not Path(path).is_file():
            return reader(path)
        kept = Path(folder) / f"{cache_key(name, Path(path), code_key)}.pickle"
        with contextlib.suppress(Exception):  # missing or unreadable: read the file
            with open(kept, "rb") as handle:
                return pickle.load(handle)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = reader(path)
        for warning in caught:  # shown as they would have been; such a read is not kept
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        if not caught:
            _keep(kept, result)
        return result

    return read


def _keep(target: Path, result) -> None:
    """Keep `result` in `target` (kernels running side by side may write the same key)."""
    with contextlib.suppress(Exception):  # a result that cannot be kept is simply read again next time
        write_atomically(target, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a `.tmp-` file in its folder, so a reader sees all or nothing."""
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tmp-", delete=False)
    try:
        with handle:
            handle.write(data)
        os.replace(handle.name, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
