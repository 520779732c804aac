"""The built book in a real browser: charts draw, nothing breaks, nothing leaves the machine.

Debian's Chromium, driven by Playwright, loads every page of the book built on the
bundled data from a server on 127.0.0.1. Under CI these tests fail, not skip, when
Chromium or axe-core is missing (see tests/conftest.py `require`). The tests that only
read a page share it (`reader_page`, tests/browser/conftest.py).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.tables import heading
from conftest import require

from .conftest import AXE, DRAWN, open_page, serious_violations

def book_pages(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.html") if "_static" not in p.parts
                  and p.name != "genindex.html")


PAGES = ["index.html", "methods.html", "references.html", "search.html"]


def all_pages():
    from analysis.registry import load_registry

    return PAGES + [f"chapters/{c.name}.html" for c in load_registry().chapters]


def test_every_page_is_listed(site):
    root, _ = site
    assert set(all_pages()) <= set(book_pages(root))


@pytest.mark.parametrize("path", all_pages())
def test_page_draws_its_charts_without_errors_or_outside_requests(reader_page, path):
    page, problems = reader_page
    assert page.evaluate(DRAWN), f"a chart on {path} was not drawn within 15 s: {problems['console']}"
    charts = page.locator(".handbook-chart-canvas")
    for i in range(charts.count()):
        canvas = charts.nth(i)
        canvas.locator("svg, canvas").first.wait_for(state="attached", timeout=15000)
        box = canvas.locator("svg, canvas").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, f"chart {i} on {path} has no size"
    assert problems["console"] == [], problems["console"]
    assert problems["requests"] == [], problems["requests"]


# Each of the theme's icons (an <i> naming a Font Awesome icon) as drawn, and the icon font's faces.
ICONS = """async () => {
  await document.fonts.ready;
  return {faces: Array.from(document.fonts).filter(f => f.family.includes('Font Awesome 6 Free'))
                                          .map(f => f.weight + ' ' + f.status),
          icons: Array.from(document.querySelectorAll('i[class*="fa-"]')).map(i => ({
            name: i.className, glyph: getComputedStyle(i, '::before').content,
            font: getComputedStyle(i).fontFamily, width: i.getBoundingClientRect().width,
            decorative: i.getAttribute('aria-hidden') === 'true',
            shown: i.getClientRects().length > 0}))};
}"""


@pytest.mark.parametrize("path", ["index.html", "chapters/ae.html"])
def test_the_themes_icons_are_drawn_from_the_icon_font_without_its_script(reader_page, site, path):
    """The pages do not load the theme's Font Awesome script (analysis/build/html.py): every icon
    is the icon font's glyph, marked decorative, and the font has loaded."""
    root, _ = site
    assert [p for p in book_pages(root) if "fontawesome.js" in (root / p).read_text()] == []
    assert not (root / "_static" / "scripts" / "fontawesome.js").exists()
    page, _ = reader_page
    drawn = page.evaluate(ICONS)
    assert "900 loaded" in drawn["faces"], drawn["faces"]
    assert len(drawn["icons"]) >= 5, drawn["icons"]
    for icon in drawn["icons"]:
        assert "Font Awesome 6 Free" in icon["font"] and icon["glyph"] not in ("none", "normal", '""'), icon
        assert icon["decorative"], icon
        assert icon["width"] > 0 or not icon["shown"], icon


@pytest.mark.changes_page("downloads")
@pytest.mark.parametrize("path", [p for p in all_pages() if p.startswith("chapters/")])
def test_data_links_download_the_rows_of_the_chart(reader_page, path):
    page, _ = reader_page
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
        numeric = downloaded.apply(pd.to_numeric, errors="coerce")  # a rate's unit is read from numbers
        kept = [c for c in downloaded.columns if (downloaded[c].head(60) != "").any()]  # an empty column is left out
        assert headers == [heading(c, numeric) for c in kept]  # readable headings (the CSV keeps the names)
        rows = shown.locator("tbody tr")
        assert rows.count() == min(len(downloaded), 60)
        first = [c.strip() for c in rows.nth(0).locator("td").all_text_contents()]
        assert len(first) == len(kept)
        # The chart draws these rows: its spec's inline data has one row per CSV row or more
        # (a chart may reshape wide rows into one row per series).
        drawn = page.evaluate("(i) => { const fig = document.querySelectorAll('figure.handbook-chart')[i];"
                              " return fig.querySelectorAll('svg .mark-symbol path, svg .mark-line path, svg"
                              " .mark-rect path').length; }", i)
        assert drawn > 0, f"chart {i} on {path} draws no marks"


