"""Sphinx builds and chapter kernels forked from servers that have already imported what they need.

Importing Sphinx, myst-nb and the theme takes about 1.3 s, more than Sphinx takes to rewrite
a few changed pages; starting a kernel and importing pandas, altair and a chapter's package takes
about as long again, more than most chapters take to run. A build of several editions, or a test
run, does each many times. So a process starts one server of each kind (`analysis/fork_server.py`),
which imports them once while the build does other work, and forks a child for each Sphinx build
or kernel: the child works in the build's folder and environment, as a process started afresh
would. A server stops when the process that started it exits (its standard input closes); its
socket's folder, left behind when that process is killed, is removed by the next build
(`tempfolders`).
"""

from __future__ import annotations

import ast
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from . import tempfolders

PROGRAM = Path(__file__).with_name("fork_server.py")
KERNEL_LAUNCHER = Path(__file__).with_name("kernel_launch.py")


class _Server:
    """A server process of this process, with its socket's folder."""

    def __init__(self, kind: str, modules: list[str], key: str):
        self.owner = os.getpid()  # a forked copy of this process starts its own
        self.key = key
        # private (mode 700), named with this process so that a later build removes it if this one is killed
        self.folder = tempfile.mkdtemp(prefix=tempfolders.prefix(kind))
        self.address = os.path.join(self.folder, "socket")
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(self.address)
        listener.listen(64)
        with listener:
            # What the imports print is not shown: a child imports again and reports any error.
            self.process = subprocess.Popen([sys.executable, str(PROGRAM), kind, str(listener.fileno()), json.dumps(modules)],
                                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, pass_fds=[listener.fileno()])

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Stop the server (at once: its children, each with its own connection, carry on) and remove its folder."""
        if self.alive():
            self.process.kill()
            self.process.wait()
        self.process.stdin.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_servers: dict[str, _Server] = {}
_servers_lock = threading.Lock()


def server(kind: str, modules: list[str], key: str = "") -> _Server:
    """This process's server of `kind` ("sphinx" or "kernel"), started (importing `modules`) if it
    is not running, or if it was started for another `key` (the code it imported has changed)."""
    with _servers_lock:
        running = _servers.get(kind)
        if running is None or not running.alive() or running.owner != os.getpid() or running.key != key:
            if running is not None and running.owner == os.getpid():
                running.stop()
            running = _servers[kind] = _Server(kind, modules, key)
            atexit.register(running.stop)
        return running


def server_pid(kind: str) -> int | None:
    """The process id of this process's server of `kind`, if one is running."""
    running = _servers.get(kind)
    return running.process.pid if running is not None and running.alive() else None


def kernel_command(arguments: list[str]) -> list[str] | None:
    """The command that starts a kernel with `arguments` as a child of this process's kernel server,
    or None when no server is running (the kernel is then started afresh)."""
    running = _servers.get("kernel")
    if running is None or not running.alive() or running.owner != os.getpid():
        return None
    return [sys.executable, str(KERNEL_LAUNCHER), running.address, *arguments]


class SphinxProcess:
    """One Sphinx build, connected to the server ahead of its build so that the server's
    imports overlap the chapters."""

    def __init__(self, conf: str):
        listed = re.search(r"^extensions = (\[.*\])$", conf, re.MULTILINE)
        # myst_nb's setup imports myst_nb.sphinx_ext, the slowest of them
        modules = ["sphinx.cmd.build", "sphinx.builders.html", "myst_nb.sphinx_ext",
                   *(ast.literal_eval(listed.group(1)) if listed else []),
                   "sphinx.application:builtin_extensions"]  # the extensions every Sphinx application loads
        self.connection = socket.socket(socket.AF_UNIX)
        self.connection.connect(server("sphinx", modules).address)
        self.pid: int | None = None

    def run(self, args: list[str]) -> tuple[int, str]:
        """Build with Sphinx's command-line `args`: its exit status and what it printed."""
        with self.connection.makefile("rwb") as channel:
            try:
                folder = os.getcwd()
            except FileNotFoundError:  # this process's folder was removed: paths must be absolute
                folder = ""
            request = {"kind": "sphinx", "args": args, "folder": folder, "environment": dict(os.environ)}
            channel.write(json.dumps(request).encode() + b"\n")
            channel.flush()
            self.pid = int(channel.readline() or 0) or None
            answer = channel.read()
        self.pid = None
        if not answer:
            return 2, "the Sphinx build process stopped without an answer"
        status, printed = json.loads(answer)
        return status, printed

    def close(self) -> None:
        """Stop the build if it is still running; let the server's child go if it never built."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.connection.close()
