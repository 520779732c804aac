"""Publish an edition: its executed notebooks and HTML swapped into place together under a
journal (rolled back at the next start if a build is killed half way), the build's lock, and
the leftovers of killed builds removed."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .. import sealed, tempfolders
from ..errors import HandbookError
from .execute import kernel_socket_prefix

STAGING_SUBDIR = ".staging"
LOCK_FILE = ".lock"
JOURNAL_FILE = "swap-journal.json"


def _old(path: Path) -> Path:
    return path.with_name(path.name + ".old")


def swap_together(pairs: list[tuple[Path, Path]], journal: Path) -> None:
    """Move each `new` into place of its `current`, all or none.

    The journal (sealed, `analysis.sealed`) names the pairs while the renames happen; a build
    killed before the journal is removed is rolled back by `recover_swap` at the next start, so
    the executed notebooks and the HTML in place always come from the same build.
    """
    journal.parent.mkdir(parents=True, exist_ok=True)
    sealed.write(journal, json.dumps([[str(new), str(current)] for new, current in pairs]).encode())
    try:
        for _, current in pairs:
            current.parent.mkdir(parents=True, exist_ok=True)
            if _old(current).exists():
                shutil.rmtree(_old(current))
            if current.exists():
                current.rename(_old(current))
        for new, current in pairs:
            new.rename(current)
    except BaseException:  # an error or Ctrl-C half way: put the last good book back now
        recover_swap(journal, [current for _, current in pairs])
        raise
    sealed.remove(journal)
    for _, current in pairs:
        shutil.rmtree(_old(current), ignore_errors=True)


def recover_swap(journal: Path, currents: list[Path], say: Callable[[str], None] | None = None) -> bool:
    """Undo a swap a killed build left half done; remove leftovers of a finished one.

    The folders rolled back are those the journal names, if it passes its record and names only
    folders a build swaps (`currents`, or a chapters or html folder inside the build folder);
    otherwise `currents` (one line says why the journal was not followed). Returns True when a
    half-done swap was rolled back.
    """
    rolled_back = False
    if journal.exists() or sealed.record_path(journal).exists():
        pairs = journal_folders(journal, currents, say)
        for current in pairs:
            if _old(current).exists():
                if current.exists():
                    shutil.rmtree(current)
                _old(current).rename(current)
                rolled_back = True
        sealed.remove(journal)
    for current in currents:
        if _old(current).exists():
            shutil.rmtree(_old(current), ignore_errors=True)
    return rolled_back


def journal_folders(journal: Path, currents: list[Path], say: Callable[[str], None] | None) -> list[Path]:
    """The folders a swap journal names, when it passes its record and each is a folder a build
    swaps; else `currents`, said in one line."""
    instead = "the swap is rolled back only where this build's own folders show it half done"
    found = sealed.read(journal, say, instead)
    if found is None:
        return list(currents)
    try:
        folders = [Path(current) for _, current in json.loads(found)]
    except (ValueError, TypeError):
        return list(currents)
    build_folder = journal.parent.resolve()
    known = {Path(c).resolve() for c in currents}
    for folder in folders:
        resolved = folder.resolve()
        if resolved not in known and not (resolved.name in ("chapters", "html")
                                           and build_folder in resolved.parents):
            if say is not None:
                say(f"Not followed: {journal} names {folder}, which is not a folder a build swaps (the book's "
                    f"chapters, or a chapters or html folder in {build_folder}); {instead}.")
            return list(currents)
    return folders


@contextlib.contextmanager
def build_lock(build_dir: Path):
    """Hold this checkout's build lock, or say that another build is running."""
    build_dir.mkdir(parents=True, exist_ok=True)
    path = build_dir / LOCK_FILE
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise HandbookError(f"another build is running in this checkout (process {holder}, lock "
                                f"{path}); wait for it to finish, then build again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def clean_leftovers(build_dir: Path, progress: Callable[[str], None]) -> None:
    """Remove staging folders and kernel socket files left by killed builds of this checkout, and
    the temporary folders of killed builds of any checkout.

    Called with the lock held, so no other build of this checkout is using the first two; a
    temporary folder is removed only when the process that made it has gone (`tempfolders`).
    """
    removed = 0
    staging = build_dir / STAGING_SUBDIR
    if staging.is_dir():
        for leftover in staging.iterdir():
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink()
            removed += 1
    prefix = Path(kernel_socket_prefix(build_dir))
    for socket in prefix.parent.glob(prefix.name + "*"):
        with contextlib.suppress(OSError):
            socket.unlink()
            removed += 1
    temporary = tempfolders.remove_orphans()
    if removed or temporary:
        progress(f"Removed {removed} staging folder(s) and kernel socket file(s) of this checkout, and "
                 f"{temporary} temporary folder(s) in {tempfile.gettempdir()}, left by builds that did not finish.")


def check_writable(folders: list[Path]) -> None:
    """Each folder the build writes to must exist or be creatable, and be writable."""
    for folder in folders:
        existing = next((p for p in [folder, *folder.parents] if p.exists()), None)
        if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
            raise HandbookError(f"cannot write to {existing}: the build needs to write there "
                                "(check its permissions)")


