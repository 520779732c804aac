"""The methods page states no result typed by hand: each is read at build time from the edition's
executed chapters (analysis.methods_page), and a figure the edition does not have is not stated."""

from __future__ import annotations

import json
import re

import pytest

from analysis import REPO_ROOT
from analysis.errors import HandbookError
from analysis.methods_page import ROLE, fill
from analysis.registry import load_registry

METHODS = REPO_ROOT / "book" / "methods.md"


def notebook(folder, name, values: dict):
    """An executed notebook holding `values` as myst-nb glue outputs (reprs, as papermill records them)."""
    prefix = "application/papermill.record/"
    outputs = [{"output_type": "display_data", "data": {prefix + "text/plain": repr(value)},
                "metadata": {"scrapbook": {"name": key, "mime_prefix": prefix}}} for key, value in values.items()]
    (folder / f"{name}.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": outputs}]}))


def test_values_are_put_in_as_the_glue_role_formats_them(tmp_path):
    notebook(tmp_path, "ae", {"outside": 128, "tau": 5.88252529224741, "period": "2016-17"})
    text = ("Before. <!--results-->In {glue:text}`chapters/ae.ipynb::period:s`, "
            "{glue:text}`chapters/ae.ipynb::outside:d` lie outside (tau {glue:text}`chapters/ae.ipynb::tau:.1f`)."
            "<!--/results--> After.")
    assert fill(text, tmp_path) == "Before. In 2016-17, 128 lie outside (tau 5.9). After."


def test_a_span_with_any_value_the_edition_lacks_says_so_instead(tmp_path):
    notebook(tmp_path, "ae", {"outside": 128})
    finance = "<!--results-->{glue:text}`chapters/finance.ipynb::figures_checked:d`<!--/results-->"
    text = ("<!--results-->{glue:text}`chapters/ae.ipynb::outside:d` of "
            "{glue:text}`chapters/ae.ipynb::providers:d`<!--/results--> and " + finance + " " + finance)
    # a missing key; a chapter not in the edition; the same sentence twice in a row is said once
    assert fill(text, tmp_path) == ("(This edition's A&E four-hour waits page does not give these figures.) and "
                                    "(This edition's Finance page does not give these figures.)")


def test_a_result_outside_a_span_is_an_error_naming_its_line(tmp_path):
    notebook(tmp_path, "ae", {"outside": 128})
    with pytest.raises(HandbookError, match="methods page, line 2: the result .*outside a <!--results-->"):
        fill("Intro.\nHere {glue:text}`chapters/ae.ipynb::outside:d` typed loose.", tmp_path)


def test_the_methods_page_types_no_count_of_results_and_reads_only_registered_chapters(tmp_path):
    text = METHODS.read_text(encoding="utf-8")
    roles = list(ROLE.finditer(text))
    assert len(roles) >= 40
    assert {r["chapter"] for r in roles} <= {c.name for c in load_registry().chapters}
    assert ROLE.search(fill(text, tmp_path)) is None  # every result sits in a span (no chapters: all say so)
    plain = ROLE.sub("<value>", text)
    # "13 of the 14", "244 of 246": a count of results typed by hand (a part year's "4 of 12 months" is a
    # label's format, not a result)
    typed = [m.group(0) for m in re.finditer(r"\b\d[\d,]* of (the )?\d[\d,]+\b(?! months)", plain)]
    assert typed == []


@pytest.mark.parametrize("which", ["bundled_book", "real_book"])
def test_the_report_year_methods_page_states_this_builds_figures(request, which):
    book = request.getfixturevalue(which)
    html = (book / "_build" / "html" / "methods.html").read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "{glue:text}" not in html and "page does not give these figures" not in text

    def page(name):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (book / "_build" / "html" / "chapters" /
                                                             f"{name}.html").read_text()))

    ae, cancer, finance = page("ae"), page("cancer"), page("finance")
    found = re.search(r"A&amp;E, (\d+) and (\d+) of the (\d+) providers with a type 1 department .*? Cancer 62-day, "
                      r"(\d+) and (\d+) of the (\d+) providers", text)
    assert found, "the funnel counts"
    assert f"{found[1]} of the {found[3]} providers lie outside the 99.8% limits" in ae
    assert f"against them {found[2]} li" in ae
    assert f"{found[4]} of the {found[6]} providers lie outside the 99.8% limits" in cancer
    assert f"against them {found[5]} li" in cancer
    checked = re.search(r"of the (\d+) figures of the report’s tables, (\d+) agree", text)
    assert f"Of the {checked[1]} derived figures the report printed in these tables, {checked[2]} are" in finance
    basis = "a synthetic sample" if which == "bundled_book" else "the data"
    assert f"In this edition’s data ({basis})" in text
    if which == "real_book":
        assert found.groups() == ("128", "1", "139", "87", "2", "169")
        assert "The page counts 68 commitments under 14 headings" in text  # as the report's text recounts
