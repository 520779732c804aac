"""Registered population: one snapshot chosen by a rule, never summed; no zero populations;
synthetic samples carry fictional CCGs only."""

import re

import numpy as np
import pandas as pd
import pytest

from analysis import population, vanguards
from analysis.errors import DataError
from analysis.page import prepare_chapter
from analysis.sources import BUNDLED_DIR, DATA_DIR
from analysis.vanguards.readers import read_mar_files
from analysis.vanguards.sample import sample_cohort

REAL_CCGS = pd.read_csv(DATA_DIR / "reference" / "ccgs_2016-17.csv", dtype=str)


def _snapshot(path, codes=("F001", "F002"), totals=(1000, 2000)):
    population.write_population_sample(path, list(codes), [f"X38{i:06d}" for i in range(len(codes))],
                                       np.array(totals), np.random.default_rng(1), "test")
    return path


def test_two_snapshots_are_never_added(tmp_path):
    first = _snapshot(tmp_path / "registered_patients_ccg_2015-01.csv")
    second = _snapshot(tmp_path / "registered_patients_ccg_2017-01.csv", totals=(1100, 2100))
    both = pd.concat([population.read_population(first), population.read_population(second)])
    with pytest.raises(DataError, match="is a second population snapshot beside registered_patients_ccg_2015-01.csv"):
        population.ccg_totals(both)
    snapshots = population.read_snapshots([second, first])
    assert sorted(str(m) for m in snapshots) == ["2015-01", "2017-01"]
    assert snapshots[pd.Period("2017-01", "M")]["F001"] == 1100
    copy = _snapshot(tmp_path / "copy_registered_patients_ccg_2017-01.csv")
    with pytest.raises(DataError, match="describes January 2017, as .* does: keep one file per snapshot month"):
        population.read_snapshots([first, second, copy])


def test_nearest_snapshot_rule_and_dated_names(tmp_path):
    months = {pd.Period(m, "M"): None for m in ("2015-01", "2016-01")}
    assert str(population.nearest_snapshot(months, pd.Period("2015-06", "M"))) == "2015-01"
    assert str(population.nearest_snapshot(months, pd.Period("2015-07", "M"))) == "2016-01"  # a tie: the later
    undated = _snapshot(tmp_path / "registered_patients_ccg.csv")
    with pytest.raises(DataError, match="the file name does not say which month the snapshot describes"):
        population.read_snapshots([undated])


def test_a_zero_population_is_an_error_not_an_infinite_rate(tmp_path):
    path = _snapshot(tmp_path / "registered_patients_ccg_2017-01.csv")
    table = pd.read_csv(path, dtype=str)
    bands = [c for c in table.columns if re.match(r"^(male|female)_\d", c)]
    table.loc[1, bands + ["total_all", "total_male", "total_female"]] = "0"
    table.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"row 3, column 'total_all': CCG F002 has no registered patients"):
        population.read_population(path)


def test_each_window_takes_its_own_snapshot_when_the_data_has_one(tmp_path):
    page = prepare_chapter("vanguards")
    data = vanguards.load(page.sources)
    spans = vanguards.windows(page.parameters, set(data["admissions"]["month"]))
    people, per_head = vanguards.populations(data, spans)
    assert not per_head and people["baseline"].equals(people["recent"])
    later = data["population"] * 1.02
    data = {**data, "snapshots": {pd.Period("2015-01", "M"): data["population"], pd.Period("2016-06", "M"): later}}
    people, per_head = vanguards.populations(data, spans)
    assert per_head and people["recent"].sum() == pytest.approx(1.02 * people["baseline"].sum())
    labels = {name: vanguards.label_of(span) for name, span in spans.items()}
    per_head_growth = vanguards.analyse(data, spans, ["PACS", "MCP"], labels).set_index(["baseline", "cohort"])
    count_growth = vanguards.analyse({**data, "snapshots": {pd.Period("2017-01", "M"): later}}, spans,
                                     ["PACS", "MCP"], labels).set_index(["baseline", "cohort"])
    ratio = (1 + per_head_growth["growth"] / 100) / (1 + count_growth["growth"] / 100)
    assert ratio.to_numpy() == pytest.approx(1 / 1.02)


def test_sample_ccgs_are_fictional():
    ccgs = population.sample_ccgs()
    assert list(ccgs.columns) == ["ccg_code", "ccg_name", "ons_ccg_code", "population"] and len(ccgs) == 209
    assert ccgs["ccg_code"].str.fullmatch(r"F\d{3}").all()  # four characters: never a CCG code (two digits, a letter)
    assert ccgs["ons_ccg_code"].str.fullmatch(r"X38\d{6}").all()  # X is no UK country's letter
    assert ccgs["ccg_code"].is_unique and ccgs["ccg_name"].is_unique
    real_words = {w for name in REAL_CCGS["ccg_name"] for w in re.findall(r"[A-Z]+", name.upper())}
    places = {name.split()[1] for name in ccgs["ccg_name"]}
    assert places.isdisjoint(real_words)


