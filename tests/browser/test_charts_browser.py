"""Charts in a real browser: they fit their column after resizes, stay in view, and the
organisation selector changes the highlighted mark.

Uses the book built on the bundled data and the Chromium fixtures of conftest.py (under CI
these fail, not skip, when Chromium is missing).
"""

from __future__ import annotations

import pytest

from browser.test_pages import all_pages

from .conftest import HEIGHT, redrawn

CHAPTERS = [p for p in all_pages() if p.startswith("chapters/")]

# For each chart: its figure's width, the drawn SVG's width, how far the SVG's content (labels and
# legends included) reaches to the right of the SVG's left edge, and how far it pokes out above or below.
MEASURE = """() => Array.from(document.querySelectorAll('figure.handbook-chart')).map(fig => {
  const svg = fig.querySelector('.handbook-chart-canvas svg');
  if (!svg) { return {name: fig.dataset.chart, drawn: false}; }
  const box = svg.getBoundingClientRect();
  // What is drawn: text and marks, not the invisible background frames of groups and legends.
  const drawn = Array.from(svg.querySelectorAll('g text, g path:not(.background), g line'))
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 || r.height > 0);
  const right = Math.max(...drawn.map(r => r.right)), top = Math.min(...drawn.map(r => r.top));
  const bottom = Math.max(...drawn.map(r => r.bottom));
  return {name: fig.dataset.chart, drawn: true, figure: fig.getBoundingClientRect().width,
          svg: box.width, left: box.left, right: box.right, reach: right - box.left,
          above: box.top - top, below: bottom - box.bottom, viewport: window.innerWidth};
})"""


def settled_misfits(page, seconds: float = 4.0) -> list[str]:
    """The misfits once the charts have had up to `seconds` to redraw (they redraw asynchronously)."""
    for _ in range(int(seconds / 0.25)):
        found = misfits(page.evaluate(MEASURE))
        if not found:
            return []
        page.wait_for_timeout(250)
    return found


def misfits(charts: list[dict]) -> list[str]:
    """The charts wider than their figure, reaching past their own SVG, or outside the window."""
    found = []
    for chart in charts:
        if not chart["drawn"]:
            found.append(f"{chart['name']} is not drawn")
        elif chart["svg"] > chart["figure"] + 1:
            found.append(f"{chart['name']} is {chart['svg']:.0f} px wide in a {chart['figure']:.0f} px column")
        elif chart["reach"] > chart["svg"] + 1:
            found.append(f"{chart['name']}'s content reaches {chart['reach']:.0f} px in a {chart['svg']:.0f} px chart")
        elif chart["above"] > 1 or chart["below"] > 1:
            found.append(f"{chart['name']}'s content is cut off above or below it")
        elif chart["left"] < -1 or chart["right"] > chart["viewport"] + 1:
            found.append(f"{chart['name']} spans {chart['left']:.0f}-{chart['right']:.0f} px "
                         f"in a {chart['viewport']} px window")
    return found


@pytest.mark.changes_page("resize")
@pytest.mark.parametrize("path", CHAPTERS)
def test_charts_fit_their_column_after_resizing(reader_page, path):
    page, _ = reader_page
    for width in (900, 1280):  # narrower, then wider again, across the sidebar's breakpoint
        page.set_viewport_size({"width": width, "height": HEIGHT})
        redrawn(page)
        assert settled_misfits(page) == [], f"after resizing to {width} px"


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", CHAPTERS)
def test_charts_stay_in_view(reader_page, path, width):
    page, _ = reader_page
    assert settled_misfits(page) == []


CHOSEN = """() => Array.from(document.querySelectorAll('figure.handbook-chart')).filter(
  fig => fig.querySelector('.vega-bind select')).map(fig => ({
    name: fig.dataset.chart,
    rings: Array.from(fig.querySelectorAll('g.chosen_marks path'))
             .filter(p => parseFloat(p.getAttribute('opacity') ?? '1') > 0).length,
    row: Array.from(fig.querySelectorAll('g.chosen_row_marks text')).map(t => t.textContent).join(' | ')}))"""


# A chart offers an organisation selector when its spec binds a parameter to a <select>.
SELECTOR_SPEC = '"input":"select"'  # as analysis.charts.script_json writes it (sorted keys, no spaces)
OFFERED = "(spec) => Array.from(document.querySelectorAll('figure.handbook-chart > script'))" \
          ".filter(s => s.textContent.includes(spec)).length"


def test_at_least_three_charts_offer_an_organisation_selector(site):
    root, _ = site
    offered = sum((root / path).read_text().count(SELECTOR_SPEC) for path in CHAPTERS)
    assert offered >= 3, f"only {offered} charts with an organisation selector"


@pytest.mark.changes_page("selection")
@pytest.mark.parametrize("path", CHAPTERS)
def test_the_selector_rings_the_chosen_organisation_and_shows_its_row(reader_page, path):
    page, problems = reader_page
    selects = page.locator("figure.handbook-chart .vega-bind select")
    assert selects.count() == page.evaluate(OFFERED, SELECTOR_SPEC), f"{path}: a chart's selector is not drawn"
    before = page.evaluate(CHOSEN)
    assert all(c["rings"] == 0 and c["row"] == "" for c in before), before
    for i in range(selects.count()):
        select = selects.nth(i)
        option = select.locator("option").nth(1)
        code, label = option.get_attribute("value"), option.text_content()
        select.select_option(code)
        redrawn(page)
        chart = page.evaluate(CHOSEN)[i]
        assert chart["rings"] == 1, f"{path} {chart['name']}: {chart['rings']} marks ringed for {code}"
        assert code in chart["row"] and label.split(" (")[0][:10] in chart["row"], chart
        select.select_option(select.locator("option").nth(2).get_attribute("value"))
        redrawn(page)
        assert page.evaluate(CHOSEN)[i]["row"] != chart["row"]
    assert problems["console"] == [] and problems["requests"] == []
