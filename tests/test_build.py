"""The build on a scratch chapter: success, a failing chapter, bad parameters.

The scratch chapter's notebook needs nothing from the registry, so these tests run
without any real chapter or data.
"""

import shutil
from pathlib import Path

import nbformat
import pytest

from analysis import build as build_module
from analysis import page as page_module
from analysis import REPO_ROOT
from analysis.errors import ChapterError, ParameterError
from analysis.registry import Chapter, Dataset, Registry

MODULE = "scratch_chapter"  # tests/scratch_chapter.py


def notebook(path: Path, cells: list[str]) -> Path:
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
    template = notebook(tmp_path / "scratch.ipynb",
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


def run(scratch, **kwargs):
    return build_module.build(book_dir=scratch["book"], build_dir=scratch["out"],
                              progress=lambda m: None, **kwargs)


def test_build_runs_the_chapter_and_writes_the_book(scratch):
    index = run(scratch)
    assert index == scratch["out"] / "html" / "index.html" and index.is_file()
    page = (scratch["out"] / "html" / "chapters" / "scratch.html").read_text()
    assert "The answer is" in page and "42" in page
    executed = nbformat.read(scratch["book"] / "chapters" / "scratch.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)
    assert (scratch["out"] / "html" / "_static" / "vega-bundle.js").is_file()
    assert (scratch["out"] / "html" / "_static" / "handbook-run.json").is_file()
    assert not list((scratch["out"] / ".staging").iterdir())


def test_failing_chapter_is_named_and_the_last_good_book_is_kept(scratch):
    run(scratch)
    executed = scratch["book"] / "chapters" / "scratch.ipynb"
    page = scratch["out"] / "html" / "chapters" / "scratch.html"
    before = (executed.read_bytes(), page.read_bytes())
    notebook(scratch["template"], ['raise ValueError("the rows do not add up")'])
    with pytest.raises(ChapterError) as info:
        run(scratch)
    message = str(info.value)
    assert "chapter 'scratch' failed at cell [3] (raise ValueError(\"the rows do not add up\")) raised ValueError: the rows do not add up" in message
    assert "The last good book is unchanged" in message
    assert (executed.read_bytes(), page.read_bytes()) == before
    assert (scratch["out"] / "failed" / "scratch.ipynb").is_file()


def test_bad_parameters_stop_before_anything_runs(scratch):
    with pytest.raises(ParameterError, match="parameter 'period': '2016' is not an NHS financial year"):
        run(scratch, overrides={"period": "2016"})
    with pytest.raises(ParameterError, match="parameter 'colour': chapter 'scratch' has no such parameter"):
        run(scratch, names=["scratch"], overrides={"colour": "blue"})
    with pytest.raises(ParameterError, match="no chapter called 'nope'"):
        run(scratch, names=["nope"])
    assert not (scratch["out"] / "html").exists()
    assert not (scratch["book"] / "chapters").exists()


def test_toc_lists_every_registered_chapter(scratch):
    run(scratch)
    toc = (scratch["tmp"] / "_toc.yml").read_text()
    assert "- file: chapters/scratch" in toc and "root: index" in toc
