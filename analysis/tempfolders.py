"""Folders a build makes in the system's temporary folder, and removing those of killed builds.

A build killed with kill -9 runs no clean-up, so what it made in the temporary folder (the
Sphinx and kernel servers' socket folders, the folder the Sphinx configuration is made in, the folder a
chapter template's notebook is written to for papermill) would stay
there for good. Each such folder is named `handbook-KIND-PID-RANDOM` with the id of the
process that made it. The next build removes those whose process has gone, whichever checkout
made them, and leaves those of processes still running (a build of this checkout or of
another). A process counts as gone when no process has its id, when it is a zombie (killed,
not yet reaped), or, on Linux, when the process with its id started after the folder was
made (the id was reused). Folders of other users, and folders named without a process id (by
older versions), are left alone.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

KINDS = ("sphinx", "kernel", "conf", "template")
CLOCK_SLACK = 5  # seconds: the boot time /proc gives is whole seconds, and the clock may have been stepped


def prefix(kind: str) -> str:
    """The name a temporary folder of `kind` made by this process starts with."""
    return f"handbook-{kind}-{os.getpid()}-"


def _linux_process(pid: int) -> tuple[str, float] | None:
    """(state, start time in seconds since the epoch) of a process, from /proc; None where unknown."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        with open("/proc/stat") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime "))
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def owner_gone(pid: int, made: float) -> bool:
    """Whether the process `pid` that made something at `made` (seconds since the epoch) has gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # another user's process has that id
    found = _linux_process(pid)
    if found is None:
        return False  # it exists, and nothing says it is another process
    state, started = found
    return state == "Z" or started > made + CLOCK_SLACK


def remove_orphans() -> int:
    """Remove this user's temporary folders whose owner process has gone; return how many."""
    removed = 0
    for kind in KINDS:
        for folder in Path(tempfile.gettempdir()).glob(f"handbook-{kind}-*"):
            owner, dash, _ = folder.name[len(f"handbook-{kind}-"):].partition("-")
            try:
                info = folder.lstat()
            except OSError:
                continue
            if not (dash and owner.isdigit() and stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()):
                continue
            if owner_gone(int(owner), info.st_mtime):
                shutil.rmtree(folder, ignore_errors=True)
                removed += not folder.exists()
    return removed
