"""Run the chapters through papermill and build the HTML book, aside, then swap it in.

Every chapter's parameters are validated before any notebook runs, and the terminal is
told where each dataset comes from (the user's folder or a bundled sample, and why).
Chapters run in parallel (each in its own kernel; the chapters of all the editions in a
build share one pool, bounded by the machine's cores) into a staging folder per edition;
each edition's HTML is built with warnings as errors as soon as its chapters are done.
Only when every chapter of an edition and its HTML succeed are its executed notebooks and
HTML moved into place (`book/chapters/` and `_build/html/` for the report year), together,
under a journal: a build killed during the swap is rolled back at the next start, so the
notebooks and the HTML always come from the same build. Parsed input files are shared
between the build's checks, the chapters and the editions (see `analysis.readcache`), and
every successful run is kept under its run key, so the same run is never executed twice.
Everything reused from an earlier build (kept runs and parsed files, the executed chapters
and their manifest, Sphinx's saved state and the published HTML, the Vega bundle) is first
checked against the record written with it (`analysis.sealed`); what fails is made again.
One build runs at a time per checkout (a lock in `_build/`); the next build removes the
staging folders and kernel socket files that a killed build left behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import REPO_ROOT, sealed, tempfolders
from .datapack import write_data_pack
from .charts import BUNDLE_NAME, write_javascript_bundle
from .editions import (EDITION_SCRIPT, MANIFEST_FILE, REPORT_PERIOD, SITE_LIST, Edition, code_checksum, edition,
                       edition_script, now, not_covered_notebook, parse_periods, read_manifest, run_key, sync_tree,
                       write_manifest, write_site)
from .errors import ChapterError, DataError, HandbookError, ParameterError
from .methods_page import methods_page
from .page import ChapterPage, prepare_chapter
from .readcache import check_kept, read_cache
from .registry import Chapter, Registry, load_registry
from .sources import SOURCES_FILE, Source
from .sphinx_server import SphinxProcess
from .templates import papermill_input

BOOK_DIR = REPO_ROOT / "book"
CHAPTERS_SUBDIR = "chapters"
BUILD_DIR = REPO_ROOT / "_build"
STAGING_SUBDIR = ".staging"
FAILED_SUBDIR = "failed"
LOCK_FILE = ".lock"
JOURNAL_FILE = "swap-journal.json"
KERNEL_PREFIX = "handbook-kernel-"
CONFIG_FILE = REPO_ROOT / "_config.yml"
TOC_FILE = REPO_ROOT / "_toc.yml"
STATIC_PAGES_FIRST = ["index"]
STATIC_PAGES_LAST = ["methods", "references"]
SWITCHER_SCRIPT = "year-switcher.js"  # book/_static/


@dataclass
class Run:
    """One chapter to execute, with its validated parameters."""

    chapter: Chapter
    parameters: dict
    data_dir: str
    page: ChapterPage | None
    seconds: float = 0.0
    error: str | None = None
    not_covered: str | None = None  # why the data do not cover the edition's year
    key: str = ""  # see analysis.editions.run_key
    executed_at: str = ""
    out_dir: Path | None = None  # where its executed notebook is written (its edition's staging folder)
    failed_dir: Path | None = None  # where the executed copy of a failed run is kept


def toc_text(registry: Registry, folder: str = "book/") -> str:
    """The jupyter-book table of contents, from the registry.

    The committed `_toc.yml` names pages from the repository root (`book/...`), so
    `jupyter-book build .` builds the book there; `handbook build` builds from inside the
    book's folder (`folder=""`)."""
    lines = ["# Generated from chapters.toml by `handbook build`; do not edit by hand.",
             "format: jb-book", f"root: {folder}{STATIC_PAGES_FIRST[0]}", "chapters:"]
    for page in STATIC_PAGES_FIRST[1:]:
        lines.append(f"  - file: {folder}{page}")
    for chapter in registry.chapters:
        lines.append(f"  - file: {folder}{CHAPTERS_SUBDIR}/{chapter.name}")
    for page in STATIC_PAGES_LAST:
        lines.append(f"  - file: {folder}{page}")
    return "\n".join(lines) + "\n"


def check_data_folder(data_dir: str | None) -> Path | None:
    """The user's `--data` folder, checked: a folder (not a file), not empty, readable, and
    any `sources.csv` in it in the handbook's format. None when no folder was given."""
    if data_dir is None:
        return None
    if not str(data_dir).strip():
        raise ParameterError("data", "is empty; give the folder that holds your published files")
    path = Path(data_dir).expanduser()
    if path.is_file():
        raise ParameterError("data", f"{path} is a file, not a folder; give the folder that holds it")
    if not path.is_dir():
        raise ParameterError("data", f"the data folder {path} does not exist")
    try:
        files = [p for p in path.resolve().rglob("*") if p.is_file() and not p.name.startswith(".")]
    except OSError as exc:
        raise ParameterError("data", f"the data folder {path} cannot be read ({exc.strerror})") from None
    if not [p for p in files if p.name != SOURCES_FILE]:
        raise ParameterError("data", f"the data folder {path} holds no data files; give the folder that holds "
                                     "your published files (leave out --data to build on the bundled samples)")
    for listing in (p for p in files if p.name == SOURCES_FILE):
        check_sources_listing(listing)
    return path.resolve()


