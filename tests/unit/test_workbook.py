"""One opener for published .xls and .xlsx workbooks, with errors that name the file."""

import openpyxl
import pytest

from analysis.errors import DataError
from analysis.workbook import sheet_names, sheet_rows

def test_xlsx_rows_come_back_with_blanks_as_none(tmp_path):
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["Title", None, 3])
    book.active.append([None, "x", 4.5])
    book.save(path)
    assert sheet_names(path) == ["Data"]
    assert sheet_rows(path, "Data") == [["Title", None, 3], [None, "x", 4.5]]

def test_missing_sheet_is_named_with_the_sheets_there(tmp_path):
    path = tmp_path / "book.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(DataError, match=r"book.xlsx: has no sheet 'Monthly Data' \(sheets: Sheet\)"):
        sheet_rows(path, "Monthly Data")

@pytest.mark.parametrize("damage", ["truncated", "text"])
def test_a_damaged_workbook_is_one_sentence_naming_the_file(tmp_path, damage, real_data):
    source = real_data / "mar" / "mar_commissioner_2014-04.xls"
    path = tmp_path / "mar_commissioner_2014-04.xls"
    if damage == "truncated":
        path.write_bytes(source.read_bytes()[:3000])
    else:
        path.write_text("Year,Period\n2014-15,April\n")
    with pytest.raises(DataError, match=r"mar_commissioner_2014-04.xls: is not a readable Excel workbook .*"
                                        r"it may be truncated or not a spreadsheet"):
        sheet_rows(path, "Commissioner")
