"""Shared fixtures.

Real published data lives outside the repository (`../shared/data` beside the checkout,
or wherever HANDBOOK_REAL_DATA points). Tests that need it skip on a developer machine
without it, but fail under CI (env CI set), so a CI run cannot pass by skipping.

Expensive things are made once per test run and shared; use them rather than build your own:
- `bundled_book`, `real_book`: the whole book built on the bundled samples / the real files
  (read only: copy what you need to change);
- `browser`: one Chromium per worker process; `site` (tests/browser/conftest.py): the bundled
  book served on 127.0.0.1;
- `spark_backend`: one local Spark session per worker process, also serving Spark Connect
  (`spark_connect_url`) so a kernel can attach to its JVM instead of starting one;
- `shared_reads` (automatic): parsed published files kept for the whole run, as a build keeps them;
Each book is built once per run, for all pytest-xdist workers, by the first test that reads it (the
others wait for it). A chapter this checkout's own builds already executed with the same run key
(template, parameters, inputs, code: `_build/cache/runs`), and a file they already parsed with the
same code (`_build/cache/reads`), are taken from there, as any build would (each checked against
its record, `analysis.sealed`), so the tests after `handbook build` redo nothing they need not (the
nbval tests still re-execute every chapter).
A test that needs a build of its own (a failure, a rollback, a re-run) builds the `scratch`
chapter: one small notebook and no data (`scratch_book` makes one for a module-wide fixture). A test of what one chapter's page says for other
parameters executes that chapter alone (`run_chapter_alone`), without an edition or HTML.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat

import pytest

from analysis import REPO_ROOT
from analysis.registry import Chapter, Dataset, Registry


def real_data_dir() -> Path | None:
    """The folder of real published data, or None when this machine has none."""
    candidates = [os.environ.get("HANDBOOK_REAL_DATA"), REPO_ROOT.parent / "shared" / "data",
                  Path("/work/shared/data")]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate).resolve()
    return None


def require(condition: bool, reason: str):
    """Skip when `condition` is false, except under CI, where it is a failure."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_data() -> Path:
    path = real_data_dir()
    require(path is not None, "no real data folder (../shared/data or HANDBOOK_REAL_DATA)")
    return path


BUILD_BOOK = Path(__file__).parent / "helpers" / "build_book.py"  # ROOT DATA DONE FAILED
BOOKS = {"bundled_book": "bundled", "real_book": "real"}  # fixture: folder in the run's temporary folder


def _shared_folder(config) -> Path:
    """The run's temporary folder, the same for every pytest-xdist worker."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def book(config, fixture: str, data: Path | None = None) -> Path:
    """The built book, built by the first process of the run that asks (the others wait for it).

    A failed build fails every test that asks, with the build's trace, and is not tried again.
    """
    shared, name = _shared_folder(config), BOOKS[fixture]
    done, failed = shared / f"{name}.done", shared / f"{name}.failed"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists() and not failed.exists():
            (shared / name).mkdir()
            with open(shared / f"{name}.log", "w") as log:
                subprocess.run([sys.executable, str(BUILD_BOOK), str(shared / name), str(data or ""), str(done),
                                str(failed)], stdout=log, stderr=log)
            if not done.exists() and not failed.exists():
                failed.write_text(f"the build stopped without finishing (see {shared / f'{name}.log'})")
    if failed.exists():
        trace = failed.read_text().strip()
        pytest.fail(f"building the {name} book failed: {trace.splitlines()[-1]}\n{trace[-3000:]}")
    return shared / name


@pytest.fixture(scope="session", autouse=True)
def shared_reads(request):
    """Each published file is parsed once per run, as in a build (`analysis.readcache`: kept by
    the file's bytes, name and the package's code; a read that warned or failed is never kept),
    starting from what this checkout's own builds parsed with the same code."""
    from analysis.build.cache import reads_folder
    from analysis.editions import code_checksum
    from analysis.readcache import read_cache

    code, shared = code_checksum(), _shared_folder(request.config)
    folder = shared / "reads"
    with open(shared / "reads.lock", "w") as lock:  # one worker copies, the others wait for it
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = reads_folder(REPO_ROOT / "_build", code)
        if not folder.exists() and kept.is_dir():
            shutil.copytree(kept, folder, ignore=shutil.ignore_patterns(".tmp-*"))
    with read_cache(folder, code):
        yield


@pytest.fixture(scope="session")
def bundled_book(request) -> Path:
    """The book built on the bundled samples: a folder with book/ and _build/html/. Read only."""
    return book(request.config, "bundled_book")


@pytest.fixture(scope="session")
def real_book(request, real_data) -> Path:
    """The book built with --data pointing at the real published files. Read only."""
    return book(request.config, "real_book", real_data)


# The JVM options of the tests' short Spark runs: the quick compiler only and one GC thread.
# A session start and three aggregations of the test extract took 19-20 CPU-seconds on 2 cores
# with Java's defaults and 11 with these (the same results).
SHORT_RUN_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="session")
def spark_backend(tmp_path_factory):
    """An Ibis backend on one local PySpark session (2 cores) for the whole run; needs Java 17.
    Its warehouse folder is a temporary one (Spark's default is spark-warehouse/ in the checkout)."""
    import importlib.util

    require(importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None,
            "PySpark and Java 17 are needed (pip install -e '.[spark]'; apt-get install openjdk-17-jre-headless)")
    import ibis
    from pyspark.sql import SparkSession

    with socket.socket() as probe:  # a free port for the session's Spark Connect server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = (SparkSession.builder.master("local[2]").appName("handbook-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.extraJavaOptions", SHORT_RUN_JVM)
               .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
               .config("spark.connect.grpc.binding.address", "127.0.0.1")
               .config("spark.connect.grpc.binding.port", str(port))
               .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse"))).getOrCreate())
    yield ibis.pyspark.connect(session)
    session.stop()