def test_search_works_offline(site, browser_context):
    _, base = site
    page, problems = open_page(browser_context, base + "search.html?q=cancer")
    try:
        page.locator("#search-results li").first.wait_for(timeout=15000)
        assert page.locator("#search-results li").count() > 0
        assert problems["requests"] == []
    finally:
        page.close()


@pytest.mark.changes_page("axe")
@pytest.mark.parametrize("path", all_pages())
def test_accessibility_audit_has_no_serious_violations(reader_page, path):
    require(AXE.exists(), f"axe-core is not installed at {AXE} (npm install axe-core)")
    page, _ = reader_page  # its charts are drawn
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")  # folds too
    serious = serious_violations(page)
    assert serious == [], "\n".join(serious)


# A chart whose data holds hostile names, drawn in Chromium: the page keeps its structure.
# An organisation name with `<!--<script>` once swallowed the rest of a page (the ledger).

HOSTILE_NAMES = ["<!--<script>", "</script><img src=x onerror=\"window.pwned=1\">",
                 "<script>window.pwned=2</script>", "]]></script><!--", "&lt;b&gt; \u2028 end"]


def test_hostile_names_neither_break_the_page_nor_run(browser, tmp_path):
    import altair as alt

    from analysis.build.html import javascript_bundle
    from analysis.charts import BUNDLE_NAME, chart_html

    bundle = tmp_path / BUNDLE_NAME  # the build's bundle, made once per vl-convert version
    bundle.write_bytes(javascript_bundle())
    data = pd.DataFrame({"org_name": HOSTILE_NAMES, "attendances": [5, 4, 3, 2, 1]})
    chart = alt.Chart(data).mark_bar().encode(x="attendances:Q", y="org_name:N")
    figure = chart_html(chart, "hostile", "Five providers with hostile names.", data)
    page = tmp_path / "page.html"
    page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><script src="{bundle.name}"></script>'
                    f'<style>.handbook-chart-canvas{{width:640px}}</style></head><body>{figure}'
                    '<p id="after">The reproduction ledger follows.</p></body></html>')
    tab = browser.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(page.as_uri())
    tab.wait_for_selector("figure.handbook-chart svg", timeout=15000)
    assert tab.locator("#after").inner_text() == "The reproduction ledger follows."
    labels = tab.eval_on_selector_all("figure.handbook-chart svg text", "els => els.map(e => e.textContent)")
    assert "<!--<script>" in labels
    assert tab.evaluate("window.pwned") is None
    assert tab.locator("figure.handbook-chart img").count() == 0
    assert errors == []
    tab.close()


# The reader's view (issue 14): each chapter opens with its answer, hides no result column at a
# desktop or a phone width, and shows numbers and sources as a person would write them.

WIDTHS = [1280, 390]
FRONT = "chapters/at-a-glance.html"  # the front page has no headline box: its tables are the results
ORGANISATIONS = "chapters/organisations.html"  # like the front page, it sits above the chapters (its own tests)
CHAPTER_PAGES = [p for p in all_pages() if p.startswith("chapters/") and p not in (FRONT, ORGANISATIONS)]
READER_PAGES = all_pages()


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_chapter_opens_with_its_headline_box_and_ends_with_its_provenance(reader_page, path):
    page, _ = reader_page
    order = page.evaluate("""() => Array.from(document.querySelector('.bd-article').querySelectorAll(
            '.handbook-headline, table, figure, .handbook-provenance, p'))
        .filter(e => e.matches('.handbook-headline, .handbook-provenance')
                     || !e.closest('.handbook-headline, .handbook-provenance'))
        .map(e => e.matches('.handbook-headline') ? 'headline'
                  : e.matches('.handbook-provenance') ? 'provenance' : e.tagName.toLowerCase())""")
    assert order and order[0] == "headline", f"{path} does not open with its headline box: {order[:5]}"
    assert order.count("headline") == 1 and order.count("provenance") == 1, order
    assert order[-1] == "provenance", f"{path}: the provenance is not the end of the page: {order[-4:]}"
    results = page.locator(".handbook-headline .handbook-result")
    assert results.count() >= 1
    for i in range(results.count()):
        value = results.nth(i).locator(".handbook-result-value").inner_text().strip()
        verdict = results.nth(i).locator(".handbook-result-verdict").inner_text().strip()
        assert value and value != "not available", f"{path}: headline result {i} has no value"
        assert verdict, f"{path}: headline result {i} says nothing of its standard"
    provenance = page.locator("details.handbook-provenance")
    assert provenance.count() == 1 and provenance.get_attribute("open") is None, "provenance must start collapsed"


