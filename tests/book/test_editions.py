"""Editions by year and builds that redo only what changed, on the scratch chapter.

The scratch chapter's data are made to cover 2015-16 to 2017-18 only, so an edition of
2018-19 shows the page that says so. The year switcher is checked in Chromium (`browser`:
under CI this fails, not skips, when Chromium is missing).
"""

import json
import os
import re

import pytest

import scratch_chapter
from analysis import build as build_module
from analysis.editions import parse_periods
from analysis.errors import ChapterError, ParameterError
from analysis.periods import FinancialYear
from conftest import scratch_notebook, serving

COVERED = ["2015-16", "2016-17", "2017-18"]


def covered_only(params, sources):
    year = FinancialYear.parse(params["period"]).label
    if year not in COVERED:
        raise ParameterError("period", f"{year} is not covered by the scratch data (months April 2015 to "
                                       "March 2018)")
    return {**params, "period": year}


def build_scratch(scratch, messages=None, **kwargs):
    progress = messages.append if messages is not None else (lambda m: None)
    return build_module.build(book_dir=scratch["book"], build_dir=scratch["out"], progress=progress, **kwargs)


def text_of(path):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", path.read_text()))


def test_periods_are_a_year_or_a_range():
    assert parse_periods("2016/17") == ["2016-17"]
    assert parse_periods("2015-16..2018-19") == ["2015-16", "2016-17", "2017-18", "2018-19"]
    with pytest.raises(ParameterError, match="the range 2018-19..2015-16 ends before it starts"):
        parse_periods("2018-19..2015-16")


def test_an_unchanged_chapter_is_not_executed_again_and_force_executes_it(scratch):
    build_scratch(scratch)
    out = scratch["out"]
    executed = scratch["book"] / "chapters" / "scratch.ipynb"
    page = out / "html" / "chapters" / "scratch.html"
    manifest = json.loads((out / "work" / "2016-17" / "manifest.json").read_text())
    first_run = manifest["scratch"]["executed_at"]
    before = (executed.read_bytes(), page.stat().st_mtime_ns)

    messages = []
    build_scratch(scratch, messages)
    assert f"  scratch: unchanged since its run at {first_run}; not executed again" in messages
    assert "Nothing changed: the book is up to date." in messages
    assert not any("Running" in m for m in messages)
    assert (executed.read_bytes(), page.stat().st_mtime_ns) == before

    # A changed template is executed again, and the HTML build picks up the changed page; Sphinx
    # rewrites that page and the index (whose contents list it), not the others; a page showing the
    # build date is also read again (tests/book/test_sphinx_dates.py).
    html = out / "work" / "2016-17" / "html"
    written = {name: (html / name).stat().st_mtime_ns for name in ("index.html", "methods.html")}
    first_template = scratch["template"].read_bytes()
    scratch_notebook(scratch["template"], ['from myst_nb import glue\nglue("answer", 43, display=False)'])
    messages = []
    build_scratch(scratch, messages)
    assert any(m.startswith("  [1/1] scratch") for m in messages)
    assert "The answer is 43" in text_of(page)
    assert (html / "methods.html").stat().st_mtime_ns == written["methods.html"]
    assert (html / "index.html").stat().st_mtime_ns > written["index.html"]
    log = json.loads((out / "html" / "_static" / "handbook-run.json").read_text())
    assert log[0]["chapter"] == "scratch" and log[0]["executed_at"] >= first_run

    # Back to the first template: that run is kept by its key, so it is used, not executed again.
    scratch["template"].write_bytes(first_template)
    messages = []
    build_scratch(scratch, messages)
    assert (f"  scratch: run at {first_run} with the same template, parameters, inputs and code; "
            "that run is used, not executed again") in messages
    assert not any("Running" in m for m in messages)
    assert "The answer is 42" in text_of(page) and executed.read_bytes() == before[0]

    messages = []
    build_scratch(scratch, messages, force=True)
    assert any(m.startswith("  [1/1] scratch") for m in messages)


