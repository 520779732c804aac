"""The organisations page's search box in a real browser, at 1280 and 390 px: type part of a provider's
name, choose it by keyboard, and see its figures, the chapters' own; the page passes the accessibility
audit with a provider shown, stays usable after a resize, and shows the provider from its address."""

from __future__ import annotations

import pytest

from .conftest import AXE, open_page, redrawn, serious_violations

ORGS = "chapters/organisations.html"
AE = "chapters/ae.html"


def ae_table_rows(context, base: str, width: int) -> list[dict]:
    """The A&E chapter's provider table, every row (paged or not), as {column: text}."""
    page, _ = open_page(context, base + AE, width)
    try:
        return page.evaluate("""() => {
            const table = Array.from(document.querySelectorAll('table.handbook-table'))
                .find(t => t.tHead && t.tHead.textContent.includes('Type 1 performance'));
            const names = Array.from(table.tHead.rows[0].cells, c => c.textContent.trim());
            return Array.from(table.tBodies[0].rows, r => Object.fromEntries(
                Array.from(r.cells, (c, i) => [names[i], c.textContent.trim()])));
        }""")
    finally:
        page.close()


def name_of(page, code: str) -> str:
    return page.evaluate("code => JSON.parse(document.getElementById('handbook-org-index').textContent)"
                         ".find(p => p[0] === code)[1]", code)


def choose_by_keyboard(page, typed: str, wanted: str) -> None:
    """Type `typed` into the search box, move down the list to the option `wanted` and press Enter."""
    box = page.locator("#handbook-org-input")
    box.click()
    box.press_sequentially(typed, delay=10)
    options = page.locator("#handbook-org-list [role=option]")
    texts = options.all_inner_texts()
    assert any(wanted in t for t in texts), f"'{wanted}' not offered for '{typed}': {texts}"
    assert page.locator("#handbook-org-input").get_attribute("aria-expanded") == "true"
    for _ in range(next(i for i, t in enumerate(texts) if wanted in t) + 1):
        box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active and wanted in page.locator(f"#{active}").inner_text()
    box.press("Enter")


def shown_figure(page, measure: str) -> str:
    return page.locator(f"#handbook-org-detail [data-measure='{measure}']").inner_text().strip()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_finds_a_provider_from_the_middle_of_the_ae_table_by_keyboard(browser, real_site, width):
    from conftest import require

    require(AXE.exists(), f"axe-core is not installed at {AXE} (npm install axe-core)")
    _, base = real_site
    context = browser.new_context()
    try:
        rows = ae_table_rows(context, base, width)
        page, problems = open_page(context, base + ORGS, width)
        # the row nearest the middle of the A&E table whose provider has a cancer figure too
        with_cancer = {c.removeprefix("handbook-org-") for c in page.evaluate(
            "() => Array.from(document.querySelectorAll('template'))"
            ".filter(t => t.content.querySelector(\"[data-measure='cancer:gp_62']\")).map(t => t.id)")}
        middle = len(rows) // 2
        row = min((r for r in rows if r["Provider"] in with_cancer), key=lambda r: abs(rows.index(r) - middle))
        code = row["Provider"]
        name = name_of(page, code)
        words = name.split()
        typed = " ".join(words[:2]).lower() if len(words) > 1 else code.lower()  # part of the name, any case
        choose_by_keyboard(page, typed, code)
        detail = page.locator("#handbook-org-detail")
        assert detail.locator("h2").inner_text().startswith(name)
        assert page.evaluate("document.activeElement.id") == "handbook-org-title"  # focus moves to the result
        assert shown_figure(page, "ae:type_1") == row["Type 1 performance"]
        assert shown_figure(page, "ae:all_types") == row["All types performance"]
        assert shown_figure(page, "cancer:gp_62").endswith("%")
        assert detail.locator("svg.handbook-spark").count() >= 3
        assert page.evaluate("location.hash") == f"#org-{code}"
        assert detail.bounding_box()["x"] + detail.bounding_box()["width"] <= width + 1
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= {1280: 12_000, 390: 30_000}[width], height
        serious = serious_violations(page)
        assert serious == [], "\n".join(serious)
        assert problems["console"] == [] and problems["requests"] == []
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_escape_closes_the_list_and_a_code_finds_its_provider(browser, site, width):
    _, base = site
    context = browser.new_context()
    try:
        page, problems = open_page(context, base + ORGS, width)
        box = page.locator("#handbook-org-input")
        box.click()
        box.press_sequentially("zzzz-no-such", delay=5)
        assert page.locator("#handbook-org-status").inner_text() == "No provider matches"
        box.fill("")
        code = page.evaluate("JSON.parse(document.getElementById('handbook-org-index').textContent)[0][0]")
        box.press_sequentially(code.lower(), delay=5)
        assert page.locator("#handbook-org-list").is_visible()
        box.press("Escape")
        assert not page.locator("#handbook-org-list").is_visible()
        assert box.get_attribute("aria-expanded") == "false"
        box.fill("")
        choose_by_keyboard(page, code.lower()[:-1] if len(code) > 1 else code, code)
        assert f"({code})" in page.locator("#handbook-org-detail h2").inner_text()
        assert "synthetic sample, not a result" in page.locator("#handbook-org-detail").inner_text()
        assert problems["console"] == []
    finally:
        context.close()


def test_the_address_shows_its_provider_and_a_resize_keeps_the_panel_in_the_page(browser, site):
    _, base = site
    context = browser.new_context()
    try:
        page, _ = open_page(context, base + ORGS, 390)
        code = page.evaluate("JSON.parse(document.getElementById('handbook-org-index').textContent)[1][0]")
        page.goto(base + ORGS + f"#org-{code}")
        page.reload()
        assert f"({code})" in page.locator("#handbook-org-detail h2").inner_text()
        for width in (1280, 390, 1280):
            page.set_viewport_size({"width": width, "height": 1800})
            redrawn(page)
            box = page.locator("#handbook-org-detail").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1
            assert page.locator("#handbook-org-input").is_visible()
    finally:
        context.close()
