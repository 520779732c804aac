"""A Sphinx extension: only the pages that draw a chart load the Vega bundle.

The bundle (`charts.BUNDLE_NAME`, about 0.9 MB) is what draws a chart in the reader's browser;
a page without one (the home page, the front page, methods, references, search, organisations)
would fetch and run it for nothing.
"""

from __future__ import annotations

from .charts import BUNDLE_NAME, CHART_CLASS


def load_the_bundle_where_charts_are(app, pagename, templatename, context, doctree) -> None:
    """Add the bundle to this page's scripts if its body holds a chart (Sphinx's html-page-context)."""
    if f'class="{CHART_CLASS}"' in context.get("body", ""):
        app.add_js_file(BUNDLE_NAME, priority=799)  # just before _config.yml's html_js_files (800)


def setup(app):
    app.connect("html-page-context", load_the_bundle_where_charts_are)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
