"""Charts that draw offline: one copy of the Vega JavaScript per book, small spec per chart.

`chart_html` turns an Altair chart into a figure: a deterministic element id (a hash
of the spec, so re-execution gives identical output for nbval), alt text that states
the finding, a details block with the rows drawn as a table (formatted like every table,
readable headings from `analysis.tables`), and a "data" link that
downloads exactly those rows as CSV. `write_javascript_bundle` writes the Vega bundle
once into the book's static files; the book loads it on every page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

import altair as alt
import pandas as pd

PALETTE = {
    # Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
    "primary": "#0072B2",
    "secondary": "#E69F00",
    "tertiary": "#009E73",
    "quaternary": "#CC79A7",
    "quinary": "#56B4E9",
    "senary": "#D55E00",
    "muted": "#7f7f7f",
    # Reference lines and the Making Data Count colours.
    "target": "#de1b1b",
    "improvement": "#00b0f0",
    "concern": "#e46c0a",
    "neutral": "#490092",
    "common": "#a6a6a6",
}
CATEGORY_COLOURS = [PALETTE[k] for k in
                    ("primary", "secondary", "tertiary", "quaternary", "quinary", "senary", "muted")]

BUNDLE_NAME = "vega-bundle.js"
CHART_CLASS = "handbook-chart-canvas"  # the element a chart is drawn in (analysis/sphinx_charts.py)
TABLE_ROWS_SHOWN = 60


@alt.theme.register("handbook", enable=True)
def _handbook_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": 620, "continuousHeight": 300, "stroke": None},
            "range": {"category": CATEGORY_COLOURS},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "grid": True, "gridColor": "#e6e6e6"},
            # Monthly data: ticks only on the first of a month (never "Apr 2016, Apr 2016"), and a
            # label that would overlap its neighbour is hidden rather than drawn over it.
            "axisTemporal": {"tickCount": {"interval": "month", "step": 1}, "labelOverlap": "greedy"},
            # An x-axis title ends at the plot's right edge, so a long one never runs past it.
            "axisX": {"labelOverlap": "greedy", "labelLimit": 160, "titleAnchor": "end"},
            # Legends below the plot, one entry a line, labels no wider than the plot, so a narrow
            # screen never pushes them off its edge.
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "direction": "vertical",
                       "labelLimit": {"expr": "max(120, width - 30)"}, "layout": {"bottom": {"direction": "vertical", "anchor": "start"}}},
            "title": {"fontSize": 15, "anchor": "start"},
            "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        }
    }


def spec_of(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec with data inlined, as a plain dict.

    A single or layered chart without a set width fills the page column ("container"; the
    page script turns it into the column's width in pixels and follows the column as it
    resizes), so it is never clipped on a narrow screen nor after a resize.
    """
    spec = wrap_titles(chart.to_dict())
    if ("mark" in spec or "layer" in spec) and "width" not in spec:
        spec["width"] = "container"
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


TITLE_CHARACTERS = 30
"""Titles, subtitles and axis titles longer than this are drawn on several lines, so that
they fit a phone's 342 px column (Vega cannot wrap text to the width itself)."""


def _lines(value):
    """A title's text (one string or a list of lines) with every line longer than
    `TITLE_CHARACTERS` cut at spaces; anything else unchanged."""
    import textwrap

    if isinstance(value, str):
        return textwrap.wrap(value, TITLE_CHARACTERS) if len(value) > TITLE_CHARACTERS else value
    if isinstance(value, list) and value and all(isinstance(line, str) for line in value):
        return [part for line in value for part in (textwrap.wrap(line, TITLE_CHARACTERS) or [line])]
    return value