def switch(page, start: str, label: str) -> str:
    """Open `start`, choose the edition `label` in the year switcher, and return where it lands."""
    page.goto(start)
    page.wait_for_selector("#handbook-edition")
    assert page.eval_on_selector("#handbook-edition", "s => s.options[s.selectedIndex].text") != label
    with page.expect_navigation():
        page.select_option("#handbook-edition", label=label)
    page.wait_for_selector("#handbook-edition")
    assert page.eval_on_selector("#handbook-edition", "s => s.options[s.selectedIndex].text") == label
    return page.url


def test_editions_side_by_side_with_a_front_door_and_a_not_covered_page(scratch, monkeypatch, browser):
    monkeypatch.setattr(scratch_chapter, "validate_parameters", covered_only)
    front = build_scratch(scratch, overrides={"period": "2015-16..2018-19"})
    out = scratch["out"]
    assert front == out / "index.html"
    door = front.read_text()
    assert 'http-equiv="refresh" content="0; url=editions/2018-19/html/index.html"' in door
    for path in ["editions/2015-16/html/", "html/", "editions/2017-18/html/", "editions/2018-19/html/"]:
        assert f'href="{path}index.html"' in door
    for html in ["editions/2015-16/html", "html", "editions/2018-19/html"]:
        script = (out / html / "_static" / "handbook-editions.js").read_text()
        listing = json.loads(script.split(" = ", 1)[1].rstrip(";\n"))
        assert [e["period"] for e in listing] == ["2015-16", "2016-17", "2017-18", "2018-19"]

    page_2017 = out / "editions" / "2017-18" / "html" / "chapters" / "scratch.html"
    assert "The answer is 42" in text_of(page_2017)
    assert "year-switcher.js" in page_2017.read_text() and "handbook-edition.js" in page_2017.read_text()
    edition_js = (out / "editions" / "2017-18" / "html" / "_static" / "handbook-edition.js").read_text()
    assert '"period": "2017-18"' in edition_js and '"path": "editions/2017-18/html/"' in edition_js
    executed = json.loads((out / "editions" / "2017-18" / "chapters" / "scratch.ipynb").read_text())
    assert executed["metadata"]["papermill"]["parameters"]["period"] == "2017-18"

    absent = text_of(out / "editions" / "2018-19" / "html" / "chapters" / "scratch.html")
    assert ("Not in the 2018/19 edition: 2018-19 is not covered by the scratch data (months April 2015 to "
            "March 2018).") in absent

    # In Chromium, over http and from files: the front door opens the latest edition, and the
    # year switcher lands on the same chapter in the other year.
    with serving(folder=out) as (base, _):
        page = browser.new_page()
        try:
            page.goto(base)
            page.wait_for_url(base + "editions/2018-19/html/index.html")
            options = page.eval_on_selector("#handbook-edition", "s => Array.from(s.options, o => o.text)")
            assert options == ["2015/16", "2016/17", "2017/18", "2018/19"]
            landed = switch(page, base + "editions/2017-18/html/chapters/scratch.html", "2016/17")
            assert landed == base + "html/chapters/scratch.html"
            assert "The answer is 42" in page.inner_text("main")
            files = out.as_uri() + "/"
            landed = switch(page, files + "html/chapters/scratch.html", "2017/18")
            assert landed == files + "editions/2017-18/html/chapters/scratch.html"
        finally:
            page.close()

    # Asked for directly, a year the data do not cover is a one-line error, and nothing changes.
    with pytest.raises(ParameterError, match=r"^parameter 'period': 2031-32 is not covered by the scratch data"):
        build_scratch(scratch, names=["scratch"], overrides={"period": "2031-32"})

    # A chapter run for one year changes that edition only.
    others = {p: p.read_bytes() for p in out.glob("**/html/chapters/scratch.html")
              if "2017-18" not in str(p) and "work" not in p.relative_to(out).parts}
    scratch_notebook(scratch["template"], ['from myst_nb import glue\nglue("answer", 43, display=False)'])
    build_scratch(scratch, names=["scratch"], overrides={"period": "2017-18"})
    assert "The answer is 43" in text_of(page_2017)
    assert len(others) == 3 and all(p.read_bytes() == b for p, b in others.items())

    # Chapters of several editions run together; each failure names its edition and cell, and
    # leaves that edition as it was, while an edition whose chapters succeed is swapped in.
    pages = {p: out / html / "chapters" / "scratch.html"
             for p, html in [("2015-16", "editions/2015-16/html"), ("2016-17", "html"),
                             ("2017-18", "editions/2017-18/html")]}
    before = {p: page.read_bytes() for p, page in pages.items()}

    # Each year fails in its own way, except 2015-16, which changes and succeeds.
    scratch_notebook(scratch["template"], [
        'from myst_nb import glue\nglue("answer", 44, display=False)',
        'if period == "2016-17":\n    raise ValueError("no rows for 2016-17")',
        'if period == "2017-18":\n    raise KeyError("region")'])
    messages = []
    folder = os.getcwd()
    with pytest.raises(ChapterError) as info:
        build_scratch(scratch, messages, overrides={"period": "2015-16..2017-18"}, jobs=2)
    assert os.getcwd() == folder  # chapters side by side never move this process's folder
    message = str(info.value)
    assert ("chapter 'scratch' of the 2016-17 edition failed at cell [4] (if period == \"2016-17\":) raised "
            "ValueError: no rows for 2016-17") in message
    assert "The last good 2016-17 edition is unchanged." in message
    assert ("chapter 'scratch' of the 2017-18 edition failed at cell [5] (if period == \"2017-18\":) raised "
            "KeyError: 'region'") in message
    assert "The last good 2017-18 edition is unchanged." in message
    assert "2015-16 edition failed" not in message
    assert "Running 3 chapter(s) with papermill, 2 at a time..." in messages
    assert (out / "failed" / "scratch.ipynb").is_file() and (out / "failed" / "2017-18" / "scratch.ipynb").is_file()
    assert pages["2016-17"].read_bytes() == before["2016-17"]
    assert pages["2017-18"].read_bytes() == before["2017-18"]
    assert "The answer is 44" in text_of(pages["2015-16"])


