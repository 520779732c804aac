"""Delayed transfers of care: the workbook reader's checks, the measures, the sample, real data and the page."""

import re
from pathlib import Path

import openpyxl
import pytest

from analysis import dtoc
from analysis.dtoc import sample
from analysis.errors import DataError
from analysis.periods import FinancialYear
from analysis.registry import load_registry
from analysis.sources import resolve_all

Y2016 = FinancialYear(2016)
BUNDLED = Path(__file__).resolve().parents[2] / "data" / "bundled" / "dtoc" / "dtoc_england_SYNTHETIC_SAMPLE.xlsx"


def damaged(tmp_path, sheet, cell, value) -> Path:
    """The bundled sample with one cell changed."""
    book = openpyxl.load_workbook(BUNDLED)
    book[sheet][cell] = value
    path = tmp_path / "DTOC-damaged.xlsx"
    book.save(path)
    return path


def test_sample_is_regenerated_byte_for_byte_and_says_it_is_synthetic(tmp_path):
    written = sample.write_sample(tmp_path)[0]
    assert written.read_bytes() == BUNDLED.read_bytes()
    data = dtoc.read_dtoc(BUNDLED)
    assert "SYNTHETIC SAMPLE" in data.notes["Title"] and "Revised" not in data.notes
    assert str(data.monthly["month"].iloc[0]) == "2013-04" and str(data.monthly["month"].iloc[-1]) == "2017-03"
    assert "synthetic sample" in dtoc.revision_sentence(data.notes, synthetic=True)


def test_bundled_measures_add_up_by_organisation_and_year():
    monthly = dtoc.read_dtoc(BUNDLED).monthly
    table = dtoc.comparison(monthly, Y2016).set_index("responsible")
    year = monthly[monthly["month"].isin(list(Y2016.months()))]
    assert table.at["All", "current"] == year["total"].sum() == year[["nhs", "social_care", "both"]].sum().sum()
    assert table.loc[["NHS", "Social care", "Both"], "current"].sum() == table.at["All", "current"]
    assert table.at["All", "growth_percent"] == pytest.approx(
        100 * (table.at["All", "current"] / table.at["All", "previous"] - 1))
    assert dtoc.comparison(monthly, FinancialYear(2013)) is None  # no 2012-13 in the sample
    value, note = dtoc.delayed_days_growth(monthly, FinancialYear(2013))
    assert value is None and "does not hold both 2012-13 and 2013-14" in note
    # the SPC series is delayed days per day of the month
    series = dtoc.spc_series(monthly, Y2016)
    assert len(series) == 36
    feb = monthly.set_index("month").at[series.index[-2], "total"]
    assert series.iloc[-2] == pytest.approx(feb / 28)


@pytest.mark.parametrize("sheet, cell, value, message", [
    ("Delayed Days by responsible org", "D17", 1.0,
     "sheet 'Delayed Days by responsible org': NHS + Social Care + Both ="),
    ("Delayed Days by responsible org", "D17", "n/a", "'NHS' must be a number of delayed days, not 'n/a'"),
    ("Delayed Days by responsible org", "D17", -5.0, "is not a plausible number of delayed days"),
    ("Delayed Days by responsible org", "C18", "Mayy", "'Mayy' is not a month name"),
    ("Delayed Days by responsible org", "B17", "2013/14", "year '2013/14' is not a financial year"),
    ("Delayed Days by responsible org", "C18", "June", "June 2013 follows April 2013; months must run on"),
    ("Delayed Days by responsible org", "B15", "Yr", "has no header row beginning 'Year, Period'"),
    ("Delayed Days by type", "F17", 1.0, "sheet 'Delayed Days by type': Acute + Non-Acute ="),
    ("Delayed Days by reason", "O17", 1.0, "sheet 'Delayed Days by reason': total 1 for April 2013 differs"),
])
def test_bad_workbooks_are_refused_with_sheet_row_and_column(tmp_path, sheet, cell, value, message):
    with pytest.raises(DataError, match=re.escape(message)) as error:
        dtoc.read_dtoc(damaged(tmp_path, sheet, cell, value))
    assert "DTOC-damaged.xlsx" in str(error.value)


def test_a_missing_sheet_is_named(tmp_path):
    book = openpyxl.load_workbook(BUNDLED)
    del book["Delayed Days"]
    path = tmp_path / "DTOC-three-sheets.xlsx"
    book.save(path)
    with pytest.raises(DataError, match="has no sheet 'Delayed Days'"):
        dtoc.read_dtoc(path)


@pytest.fixture(scope="module")
def real(real_data):
    sources = resolve_all(["dtoc_england"], load_registry().datasets, real_data)
    assert not sources["dtoc_england"].synthetic
    return dtoc.load(sources)


def test_real_file_gives_2016_17_delayed_days_up_a_quarter(real):
    table = dtoc.comparison(real.monthly, Y2016).set_index("responsible")
    assert table.at["All", "current"] == 2_254_821 and table.at["All", "previous"] == 1_809_587
    assert round(table.at["All", "growth_percent"], 1) == 24.6
    assert (table.at["NHS", "current"], table.at["Social care", "current"], table.at["Both", "current"]) == (
        1_300_022, 778_860, 175_939)
    assert len(real.monthly) == 115  # August 2010 to February 2020
    value, note = dtoc.delayed_days_growth(real.monthly, Y2016)
    assert round(value, 1) == 24.6 and "2,254,821 delayed days in 2016-17 against 1,809,587" in note


def test_real_file_is_said_to_be_a_later_revision(real):
    assert real.notes["Revised"] == "10th September 2020" and real.notes["Published"] == "9th April 2020"
    sentence = dtoc.revision_sentence(real.notes, synthetic=False)
    assert "revised on 10th September 2020" in sentence and "later revision" in sentence


def test_ae_page_shows_the_delayed_transfers_section(bundled_book):
    page = (bundled_book / "_build" / "html" / "chapters" / "ae.html").read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Urgent care context: delayed transfers of care" in text
    assert re.search(r"In 2016-17 there were 2,251,775 delayed days, \+23\.8% on 2015-16", text)
    assert "synthetic sample in the published layout" in text
    assert "Delayed transfers as an XmR chart" in text
    assert "ae-dtoc-monthly.csv" in page and "ae-dtoc-spc.csv" in page
