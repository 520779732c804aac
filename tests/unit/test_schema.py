import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.schema import Column, RowCheck, Schema, parse_numbers

SCHEMA = Schema(
    name="example",
    columns={"org": Column("text", allowed=frozenset({"A", "B"})),
             "month": Column("month"),
             "total": Column("number", non_negative=True),
             "within": Column("number", non_negative=True, nullable=True)},
    row_checks=(RowCheck("within", "exceeds the total", lambda d: d["within"] > d["total"]),),
)


def table(**changes):
    df = pd.DataFrame({"org": ["A", "B"], "month": pd.PeriodIndex(["2016-04", "2016-05"], freq="M"),
                       "total": [10.0, 20.5], "within": [8.0, 20.5],
                       "source_file": ["f.csv", "f.csv"], "source_row": [12, 13]})
    for key, value in changes.items():
        df[key] = value
    return df


def test_valid_table_passes():
    assert SCHEMA.validate(table()) is not None


@pytest.mark.parametrize("changes, message", [
    ({"total": [10.0, -1.0]}, "f.csv, row 13, column 'total': value -1.0 is negative"),
    ({"within": [11.0, 20.5]}, "f.csv, row 12, column 'within': value 11.0 exceeds the total"),
    ({"org": ["A", "Z"]}, "f.csv, row 13, column 'org': value 'Z' is not one of: A, B"),
])
def test_bad_rows_name_file_row_and_column(changes, message):
    with pytest.raises(DataError) as info:
        SCHEMA.validate(table(**changes))
    assert str(info.value).startswith(message)


def test_missing_column_is_named():
    with pytest.raises(DataError, match="lacks column"):
        SCHEMA.validate(table().drop(columns=["within"]))


def test_parse_numbers_handles_suppression_separators_and_rejects_text():
    rows = pd.Series([5, 6, 7, 8])
    values, suppressed = parse_numbers(pd.Series(["1,234.5", "*", "", "7"]), "TOTAL", "f.csv", rows)
    assert values.iloc[0] == 1234.5 and pd.isna(values.iloc[1]) and pd.isna(values.iloc[2])
    assert suppressed.tolist() == [False, True, False, False]
    with pytest.raises(DataError, match=r"f.csv, row 6, column 'TOTAL': value 'n/a' is not a number"):
        parse_numbers(pd.Series(["1", "n/a"]), "TOTAL", "f.csv", rows)


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "nan", "NaN"])
def test_parse_numbers_rejects_values_that_are_not_finite(cell):
    with pytest.raises(DataError, match=rf"f.csv, row 6, column 'TOTAL': value '{cell}' is not a number"):
        parse_numbers(pd.Series(["1", cell]), "TOTAL", "f.csv", pd.Series([5, 6]))


def test_schema_rejects_infinite_and_implausibly_large_counts():
    with pytest.raises(DataError, match=r"row 13, column 'total': value inf is not a finite number"):
        SCHEMA.validate(table(total=[10.0, float("inf")]))
    capped = Schema(name="capped", columns={"total": Column("number", maximum=1e6)})
    with pytest.raises(DataError, match=r"row 13, column 'total': value 1e\+308 is larger than any plausible "
                                        r"value \(1,000,000\)"):
        capped.validate(table(total=[10.0, 1e308]))


def test_a_missing_required_value_is_called_blank_or_suppressed_not_nan():
    with pytest.raises(DataError, match=r"f.csv, row 13, column 'total': the cell is blank or suppressed, "
                                        r"where a value is required") as caught:
        SCHEMA.validate(table(total=[10.0, float("nan")]))
    assert "nan" not in str(caught.value)


@pytest.mark.parametrize("cell, message", [
    ("*", r"f.csv, row 7, column 'TOTAL': value '\*' is suppressed \(a publisher's marker for a withheld count\)"),
    ("..", r"value '\.\.' is suppressed"),
    ("", "the cell is blank, but this column needs a count on every row"),
    ("  ", "the cell is blank, but this column needs a count on every row"),
])
def test_required_counts_name_a_suppressed_or_blank_cell(cell, message):
    cells = pd.Series(["1", cell, "3"])
    with pytest.raises(DataError, match=message):
        parse_numbers(cells, "TOTAL", "f.csv", pd.Series([6, 7, 8]), required=True)
    values, suppressed = parse_numbers(cells, "TOTAL", "f.csv", pd.Series([6, 7, 8]))
    assert values.isna().tolist() == [False, True, False]
    assert suppressed.tolist() == [False, cell in ("*", ".."), False]


# Cells built from the characters numbers are written with, and a few that make them not numbers.
PIECES = ["0", "1", "7", "12", "-", "+", ".", ",", "e", "E", " ", "*", "..", "x", "_", "inf", "nan", "0x"]


def read_by_hand(cell: str):
    """A cell as parse_numbers must read it: (value, suppressed), or None where it must refuse it;
    the number is pandas' reading of the trimmed cell without thousands separators."""
    text = cell.strip().replace(",", "")
    if text in ("*", "-", ".."):
        return float("nan"), True
    if text == "":
        return float("nan"), False
    value = pd.to_numeric(pd.Series([text], dtype=object), errors="coerce").astype(float).iloc[0]
    return (float(value), False) if np.isfinite(value) else None


def test_parse_numbers_reads_every_cell_as_pandas_reads_it_alone():
    """Random columns of number-like cells: each value, each suppressed flag and each refusal (at
    the first cell refused) is what reading that cell alone gives; "-0" is 0."""
    rng = np.random.default_rng(7)
    kinds = {"read": 0, "refused": 0}
    for _ in range(400):
        cells = ["".join(rng.choice(PIECES, size=rng.integers(0, 4))) for _ in range(rng.integers(1, 6))]
        expected = [read_by_hand(c) for c in cells]
        rows = pd.Series(range(10, 10 + len(cells)))
        if None in expected:
            kinds["refused"] += 1
            with pytest.raises(DataError, match=rf"row {10 + expected.index(None)}, column 'C': value .* is not a number"):
                parse_numbers(pd.Series(cells, dtype="string"), "C", "f.csv", rows)
            continue
        kinds["read"] += 1
        values, suppressed = parse_numbers(pd.Series(cells, dtype="string"), "C", "f.csv", rows)
        assert suppressed.tolist() == [s for _, s in expected], cells
        for value, (want, _) in zip(values, expected):
            assert (np.isnan(value) and np.isnan(want)) or (value == want and str(value) == str(want)), (cells, value, want)
    assert min(kinds.values()) > 50, kinds
