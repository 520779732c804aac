"""The year switcher in a real browser: from a page of one edition to the same page of another,
over http and from files. Under CI these tests fail, not skip, when Chromium is missing."""

from __future__ import annotations

import functools
import http.server
import threading

import scratch_chapter

from analysis import build as build_module
from test_editions import covered_only

from .conftest import QuietHandler


def switch(page, start: str, label: str) -> str:
    page.goto(start)
    page.wait_for_selector("#handbook-edition")
    assert page.eval_on_selector("#handbook-edition", "s => s.options[s.selectedIndex].text") != label
    with page.expect_navigation():
        page.select_option("#handbook-edition", label=label)
    page.wait_for_selector("#handbook-edition")
    assert page.eval_on_selector("#handbook-edition", "s => s.options[s.selectedIndex].text") == label
    return page.url


def test_the_switcher_lands_on_the_same_chapter_in_the_other_year(scratch, monkeypatch, browser):
    monkeypatch.setattr(scratch_chapter, "validate_parameters", covered_only)
    build_module.build(book_dir=scratch["book"], build_dir=scratch["out"], progress=lambda m: None,
                       overrides={"period": "2016-17..2017-18"})
    root = scratch["out"]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        base = f"http://127.0.0.1:{server.server_port}/"
        page.goto(base)  # the front door goes to the latest edition
        page.wait_for_url(base + "editions/2017-18/html/index.html")
        options = page.eval_on_selector("#handbook-edition", "s => Array.from(s.options, o => o.text)")
        assert options == ["2016/17", "2017/18"]
        landed = switch(page, base + "editions/2017-18/html/chapters/scratch.html", "2016/17")
        assert landed == base + "html/chapters/scratch.html"
        assert "The answer is 42" in page.inner_text("main")
        files = root.as_uri() + "/"
        landed = switch(page, files + "html/chapters/scratch.html", "2017/18")
        assert landed == files + "editions/2017-18/html/chapters/scratch.html"
    finally:
        page.close()
        server.shutdown()
