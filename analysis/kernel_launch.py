"""Start a chapter's kernel as a child of the build's kernel server, and stand for it.

jupyter_client runs this in place of `python -m ipykernel_launcher` (`analysis.servers.kernel_command`),
as `python kernel_launch.py SERVER_SOCKET KERNEL_ARGUMENTS...`. It asks the server (`fork_server.py`)
for a kernel in its own folder and environment, with its standard input, output and error, then
stays until that kernel ends: a signal it receives (an interrupt, a stop) is passed on to the
kernel, and if it is killed its connection closes, which stops the kernel too. If the server has
gone, it becomes a kernel started afresh. It imports nothing but the standard library.
"""

import sys

del sys.path[0]  # this file's folder holds the package's modules, not the standard library's

import json  # noqa: E402 (after the path is put right)
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402


def start_afresh(arguments: list[str]) -> None:
    """Become a kernel started afresh, as jupyter_client would have started it."""
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *arguments])


def main(address: str, arguments: list[str]) -> int:
    connection = socket.socket(socket.AF_UNIX)
    try:
        connection.connect(address)
        request = {"kind": "kernel", "args": arguments, "folder": os.getcwd(), "environment": dict(os.environ)}
        socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
        channel = connection.makefile("rb")
        pid = int(channel.readline() or 0)
    except OSError:  # the server has gone (stopped with the code it imported, or killed)
        pid = 0
    if not pid:
        connection.close()
        start_afresh(arguments)

    def pass_on(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, pass_on)
    channel.read()  # until the kernel's end of the connection closes: it has ended
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
