"""A chart whose data holds hostile names, drawn in Chromium: the page keeps its structure.

An organisation name with `<!--<script>` once swallowed the rest of a page (the ledger).
Here such names go through `chart_html` into a page with the book's Vega bundle; the
chart must draw, the paragraph after it must survive, and no injected code may run.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.charts import chart_html, write_javascript_bundle

HOSTILE = ["<!--<script>", "</script><img src=x onerror=\"window.pwned=1\">", "<script>window.pwned=2</script>",
           "]]></script><!--", "&lt;b&gt; \u2028 end"]


def test_hostile_names_neither_break_the_page_nor_run(browser, tmp_path):  # noqa: F811
    bundle = write_javascript_bundle(tmp_path)
    data = pd.DataFrame({"org_name": HOSTILE, "attendances": [5, 4, 3, 2, 1]})
    chart = alt.Chart(data).mark_bar().encode(x="attendances:Q", y="org_name:N")
    figure = chart_html(chart, "hostile", "Five providers with hostile names.", data)
    page = tmp_path / "page.html"
    page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><script src="{bundle.name}"></script>'
                    f'<style>.handbook-chart-canvas{{width:640px}}</style></head><body>{figure}<p id="after">The reproduction ledger follows.</p></body></html>')
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
