"""Elective care (RTT): the overview workbook reader, bad input, measures, ledger, bundled and real data."""

import re

import openpyxl
import pandas as pd
import pytest

from analysis import ledger, rtt
from analysis.errors import DataError, ParameterError
from analysis.page import prepare_chapter
from analysis.periods import FinancialYear
from analysis.rtt.sample import write_sample

Y2016 = FinancialYear(2016)
MARCH_2017_ROW = 13 + 35  # the sample's first month, April 2014, is on row 13
COLUMN = {"within": 5, "percent": 7, "waiting": 9, "new_periods": 15}


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory):
    return write_sample(tmp_path_factory.mktemp("rtt"))[0]


def edited(sample_file, tmp_path, edit):
    """A copy of the sample workbook with `edit(sheet)` applied."""
    book = openpyxl.load_workbook(sample_file)
    edit(book["Full Time Series"])
    path = tmp_path / "rtt_overview_time_series_edited.xlsx"
    book.save(path)
    return path


def test_reader_finds_columns_by_group_and_skips_months_not_yet_published(sample_file):
    table = rtt.read_overview(sample_file)
    assert table["month"].min() == pd.Period("2014-04", "M")
    assert table["month"].max() == pd.Period("2018-03", "M")  # April 2018 onwards are empty rows
    assert rtt.coverage(table) == [FinancialYear(y) for y in (2014, 2015, 2016, 2017)]
    march = table.set_index("month").loc[pd.Period("2017-03", "M")]
    assert march["percent_within_18"] == pytest.approx(100 * march["within_18"] / march["waiting"])
    assert march["completed"] == march["admitted"] + march["non_admitted"]
    # '-' (not collected before October 2015) is missing, not zero
    assert table.set_index("month")["new_periods"].loc[:pd.Period("2015-09", "M")].isna().all()
    assert rtt.first_new_periods_month(table) == pd.Period("2015-10", "M")


def test_missing_column_is_named(sample_file, tmp_path):
    path = edited(sample_file, tmp_path, lambda s: s.cell(row=12, column=COLUMN["percent"], value="% in 18 wks"))
    with pytest.raises(DataError, match=r"row 12, column '% within 18 weeks': lacks column '% within 18 weeks' "
                                        r"under 'Incomplete RTT pathways'"):
        rtt.read_overview(path)


def test_blank_cell_in_a_published_month_is_an_error(sample_file, tmp_path):
    def blank(sheet):
        sheet.cell(row=MARCH_2017_ROW, column=COLUMN["waiting"]).value = None  # cell(value=None) leaves it as it was

    path = edited(sample_file, tmp_path, blank)
    with pytest.raises(DataError, match=r"row 48, column 'Total waiting \(mil\)': is blank for March 2017"):
        rtt.read_overview(path)


@pytest.mark.parametrize("column, value, message", [
    ("percent", 1.5, r"row 48, column 'percent_within_18': value 150.0 is larger than any plausible value"),
    ("within", 9_000_000, r"row 48, column 'within_18': value 9000000.0 is more than the incomplete pathways"),
    ("waiting", "lots", r"row 48, column 'Total waiting \(mil\)': value 'lots' is not a number"),
    ("waiting", -5, r"row 48, column 'waiting': value -5.0 is negative"),
])
def test_bad_cells_are_named(sample_file, tmp_path, column, value, message):
    path = edited(sample_file, tmp_path, lambda s: s.cell(row=MARCH_2017_ROW, column=COLUMN[column], value=value))
    with pytest.raises(DataError, match=message):
        rtt.read_overview(path)


def test_a_cell_that_contradicts_its_percentage_and_a_bad_month_are_named(sample_file, tmp_path):
    path = edited(sample_file, tmp_path, lambda s: s.cell(row=MARCH_2017_ROW, column=COLUMN["within"],
                                                          value=s.cell(row=MARCH_2017_ROW, column=9).value * 0.8))
    with pytest.raises(DataError, match=r"row 48, column 'percent_within_18': .* does not match No. within 18 weeks"):
        rtt.read_overview(path)
    path = edited(sample_file, tmp_path, lambda s: s.cell(row=MARCH_2017_ROW, column=3, value="Marchish"))
    with pytest.raises(DataError, match=r"row 48, column 'Month': value 'Marchish' is not a month"):
        rtt.read_overview(path)


def test_working_days_worked_by_hand():
    # 2016-17: 1 April 2016 (a Friday) to 31 March 2017 is 52 weeks and a Friday, 261 weekdays, less 6 bank
    # holidays (2 and 30 May, 29 August, 26 and 27 December, 2 January). 2015-16 has 262 weekdays (it starts
    # on a Wednesday and has 29 February) less 10 bank holidays (two Easters).
    assert rtt.working_days(FinancialYear(2016)) == 255
    assert rtt.working_days(FinancialYear(2015)) == 252
    with pytest.raises(Exception, match="bank holidays for 2014-15 to 2019-20 only, not 2024-25"):
        rtt.working_days(FinancialYear(2024))


