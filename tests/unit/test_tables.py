"""Every table formatted alike (issue 30): the rows under a chart read like the chapters' own
tables (analysis.tables headings, analysis.page cell formatting), and the CSV keeps the rows."""

from __future__ import annotations

import base64
import re

import altair as alt
import numpy as np
import pandas as pd
from bs4 import BeautifulSoup

from analysis.charts import chart_html
from analysis.page import number_text, table_html
from analysis.tables import heading, rate_unit, readable


def chart_table(data: pd.DataFrame) -> tuple[list[str], list[list[str]], str]:
    chart = alt.Chart(data).mark_point().encode(x=f"{data.columns[0]}:N", y=f"{data.columns[1]}:Q")
    soup = BeautifulSoup(chart_html(chart, "test", "A test chart.", data), "html.parser")
    table = soup.select_one("details.handbook-chart-table table")
    heads = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")]
    csv = base64.b64decode(soup.select_one("a.handbook-data-link")["href"].split(",", 1)[1]).decode()
    return heads, rows, csv


def test_chart_data_block_shows_readable_headings_and_formatted_cells():
    data = pd.DataFrame({"month": pd.to_datetime(["2017-03-01", "2017-04-01"]),
                         "waiting": [3603606.0, 1.289141e+06], "percent_within_18": [90.035127, 85.0],
                         "percent_within_18_est": [np.nan, 91.2], "met": [True, False],
                         "rank": pd.array([1, pd.NA], dtype="Int64")})
    heads, rows, csv = chart_table(data)
    assert heads == ["Month", "Waiting", "Within 18 weeks (%)", "Within 18 weeks (%), with estimates",
                     "Met the standard", "Rank"]
    assert rows == [["March 2017", "3,603,606", "90.0", "", "yes", "1"],
                    ["April 2017", "1,289,141", "85.0", "91.2", "no", ""]]
    assert csv.splitlines()[0] == "month,waiting,percent_within_18,percent_within_18_est,met,rank"
    assert "3603606.0" in csv  # the download keeps the rows as computed


def test_a_rate_is_given_the_unit_its_rows_show():
    funnel = pd.DataFrame({"numerator": [81, 9], "volume": [100, 10], "rate": [81.0, 90.0]})
    per_head = pd.DataFrame({"total": [979], "population": [172660], "rate": [979 / 172660 * 100_000]})
    assert rate_unit(funnel) == "%" and heading("rate", funnel) == "Rate (%)"
    assert heading("rate", per_head) == "Rate (per 100,000)"
    assert heading("rate", funnel.assign(rate=[50.0, 90.0])) == "Rate"  # the rows do not say: no unit
    assert heading("Path to 100,000") == "Path to 100,000"  # a heading already written for readers
    assert heading("days_waited") == "Days waited"
    assert list(readable(funnel).columns) == ["Within the standard", "Total", "Rate (%)"]


def test_numbers_that_round_to_whole_lose_the_point_but_rates_keep_one_decimal():
    assert [number_text(v) for v in (104.97, 24347.98, 2.96, 2.94, 6.0, np.float64(85.0), -0.04, 117901.5)] == \
        ["105", "24,348", "3", "2.9", "6", "85", "0", "117,901.5"]
    cells = BeautifulSoup(table_html(pd.DataFrame({"Within (%)": [85.0, 69.24], "Seen": [85.0, 1e6]})),
                          "html.parser").select("td")
    assert [c.get_text() for c in cells] == ["85.0", "85", "69.2", "1,000,000"]


def test_long_text_cells_stack_under_their_heading():
    text = "a note " * 20
    cells = BeautifulSoup(table_html(pd.DataFrame({"Note": [text, "short"]})), "html.parser").select("td")
    assert ["handbook-long" in c["class"] for c in cells] == [True, False]


def test_phb_commitment_counts_are_numbers():
    from analysis.phb import commitment_table

    table = commitment_table()
    shown = BeautifulSoup(table_html(table[["Value"]]), "html.parser").get_text(" ")
    assert "50,000" in shown and "100,000" in shown and not re.search(r"\b\d{5,}\b", shown)
