"""Bad input in the data files: real files damaged in the test, refused with one clear sentence.

Each case is listed in tests/BAD_INPUT.md. The real files are copied to tmp_path and
damaged there; /work/shared/data is never modified.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.ae import metrics, readers
from analysis.errors import DataError
from analysis.periods import FinancialYear
from analysis.schema import read_text_csv

AE_FILE = "ae_attendances_2016-04_2019-03.csv"


@pytest.fixture
def ae_copy(real_data, tmp_path):
    """A copy of the real A&E file (long layout), and its lines, to damage."""
    path = tmp_path / AE_FILE
    shutil.copy(real_data / AE_FILE, path)
    return path, path.read_bytes().splitlines(keepends=True)


def test_real_ae_file_reads_whole_with_its_few_real_gaps_reported(ae_copy):
    path, _ = ae_copy
    table = readers.read_files([path], [])
    found = readers.gaps(table)
    # Real gaps are small: RFR in November 2016, NJS05 and RWH in September 2017, ...
    assert ("RFR" in set(found.loc[found["month"] == pd.Period("2016-11", "M"), "org_code"]))
    assert found.groupby("month")["share"].sum().max() < readers.PERIODS.max_missing_share
    sentence = metrics.gap_sentence(table, FinancialYear(2016))
    assert "RFR in November 2016" in sentence


@pytest.mark.parametrize("encoding, message", [
    ("utf-16", "is UTF-16 text, not UTF-8"),
    ("utf-16-le", "looks like UTF-16 text"),
    ("utf-32", "is UTF-32 text"),
])
def test_a_csv_in_another_encoding_is_named_as_such(ae_copy, encoding, message):
    path, lines = ae_copy
    path.write_bytes(b"".join(lines).decode().encode(encoding))
    with pytest.raises(DataError, match=message) as caught:
        readers.read_long(path)
    assert "lacks column" not in str(caught.value)


def test_a_binary_file_or_a_workbook_named_csv_is_refused(ae_copy, real_data):
    path, lines = ae_copy
    path.write_bytes(b"".join(lines)[:500] + bytes(range(256)))
    with pytest.raises(DataError, match="holds binary data"):
        readers.read_long(path)
    shutil.copy(real_data / "cwt" / "cwt_national_time_series_2009-10_2023-09.xlsx", path)
    with pytest.raises(DataError, match="is an Excel workbook .*, not a CSV"):
        readers.read_long(path)


def test_cr_only_line_ends_read_the_same_as_lf(ae_copy):
    path, lines = ae_copy
    path.write_bytes(b"".join(line.rstrip(b"\r\n") + b"\r" for line in lines))
    assert len(readers.read_long(path)) == len(lines) - 1


def test_missing_column_quotes_the_header_found(ae_copy):
    path, lines = ae_copy
    path.write_bytes(b"".join(lines).replace(b",", b";"))
    with pytest.raises(DataError, match=r"lacks column 'period' \(its header row reads: "
                                        r"period;org_code;type"):
        readers.read_long(path)


@pytest.mark.parametrize("cell, message", [
    ("*", "value '\\*' is suppressed"),
    ("", "the cell is blank, but this column needs a count on every row"),
    ("inf", "value 'inf' is not a number"),
    ("1e308", r"value 1e\+308 is larger than any plausible value \(1,000,000\) for this dataset"),
])
def test_a_damaged_count_names_file_row_and_column(ae_copy, cell, message):
    path, lines = ae_copy
    fields = lines[5].decode().rstrip("\n").split(",")
    fields[3] = cell  # attendances
    lines[5] = (",".join(fields) + "\n").encode()
    path.write_bytes(b"".join(lines))
    with pytest.raises(DataError, match=rf"{AE_FILE}, row 6, column 'attendances': {message}"):
        readers.read_long(path)


def test_a_file_cut_inside_its_last_line_is_refused(ae_copy):
    path, lines = ae_copy
    path.write_bytes(b"".join(lines)[:-7])  # the last count loses its last digits
    with pytest.raises(DataError, match=rf"row {len(lines)}: its last line has no line end, so the file "
                                        "looks cut short"):
        readers.read_long(path)


def test_a_file_cut_at_a_row_boundary_never_gives_a_wrong_figure(ae_copy):
    """Cut the real file at 60 row boundaries: each copy is refused, or every year it
    still covers gives exactly the figures of the whole file (a cut at a month's end)."""
    path, lines = ae_copy
    whole = readers.read_long(path)
    truth = {year: metrics.england(whole, year) for year in metrics.coverage(whole)}
    refused = 0
    for cut in range(200, len(lines), len(lines) // 60):
        path.write_bytes(b"".join(lines[:cut]))
        try:
            table = readers.read_files([path], [])
        except DataError as exc:
            assert "cut short" in str(exc)
            refused += 1
            continue
        for year in metrics.coverage(table):
            assert metrics.england(table, year) == pytest.approx(truth[year]), (cut, year)
    assert refused >= 50


def test_a_month_with_far_fewer_organisations_is_refused(ae_copy):
    path, lines = ae_copy
    # Drop a third of September 2016's rows from the middle of the file.
    september = [i for i, line in enumerate(lines) if line.startswith(b"2016-09-01")]
    dropped = set(september[: len(september) // 3])
    path.write_bytes(b"".join(line for i, line in enumerate(lines) if i not in dropped))
    with pytest.raises(DataError, match=r"September 2016 has \d+ organisations against about 23\d in the "
                                        "months around it; the file looks cut short"):
        readers.read_files([path], [])


def test_a_month_missing_large_organisations_is_refused(ae_copy):
    path, lines = ae_copy
    whole = readers.read_long(path)
    october = whole[whole["month"] == pd.Period("2016-10", "M")]
    largest = october.groupby("org_code")["attendances"].sum().nlargest(3).index
    marks = tuple(f"2016-10-01,{org},".encode() for org in largest)
    path.write_bytes(b"".join(line for line in lines if not line.startswith(marks)))
    with pytest.raises(DataError, match=r"October 2016 lacks 3 of the organisations present in the months around "
                                        r"it .*% of the month's attendances; the file looks cut short"):
        readers.read_files([path], [])


def test_read_text_csv_refuses_a_missing_file(tmp_path):
    with pytest.raises(DataError, match="does not exist or is not a file"):
        read_text_csv(tmp_path / "nothing.csv")


@pytest.fixture
def monthly_copies(tmp_path):
    """Copies of the bundled (synthetic) monthly provider CSVs for 2016-17, to damage."""
    from analysis.sources import BUNDLED_DIR

    folder = tmp_path / "ae"
    folder.mkdir()
    for path in sorted((BUNDLED_DIR / "ae").glob("Monthly-AE-*-201[67]-SYNTHETIC-SAMPLE.csv")):
        shutil.copy(path, folder / path.name)
    return folder


def test_a_suppressed_cell_in_a_monthly_provider_csv_is_named_as_suppressed(monthly_copies):
    path = monthly_copies / "Monthly-AE-June-2016-SYNTHETIC-SAMPLE.csv"
    lines = path.read_text().splitlines(keepends=True)
    fields = lines[3].split(",")
    fields[7] = "*"  # Attendances over 4hrs Type 1
    lines[3] = ",".join(fields)
    path.write_text("".join(lines))
    with pytest.raises(DataError, match=r"Monthly-AE-June-2016-SYNTHETIC-SAMPLE.csv, row 4, column 'Attendances over 4hrs Type 1': "
                                        r"value '\*' is suppressed"):
        readers.read_monthly(path)


def test_a_monthly_file_cut_short_at_a_row_boundary_is_refused(monthly_copies):
    path = monthly_copies / "Monthly-AE-October-2016-SYNTHETIC-SAMPLE.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))
    with pytest.raises(DataError, match=r"Monthly-AE-October-2016-SYNTHETIC-SAMPLE.csv: October 2016, type 1 has no "
                                        r"England row; the file may be cut short"):
        readers.read_files([], sorted(monthly_copies.glob("Monthly-AE-*.csv")))
