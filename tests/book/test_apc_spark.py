"""Spark: the same measures on PySpark (local mode) give exactly DuckDB's aggregates, from
files and from a Spark table; the vanguards chapter reads a table named by its `spark_table`
parameter, checked before any notebook runs.

The Spark session is conftest.py's `spark_backend`, one per test run (per worker)."""

import duckdb
import pandas as pd
import pytest

from analysis import vanguards
from analysis.apc import aggregate, read_apc, read_table
from analysis.apc.synthetic import write_extract
from analysis.apc.measures import EMERGENCY_METHODS
from analysis.errors import DataError
from analysis.registry import load_registry
from analysis.sources import resolve_all
from conftest import run_chapter_alone

CCGS = [f"F{i:03d}" for i in range(1, 300)]


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return write_extract(tmp_path_factory.mktemp("apc") / "extract", 20_000)


def test_spark_and_duckdb_agree_exactly_from_files_and_from_a_table(spark_backend, extract):
    on_duckdb = aggregate(read_apc(extract), "2014-04", "2016-12", CCGS[:150])
    assert len(on_duckdb["admissions"]) > 1_000
    excluded = on_duckdb["exclusions"].set_index("reason")["episodes"]
    assert excluded[excluded > 0].index.tolist() == ["admission date outside the period", "unknown CCG"]
    on_spark = aggregate(read_apc(extract, spark_backend), "2014-04", "2016-12", CCGS[:150])
    for part in ("admissions", "by_month", "exclusions"):
        pd.testing.assert_frame_equal(on_spark[part], on_duckdb[part])
    # A table, over the records' own financial years (FYEAR, a partition key read as a number by
    # both). The engines' scans are the same whatever the period: it is applied to their results.
    own = aggregate(read_table(spark_backend, f"parquet.`{extract}`"), None, None, CCGS)
    assert own["years"] == ["2014-15", "2015-16", "2016-17"]
    own_on_duckdb = aggregate(read_apc(extract), None, None, CCGS)
    for part in ("admissions", "by_month", "exclusions"):
        pd.testing.assert_frame_equal(own[part], own_on_duckdb[part])


def test_spark_table_parameter_bad_inputs_are_one_line_parameter_errors(tmp_path, spark_backend):
    """An unknown table and a table lacking a column stop before any notebook runs, in one line."""
    from analysis.errors import ParameterError

    registry = load_registry()
    sources = resolve_all(registry.chapter("vanguards").datasets, registry.datasets, None)
    params = registry.chapter("vanguards").resolve_parameters({})
    with pytest.raises(ParameterError) as missing:
        vanguards.validate_parameters({**params, "spark_table": "hes.no_such_table"}, sources)
    assert "\n" not in str(missing.value)
    assert str(missing.value).startswith("parameter 'spark_table': hes.no_such_table: no such table on the pyspark "
                                         "session ([TABLE_OR_VIEW_NOT_FOUND]")
    folder = tmp_path / "no_stay"
    folder.mkdir()
    pd.DataFrame({"EPIKEY": ["1"], "ADMIDATE": ["2016-01-05"], "ADMIMETH": ["21"], "EPIORDER": [1],
                  "STARTAGE": [70], "CCG_RESPONSIBILITY": ["F001"]}).to_parquet(folder / "part-0.parquet")
    with pytest.raises(ParameterError, match=r"^parameter 'spark_table': parquet.`.*no_stay`, column 'SPELDUR': "
                                             r"lacks required column 'SPELDUR' of the HES APC layout$"):
        vanguards.validate_parameters({**params, "spark_table": f"parquet.`{folder}`"}, sources)


def test_chapter_reads_a_spark_table_end_to_end(spark_backend, spark_connect_url, extract, tmp_path):
    """The chapter run as the build runs it (papermill, a separate kernel process): the kernel
    takes the active Spark session, which its environment makes a Spark Connect session to this
    process's JVM (`SPARK_REMOTE`, as a platform would), and reads a table that exists only in that
    JVM (a global temporary view of the extract); the page's figures equal DuckDB's on the files."""
    spark_backend._session.read.parquet(str(extract)).createOrReplaceGlobalTempView("handbook_test_apc")
    name = "global_temp.handbook_test_apc"
    # checked on this process's own session, then read in the kernel through Spark Connect
    glued, _ = run_chapter_alone(tmp_path, "vanguards", kernel_env={"SPARK_REMOTE": spark_connect_url},
                                 spark_table=name)
    assert glued["records_source"] == (f"Record-level admissions: the Spark table {name}, read on the active "
                                       "Spark session.")
    registry = load_registry()
    sources = resolve_all(registry.chapter("vanguards").datasets, registry.datasets, None)
    data = vanguards.load(sources)
    on_duckdb = aggregate(read_apc(extract), None, None, data["population"].index)
    expected = on_duckdb["by_month"]["admissions"].sum()
    assert f"{expected:,} emergency admissions counted" in glued["records_text"]
    assert f"{on_duckdb['by_month']['bed_days'].sum():,} emergency bed days" in glued["records_months"]
    # 20,000 episodes are too few per CCG and month for the screening: the page says so, with no figure
    assert glued["records_growth"].startswith("No growth by cohort is computed from the records (no CCG is left in "
                                              "the rest of England to compare with): the screening for breaks left out")


