"""A deterministic synthetic national extract in the HES APC layout, written on demand.

Every value is synthetic: fictional patients and episodes; CCG codes (from a population
file: by default the bundled sample's fictional CCGs) serve only as geography. The
patient identifiers start with SYNTHETIC and the folder carries a SYNTHETIC_README.txt.
Rows are episodes from April 2014 to March 2017, written as Parquet partitioned by
financial year (`FYEAR=1415/...`), in the HES column names.

Calibration: each CCG's episodes are in proportion to its registered population times a
CCG rate (lognormal around 1, sd 0.18) with a winter rise (about +6% in December to
February) and a CCG drift of about 1% a year; 88% of episodes are first episodes; 38% of
first episodes are emergencies; ages skew old among emergencies; lengths of stay are
geometric with a mean rising with age. Each value is drawn from a hash of the row number
and a seed, so the same scale and seed give the same rows on any machine.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ..population import read_snapshots

MONTHS = pd.period_range("2014-04", "2017-03", freq="M")
BUCKETS = 1 << 20
SEED = 20170331
README = "SYNTHETIC_README.txt"


def _ccg_month_buckets(population: pd.Series, seed: int) -> pd.DataFrame:
    """A lookup of BUCKETS rows, each a (CCG, month), in proportion to expected episodes."""
    rng = np.random.default_rng(seed)
    codes = population.index.to_numpy()
    rate = rng.lognormal(0.0, 0.18, len(codes))
    drift = rng.normal(0.01, 0.01, len(codes))
    years = np.arange(len(MONTHS)) / 12
    season = 1 + 0.06 * np.cos(2 * np.pi * (np.array([m.month for m in MONTHS]) - 1) / 12)
    weights = (population.to_numpy()[:, None] * rate[:, None] * (1 + drift[:, None]) ** years[None, :]
               * season[None, :] * np.array([m.days_in_month for m in MONTHS])[None, :] / 30.4)
    cumulative = np.cumsum(weights.ravel()) / weights.sum()
    pick = np.minimum(np.searchsorted(cumulative, (np.arange(BUCKETS) + 0.5) / BUCKETS), weights.size - 1)
    ccg, month = np.divmod(pick, len(MONTHS))
    starts = pd.PeriodIndex(MONTHS).start_time.to_numpy().astype("datetime64[D]")
    return pd.DataFrame({"bucket": np.arange(BUCKETS, dtype=np.int64), "ccg": codes[ccg],
                         "month_start": starts[month],
                         "days": np.array([m.days_in_month for m in MONTHS])[month]})


def write_extract(out_dir, episodes: int, population_file=None, seed: int = SEED, threads: int | None = None) -> Path:
    """Write `episodes` synthetic episodes to `out_dir` (Parquet partitioned by FYEAR); returns the folder."""
    if not 1 <= episodes <= 500_000_000:
        raise ValueError("episodes must be between 1 and 500 million")
    from ..sources import BUNDLED_DIR

    population_file = Path(population_file or next((BUNDLED_DIR / "population").glob("*registered_patients_ccg_*.csv")))
    snapshots = read_snapshots([population_file])
    population = snapshots[max(snapshots)]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.register("buckets", _ccg_month_buckets(population, seed))
    # u(k): a uniform in [0, 1) from the row number and the seed, one stream per field k
    con.execute(f"""
    CREATE MACRO u(i, k) AS (hash(i, k, {int(seed)}) % 1000000007) / 1000000007.0;
    COPY (
      WITH rows AS (
        SELECT range AS i, b.ccg, CAST(b.month_start AS DATE) AS month_start, b.days
        FROM range({int(episodes)}) JOIN buckets b ON b.bucket = hash(range, 0, {int(seed)}) % {BUCKETS}
      ), drawn AS (
        SELECT *,
          CASE WHEN u(i, 1) < 0.88 THEN 1 WHEN u(i, 1) < 0.97 THEN 2 ELSE 3 END AS epiorder,
          CASE WHEN u(i, 2) < 0.38 THEN
                 (CASE WHEN u(i, 3) < 0.62 THEN '21' WHEN u(i, 3) < 0.80 THEN '22' WHEN u(i, 3) < 0.90 THEN '28'
                       WHEN u(i, 3) < 0.95 THEN '23' WHEN u(i, 3) < 0.98 THEN '24' ELSE '2A' END)
               WHEN u(i, 2) < 0.93 THEN (CASE WHEN u(i, 3) < 0.55 THEN '11' WHEN u(i, 3) < 0.9 THEN '12' ELSE '13' END)
               WHEN u(i, 2) < 0.97 THEN '31' ELSE '81' END AS admimeth,
          month_start + CAST(floor(u(i, 4) * days) AS INTEGER) AS admidate
        FROM rows
      ), aged AS (
        SELECT *,
          CASE WHEN admimeth LIKE '2%' THEN CAST(least(104, floor(100 * pow(u(i, 5), 0.75))) AS INTEGER)
               ELSE CAST(floor(95 * u(i, 5)) AS INTEGER) END AS age
        FROM drawn
      ), stayed AS (
        SELECT *, CAST(least(365, floor(-ln(1 - u(i, 6)) * (0.5 + age / 12.0))) AS INTEGER) AS speldur FROM aged
      )
      SELECT
        CASE WHEN month(admidate) >= 4 THEN lpad(CAST(year(admidate) % 100 AS VARCHAR), 2, '0')
                                              || lpad(CAST((year(admidate) + 1) % 100 AS VARCHAR), 2, '0')
             ELSE lpad(CAST((year(admidate) - 1) % 100 AS VARCHAR), 2, '0')
                  || lpad(CAST(year(admidate) % 100 AS VARCHAR), 2, '0') END AS FYEAR,
        CAST(900000000000 + i AS BIGINT) AS EPIKEY,
        'SYNTHETIC' || lpad(CAST(hash(i // 3, 7, {int(seed)}) % 100000000000 AS VARCHAR), 11, '0') AS PSEUDO_HESID,
        admidate AS ADMIDATE, admimeth AS ADMIMETH, CAST(epiorder AS TINYINT) AS EPIORDER,
        CAST(age AS SMALLINT) AS STARTAGE, CAST(CASE WHEN u(i, 8) < 0.52 THEN 2 ELSE 1 END AS TINYINT) AS SEX,
        ccg AS CCG_RESPONSIBILITY, 'SYN' || lpad(CAST(hash(ccg) % 40 AS VARCHAR), 2, '0') AS PROCODE3,
        admidate AS EPISTART, admidate + CAST(speldur AS INTEGER) AS DISDATE, CAST(speldur AS SMALLINT) AS SPELDUR,
        CASE WHEN u(i, 9) < 0.8 THEN 1 ELSE 2 END AS CLASSPAT
      FROM stayed
    ) TO '{out.as_posix()}' (FORMAT parquet, PARTITION_BY (FYEAR), OVERWRITE_OR_IGNORE true,
                             FILENAME_PATTERN 'hes_apc_synthetic_{{i}}', ROW_GROUP_SIZE 1000000);
    """)
    (out / README).write_text(
        "SYNTHETIC extract in the HES APC layout, generated by the NHS performance handbook "
        f"(analysis.apc.synthetic.write_extract, {episodes:,} episodes, seed {seed}, CCGs from "
        f"{population_file.name}). Fictional patients and episodes: not real activity.\n", encoding="utf-8")
    return out


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Write a synthetic HES APC extract (Parquet by FYEAR).")
    parser.add_argument("out_dir")
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--population", default=None, help="population CSV giving the CCG codes (default: bundled)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    print(write_extract(args.out_dir, args.episodes, args.population, args.seed))


if __name__ == "__main__":
    main()
