"""The program of a fork server (`analysis.servers`): import modules once, then fork a child per connection.

Run only by `analysis.servers`, as `python fork_server.py KIND LISTENER_FD MODULES_JSON`. It imports
nothing of the handbook itself: what it and its children import comes from the environment the
build gave it, as in a process started afresh. A kernel server imports as if in a kernel (see
`as_in_a_kernel`), so that its children start as a kernel that imported those modules itself.
A connection sends one JSON line {"kind", "args", "folder", "environment"}; the child reads it,
answers with its process id (a line), moves to `folder` and takes `environment`, then by kind:

- "sphinx": runs Sphinx's command line with `args` and sends back JSON [status, printed];
- "kernel": takes the three file descriptors sent with the line as its standard input, output and
  error and runs an IPython kernel with `args` (`-f CONNECTION_FILE`) in a session of its own,
  until the kernel is shut down or the connection closes (the launcher that asked for it has gone,
  `analysis/kernel_launch.py`).

The server stops when its standard input closes (the process that started it has gone).
"""

import sys

del sys.path[0]  # this file's folder: a process started afresh does not import the package's modules by name

import atexit  # noqa: E402 (after the path is put right)
import builtins  # noqa: E402
import contextlib  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402


def read_request(connection: socket.socket) -> tuple[dict | None, list[int]]:
    """The connection's JSON line and the file descriptors sent with it; None if it closed unused."""
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    while data and not data.endswith(b"\n"):
        more = connection.recv(1 << 16)
        if not more:
            break
        data += more
    return (json.loads(data) if data.endswith(b"\n") else None), fds


def take_place(request: dict) -> None:
    """Move to the request's folder and take its environment."""
    if request["folder"]:
        os.chdir(request["folder"])
    os.environ.clear()
    os.environ.update(request["environment"])


def sphinx(channel, request: dict) -> None:
    """Run Sphinx's command line; send back its exit status and what it printed."""
    written = tempfile.TemporaryFile()  # what reaches the file descriptors (a handler made at import)
    os.dup2(written.fileno(), 1)
    os.dup2(written.fileno(), 2)
    printed = io.StringIO()
    sys.stdout = sys.stderr = printed
    try:
        take_place(request)
        from sphinx.cmd.build import main
        status = main(request["args"])
    except SystemExit as exc:  # --help, --version
        status = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException as exc:
        status, _ = 2, printed.write(f"{type(exc).__name__}: {exc}\n")
    written.seek(0)
    text = written.read().decode(errors="replace") + printed.getvalue()
    channel.write(json.dumps([status, text]).encode())


def kernel(connection: socket.socket, request: dict, fds: list[int]) -> None:
    """Run an IPython kernel, as `python -m ipykernel_launcher ARGS` would, until it stops or its launcher goes."""
    for number, fd in enumerate(fds):
        os.dup2(fd, number)
        os.close(fd)
    os.setsid()  # as jupyter_client starts a kernel: a Ctrl-C at the terminal reaches the build, not it
    take_place(request)

    def stop_when_the_launcher_goes():
        while connection.recv(1):
            pass
        os._exit(1)

    threading.Thread(target=stop_when_the_launcher_goes, daemon=True).start()
    sys.argv = ["ipykernel_launcher", *request["args"]]
    from ipykernel import kernelapp
    # Its parent is watched through the connection (above), not polled by ipykernel: a parent
    # handle of 1 says so, and that a client started it (no notice printed on the terminal).
    kernelapp.IPKernelApp.launch_instance(argv=request["args"], parent_handle=1)


def child(connection: socket.socket) -> None:
    """What a forked child does with its connection."""
    request, fds = read_request(connection)
    if request is None:
        return  # closed unused
    connection.sendall(f"{os.getpid()}\n".encode())
    if request["kind"] == "kernel":
        kernel(connection, request, fds)
        atexit._run_exitfuncs()  # as the kernel's own process would at its end
        sys.stdout.flush()
        sys.stderr.flush()
    else:
        with connection.makefile("wb") as channel:
            sphinx(channel, request)


class _Shell:
    """What `get_ipython()` answers in a kernel, as far as libraries look at import: a shell with a kernel."""

    kernel = None


@contextlib.contextmanager
def as_in_a_kernel():
    """Libraries decide some things at import by where they run: pandas sets `display.max_columns`
    by whether `get_ipython()` is a kernel's shell, and `display.encoding` from standard output's
    encoding. Both look, for the imports inside, as they do in a kernel (UTF-8 output streams, as
    ipykernel's); a test compares every pandas option in a forked kernel and a fresh one."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (io.TextIOWrapper(io.BytesIO(), encoding="UTF-8") for _ in range(2))
    builtins.get_ipython = _Shell
    try:
        yield
    finally:
        del builtins.get_ipython
        sys.stdout, sys.stderr = saved


def import_all(modules: list[str]) -> None:
    """Import each module; "module:attribute" imports the module, then each module its attribute names."""
    for name in modules:
        name, _, attribute = name.partition(":")
        try:
            imported = importlib.import_module(name)
            if attribute:
                import_all(list(getattr(imported, attribute)))
        except Exception:
            pass  # only a head start: the child imports it again and reports any error


def serve(kind: str, listener: socket.socket, modules: list[str]) -> None:
    with as_in_a_kernel() if kind == "kernel" else contextlib.nullcontext():
        import_all(modules)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished children are reaped by the system
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
            return  # the process that started the server has gone
        if listener not in ready:
            continue
        connection, _ = listener.accept()
        if os.fork():
            connection.close()
            continue
        try:  # the child: whatever happens, it never returns to the loop above
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            with connection:
                child(connection)
        finally:
            os._exit(0)


if __name__ == "__main__":
    serve(sys.argv[1], socket.socket(fileno=int(sys.argv[2])), json.loads(sys.argv[3]))
