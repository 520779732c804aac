"""Long tables in a real browser (issue 30): sortable, searchable and paged by keyboard, every
row reachable, the whole table without JavaScript; every table's cells as a reader writes them;
and chapter pages short enough to read on the real data, at 1280 and 390 px.

The interactive part is book/_static/handbook-tables.js; the cells come from
analysis.page.table_html. Under CI these tests fail, not skip, when Chromium is missing.
"""

from __future__ import annotations

import re

import pytest

from .conftest import open_page, redrawn, serious_violations
from .test_pages import CHAPTER_PAGES, FRONT, ORGANISATIONS, READER_PAGES

PROVIDERS = "chapters/ae.html"
PROVIDER_TABLE = "table.handbook-table-interactive:has(th:has-text('Type 1 performance'))"
# Every table's cells (shown or not: paged rows and closed chart tables too) and headings.
CELLS = """() => Array.from(document.querySelectorAll('.bd-article table')).flatMap(t =>
    Array.from(t.querySelectorAll('th, td')).map(c => [c.tagName, c.textContent.trim(), c.dataset.label || '']))"""
RAW = re.compile(r"^(<NA>|NaN|nan|None|True|False|NaT)$|\d\.\d{4,}|\de[+-]\d|^-?\d{5,}(\.\d+)?$|^-?[\d,]+\.0$")
INTERNAL_HEADING = re.compile(r"^[a-z]+(_[a-z0-9]+)*$")


def visible_rows(table) -> list[list[str]]:
    return table.evaluate("""t => Array.from(t.tBodies[0].rows).filter(r => !r.hidden)
        .map(r => Array.from(r.cells, c => c.textContent.trim()))""")


def column_of(table, name: str) -> int:
    names = [h.strip() for h in table.locator("thead th").all_text_contents()]
    return next(i for i, n in enumerate(names) if n.startswith(name))


def number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


@pytest.mark.parametrize("path", READER_PAGES)
def test_no_table_shows_raw_values_or_internal_names(reader_page, path):
    page, _ = reader_page
    cells = page.evaluate(CELLS)
    headings = [text for tag, text, _ in cells if tag == "TH" and INTERNAL_HEADING.match(text)]
    assert headings == [], f"{path}: internal column names as headings: {headings[:8]}"
    # A percentage column keeps the report's one decimal ("85.0"); anywhere else ".0" is a raw float.
    raw = [(label, text) for tag, text, label in cells if tag == "TD" and RAW.search(text)
           and not (re.fullmatch(r"-?[\d,]+\.\d", text) and "%" in label)]
    assert raw == [], f"{path}: raw values in tables: {raw[:8]}"


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", [PROVIDERS])
def test_long_tables_are_paged_with_every_row_reachable(reader_page, path, width):
    page, _ = reader_page
    table = page.locator(PROVIDER_TABLE)
    assert table.count() == 1
    total = table.locator("tbody tr").count()
    shown = visible_rows(table)
    assert len(shown) == (5 if width == 390 else 10) < total
    status = page.locator(".handbook-table-status").nth(
        page.evaluate("() => Array.from(document.querySelectorAll('table.handbook-table-interactive'))"
                      ".findIndex(t => t.querySelector('th') && t.textContent.includes('Type 1 performance'))"))
    assert status.inner_text() == f"{total:,} rows: rows 1 to {len(shown)} shown."
    assert page.locator(".handbook-table-controls").nth(
        page.evaluate("() => Array.from(document.querySelectorAll('table.handbook-table-interactive'))"
                      ".findIndex(t => t.textContent.includes('Type 1 performance'))")).is_visible()
    # the narrow screen's "Sort by" box shows only when the headings are hidden
    narrow = page.locator(".handbook-table-sort-narrow select").nth(
        page.evaluate("() => Array.from(document.querySelectorAll('table.handbook-table-interactive'))"
                      ".findIndex(t => t.textContent.includes('Type 1 performance'))"))
    assert narrow.is_visible() == (width == 390)


