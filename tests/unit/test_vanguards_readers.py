"""The Monthly Activity Return reader (groundwork for the new care models chapter)."""

import openpyxl
import pytest

from analysis.errors import DataError
from analysis.vanguards.readers import NON_ELECTIVE, month_of, read_mar, read_mar_files, window_total


def workbook(path, rows, header_row=14, header=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Commissioner"
    sheet["C5"] = "Period:"
    header = header or ["", "Year", "Period", "Region Code", "Region Name", "Org Code", "Org Name", NON_ELECTIVE]
    for col, value in enumerate(header, 1):
        sheet.cell(row=header_row, column=col, value=value)
    for offset, row in enumerate(rows, 1):
        for col, value in enumerate(row, 1):
            sheet.cell(row=header_row + offset, column=col, value=value)
    book.save(path)
    return path


ROWS = [["", "2014-15", "JANUARY  ", "", "", "", "England", 1284],  # the sum of the rows below, as published
        ["", "2014-15", "JANUARY  ", "XDH", "DH", "X24", "NHS ENGLAND", 50],
        ["", "2014-15", "January  2014-15", "Q44", "AREA", "01C", "NHS EASTERN CHESHIRE CCG", 1234.0]]


@pytest.mark.parametrize("year, label, month", [("2014-15", "JANUARY  ", "2015-01"), ("2015-16", "April", "2015-04"),
                                                ("2016-17", "FEBRUARY  ", "2017-02"), ("2016-17", "Someday", None)])
def test_period_labels(year, label, month):
    parsed = month_of(year, label)
    assert (str(parsed) if parsed is not None else None) == month


def test_reads_ccg_rows_only_wherever_the_header_is(tmp_path):
    for header_row in (14, 9):
        table = read_mar(workbook(tmp_path / "mar_commissioner_2015-01.xlsx", ROWS, header_row))
        assert table["ccg_code"].tolist() == ["01C"] and table["non_elective"].tolist() == [1234.0]
        assert str(table["month"].iloc[0]) == "2015-01"


def test_bad_input(tmp_path):
    with pytest.raises(DataError, match="the rows say January 2015 but the file name says February 2015"):
        read_mar(workbook(tmp_path / "mar_commissioner_2015-02.xlsx", ROWS))
    bad = [r[:] for r in ROWS]
    bad[2][7] = "n/a"
    with pytest.raises(DataError, match=r"row 17, column 'Total Non-elective G&A Admissions \(FFCEs\)': value 'n/a'"):
        read_mar(workbook(tmp_path / "mar_commissioner_2015-01.xlsx", bad))
    with pytest.raises(DataError, match="the header has no 'Total Non-elective"):
        read_mar(workbook(tmp_path / "mar_commissioner_2015-01.xlsx", ROWS, header=["", "Year", "Period", "Org Code",
                                                                                     "Org Name", "Other"]))
    with pytest.raises(DataError, match="the window 2016-01 to 2016-02 lacks 2016-01, 2016-02"):
        window_total(read_mar(workbook(tmp_path / "mar_commissioner_2015-01.xlsx", ROWS)), "2016-01", "2016-02")


def test_real_workbooks_give_the_growth_before_any_per_capita_adjustment(real_data):
    table = read_mar_files(sorted((real_data / "mar").glob("mar_commissioner_*.xls")))
    assert set(table.groupby("month")["ccg_code"].nunique()) == {211, 209}
    recent = window_total(table, "2016-01", "2016-12")
    assert round(100 * (recent / window_total(table, "2014-10", "2015-09") - 1), 1) == 5.3
    assert round(100 * (recent / window_total(table, "2014-04", "2015-03") - 1), 1) == 6.1
