"""Sphinx builds forked from one process that has already imported Sphinx and the book's extensions.

Importing Sphinx, myst-nb and the theme takes about 1.3 s, more than Sphinx takes to rewrite
a few changed pages, and a build of several editions (or a test run) builds many times. The
first build of a process starts a server that imports them once, while the chapters run. Each
build connects to it; the server forks a child for it, and the child runs Sphinx in the
build's folder and environment, sends back its exit status and what it printed, and exits.
The server stops when the process that started it exits (its standard input closes); its
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

from . import tempfolders

# argv[1]: the listening socket's file descriptor (made by the parent, so a build can
# connect at once); argv[2]: the modules to import first. A connection sends one JSON line
# [args, folder, environment]; the child answers with its pid (a line), then, at the end,
# a JSON [status, printed].
SERVER = r"""
import importlib, io, json, os, select, signal, socket, sys, tempfile


def build(channel):
    line = channel.readline()
    if not line:
        return  # closed unused
    args, folder, environment = json.loads(line)
    channel.write(f"{os.getpid()}\n".encode())
    channel.flush()
    written = tempfile.TemporaryFile()  # what reaches the file descriptors (a handler made at import)
    os.dup2(written.fileno(), 1)
    os.dup2(written.fileno(), 2)
    printed = io.StringIO()
    sys.stdout = sys.stderr = printed
    try:
        if folder:
            os.chdir(folder)
        os.environ.clear()
        os.environ.update(environment)
        from sphinx.cmd.build import main
        status = main(args)
    except SystemExit as exc:  # --help, --version
        status = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException as exc:
        status, _ = 2, printed.write(f"{type(exc).__name__}: {exc}\n")
    written.seek(0)
    text = written.read().decode(errors="replace") + printed.getvalue()
    channel.write(json.dumps([status, text]).encode())


listener = socket.socket(fileno=int(sys.argv[1]))
try:  # the extensions every Sphinx application loads, after the book's
    from sphinx.application import builtin_extensions
except Exception:
    builtin_extensions = ()
for name in [*json.loads(sys.argv[2]), *builtin_extensions]:
    try:
        importlib.import_module(name)
    except Exception:
        pass  # only a head start: the build imports it again and reports any error
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished builds are reaped by the system
while True:
    ready, _, _ = select.select([listener, sys.stdin], [], [])
    if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
        break  # the process that started the server has gone
    if listener not in ready:
        continue
    connection, _ = listener.accept()
    if os.fork():
        connection.close()
        continue
    try:  # the child: whatever happens, it never returns to the loop above
        listener.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        with connection, connection.makefile("rwb") as channel:
            build(channel)
    finally:
        os._exit(0)
"""


class _Server:
    """The server process of this process, with its socket's folder."""

    def __init__(self, modules: list[str]):
        self.owner = os.getpid()  # a forked copy of this process starts its own
        # private (mode 700), named with this process so that a later build removes it if this one is killed
        self.folder = tempfile.mkdtemp(prefix=tempfolders.prefix("sphinx"))
        self.address = os.path.join(self.folder, "socket")
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(self.address)
        listener.listen(16)
        with listener:
            # What the imports print is not shown: a build imports again and reports any error.
            self.process = subprocess.Popen([sys.executable, "-c", SERVER, str(listener.fileno()), json.dumps(modules)],
                                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, pass_fds=[listener.fileno()])

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_server: _Server | None = None
_server_lock = threading.Lock()


def server(modules: list[str]) -> _Server:
    """This process's server, started (importing `modules`) if it is not running."""
    global _server
    with _server_lock:
        if _server is None or not _server.alive() or _server.owner != os.getpid():
            _server = _Server(modules)
            atexit.register(_server.stop)
        return _server


def server_pid() -> int | None:
    """The process id of this process's server, if one is running."""
    return _server.process.pid if _server is not None and _server.alive() else None


class SphinxProcess:
    """One Sphinx build, connected to the server ahead of its build so that the server's
    imports overlap the chapters."""

    def __init__(self, conf: str):
        listed = re.search(r"^extensions = (\[.*\])$", conf, re.MULTILINE)
        # myst_nb's setup imports myst_nb.sphinx_ext, the slowest of them
        modules = ["sphinx.cmd.build", "sphinx.builders.html", "myst_nb.sphinx_ext",
                   *(ast.literal_eval(listed.group(1)) if listed else [])]
        self.connection = socket.socket(socket.AF_UNIX)
        self.connection.connect(server(modules).address)
        self.pid: int | None = None

    def run(self, args: list[str]) -> tuple[int, str]:
        """Build with Sphinx's command-line `args`: its exit status and what it printed."""
        with self.connection.makefile("rwb") as channel:
            try:
                folder = os.getcwd()
            except FileNotFoundError:  # this process's folder was removed: paths must be absolute
                folder = ""
            channel.write(json.dumps([args, folder, dict(os.environ)]).encode() + b"\n")
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