def test_bundled_mar_population_and_cohort_carry_no_real_code_or_name():
    mar = read_mar_files(sorted((BUNDLED_DIR / "mar").glob("mar_*commissioner_*.xlsx")))
    sample = population.sample_ccgs()
    assert set(mar["ccg_code"]) == set(sample["ccg_code"])
    assert set(mar["ccg_name"]) == set(sample["ccg_name"])
    ages = pd.read_csv(BUNDLED_DIR / "mar" / "admissions_by_age_SAMPLE.csv", dtype=str)
    assert set(ages["ccg_code"]) == set(sample["ccg_code"])
    pop_file, = (BUNDLED_DIR / "population").glob("*registered_patients_ccg_*.csv")
    pop = pd.read_csv(pop_file, dtype=str)
    assert set(pop["nhse_ccg_code"]).isdisjoint(REAL_CCGS["ccg_code"])
    assert set(pop["ons_ccg_code"]).isdisjoint(REAL_CCGS["ons_ccg_code"])
    assert (pop["note"].str.contains("SYNTHETIC SAMPLE")).all()
    cohort = pd.read_csv(BUNDLED_DIR / "mar" / "vanguard_cohort_SAMPLE.csv", dtype=str)
    assert cohort.equals(sample_cohort().astype(str))
    assert cohort["source"].str.startswith("SYNTHETIC").all() and set(cohort["type"]) == set(vanguards.TYPES)
    assert set(cohort["ccg_code"]).isdisjoint(REAL_CCGS["ccg_code"])
    listed = pd.read_csv(BUNDLED_DIR / "mar" / "sources.csv", dtype=str).set_index("file")
    assert listed.loc["vanguard_cohort_SAMPLE.csv", "synthetic"] == "yes"


def test_real_data_reads_the_real_cohort_and_its_single_snapshot(real_data):
    page = prepare_chapter("vanguards", data_dir=str(real_data))
    data = vanguards.load(page.sources)
    assert data["cohort_file"].name == "vanguard_cohort.csv" and not data["synthetic"]
    assert [str(m) for m in data["snapshots"]] == ["2017-01"]
    assert data["population"].sum() == 58_171_599


def _real_copy(tmp_path, real_data):
    """A data folder with the real MAR workbooks (linked) and a copy of the real population file."""
    folder = tmp_path / "data"
    (folder / "population").mkdir(parents=True)
    (folder / "mar").symlink_to(real_data / "mar")
    original = real_data / "population" / "gp_registered_patients_ccg_2017-01.csv"
    return folder, original


def test_real_population_twice_is_chosen_by_the_rule_not_added(tmp_path, real_data):
    folder, original = _real_copy(tmp_path, real_data)
    (folder / "population" / original.name).write_bytes(original.read_bytes())
    (folder / "population" / "gp_registered_patients_ccg_2016-01.csv").write_bytes(original.read_bytes())
    page = prepare_chapter("vanguards", data_dir=str(folder))
    data = vanguards.load(page.sources)
    spans = vanguards.windows(page.parameters, set(data["admissions"]["month"]))
    people, per_head = vanguards.populations(data, spans)
    assert not per_head  # only the recent window has a snapshot inside it
    assert people["recent"].sum() == 58_171_599  # one snapshot (the later of two equally near), never the sum
    (folder / "population" / "copy_gp_registered_patients_ccg_2017-01.csv").write_bytes(original.read_bytes())
    with pytest.raises(DataError, match="describes January 2017, as"):
        vanguards.load(prepare_chapter("vanguards", data_dir=str(folder)).sources)


def test_real_population_with_a_zero_row_is_an_error(tmp_path, real_data):
    folder, original = _real_copy(tmp_path, real_data)
    table = pd.read_csv(original, dtype=str)
    counts = [c for c in table.columns if c.startswith(("total_", "male_", "female_"))]
    table.loc[4, counts] = "0"
    table.to_csv(folder / "population" / original.name, index=False)
    with pytest.raises(DataError, match=rf"row 6, column 'total_all': CCG {table.at[4, 'nhse_ccg_code']} has no "
                                        "registered patients"):
        prepare_chapter("vanguards", data_dir=str(folder))


@pytest.mark.parametrize("cell, said", [("*", "suppressed"), ("", "blank")])
def test_a_suppressed_or_blank_population_is_an_error(tmp_path, cell, said):
    path = _snapshot(tmp_path / "registered_patients_ccg_2017-01.csv")
    table = pd.read_csv(path, dtype=str)
    table.loc[1, "total_all"] = cell
    table.to_csv(path, index=False)
    with pytest.raises(DataError, match=rf"row 3, column 'total_all'.*{said}"):
        population.read_population(path)


def test_predecessor_ccgs_are_counted_in_their_successor():
    """Gateshead, Newcastle North and East and Newcastle West (00F, 00G, 00H) merged into 13T in
    April 2015 (data/reference/ccg_successors.csv): their admissions and populations count as 13T's."""
    admissions = pd.DataFrame({
        "ccg_code": ["00F", "00G", "00H", "13T", "13T", "99X"],
        "month": pd.PeriodIndex(["2015-03", "2015-03", "2015-03", "2015-04", "2015-03", "2015-03"], freq="M"),
        "non_elective": [10.0, 20.0, 30.0, 70.0, 5.0, 1.0],
        "source_file": "mar.xls", "source_row": range(2, 8)})
    people = pd.Series({"13T": 500, "99X": 100})
    table = vanguards.monthly_by_ccg(admissions, people)
    assert list(table.columns) == ["13T", "99X"]
    assert table.loc[pd.Period("2015-03", "M"), "13T"] == 65 and table.loc[pd.Period("2015-04", "M"), "13T"] == 70
    with pytest.raises(DataError, match=r"mar\.xls.*CCG code 00Q is not in the population file"):
        vanguards.monthly_by_ccg(admissions.assign(ccg_code=["00Q", *admissions["ccg_code"][1:]]), people)
    population_by_code = pd.Series({"00F": 100, "00G": 200, "00H": 300, "13T": 50, "99X": 7})
    merged = vanguards._by_successor(population_by_code, pd.Index(["13T", "99X", "01A"]))
    assert (merged["13T"], merged["99X"]) == (650, 7) and pd.isna(merged["01A"])  # 01A: no population given