def test_bundled_sample_reproduces_the_printed_figures():
    page = prepare_chapter("rtt")
    assert page.synthetic
    table = rtt.load(page.sources)
    figures = rtt.ledger_figures(page.sources, page.parameters)
    result = ledger.compare("rtt", figures.values, figures.notes, alternatives=figures.alternatives).set_index("figure")
    assert result.loc[["incomplete_within_18_weeks", "waiting_list_growth_less", "completed_per_day_growth"],
                      "agrees"].tolist() == [True, True, True]
    # made to reproduce 4.7% with the variant the documents define: per calendar day, as reported
    completed = rtt.completed_growth(table, Y2016).set_index("series")
    assert round(completed.at["reported", "per_day_growth_percent"], 4) == 4.7
    assert pd.isna(result.at["referral_growth_fall", "reproduced"])
    assert "Not computed" in result.at["referral_growth_fall", "verdict"]


@pytest.mark.parametrize("period, message", [
    ("banana", "parameter 'period': 'banana' is not an NHS financial year"),
    ("2016-18", "parameter 'period': '2016-18' is not an NHS financial year"),
    ("2030-31", "parameter 'period': 2030-31 is not covered by the RTT overview series"),
])
def test_nonsense_periods_name_the_parameter(period, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        prepare_chapter("rtt", period=period)


def test_real_data_back_test(real_data):
    page = prepare_chapter("rtt", data_dir=str(real_data))
    assert not page.synthetic
    table = rtt.load(page.sources)
    assert pd.Period("2024-02", "M") in set(table["month"])  # published as the text "* Feb-24"
    end = rtt.position(table, Y2016)
    assert round(end["percent"], 1) == 90.3 and round(end["percent_est"], 1) == 90.1
    assert end["waiting"] == 3_734_833 and end["within_18"] == 3_372_306
    growth = rtt.waiting_list_growth(table, Y2016).set_index("series")
    assert growth.at["reported", "growth"] == 230_238 and growth.at["reported", "previous_growth"] == 497_718
    assert round(growth.at["reported", "less_by_count"], 1) == 53.7
    assert round(growth.at["with estimates", "less_by_count"], 1) == 52.3
    completed = rtt.completed_growth(table, Y2016).set_index("series")
    assert round(completed.at["with estimates", "per_working_day_growth_percent"], 1) == 4.7
    assert round(completed.at["reported", "per_working_day_growth_percent"], 1) == 6.0
    assert round(completed.at["reported", "growth_percent"], 1) == 7.3
    assert round(completed.at["reported", "per_day_growth_percent"], 1) == 7.6
    figures = rtt.ledger_figures(page.sources, page.parameters)
    result = ledger.compare("rtt", figures.values, figures.notes, alternatives=figures.alternatives).set_index("figure")
    assert result.at["incomplete_within_18_weeks", "agrees"]
    # The variant the documents define (per calendar day, as reported) differs; the one that matches
    # the print is named as fitting, not compared.
    completed_row = result.loc["completed_per_day_growth"]
    assert round(completed_row["reproduced"], 1) == 7.6 and completed_row["status"] == "differs"
    assert completed_row["fits_better"] == "per working day, with estimates for missing trusts"
    assert "Variant compared: per calendar day, as reported" in completed_row["verdict"]
    waiting = result.loc["waiting_list_growth_less"]
    assert round(waiting["reproduced"], 1) == 53.7 and waiting["status"] == "differs"
    assert waiting["fits_better"] == ("by growth rate, as reported; by growth rate, with estimates for missing "
                                      "trusts")


@pytest.mark.parametrize("period, percent", [("2017-18", 87.2), ("2018-19", 86.7)])
def test_real_data_reruns_for_later_years(real_data, period, percent):
    page = prepare_chapter("rtt", data_dir=str(real_data), period=period)
    table = rtt.load(page.sources)
    assert round(rtt.position(table, page.period)["percent"], 1) == percent
    assert rtt.completed_growth(table, page.period) is not None
    assert rtt.new_periods_growth(table, page.period) is not None  # clock starts are whole from 2016-17


def test_built_pages(bundled_book, real_book):
    def text(book):
        html = (book / "_build" / "html" / "chapters" / "rtt.html").read_text()
        return html, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    html, bundled = text(bundled_book)
    assert "handbook-synthetic" in html and "as an XmR chart" in html
    assert "90.3 % of the" in bundled and "Holds by construction" in bundled and "Agrees:" not in bundled
    html, real = text(real_book)
    assert "handbook-synthetic" not in html
    assert "90.3 % of the 3,734,833 incomplete pathways reported" in real
    assert "(365 days against 366, 255 working days against 252)" in real
    assert "The ledger compares the growth per calendar day, as reported" in real
    assert "chosen from the documents’ definitions before any comparison: The report counts" in real
