"""The build on a scratch chapter: success, a failing chapter, bad parameters.

The scratch chapter's notebook needs nothing from the registry, so these tests run
without any real chapter or data.
"""

from pathlib import Path

import nbformat
import pytest

from analysis import build as build_module
from analysis.build import execute as execute_module
from analysis.errors import ChapterError, HandbookError, ParameterError
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


def test_each_kind_of_failure_is_named_and_the_last_good_book_is_kept(scratch):
    """A chapter that raises, a chapter that writes a warning, and a page Sphinx warns about
    (the HTML is built with warnings as errors, by a Sphinx build connected with the chapters):
    each fails the build with its own message, and the book in place is kept, notebook and page,
    with no Sphinx build left running."""
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
    assert sphinx_builds_left() == []  # the one started beside the chapter is stopped

    # A warning would print its text, often with local paths, on the page: the chapter fails.
    scratch_notebook(scratch["template"], ['import numpy as np\nshare = np.float64(1) / np.float64(0)'])
    with pytest.raises(ChapterError, match=r"chapter 'scratch' failed at cell \[3\] \(import numpy as np\) wrote "
                                           r"a warning, which would reach the page: .*RuntimeWarning: divide by zero"):
        run(scratch)
    assert (executed.read_bytes(), page.read_bytes()) == before

    scratch_notebook(scratch["template"], ['from myst_nb import glue\nglue("answer", 42, display=False)'])
    scratch["template"].write_text(scratch["template"].read_text() + "\n+++\n\nSee {doc}`no-such-page`.\n")
    with pytest.raises(HandbookError, match=r"the HTML build failed; the last good book is unchanged:\n"
                                            r".*scratch.*no-such-page"):
        run(scratch)
    assert (executed.read_bytes(), page.read_bytes()) == before
    assert sphinx_builds_left() == []


