"""Benchmark: the chapter's record-level aggregation on DuckDB (and Spark local mode) at scale.

    python benchmarks/apc.py --episodes 5000000 50000000 [--spark 5000000] [--folder /tmp/handbook-apc]

For each scale: writes the synthetic extract once (Parquet by FYEAR; reused if present),
then times, each in a fresh process so peak memory is its own:
  duckdb  the chapter's aggregation (analysis.apc.aggregate: read, check, measure, to pandas)
  floor   a plain DuckDB query of the same shape (filter on method and episode order, group by
          CCG, month and age band, count and sum of length of stay), no checks
  spark   the same aggregation on a PySpark local session (with --spark, up to that scale)
and prints episodes per second and peak resident memory (the JVM's own for Spark is not counted).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PERIOD = ("2014-04", "2017-03")
FLOOR = """
SELECT CCG_RESPONSIBILITY, date_trunc('month', ADMIDATE) AS month,
       CASE WHEN STARTAGE < 65 THEN '0-64' WHEN STARTAGE < 75 THEN '65-74' WHEN STARTAGE < 85 THEN '75-84'
            ELSE '85+' END AS age_band, count(*) AS admissions, sum(SPELDUR) AS bed_days
FROM read_parquet('{folder}/**/*.parquet')
WHERE ADMIMETH IN ('21','22','23','24','25','28','2A','2B','2C','2D') AND EPIORDER = 1
GROUP BY ALL
"""


def ccgs() -> list[str]:
    from analysis.population import read_snapshots
    from analysis.sources import BUNDLED_DIR

    snapshots = read_snapshots(sorted((BUNDLED_DIR / "population").glob("*registered_patients_ccg_*.csv")))
    return list(snapshots[max(snapshots)].index)


def measure(engine: str, folder: str) -> dict:
    """Run one engine once, in this process; returns seconds, output rows and peak memory."""
    start = time.perf_counter()
    if engine == "floor":
        import duckdb

        rows = len(duckdb.sql(FLOOR.format(folder=folder)).fetchall())
    else:
        from analysis.apc import aggregate, read_apc

        backend = None
        if engine == "spark":
            import ibis
            from pyspark.sql import SparkSession

            session = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                       .config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "4g")
                       .getOrCreate())
            session.sparkContext.setLogLevel("ERROR")
            backend = ibis.pyspark.connect(session)
            start = time.perf_counter()  # session start-up is not the query
        rows = len(aggregate(read_apc(folder, backend), *PERIOD, ccgs())["admissions"])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def episodes_in(folder: Path) -> int:
    import duckdb

    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet')").fetchall()[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, nargs="+", default=[5_000_000, 50_000_000])
    parser.add_argument("--folder", default="/tmp/handbook-apc", help="where the extracts are written (not the repo)")
    parser.add_argument("--spark", type=int, default=0, metavar="MAX",
                        help="time Spark local mode too, at scales up to MAX episodes")
    parser.add_argument("--measure", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    from analysis.apc.synthetic import write_extract

    print(f"{'episodes':>12} {'engine':>7} {'seconds':>8} {'episodes/s':>12} {'peak MiB':>9} {'rows out':>9}")
    for episodes in args.episodes:
        folder = Path(args.folder) / f"apc_{episodes}"
        if not folder.exists() or episodes_in(folder) != episodes:
            start = time.perf_counter()
            write_extract(folder, episodes)
            print(f"# wrote {episodes:,} synthetic episodes to {folder} in {time.perf_counter() - start:.0f} s")
        for engine in ["duckdb", "floor"] + (["spark"] if episodes <= args.spark else []):
            result = json.loads(subprocess.run([sys.executable, __file__, "--measure", engine, str(folder)],
                                               check=True, capture_output=True, text=True).stdout.splitlines()[-1])
            print(f"{episodes:>12,} {engine:>7} {result['seconds']:>8.2f} {episodes / result['seconds']:>12,.0f} "
                  f"{result['peak_mib']:>9,.0f} {result['rows']:>9,}", flush=True)


if __name__ == "__main__":
    main()
