"""Run the chapters through papermill and build the HTML book, aside, then swap it in.

Every chapter's parameters are validated before any notebook runs. Chapters run in
parallel (each in its own kernel) into a staging copy of `book/`; the HTML is built
there with warnings as errors. Only when every chapter and the HTML succeed are the
executed notebooks and the HTML moved into `book/chapters/` and `_build/html/`, so a
failure leaves the last good book as it was.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import REPO_ROOT
from .charts import write_javascript_bundle
from .errors import ChapterError, HandbookError
from .page import ChapterPage, prepare_chapter
from .registry import Chapter, Registry, load_registry

BOOK_DIR = REPO_ROOT / "book"
CHAPTERS_SUBDIR = "chapters"
BUILD_DIR = REPO_ROOT / "_build"
STAGING_SUBDIR = ".staging"
FAILED_SUBDIR = "failed"
CONFIG_FILE = REPO_ROOT / "_config.yml"
TOC_FILE = REPO_ROOT / "_toc.yml"
STATIC_PAGES_FIRST = ["index"]
STATIC_PAGES_LAST = ["methods"]


@dataclass
class Run:
    """One chapter to execute, with its validated parameters."""

    chapter: Chapter
    parameters: dict
    data_dir: str
    page: ChapterPage
    seconds: float = 0.0
    error: str | None = None


def toc_text(registry: Registry) -> str:
    """The jupyter-book table of contents, from the registry."""
    lines = ["# Generated from chapters.toml by `handbook build`; do not edit by hand.",
             "format: jb-book", f"root: {STATIC_PAGES_FIRST[0]}", "chapters:"]
    for page in STATIC_PAGES_FIRST[1:]:
        lines.append(f"  - file: {page}")
    for chapter in registry.chapters:
        lines.append(f"  - file: {CHAPTERS_SUBDIR}/{chapter.name}")
    for page in STATIC_PAGES_LAST:
        lines.append(f"  - file: {page}")
    return "\n".join(lines) + "\n"


def plan_runs(registry: Registry, names: list[str], data_dir: str | None,
              overrides: dict) -> list[Run]:
    """Validate every chapter's parameters and data before anything runs."""
    data = str(Path(data_dir).expanduser().resolve()) if data_dir else ""
    runs = []
    for name in names:
        chapter = registry.chapter(name)
        wanted = dict(overrides)
        if "period" not in chapter.parameters:
            wanted.pop("period", None)  # `--period` applies to the chapters that have one
        page = prepare_chapter(name, data_dir=data, **wanted)
        runs.append(Run(chapter=chapter, parameters=page.parameters, data_dir=data, page=page))
    return runs


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