def sphinx_builds_left(seconds: float = 5.0) -> list[int]:
    """Sphinx builds still running for this process: the children of its Sphinx server
    (analysis.servers). The server takes connections in order, so once a probe has
    been answered every earlier connection has its child; one closed unused then ends at
    once, so the builds are awaited for up to `seconds`."""
    import time

    from analysis.servers import SphinxProcess, server_pid

    def parent(process: Path) -> int | None:
        try:
            return int((process / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None

    probe = SphinxProcess("")
    assert probe.run(["--version"])[0] == 0
    probe.close()
    deadline = time.monotonic() + seconds
    while True:
        server = server_pid("sphinx")
        left = [int(p.name) for p in Path("/proc").glob("[0-9]*") if server and parent(p) == server]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def test_bad_parameters_stop_before_anything_runs(scratch):
    with pytest.raises(ParameterError, match="parameter 'period': '2016' is not an NHS financial year"):
        run(scratch, overrides={"period": "2016"})
    with pytest.raises(ParameterError, match="parameter 'colour': chapter 'scratch' has no such parameter"):
        run(scratch, names=["scratch"], overrides={"colour": "blue"})
    with pytest.raises(ParameterError, match="no chapter called 'nope'"):
        run(scratch, names=["nope"])
    assert not (scratch["out"] / "html").exists()
    assert not (scratch["book"] / "chapters").exists()


def test_a_kept_reading_is_served_only_for_the_same_bytes_name_and_code(tmp_path, monkeypatch):
    import os
    import warnings
    from pathlib import Path

    import pandas as pd

    from analysis.readcache import CODE_VARIABLE, FOLDER_VARIABLE, cached_read, read_cache

    for name in (FOLDER_VARIABLE, CODE_VARIABLE):  # the test run's own cache (conftest.py) is off here
        monkeypatch.delenv(name, raising=False)
    reads = []

    @cached_read
    def read_rows(path):
        text = Path(path).read_text()
        reads.append(text)
        if "odd" in text:
            warnings.warn("an odd row")
        return pd.DataFrame({"text": [text.upper()]})

    def text(table):
        return table["text"].iloc[0]

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("one")
    second.write_text("one")
    assert text(read_rows(first)) == "ONE" and text(read_rows(first)) == "ONE" and len(reads) == 2  # outside a build
    with read_cache(tmp_path / "cache", "code-1"):
        assert [text(read_rows(first)), text(read_rows(first))] == ["ONE", "ONE"] and len(reads) == 3
        assert sorted(p.suffix for p in (tmp_path / "cache").iterdir()) == [".arrow", ".hmac"]
        # Changed bytes of the same size and date are read again: the key is the content.
        stat = first.stat()
        first.write_text("two")
        os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert text(read_rows(first)) == "TWO" and len(reads) == 4
        assert text(read_rows(second)) == "ONE" and len(reads) == 5  # another file, though the same bytes
        # A reading that warned is not kept, so its warning is given every time.
        first.write_text("odd")
        for _ in range(2):
            with pytest.warns(UserWarning, match="an odd row"):
                assert text(read_rows(first)) == "ODD"
        assert len(reads) == 7
    with read_cache(tmp_path / "cache", "code-2"):  # changed code: nothing kept is served
        assert text(read_rows(second)) == "ONE" and len(reads) == 8
    assert "HANDBOOK_READ_CACHE" not in os.environ


def test_a_table_read_again_in_one_process_comes_from_memory_as_a_copy(tmp_path, monkeypatch):
    import pandas as pd

    from analysis import readcache

    for name in (readcache.FOLDER_VARIABLE, readcache.CODE_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    reads = []

    @readcache.cached_read
    def read_rows(path):
        reads.append(path)
        table = pd.DataFrame({"value": [1.0, 2.0]})
        table.attrs["source"] = {"file": Path(path).name}
        return table

    source = tmp_path / "a.csv"
    source.write_text("1,2")
    with readcache.read_cache(tmp_path / "cache", "code-1"):
        first = read_rows(source)
        first.loc[0, "value"] = 99.0  # a caller changing its table
        first.attrs["source"]["file"] = "changed"
        for kept in (tmp_path / "cache").iterdir():
            kept.unlink()  # served from memory now, not from the folder
        again = read_rows(source)
        assert again["value"].tolist() == [1.0, 2.0] and again.attrs == {"source": {"file": "a.csv"}}
        assert len(reads) == 1
        source.write_text("1,3")  # changed bytes: read afresh
        read_rows(source)
        assert len(reads) == 2
    for kept in (tmp_path / "cache").iterdir():
        kept.unlink()
    with readcache.read_cache(tmp_path / "cache", "code-1"):  # a new build starts with nothing in memory
        read_rows(source)
        assert len(reads) == 3


def test_an_editions_html_is_built_as_soon_as_its_chapters_are_done(tmp_path, monkeypatch):
    from analysis.editions import edition
    from analysis.registry import Chapter

    order = []

    def execute(run, out_dir, failed_dir, socket_prefix):
        order.append(f"run {run.chapter.name} {run.parameters['period']}")
        run.error = "cell [3] (x) raised ValueError: bad" if run.chapter.name == "broken" else None
        return run

    def finish(each):
        order.append(f"html {each.ed.period}")
        return each

    monkeypatch.setattr(execute_module, "execute_chapter", execute)
    builds = []
    for period, names in [("2015-16", ["a", "b"]), ("2016-17", ["a", "broken"]), ("2017-18", ["a"])]:
        runs = [build_module.Run(chapter=Chapter(name, name, tmp_path / "t.ipynb", "m", (), {}),
                                 parameters={"period": period}, data_dir="", page=None,
                                 failed_dir=tmp_path / "failed") for name in names]
        builds.append(build_module.EditionBuild(edition(period, tmp_path / "book", tmp_path / "out"), runs,
                                                to_run=runs))
    failures = execute_module.run_all(builds, finish, lambda m: None, 1, "prefix-", several=True)
    assert order == ["run a 2015-16", "run b 2015-16", "html 2015-16", "run a 2016-17", "run broken 2016-17",
                     "run a 2017-18", "html 2017-18"]
    assert [str(f) for f in failures] == [
        f"chapter 'broken' of the 2016-17 edition failed at cell [3] (x) raised ValueError: bad (executed copy "
        f"kept at {tmp_path / 'failed' / 'broken.ipynb'}). The last good 2016-17 edition is unchanged."]


def test_a_sphinx_build_that_cannot_start_answers_and_leaves_no_process(tmp_path):
    """A build whose folder is gone answers with the error (not a hang), and its child of the
    Sphinx server ends instead of going on as a second server."""
    import json
    import os
    import socket

    from analysis.servers import server

    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(server("sphinx", []).address)
        with connection.makefile("rwb") as channel:
            request = {"kind": "sphinx", "args": ["--version"], "folder": str(tmp_path / "gone"),
                       "environment": dict(os.environ)}
            channel.write(json.dumps(request).encode() + b"\n")
            channel.flush()
            assert int(channel.readline()) > 0
            status, printed = json.loads(channel.read())
    assert status == 2 and printed.startswith("FileNotFoundError: ") and "gone" in printed
    assert sphinx_builds_left() == []
