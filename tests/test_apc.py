"""Record-level admitted patient care: the reader's checks, the measures, the synthetic extract."""

import duckdb
import pandas as pd
import pytest

from analysis.apc import REQUIRED, aggregate, read_apc
from analysis.apc.measures import CCG_REASONS, REASONS, financial_years
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
    [12, "2016-01-05", "21", 1, 70, 1, "", 1],  # counted by month and age, left out of CCG figures only
    [13, "2016-01-05", "21", 1, 70, 1, "ZZZ", 1],  # likewise
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
    assert out["exclusions"].set_index("reason")["episodes"].to_dict() == {r: 1 for r in REASONS + CCG_REASONS}
    # by month and age band: every CCG, the blank and unknown ones too (rows 12 and 13: 65-74, 1 day each)
    by_month = out["by_month"].assign(month=lambda t: t["month"].astype(str))
    assert by_month.to_dict("records") == [
        {"month": "2016-01", "age_band": "0-64", "admissions": 1, "bed_days": 0},
        {"month": "2016-01", "age_band": "65-74", "admissions": 3, "bed_days": 6},
        {"month": "2016-02", "age_band": "85+", "admissions": 1, "bed_days": 10}]


def test_a_missing_length_of_stay_is_excluded_and_its_group_kept(tmp_path):
    rows = GOOD + [[20, "2016-01-09", "21", 1, 71, None, "F001", 1]]  # same group as row 1, no stay
    out = aggregate(read_apc(write_csv(tmp_path / "apc.csv", rows)), "2015-04", "2016-03", ["F001", "F002"])
    assert out["exclusions"].set_index("reason")["episodes"]["length of stay out of range"] == 1
    row = out["admissions"].query("age_band == '65-74'").iloc[0]
    assert (row["admissions"], row["bed_days"]) == (1, 4)


def test_period_defaults_to_the_records_financial_years(tmp_path):
    header = HEADER + ["FYEAR"]
    rows = [row + ["1516"] for row in GOOD] + [[30, "2015-03-30", "21", 1, 70, 2, "F001", 1, "1516"]]
    out = aggregate(read_apc(write_csv(tmp_path / "apc.csv", rows, header)), None, None, ["F001", "F002"])
    assert out["years"] == ["2015-16"] and (str(out["first"]), str(out["last"])) == ("2015-04-01", "2016-03-31")
    assert out["exclusions"].set_index("reason")["episodes"]["admission date outside the period"] == 1
    assert financial_years([102, "0102", "9900", 1617]) == ["1999-00", "2001-02", "2016-17"]
    with pytest.raises(DataError, match="FYEAR: '1517' is not a HES financial year"):
        financial_years(["1517"])


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


def artificial_by_hand(path) -> dict:
    """The artificial sample's figures computed directly with pandas, independently of the engine."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    first = rows[rows["EPIORDER"] == "1"]
    emergency = first[first["ADMIMETH"].isin(["21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D"])].copy()
    emergency["month"] = pd.to_datetime(emergency["ADMIDATE"]).dt.to_period("M")
    inside = emergency[emergency["month"].between(pd.Period("2001-04", "M"), pd.Period("2002-03", "M"))]
    age = inside["STARTAGE"].astype(int).where(~inside["STARTAGE"].astype(int).between(7001, 7007), 0)
    bands = pd.cut(age, [-1, 64, 74, 84, 120], labels=["0-64", "65-74", "75-84", "85+"]).astype(str)
    stay = inside["SPELDUR"].astype(int)
    assert age.between(0, 120).all() and stay.between(0, 3650).all()  # no other reason applies in this file
    by_month = (inside.assign(age_band=bands, bed_days=stay).groupby(["month", "age_band"])
                .agg(admissions=("EPIKEY", "size"), bed_days=("bed_days", "sum")).reset_index())
    known = ["11", "12", "13", "31", "32", "81", "82", "83", "98", "99", "21", "22", "23", "24", "25", "28", "2A",
             "2B", "2C", "2D"]
    return {"emergency": len(emergency), "outside": len(emergency) - len(inside), "by_month": by_month,
            "blank_ccg": int((inside["CCG_RESPONSIBILITY"].str.strip() == "").sum()),
            "unknown_method": int((~first["ADMIMETH"].isin(known)).sum()),
            "unknown_order": int((~rows["EPIORDER"].astype(int).between(1, 99)).sum())}


def test_artificial_hes_sample(real_data):
    """NHS Digital's artificial HES APC sample (2001/02): over its own financial year it gives
    emergency admissions and bed days by month and age band; its responsible CCG is blank in
    every row, so no admission is placed in a CCG (or a cohort), and each is counted under that reason."""
    path = real_data / "hes_artificial" / "artificial_hes_apc_0102.csv"
    expected = artificial_by_hand(path)
    out = aggregate(read_apc(path), None, None, ["00C"])
    assert out["years"] == ["2001-02"]
    excluded = out["exclusions"].set_index("reason")["episodes"]
    assert out["admissions"].empty
    pd.testing.assert_frame_equal(out["by_month"], expected["by_month"], check_dtype=False)
    assert expected["emergency"] == 739 and expected["outside"] == 24 and expected["blank_ccg"] == 715
    assert excluded.to_dict() == {
        "admission date missing": 0, "admission date outside the period": expected["outside"],
        "unknown admission method": expected["unknown_method"], "unknown episode order": expected["unknown_order"],
        "age out of range": 0, "length of stay out of range": 0,
        "responsible CCG blank": expected["blank_ccg"], "unknown CCG": 0}
    assert out["by_month"]["admissions"].sum() == 715 and out["by_month"]["bed_days"].sum() == expected[
        "by_month"]["bed_days"].sum() > 0
