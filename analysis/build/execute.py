"""Execute chapters: each template through papermill in a kernel of its own (over local
sockets), and the scheduler that runs every edition's chapters and HTML builds on one pool."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..editions import Edition, code_checksum, now
from ..errors import ChapterError, HandbookError
from ..servers import kernel_command, server
from ..templates import papermill_input
from .plan import Run

if TYPE_CHECKING:
    from . import EditionBuild

KERNEL_PREFIX = "handbook-kernel-"


def _failing_cell(exc: Exception) -> str:
    """A one-line account of where a notebook failed: cell number, its first line, the error."""
    cell = getattr(exc, "exec_count", None)
    source = (getattr(exc, "source", "") or "").strip().splitlines()
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = re.sub(r"\x1b\[[0-9;]*m", "", str(getattr(exc, "evalue", exc))).strip().splitlines()
    where = f"cell [{cell}]" if cell is not None else "a cell"
    if source:
        where += f" ({source[0][:60]})"
    message = next((line.strip() for line in evalue if line.strip()), "")
    return f"{where} raised {ename}: {message}"


def kernel_socket_prefix(build_dir: Path) -> str:
    """Socket files of this checkout's kernels start with this (in the temporary folder), so
    a later build can remove those a killed build left without touching other checkouts'."""
    key = hashlib.sha256(str(Path(build_dir).resolve()).encode()).hexdigest()[:10]
    return str(Path(tempfile.gettempdir()) / f"{KERNEL_PREFIX}{key}-")


def _ipc_kernel_manager(prefix: str):
    """Kernels talk over local sockets (IPC), not TCP: private to this machine, and quiet.

    Each kernel gets its own socket path under `prefix`, so chapters running side by side
    never share a socket. A kernel is forked from this process's kernel server when one is
    running (`analysis.servers`), with its imports done, and started afresh otherwise. At
    shutdown, jupyter_client sends the kernel SIGINT before its shutdown request; a kernel
    that is between messages then logs a spurious "KeyboardInterrupt caught in kernel" on the
    terminal (seen in about 5% of runs). The shutdown request alone stops an idle kernel (and
    a kernel that ignores it is killed), so that interrupt is not sent.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = f"{prefix}{uuid.uuid4().hex[:12]}"

        def format_kernel_cmd(self, extra_arguments=None):
            command = super().format_kernel_cmd(extra_arguments)
            if command[:3] == [sys.executable, "-m", "ipykernel_launcher"]:
                return kernel_command(command[3:]) or command
            return command

        async def _async_interrupt_kernel(self):
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return IPCKernelManager


def start_kernel_server() -> None:
    """Start this process's kernel server (`analysis.servers`), importing ipykernel, pandas, altair
    and every chapter's package, unless one is running for this code and module path."""
    from ..registry import load_registry

    modules = ["ipykernel.kernelapp", "pandas", "altair", *[c.module for c in load_registry().chapters]]
    server("kernel", modules, key=f"{code_checksum()} {os.environ.get('PYTHONPATH', '')}")


def execute_chapter(run: Run, out_dir: Path, failed_dir: Path, socket_prefix: str) -> Run:
    """Execute one chapter template with papermill into `out_dir`."""
    import papermill

    start_kernel_server()
    target = out_dir / f"{run.chapter.name}.ipynb"
    start = time.perf_counter()
    run.executed_at = now()
    # A template that does not convert raises its TemplateError out of here: not a chapter's failure.
    with papermill_input(run.chapter.template) as source:
        try:
            papermill.execute_notebook(
                str(source), str(target),
                parameters={**run.parameters, "data_dir": run.data_dir},
                # The kernel starts in `out_dir` (nbclient's resources path). Papermill's own `cwd`
                # would change this process's folder for the whole run, which chapters running side
                # by side in threads would leave pointing at another run's staging folder.
                kernel_name="python3", resources={"metadata": {"path": str(out_dir)}}, progress_bar=False,
                log_output=False, report_mode=False, kernel_manager_class=_ipc_kernel_manager(socket_prefix),
                # Written once at the end (or at the failing cell), not validated and rewritten whole
                # before and after every cell: 0.3 s a chapter. A kernel that dies leaves no notebook.
                request_save_on_cell_execute=False)
            run.error = warning_written(target)
        except Exception as exc:  # papermill raises its own error types; all mean "chapter failed"
            run.error = _failing_cell(exc)
    if run.error:
        failed_dir.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.copy2(target, failed_dir / target.name)
            target.unlink()
    run.seconds = time.perf_counter() - start
    return run


