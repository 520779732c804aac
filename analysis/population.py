"""Registered population by CCG: NHS Digital's "Numbers of Patients Registered at a GP
Practice", CCG level, as published (`nhse_ccg_code`, `ons_ccg_code`, `total_all`,
`total_male`, `total_female`, then five-year age bands by sex: `male_0_4` ... `male_95`,
`female_0_4` ... `female_95`). Read into a tidy table (one row per CCG, sex and age band)
with a check that the bands add up to each CCG's `total_all`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .schema import Column, Schema, parse_numbers, read_text_csv

SCHEMA = Schema(name="registered population", columns={
    "ccg_code": Column("text"), "sex": Column("text", allowed=frozenset({"male", "female"})),
    "age_band": Column("text"), "population": Column("count", non_negative=True)})
BAND = re.compile(r"^(male|female)_(\d+)(?:_(\d+))?$")


def read_population(path: str | Path) -> pd.DataFrame:
    path = Path(path)
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
    totals, _ = parse_numbers(raw["total_all"], "total_all", path, rows)
    frames = []
    band_sum = pd.Series(0.0, index=raw.index)
    for column in bands:
        values, _ = parse_numbers(raw[column], column, path, rows)
        sex, low, high = BAND.match(column).groups()
        band_sum += values.fillna(0)
        frames.append(pd.DataFrame({"ccg_code": raw["nhse_ccg_code"].str.strip().str.upper(),
                                    "ons_ccg_code": raw["ons_ccg_code"].str.strip(), "sex": sex,
                                    "age_band": f"{low}-{high}" if high else f"{low}+",
                                    "population": values, "source_file": str(path), "source_row": rows}))
    mismatch = (band_sum - totals).abs() > 0.5
    if mismatch.any():
        first = mismatch.idxmax()
        raise DataError(path, f"the age bands add up to {band_sum[first]:,.0f}, not total_all "
                              f"{totals[first]:,.0f}", row=int(rows[first]), column="total_all")
    table = pd.concat(frames, ignore_index=True)
    return SCHEMA.validate(table, str(path))


def ccg_totals(table: pd.DataFrame) -> pd.Series:
    """Registered patients per CCG."""
    return table.groupby("ccg_code")["population"].sum()


def write_population_sample(path: Path, codes: list[str], totals: np.ndarray, rng, note: str) -> Path:
    """A registered-population CSV in the published layout for fictional CCGs (used by samples)."""
    ages = [(a, a + 4) for a in range(0, 95, 5)] + [(95, None)]
    shape = np.array([6, 6, 6, 6, 6.5, 7, 7, 7, 7, 7, 7, 6.5, 6, 5.5, 5, 3.5, 2.5, 1.5, 0.7, 0.2])
    rows = []
    for code, total in zip(codes, totals):
        weights = shape * rng.uniform(0.85, 1.15, len(shape))
        male = np.floor(total * 0.495 * weights / weights.sum()).astype(int)
        female = np.floor(total * 0.505 * weights / weights.sum()).astype(int)
        female[5] += int(total) - male.sum() - female.sum()
        row = {"nhse_ccg_code": code, "ons_ccg_code": f"E3899{codes.index(code):04d}", "total_all": int(total),
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
