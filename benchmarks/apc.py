"""Benchmark: the chapter's record-level aggregation on DuckDB (and Spark local mode) at scale.

    python benchmarks/apc.py --episodes 5000000 50000000 [--spark 5000000] [--repeat 3] [--folder /tmp/handbook-apc]

For each scale: writes the synthetic extract once (Parquet by FYEAR; reused if present),
then times, each run in a fresh process so peak memory is its own, the engines taking turns
(`--repeat` rounds; the best time of each is kept, as the machine may be shared):
  duckdb  the chapter's aggregation (analysis.apc.aggregate: read, check, measure, to pandas)
  scans   the chapter's four scans alone (the part that grows with the records: methods, groups,
          orders by file and year, distinct episode keys), no checks on their results
  floor   a plain DuckDB query of the same shape (filter on method and episode order, group by
          CCG, month and age band, count and sum of length of stay), no checks
  spark   the same aggregation on a PySpark local session (with --spark, up to that scale)
and prints episodes per second, peak resident memory (the JVM's own for Spark is not
counted), the time as a multiple of the floor's, and how each engine's time grew from the
smallest scale to the largest (linear growth = the ratio of the scales).
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
    """Run one engine once, in this process; returns seconds, output rows and peak memory.
    The one-off set-up of a process (imports, Ibis's first compile, Spark's session start-up:
    paid once per kernel, whatever the size of the records) is timed apart."""
    setup = time.perf_counter()
    import duckdb
    import ibis

    from analysis.apc import aggregate, expressions, read_apc

    known, backend = ccgs(), None
    for expression in expressions(read_apc(folder).table).values():
        ibis.to_sql(expression)  # compiled, not run
    if engine == "spark":
        from pyspark.sql import SparkSession

        session = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                   .config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "4g").getOrCreate())
        session.sparkContext.setLogLevel("ERROR")
        backend = ibis.pyspark.connect(session)
    start = time.perf_counter()
    setup = start - setup
    if engine == "floor":
        rows = len(duckdb.sql(FLOOR.format(folder=folder)).fetchall())
    elif engine == "scans":  # the chapter's scans alone, without the checks on their aggregates
        results = {name: scan.to_pyarrow() for name, scan in expressions(read_apc(folder).table).items()}
        rows = len(results["groups"])
    else:
        rows = len(aggregate(read_apc(folder, backend), *PERIOD, known)["admissions"])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows, "setup": setup,
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
    parser.add_argument("--repeat", type=int, default=3, help="rounds of runs (best time kept)")
    parser.add_argument("--measure", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    from analysis.apc.synthetic import write_extract

    print(f"{'episodes':>12} {'engine':>7} {'seconds':>8} {'episodes/s':>12} {'peak MiB':>9} {'rows out':>9} "
          f"{'x floor':>8} {'set-up s':>9}")
    best = {}
    for episodes in args.episodes:
        folder = Path(args.folder) / f"apc_{episodes}"
        if not folder.exists() or episodes_in(folder) != episodes:
            start = time.perf_counter()
            write_extract(folder, episodes)
            print(f"# wrote {episodes:,} synthetic episodes to {folder} in {time.perf_counter() - start:.0f} s")
        engines = ["duckdb", "scans", "floor"] + (["spark"] if episodes <= args.spark else [])
        for round_ in range(args.repeat):
            for engine in engines:
                if engine == "spark" and round_ > 0:
                    continue  # one Spark run: its JVM start-up is long and its time far from the others'
                result = json.loads(subprocess.run([sys.executable, __file__, "--measure", engine, str(folder)],
                                                   check=True, capture_output=True, text=True).stdout.splitlines()[-1])
                kept = best.get((episodes, engine))
                if kept is None or result["seconds"] < kept["seconds"]:
                    peak = max(result["peak_mib"], (kept or result)["peak_mib"])
                    best[episodes, engine] = {**result, "peak_mib": peak}
        for engine in engines:
            result = best[episodes, engine]
            print(f"{episodes:>12,} {engine:>7} {result['seconds']:>8.2f} {episodes / result['seconds']:>12,.0f} "
                  f"{result['peak_mib']:>9,.0f} {result['rows']:>9,} "
                  f"{result['seconds'] / best[episodes, 'floor']['seconds']:>8.2f} {result['setup']:>9.1f}", flush=True)
    small, large = min(args.episodes), max(args.episodes)
    if small != large:
        for engine in ("duckdb", "scans", "floor", "spark"):
            if (small, engine) in best and (large, engine) in best:
                grew = best[large, engine]["seconds"] / best[small, engine]["seconds"]
                print(f"# {engine}: {large / small:.0f} times the episodes took {grew:.1f} times as long")


if __name__ == "__main__":
    main()
