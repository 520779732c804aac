"""The home page's tiles: each chapter's key result for the edition's year, as the front page shows it.

A tile is made from the front page's own row for the chapter (`box_rows`: the figure, the standard,
met or not, the kind of data and its vintage), so the two pages can never differ, and from the
chapter's first yearly view (`yearly_views` in `analysis.contract`): a small line of its figure in
every year the data give one, drawn as inline SVG (no script, works offline). A tile whose figure
rests on a synthetic sample or artificial records says so and shows neither the figure as a result,
nor a verdict, nor a line of its years.

The front page's notebook glues the tiles under `TILES_KEY`; the home page (`book/index.md`) names
that value with a glue directive inside a `<!--results-->` span, and the build puts the tiles in
(`analysis.methods_page.fill`) from the edition's executed front page.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import pandas as pd

from ..contract import yearly_views
from ..errors import ParameterError
from ..ledger import format_value
from ..periods import FinancialYear
from ..provenance import COMPUTED_FROM, Kind

TILES_KEY = "home_tiles"
VERDICTS = {"met": ("met", "\u2713", "Met"), "not met": ("not-met", "\u2717", "Not met")}
"""The front page's Met words that are verdicts: the tile's state (its colour), a mark and the words shown."""


@dataclass(frozen=True)
class Point:
    year: str  # "2016-17"
    value: float
    whole: bool


@dataclass(frozen=True)
class Tile:
    """One chapter on the home page."""
    chapter: str  # the chapter's name: its page is chapters/<name>.html
    title: str
    figure: str  # the front page's Key figure, word for word
    standard: str
    met: str  # the front page's Met, word for word
    kind: Kind
    vintage: str
    measure: str = ""  # what the line of years measures ("" when no line)
    unit: str = "percent"
    decimals: int = 1
    standard_value: float | None = None
    points: list[Point] = field(default_factory=list)
    covered: bool = True  # False when the chapter's data do not cover the year (the vintage says why)

    @property
    def state(self) -> str:
        """met, not-met, or no-verdict (anything else: not judged, not covered, not a result)."""
        return VERDICTS.get(self.met, ("no-verdict",))[0]

    @property
    def verdict(self) -> str:
        """Met or not met in words (with a mark), else the front page's reason, capitalised."""
        if self.met in VERDICTS:
            return VERDICTS[self.met][2]
        return self.met[:1].upper() + self.met[1:]


def points_of(view, series: str | None = None) -> list[Point]:
    """The years of a yearly view that have a figure, in order (one series: the first, unless named)."""
    rows = view.rows
    if view.series and "series" in rows.columns and len(rows):
        series = series or rows["series"].iloc[0]
        rows = rows[rows["series"] == series]
    out = []
    for row in rows.itertuples(index=False):
        value = row.value
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(f"chapter '{view.chapter}': its yearly view '{view.measure.name}' gives {value!r} for "
                             f"{row.year}, not a finite number")
        out.append(Point(str(row.year), number, bool(row.whole)))
    return sorted(out, key=lambda p: p.year)


def measure_name(view) -> str:
    """What a view's line measures, naming its series when it has several ("..., PACS")."""
    if view.series and "series" in view.rows.columns and len(view.rows):
        return f"{view.measure.name}, {view.rows['series'].iloc[0]}"
    return view.measure.name


def first_view(chapter, sources: dict):
    """The chapter's first yearly view (its headline measure), through the contract; None when it has none."""
    params = {k: v for k, v in chapter.parameters.items() if k != "period"}
    try:
        views = yearly_views(chapter.load_module(), sources, params)
    except ParameterError as exc:
        raise ParameterError(exc.parameter, f"the home page's line of years for {chapter.title}: {exc.reason}") \
            from None
    return views[0] if views else None


def tiles(chapters: list, year: FinancialYear, views: dict | None = None) -> list[Tile]:
    """A tile per chapter of the front page (`chapters`: `chapter_results`), from the front page's rows;
    `views` gives each chapter's first yearly view by name (left out: no line of years)."""
    from . import box_rows

    views = views or {}
    rows = box_rows(chapters, year)
    out = []
    for c, (_, row) in zip(chapters, rows.iterrows()):
        if row["chapter"] != c.name:
            raise ValueError(f"the front page's row for '{row['chapter']}' is not chapter '{c.name}'")
        view = views.get(c.name) if c.kind.is_result and c.key is not None else None
        points = points_of(view) if view is not None else []
        out.append(Tile(chapter=c.name, title=c.title, figure=row["Key figure"], standard=row["Standard"],
                        met=row["Met"], kind=c.kind, vintage=str(row["Data vintage"]),
                        measure=measure_name(view) if points else "",
                        unit=view.measure.unit if points else "percent",
                        decimals=view.measure.decimals if points else 1,
                        standard_value=view.measure.standard if points else None, points=points,
                        covered=c.key is not None))
    return out


