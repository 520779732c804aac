"""Record-level admitted patient care: the reader's checks, the measures, the synthetic extract."""

import duckdb
import pandas as pd
import pytest

from analysis.apc import REQUIRED, aggregate, read_apc
from analysis.apc.measures import REASONS
from analysis.apc.synthetic import README, write_extract
from analysis.errors import DataError

HEADER = ["EPIKEY", "ADMIDATE", "ADMIMETH", "EPIORDER", "STARTAGE", "SPELDUR", "CCG_RESPONSIBILITY", "SEX"]
GOOD = [  # emergency first episodes by CCG, month, age: counted
    [1, "2016-01-03", "21", 1, 70, 4, "F001", 1],
    [2, "2016-01-20", "2A", 1, 7003, 0, "f001 ", 2],  # infant (HES 7001-7007 = under one), code case and space
    [3, "2016-02-01", "28", 1, 90, 10, "F002", 1],
    [4, "2016-01-05", "21", 2, 70, 9, "F001", 1],  # a later episode of a spell: not an admission
    [5, "2016-01-05", "11", 1, 70, 9, "F001", 1],  # elective: not counted, not excluded
]
BAD = [  # one per reason, in the order of REASONS
    [6, "", "21", 1, 70, 1, "F001", 1],
    [7, "2015-03-31", "21", 1, 70, 1, "F001", 1],
    [8, "2016-01-05", "X9", 1, 70, 1, "F001", 1],
    [9, "2016-01-05", "21", 0, 70, 1, "F001", 1],
    [10, "2016-01-05", "21", 1, 999, 1, "F001", 1],
    [11, "2016-01-05", "21", 1, 70, -2, "F001", 1],
    [12, "2016-01-05", "21", 1, 70, 1, "ZZZ", 1],
]


def write_csv(path, rows, header=HEADER):
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    return path


def test_counts_first_emergency_episodes_by_ccg_month_and_age(tmp_path):
    out = aggregate(read_apc(write_csv(tmp_path / "apc.csv", GOOD + BAD)), "2015-04", "2016-03", ["F001", "F002"])
    table = out["admissions"].assign(month=lambda t: t["month"].astype(str))
    assert table.to_dict("records") == [
        {"ccg_code": "F001", "month": "2016-01", "age_band": "0-64", "admissions": 1, "bed_days": 0},
        {"ccg_code": "F001", "month": "2016-01", "age_band": "65-74", "admissions": 1, "bed_days": 4},
        {"ccg_code": "F002", "month": "2016-02", "age_band": "85+", "admissions": 1, "bed_days": 10}]
    assert out["exclusions"].set_index("reason")["episodes"].to_dict() == {reason: 1 for reason in REASONS}


@pytest.mark.parametrize("column", REQUIRED)
def test_missing_required_column_is_named(tmp_path, column):
    header = [c for c in HEADER if c != column]
    rows = [[v for c, v in zip(HEADER, row) if c != column] for row in GOOD]
    with pytest.raises(DataError, match=f"apc.csv, row 1, column '{column}': lacks required column"):
        read_apc(write_csv(tmp_path / "apc.csv", rows, header))


def test_unreadable_partition_is_named(tmp_path):
    folder = write_extract(tmp_path / "extract", 2_000)
    broken = sorted(folder.glob("FYEAR=1516/*.parquet"))[0]
    broken.write_bytes(broken.read_bytes()[:200])
    with pytest.raises(DataError, match=r"FYEAR=1516/hes_apc_synthetic_0\.parquet: unreadable Parquet partition"):
        read_apc(folder)


def test_partition_lacking_a_column_is_named(tmp_path):
    folder = write_extract(tmp_path / "extract", 2_000)
    part = sorted(folder.glob("FYEAR=1617/*.parquet"))[0]
    duckdb.sql(f"COPY (SELECT * EXCLUDE (SPELDUR) FROM '{part}') TO '{part}.tmp' (FORMAT parquet)")
    (part.parent / (part.name + ".tmp")).replace(part)
    with pytest.raises(DataError, match=r"FYEAR=1617/.*column 'SPELDUR'"):
        read_apc(folder)


def test_folder_without_records_and_missing_path(tmp_path):
    with pytest.raises(DataError, match="holds no .csv or .parquet files"):
        read_apc(tmp_path)
    with pytest.raises(DataError, match="no such file or folder"):
        read_apc(tmp_path / "nowhere")


def test_synthetic_extract_is_deterministic_labelled_and_partitioned_by_year(tmp_path):
    first, second = write_extract(tmp_path / "a", 30_000), write_extract(tmp_path / "b", 30_000)
    assert sorted(p.name for p in first.iterdir()) == ["FYEAR=1415", "FYEAR=1516", "FYEAR=1617", README]
    assert "SYNTHETIC" in (first / README).read_text()
    one, two = (aggregate(read_apc(f), "2014-04", "2017-03", [f"F{i:03d}" for i in range(1, 300)]) for f in
                (first, second))
    pd.testing.assert_frame_equal(one["admissions"], two["admissions"])
    rows = duckdb.sql(f"SELECT count(*), min(PSEUDO_HESID), count(DISTINCT CCG_RESPONSIBILITY) "
                      f"FROM read_parquet('{first}/**/*.parquet')").fetchall()[0]
    assert rows[0] == 30_000 and rows[1].startswith("SYNTHETIC") and rows[2] > 50
    assert one["exclusions"]["episodes"].sum() == 0
    # about 0.88 x 0.38 of episodes are first emergency episodes
    assert 0.30 < one["admissions"]["admissions"].sum() / 30_000 < 0.37


def test_artificial_hes_sample(real_data):
    """NHS Digital's artificial HES APC sample (2001/02): read in its real layout; its
    responsible CCG is blank in every row, so every emergency first episode is a counted exclusion."""
    path = real_data / "hes_artificial" / "artificial_hes_apc_0102.csv"
    out = aggregate(read_apc(path), "2001-04", "2002-03", ["00C"])
    excluded = out["exclusions"].set_index("reason")["episodes"]
    emergency_firsts = duckdb.sql(f"SELECT count(*) FROM read_csv('{path}', all_varchar=true) WHERE EPIORDER = '1' "
                                  f"AND ADMIMETH IN ('21','22','23','24','25','28','2A','2B','2C','2D')").fetchall()[0][0]
    assert out["admissions"].empty and excluded.sum() == emergency_firsts == 739
    assert excluded["admission date outside the period"] == 24
    assert excluded["unknown CCG"] == 715
