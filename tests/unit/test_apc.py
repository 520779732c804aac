"""Record-level admitted patient care: the reader's checks, the measures, the synthetic extract."""

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.apc import REQUIRED, aggregate, read_apc
from analysis.apc.measures import CCG_REASONS, EMERGENCY_METHODS, REASONS, financial_years
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
FILLER = [[100 + i, "2016-03-10", "22", 1, 40, 2, "F002", 2] for i in range(200)]
"""Emergency first episodes, so that one bad value of each kind is within the share a run accepts."""


def write_csv(path, rows, header=HEADER):
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    return path


def test_counts_first_emergency_episodes_by_ccg_month_and_age(tmp_path):
    out = aggregate(read_apc(write_csv(tmp_path / "apc.csv", GOOD + BAD + FILLER)), "2015-04", "2016-03",
                    ["F001", "F002"])
    table = out["admissions"].assign(month=lambda t: t["month"].astype(str))
    assert table.to_dict("records") == [
        {"ccg_code": "F001", "month": "2016-01", "age_band": "0-64", "admissions": 1, "bed_days": 0},
        {"ccg_code": "F001", "month": "2016-01", "age_band": "65-74", "admissions": 1, "bed_days": 4},
        {"ccg_code": "F002", "month": "2016-02", "age_band": "85+", "admissions": 1, "bed_days": 10},
        {"ccg_code": "F002", "month": "2016-03", "age_band": "0-64", "admissions": 200, "bed_days": 400}]
    assert out["exclusions"].set_index("reason")["episodes"].to_dict() == {r: 1 for r in REASONS + CCG_REASONS}
    # by month and age band: every CCG, the blank and unknown ones too (rows 12 and 13: 65-74, 1 day each)
    by_month = out["by_month"].assign(month=lambda t: t["month"].astype(str))
    assert by_month.to_dict("records") == [
        {"month": "2016-01", "age_band": "0-64", "admissions": 1, "bed_days": 0},
        {"month": "2016-01", "age_band": "65-74", "admissions": 3, "bed_days": 6},
        {"month": "2016-02", "age_band": "85+", "admissions": 1, "bed_days": 10},
        {"month": "2016-03", "age_band": "0-64", "admissions": 200, "bed_days": 400}]


def test_a_missing_length_of_stay_is_excluded_and_its_group_kept(tmp_path):
    rows = GOOD + FILLER + [[20, "2016-01-09", "21", 1, 71, None, "F001", 1]]  # same group as row 1, no stay
    out = aggregate(read_apc(write_csv(tmp_path / "apc.csv", rows)), "2015-04", "2016-03", ["F001", "F002"])
    assert out["exclusions"].set_index("reason")["episodes"]["length of stay missing or out of range"] == 1
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
        "admission date missing or unreadable": 0, "admission date outside the period": expected["outside"],
        "unknown admission method": expected["unknown_method"], "unknown episode order": expected["unknown_order"],
        "age missing or out of range": 0, "length of stay missing or out of range": 0,
        "responsible CCG blank": expected["blank_ccg"], "unknown CCG": 0}
    assert out["by_month"]["admissions"].sum() == 715 and out["by_month"]["bed_days"].sum() == expected[
        "by_month"]["bed_days"].sum() > 0


# Record-level extracts: damage a synthetic extract of a few thousand episodes, as the catalogue
# (tests/BAD_INPUT.md, "Record-level extracts") lists.

CCGS = [f"F{i:03d}" for i in range(1, 300)]
PARTS = ("admissions", "by_month", "exclusions")