KEY_COLUMNS_OUT_OF_VIEW = """() => {
    const out = [];
    document.querySelectorAll('.bd-article table').forEach((table, t) => {
        if (!table.checkVisibility()) return;  // e.g. a chart's data table in a closed <details>
        const region = table.closest('.handbook-table-scroll') || table.parentElement;
        const box = region.getBoundingClientRect();
        const right = Math.min(box.right, document.documentElement.clientWidth);
        // Stacked on a narrow screen, a table's header row is hidden and each cell carries its label.
        const stacked = getComputedStyle(table).display !== 'table';
        const keys = table.querySelectorAll(stacked ? 'td.handbook-key' : 'td.handbook-key, th.handbook-key');
        const cells = keys.length ? keys : table.querySelectorAll(stacked ? 'td' : 'td, th');
        cells.forEach(cell => {
            if (!cell.checkVisibility()) return;
            const c = cell.getBoundingClientRect();
            if (c.width && (c.right > right + 1 || c.left < box.left - 1))
                out.push(`table ${t} (${region.getAttribute('aria-label') || ''}): "${cell.textContent.trim().slice(0, 30)}"`
                         + ` spans ${Math.round(c.left)}-${Math.round(c.right)} px, visible to ${Math.round(right)} px`);
        });
        const hint = region.nextElementSibling;
        if (region.scrollWidth > region.clientWidth + 1 && !(hint && hint.classList.contains('handbook-scroll-hint')
                                                             && hint.checkVisibility()))
            out.push(`table ${t} scrolls sideways without saying so`);
    });
    return out;
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", READER_PAGES)
def test_every_tables_result_columns_are_in_view(reader_page, path, width):
    page, _ = reader_page
    hidden = page.evaluate(KEY_COLUMNS_OUT_OF_VIEW)
    assert hidden == [], f"{path} at {width} px:\n" + "\n".join(hidden[:10])


WIDER_THAN_THE_WINDOW = """() => {
    const w = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= w) return [];
    return Array.from(document.querySelectorAll('.bd-article *'))
        .filter(e => e.checkVisibility() && e.getBoundingClientRect().right > w + 1
                     && !Array.from(e.children).some(c => c.getBoundingClientRect().right > w + 1))
        .slice(0, 5).map(e => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 50)}" to `
                              + `${Math.round(e.getBoundingClientRect().right)} px`);
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", READER_PAGES)
def test_no_page_is_wider_than_the_window(reader_page, path, width):
    """A reader never scrolls a page sideways: long names, paths and code wrap (a wide table scrolls in its own box)."""
    page, _ = reader_page
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        f"{path} at {width} px is wider than the window: " + "; ".join(page.evaluate(WIDER_THAN_THE_WINDOW)))


VISIBLE_TEXT = """(selector) => {
    const out = [];
    document.querySelectorAll(selector).forEach(root => {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode, parent = node.parentElement;
            if (!node.textContent.trim() || parent.closest('code, pre, script, style, svg, .handbook-provenance')
                || !parent.checkVisibility()) continue;
            const cell = parent.closest('td');
            out.push([node.textContent.trim(), cell ? (cell.dataset.label || '') : null]);
        }
    });
    return out;
}"""
RAW_FLOAT = re.compile(r"^-?[£$]?\d[\d,]*\.0$|\d\.\d{4,}")
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
INTERNAL_NAME = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b\w+ = \S")


