"""Shared fixtures.

Real published data lives outside the repository (`../shared/data` beside the checkout,
or wherever HANDBOOK_REAL_DATA points). Tests that need it skip on a developer machine
without it, but fail under CI (env CI set), so a CI run cannot pass by skipping.

Expensive things are made once per test run and shared; use them rather than build your own:
- `bundled_book`, `real_book`: the whole book built on the bundled samples / the real files
  (read only: copy what you need to change);
- `site` and `browser` (tests/browser/conftest.py): that book served on 127.0.0.1, and one
  Chromium per worker process;
- `spark_backend`: one local Spark session per worker process;
- `built_once(tmp_path_factory, name, make)`: for a new artefact of that kind (it is shared by
  the pytest-xdist workers too).
A test that needs a build of its own (a failure, a rollback, a re-run) builds the `scratch`
chapter: one small notebook and no data.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import nbformat

import pytest

from analysis import REPO_ROOT
from analysis import build as build_module
from analysis import page as page_module
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


def _build_copy(root: Path, data_dir) -> Path:
    """Build the whole book from a copy of book/ into `root`."""
    from analysis.build import build

    book = root / "book"
    shutil.copytree(REPO_ROOT / "book", book, ignore=shutil.ignore_patterns("chapters"))
    build(data_dir=str(data_dir) if data_dir else None, book_dir=book, build_dir=root / "_build",
          progress=lambda message: None)
    return root


def built_once(tmp_path_factory, name: str, make) -> Path:
    """A folder `make(folder)` fills once per test run, shared by every test that asks for it.

    Run in one process, this is one call. Under pytest-xdist (several worker processes),
    the first worker to ask makes it in the run's shared temporary folder while the others
    wait on a lock, then all read the same folder; a failure is reported by every worker
    that asks, not made again.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        root = tmp_path_factory.mktemp(name)
        make(root)
        return root
    shared = tmp_path_factory.getbasetemp().parent
    root, done, failed = shared / name, shared / f"{name}.done", shared / f"{name}.failed"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists() and not failed.exists():
            try:
                root.mkdir()
                make(root)
            except BaseException as error:
                failed.write_text(f"{type(error).__name__}: {error}")
                raise
            done.touch()
    if failed.exists():
        pytest.fail(f"building {name} failed in another worker: {failed.read_text()}")
    return root


@pytest.fixture(scope="session")
def bundled_book(tmp_path_factory) -> Path:
    """The book built on the bundled samples: a folder with book/ and _build/html/. Read only."""
    return built_once(tmp_path_factory, "bundled", lambda root: _build_copy(root, None))


@pytest.fixture(scope="session")
def real_book(tmp_path_factory, real_data) -> Path:
    """The book built with --data pointing at the real published files. Read only."""
    return built_once(tmp_path_factory, "real", lambda root: _build_copy(root, real_data))


@pytest.fixture(scope="session")
def spark_backend():
    """An Ibis backend on one local PySpark session (2 cores) for the whole run; needs Java 17."""
    import importlib.util

    require(importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None,
            "PySpark and Java 17 are needed (pip install -e '.[spark]'; apt-get install openjdk-17-jre-headless)")
    import ibis
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("handbook-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
    yield ibis.pyspark.connect(session)
    session.stop()


# A scratch chapter for the build and CLI tests: its notebook needs no registry or data.
MODULE = "scratch_chapter"  # tests/scratch_chapter.py


def scratch_notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Scratch chapter"),
                nbformat.v4.new_code_cell('period = "2016-17"\ndata_dir = ""',
                                          metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nb.cells.append(nbformat.v4.new_markdown_cell("The answer is {glue:text}`answer:.0f`."))
    nbformat.write(nb, path)
    return path


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    template = scratch_notebook(tmp_path / "scratch.ipynb",
                        ['from myst_nb import glue\nglue("answer", 42, display=False)'])
    registry = Registry(
        datasets={"none": Dataset("none", "Nothing", "Nobody", "", "nothing/*.csv")},
        chapters=(Chapter("scratch", "Scratch", template, MODULE, ("none",), {"period": "2016-17"}),))
    monkeypatch.setattr(build_module, "load_registry", lambda: registry)
    monkeypatch.setattr(page_module, "load_registry", lambda: registry)
    monkeypatch.setattr(build_module, "TOC_FILE", tmp_path / "_toc.yml")
    book = tmp_path / "book"
    shutil.copytree(REPO_ROOT / "book", book, ignore=shutil.ignore_patterns("chapters"))
    return {"template": template, "book": book, "out": tmp_path / "_build", "tmp": tmp_path}
