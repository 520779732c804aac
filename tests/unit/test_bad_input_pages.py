"""Hostile names in the data cannot change a page's structure or a downloaded spreadsheet.

Each case is listed in tests/BAD_INPUT.md.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from analysis import ae
from analysis.charts import chart_html, csv_of
from analysis.periods import FinancialYear
from analysis.sources import BUNDLED_DIR

HOSTILE = ["<!--<script>", "</script><img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\",\"y\")",
           "+SUM(A1)", "@cmd", "-2+3", "&amp; </figure>", "line\u2028end"]


class Structure(HTMLParser):
    """Counts elements and collects script text, as a browser's parser would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.opened, self.closed, self.scripts, self.comments = [], [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.opened.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self.closed.append(tag)
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_comment(self, data):
        self.comments.append(data)


@pytest.fixture
def hostile_table(tmp_path):
    """The bundled (synthetic) April 2016 provider CSV with hostile organisation names, read."""
    text = (BUNDLED_DIR / "ae" / "Monthly-AE-April-2016-SYNTHETIC-SAMPLE.csv").read_text()
    rows = list(csv.reader(io.StringIO(text)))
    for row, name in zip(rows[1:], HOSTILE):
        row[3] = name
    path = tmp_path / "Monthly-AE-April-2016.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return ae.read_monthly(path)


def test_hostile_organisation_names_cannot_change_the_page_structure(hostile_table):
    year = FinancialYear(2016)
    providers = ae.providers(hostile_table.assign(month=pd.Period("2016-04", "M")), year)
    data = providers[["org_code", "org_name", "attendances", "performance"]]
    figure = chart_html(ae.provider_chart(providers, ae.STANDARD), "providers", "Hostile names.", data)
    parsed = Structure()
    parsed.feed(figure)
    parsed.close()
    assert parsed.opened.count("script") == 1 and parsed.closed.count("script") == 1
    assert parsed.opened.count("img") == 0 and parsed.comments == []
    assert parsed.closed[-1] == "figure" and parsed.opened.count("figure") == 1
    script = parsed.scripts[0]
    assert "<" not in script and "\u2028" not in script
    spec = json.loads(re.search(r"getElementById\('chart-[0-9a-f]+'\),spec=(\{.*\}),fit=", script).group(1))
    names = {v for d in spec["datasets"].values() for row in d for k, v in row.items() if k == "org_name"}
    assert set(HOSTILE) <= names  # the names reach the chart unchanged, as data


def test_the_csv_download_neutralises_formulas_but_keeps_negative_numbers(hostile_table):
    data = pd.DataFrame({"org_name": HOSTILE, "change": [-1.5, -2, 0, 3, -4, 5, 6, -7],
                         "text_number": ["-12", "+3", "1e3", "=1+1", "-", "@", "ok", ""]})
    figure = chart_html(__import__("altair").Chart(data).mark_bar().encode(x="change:Q", y="org_name:N"),
                        "x", "Alt.", data)
    encoded = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', figure).group(1)
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(encoded).decode())))
    assert [r["org_name"] for r in rows] == ["<!--<script>", "</script><img src=x onerror=alert(1)>",
                                              "'=HYPERLINK(\"http://x\",\"y\")", "'+SUM(A1)", "'@cmd", "'-2+3",
                                              "&amp; </figure>", "line\u2028end"]
    assert [r["change"] for r in rows] == ["-1.5", "-2.0", "0.0", "3.0", "-4.0", "5.0", "6.0", "-7.0"]
    assert [r["text_number"] for r in rows] == ["-12", "+3", "1e3", "'=1+1", "'-", "'@", "ok", ""]
    assert csv_of(pd.DataFrame({"=bad header": [1]})).startswith("'=bad header\n")
