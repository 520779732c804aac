"""The build on a scratch chapter: success, a failing chapter, bad parameters.

The scratch chapter's notebook needs nothing from the registry, so these tests run
without any real chapter or data.
"""

import nbformat
import pytest

from analysis import build as build_module
from analysis.errors import ChapterError, ParameterError
from conftest import scratch_notebook

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
    toc = (scratch["tmp"] / "_toc.yml").read_text()  # the table of contents lists every registered chapter
    assert "- file: book/chapters/scratch" in toc and "root: book/index" in toc


def test_failing_chapter_is_named_and_the_last_good_book_is_kept(scratch):
    run(scratch)
    executed = scratch["book"] / "chapters" / "scratch.ipynb"
    page = scratch["out"] / "html" / "chapters" / "scratch.html"
    before = (executed.read_bytes(), page.read_bytes())
    scratch_notebook(scratch["template"], ['raise ValueError("the rows do not add up")'])
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


def test_a_chapter_that_writes_a_warning_fails_rather_than_print_it_on_the_page(scratch):
    run(scratch)
    page = scratch["out"] / "html" / "chapters" / "scratch.html"
    before = page.read_bytes()
    scratch_notebook(scratch["template"], ['import numpy as np\nshare = np.float64(1) / np.float64(0)'])
    with pytest.raises(ChapterError, match=r"chapter 'scratch' failed at cell \[3\] \(import numpy as np\) wrote "
                                           r"a warning, which would reach the page: .*RuntimeWarning: divide by zero"):
        run(scratch)
    assert page.read_bytes() == before