def text_extract(extract) -> pd.DataFrame:
    """The module's extract as the text cells of a CSV export."""
    frame = duckdb.sql(f"SELECT * FROM read_parquet('{extract}/**/*.parquet') ORDER BY EPIKEY").df()
    frame["FYEAR"] = frame["FYEAR"].astype(str).str.zfill(4)
    frame["ADMIDATE"] = pd.to_datetime(frame["ADMIDATE"]).dt.strftime("%Y-%m-%d")
    return frame.astype(str)


def floats(frame, column):
    return frame[column].where(~frame[column].str.fullmatch(r"\d+"), frame[column] + ".0")


def test_spark_reads_dates_day_first_and_numbers_as_floats_as_duckdb_reads_the_iso_file(spark_backend, extract,
                                                                                        tmp_path):
    """Dates written 31/03/2017 and codes and numbers written as floats (21.0, 70.0): Spark gives
    the figures DuckDB gives on the clean file (Spark's own cast would read 70.0 as missing)."""
    frame = text_extract(extract)
    clean = tmp_path / "clean" / "hes_apc.csv"
    clean.parent.mkdir()
    frame.to_csv(clean, index=False)
    damaged = frame.assign(ADMIDATE=pd.to_datetime(frame["ADMIDATE"]).dt.strftime("%d/%m/%Y"),
                           **{c: floats(frame, c) for c in ("ADMIMETH", "EPIORDER", "STARTAGE", "SPELDUR")})
    path = tmp_path / "hes_apc.csv"
    damaged.to_csv(path, index=False, encoding="utf-8-sig")  # with a byte-order mark
    on_spark = aggregate(read_apc(path, spark_backend), None, None, CCGS)
    on_duckdb = aggregate(read_apc(clean), None, None, CCGS)
    for part in ("admissions", "by_month", "exclusions"):
        pd.testing.assert_frame_equal(on_spark[part], on_duckdb[part])


def test_spark_stops_on_the_same_bad_records_naming_the_files_or_the_table(spark_backend, extract, tmp_path):
    """On Spark, as on DuckDB: a backup copy under the data folder names both files and a key; a
    Spark table holding every episode twice, or too many unreadable ages, names the table."""
    frame = text_extract(extract)
    emergency_firsts = int(((pd.to_numeric(frame["EPIORDER"]) == 1)
                            & frame["ADMIMETH"].astype(str).isin(EMERGENCY_METHODS)).sum())  # the keys compared
    (tmp_path / "backup").mkdir()
    frame.to_csv(tmp_path / "hes_apc_1417.csv", index=False)
    frame.to_csv(tmp_path / "backup" / "hes_apc_1417_copy.csv", index=False)
    with pytest.raises(DataError, match=rf"^{tmp_path}/hes_apc_1417.csv, row \d+, column 'EPIKEY': episode key \d+ is "
                                        rf"also in {tmp_path}/backup/hes_apc_1417_copy.csv \(row \d+\) \({emergency_firsts:,} "
                                        "episodes in all\\): the same episode read twice would be counted twice"):
        aggregate(read_apc(tmp_path, spark_backend), None, None, CCGS)
    session = spark_backend._session
    twice = session.read.parquet(str(extract))
    twice.unionByName(twice).createOrReplaceTempView("handbook_test_twice")
    with pytest.raises(DataError, match=r"^handbook_test_twice, column 'EPIKEY': episode key \d+ appears more than "
                                        rf"once \({emergency_firsts:,} episodes in all\)"):
        aggregate(read_table(spark_backend, "handbook_test_twice"), None, None, CCGS)
    from pyspark.sql import functions

    aged = twice.withColumn("STARTAGE", functions.when(functions.col("EPIKEY") % 10 == 0, 150)
                            .otherwise(functions.col("STARTAGE")))
    aged.createOrReplaceTempView("handbook_test_aged")
    with pytest.raises(DataError, match=r"^handbook_test_aged, column 'STARTAGE': value '150' cannot be read or is out "
                                        r"of range; \"age missing or out of range\" leaves out [\d,]+ of the [\d,]+ "
                                        r"emergency first episodes \(\d+\.\d%\), more than the 1% a run accepts"):
        aggregate(read_table(spark_backend, "handbook_test_aged"), None, None, CCGS)
