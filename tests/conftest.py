"""Shared fixtures.

Real published data lives outside the repository (`../shared/data` beside the checkout,
or wherever HANDBOOK_REAL_DATA points). Tests that need it skip on a developer machine
without it, but fail under CI (env CI set), so a CI run cannot pass by skipping.
"""

from __future__ import annotations

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


def _build_copy(tmp_path_factory, name: str, data_dir) -> Path:
    """Build the whole book from a copy of book/ into a temporary folder."""
    from analysis.build import build

    root = tmp_path_factory.mktemp(name)
    book = root / "book"
    shutil.copytree(REPO_ROOT / "book", book, ignore=shutil.ignore_patterns("chapters"))
    build(data_dir=str(data_dir) if data_dir else None, book_dir=book, build_dir=root / "_build",
          progress=lambda message: None)
    return root


@pytest.fixture(scope="session")
def bundled_book(tmp_path_factory) -> Path:
    """The book built on the bundled samples: a folder with book/ and _build/html/."""
    return _build_copy(tmp_path_factory, "bundled", None)


@pytest.fixture(scope="session")
def real_book(tmp_path_factory, real_data) -> Path:
    """The book built with --data pointing at the real published files."""
    return _build_copy(tmp_path_factory, "real", real_data)


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
