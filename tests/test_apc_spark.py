"""The same measures on PySpark (local mode) give exactly DuckDB's aggregates.

The Spark session is conftest.py's `spark_backend`, one per test run."""

import pandas as pd

from analysis.apc import aggregate, read_apc
from analysis.apc.synthetic import write_extract

CCGS = [f"F{i:03d}" for i in range(1, 300)]


def test_spark_and_duckdb_agree_exactly(spark_backend, tmp_path):
    folder = write_extract(tmp_path / "extract", 20_000)
    on_spark = aggregate(read_apc(folder, spark_backend), "2014-04", "2016-12", CCGS[:150])
    on_duckdb = aggregate(read_apc(folder), "2014-04", "2016-12", CCGS[:150])
    assert len(on_duckdb["admissions"]) > 1_000
    assert on_duckdb["exclusions"].set_index("reason")["episodes"].gt(0).sum() == 2  # months after 2016, CCGs left out
    pd.testing.assert_frame_equal(on_spark["admissions"], on_duckdb["admissions"])
    pd.testing.assert_frame_equal(on_spark["exclusions"], on_duckdb["exclusions"])
