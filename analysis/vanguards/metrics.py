"""Growth in emergency admissions by vanguard cohort, with intervals from a bootstrap over CCGs.

Cohorts come from the cohort file (every vanguard type, each row cited). A CCG belongs
to the first chosen type that lists it; CCGs in any other vanguard (care homes, urgent
and emergency care, acute care collaborations, or a type not chosen) leave the
comparison; the rest of England is the CCGs in no vanguard at all (`000` line 510:
"the non-vanguard rest of England").

Growth is (admissions in the recent window / population) over (admissions in the
baseline window / population), minus one, each window with its own registered
population where the data has a snapshot dated inside it. With one snapshot for both
windows the population cancels: the measure is growth in admissions, and it is named so.

Intervals (95%) come from a bootstrap over CCGs: each cohort's CCGs are drawn with
replacement (2,000 draws, seeded, so a page is the same each time it is built) and the
growth recomputed; the interval is the 2.5th to 97.5th percentile of the draws. The
difference from the rest of England draws both groups independently. This reflects how
much CCGs differ from each other, which Poisson noise on hundreds of thousands of
admissions does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..completeness import Periods, check_runs_on, refuse_cut_short
from ..errors import DataError, ParameterError
from ..sources import DATA_DIR

REST = "Rest of England"
OTHER = "Other vanguards"
TYPES = {"PACS": "integrated primary and acute care systems", "MCP": "multispecialty community providers",
         "EHCH": "enhanced health in care homes", "UEC": "urgent and emergency care",
         "ACC": "acute care collaborations"}
COHORT_FILE = DATA_DIR / "reference" / "vanguard_cohort.csv"
SAMPLE_COHORT_FILE = DATA_DIR / "bundled" / "mar" / "vanguard_cohort_SAMPLE.csv"
SUCCESSORS_FILE = DATA_DIR / "reference" / "ccg_successors.csv"
DRAWS = 2000
Z95 = 1.959964
SEED = 20161231


def read_cohort(path=COHORT_FILE) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("vanguard", "type", "ccg_code", "part_of_ccg", "source"):
        if column not in table.columns:
            raise DataError(path, f"lacks column '{column}'", row=1, column=column)
    checks = [("source", table["source"].str.strip() == "", "every entry needs its source"),
              ("type", ~table["type"].isin(list(TYPES)), f"the type must be one of {', '.join(TYPES)}"),
              ("part_of_ccg", ~table["part_of_ccg"].isin(["yes", "no"]), "part_of_ccg must be yes or no"),
              ("ccg_code", table.duplicated(["vanguard", "ccg_code"]), "the CCG is listed twice for this vanguard")]
    for column, bad, message in checks:
        if bad.any():
            raise DataError(path, message, row=int(bad.idxmax()) + 2, column=column)
    return table


def successors() -> dict[str, str]:
    """Each predecessor CCG's code to its successor's (data/reference/ccg_successors.csv)."""
    table = pd.read_csv(SUCCESSORS_FILE, dtype=str)
    return dict(zip(table["old_code"], table["new_code"]))


def monthly_by_ccg(admissions: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Admissions by month (rows) and CCG (columns), predecessor CCGs added into their successors."""
    successor = successors()
    codes = admissions["ccg_code"].map(lambda c: successor.get(c, c))
    unknown = ~codes.isin(population.index)
    if unknown.any():
        first = admissions.loc[unknown].iloc[0]
        raise DataError(first["source_file"], f"CCG code {first['ccg_code']} is not in the population file",
                        row=int(first["source_row"]), column="Org Code")
    table = admissions.assign(ccg=codes).pivot_table(index="month", columns="ccg", values="non_elective",
                                                     aggfunc="sum")
    return table.sort_index()


def assign(codes, cohort: pd.DataFrame, chosen: list[str], partial: bool = True) -> pd.Series:
    """Each CCG's cohort: the first chosen type that lists it (only wholly covered entries when
    `partial` is False), OTHER when any vanguard lists it, else REST."""
    listed = set(cohort["ccg_code"])
    counted = cohort if partial else cohort[cohort["part_of_ccg"] == "no"]
    types: dict = {}
    for code, kind in zip(counted["ccg_code"], counted["type"]):
        types.setdefault(code, set()).add(kind)
    out = {}
    for code in codes:
        found = next((t for t in chosen if t in types.get(code, ())), None)
        out[code] = found or (OTHER if code in listed else REST)
    return pd.Series(out, dtype=object)