def test_files_a_chapter_names_providers_from_are_among_its_inputs(real_data, tmp_path):
    """The A&E chapter names providers from the cancer files of the data folder: a changed cancer
    file changes its run key (its page is made again), and not the RTT chapter's, which reads none."""
    import shutil

    from analysis.build.plan import plan_runs, run_inputs
    from analysis.registry import load_registry

    registry = load_registry()
    data = tmp_path / "data"
    for dataset in ("ae_attendances", "ae_monthly", "dtoc_england", "rtt_overview"):
        for path in real_data.glob(registry.datasets[dataset].pattern):
            (data / path.relative_to(real_data)).parent.mkdir(parents=True, exist_ok=True)
            (data / path.relative_to(real_data)).symlink_to(path)
    first = sorted(real_data.glob(registry.datasets["cwt_provider"].pattern))[0]
    names = data / first.relative_to(real_data)
    names.parent.mkdir(parents=True)
    shutil.copyfile(first, names)

    runs = {run.chapter.name: run for run in plan_runs(registry, ["ae", "rtt"], str(data), {})}
    before = {name: run_inputs(run) for name, run in runs.items()}
    assert list(before["ae"]["names from cwt_provider"]["files"]) == [names.relative_to(data).as_posix()]
    assert not any(key.startswith("names from") for key in before["rtt"])
    names.write_bytes(names.read_bytes() + b"\n")
    assert run_inputs(runs["ae"]) != before["ae"] and run_inputs(runs["rtt"]) == before["rtt"]