@pytest.fixture(scope="module")
def episodes(tmp_path_factory) -> pd.DataFrame:
    """A synthetic extract of 3,000 episodes (April 2014 to March 2017) as the text cells of a CSV export."""
    folder = write_extract(tmp_path_factory.mktemp("synthetic") / "extract", 3_000)
    frame = duckdb.sql(f"SELECT * FROM read_parquet('{folder}/**/*.parquet') ORDER BY EPIKEY").df()
    frame["FYEAR"] = frame["FYEAR"].astype(str).str.zfill(4)
    for column in ("ADMIDATE", "EPISTART", "DISDATE"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    return frame.astype(str)


@pytest.fixture(scope="module")
def clean(episodes, tmp_path_factory) -> dict:
    """The figures from the undamaged extract, written as CSV."""
    path = tmp_path_factory.mktemp("clean") / "hes_apc_1417.csv"
    episodes.to_csv(path, index=False)
    return aggregate(read_apc(path), None, None, CCGS)


def assert_same_figures(out, expected):
    for part in PARTS:
        pd.testing.assert_frame_equal(out[part], expected[part])


def dates(frame, form):
    return pd.to_datetime(frame["ADMIDATE"]).map(form)


def as_floats(frame, columns):
    return frame.assign(**{c: frame[c].where(~frame[c].str.fullmatch(r"\d+"), frame[c] + ".0") for c in columns})


RECOGNISED = {
    "dates day first": lambda f: f.assign(ADMIDATE=dates(f, lambda d: d.strftime("%d/%m/%Y"))),
    "dates day first without zeros": lambda f: f.assign(ADMIDATE=dates(f, lambda d: f"{d.day}/{d.month}/{d.year}")),
    "dates as YYYYMMDD": lambda f: f.assign(ADMIDATE=dates(f, lambda d: d.strftime("%Y%m%d"))),
    "dates with a time": lambda f: f.assign(ADMIDATE=dates(f, lambda d: d.strftime("%Y-%m-%d 00:00:00"))),
    "methods as floats": lambda f: as_floats(f, ["ADMIMETH"]),
    "whole numbers as floats": lambda f: as_floats(f, ["EPIORDER", "STARTAGE", "SPELDUR"]),
}


@pytest.mark.parametrize("case", RECOGNISED)
def test_formats_publishers_use_give_the_figures_of_the_iso_file(tmp_path, episodes, clean, case):
    """Dates written day first (31/03/2017), as YYYYMMDD or with a time, and codes and numbers
    written as floats (21.0), are read as the ISO file is: the same figures, nothing excluded."""
    path = tmp_path / "hes_apc_1417.csv"
    RECOGNISED[case](episodes).to_csv(path, index=False)
    assert_same_figures(aggregate(read_apc(path), None, None, CCGS), clean)


def test_the_text_and_typed_layouts_give_the_same_figures(tmp_path, episodes, clean):
    """The CSV (every value text) and the Parquet extract (typed columns) it was written from agree."""
    folder = write_extract(tmp_path / "extract", 3_000)
    assert_same_figures(aggregate(read_apc(folder), None, None, CCGS), clean)


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_column(tmp_path, episodes, clean):
    path = tmp_path / "hes_apc_1417.csv"
    episodes.to_csv(path, index=False, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfEPIKEY")
    assert_same_figures(aggregate(read_apc(path), None, None, CCGS), clean)


def every(frame, step, column, value):
    """`frame` with `column` set to `value` on every `step`-th episode."""
    frame = frame.copy()
    frame.loc[frame.index[::step], column] = value
    return frame


REFUSED = {  # damage, the column named, the reason
    "dates with dots": (lambda f: f.assign(ADMIDATE=dates(f, lambda d: d.strftime("%d.%m.%Y"))), "ADMIDATE",
                        "admission date missing or unreadable"),
    "dates month first": (lambda f: f.assign(ADMIDATE=dates(f, lambda d: d.strftime("%m/%d/%Y"))), "ADMIDATE",
                          "admission date missing or unreadable"),
    "methods as words": (lambda f: every(f, 10, "ADMIMETH", "Emergency"), "ADMIMETH", "unknown admission method"),
    "episode orders of 0": (lambda f: every(f, 20, "EPIORDER", "0"), "EPIORDER", "unknown episode order"),
    "ages out of range": (lambda f: every(f, 20, "STARTAGE", "150"), "STARTAGE", "age missing or out of range"),
    "lengths of stay as words": (lambda f: every(f, 20, "SPELDUR", "unknown"), "SPELDUR",
                                 "length of stay missing or out of range"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_values_left_out_beyond_the_share_stop_the_run_naming_file_line_column_and_value(tmp_path, episodes, case):
    """More than 1% of the episodes a rule looks at left out for values that cannot be read or
    are out of range: the run stops, naming the file, the line holding the example, the column
    and the value (not "0 emergency admissions counted")."""
    damage, column, reason = REFUSED[case]
    path = tmp_path / "hes_apc_1417.csv"
    damage(episodes).to_csv(path, index=False)
    with pytest.raises(DataError) as refused:
        aggregate(read_apc(path), None, None, CCGS)
    message = str(refused.value)
    found = re.match(rf"{re.escape(str(path))}, row (\d+), column '{column}': value '([^']*)' cannot be read or is out "
                     rf"of range; \"{reason}\" leaves out [\d,]+ of the [\d,]+ [a-z ]+ \(\d+\.\d%\), more than the 1% "
                     "a run accepts", message)
    assert found, message
    with open(path, newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[int(found.group(1)) - 1][lines[0].index(column)] == found.group(2)


def test_values_left_out_within_the_share_are_counted(tmp_path, episodes, clean):
    damaged = every(episodes, 300, "STARTAGE", "150")
    path = tmp_path / "hes_apc_1417.csv"
    damaged.to_csv(path, index=False)
    out = aggregate(read_apc(path), None, None, CCGS)
    hit = damaged.loc[damaged.index[::300]]
    expected = int(((hit["EPIORDER"] == "1") & hit["ADMIMETH"].str.startswith("2")).sum())
    assert expected > 0
    assert out["exclusions"].set_index("reason")["episodes"]["age missing or out of range"] == expected
    assert out["by_month"]["admissions"].sum() == clean["by_month"]["admissions"].sum() - expected


def parquet_partition_copied(folder, frame):
    """The synthetic Parquet extract, and a copy of its 2015/16 partition in another folder."""
    extract = write_extract(folder / "extract", 3_000)
    shutil.copytree(extract / "FYEAR=1516", folder / "old" / "FYEAR=1516")


def partition_copied_by_a_file_manager(folder, frame):
    extract = write_extract(folder / "extract", 3_000)
    shutil.copytree(extract / "FYEAR=1516", extract / "FYEAR=1516 - Copy")


TWICE = {  # how the same episodes come to be read twice
    "every episode twice in one file": lambda folder, f: pd.concat([f, f]).to_csv(folder / "hes_apc.csv", index=False),
    "one counted episode twice among thousands": lambda folder, f: pd.concat([f, counted(f).iloc[[200]]]).to_csv(
        folder / "hes_apc.csv", index=False),
    "a backup copy under the data folder": lambda folder, f: [
        f.to_csv(folder / "hes_apc_1417.csv", index=False), (folder / "backup").mkdir(),
        f.to_csv(folder / "backup" / "hes_apc_1417_copy.csv", index=False)],
    "an old copy of a partition": parquet_partition_copied,
    "a partition copied by a file manager": partition_copied_by_a_file_manager,
}


def counted(frame: pd.DataFrame) -> pd.DataFrame:
    """The emergency first episodes of an extract as text: those the figures count."""
    method = frame["ADMIMETH"].astype(str).str.removesuffix(".0")
    return frame[(pd.to_numeric(frame["EPIORDER"]) == 1) & method.isin(EMERGENCY_METHODS)]


def test_an_episode_no_figure_counts_read_twice_changes_nothing(tmp_path, episodes):
    """Keys are compared among the episodes the figures count; an elective or later episode read
    twice (in one file with its year) changes no figure, so it is let through."""
    once, twice = tmp_path / "once", tmp_path / "twice"
    once.mkdir(), twice.mkdir()
    episodes.to_csv(once / "hes_apc.csv", index=False)
    others = episodes.drop(counted(episodes).index)
    pd.concat([episodes, others.iloc[[5]]]).to_csv(twice / "hes_apc.csv", index=False)
    expected, found = (aggregate(read_apc(folder), None, None, CCGS) for folder in (once, twice))
    for part in ("admissions", "by_month"):
        pd.testing.assert_frame_equal(found[part], expected[part])
    assert found["admissions"]["admissions"].sum() > 0


@pytest.mark.parametrize("case", TWICE)
def test_an_episode_read_twice_stops_the_run_naming_both_places_and_a_key(tmp_path, episodes, case):
    folder = tmp_path / "data"
    folder.mkdir()
    TWICE[case](folder, episodes)
    with pytest.raises(DataError) as refused:
        aggregate(read_apc(folder), None, None, CCGS)
    message = str(refused.value)
    one_file = re.match(r"(.+), row (\d+), column 'EPIKEY': episode key (\d+) appears again at row (\d+) \(", message)
    two_files = re.match(r"(.+?)(?:, row (\d+))?, column 'EPIKEY': episode key (\d+) is also in (.+?)"
                         r"(?: \(row (\d+)\))? \(", message)
    assert (one_file or two_files) and "would be counted twice" in message, message
    if one_file:
        path, first, key, second = one_file.groups()
        places = [(path, first), (path, second)]
    else:
        path, line, key, other, other_line = two_files.groups()
        places = [(path, line), (other, other_line)]
        assert path != other
    assert case.startswith(("every", "one")) == bool(one_file)
    repeated = {"every episode twice in one file": len(counted(episodes)), "one counted episode twice among thousands": 1,
                "a backup copy under the data folder": len(counted(episodes))}
    if case in repeated:  # the count is of the episodes the figures count
        assert f"({repeated[case]:,} episode{'s' if repeated[case] > 1 else ''} in all)" in message, message
    for path, line in places:  # each place named holds the key, at the row given
        assert Path(path).is_file()
        if path.endswith(".csv"):
            with open(path, newline="") as handle:
                lines = list(csv.reader(handle))
            assert lines[int(line) - 1][lines[0].index("EPIKEY")] == key
        else:
            assert duckdb.sql(f"SELECT EPIKEY FROM '{path}'").fetchall()[int(line) - 1][0] == int(key)


def test_a_year_read_from_two_places_stops_the_run_and_one_split_in_one_folder_does_not(tmp_path, episodes, clean):
    """An old extract of 2015/16 with other episode keys, in another folder: refused, both files
    named. The same year split into two files in one folder is one year: read as the whole file."""
    folder = tmp_path / "data"
    extract = write_extract(folder / "extract", 3_000)
    old = folder / "old" / "FYEAR=1516"
    old.mkdir(parents=True)
    duckdb.sql(f"COPY (SELECT * REPLACE (EPIKEY + 1000000 AS EPIKEY) FROM '{extract}/FYEAR=1516/*.parquet') "
               f"TO '{old}/hes_apc_1516_old.parquet' (FORMAT parquet)")
    with pytest.raises(DataError, match=rf"^{re.escape(str(old))}/hes_apc_1516_old.parquet, column 'FYEAR': holds "
                                        rf"episodes of financial year 2015/16, as {re.escape(str(extract))}/FYEAR=1516/"
                                        r"hes_apc_synthetic_0.parquet does: a year read from two places"):
        aggregate(read_apc(folder), None, None, CCGS)
    split = tmp_path / "split"
    split.mkdir()
    episodes.iloc[::2].to_csv(split / "hes_apc_1417_part1.csv", index=False)
    episodes.iloc[1::2].to_csv(split / "hes_apc_1417_part2.csv", index=False)
    assert_same_figures(aggregate(read_apc(split), None, None, CCGS), clean)


@pytest.mark.parametrize("encoding, named", [
    ("utf-16", "is UTF-16 text, not UTF-8"), ("utf-16-le", "looks like UTF-16 text (NUL bytes between the letters), "
                                                           "not UTF-8"), ("utf-32", "is UTF-32 text, not UTF-8")])
def test_a_csv_in_another_encoding_is_named_as_such_naming_the_file(tmp_path, episodes, encoding, named):
    """One file of two saved as UTF-16 or UTF-32: that file is named, with its encoding, never
    "lacks required column"."""
    episodes.iloc[:1500].to_csv(tmp_path / "hes_apc_1.csv", index=False)
    episodes.iloc[1500:].to_csv(tmp_path / "hes_apc_2.csv", index=False, encoding=encoding)
    with pytest.raises(DataError, match=rf"^{re.escape(str(tmp_path / 'hes_apc_2.csv'))}: {re.escape(named)}; save it "
                                        "as CSV in UTF-8 and try again$"):
        read_apc(tmp_path)


def test_a_csv_not_in_utf8_is_named_with_its_line(tmp_path, episodes):
    episodes.iloc[:1500].assign(NOTE="cafe").to_csv(tmp_path / "hes_apc_1.csv", index=False)
    episodes.iloc[1500:].assign(NOTE="café").to_csv(tmp_path / "hes_apc_2.csv", index=False, encoding="cp1252")
    with pytest.raises(DataError, match=rf"^{re.escape(str(tmp_path / 'hes_apc_2.csv'))}, row \d+: is not UTF-8 text; "
                                        "save it as CSV in UTF-8"):
        aggregate(read_apc(tmp_path), None, None, CCGS)