def window_months(first: str, last: str, name: str, available) -> pd.PeriodIndex:
    try:
        months = pd.period_range(pd.Period(first, "M"), pd.Period(last, "M"), freq="M")
    except (ValueError, TypeError):
        raise ParameterError(name, f"'{first}' to '{last}' is not a pair of months like 2016-01") from None
    if len(months) == 0:
        raise ParameterError(name, f"the window {first} to {last} runs backwards")
    missing = [m for m in months if m not in set(available)]
    if missing:
        raise ParameterError(name, f"the window {first} to {last} is not all in the data (missing "
                                   f"{', '.join(str(m) for m in missing[:3])}{' ...' if len(missing) > 3 else ''})")
    return months


def window_totals(monthly: pd.DataFrame, spans: dict) -> pd.DataFrame:
    """Each CCG's admissions summed over each window (rows CCGs, columns window names)."""
    return pd.DataFrame({name: monthly.loc[monthly.index.isin(list(span))].sum(min_count=1)
                         for name, span in spans.items()})


def _ratio(a, b, pa, pb):
    """Growth ratio (b / pb) / (a / pa) for arrays of draws; NaN where a draw has no baseline."""
    denominator = a * pb
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, b * pa / safe, np.nan)


def _draws(group: pd.DataFrame, baseline: str, seed: int) -> np.ndarray:
    n = len(group)
    pick = np.random.default_rng([SEED, seed]).integers(0, n, size=(DRAWS, n))
    columns = [group[c].to_numpy(dtype=float)[pick].sum(axis=1)
               for c in (baseline, "recent", "population_" + baseline, "population_recent")]
    return 100 * (_ratio(*columns) - 1)


def _window_table(totals: pd.DataFrame, populations: dict, baseline: str) -> pd.DataFrame:
    """Each CCG's admissions and population in the baseline and recent windows."""
    table = totals[[baseline, "recent"]].copy()
    table["population_" + baseline] = populations[baseline].reindex(table.index)
    table["population_recent"] = populations["recent"].reindex(table.index)
    return table


def pooled_growth(totals: pd.DataFrame, populations: dict, baseline: str, codes) -> tuple[float, int]:
    """Growth of the CCGs `codes` taken together, computed as `growth_table` computes a cohort's
    (CCGs lacking a window's admissions or population left out, as there), and how many CCGs."""
    table = _window_table(totals, populations, baseline).reindex(codes).dropna()
    ratio = _ratio(*(float(table[c].sum()) for c in (baseline, "recent", "population_" + baseline,
                                                       "population_recent")))
    return 100 * (float(ratio) - 1), len(table)


def growth_table(totals: pd.DataFrame, cohorts: pd.Series, populations: dict, baseline: str,
                 label: str) -> pd.DataFrame:
    """Per cohort (OTHER left out): CCGs, admissions and population in each window, rates per 1,000,
    growth and its bootstrap interval, and the difference from the rest of England with its interval."""
    table = _window_table(totals, populations, baseline)
    table["cohort"] = cohorts.reindex(table.index)
    table = table[table["cohort"].notna() & (table["cohort"] != OTHER)].dropna()
    names = sorted(set(table["cohort"]), key=lambda n: (n == REST, n))
    if REST not in names:
        raise DataError("vanguard cohort", "no CCG is left in the rest of England to compare with")
    draws = {name: _draws(table[table["cohort"] == name], baseline, i) for i, name in enumerate(names)}
    rows = []
    for name in names:
        mine = table[table["cohort"] == name]
        a, b = float(mine[baseline].sum()), float(mine["recent"].sum())
        pa, pb = float(mine["population_" + baseline].sum()), float(mine["population_recent"].sum())
        if a <= 0 or pa <= 0 or pb <= 0:
            raise DataError("monthly activity return", f"{name} has no admissions or no population in the "
                                                       f"window {label}")
        growth = 100 * (float(_ratio(a, b, pa, pb)) - 1)
        low, high = np.nanpercentile(draws[name], [2.5, 97.5])
        row = {"baseline": label, "cohort": name, "ccgs": len(mine), "admissions_baseline": a,
               "admissions_recent": b, "population": pb, "rate_baseline": 1000 * a / pa,
               "rate_recent": 1000 * b / pb, "growth": growth, "growth_low": float(low), "growth_high": float(high),
               "difference": np.nan, "difference_low": np.nan, "difference_high": np.nan}
        if name != REST:
            gap = draws[name] - draws[REST]
            rest = table[table["cohort"] == REST]
            rest_growth = 100 * (float(_ratio(rest[baseline].sum(), rest["recent"].sum(),
                                              rest["population_" + baseline].sum(),
                                              rest["population_recent"].sum())) - 1)
            row["difference"] = growth - rest_growth
            row["difference_low"], row["difference_high"] = (float(v) for v in np.nanpercentile(gap, [2.5, 97.5]))
        rows.append(row)
    return pd.DataFrame(rows)


