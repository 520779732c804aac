"""Files the build keeps and reuses, each checked against a record made when it was written.

Whatever the build reuses from `_build/` or the user's cache folder (kept runs, the
editions' manifests, Sphinx's saved state, the Vega bundle, parsed input files, the swap
journal) may have changed since the build wrote it: caches are restored from CI and copied
from shared drives.
So each such file is written with a record beside it (`<name>.hmac`): an HMAC-SHA256 of its
last two path parts and its bytes, under a random key kept in the user's configuration
folder (`${XDG_CONFIG_HOME:-~/.config}/nhs-handbook/cache-key`, readable by the user only),
outside both caches. A changed file, a file placed there and an edited record all fail; a
file that fails is removed with its record, and the caller makes it again, saying so in one
line (`read`). Files a sealed JSON file names (executed notebooks, Sphinx's files) are checked
against the sha256 it records for them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Callable

RECORD_SUFFIX = ".hmac"
KEY_BYTES = 32

_key: bytes | None = None
_key_lock = threading.Lock()


def key_file() -> Path:
    """Where the key is kept: the user's configuration folder, not a cache."""
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "nhs-handbook" / "cache-key"


def _secret() -> bytes:
    """The key, made on first use (created 0600 in a 0700 folder). Where it cannot be kept,
    this process uses a key of its own: nothing an earlier process kept is then trusted."""
    global _key
    with _key_lock:
        if _key is None:
            _key = _load_or_make_key(key_file())
        return _key


def _load_or_make_key(path: Path) -> bytes:
    found = _key_in(path)
    if found:
        return found
    made = secrets.token_bytes(KEY_BYTES)
    with contextlib.suppress(OSError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(handle, "w") as written:
                written.write(made.hex() + "\n")
            try:
                os.link(name, path)
            except FileExistsError:  # made by another process meanwhile, or damaged
                found = _key_in(path)
                if found:
                    return found
                os.replace(name, path)  # a damaged key is replaced: everything kept is made again
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)
    return made


def _key_in(path: Path) -> bytes | None:
    with contextlib.suppress(OSError, ValueError):
        found = bytes.fromhex(path.read_text().strip())
        if len(found) == KEY_BYTES:
            return found
    return None


def record_of(path: Path, data: bytes) -> str:
    """The record of `data` written at `path`: named by its last two parts, so a kept file
    moved to another name (another run key, another year) does not pass."""
    mac = hmac.new(_secret(), "/".join(Path(path).parts[-2:]).encode() + b"\0", hashlib.sha256)
    mac.update(data)
    return mac.hexdigest()


def record_path(path: Path) -> Path:
    """Where the record of `path` is kept."""
    return path.with_name(path.name + RECORD_SUFFIX)


def write(path: Path, data: bytes) -> None:
    """Write `data` to `path` and its record beside it, each through a temporary file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)
    write_atomically(record_path(path), record_of(path, data).encode())


def read(path: Path, say: Callable[[str], None] | None, then: str) -> bytes | None:
    """The bytes of `path` if they match the record written with them; None when there is no
    such file, or when it fails: then it and its record are removed and one line says which
    file, why, and `then` (what happens instead). `say` None: removed silently."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        record_path(path).unlink(missing_ok=True)
        return None
    except OSError as exc:
        return drop(path, f"cannot be read ({exc.strerror})", say, then)
    try:
        record = record_path(path).read_text().strip()
    except (OSError, UnicodeDecodeError):
        return drop(path, "has no record of being written by a build", say, then)
    if not hmac.compare_digest(record.encode(), record_of(path, data).encode()):
        return drop(path, "does not match the record written with it (changed since, or the record edited)",
                     say, then)
    return data


def drop(path: Path, why: str, say: Callable[[str], None] | None, then: str) -> None:
    """Remove `path` and its record; one line says which file, `why`, and `then`."""
    remove(path)
    if say is not None:
        say(f"Not reused: {path} {why}; {then}.")


def remove(path: Path) -> None:
    """Remove `path` (a folder too, if one was placed there) and its record."""
    for each in (Path(path), record_path(Path(path))):
        if each.is_dir() and not each.is_symlink():
            shutil.rmtree(each, ignore_errors=True)
        with contextlib.suppress(OSError):
            each.unlink()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