def warning_written(notebook: Path) -> str | None:
    """Where an executed chapter wrote to standard error (a warning), or None.

    A warning in a chapter means something the code did not expect (a division by zero,
    a value it could not parse), and its text, often with local file paths, would be
    printed on the page: the chapter counts as failed instead.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = [line.strip() for line in output.get("text", "").splitlines() if line.strip()]
                first = next((line for line in lines if "Warning" in line), lines[0] if lines else "")
                source = (cell.source.strip().splitlines() or [""])[0][:60]
                return (f"cell [{cell.get('execution_count')}] ({source}) wrote a warning, which would reach "
                        f"the page: {first[:200]}")
    return None


@dataclass
class ChapterJob:
    """Execute one chapter of an edition."""

    each: EditionBuild
    run: Run


@dataclass
class HtmlJob:
    """Build an edition's HTML (its `finish`), once all its chapters have succeeded."""

    each: EditionBuild


def run_all(builds: list[EditionBuild], finish: Callable[[EditionBuild], EditionBuild],
            progress: Callable[[str], None], jobs: int | None, socket_prefix: str,
            several: bool) -> list[HandbookError]:
    """Execute the chosen chapters of every edition with at most `jobs` at work at once
    (default: the machine's cores); as soon as all of an edition's chapters have succeeded,
    its `finish` (the HTML build) takes the next free place, ahead of chapters still
    waiting, so editions are built while later ones' chapters run. Returns each edition's
    failure: a ChapterError naming every failed chapter and its cell, or the error of its
    HTML build. Errors nobody foresaw are raised at once."""
    runs = [run for each in builds for run in each.to_run]
    jobs = max(1, min(jobs or os.cpu_count() or 1, max(len(runs), 1)))
    if runs:
        progress(f"Running {len(runs)} chapter(s) with papermill, {jobs} at a time...")
    started = time.perf_counter()
    failures: list[HandbookError] = []
    waiting_chapters = [ChapterJob(each, run) for each in builds for run in each.to_run]
    waiting_html = [HtmlJob(each) for each in builds if not each.to_run]
    left = {id(each): len(each.to_run) for each in builds}
    executed = 0
    pending: dict = {}  # future -> its job
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            while pending or waiting_chapters or waiting_html:
                while len(pending) < jobs and (waiting_html or waiting_chapters):
                    if waiting_html:
                        job = waiting_html.pop(0)
                        pending[pool.submit(finish, job.each)] = job
                    else:
                        job = waiting_chapters.pop(0)
                        pending[pool.submit(execute_chapter, job.run, job.run.out_dir, job.run.failed_dir,
                                            socket_prefix)] = job
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    if isinstance(job, HtmlJob):
                        try:
                            future.result()
                        except HandbookError as exc:
                            failures.append(exc)
                        continue
                    future.result()
                    each, run = job.each, job.run
                    executed += 1
                    status = "ok" if run.error is None else "FAILED"
                    progress(f"  [{executed}/{len(runs)}] {run.chapter.name} "
                             f"({_describe(run.parameters)}): {status} in {run.seconds:.1f} s")
                    if executed == len(runs):
                        progress(f"Chapters done in {time.perf_counter() - started:.1f} s.")
                    left[id(each)] -= 1
                    if left[id(each)] == 0:
                        failed = [r for r in each.to_run if r.error]
                        if failed:
                            failures.append(chapter_failure(each.ed, failed, several))
                        else:
                            waiting_html.append(HtmlJob(each))
        except BaseException:
            waiting_chapters.clear()  # let the running ones end, start no more
            raise
    return failures


def chapter_failure(ed: Edition, failed: list[Run], several: bool) -> ChapterError:
    """One error naming each failed chapter of an edition, its cell, and where its copy is kept."""
    edition_words = f" of the {ed.period} edition" if several else ""
    lines = [f"chapter '{r.chapter.name}'{edition_words} failed at {r.error} "
             f"(executed copy kept at {r.failed_dir / (r.chapter.name + '.ipynb')})" for r in failed]
    kept = f"The last good {ed.period} edition is unchanged." if several else "The last good book is unchanged."
    return ChapterError("; ".join(lines) + ". " + kept)


def _describe(parameters: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in parameters.items() if v not in ("", None)) or "defaults"