def check_sources_listing(path: Path) -> None:
    """A `sources.csv` must be UTF-8 with the handbook's header (file, publisher, ..., sha256, ...)."""
    import csv

    from .sources import SOURCES_COLUMNS

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error):
        header = None
    if not header or "file" not in header or "sha256" not in header:
        raise DataError(path, "is not a sources listing in the handbook's format (its header row must name "
                              f"the columns {', '.join(SOURCES_COLUMNS)}); rename or remove it, since the "
                              "handbook reads every sources.csv in the data folder")


def plan_runs(registry: Registry, names: list[str], data_dir: str | None,
              overrides: dict, tolerate_period: bool = False) -> list[Run]:
    """Validate every chapter's parameters and data before anything runs.

    With `tolerate_period`, a chapter whose data do not cover the period is planned as not
    covered (its page says so) rather than stopping the build."""
    checked = check_data_folder(data_dir)
    data = str(checked) if checked else ""
    runs = []
    for name in names:
        chapter = registry.chapter(name)
        wanted = dict(overrides)
        if "period" not in chapter.parameters:
            year = wanted.pop("period", REPORT_PERIOD)  # `--period` applies to the chapters that have one
            if tolerate_period and year != REPORT_PERIOD:  # its fixed windows belong to the report's edition
                runs.append(Run(chapter=chapter, parameters=wanted, data_dir=data, page=None, not_covered=(
                    f"this chapter has no period; it measures the months set in its own parameters, and its "
                    f"page is in the {REPORT_PERIOD} edition")))
                continue
        chapter.resolve_parameters(wanted)  # unknown or reserved names stop here, in one sentence
        try:
            page = prepare_chapter(name, data_dir=data, **wanted)
        except ParameterError as exc:
            if not (tolerate_period and exc.parameter == "period"):
                raise
            reason = str(exc).split(": ", 1)[1]
            runs.append(Run(chapter=chapter, parameters=wanted, data_dir=data, page=None, not_covered=reason))
            continue
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


def kernel_socket_prefix(build_dir: Path) -> str:
    """Socket files of this checkout's kernels start with this (in the temporary folder), so
    a later build can remove those a killed build left without touching other checkouts'."""
    key = hashlib.sha256(str(Path(build_dir).resolve()).encode()).hexdigest()[:10]
    return str(Path(tempfile.gettempdir()) / f"{KERNEL_PREFIX}{key}-")