@pytest.mark.changes_page("selection")
@pytest.mark.parametrize("path", [PROVIDERS])
def test_a_long_table_sorts_searches_and_pages_by_keyboard(reader_page, path):
    page, _ = reader_page
    table = page.locator(PROVIDER_TABLE)
    region = table.locator("xpath=ancestor::div[contains(@class,'handbook-table-scroll')]")
    search = region.locator("xpath=preceding-sibling::div[contains(@class,'handbook-table-controls')][1]//input")
    status = region.locator("xpath=preceding-sibling::p[contains(@class,'handbook-table-status')][1]")
    pager = region.locator("xpath=following-sibling::nav[contains(@class,'handbook-table-pager')][1]")
    total = table.locator("tbody tr").count()
    rate = column_of(table, "Type 1 performance")

    # Tab from the search box reaches the first column's sort button; Enter sorts, again reverses.
    search.focus()
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('handbook-sort')"):
            break
    assert page.evaluate("() => document.activeElement.classList.contains('handbook-sort')"), "no sort button by Tab"
    header = table.locator("thead th").nth(rate).locator("button")
    header.focus()
    page.keyboard.press("Enter")
    values = [number(r[rate]) for r in visible_rows(table) if r[rate]]
    assert values == sorted(values) and table.locator("thead th").nth(rate).get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Enter")
    values = [number(r[rate]) for r in visible_rows(table) if r[rate]]
    assert values == sorted(values, reverse=True)
    assert table.locator("thead th").nth(rate).get_attribute("aria-sort") == "descending"
    assert "sorted by Type 1 performance, highest first" in status.inner_text()
    every = table.evaluate(f"t => Array.from(t.tBodies[0].rows, r => r.cells[{rate}].textContent.trim())")
    filled = [number(v) for v in every if v]
    assert filled == sorted(filled, reverse=True) and every[len(filled):] == [""] * (len(every) - len(filled))

    # Next page by keyboard shows the next rows, in the same order.
    first_page = visible_rows(table)
    pager.locator("button", has_text="Next page").focus()
    page.keyboard.press("Enter")
    assert total > 10
    assert visible_rows(table) == [table.evaluate(
        f"t => Array.from(t.tBodies[0].rows[{i}].cells, c => c.textContent.trim())") for i in range(10, min(total, 20))]
    assert visible_rows(table) != first_page and "Page 2 of" in pager.inner_text()

    # Typing in the search box keeps the rows holding every word; the status says how many.
    name = table.locator("tbody tr").nth(total // 2).locator("td").nth(column_of(table, "Name")).inner_text().strip()
    word = max(name.split(), key=len)
    search.focus()
    page.keyboard.type(word.lower())
    kept = table.evaluate("t => Array.from(t.tBodies[0].rows).filter(r => !r.hidden).length")
    matching = table.evaluate(f"t => Array.from(t.tBodies[0].rows).filter(r => r.textContent.toLowerCase()"
                              f".includes({word.lower()!r})).length")
    assert 1 <= kept == min(matching, 10)
    assert all(word.lower() in " ".join(r).lower() for r in visible_rows(table))
    assert status.inner_text().startswith(f"{matching:,} of {total:,} rows match \u201c{word.lower()}\u201d")
    page.keyboard.type(" zzzzqqq")
    assert visible_rows(table) == [] and status.inner_text().startswith("No row matches")
    search.fill("")
    # "all" rows per page shows every row.
    region.locator("xpath=preceding-sibling::div[contains(@class,'handbook-table-controls')][1]//select").last \
        .select_option("0")
    assert len(visible_rows(table)) == total and not pager.is_visible()


def test_without_javascript_every_row_shows(browser, site):
    _, base = site
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base + PROVIDERS)
        tables = page.locator("table.handbook-table")
        assert page.locator(".handbook-table-controls").count() == 0
        longest = max(tables.nth(i).locator("tbody tr").count() for i in range(tables.count()))
        assert longest > 15
        for i in range(tables.count()):
            rows = tables.nth(i).locator("tbody tr")
            assert all(rows.nth(j).is_visible() for j in range(rows.count())) or tables.nth(i).locator(
                "xpath=ancestor::details").count(), f"table {i} hides rows without JavaScript"
    finally:
        context.close()


# Real data: no chapter page taller than 12,000 px at 1280 px or 30,000 px at 390 px.
HEIGHT_AIM = {1280: 12_000, 390: 30_000}


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", CHAPTER_PAGES + [FRONT, ORGANISATIONS])
def test_chapter_pages_fit_the_height_aim_on_the_real_data(browser_context, real_site, path, width):
    """One page and width a test, so that the pages spread over the workers (each about 2 CPU-seconds)."""
    _, base = real_site
    page, problems = open_page(browser_context, base + path, width)
    try:
        height = page.evaluate("document.documentElement.scrollHeight")
        assert page.locator("table.handbook-table-interactive").count() == page.evaluate(
            "() => Array.from(document.querySelectorAll('table.handbook-table'))"
            ".filter(t => t.tBodies[0] && t.tBodies[0].rows.length > 15).length"), path
        assert problems["console"] == [], (path, problems["console"])
    finally:
        page.close()
    assert height <= HEIGHT_AIM[width], f"{path} is {height} px tall at {width} px, over the aim of {HEIGHT_AIM[width]}"


@pytest.mark.changes_page("resize")
@pytest.mark.parametrize("path", [PROVIDERS])
def test_a_sorted_table_keeps_its_controls_usable_after_a_resize(reader_page, path):
    page, _ = reader_page
    table = page.locator(PROVIDER_TABLE)
    table.locator("thead th").nth(0).locator("button").click()
    page.set_viewport_size({"width": 390, "height": 1800})
    redrawn(page)
    narrow = page.locator(".handbook-table-sort-narrow select").nth(
        page.evaluate("() => Array.from(document.querySelectorAll('table.handbook-table-interactive'))"
                      ".findIndex(t => t.textContent.includes('Type 1 performance'))"))
    assert narrow.is_visible() and narrow.input_value() == "0:a"
    assert table.locator("thead th button").first.get_attribute("tabindex") == "-1"
    page.set_viewport_size({"width": 1280, "height": 1800})
    redrawn(page)
    assert table.locator("thead th button").first.get_attribute("tabindex") == "0"
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1281


@pytest.mark.parametrize("width", [1280, 390])
def test_a_sorted_and_searched_table_passes_the_accessibility_audit(browser_context, site, width):
    from conftest import require

    from .conftest import AXE

    require(AXE.exists(), f"axe-core is not installed at {AXE} (npm install axe-core)")
    _, base = site
    page, _ = open_page(browser_context, base + PROVIDERS, width)
    try:
        table = page.locator(PROVIDER_TABLE)
        if width == 1280:
            table.locator("thead th button").nth(2).click()
        else:
            page.locator(".handbook-table-sort-narrow select").nth(page.evaluate(
                "() => Array.from(document.querySelectorAll('table.handbook-table-interactive'))"
                ".findIndex(t => t.textContent.includes('Type 1 performance'))")).select_option("2:d")
        assert table.locator("thead th").nth(2).get_attribute("aria-sort") in ("ascending", "descending")
        serious = serious_violations(page)
        assert serious == [], "\n".join(serious)
    finally:
        page.close()