def _ipc_kernel_manager():
    """Kernels talk over local sockets (IPC), not TCP: private to this machine, and quiet.

    Each kernel gets its own socket path prefix, so chapters running side by side never
    share a socket.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(Path(tempfile.gettempdir()) / f"handbook-kernel-{uuid.uuid4().hex}")

    return IPCKernelManager


def execute(run: Run, out_dir: Path, failed_dir: Path) -> Run:
    """Execute one chapter template with papermill into `out_dir`."""
    import papermill

    target = out_dir / f"{run.chapter.name}.ipynb"
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(run.chapter.template), str(target),
            parameters={**run.parameters, "data_dir": run.data_dir},
            kernel_name="python3", cwd=str(out_dir), progress_bar=False,
            log_output=False, report_mode=False, kernel_manager_class=_ipc_kernel_manager())
    except Exception as exc:  # papermill raises its own error types; all mean "chapter failed"
        run.error = _failing_cell(exc)
        failed_dir.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.copy2(target, failed_dir / target.name)
            target.unlink()
    run.seconds = time.perf_counter() - start
    return run


def _sphinx_config(book: Path) -> None:
    """Write conf.py from _config.yml, without sphinx-thebe (its script is loaded twice)."""
    from jupyter_book.cli.main import main as jupyter_book_main

    with contextlib.redirect_stdout(io.StringIO()):
        jupyter_book_main(["config", "sphinx", str(book)], standalone_mode=False)
    conf = book / "conf.py"
    text = conf.read_text()
    text = re.sub(r"'sphinx_thebe',\s*", "", text)
    conf.write_text(text)


def build_html(book: Path, out: Path, progress: Callable[[str], None]) -> Path:
    """Build the HTML book from `book` into `out` with warnings as errors."""
    _sphinx_config(book)
    progress("Building the HTML book (warnings are errors)...")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
         "-d", str(out.parent / "doctrees"), str(book), str(out)],
        capture_output=True, text=True)
    if result.returncode != 0:
        messages = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        shown = "\n".join(messages[-15:])
        raise HandbookError(f"the HTML build failed; the last good book is unchanged:\n{shown}")
    return out / "index.html"


THEME_SWITCH = re.compile(r'<button[^>]*theme-switch-button[^>]*>.*?</button>', re.DOTALL)
SEARCH_LABEL = re.compile(r'(<button[^>]*search-button-field[^>]*?) aria-label="Search"')


def accessibility_fixes(html_dir: Path) -> None:
    """Mend two things in the theme's markup that an accessibility audit flags.

    The search button's aria-label hides its visible text ("Search Ctrl+K") from screen
    readers, so the label is dropped and the button is named by its text. The colour-mode
    switch is removed: the book is light only (its charts are drawn for a light page).
    """
    for page in html_dir.rglob("*.html"):
        text = page.read_text()
        fixed = SEARCH_LABEL.sub(r"\1", THEME_SWITCH.sub("", text))
        if fixed != text:
            page.write_text(fixed)


def _swap(new: Path, current: Path) -> None:
    """Replace `current` with `new` by renames, keeping `current` until `new` is in place."""
    current.parent.mkdir(parents=True, exist_ok=True)
    old = current.with_name(current.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if current.exists():
        current.rename(old)
    new.rename(current)
    if old.exists():
        shutil.rmtree(old)


def build(names: list[str] | None = None, data_dir: str | None = None, overrides: dict | None = None,
          progress: Callable[[str], None] = print, jobs: int | None = None,
          book_dir: Path | None = None, build_dir: Path | None = None) -> Path:
    """Run chapters (all by default), build the book, and return the path of index.html.

    Chapters not named but never executed yet are run with their defaults, so the book
    is always whole. `book_dir` and `build_dir` (default book/ and _build/) let tests
    build a copy elsewhere.
    """
    book_dir = Path(book_dir or BOOK_DIR)
    build_dir = Path(build_dir or BUILD_DIR)
    registry = load_registry()
    overrides = dict(overrides or {})
    requested = names or [c.name for c in registry.chapters]
    chapters_dir = book_dir / CHAPTERS_SUBDIR
    missing = [c.name for c in registry.chapters
               if c.name not in requested and not (chapters_dir / f"{c.name}.ipynb").exists()]
    runs = plan_runs(registry, requested, data_dir, overrides)
    runs += plan_runs(registry, missing, data_dir, {})

    toc = toc_text(registry)
    if not TOC_FILE.exists() or TOC_FILE.read_text() != toc:
        TOC_FILE.write_text(toc)
    (build_dir / STAGING_SUBDIR).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="build-", dir=build_dir / STAGING_SUBDIR))
    failed_dir = build_dir / FAILED_SUBDIR
    try:
        book = staging / "book"
        shutil.copytree(book_dir, book, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        shutil.copy2(CONFIG_FILE, book / "_config.yml")
        (book / "_toc.yml").write_text(toc)
        write_javascript_bundle(book / "_static")
        out_dir = book / CHAPTERS_SUBDIR
        out_dir.mkdir(exist_ok=True)
        run_chapters(runs, out_dir, failed_dir, progress, jobs)
        html = staging / "html"
        index = build_html(book, html, progress)
        accessibility_fixes(html)
        _write_run_log(html / "_static" / "handbook-run.json", runs)
        # Every chapter and the HTML succeeded: swap them into place.
        _swap(out_dir, chapters_dir)
        _swap(html, build_dir / "html")
        return build_dir / "html" / index.name
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run_chapters(runs: list[Run], out_dir: Path, failed_dir: Path,
                 progress: Callable[[str], None], jobs: int | None) -> None:
    """Execute the chapters in parallel; raise ChapterError naming every failure."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(runs) or 1))
    progress(f"Running {len(runs)} chapter(s) with papermill, {jobs} at a time...")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(execute, run, out_dir, failed_dir) for run in runs]
        for done, future in enumerate(futures, 1):
            run = future.result()
            status = "ok" if run.error is None else "FAILED"
            progress(f"  [{done}/{len(runs)}] {run.chapter.name} "
                     f"({_describe(run.parameters)}): {status} in {run.seconds:.1f} s")
    failures = [r for r in runs if r.error]
    if failures:
        lines = [f"chapter '{r.chapter.name}' failed at {r.error} "
                 f"(executed copy kept at {failed_dir / (r.chapter.name + '.ipynb')})"
                 for r in failures]
        raise ChapterError("; ".join(lines) + ". The last good book is unchanged.")
    progress(f"Chapters done in {time.perf_counter() - started:.1f} s.")


def _describe(parameters: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in parameters.items() if v not in ("", None)) or "defaults"


def _write_run_log(path: Path, runs: list[Run]) -> None:
    """Record what ran, with which parameters and inputs, in the built book."""
    path.parent.mkdir(parents=True, exist_ok=True)
    log = []
    for run in runs:
        log.append({
            "chapter": run.chapter.name, "parameters": run.parameters,
            "seconds": round(run.seconds, 2),
            "inputs": {name: {"origin": s.origin, "synthetic": s.synthetic,
                              "files": {e.relative: e.sha256 for e in s.entries}}
                       for name, s in run.page.sources.items()},
        })
    path.write_text(json.dumps(log, indent=2) + "\n")
