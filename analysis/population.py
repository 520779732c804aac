"""Registered population by CCG: NHS Digital's "Numbers of Patients Registered at a GP
Practice", CCG level, as published (`nhse_ccg_code`, `ons_ccg_code`, `total_all`,
`total_male`, `total_female`, then five-year age bands by sex: `male_0_4` ... `male_95`,
`female_0_4` ... `female_95`). Read into a tidy table (one row per CCG, sex and age band)
with a check that the bands add up to each CCG's `total_all`.

Each file is one snapshot, dated by the month in its name (`..._2017-01.csv`). Several
snapshots are never added together: `read_snapshots` keeps them apart (two files for one
month are an error) and `nearest_snapshot` chooses one by a stated rule. A CCG with no
registered patients is an error, so no rate ever divides by zero. A file must end with a line
end, and snapshots are judged against each other (`SNAPSHOT_PERIODS`; `analysis.completeness`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .completeness import Periods, refuse_cut_short
from .errors import DataError
from .schema import Column, Schema, parse_numbers, read_text_csv
from .readcache import cached_read

SCHEMA = Schema(name="registered population", columns={
    "ccg_code": Column("text"), "sex": Column("text", allowed=frozenset({"male", "female"})),
    "age_band": Column("text"), "population": Column("count", non_negative=True)})
BAND = re.compile(r"^(male|female)_(\d+)(?:_(\d+))?$")


@cached_read
def read_population(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    refuse_cut_short(path)
    raw = read_text_csv(path, ["nhse_ccg_code", "ons_ccg_code", "total_all"])
    bands = [c for c in raw.columns if BAND.match(c)]
    if not bands:
        raise DataError(path, "has no age band columns (male_0_4 ...)", row=1)
    rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
    duplicated = raw["nhse_ccg_code"].duplicated()
    if duplicated.any():
        first = duplicated.idxmax()
        raise DataError(path, f"CCG {raw.at[first, 'nhse_ccg_code']} appears twice", row=int(rows[first]),
                        column="nhse_ccg_code")
    totals, _ = parse_numbers(raw["total_all"], "total_all", path, rows, required=True)
    frames = []
    band_sum = pd.Series(0.0, index=raw.index)
    for column in bands:
        values, _ = parse_numbers(raw[column], column, path, rows, required=True)
        sex, low, high = BAND.match(column).groups()
        band_sum += values.fillna(0)
        frames.append(pd.DataFrame({"ccg_code": raw["nhse_ccg_code"].str.strip().str.upper(),
                                    "ons_ccg_code": raw["ons_ccg_code"].str.strip(), "sex": sex,
                                    "age_band": f"{low}-{high}" if high else f"{low}+",
                                    "population": values, "source_file": str(path), "source_row": rows}))
    empty = totals <= 0
    if empty.any():
        first = empty.idxmax()
        raise DataError(path, f"CCG {raw.at[first, 'nhse_ccg_code']} has no registered patients (total_all "
                              f"{totals[first]:,.0f}): a rate per head needs a population", row=int(rows[first]),
                        column="total_all")
    mismatch = (band_sum - totals).abs() > 0.5
    if mismatch.any():
        first = mismatch.idxmax()
        raise DataError(path, f"the age bands add up to {band_sum[first]:,.0f}, not total_all "
                              f"{totals[first]:,.0f}", row=int(rows[first]), column="total_all")
    table = pd.concat(frames, ignore_index=True)
    return SCHEMA.validate(table, str(path))


def ccg_totals(table: pd.DataFrame) -> pd.Series:
    """Registered patients per CCG, from one snapshot (rows of two files are an error, never a sum)."""
    files = sorted(set(table["source_file"])) if "source_file" in table else []
    if len(files) > 1:
        raise DataError(files[1], f"is a second population snapshot beside {Path(files[0]).name}: snapshots are "
                                  "never added together; keep one file, or choose one with nearest_snapshot")
    return table.groupby("ccg_code")["population"].sum()


SNAPSHOT_MONTH = re.compile(r"(\d{4})-(\d{2})(?!.*\d{4}-\d{2})")


def snapshot_month(path: str | Path) -> pd.Period:
    """The month a population file describes, from its name (`..._2017-01.csv`)."""
    found = SNAPSHOT_MONTH.search(Path(path).name)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise DataError(path, "the file name does not say which month the snapshot describes "
                              "(name it like registered_patients_ccg_2017-01.csv)")
    return pd.Period(year=int(found.group(1)), month=int(found.group(2)), freq="M")


SNAPSHOT_PERIODS = Periods("registered population", period="snapshot", organisation=("ccg_code",),
                           volume="population", volume_noun="registered patients", unit="snapshot", noun="CCGs")
"""Snapshots against each other (`analysis.completeness`): 90% of the CCGs of the snapshots around
one, and CCGs missing but present around it carrying at most 2% of its patients. A single snapshot
has no neighbours: a row cut from it leaves a CCG of the MAR or PHB file without a population,
which those chapters refuse."""


def read_snapshots(paths) -> dict[pd.Period, pd.Series]:
    """Registered patients per CCG for each snapshot month; two files for one month are an error."""
    snapshots, seen = {}, {}
    for path in sorted(paths):
        month = snapshot_month(path)
        if month in snapshots:
            raise DataError(path, f"describes {month.strftime('%B %Y')}, as {Path(seen[month]).name} does: "
                                  "keep one file per snapshot month")
        snapshots[month], seen[month] = ccg_totals(read_population(path)), path
    if not snapshots:
        raise DataError("registered population", "no population file was found")
    SNAPSHOT_PERIODS.check(pd.concat([pd.DataFrame({"snapshot": month, "ccg_code": totals.index,
                                                    "population": totals.values, "source_file": str(seen[month])})
                                      for month, totals in snapshots.items()], ignore_index=True))
    return snapshots


def nearest_snapshot(snapshots: dict, month: pd.Period) -> pd.Period:
    """The snapshot month closest to `month` (on a tie, the later one)."""
    return min(snapshots, key=lambda m: (abs((m - month).n), -m.ordinal))


SAMPLE_NOTE = ("SYNTHETIC SAMPLE generated by the NHS performance handbook (analysis.population); fictional CCGs, "
               "invented patient counts")
SAMPLE_SEED = 20170101
SAMPLE_SIZE = 209
SAMPLE_MONTH = "2017-01"
# Invented place names: pieces that, joined, name no real CCG (a test checks against the real list).
PLACE_START = ["Ambr", "Belt", "Corv", "Dask", "Elv", "Farn", "Grel", "Hask", "Istr", "Jorv", "Kelm", "Lorv",
               "Marv", "Nesk", "Orv", "Pelk", "Quarn", "Ravel", "Selv", "Tarv", "Ulv", "Velk", "Wenl", "Yarv"]
PLACE_END = ["wick", "mere", "holt", "stead", "brook", "more", "thwaite", "garth", "dean"]


def sample_ccgs() -> pd.DataFrame:
    """Fictional CCGs for the synthetic samples: codes F001-F209 (four characters, so never a real CCG
    code), invented place names, ONS-style codes X38000001... (X is no UK country letter), and invented
    registered populations. Columns: ccg_code, ccg_name, ons_ccg_code, population."""
    places = [start + end for end in PLACE_END for start in PLACE_START][:SAMPLE_SIZE]
    rng = np.random.default_rng(SAMPLE_SEED)
    population = np.clip(np.round(rng.lognormal(np.log(250_000), 0.45, SAMPLE_SIZE) / 10) * 10, 70_000, 900_000)
    return pd.DataFrame({"ccg_code": [f"F{i:03d}" for i in range(1, SAMPLE_SIZE + 1)],
                         "ccg_name": [f"NHS {place.upper()} CCG" for place in places],
                         "ons_ccg_code": [f"X38{i:06d}" for i in range(1, SAMPLE_SIZE + 1)],
                         "population": population})


def write_sample(out_dir: Path) -> list[Path]:
    """The registered-population sample in NHS Digital's layout, for the fictional sample CCGs."""
    ccgs = sample_ccgs()
    path = Path(out_dir) / "population" / f"registered_patients_ccg_SAMPLE_{SAMPLE_MONTH}.csv"
    return [write_population_sample(path, ccgs["ccg_code"].tolist(), ccgs["ons_ccg_code"].tolist(),
                                    ccgs["population"].to_numpy(), np.random.default_rng(SAMPLE_SEED + 1),
                                    SAMPLE_NOTE)]


