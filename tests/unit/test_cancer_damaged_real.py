"""Real published cancer files, damaged in copies: each damage stops the chapter with an error naming
the file and the place, never a wrong figure. The originals are never touched: the data folder
here holds links to them, and each damaged file is a new file written in place of its link."""

import csv
import io
import re
import shutil

import openpyxl
import pytest

from analysis import cancer
from analysis.errors import DataError
from analysis.page import prepare_chapter

GP62_APRIL = "201604-11.-62-Day-Wait-for-first-treatment-All-Cancers-Provider-Data.csv"
FIRST31_APRIL = "201604-5.-31-Day-Wait-for-first-treatment-All-Cancers-Provider-Data.csv"
WORKBOOK = "cwt_national_time_series_2009-10_2023-09.xlsx"


@pytest.fixture
def folder(real_data, tmp_path):
    """A data folder linking to the real cancer files (and nothing else)."""
    for source in (real_data / "cwt").rglob("*"):
        if source.is_file():
            target = tmp_path / source.relative_to(real_data)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    return tmp_path


def replace(folder, relative: str, content: bytes):
    """Put damaged content where the link to the real file was (the original is untouched)."""
    path = folder / relative
    original = path.resolve()
    path.unlink()
    path.write_bytes(content)
    assert original.read_bytes() != content
    return path


def provider_lines(folder, name=GP62_APRIL) -> list[bytes]:
    return (folder / "cwt" / "provider_monthly" / name).read_bytes().split(b"\r\n")


def without_column(lines: list[bytes], name: str) -> list[bytes]:
    """The file's lines with the first column called `name` taken out of every row (CSV-aware:
    provider names hold commas)."""
    rows = list(csv.reader(io.StringIO(b"\r\n".join(lines).decode("cp1252"))))
    column = next(row.index(name) for row in rows if name in row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(row[:column] + row[column + 1:] for row in rows)
    return out.getvalue().encode("cp1252").split(b"\r\n")


def damage_provider(folder, lines, name=GP62_APRIL):
    return replace(folder, f"cwt/provider_monthly/{name}", b"\r\n".join(lines))


def chapter_error(folder) -> str:
    with pytest.raises(DataError) as info:
        prepare_chapter("cancer", data_dir=str(folder))
    return str(info.value)


def line_of(lines, prefix: bytes) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(prefix))


def test_the_undamaged_copy_reads(folder):
    page = prepare_chapter("cancer", data_dir=str(folder))
    assert not any(s.synthetic for s in page.sources.values())


def test_a_file_cut_at_a_row_boundary_stops_the_chapter(folder):
    lines = provider_lines(folder)
    part_c = line_of(lines, b"PART C")
    damage_provider(folder, lines[:part_c + 40] + [b""])  # cut cleanly after a provider row of PART C
    message = chapter_error(folder)
    assert GP62_APRIL in message and "PART C (all care) has no ALL ENGLISH PROVIDERS row" in message


def test_a_provider_row_missing_from_part_c_names_both_totals(folder):
    lines = provider_lines(folder)
    part_c = line_of(lines, b"PART C")
    total = float(next(csv.reader([lines[part_c + 10].decode("cp1252")]))[5])
    damage_provider(folder, lines[:part_c + 10] + lines[part_c + 11:])
    message = chapter_error(folder)
    match = re.search(r"62-day \(GP urgent referral\), PART C \(all care\): the providers' TOTAL add up to "
                      r"([\d,.]+) but the ALL ENGLISH PROVIDERS row gives ([\d,.]+)", message)
    assert GP62_APRIL in message and match, message
    summed, given = (float(g.replace(",", "")) for g in match.groups())
    assert given - summed == pytest.approx(total)


def test_a_file_without_part_c_stops_the_chapter_rather_than_switching_source(folder):
    lines = provider_lines(folder)
    damage_provider(folder, lines[:line_of(lines, b"PART C")] + [b""])
    message = chapter_error(folder)
    assert GP62_APRIL in message and "has no PART C (all care)" in message


def test_a_missing_within_62_days_column_is_named(folder):
    damage_provider(folder, without_column(provider_lines(folder), "WITHIN 62 DAYS"))
    message = chapter_error(folder)
    assert GP62_APRIL in message and "column 'WITHIN 62 DAYS': the header has no 'WITHIN 62 DAYS' column" in message