@pytest.mark.parametrize("path", READER_PAGES)
def test_pages_show_numbers_and_names_as_a_reader_would(reader_page, path):
    page, _ = reader_page
    text = page.evaluate(VISIBLE_TEXT, ".bd-article")
    # A percentage column (its name holds "%") gives every value to the report's one decimal.
    raw = [t for t, column in text if column is not None and RAW_FLOAT.search(t) and "%" not in column]
    assert raw == [], f"{path} shows raw numbers in tables: {raw[:8]}"
    files = [t for t, _ in text if SEED_FILE.search(t)]
    assert files == [], f"{path} cites documents by file name: {files[:5]}"
    internal = [t for t, _ in text if INTERNAL_NAME.search(t)]
    assert internal == [], f"{path} shows internal names: {internal[:8]}"


# The front page's results box and each chapter's multi-year view (issues 14 and 17).

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", [FRONT])
def test_front_page_opens_with_the_results_box_and_the_build_date(reader_page, site, path, width):
    page, _ = reader_page
    _, base = site
    assert re.fullmatch(r"\d{4}/\d{2} at a glance", page.locator("h1").first.inner_text().strip(" #\n"))
    box = page.locator("section.handbook-glance-box table.handbook-glance-results")
    assert box.count() == 1 and box.is_visible()
    first = page.evaluate("""() => Array.from(document.querySelector('.bd-article').querySelectorAll('table'))
        .findIndex(t => t.matches('.handbook-glance-results'))""")
    assert first == 0, "the results box is not the page's first table"
    rows = box.locator("tbody tr")
    assert rows.count() >= 7
    for i in range(rows.count()):
        row = rows.nth(i)
        met = row.locator('td[data-label="Met"]').inner_text().strip()
        assert met in ("met", "not met", "not covered") or met.startswith("not judged"), met
        assert row.locator('td[data-label="Data"]').inner_text().strip() in (
            "synthetic sample", "real data (published files)", "the report's own tables (transcribed)",
            "artificial records (not real activity)")
        assert row.locator('td[data-label="Data vintage"]').inner_text().strip()
        assert row.locator('td[data-label="Chapter"] a').count() == 1
        for label in ("Chapter", "Key figure", "Met", "Data"):  # in view without scrolling sideways
            cell = row.locator(f'td[data-label="{label}"]').bounding_box()
            assert cell["x"] >= 0 and cell["x"] + cell["width"] <= width + 1, (label, cell, width)
    link = rows.nth(0).locator("a").get_attribute("href")
    response = page.request.get(base + "chapters/" + link)
    assert response.ok, link
    assert re.search(r"This book was built on \d{1,2} [A-Z][a-z]+ \d{4}\.", page.locator(".bd-article").inner_text())


YEARLY_PAGES = [p for p in CHAPTER_PAGES if p != "chapters/finance.html"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", YEARLY_PAGES)
def test_each_chapter_shows_every_year_in_a_table_and_a_chart_that_fit(reader_page, path, width):
    page, _ = reader_page
    section = page.locator("section#every-year-the-data-cover")
    assert section.count() == 1, f"{path} has no multi-year view"
    table = section.locator("table.handbook-stack").first  # the yearly table (the chart's own is in <details>)
    assert table.locator('td[data-label="Year"]').count() >= 1
    chart = section.locator("figure.handbook-chart").first
    chart.scroll_into_view_if_needed()
    page.wait_for_function("el => el.querySelector('svg')", arg=chart.element_handle(), timeout=15000)
    column = page.evaluate("el => el.closest('.bd-article').getBoundingClientRect().width", chart.element_handle())
    svg = chart.locator("svg").first.bounding_box()
    assert svg["width"] <= column + 1 and svg["x"] >= 0, (svg, column)
    years = page.evaluate("""el => Array.from(el.querySelectorAll('svg g.mark-text.role-axis-label text'))
        .map(t => t.textContent).filter(t => /^\\d{4}-\\d{2}/.test(t))""", chart.element_handle())
    assert years and len(years) == len(set(years)), f"{path}: years on the axis {years}"


@pytest.mark.parametrize("path", ["chapters/finance.html"])
def test_finance_says_in_one_line_that_it_has_one_year(reader_page, path):
    page, _ = reader_page
    section = page.locator("section#every-year-the-data-cover")
    assert "for 2016/17, transcribed" in section.inner_text() and section.locator("figure").count() == 0