@pytest.fixture(scope="session")
def spark_connect_url(spark_backend) -> str:
    """The address of `spark_backend`'s Spark Connect server, for a process that attaches to its JVM."""
    import importlib.util

    require(importlib.util.find_spec("grpc") is not None,
            "Spark Connect's client is needed (pip install -e '.[spark]' installs pyspark[connect])")
    return f"sc://127.0.0.1:{spark_backend._session.conf.get('spark.connect.grpc.binding.port')}"


CHROMIUM = Path(os.environ.get("HANDBOOK_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright, one per worker process for every test that needs it
    (a second Playwright instance in one process would fail inside the first one's event loop)."""
    require(CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder over http without logging each request."""

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(handler=None, folder: Path | None = None):
    """An http server on a random loopback port, in a thread, for the `with` block: `handler`,
    or the files of `folder`. Yields its base URL and the server. It checks for shutdown
    every 0.05 s (the default 0.5 s kept every test that stopped one waiting)."""
    handler = handler or functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", server
    finally:
        server.shutdown()
        server.server_close()


def run_chapter_alone(folder: Path, name: str, data_dir: str = "", kernel_env: dict | None = None,
                      **parameters) -> tuple[dict, str]:
    """Execute one registered chapter as a build does (its parameters checked in this process,
    the notebook in a kernel of its own, whose environment also has `kernel_env`), without an
    edition or HTML: its glued values (as text) and its HTML outputs (glued or shown). The run
    must succeed."""
    from analysis.build.execute import execute_chapter, kernel_socket_prefix
    from analysis.build.plan import Run
    from analysis.page import prepare_chapter

    page = prepare_chapter(name, data_dir=data_dir, **parameters)
    (folder / "out").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for variable, value in (kernel_env or {}).items():
            patch.setenv(variable, value)
        run = execute_chapter(Run(chapter=page.chapter, parameters=page.parameters, data_dir=data_dir, page=page),
                      folder / "out", folder / "failed", kernel_socket_prefix(folder))
    assert run.error is None
    glued, html = {}, []
    for cell in nbformat.read(folder / "out" / f"{name}.ipynb", as_version=4).cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if key:
                glued[key] = next(v for k, v in data.items() if k.endswith("text/plain")).strip("'\"")
            html += [v for k, v in data.items() if k.endswith("text/html")]
    return glued, "\n".join(html)


# A scratch chapter for the build and CLI tests: its notebook needs no registry or data.
MODULE = "scratch_chapter"  # tests/scratch_chapter.py


def scratch_notebook(path: Path, cells: list[str]) -> Path:
    """A chapter template at `path` (MyST text): a parameters cell, `cells`, then a line showing `answer`."""
    import jupytext  # imported here: 0.7 s, which pytest-xdist's controller does not need

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Scratch chapter"),
                nbformat.v4.new_code_cell('period = "2016-17"\ndata_dir = ""',
                                          metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nb.cells.append(nbformat.v4.new_markdown_cell("The answer is {glue:text}`answer:.0f`."))
    path.write_text(jupytext.writes(nb, fmt="md:myst"), encoding="utf-8")  # a template is MyST text
    return path


def scratch_registry(monkeypatch, template: Path, toc: Path) -> None:
    """The build and the pages see one registered chapter, the scratch one, from `template`."""
    from analysis import build as build_module  # imported here: pytest-xdist's controller needs
    from analysis import page as page_module  # none of pandas, altair and Sphinx (1.3 s less before any worker)

    registry = Registry(
        datasets={"none": Dataset("none", "Nothing", "Nobody", "", "nothing/*.csv")},
        chapters=(Chapter("scratch", "Scratch", template, MODULE, ("none",), {"period": "2016-17"}),))
    monkeypatch.setattr(build_module, "load_registry", lambda: registry)
    monkeypatch.setattr(page_module, "load_registry", lambda: registry)
    monkeypatch.setattr(build_module, "TOC_FILE", toc)


def scratch_book(folder: Path, monkeypatch, cells: list[str] | None = None) -> dict:
    """A book of the scratch chapter in `folder` (its template glues `answer`, 42 unless `cells` say otherwise)."""
    template = scratch_notebook(folder / "scratch.md",
                                cells or ['from myst_nb import glue\nglue("answer", 42, display=False)'])
    scratch_registry(monkeypatch, template, folder / "_toc.yml")
    book = folder / "book"
    shutil.copytree(REPO_ROOT / "book", book, ignore=shutil.ignore_patterns("chapters"))
    (book / "methods.md").write_text("# Methods\n\nThe scratch book's short stand-in for the methods page.\n")
    return {"template": template, "book": book, "out": folder / "_build", "tmp": folder}


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    return scratch_book(tmp_path, monkeypatch)
