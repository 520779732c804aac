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

`build()` below reads as the pipeline; its steps live in modules of their own: `plan` (the
data folder, the chapters' parameters, the runs to execute), `cache` (what is kept and
reused), `execute` (papermill and the pool of chapter and HTML jobs), `html` (Sphinx and the
published pages) and `publish` (the lock, the swap and its journal).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import REPO_ROOT, sealed
from ..datapack import write_data_pack
from ..charts import BUNDLE_NAME
from ..editions import (REPORT_PERIOD, Edition, code_checksum, edition, parse_periods, sync_tree, write_manifest,
                        write_site)
from ..errors import ChapterError, HandbookError
from ..readcache import check_kept, read_cache
from ..registry import Registry, load_registry
from ..servers import SphinxProcess
from . import html
from .cache import (STATE_FILE, clear_sphinx_state, forget_other_code, keep_run, reads_folder, runs_folder,
                    seal_sphinx_state, trusted_chapters, trusted_sphinx_state)
from .execute import kernel_socket_prefix, run_all, start_kernel_server
from .html import DATA_LABEL, book_sources, build_html, mend_theme_markup, sphinx_conf, strip_local_paths, write_run_log
from .plan import (CHAPTERS_SUBDIR, TOC_FILE, Run, check_data_folder, choose_runs, last_seconds, plan_runs,
                   report_sources, toc_text)
from .publish import JOURNAL_FILE, STAGING_SUBDIR, build_lock, check_writable, clean_leftovers, recover_swap, swap_together

BOOK_DIR = REPO_ROOT / "book"
BUILD_DIR = REPO_ROOT / "_build"
FAILED_SUBDIR = "failed"


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
    start_kernel_server()  # its imports take a free core while the chapters are planned
    check_kept(reads_folder(build_dir, code), progress)
    with read_cache(reads_folder(build_dir, code), code, say=progress):
        requested = names or [c.name for c in registry.chapters]
        data = check_data_folder(data_dir)
        planned = [plan_runs(registry, requested, data_dir, {**overrides, "period": ed.period},
                             tolerate_period=not names) for ed in editions]
        with build_lock(build_dir):
            for ed in editions:
                if recover_swap(build_dir / JOURNAL_FILE, [ed.chapters_dir, ed.html_dir], progress):
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
            each.to_run.sort(key=lambda run: -last_seconds(each.manifest, run.chapter.name))
            for run in each.to_run:
                run.out_dir, run.failed_dir = each.out_dir, failed_folder(build_dir, ed)
            if each.to_run:
                each.sphinx = SphinxProcess(sphinx_conf(toc))

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
            sync_tree({BUNDLE_NAME: html.javascript_bundle(progress)}, book_dir / "_static", remove=False)
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
    mend_theme_markup(html)
    strip_local_paths(html, {data_dir or "": DATA_LABEL, str(each.staging): "<build folder>",
                             str(build_dir.resolve()): "<build folder>", str(book_dir.resolve()): "<book>",
                             str(REPO_ROOT): "<checkout>"})
    for run in each.to_run:
        notebook = (each.out_dir / f"{run.chapter.name}.ipynb").read_bytes()
        each.manifest[run.chapter.name] = {"key": run.key, "executed_at": run.executed_at,
                                           "seconds": round(run.seconds, 1),
                                           "notebook": hashlib.sha256(notebook).hexdigest()}
        keep_run(kept, run, notebook, each.manifest[run.chapter.name])
    write_run_log(html / "_static" / "handbook-run.json", each.runs, each.manifest)
    write_data_pack(html)
    each.html = html
    return each


def _notebooks(folder: Path) -> dict[str, bytes]:
    """The executed notebooks in `folder`, by file name."""
    return {p.name: p.read_bytes() for p in folder.glob("*.ipynb")} if folder.is_dir() else {}


