"""The built book in a real browser: charts draw, nothing breaks, nothing leaves the machine.

Debian's Chromium, driven by Playwright, loads every page of the book built on the
bundled data from a server on 127.0.0.1. Under CI these tests fail, not skip, when
Chromium or axe-core is missing (see tests/conftest.py `require`).
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from conftest import require

AXE = Path(os.environ.get("HANDBOOK_AXE", Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"))


def book_pages(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.html") if "_static" not in p.parts
                  and p.name != "genindex.html")


PAGES = ["index.html", "methods.html", "search.html"]


def all_pages():
    from analysis.registry import load_registry

    return PAGES + [f"chapters/{c.name}.html" for c in load_registry().chapters]


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    problems = {"console": [], "requests": []}
    page.on("console", lambda m: problems["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems["console"].append(str(e)))
    page.on("request", lambda r: problems["requests"].append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:") else None)
    page.goto(url, wait_until="load")
    return page, problems


def test_every_page_is_listed(site):
    root, _ = site
    assert set(all_pages()) <= set(book_pages(root))


@pytest.mark.parametrize("path", all_pages())
def test_page_draws_its_charts_without_errors_or_outside_requests(site, browser, path):
    _, base = site
    page, problems = open_page(browser, base + path)
    try:
        charts = page.locator(".handbook-chart-canvas")
        for i in range(charts.count()):
            canvas = charts.nth(i)
            canvas.locator("svg, canvas").first.wait_for(state="attached", timeout=15000)
            box = canvas.locator("svg, canvas").first.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100, f"chart {i} on {path} has no size"
        page.wait_for_timeout(300)
        assert problems["console"] == [], problems["console"]
        assert problems["requests"] == [], problems["requests"]
    finally:
        page.close()


@pytest.mark.parametrize("path", [p for p in all_pages() if p.startswith("chapters/")])
def test_data_links_download_the_rows_of_the_chart(site, browser, path):
    _, base = site
    page, _ = open_page(browser, base + path)
    try:
        figures = page.locator("figure.handbook-chart")  # none on a page without charts
        for i in range(figures.count()):
            figure = figures.nth(i)
            with page.expect_download() as info:
                figure.locator("a.handbook-data-link").click()
            downloaded = pd.read_csv(info.value.path(), dtype=str, keep_default_na=False)
            href = figure.locator("a.handbook-data-link").get_attribute("href")
            embedded = base64.b64decode(href.split(",", 1)[1]).decode()
            assert downloaded.equals(pd.read_csv(io.StringIO(embedded), dtype=str, keep_default_na=False))
            shown = figure.locator("details table")
            headers = [h.strip() for h in shown.locator("thead th").all_text_contents()]
            assert headers == list(downloaded.columns)
            rows = shown.locator("tbody tr")
            assert rows.count() == min(len(downloaded), 60)
            first = [c.strip() for c in rows.nth(0).locator("td").all_text_contents()]
            assert len(first) == len(downloaded.columns)
            # The chart draws these rows: its spec's inline data has one row per CSV row or more
            # (a chart may reshape wide rows into one row per series).
            drawn = page.evaluate("(i) => { const fig = document.querySelectorAll('figure.handbook-chart')[i];"
                                  " return fig.querySelectorAll('svg .mark-symbol path, svg .mark-line path, svg"
                                  " .mark-rect path').length; }", i)
            assert drawn > 0, f"chart {i} on {path} draws no marks"
    finally:
        page.close()


def test_search_works_offline(site, browser):
    _, base = site
    page, problems = open_page(browser, base + "search.html?q=cancer")
    try:
        page.locator("#search-results li").first.wait_for(timeout=15000)
        assert page.locator("#search-results li").count() > 0
        assert problems["requests"] == []
    finally:
        page.close()


@pytest.mark.parametrize("path", all_pages())
def test_accessibility_audit_has_no_serious_violations(site, browser, path):
    require(AXE.exists(), f"axe-core is not installed at {AXE} (npm install axe-core)")
    _, base = site
    page, _ = open_page(browser, base + path)
    try:
        page.wait_for_timeout(500)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], "\n".join(serious)
    finally:
        page.close()
