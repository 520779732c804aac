"""The same measures on PySpark (local mode) give exactly DuckDB's aggregates."""

import importlib.util
import shutil

import pandas as pd
import pytest

from analysis.apc import aggregate, read_apc
from analysis.apc.synthetic import write_extract
from conftest import require

CCGS = [f"F{i:03d}" for i in range(1, 300)]


@pytest.fixture(scope="module")
def spark_backend():
    require(importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None,
            "PySpark and Java 17 are needed (pip install -e '.[spark]'; apt-get install openjdk-17-jre-headless)")
    import ibis
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("handbook-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
    yield ibis.pyspark.connect(session)
    session.stop()


def test_spark_and_duckdb_agree_exactly(spark_backend, tmp_path):
    folder = write_extract(tmp_path / "extract", 20_000)
    on_spark = aggregate(read_apc(folder, spark_backend), "2014-04", "2016-12", CCGS[:150])
    on_duckdb = aggregate(read_apc(folder), "2014-04", "2016-12", CCGS[:150])
    assert len(on_duckdb["admissions"]) > 1_000
    assert on_duckdb["exclusions"].set_index("reason")["episodes"].gt(0).sum() == 2  # months after 2016, CCGs left out
    pd.testing.assert_frame_equal(on_spark["admissions"], on_duckdb["admissions"])
    pd.testing.assert_frame_equal(on_spark["exclusions"], on_duckdb["exclusions"])