def _ipc_kernel_manager(prefix: str):
    """Kernels talk over local sockets (IPC), not TCP: private to this machine, and quiet.

    Each kernel gets its own socket path under `prefix`, so chapters running side by side
    never share a socket. At shutdown, jupyter_client sends the kernel SIGINT before its
    shutdown request; a kernel that is between messages then logs a spurious
    "KeyboardInterrupt caught in kernel" on the terminal (seen in about 5% of runs). The
    shutdown request alone stops an idle kernel (and a kernel that ignores it is killed),
    so that interrupt is not sent.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = f"{prefix}{uuid.uuid4().hex[:12]}"

        async def _async_interrupt_kernel(self):
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return IPCKernelManager


def execute(run: Run, out_dir: Path, failed_dir: Path, socket_prefix: str) -> Run:
    """Execute one chapter template with papermill into `out_dir`."""
    import papermill

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


def _sphinx_config(book: Path) -> None:
    """Write conf.py from _config.yml, without sphinx-thebe (its script is loaded twice)."""
    from jupyter_book.cli.main import main as jupyter_book_main

    with contextlib.redirect_stdout(io.StringIO()):
        jupyter_book_main(["config", "sphinx", str(book)], standalone_mode=False)
    conf = book / "conf.py"
    text = conf.read_text()
    text = re.sub(r"'sphinx_thebe',\s*", "", text)
    conf.write_text(text)


CONF_ADDITIONS = f"""
html_js_files = list(html_js_files) + [{EDITION_SCRIPT!r}, {SWITCHER_SCRIPT!r}]
"""


_confs: dict[bytes, str] = {}
_conf_lock = threading.Lock()


def sphinx_conf(config: bytes) -> str:
    """The conf.py for `config` (_config.yml and _toc.yml text), made once per process (about 0.3 s)."""
    with _conf_lock:
        if config not in _confs:
            with tempfile.TemporaryDirectory(prefix=tempfolders.prefix("conf")) as tmp:
                shutil.copy2(CONFIG_FILE, Path(tmp) / "_config.yml")
                (Path(tmp) / "_toc.yml").write_text(toc_text(load_registry(), folder=""))
                _sphinx_config(Path(tmp))
                text = (Path(tmp) / "conf.py").read_text()  # built from book/: paths relative to it
            _confs[config] = text.replace("book/_static", "_static").replace("book/references.bib", "references.bib")
        return _confs[config] + CONF_ADDITIONS


_bundle_lock = threading.Lock()


def javascript_bundle(progress: Callable[[str], None] = print) -> bytes:
    """The Vega bundle, made once per vl-convert version and kept in the user's cache folder with
    its record; a kept bundle that fails its record (changed, cut short, emptied) is made again."""
    from importlib.metadata import version

    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nhs-handbook"
    cache = folder / f"vega-bundle-{version('vl-convert-python')}.js"
    with _bundle_lock:
        bundle = sealed.read(cache, progress, "it is made again from vl-convert")
        if bundle is None:
            with tempfile.TemporaryDirectory(prefix=tempfolders.prefix("bundle")) as tmp:
                bundle = write_javascript_bundle(Path(tmp)).read_bytes()
            sealed.write(cache, bundle)
    return bundle


def build_html(book: Path, out: Path, progress: Callable[[str], None], doctrees: Path,
               edition_name: str = "", sphinx: SphinxProcess | None = None) -> Path:
    """Build the HTML book from `book` (with its conf.py) into `out` with warnings as errors,
    in `sphinx` if one was started for it; Sphinx keeps its environment in `doctrees` and
    rewrites only the pages that changed."""
    progress(f"Building the HTML {f'of the {edition_name} edition' if edition_name else 'book'} "
             "(warnings are errors)...")
    sphinx = sphinx or SphinxProcess((book / "conf.py").read_text())
    try:
        status, printed = sphinx.run(["-b", "html", "-W", "--keep-going", "-q", "-d", str(doctrees),
                                      str(book), str(out)])
    finally:
        sphinx.close()
    if status != 0:
        messages = [line for line in printed.splitlines() if line.strip()]
        shown = "\n".join(messages[-15:])
        kept = f"the last good {edition_name} edition" if edition_name else "the last good book"
        raise HandbookError(f"the HTML build failed; {kept} is unchanged:\n{shown}")
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


DATA_LABEL = "<your --data folder>"
TEXT_SUFFIXES = (".html", ".ipynb", ".txt", ".json", ".js", ".md", ".csv", ".xml")


def strip_local_paths(html_dir: Path, labels: dict[str, str]) -> None:
    """Take this machine's absolute paths out of the published book.

    In the executed notebooks Sphinx publishes (`_sources/**/*.ipynb`) papermill's input and
    output paths become the template's and the page's names, and the `data_dir` parameter
    becomes a label; then every remaining occurrence of a path in `labels` (the data folder,
    the staging folder, the checkout), in any text file, is replaced by its label.
    """
    ordered = sorted(((k, v) for k, v in labels.items() if k and len(k) > 1), key=lambda kv: -len(kv[0]))
    for path in html_dir.rglob("*"):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(errors="surrogateescape")
        fixed = _published_notebook(text) if path.suffix == ".ipynb" else text
        for local, label in ordered:
            fixed = fixed.replace(local, label)
        if fixed != text:
            path.write_text(fixed, errors="surrogateescape")


def _published_notebook(text: str) -> str:
    try:
        nb = json.loads(text)
    except ValueError:
        return text
    meta = nb.get("metadata", {}).get("papermill")
    if not isinstance(meta, dict):
        return text
    for key in ("input_path", "output_path"):
        if meta.get(key):
            meta[key] = Path(meta[key]).name
    params = meta.get("parameters") or {}
    if params.get("data_dir"):
        params["data_dir"] = DATA_LABEL
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell.get("source", []))
            cell["source"] = re.sub(r'^data_dir = ".+"$', f'data_dir = "{DATA_LABEL}"', source, flags=re.M)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _old(path: Path) -> Path:
    return path.with_name(path.name + ".old")


def swap_together(pairs: list[tuple[Path, Path]], journal: Path) -> None:
    """Move each `new` into place of its `current`, all or none.

    The journal names the pairs while the renames happen; a build killed before the
    journal is removed is rolled back by `recover_swap` at the next start, so the executed
    notebooks and the HTML in place always come from the same build.
    """
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text(json.dumps([[str(new), str(current)] for new, current in pairs]))
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
    journal.unlink()
    for _, current in pairs:
        shutil.rmtree(_old(current), ignore_errors=True)


def recover_swap(journal: Path, currents: list[Path]) -> bool:
    """Undo a swap a killed build left half done; remove leftovers of a finished one.

    Returns True when a half-done swap was rolled back.
    """
    rolled_back = False
    if journal.exists():
        try:
            pairs = [Path(current) for _, current in json.loads(journal.read_text())]
        except (ValueError, TypeError):
            pairs = list(currents)
        for current in pairs:
            if _old(current).exists():
                if current.exists():
                    shutil.rmtree(current)
                _old(current).rename(current)
                rolled_back = True
        journal.unlink()
    for current in currents:
        if _old(current).exists():
            shutil.rmtree(_old(current), ignore_errors=True)
    return rolled_back


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


def build(names: list[str] | None = None, data_dir: str | None = None, overrides: dict | None = None,
          progress: Callable[[str], None] = print, jobs: int | None = None,
          book_dir: Path | None = None, build_dir: Path | None = None, real_only: bool = False,
          force: bool = False) -> Path:
    """Run chapters (all by default), build the book, and return the path of index.html.

    `overrides["period"]` chooses the edition: a year ("2017-18") or a range of years
    ("2015-16..2018-19", one edition each); without it, the report year's edition. Chapters
    not named but never executed in that edition yet are run with their defaults, so each
    edition is always whole. A chapter unchanged since its last successful run (see
    `analysis.editions.run_key`) is not executed again unless `force`. The chapters of all
    the editions share one pool of `jobs` kernels (default: the machine's cores), and an
    edition's HTML is built as soon as its chapters are done. With `real_only`, a dataset
    that would come from a bundled synthetic sample is an error. `book_dir` and `build_dir`
    (default book/ and _build/) let tests build a copy elsewhere. For a range, the site's
    front door is returned.
    """
    book_dir = Path(book_dir or BOOK_DIR)
    build_dir = Path(build_dir or BUILD_DIR)
    overrides = dict(overrides or {})
    periods = parse_periods(overrides.pop("period")) if "period" in overrides else [REPORT_PERIOD]
    registry = load_registry()
    editions = [edition(period, book_dir, build_dir) for period in periods]
    check_writable([build_dir, book_dir, *[ed.chapters_dir for ed in editions]])
    code = code_checksum()
    check_kept(reads_folder(build_dir, code), progress)
    with read_cache(reads_folder(build_dir, code), code, say=progress):
        requested = names or [c.name for c in registry.chapters]
        data = check_data_folder(data_dir)
        planned = [plan_runs(registry, requested, data_dir, {**overrides, "period": ed.period},
                             tolerate_period=not names) for ed in editions]
        with build_lock(build_dir):
            for ed in editions:
                if recover_swap(build_dir / JOURNAL_FILE, [ed.chapters_dir, ed.html_dir]):
                    progress("An earlier build was stopped while swapping in its book; the book before it "
                             "was restored.")
            clean_leftovers(build_dir, progress)
            forget_other_code(build_dir, code)
            builds, shown = [], []

            def once(message: str) -> None:  # the editions' data lines, when the same, are said once
                if message not in shown:
                    shown.append(message)
                    progress(message)

            for ed, runs in zip(editions, planned):
                manifest, trusted = trusted_chapters(ed, progress)
                missing = [c.name for c in registry.chapters if c.name not in requested and c.name not in trusted]
                runs += plan_runs(registry, missing, data_dir, {"period": ed.period}, tolerate_period=True)
                report_sources([r for r in runs if r.page], registry, data, once, real_only)
                builds.append(EditionBuild(ed, runs, manifest=manifest, trusted=trusted))
            index = _build_aside(registry, builds, book_dir, build_dir, progress, jobs,
                                 str(data) if data else "", force, code)
    if len(periods) > 1:
        return write_site(book_dir, build_dir)
    return index


@dataclass
class EditionBuild:
    """One edition in a build: its planned runs, staging folder, and what became of it."""

    ed: Edition
    runs: list[Run]
    staging: Path | None = None
    manifest: dict | None = None  # as verified (analysis.editions.read_manifest)
    trusted: dict[str, bytes] | None = None  # the executed notebooks in place that the manifest records
    to_run: list[Run] | None = None
    html: Path | None = None  # the finished HTML in staging, ready to swap in
    up_to_date: bool = False
    sphinx: SphinxProcess | None = None  # started with the chapters, for the HTML build

    @property
    def out_dir(self) -> Path:
        return self.staging / CHAPTERS_SUBDIR


def reads_folder(build_dir: Path, code: str) -> Path:
    """Where parsed input files are kept for this version of the package's code."""
    return Path(build_dir) / "cache" / "reads" / code[:16]


def runs_folder(build_dir: Path, code: str) -> Path:
    """Where executed chapters are kept by run key, for this version of the package's code."""
    return Path(build_dir) / "cache" / "runs" / code[:16]


def forget_other_code(build_dir: Path, code: str) -> None:
    """Remove the parsed files and executed chapters kept for other versions of the code (they
    are never used again) and any half-written file a killed build left (called with the lock
    held, before any kernel)."""
    for keep in (reads_folder(build_dir, code), runs_folder(build_dir, code)):
        if keep.parent.is_dir():
            for folder in keep.parent.iterdir():
                if folder != keep:
                    shutil.rmtree(folder, ignore_errors=True)
        for partial in keep.glob(".tmp-*"):
            partial.unlink(missing_ok=True)


def keep_run(kept: Path, run: Run, notebook: bytes, facts: dict) -> None:
    """Keep a successful run's executed notebook and its manifest entry (which records the
    notebook's sha256) under its run key, the entry with its record."""
    kept.mkdir(parents=True, exist_ok=True)
    sealed.write_atomically(kept / f"{run.key}.ipynb", notebook)
    sealed.write(kept / f"{run.key}.json", json.dumps(facts).encode())


def kept_run(kept: Path, run: Run, progress: Callable[[str], None]) -> tuple[bytes, dict] | None:
    """The executed notebook and manifest entry kept for `run`'s key, if the entry passes its
    record and the notebook is the one it records; else None (what failed is removed, said in one line)."""
    entry_file, notebook_file = kept / f"{run.key}.json", kept / f"{run.key}.ipynb"
    then = f"chapter '{run.chapter.name}' is executed again"
    found = sealed.read(entry_file, progress, then)
    if found is None:
        notebook_file.unlink(missing_ok=True)
        return None
    entry = json.loads(found)
    try:
        notebook = notebook_file.read_bytes()
    except OSError:
        notebook = b""
    if hashlib.sha256(notebook).hexdigest() != entry.get("notebook"):
        sealed.remove(entry_file)
        sealed.drop(notebook_file, f"is not the notebook recorded in {entry_file.name} (changed, cut short or "
                                   "removed since it was kept)", progress, then)
        return None
    return notebook, entry


def trusted_chapters(ed: Edition, progress: Callable[[str], None]) -> tuple[dict, dict[str, bytes]]:
    """The edition's manifest (empty when it fails its record) and the executed notebooks in
    place that it records (by sha256), by chapter: only those are reused. Any other notebook
    there is left out (its chapter runs again), said in one line each, unless the manifest's
    own line has said so for all of them."""
    said: list[str] = []
    manifest = read_manifest(ed.manifest, said.append)
    for line in said:
        progress(line)
    trusted = {}
    for path in sorted(ed.chapters_dir.glob("*.ipynb")) if ed.chapters_dir.is_dir() else []:
        try:
            notebook = path.read_bytes()
        except OSError:
            notebook = None
        entry = manifest.get(path.stem)
        if entry is not None and notebook is not None and hashlib.sha256(notebook).hexdigest() == entry.get("notebook"):
            trusted[path.stem] = notebook
        elif not said:
            why = ("cannot be read" if notebook is None else f"is not recorded in {ed.manifest}" if entry is None
                   else "is not the notebook the build wrote there (its sha256 differs from the manifest's)")
            progress(f"Not reused: {path} {why}; it is left out and its chapter made again.")
    return manifest, trusted


STATE_FILE = "sphinx-state.json"  # in the edition's work folder, with the manifest and src/ (rewritten each build)
NOT_SPHINX = {"src", MANIFEST_FILE, MANIFEST_FILE + sealed.RECORD_SUFFIX}


def sphinx_state(ed: Edition) -> dict[str, str]:
    """The sha256 of every file Sphinx keeps between builds of an edition (its pickled environment
    and doctrees, its HTML: all of the work folder but the source folder and the manifest) and
    of every published HTML file (but the list of editions, rewritten at every build)."""
    files = {}
    for root, prefix in ((ed.work_dir, "work/"), (ed.html_dir, "published/")):
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            relative = path.relative_to(root)
            if path.is_file() and not (root == ed.work_dir and relative.parts[0] in NOT_SPHINX | {
                    STATE_FILE, STATE_FILE + sealed.RECORD_SUFFIX}) and relative.as_posix() != f"_static/{SITE_LIST}":
                try:
                    files[prefix + relative.as_posix()] = sealed.sha256_of(path)
                except OSError:
                    files[prefix + relative.as_posix()] = "unreadable"  # never as recorded
    return files


def seal_sphinx_state(ed: Edition) -> None:
    """Record Sphinx's state and the published HTML of an edition just swapped in."""
    sealed.write(ed.work_dir / STATE_FILE, json.dumps(sphinx_state(ed), sort_keys=True).encode())


def trusted_sphinx_state(ed: Edition, progress: Callable[[str], None]) -> bool:
    """Whether Sphinx's state and the published HTML are exactly as recorded when the edition was
    last swapped in. If not, Sphinx's state is cleared (its next build reads every page afresh),
    said in one line when there was anything to clear."""
    then = "Sphinx's saved state is cleared and the edition's HTML built afresh"
    said: list[str] = []
    found = sealed.read(ed.work_dir / STATE_FILE, said.append, then)
    now = sphinx_state(ed)
    if found is not None:
        recorded = json.loads(found)
        if recorded == now:
            return True
        differs = sorted(set(recorded.items()) ^ set(now.items()))[0][0]
        said.append(f"Not reused: {ed.work_dir / STATE_FILE} records Sphinx's state and the published HTML, and "
                    f"{differs} is not as recorded (changed, added or removed since); {then}.")
    elif not said and any(name.startswith("work/") for name in now):
        said.append(f"Not reused: Sphinx's saved state in {ed.work_dir} has no record ({STATE_FILE}); {then}.")
    for line in said:
        progress(line)
    clear_sphinx_state(ed)
    return False


def clear_sphinx_state(ed: Edition) -> None:
    """Remove everything Sphinx keeps for an edition, so its next build starts clean."""
    for path in ed.work_dir.iterdir() if ed.work_dir.is_dir() else []:
        if path.name not in NOT_SPHINX:  # the state's record goes too
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def failed_folder(build_dir: Path, ed: Edition) -> Path:
    """Where the executed copies of an edition's failed chapters are kept."""
    folder = Path(build_dir) / FAILED_SUBDIR
    return folder if ed.period == REPORT_PERIOD else folder / ed.period


def _build_aside(registry: Registry, builds: list[EditionBuild], book_dir: Path, build_dir: Path,
                 progress: Callable[[str], None], jobs: int | None, data_dir: str, force: bool,
                 code: str) -> Path:
    """Run the chapters that changed, of every edition, in staging folders on one pool of
    kernels; build each edition's HTML from its kept sources (Sphinx redoes only changed
    pages) as soon as its chapters are done; then swap each edition's notebooks and HTML in
    together. An edition with a failed chapter or HTML is left as it was; the others are
    swapped in, and the failures are raised together at the end."""
    if not TOC_FILE.exists() or TOC_FILE.read_text() != toc_text(registry):
        TOC_FILE.write_text(toc_text(registry))
    toc = toc_text(registry, folder="")
    (build_dir / STAGING_SUBDIR).mkdir(parents=True, exist_ok=True)
    several = len(builds) > 1
    try:
        for each in builds:
            ed = each.ed
            each.staging = Path(tempfile.mkdtemp(prefix=f"build-{ed.period}-", dir=build_dir / STAGING_SUBDIR))
            each.out_dir.mkdir()
            for name, notebook in each.trusted.items():
                (each.out_dir / f"{name}.ipynb").write_bytes(notebook)
            progress(f"Edition {ed.period}:")
            each.to_run = choose_runs(each.runs, each.manifest, ed, each.out_dir, force, progress, code,
                                      runs_folder(build_dir, code))
            # The longest first (as last timed), so that no long chapter is left to run alone at the end.
            each.to_run.sort(key=lambda run: -_last_seconds(each.manifest, run.chapter.name))
            for run in each.to_run:
                run.out_dir, run.failed_dir = each.out_dir, failed_folder(build_dir, ed)
            if each.to_run:
                each.sphinx = SphinxProcess(sphinx_conf(CONFIG_FILE.read_bytes() + toc.encode()))

        def finish(each: EditionBuild) -> EditionBuild:
            return _finish_edition(each, book_dir, build_dir, toc, data_dir, progress, several,
                                   runs_folder(build_dir, code))

        failures = run_all(builds, finish, progress, jobs, kernel_socket_prefix(build_dir), several)
        index = None
        for each in builds:
            ed = each.ed
            if each.html is not None:  # every chapter and the HTML succeeded: swap them in, together
                swap_together([(each.out_dir, ed.chapters_dir), (each.html, ed.html_dir)], build_dir / JOURNAL_FILE)
                seal_sphinx_state(ed)
            if each.html is not None or each.up_to_date:
                write_manifest(ed.manifest, {k: v for k, v in each.manifest.items()
                                             if k in {r.chapter.name for r in each.runs}
                                             or (ed.chapters_dir / f"{k}.ipynb").exists()})
            index = ed.html_dir / "index.html"
        write_site(book_dir, build_dir)
        if any(each.ed.period == REPORT_PERIOD for each in builds):  # for `jupyter-book build .` from the root
            sync_tree({BUNDLE_NAME: javascript_bundle(progress)}, book_dir / "_static", remove=False)
        if failures:
            kind = ChapterError if all(isinstance(f, ChapterError) for f in failures) else HandbookError
            raise failures[0] if len(failures) == 1 else kind(" ".join(str(f) for f in failures))
        return index
    finally:
        for each in builds:
            if each.sphinx is not None:
                each.sphinx.close()
            if each.staging is not None:
                shutil.rmtree(each.staging, ignore_errors=True)


def _finish_edition(each: EditionBuild, book_dir: Path, build_dir: Path, toc: str, data_dir: str,
                    progress: Callable[[str], None], several: bool, kept: Path) -> EditionBuild:
    """Build an edition's HTML from its staged chapters, ready to swap in (or find it up to date),
    and keep its newly executed chapters in `kept` by run key."""
    ed = each.ed
    changed = sync_tree(book_sources(book_dir, each.out_dir, toc, ed, progress), ed.work_dir / "src")
    # Sphinx's state and the HTML in place, as the last build that swapped this edition in left them
    if not trusted_sphinx_state(ed, progress):
        changed = True
    if not changed and not each.to_run and (ed.html_dir / "index.html").is_file() \
            and _notebooks(each.out_dir) == _notebooks(ed.chapters_dir):
        progress(f"Nothing changed{f' in {ed.period}' if several else ''}: the book is up to date.")
        each.up_to_date = True
        return each
    sealed.remove(ed.work_dir / STATE_FILE)  # Sphinx's state changes from here on
    work_html = ed.work_dir / "html"
    try:
        build_html(ed.work_dir / "src", work_html, progress, doctrees=ed.work_dir / "doctrees",
                   edition_name=ed.period if several else "", sphinx=each.sphinx)
    except HandbookError:
        clear_sphinx_state(ed)  # the next build starts clean, so the same warning fails it again
        raise
    html = each.staging / "html"
    shutil.copytree(work_html, html)
    accessibility_fixes(html)
    strip_local_paths(html, {data_dir or "": DATA_LABEL, str(each.staging): "<build folder>",
                             str(build_dir.resolve()): "<build folder>", str(book_dir.resolve()): "<book>",
                             str(REPO_ROOT): "<checkout>"})
    for run in each.to_run:
        notebook = (each.out_dir / f"{run.chapter.name}.ipynb").read_bytes()
        each.manifest[run.chapter.name] = {"key": run.key, "executed_at": run.executed_at,
                                           "seconds": round(run.seconds, 1),
                                           "notebook": hashlib.sha256(notebook).hexdigest()}
        keep_run(kept, run, notebook, each.manifest[run.chapter.name])
    _write_run_log(html / "_static" / "handbook-run.json", each.runs, each.manifest)
    write_data_pack(html)
    each.html = html
    return each


def _notebooks(folder: Path) -> dict[str, bytes]:
    """The executed notebooks in `folder`, by file name."""
    return {p.name: p.read_bytes() for p in folder.glob("*.ipynb")} if folder.is_dir() else {}


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
    waiting_runs = [(each, run) for each in builds for run in each.to_run]
    waiting_finishes = [each for each in builds if not each.to_run]
    left = {id(each): len(each.to_run) for each in builds}
    executed = 0
    pending: dict = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            while pending or waiting_runs or waiting_finishes:
                while len(pending) < jobs and (waiting_finishes or waiting_runs):
                    if waiting_finishes:
                        each = waiting_finishes.pop(0)
                        pending[pool.submit(finish, each)] = (each, None)
                    else:
                        each, run = waiting_runs.pop(0)
                        pending[pool.submit(execute, run, run.out_dir, run.failed_dir, socket_prefix)] = (each, run)
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    each, run = pending.pop(future)
                    if run is None:  # an edition's HTML
                        try:
                            future.result()
                        except HandbookError as exc:
                            failures.append(exc)
                        continue
                    future.result()
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
                            waiting_finishes.append(each)
        except BaseException:
            waiting_runs.clear()  # let the running ones end, start no more
            raise
    return failures


def chapter_failure(ed: Edition, failed: list[Run], several: bool) -> ChapterError:
    """One error naming each failed chapter of an edition, its cell, and where its copy is kept."""
    edition_words = f" of the {ed.period} edition" if several else ""
    lines = [f"chapter '{r.chapter.name}'{edition_words} failed at {r.error} "
             f"(executed copy kept at {r.failed_dir / (r.chapter.name + '.ipynb')})" for r in failed]
    kept = f"The last good {ed.period} edition is unchanged." if several else "The last good book is unchanged."
    return ChapterError("; ".join(lines) + ". " + kept)


def choose_runs(runs: list[Run], manifest: dict, ed: Edition, out_dir: Path, force: bool,
                progress: Callable[[str], None], code: str, kept: Path) -> list[Run]:
    """The runs to execute: those forced, changed or never run. A run whose key was executed
    before (in any edition, with any data folder) takes that executed notebook from `kept`
    instead. A chapter whose data do not cover the edition's year gets a page saying so
    instead (written here, never executed)."""
    import nbformat

    chosen = []
    for run in runs:
        name = run.chapter.name
        if run.not_covered:
            nbformat.write(not_covered_notebook(run.chapter.title, ed.period, run.not_covered),
                           out_dir / f"{name}.ipynb")
            manifest[name] = {"not_covered": run.not_covered, "notebook": sealed.sha256_of(out_dir / f"{name}.ipynb")}
            progress(f"  {name}: not covered in {ed.period} ({run.not_covered})")
            continue
        run.key = run_key(run.chapter.template, run.parameters, run.data_dir, run_inputs(run), code)
        last = manifest.get(name, {})
        if not force and last.get("key") == run.key and (out_dir / f"{name}.ipynb").is_file():
            progress(f"  {name}: unchanged since its run at {last.get('executed_at')}; not executed again")
            continue
        earlier = None if force else kept_run(kept, run, progress)
        if earlier:
            (out_dir / f"{name}.ipynb").write_bytes(earlier[0])
            manifest[name] = earlier[1]
            progress(f"  {name}: run at {earlier[1].get('executed_at')} with the same template, parameters, "
                     "inputs and code; that run is used, not executed again")
            continue
        chosen.append(run)
    return chosen


def run_inputs(run: Run) -> dict:
    """Every file a run reads, by dataset: its origin and each file's sha256 (for its run key)."""
    from .names import name_sources

    sources = dict(run.page.sources)
    if run.chapter.provider_names:
        sources |= {f"names from {n}": s for n, s in name_sources(run.data_dir).items()}
    return {n: {"origin": s.origin, "files": {e.relative: e.sha256 for e in s.entries}} for n, s in sources.items()}


def book_sources(book_dir: Path, chapters: Path, toc: str, ed: Edition, progress: Callable[[str], None]) -> dict:
    """Every file of the edition's Sphinx source folder: relative name -> file or bytes."""
    files: dict = {}
    for path in book_dir.rglob("*"):
        relative = path.relative_to(book_dir)
        if path.is_file() and relative.parts[0] != CHAPTERS_SUBDIR and not {
                ".ipynb_checkpoints", "__pycache__"} & set(relative.parts):
            files[relative.as_posix()] = path
    for path in chapters.glob("*.ipynb"):
        files[f"{CHAPTERS_SUBDIR}/{path.name}"] = path
    if (book_dir / "methods.md").is_file():  # its results from this edition's chapters (analysis.methods_page)
        files["methods.md"] = methods_page(book_dir / "methods.md", chapters)
    files["_config.yml"] = CONFIG_FILE
    files["_toc.yml"] = toc.encode()
    files["conf.py"] = sphinx_conf(CONFIG_FILE.read_bytes() + toc.encode()).encode()
    files[f"_static/{BUNDLE_NAME}"] = javascript_bundle(progress)
    files[f"_static/{EDITION_SCRIPT}"] = edition_script(ed).encode()
    return files


def _files_matching(folder: Path, pattern: str) -> list[Path]:
    return [p for p in folder.glob(pattern) if p.is_file() and p.name != SOURCES_FILE]


def source_lines(runs: list[Run], registry: Registry, data_dir: Path | None) -> list[str]:
    """One line per dataset: where it comes from and, for a bundled one, why.

    A dataset read by several chapters from different places (a group is judged per
    chapter) gets one line per place, naming the chapters.
    """
    found: dict[tuple[str, str], tuple[Source, str, list[str]]] = {}
    for run in runs:
        for name, source in run.page.sources.items():
            key = (name, source.origin)
            if key not in found:
                found[key] = (source, _why(source, run.chapter, registry, data_dir), [])
            found[key][2].append(run.chapter.name)
    origins: dict[str, int] = {}
    for name, _ in found:
        origins[name] = origins.get(name, 0) + 1
    lines = []
    for (name, _), (source, why, chapters) in found.items():
        label = name if origins[name] == 1 else f"{name} (for {', '.join(chapters)})"
        lines.append(f"  {label}: {why}")
    return lines


def _why(source: Source, chapter: Chapter, registry: Registry, data_dir: Path | None) -> str:
    dataset = source.dataset
    count = f"{len(source.entries)} file(s)"
    if not source.entries:
        where = "the bundled data" if source.bundled else "your data folder"
        return (f"no files (none matching {dataset.pattern} in {where}; "
                f"{'optional' if dataset.optional else 'the chapter will say what is missing'})")
    if not source.bundled:
        return f"from your data folder ({count} matching {dataset.pattern})"
    kind = "synthetic sample" if source.synthetic else "transcription"
    if data_dir is None:
        return f"bundled {kind} ({count}; no --data folder given)"
    if not _files_matching(data_dir, dataset.pattern):
        because = f"{data_dir} has no file matching {dataset.pattern}"
    else:
        members = [registry.datasets[n] for n in chapter.datasets
                   if registry.datasets[n].group and registry.datasets[n].group == dataset.group]
        lacking = [d.pattern for d in members if not d.optional and not _files_matching(data_dir, d.pattern)]
        because = (f"it is read together with the other '{dataset.group}' datasets and {data_dir} has no file "
                   f"matching {', '.join(lacking)}, so the whole group is bundled (real and synthetic rows "
                   "never mix)")
    return f"bundled {kind} ({count}) instead of your data folder, because {because}"


def report_sources(runs: list[Run], registry: Registry, data_dir: Path | None,
                   progress: Callable[[str], None], real_only: bool = False) -> None:
    """Say where each dataset comes from; with `real_only`, a synthetic sample is an error."""
    lines = source_lines(runs, registry, data_dir)
    progress("Data:\n" + "\n".join(lines))
    if real_only:
        fallen = sorted({name for run in runs for name, s in run.page.sources.items()
                         if s.bundled and s.synthetic})
        if data_dir is None:
            raise ParameterError("real-only", "needs --data DIR: without it every dataset is a bundled sample")
        if fallen:
            raise ParameterError("real-only", f"{len(fallen)} dataset(s) would come from the bundled synthetic "
                                              f"samples ({', '.join(fallen)}); add their files to {data_dir} "
                                              "(see the lines above for what is missing) or leave out --real-only")


def _last_seconds(manifest: dict, name: str) -> float:
    """How long a chapter's last successful run took (0 when unknown)."""
    seconds = (manifest.get(name) or {}).get("seconds", 0) if isinstance(manifest.get(name), dict) else 0
    return float(seconds) if isinstance(seconds, (int, float)) else 0.0


def _describe(parameters: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in parameters.items() if v not in ("", None)) or "defaults"


def _write_run_log(path: Path, runs: list[Run], manifest: dict) -> None:
    """Record what ran, when, with which parameters and inputs, in the built book."""
    path.parent.mkdir(parents=True, exist_ok=True)
    log = []
    for run in runs:
        if run.not_covered:
            log.append({"chapter": run.chapter.name, "parameters": run.parameters, "not_covered": run.not_covered})
            continue
        log.append({
            "chapter": run.chapter.name, "parameters": run.parameters,
            "executed_at": manifest.get(run.chapter.name, {}).get("executed_at"),
            "seconds": round(run.seconds, 2),
            "inputs": {name: {"origin": s.origin, "synthetic": s.synthetic,
                              "files": {e.relative: e.sha256 for e in s.entries}}
                       for name, s in run.page.sources.items()},
        })
    path.write_text(json.dumps(log, indent=2) + "\n")