def test_a_31_day_file_without_its_standard_column_still_gives_the_same_counts(folder, real_data):
    """The 31-day files repeat WITHIN 31 DAYS as their first day band, with the same counts; WITHIN plus
    AFTER must still equal TOTAL on every row, so the figures cannot change."""
    path = damage_provider(folder, without_column(provider_lines(folder, FIRST31_APRIL), "WITHIN 31 DAYS"),
                           FIRST31_APRIL)
    damaged = cancer.read_provider_csv(path)
    original = cancer.read_provider_csv(real_data / "cwt" / "provider_monthly" / FIRST31_APRIL)
    assert damaged[["organisation", "within", "total"]].equals(original[["organisation", "within", "total"]])


@pytest.mark.parametrize("value, message", [("inf", "value 'inf' is not a number"),
                                            ("1e308", "is larger than any plausible value (1,000,000)")])
def test_an_impossible_count_is_named(folder, value, message):
    lines = provider_lines(folder)
    row = line_of(lines, b"PART C") + 5
    cells = next(csv.reader([lines[row].decode("cp1252")]))
    cells[5] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    damage_provider(folder, lines[:row] + [out.getvalue().encode("cp1252")] + lines[row + 1:])
    text = chapter_error(folder)
    assert f"{GP62_APRIL}, row {row + 1}, column 'TOTAL'" in text and message in text


def damage_workbook(folder, sheet: str, title_start: str, year_or_month, offset: int, value, extra=None):
    """Set one count of the real workbook (a copy): the block whose title starts `title_start`, the row
    whose period cell is `year_or_month`, the column `offset` after the period (1 Total, 2 Within, 3 Outside)."""
    path = folder / "cwt" / WORKBOOK
    book = openpyxl.load_workbook(path.resolve())
    ws = book[sheet]
    start = next(c.column for c in ws[2] if isinstance(c.value, str) and c.value.startswith(title_start))
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, start - 1).value == year_or_month)
    ws.cell(row, start - 1 + offset).value = value
    for other_offset, other in (extra or {}).items():
        ws.cell(row, start - 1 + other_offset).value = other
    path.unlink()
    book.save(path)
    return row, openpyxl.utils.get_column_letter(start - 1 + offset)


def test_a_blank_count_in_the_annual_sheet_is_an_error_not_a_missed_standard(folder):
    row, column = damage_workbook(folder, "Annual Data", "Two Week Wait From GP", "2016/17", 2, None)
    message = chapter_error(folder)
    assert (f"{WORKBOOK}, sheet 'Annual Data', row {row}, column '{column}': is blank where a count must be"
            in message)


def test_a_blank_count_in_the_monthly_sheet_is_an_error(folder):
    import datetime as dt

    row, column = damage_workbook(folder, "Monthly Data", "Two Month Wait from GP", dt.datetime(2016, 7, 1), 1, None)
    assert f"sheet 'Monthly Data', row {row}, column '{column}': is blank where a count must be" in chapter_error(folder)


def test_a_suppressed_national_count_says_it_is_suppressed(folder):
    row, column = damage_workbook(folder, "Quarterly Data", "Two Month (62 days) Wait from GP", "16/17 Q2", 2, "*")
    assert (f"sheet 'Quarterly Data', row {row}, column '{column}': value '*' marks a suppressed count"
            in chapter_error(folder))


def test_an_annual_count_that_is_not_its_quarters_is_an_error(folder):
    row, column = damage_workbook(folder, "Annual Data", "Two Month Wait from GP", "2016/17", 2, 129_797.5,
                                  extra={3: 16_283.0})
    assert (f"sheet 'Annual Data', row {row}, column '{column}': 62-day (GP urgent referral) 2016-17: 129,797.5 "
            "(Within Standard) but its four quarters in sheet 'Quarterly Data' add up to 119,797.5"
            in chapter_error(folder))


def test_two_national_workbooks_are_an_error(folder):
    shutil.copy((folder / "cwt" / WORKBOOK).resolve(), folder / "cwt" / "cwt_national_copy.xlsx")
    assert "is a second national time series workbook" in chapter_error(folder)