def write_population_sample(path: Path, codes: list[str], ons_codes: list[str], totals: np.ndarray, rng,
                            note: str) -> Path:
    """A registered-population CSV in the published layout (used by the samples)."""
    ages = [(a, a + 4) for a in range(0, 95, 5)] + [(95, None)]
    shape = np.array([6, 6, 6, 6, 6.5, 7, 7, 7, 7, 7, 7, 6.5, 6, 5.5, 5, 3.5, 2.5, 1.5, 0.7, 0.2])
    rows = []
    for code, total in zip(codes, totals):
        weights = shape * rng.uniform(0.85, 1.15, len(shape))
        male = np.floor(total * 0.495 * weights / weights.sum()).astype(int)
        female = np.floor(total * 0.505 * weights / weights.sum()).astype(int)
        female[5] += int(total) - male.sum() - female.sum()
        row = {"nhse_ccg_code": code, "ons_ccg_code": ons_codes[codes.index(code)], "total_all": int(total),
               "total_male": int(male.sum()), "total_female": int(female.sum())}
        for sex, counts in (("male", male), ("female", female)):
            for (low, high), count in zip(ages, counts):
                row[f"{sex}_{low}_{high}" if high else f"{sex}_{low}"] = int(count)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["note"] = note
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, lineterminator="\n")
    return path