def views_for(chapters: list, data_dir: str) -> dict:
    """The first yearly view of each chapter whose figures may be shown as results (not of the others)."""
    from . import headline_chapters, sources_for

    registered = {c.name: c for c in headline_chapters()}
    out = {}
    for c in chapters:
        if c.kind.is_result and c.key is not None and c.name in registered:
            view = first_view(registered[c.name], sources_for(registered[c.name], data_dir))
            if view is not None:
                out[c.name] = view
    return out


WIDTH, HEIGHT, PAD = 160, 40, 4


def sparkline_svg(tile: Tile, year: FinancialYear) -> str:
    """The tile's years as a small line (the edition's year a larger dot, a standard dashed), with a
    text alternative that gives every year's figure."""
    points = tile.points
    values = [p.value for p in points] + ([tile.standard_value] if tile.standard_value is not None else [])
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / (len(points) - 1) if len(points) > 1 else 0.5)

    def y(value: float) -> float:
        return PAD + (HEIGHT - 2 * PAD) * (high - value) / (high - low)

    def text(value: float) -> str:
        return format_value(value, tile.unit, 0 if tile.unit == "count" else tile.decimals)

    parts = []
    if tile.standard_value is not None:
        sy = f"{y(tile.standard_value):.1f}"
        parts.append(f'<line class="handbook-spark-standard" x1="{PAD}" x2="{WIDTH - PAD}" y1="{sy}" y2="{sy}"/>')
    if len(points) > 1:
        line = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline class="handbook-spark-line" points="{line}"/>')
    for i, p in enumerate(points):
        this = p.year == year.label
        parts.append(f'<circle class="handbook-spark-{"this" if this else "year"}" cx="{x(i):.1f}" '
                     f'cy="{y(p.value):.1f}" r="{3.5 if this else 2}"/>')
    said = "; ".join(f"{FinancialYear.parse(p.year).slash_label}{'' if p.whole else ' (part year)'} {text(p.value)}"
                     for p in points)
    standard = f", standard {text(tile.standard_value)} dashed" if tile.standard_value is not None else ""
    label = f"{tile.measure} by year{standard}: {said}"
    return (f'<svg class="handbook-spark" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
            f'role="img" aria-label="{html.escape(label)}">{"".join(parts)}</svg>')


def tile_html(tile: Tile, year: FinancialYear) -> str:
    state = tile.state
    mark = VERDICTS[tile.met][1] + " " if tile.met in VERDICTS else ""
    if tile.points:
        first, last = (FinancialYear.parse(tile.points[i].year).slash_label for i in (0, -1))
        span = first if first == last else f"{first} to {last}"
        years = (f'<figure class="handbook-tile-years">{sparkline_svg(tile, year)}'
                 f'<figcaption>{html.escape(tile.measure)}, {html.escape(span)}</figcaption></figure>')
    elif not tile.covered:
        years = ""  # the data line says why there is no figure
    else:
        why = (f"no line of years: figures from {COMPUTED_FROM[tile.kind]} are not results" if not tile.kind.is_result else
               "no line of years: the chapter gives no figures by year")
        years = f'<p class="handbook-tile-noyears">{html.escape(why[:1].upper() + why[1:])}.</p>'
    return (f'<li class="handbook-tile handbook-tile-{state}" data-chapter="{html.escape(tile.chapter)}" '
            f'data-kind="{tile.kind.value}">'
            f'<h3 class="handbook-tile-title"><a href="chapters/{html.escape(tile.chapter)}.html">'
            f'{html.escape(tile.title)}</a></h3>'
            f'<p class="handbook-tile-figure">{html.escape(tile.figure)}</p>'
            f'<p class="handbook-tile-standard">Standard: {html.escape(tile.standard)}</p>'
            f'<p class="handbook-tile-verdict"><span aria-hidden="true">{mark}</span>{html.escape(tile.verdict)}</p>'
            f'{years}'
            f'<p class="handbook-tile-data">Data: {html.escape(tile.kind.words)}; {html.escape(tile.vintage)}</p>'
            '</li>')


def tiles_html(found: list[Tile], year: FinancialYear, title: str, front: str) -> str:
    """The home page's section of tiles, titled `title` (the front page's box title); `front` is the front
    page's name."""
    return (f'<section class="handbook-home" aria-labelledby="handbook-home-title">'
            f'<h2 id="handbook-home-title" class="handbook-home-title">{html.escape(title)}</h2>'
            f'<ul class="handbook-tiles">{"".join(tile_html(t, year) for t in found)}</ul>'
            f'<p class="handbook-home-more">Each tile is the chapter\'s row on '
            f'<a href="chapters/{html.escape(front)}.html">{html.escape(year.slash_label)} at a glance</a>, which gives '
            f'the commitments and standards too.</p></section>')


def glue_tiles(chapters: list, year: FinancialYear, data_dir: str) -> None:
    """Glue the home page's tiles under `TILES_KEY` (the build puts them on the home page)."""
    from IPython.display import HTML
    from myst_nb import glue as myst_glue

    from . import box_title, page_name

    found = tiles(chapters, year, views_for(chapters, data_dir))
    myst_glue(TILES_KEY, HTML(tiles_html(found, year, box_title(chapters, year), page_name())), display=False)
