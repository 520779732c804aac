"""The home page's tiles in Chromium, on the bundled book and the book built on the real files: one tile per
row of the front page's results box, each with the row's figure word for word, a link that opens its
chapter, nothing wider than the window at 1280 and 390 px (also after a resize), no serious accessibility
violation, and the same from files, offline."""

from __future__ import annotations

import pytest

from conftest import require

from .conftest import AXE, open_page, redrawn, serious_violations

WIDTHS = [1280, 390]
SITES = ["site", "real_site"]


def front_rows(context, base: str) -> dict[str, dict[str, str]]:
    """The front page's results box: chapter name -> its cells' text, as the browser shows them."""
    page, _ = open_page(context, base + "chapters/at-a-glance.html")
    try:
        return page.evaluate("""() => Object.fromEntries(
            Array.from(document.querySelectorAll('table.handbook-glance-results tbody tr'), row => [
                row.querySelector('td[data-label="Chapter"] a').getAttribute('href').replace(/\\.html$/, ''),
                Object.fromEntries(Array.from(row.cells, c => [c.dataset.label, c.innerText.trim()]))]))""")
    finally:
        page.close()


def tiles_of(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.handbook-tile'), t => ({
        chapter: t.dataset.chapter, kind: t.dataset.kind,
        figure: t.querySelector('.handbook-tile-figure').innerText.trim(),
        verdict: t.querySelector('.handbook-tile-verdict').innerText.trim(),
        data: t.querySelector('.handbook-tile-data').innerText.trim(),
        href: t.querySelector('.handbook-tile-title a').getAttribute('href'),
        title: t.querySelector('.handbook-tile-title').innerText.trim(),
        lines: t.querySelectorAll('svg.handbook-spark').length,
        box: t.getBoundingClientRect().toJSON()}))""")


def overflow(page, width: int) -> list[str]:
    """What sticks out of a `width` px window: the document itself, or any tile or line."""
    wide = page.evaluate("""w => [document.documentElement.scrollWidth > w ? 'document ' + document.documentElement.scrollWidth : null,
        ...Array.from(document.querySelectorAll('.handbook-tile, .handbook-tile svg'), e => {
            const r = e.getBoundingClientRect();
            return r.left < 0 || r.right > w + 1 ? (e.dataset.chapter || 'a line') + ' ' + r.left + '-' + r.right : null;
        })].filter(Boolean)""", width)
    return wide


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", SITES)
def test_tiles_are_the_front_pages_rows_link_their_chapters_and_fit(request, browser_context, which, width):
    _, base = request.getfixturevalue(which)
    rows = front_rows(browser_context, base)
    page, problems = open_page(browser_context, base + "index.html", width)
    try:
        tiles = tiles_of(page)
        assert len(tiles) >= 7 and [t["chapter"] for t in tiles] == list(rows), "a tile per row of the box, in order"
        for tile in tiles:
            row = rows[tile["chapter"]]
            assert tile["figure"] == row["Key figure"], tile["chapter"]
            assert tile["title"] == row["Chapter"]
            assert tile["data"].startswith(f"Data: {row['Data']}")
            verdict = tile["verdict"].strip("\u2713\u2717 ")
            assert verdict.lower() == row["Met"].lower(), (tile["chapter"], verdict, row["Met"])
            if tile["kind"] in ("synthetic", "artificial"):  # never a result, a verdict or a line
                assert tile["lines"] == 0 and verdict.lower() not in ("met", "not met")
                assert row["Key figure"].startswith("Not a result") or row["Met"] == "not covered"
            response = page.request.get(base + tile["href"])
            assert response.ok and tile["href"] == f"chapters/{tile['chapter']}.html", tile["href"]
            assert f"<title>{row['Chapter']}".replace("&", "&amp;") in response.text() \
                or row["Chapter"].replace("&", "&amp;") in response.text()
        assert overflow(page, width) == []
        lines = page.locator("svg.handbook-spark")
        for i in range(lines.count()):
            box = lines.nth(i).bounding_box()
            assert box and box["width"] >= 100 and box["height"] >= 20, box
        if which == "real_site":
            assert lines.count() >= 3, "the real book draws the years of the chapters with real data"
        assert problems["console"] == [] and problems["requests"] == []

        # narrow, then wide again: nothing is left wider than the window, and the wide page sets tiles side by side
        page.set_viewport_size({"width": 390 if width == 1280 else 1280, "height": 1800})
        redrawn(page)
        page.set_viewport_size({"width": width, "height": 1800})
        redrawn(page)
        assert overflow(page, width) == []
        tops = {round(t["box"]["top"]) for t in tiles_of(page)}
        assert len(tops) < len(tiles) if width == 1280 else len(tops) == len(tiles)
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", SITES)
def test_home_page_has_no_serious_accessibility_violation(request, browser_context, which, width):
    require(AXE.exists(), f"axe-core is not installed at {AXE} (npm install axe-core)")
    _, base = request.getfixturevalue(which)
    page, _ = open_page(browser_context, base + "index.html", width)
    try:
        serious = serious_violations(page)
        assert serious == [], "\n".join(serious)
    finally:
        page.close()


def test_home_page_works_from_files_offline(real_site, browser_context):
    root, _ = real_site
    page, problems = open_page(browser_context, (root / "index.html").as_uri(), 1280)
    try:
        assert page.locator(".handbook-tile").count() >= 7
        assert page.locator("svg.handbook-spark").count() >= 3
        page.locator(".handbook-tile-title a").first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith((root / "chapters").as_uri())
        assert problems["console"] == [] and problems["requests"] == []
    finally:
        page.close()