def wrap_titles(spec):
    """`spec` with every long title (chart, subtitle, axis, legend) cut into lines at spaces;
    tooltips keep theirs on one line."""
    if isinstance(spec, list):
        return [wrap_titles(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    out = {}
    for key, value in spec.items():
        if key in ("title", "subtitle", "text") and isinstance(value, (str, list)):
            out[key] = _lines(value)
        elif key == "title" and isinstance(value, dict):
            out[key] = {k: _lines(v) if k in ("text", "subtitle") else v for k, v in value.items()}
        elif key in ("tooltip", "datasets", "data"):
            out[key] = value
        else:
            out[key] = wrap_titles(value)
    return out


def chart_id(spec: dict) -> str:
    """A stable element id derived from the spec."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return f"chart-{digest[:12]}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet takes a cell beginning with one of these for a formula (CSV injection)."""


def defuse_formula(value):
    """A text cell a spreadsheet would run as a formula, prefixed with ' so it shows as text.

    Numbers, including negative ones, and text that reads as a number are left as they are.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


def csv_of(data: pd.DataFrame) -> str:
    """The rows drawn, as CSV text (months and dates in ISO form), safe to open in a spreadsheet."""
    out = data.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.PeriodDtype):
            out[column] = out[column].astype(str)
        elif not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map(defuse_formula)
    out.columns = [defuse_formula(str(c)) for c in out.columns]
    return out.to_csv(index=False, lineterminator="\n")


def script_json(value) -> str:
    """JSON for inside a <script> element: no data string can end the script or open a comment.

    `<`, `>` and `&` are written as \\u003c, \\u003e and \\u0026 (the same string to
    JavaScript); other characters outside ASCII are escaped by `json.dumps` already.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text


def data_link(data: pd.DataFrame, name: str, text: str) -> str:
    """A link that downloads `data` as `<name>.csv` (formula-safe, see `csv_of`), with no server."""
    href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(csv_of(data).encode()).decode()
    return (f'<a class="handbook-data-link" download="{html.escape(name)}.csv" href="{href}">'
            f'{html.escape(text)} (CSV, {len(data):,} rows)</a>')


DRAW_SCRIPT = (
    # Draw once the page has loaded. A chart whose width is "container" is drawn at its element's
    # width in pixels (the element is as wide as its column, whatever it holds) and redrawn whenever
    # that width changes (a ResizeObserver), so it is never wider than its column after a window
    # resize. Vega's own "container" width is not used: after a resize it measured about 1,630 px.
    "(function(){{var el=document.getElementById('{element}'),spec={spec},fit=spec.width==='container',"
    "width=function(){{return Math.max(120,Math.floor(el.getBoundingClientRect().width));}},"
    "draw=function(){{if(fit){{spec.width=width();}}vegaEmbed(el,spec,{options}).then(function(result){{"
    "el.handbookView=result.view;if(!fit||!window.ResizeObserver){{return;}}var last=spec.width;"
    "new ResizeObserver(function(){{var now=width();if(now!==last){{last=now;result.view.width(now).runAsync();}}}})"
    ".observe(el);}}).catch(function(e){{console.error({label}+e);}});}};"
    "if(document.readyState==='complete'){{draw();}}else{{window.addEventListener('load',draw);}}}})();"
)


def chart_html(chart: alt.TopLevelMixin, name: str, alt_text: str, data: pd.DataFrame) -> str:
    """The HTML figure for one chart: embedded spec, alt text, data table and CSV link."""
    if not alt_text or not alt_text.strip():
        raise ValueError(f"chart '{name}' needs alt text stating its finding")
    spec = spec_of(chart.properties(description=alt_text))
    element = chart_id(spec)
    from .page import table_html  # the book's one table formatter (page imports this module)
    from .tables import readable

    # named by what its alt text says before its first colon, so each chart's data region has its own name
    table = table_html(readable(data.head(TABLE_ROWS_SHOWN)), label=f"Data of the chart: {alt_text.split(':')[0][:80]}")
    more = "" if len(data) <= TABLE_ROWS_SHOWN else (
        f"<p>First {TABLE_ROWS_SHOWN:,} of {len(data):,} rows; the CSV has them all.</p>")
    spec_json = script_json(spec)
    options = script_json({"renderer": "svg", "actions": False})
    label = script_json(f"chart {name}: ")
    return (
        f'<figure class="handbook-chart" data-chart="{html.escape(name)}">'
        f'<div id="{element}" class="{CHART_CLASS}" role="img" '
        f'aria-label="{html.escape(alt_text)}"></div>'
        f'<figcaption>{html.escape(alt_text)} '
        f'{data_link(data, name, "Download the data")}</figcaption>'
        f'<details class="handbook-chart-table"><summary>The data as a table</summary>'
        f'{table}{more}</details>'
        f"<script>{DRAW_SCRIPT.format(element=element, spec=spec_json, options=options, label=label)}</script>"
        f"</figure>"
    )


class Figure:
    """A chart ready for a notebook: HTML for the book, plain text elsewhere."""

    def __init__(self, chart: alt.TopLevelMixin, name: str, alt_text: str, data: pd.DataFrame):
        self.name = name
        self.alt_text = alt_text
        self.html = chart_html(chart, name, alt_text, data)

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Chart '{self.name}': {self.alt_text}"


def write_javascript_bundle(static_dir: Path) -> Path:
    """Write the Vega, Vega-Lite and vega-embed bundle once into the book's static files.

    The bundle is wrapped in a function scope so its top-level declarations cannot
    collide with the page's other scripts; it publishes `vegaEmbed` on `window`.
    """
    import vl_convert

    target = Path(static_dir) / BUNDLE_NAME
    body = "(function(){\n" + vl_convert.javascript_bundle() + "\n})();\n"
    if not target.exists() or target.read_text() != body:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    return target


NO_ORGANISATION = ""


def organisation_picker(data: pd.DataFrame, code: str, name: str, label: str) -> alt.Parameter:
    """A select box on the page (a Vega-Lite parameter bound to a select input) listing every
    organisation in `data` by name and code; it works offline, with no rebuild.

    Nothing is chosen at first. Use it with `highlight_layers`.
    """
    listed = data[[code, name]].drop_duplicates(code).sort_values(name, key=lambda s: s.astype(str).str.upper())
    return alt.selection_point(
        name="organisation", fields=[code], empty=False, value=[{code: NO_ORGANISATION}],
        bind=alt.binding_select(options=[NO_ORGANISATION] + listed[code].astype(str).tolist(),
                                labels=["(none)"] + [f"{n} ({c})" for c, n in zip(listed[code], listed[name])],
                                name=label))


PICKED_ROW_PADDING = {"top": 40, "left": 5, "right": 5, "bottom": 5}
"""A chart with `highlight_layers` keeps this room above its plot for the chosen organisation's row."""


def highlight_layers(base: alt.Chart, picker: alt.Parameter, row_text: str) -> list:
    """The chosen organisation's mark ringed in black, and its row written above the plot.

    `base` is the organisation chart's base (its data and x/y encodings); `row_text` names the
    column of `base`'s data that states the organisation's row in words (a line break, "\\n",
    between name and figures). The text is cut to the chart's width, never wider; give the chart
    `padding=PICKED_ROW_PADDING` so that it has room above the plot.
    """
    ring = base.mark_point(size=260, filled=False, strokeWidth=3, color="#000000").encode(
        opacity=alt.condition(picker, alt.value(1), alt.value(0))).properties(name="chosen")
    row = base.mark_text(align="left", baseline="bottom", fontSize=13, fontWeight="bold", color="#000000",
                         lineBreak="\n", dy=-4, limit=alt.ExprRef(expr="width")).encode(
        x=alt.value(0), y=alt.value(0), text=f"{row_text}:N").transform_filter(picker).properties(name="chosen_row")
    return [ring, row]
