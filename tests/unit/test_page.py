"""The page helpers: numbers, citations, headline results, tables and parameters as a reader sees them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis import ledger
from analysis.page import (DOCUMENTS, Result, cite, cited_table, headline_html, in_words, number_text,
                           parameter_sentences, table_html)
from analysis.registry import load_registry


@pytest.mark.parametrize("value, text", [
    (494425.0, "494,425"), (1762948.0, "1,762,948"), (82.808916, "82.8"), (np.int64(3), "3"),
    (117901.5, "117,901.5"), (float("nan"), ""), (None, ""), (True, "yes"), (pd.Timestamp("2017-03-01"), "March 2017"),
    ("1,772,052.0", "1,772,052"), ("£154.0m", "£154m"), ("82.0%", "82.0%"),
])
def test_numbers_read_as_people_write_them(value, text):
    assert number_text(value) == text


def test_a_citation_names_the_document_and_line_in_words():
    assert cite("000_5311d35d774c4b17.txt", 113) == "annual report, line 113"
    assert cite("001_899a8076ef4f6916.txt", "185.0") == "mandate, line 185"
    assert cite("004_f1ee6f075f639a35.txt", "1050-1061") == "Everyone Counts, lines 1050–1061"
    assert in_words("printed at 000_5311d35d774c4b17.txt line 854") == "printed at annual report, line 854"
    with pytest.raises(KeyError, match="not one of the handbook's source documents"):
        cite("009_0000000000000000.txt", 1)


def test_every_document_is_in_the_bibliography():
    from analysis.sources import REPO_ROOT

    bib = (REPO_ROOT / "book" / "references.bib").read_text()
    keys = re.findall(r"@misc\{([^,]+),", bib)
    assert sorted(keys) == sorted(d.key for d in DOCUMENTS.values())
    for doc in DOCUMENTS.values():
        entry = bib[bib.index(doc.key):].split("\n}\n")[0]
        assert f"{{{doc.year}}}" in entry and doc.url in entry and doc.publisher in entry


def test_cited_table_replaces_document_and_line_with_words():
    table = pd.DataFrame({"Reference": ["Standard 95%"], "Document": ["004_f1ee6f075f639a35.txt"], "Line": [1049]})
    assert cited_table(table).to_dict("records") == [{"Reference": "Standard 95%", "Source": "Everyone Counts, line 1049"}]


def test_headline_results_say_their_standard_and_whether_it_was_met():
    below = Result("treated within 62 days", 82.0078, standard=85.0)
    above = Result("seen within two weeks", 94.41, standard=93.0)
    lower_better = Result("waited over four hours", 10.2, standard=5.0, higher_is_better=False)
    count = Result("budgets in place", 23151.0, unit="count", standard_text="commitment: 50,000 by 2021")
    money = Result("underspend", 1869.0, unit="gbp_m", decimals=0, standard=800.0, standard_text="goal: more than £800m")
    assert (below.value_text(), below.verdict_text()) == ("82.0%", "Standard 85%: not met")
    assert (above.value_text(), above.verdict_text()) == ("94.4%", "Standard 93%: met")
    assert lower_better.verdict_text() == "Standard 5%: not met"
    assert (count.value_text(), count.verdict_text(), count.met) == ("23,151", "Commitment: 50,000 by 2021", None)
    assert (money.value_text(), money.verdict_text()) == ("£1,869m", "Goal: more than £800m: met")
    assert Result("no data", None, standard=50.0).value_text() == "not available"
    box = headline_html([below, above], "2016/17", "From the published files.")
    assert box.count('class="handbook-result ') == 2
    assert "handbook-result-not-met" in box and "handbook-result-met" in box and "The results, 2016/17" in box


def test_table_cells_are_formatted_labelled_and_marked():
    df = pd.DataFrame({"Provider": ["A long provider name"], "Treated": [1876819.0], "Performance %": [82.0],
                       "Note": [""]})
    out = table_html(df, "Providers", key=["Provider", "Performance %"])
    assert "1,876,819" in out and "1876819" not in out and ">82.0<" in out
    assert "Note" not in out  # a column with nothing in it is left out
    assert '<td class="handbook-secondary handbook-number" data-label="Treated">' in out
    assert '<th scope="col" class="handbook-key">Provider</th>' in out
    assert 'class="handbook-scroll-hint" hidden' in out
    with pytest.raises(KeyError, match="no column 'Met'"):
        table_html(df, "Providers", key=["Met"])


def test_parameters_read_in_words():
    """Each chapter's words for its parameters come from the registry; `period` reads the same everywhere."""
    chapters = load_registry()
    labels = {**chapters.chapter("vanguards").labels, **chapters.chapter("cancer").labels}
    words = parameter_sentences({"recent_first": "2016-01", "recent_last": "2016-12", "cohorts": "PACS,MCP",
                                 "period": "2016-17", "organisation": "", "data_dir": "/somewhere"}, labels)
    assert words == ["Recent window: January 2016 to December 2016", "Vanguard types compared: PACS, MCP",
                     "Financial year: 2016/17", "Provider shown on its own: none (the default)"]


def test_ledger_writes_a_whole_count_without_decimals():
    assert ledger.format_value(1876819.0, "count", 2) == "1,876,819"
    assert ledger.format_value(117901.5, "count", 1) == "117,901.5"
    assert ledger.format_value(82.0, "percent", 1) == "82.0%"
