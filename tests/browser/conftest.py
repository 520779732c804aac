"""Fixtures shared by the browser tests: the bundled book served on 127.0.0.1, and its pages
opened in the session-wide Chromium (`browser`, tests/conftest.py).

A page of the book takes about a second to load and draw, so the tests that only read a page
share it: `reader_page` gives the test the page of its `path` and `width` parameters, opened
once per worker and kept while the tests of that page run (they are sorted together, see
`pytest_collection_modifyitems`). A test that changes the page says how with the
`changes_page` marker; it runs after the page's readers, and a page is never handed to a
test that a change made before it could mislead (`SharedPages.get`).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import serving

AXE = Path(os.environ.get("HANDBOOK_AXE", Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"))


@pytest.fixture(scope="session")
def site(bundled_book):
    root = bundled_book / "_build" / "html"
    with serving(folder=root) as (base, _):
        yield root, base


HEIGHT = 1800  # tall, so that no check needs a full-page screenshot (which resizes the viewport)
# The ways a test may change a shared page, in the order they run on it: a test that makes one
# of these changes may use a page changed only by those before it; a reading test, an unchanged page.
CHANGES = ("axe", "downloads", "selection", "resize")
# Every chart on the page has been drawn: its vegaEmbed promise has resolved (analysis/charts.py).
DRAWN = "() => Array.from(document.querySelectorAll('.handbook-chart-canvas')).every(c => c.handbookView)"
# After a resize: the layout's transitions have ended, every chart's ResizeObserver has seen the
# final size, and every chart has finished the redraw it asked for.
REDRAWN = """async () => {
    const frame = () => new Promise(done => requestAnimationFrame(() => done()));
    await frame();
    await frame();
    for (;;) {
        const moving = document.getAnimations().filter(a => a.playState === 'running'
                                                        && isFinite(a.effect.getComputedTiming().endTime));
        if (!moving.length) break;
        await Promise.all(moving.map(a => a.finished.catch(() => null)));
    }
    await frame();
    await frame();
    await Promise.all(Array.from(document.querySelectorAll('.handbook-chart-canvas'),
                                 c => c.handbookView && c.handbookView.runAsync()));
}"""


def pytest_configure(config):
    config.addinivalue_line("markers", f"changes_page(change): the test changes its shared page; one of {CHANGES}")


def page_order(item):
    """Where a test of a shared page sorts: by page, then its readers, then its changes in order."""
    params = item.callspec.params
    marker = item.get_closest_marker("changes_page")
    return params["path"], -params.get("width", 1280), CHANGES.index(marker.args[0]) + 1 if marker else 0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The tests of one shared page run one after the other, so each worker opens it about once.

    Only their places among themselves change: every other test keeps its place.
    """
    places = [i for i, item in enumerate(items) if "reader_page" in getattr(item, "fixturenames", ())]
    for place, item in zip(places, sorted((items[i] for i in places), key=page_order)):
        items[place] = item


def watch(page) -> dict:
    """The page's console errors and its requests to any host but this machine, from now on."""
    problems = {"console": [], "requests": []}
    page.on("console", lambda m: problems["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems["console"].append(str(e)))
    page.on("request", lambda r: problems["requests"].append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:") else None)
    return problems


def open_page(context, url: str, width: int = 1280, height: int = HEIGHT):
    """A new page at `width` x `height` px, loaded from `url` with every chart drawn, and its problems.

    A chart that is never drawn is left to the test to report (it finds no SVG, or a console error).
    """
    from playwright.sync_api import TimeoutError

    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    problems = watch(page)
    page.goto(url, wait_until="load")
    try:
        page.wait_for_function(DRAWN, timeout=15000)
    except TimeoutError:
        pass
    return page, problems


def serious_violations(page) -> list[str]:
    """The accessibility audit's (axe-core, from AXE) serious and critical violations on `page`, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def redrawn(page) -> None:
    """Wait until the page has laid itself out again after a resize and its charts have redrawn."""
    page.evaluate(REDRAWN)


@pytest.fixture(scope="session")
def browser_context(browser):
    """One browser context per worker (its cache keeps the Vega bundle between pages)."""
    context = browser.new_context(accept_downloads=True)
    yield context
    context.close()


class SharedPages:
    """Pages of the served book kept open by (path, width), with what tests have changed on them."""

    KEEP = 3  # pages kept open; the tests of one page run together, so few are needed

    def __init__(self, context, base: str):
        self.context, self.base = context, base
        self.pages: OrderedDict[tuple[str, int], list] = OrderedDict()  # key: [page, problems, changed]

    def get(self, path: str, width: int, change: str | None = None):
        """The page of `path` at `width` px, scrolled to the top, and its problems since it loaded.

        `change` is how the caller will change it (one of CHANGES), None if it only reads it. A
        page already changed in a way that comes later in CHANGES (or at all, for a reader) is
        closed and loaded again.
        """
        stage = CHANGES.index(change) + 1 if change else 0
        entry = self.pages.pop((path, width), None)
        if entry and entry[2] > stage:
            entry[0].close()
            entry = None
        if entry is None:
            entry = [*open_page(self.context, self.base + path, width), 0]
        entry[2] = stage
        self.pages[(path, width)] = entry
        while len(self.pages) > self.KEEP:
            self.pages.popitem(last=False)[1][0].close()
        entry[0].evaluate("window.scrollTo(0, 0)")
        return entry[0], entry[1]


@pytest.fixture(scope="session")
def shared_pages(browser_context, site):
    _, base = site
    return SharedPages(browser_context, base)


@pytest.fixture
def reader_page(request, shared_pages):
    """The shared page of the test's `path` at its `width` (1280 px unless given), and its problems.

    The test only reads it, unless marked `changes_page(change)`.
    """
    params = request.node.callspec.params
    marker = request.node.get_closest_marker("changes_page")
    return shared_pages.get(params["path"], params.get("width", 1280), marker.args[0] if marker else None)


@pytest.fixture(scope="session")
def real_site(real_book):
    """The book built on the real published files, served on 127.0.0.1 (skips without them, fails under CI)."""
    root = real_book / "_build" / "html"
    with serving(folder=root) as (base, _):
        yield root, base