def monthly_index(monthly: pd.DataFrame, cohorts: pd.Series, population: pd.Series, baseline) -> pd.DataFrame:
    """Monthly admissions per 1,000 people by cohort, and as an index (baseline window mean = 100)."""
    keep = [c for c in monthly.columns if cohorts.get(c) not in (None, OTHER)]
    long = monthly[keep].stack().rename("non_elective").reset_index()
    long["cohort"] = long["ccg"].map(cohorts)
    people = population.reindex(keep).groupby(cohorts.reindex(keep)).sum()
    table = long.groupby(["cohort", "month"], as_index=False)["non_elective"].sum()
    table["per_1000"] = 1000 * table["non_elective"] / table["cohort"].map(people)
    base = table[table["month"].isin(list(baseline))].groupby("cohort")["per_1000"].mean()
    table["index"] = 100 * table["per_1000"] / table["cohort"].map(base)
    return table


AGES_PERIODS = Periods("admissions by age", organisation=("ccg_code",), volume="admissions", noun="CCGs")
"""Each month of the ages file against the months around it (`analysis.completeness`)."""


def read_ages(path) -> pd.DataFrame:
    """Admissions by CCG, month and age band (the sample's layout: month, ccg_code, age_band, admissions),
    checked whole: a last line with its line end, months that run on, each month like its neighbours."""
    from ..schema import parse_numbers, read_text_csv

    refuse_cut_short(path)
    raw = read_text_csv(path, ["month", "ccg_code", "age_band", "admissions"])
    rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
    months = pd.PeriodIndex(pd.to_datetime(raw["month"], format="%Y-%m", errors="coerce"), freq="M")
    if months.isna().any():
        first = int(months.isna().argmax())
        raise DataError(path, f"value {raw['month'].iloc[first]!r} is not a month like 2016-01", row=first + 2,
                        column="month")
    admissions, _ = parse_numbers(raw["admissions"], "admissions", path, rows)
    table = pd.DataFrame({"month": months, "ccg_code": raw["ccg_code"].str.strip().str.upper(),
                          "age_band": raw["age_band"].str.strip(), "admissions": admissions,
                          "source_file": str(path), "source_row": rows})
    check_runs_on(sorted(table["month"].unique()), path)
    return AGES_PERIODS.check(table)


def age_growth(ages: pd.DataFrame, cohorts: pd.Series, baseline, recent, label: str) -> pd.DataFrame:
    """Growth in admissions by age band and cohort, with Poisson intervals (the ages file is the
    handbook's own layout and has no population by age, so this is growth in admissions)."""
    table = ages.assign(cohort=ages["ccg_code"].map(cohorts))
    table = table[table["cohort"].notna() & (table["cohort"] != OTHER)]
    a = table[table["month"].isin(list(baseline))].groupby(["cohort", "age_band"])["admissions"].sum()
    b = table[table["month"].isin(list(recent))].groupby(["cohort", "age_band"])["admissions"].sum()
    out = pd.DataFrame({"baseline": label, "admissions_baseline": a, "admissions_recent": b}).reset_index()
    out = out[out["admissions_baseline"] > 0]
    ratio = out["admissions_recent"] / out["admissions_baseline"]
    se = (1 / out["admissions_baseline"] + 1 / out["admissions_recent"].clip(lower=1)).pow(0.5)
    out["growth"] = 100 * (ratio - 1)
    out["growth_low"] = 100 * (ratio * np.exp(-Z95 * se) - 1)
    out["growth_high"] = 100 * (ratio * np.exp(Z95 * se) - 1)
    return out
