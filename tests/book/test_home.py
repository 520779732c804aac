"""The home page's tiles (analysis.glance.home): the front page's own rows, a line of each chapter's years
from its yearly views, and no synthetic or artificial figure shown as a result; and the build puts the
tiles on book/index.md from the edition's executed front page (analysis.methods_page)."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import REPO_ROOT, glance
from analysis.errors import HandbookError
from analysis.glance import home
from analysis.methods_page import fill
from analysis.periods import FinancialYear
from analysis.provenance import Kind, kinds_text

YEAR = FinancialYear(2016)


@pytest.fixture(scope="module")
def bundled_results():
    return glance.chapter_results("", YEAR)


@pytest.fixture(scope="module")
def real_results(real_data):
    return {year: glance.chapter_results(str(real_data), year) for year in (YEAR, FinancialYear(2017))}


FIELDS = {"figure": "Key figure", "standard": "Standard", "met": "Met", "vintage": "Data vintage"}


def assert_tiles_are_the_front_page_rows(chapters, year, tiles):
    rows = glance.box_rows(chapters, year)
    assert [t.chapter for t in tiles] == list(rows["chapter"])
    for tile, (_, row) in zip(tiles, rows.iterrows()):
        for name, column in FIELDS.items():
            assert getattr(tile, name) == str(row[column]), (tile.chapter, name)
        assert tile.kind.words == row["Data"]


def test_bundled_tiles_repeat_the_front_page_and_show_no_synthetic_figure_as_a_result(bundled_results):
    tiles = home.tiles(bundled_results, YEAR, home.views_for(bundled_results, ""))
    assert_tiles_are_the_front_page_rows(bundled_results, YEAR, tiles)
    synthetic = [t for t in tiles if t.kind is Kind.SYNTHETIC]
    assert synthetic, "the bundled book has synthetic chapters"
    for tile in tiles:
        key = next(c for c in bundled_results if c.name == tile.chapter).key
        if tile.kind.is_result:
            assert tile.figure.startswith(key.result)
            continue
        assert tile.state == "no-verdict" and tile.points == [] and key.result not in tile.figure
        assert tile.met not in ("met", "not met") and tile.kind.words in tile.met
        html = home.tile_html(tile, YEAR)
        assert "handbook-spark" not in html and f'data-kind="{tile.kind.value}"' in html
        assert f"Data: {tile.kind.words}" in html


def test_a_synthetic_tile_gets_no_line_even_when_given_a_view(bundled_results):
    synthetic = next(c for c in bundled_results if c.kind is Kind.SYNTHETIC)
    rows = pd.DataFrame({"year": ["2015-16", "2016-17"], "value": [80.0, 81.0], "whole": [True, True]})
    view = SimpleNamespace(rows=rows, series="", measure=SimpleNamespace(name="m", unit="percent", decimals=1,
                                                                         standard=None))
    tile = next(t for t in home.tiles(bundled_results, YEAR, {synthetic.name: view}) if t.chapter == synthetic.name)
    assert tile.points == [] and tile.measure == ""


def test_real_tiles_draw_each_chapters_years_through_its_yearly_views(real_data, real_results):
    for year, chapters in real_results.items():
        views = home.views_for(chapters, str(real_data))
        tiles = home.tiles(chapters, year, views)
        assert_tiles_are_the_front_page_rows(chapters, year, tiles)
        lines = [t for t in tiles if t.points]
        assert len(lines) >= 3, [t.chapter for t in tiles]
        for tile, chapter in zip(tiles, chapters):
            if not tile.points:
                continue
            view = views[tile.chapter]
            assert tile.measure.startswith(view.measure.name)
            assert [p.year for p in tile.points] == sorted(p.year for p in tile.points)
            key = chapter.key
            this = [p for p in tile.points if p.year == year.label]
            if key is not None and key.value is not None and key.figure.unit == view.measure.unit:
                # the line's point for the edition's year is the chapter's headline figure
                assert this and this[0].value == pytest.approx(key.value), tile.chapter
            svg = home.sparkline_svg(tile, year)
            assert svg.count("<circle") == len(tile.points)
            assert svg.count('class="handbook-spark-this"') == len(this)


def tile(points, standard=None, met="met", kind=Kind.PUBLISHED):
    return home.Tile(chapter="x", title="X", figure="1", standard="s", met=met, kind=kind, vintage="v",
                     measure="Share seen", standard_value=standard,
                     points=[home.Point(y, v, w) for y, v, w in points])


def test_the_line_says_every_year_in_words_and_stays_inside_its_box():
    t = tile([("2014-15", 90.0, True), ("2015-16", 95.5, True), ("2016-17", 88.25, False)], standard=95.0)
    svg = home.sparkline_svg(t, YEAR)
    label = re.search(r'aria-label="([^"]+)"', svg).group(1)
    assert label == ("Share seen by year, standard 95.0% dashed: 2014/15 90.0%; 2015/16 95.5%; "
                     "2016/17 (part year) 88.2%")
    numbers = [float(n) for n in re.findall(r'(?:cx|cy|x1|x2|y1|y2)="([\d.]+)"', svg)]
    numbers += [float(n) for pair in re.search(r'points="([^"]+)"', svg).group(1).split() for n in pair.split(",")]
    assert numbers and all(0 <= n <= home.WIDTH for n in numbers)
    assert 'role="img"' in svg and svg.count("handbook-spark-this") == 1
    flat = home.sparkline_svg(tile([("2016-17", 5.0, True)]), YEAR)  # one year, no range: no division by zero
    assert flat.count("<circle") == 1 and "polyline" not in flat


@pytest.mark.parametrize("met, state, words", [("met", "met", "Met"), ("not met", "not-met", "Not met"),
                                               ("not judged (synthetic sample)", "no-verdict",
                                                "Not judged (synthetic sample)"),
                                               ("not covered", "no-verdict", "Not covered")])
def test_met_or_not_is_in_words_and_the_colour_only_repeats_them(met, state, words):
    t = tile([], met=met)
    html = home.tile_html(t, YEAR)
    assert t.state == state and f"handbook-tile-{state}" in html
    verdict = re.search(r'<p class="handbook-tile-verdict">(.*?)</p>', html).group(1)
    assert re.sub(r"<[^>]+>", "", verdict).strip(" \u2713\u2717") == words


def fake_chapter(name, kinds, key=True):
    source = SimpleNamespace(entries=[object()], kinds=kinds, root=f"/{name}")
    return glance.ChapterResult(name, name.title(), {"k": object()} if key else {}, "", None if key else "no",
                                {name: source})


def test_the_box_title_names_the_kinds_that_are_not_results():
    real = fake_chapter("a", [Kind.PUBLISHED])
    made = fake_chapter("b", [Kind.SYNTHETIC])
    test = fake_chapter("c", [Kind.ARTIFICIAL])
    assert glance.box_title([real], YEAR) == "The results of 2016/17 at a glance"
    assert glance.box_title([made, test], YEAR) == ("2016/17 at a glance: figures from artificial records and a "
                                                    "synthetic sample, not results")
    assert glance.box_title([real, made], YEAR) == ("The results of 2016/17 at a glance, and figures from a "
                                                    "synthetic sample (not results)")
    assert glance.box_title([real, fake_chapter("d", [Kind.SYNTHETIC], key=False)], YEAR) == \
        "The results of 2016/17 at a glance"  # a chapter with no figure for the year shows none


def test_about_the_data_lists_only_the_inputs_of_chapters_with_figures():
    real, made = fake_chapter("a", [Kind.PUBLISHED]), fake_chapter("b", [Kind.SYNTHETIC], key=False)
    assert list(glance.used_sources([real, made])) == ["a"]


def test_kinds_in_words_for_the_terminal():
    assert kinds_text([Kind.PUBLISHED, Kind.ARTIFICIAL]) == "artificial and published"
    assert kinds_text([Kind.SYNTHETIC]) == "synthetic" and kinds_text([]) == "no files"


# The build puts the glued tiles on the home page (analysis.methods_page.fill, book_sources).

def notebook_with_html(folder, name, values: dict):
    prefix = "application/papermill.record/"
    outputs = [{"output_type": "display_data", "data": {prefix + "text/html": value, prefix + "text/plain": "<HTML>"},
                "metadata": {"scrapbook": {"name": key, "mime_prefix": prefix}}} for key, value in values.items()]
    (folder / f"{name}.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": outputs}]}))


DIRECTIVE = "<!--results-->\n```{glue} home_tiles\n:doc: chapters/at-a-glance.ipynb\n```\n<!--/results-->"


def test_a_glued_html_output_is_put_in_as_a_raw_block(tmp_path):
    notebook_with_html(tmp_path, "at-a-glance", {"home_tiles": '<section class="t">tiles</section>'})
    assert fill("Intro.\n\n" + DIRECTIVE + "\n\nAfter.", tmp_path, "index.md") == (
        'Intro.\n\n\n````{raw} html\n<section class="t">tiles</section>\n````\n\n\nAfter.')


def test_an_edition_without_the_tiles_says_so_and_a_loose_directive_is_an_error(tmp_path):
    assert fill(DIRECTIVE, tmp_path, "index.md").strip() == \
        "(This edition's At a glance page does not give these figures.)"
    with pytest.raises(HandbookError, match=r"^index.md, line 2: the result ```\{glue\} home_tiles"):
        fill("Intro.\n" + DIRECTIVE.split("\n", 1)[1].rsplit("\n", 1)[0], tmp_path, "index.md")
    notebook_with_html(tmp_path, "at-a-glance", {"home_tiles": "````"})
    with pytest.raises(HandbookError, match="holds a fence of four backticks"):
        fill(DIRECTIVE, tmp_path, "index.md")


def test_the_home_page_names_the_tiles_the_front_page_glues():
    text = (REPO_ROOT / "book" / "index.md").read_text(encoding="utf-8")
    assert f"```{{glue}} {home.TILES_KEY}\n:doc: chapters/{glance.page_name()}.ipynb\n```" in text
    template = (REPO_ROOT / "notebooks" / f"{glance.page_name()}.md").read_text(encoding="utf-8")
    assert "home.glue_tiles(" in template


def test_a_yearly_value_that_is_not_a_number_is_an_error_naming_the_chapter_and_year():
    rows = pd.DataFrame({"year": ["2015-16", "2016-17"], "value": [80.0, "n/a"], "whole": [True, True]})
    view = SimpleNamespace(chapter="ae", rows=rows, series="", measure=SimpleNamespace(name="Four-hour performance"))
    with pytest.raises(ValueError, match=r"^chapter 'ae': its yearly view 'Four-hour performance' gives 'n/a' for "
                                         r"2016-17, not a finite number"):
        home.points_of(view)
    rows["value"] = [80.0, None]  # a year with no figure is left out
    assert [p.year for p in home.points_of(view)] == ["2015-16"]


@pytest.mark.parametrize("which", ["bundled_book", "real_book"])
def test_the_built_front_page_lists_only_the_inputs_of_its_figures_with_their_kinds(request, which):
    import html as html_module

    book = request.getfixturevalue(which)
    data = str(request.getfixturevalue("real_data")) if which == "real_book" else ""
    page = (book / "_build" / "html" / "chapters" / f"{glance.page_name()}.html").read_text(encoding="utf-8")
    about = page[page.index('class="handbook-sources"'):]
    shown = sorted((html_module.unescape(title), kinds) for kinds, title in
                   re.findall(r'<li data-kinds="([^"]*)"><strong>([^<]*)</strong>', about))
    used = glance.used_sources(glance.chapter_results(data, YEAR))
    expected = sorted((s.dataset.title, ", ".join(k.value for k in s.kinds)) for s in used.values() if s.entries)
    assert shown == expected and len(shown) >= 5
    title = re.search(r'<p class="handbook-headline-title">([^<]*)</p>', page).group(1)
    assert title == html_module.escape(glance.box_title(glance.chapter_results(data, YEAR), YEAR), quote=False)
    home_page = (book / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert f">{title}</h2>" in home_page  # the home page's tiles carry the same title
