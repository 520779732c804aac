"""Chapter kernels forked from the build's kernel server (`analysis.servers`, `analysis/fork_server.py`).

A forked kernel must be indistinguishable, to a chapter, from one started afresh: same pandas
options, warning filters, module path and output encoding. It must also behave as a kernel
process does: an interrupt reaches it, and it does not outlive the launcher that stands for it.
"""

import asyncio
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import nbclient
import nbformat
from jupyter_client.manager import AsyncKernelManager

from analysis import servers
from analysis.build import execute as execute_module
from analysis.build.execute import _ipc_kernel_manager, start_kernel_server

STATE = r"""
import json, os, sys, warnings
import pandas as pd
from pandas._config import config
print(json.dumps({
    "pandas options": {name: repr(pd.get_option(name)) for name in sorted(config._registered_options)},
    "module path": sys.path, "folder": os.getcwd(), "argv": sys.argv[1:2],
    "warning filters": sorted(map(repr, warnings.filters)),
    "encodings": [sys.stdout.encoding, sys.stderr.encoding],
    "own session": os.getsid(0) == os.getpid(),
    "signal handlers": [repr(__import__("signal").getsignal(s)) for s in (2, 15)],
    "parent": os.getppid()}))
"""


def run_async(coroutine):
    """Run `coroutine` to its end in a thread of its own: this thread may have an event loop running
    (left by nbclient in an earlier test of the same worker)."""
    result = {}

    def run():
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def kernel_state(manager_class, folder: Path) -> dict:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(STATE)])
    nbclient.NotebookClient(notebook, kernel_name="python3", kernel_manager_class=manager_class,
                            resources={"metadata": {"path": str(folder)}}).execute()
    return json.loads(notebook.cells[0].outputs[0]["text"])


def kernels_of(server: int) -> list[int]:
    """The processes whose parent is `server`."""
    found = []
    for process in Path("/proc").glob("[0-9]*"):
        try:
            stat = (process / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == server:
            found.append(int(process.name))
    return found


def test_a_forked_kernel_starts_as_a_fresh_one_does(tmp_path):
    start_kernel_server()
    forked = kernel_state(_ipc_kernel_manager(str(tmp_path / "k-")), tmp_path)
    fresh = kernel_state(AsyncKernelManager, tmp_path)
    assert forked.pop("parent") == servers.server_pid("kernel")
    assert fresh.pop("parent") == os.getpid()
    assert forked["folder"] == str(tmp_path)
    assert forked == fresh


async def _start(tmp_path):
    manager = _ipc_kernel_manager(str(tmp_path / "k-"))()
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    return manager, client


async def _kernel_pid(client) -> int:
    client.execute("import os; print(os.getpid())")
    while True:
        message = await client.get_iopub_msg(timeout=30)
        if message["msg_type"] == "stream":
            return int(message["content"]["text"])


def test_an_interrupt_reaches_a_forked_kernel(tmp_path):
    start_kernel_server()

    async def interrupted():
        manager, client = await _start(tmp_path)
        try:
            message = client.execute("import time; time.sleep(60)")
            await asyncio.sleep(1)
            started = time.monotonic()
            await manager.interrupt_kernel()
            while True:
                reply = await client.get_shell_msg(timeout=20)
                if reply["parent_header"].get("msg_id") == message:
                    return reply["content"], time.monotonic() - started
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)

    content, seconds = run_async(interrupted())
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
    assert seconds < 20


def test_a_forked_kernel_ends_with_its_launcher(tmp_path):
    """A launcher killed outright (as a build killed with kill -9 leaves it) takes its kernel with it:
    the kernel, a child of the server, would otherwise run on with nothing to stop it."""
    start_kernel_server()

    async def kernel_and_launcher():
        manager, client = await _start(tmp_path)
        try:
            return await _kernel_pid(client), manager.provisioner.process.pid
        finally:
            client.stop_channels()

    kernel, launcher = run_async(kernel_and_launcher())
    assert kernel in kernels_of(servers.server_pid("kernel")) and kernel != launcher
    os.kill(launcher, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while kernel in kernels_of(servers.server_pid("kernel")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kernel not in kernels_of(servers.server_pid("kernel"))


def test_a_kernel_server_is_restarted_when_the_code_changes():
    """Kernels are forked with the chapters' packages imported: code changed since the server
    imported it must not reach a chapter, so another key (the code's checksum) means another server."""
    first = servers.server("kernel", [], key="code as it was")
    first_pid, folder = first.process.pid, first.folder
    assert servers.server("kernel", [], key="code as it was") is first
    second = servers.server("kernel", [], key="code as it is")
    assert second.process.pid != first_pid and second.alive()
    assert first.process.poll() is not None and not Path(folder).exists()
    start_kernel_server()
    assert not second.alive()


def test_a_kernel_starts_afresh_when_its_server_has_gone(tmp_path, monkeypatch):
    """A server that has stopped (restarted for new code, or killed) between the kernel's command
    and its start costs the chapter nothing: the launcher becomes a kernel started afresh."""
    gone = [sys.executable, str(servers.KERNEL_LAUNCHER), str(tmp_path / "no-server")]
    monkeypatch.setattr(execute_module, "kernel_command", lambda arguments: [*gone, *arguments])
    started = kernel_state(_ipc_kernel_manager(str(tmp_path / "k-")), tmp_path)
    fresh = kernel_state(AsyncKernelManager, tmp_path)
    assert started.pop("parent") == fresh.pop("parent") == os.getpid()
    assert started == fresh
