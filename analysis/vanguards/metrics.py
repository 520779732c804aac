"""Growth in emergency admissions per head by vanguard cohort, with intervals.

Per capita rates use one registered-population snapshot for both windows, so a cohort's
per capita growth equals the growth of its admissions count: population change between
the windows is not adjusted for, and the page says so. Intervals treat each window's
admissions as a Poisson count: the growth ratio b/a has a log-scale standard error of
sqrt(1/a + 1/b) (a 95% interval exp(log(b/a) +/- 1.96 se) - 1), and the difference
between two cohorts' growth rates takes its standard error from the delta method,
sqrt(r1^2 (1/a1 + 1/b1) + r2^2 (1/a2 + 1/b2)) with r = b/a.
"""

from __future__ import annotations

import math

import pandas as pd

from ..errors import DataError, ParameterError
from ..sources import DATA_DIR

REST = "Rest of England"
Z95 = 1.959964
COHORT_FILE = DATA_DIR / "reference" / "vanguard_cohort.csv"
SUCCESSORS_FILE = DATA_DIR / "reference" / "ccg_successors.csv"


def read_cohort(path=COHORT_FILE) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("vanguard", "type", "ccg_code", "part_of_ccg", "source"):
        if column not in table.columns:
            raise DataError(path, f"lacks column '{column}'", row=1, column=column)
    missing = table["source"].str.strip() == ""
    if missing.any():
        raise DataError(path, "every entry needs its source", row=int(missing.idxmax()) + 2, column="source")
    twice = table.duplicated("ccg_code")
    if twice.any():
        first = twice.idxmax()
        raise DataError(path, f"CCG {table.at[first, 'ccg_code']} is in two vanguards", row=first + 2, column="ccg_code")
    return table


def cohort_of(admissions: pd.DataFrame, cohort: pd.DataFrame, population: pd.Series) -> pd.Series:
    """Each admissions row's cohort (vanguard type, or rest of England), after CCG mergers."""
    successors = pd.read_csv(SUCCESSORS_FILE, dtype=str).set_index("old_code")["new_code"]
    codes = admissions["ccg_code"].map(lambda c: successors.get(c, c))
    unknown = ~codes.isin(population.index)
    if unknown.any():
        first = admissions.loc[unknown].iloc[0]
        raise DataError(first["source_file"], f"CCG code {first['ccg_code']} is not in the population file",
                        row=int(first["source_row"]), column="Org Code")
    types = cohort.set_index("ccg_code")["type"]
    return codes.map(lambda c: types.get(c, REST))


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


def growth_table(admissions: pd.DataFrame, cohorts: pd.Series, population: pd.Series, cohort: pd.DataFrame,
                 baseline, recent, label: str) -> pd.DataFrame:
    """Admissions per 1,000 people in each window, growth and its 95% interval, per cohort."""
    people = population.groupby(population.index.map(lambda c: cohort.set_index("ccg_code")["type"].get(c, REST))).sum()
    rows = []
    for name in sorted(set(cohorts), key=lambda n: (n == REST, n)):
        mine = admissions[cohorts == name]
        a = float(mine.loc[mine["month"].isin(list(baseline)), "non_elective"].sum())
        b = float(mine.loc[mine["month"].isin(list(recent)), "non_elective"].sum())
        ratio = b / a
        se = math.sqrt(1 / a + 1 / b)
        rows.append({"baseline": label, "cohort": name, "admissions_baseline": a, "admissions_recent": b,
                     "population": float(people.get(name, float("nan"))),
                     "rate_baseline": 1000 * a / people.get(name), "rate_recent": 1000 * b / people.get(name),
                     "growth": 100 * (ratio - 1), "growth_low": 100 * (ratio * math.exp(-Z95 * se) - 1),
                     "growth_high": 100 * (ratio * math.exp(Z95 * se) - 1), "variance": ratio ** 2 * (1 / a + 1 / b)})
    table = pd.DataFrame(rows)
    rest = table.set_index("cohort").loc[REST]
    table["difference"] = table["growth"] - rest["growth"]
    spread = 100 * Z95 * (table["variance"] + rest["variance"]).pow(0.5)
    table["difference_low"] = table["difference"] - spread
    table["difference_high"] = table["difference"] + spread
    table.loc[table["cohort"] == REST, ["difference", "difference_low", "difference_high"]] = float("nan")
    return table.drop(columns="variance")


def monthly_index(admissions: pd.DataFrame, cohorts: pd.Series, population: pd.Series, cohort: pd.DataFrame,
                  baseline) -> pd.DataFrame:
    """Monthly admissions per 1,000 people by cohort, and as an index (baseline window mean = 100)."""
    people = population.groupby(population.index.map(lambda c: cohort.set_index("ccg_code")["type"].get(c, REST))).sum()
    monthly = admissions.assign(cohort=cohorts.values).groupby(["cohort", "month"], as_index=False)["non_elective"].sum()
    monthly["per_1000"] = 1000 * monthly["non_elective"] / monthly["cohort"].map(people)
    base = monthly[monthly["month"].isin(list(baseline))].groupby("cohort")["per_1000"].mean()
    monthly["index"] = 100 * monthly["per_1000"] / monthly["cohort"].map(base)
    return monthly


def read_ages(path) -> pd.DataFrame:
    """Admissions by CCG, month and age band (the sample's layout: month, ccg_code, age_band, admissions)."""
    from ..schema import parse_numbers, read_text_csv

    raw = read_text_csv(path, ["month", "ccg_code", "age_band", "admissions"])
    rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
    months = pd.PeriodIndex(pd.to_datetime(raw["month"], format="%Y-%m", errors="coerce"), freq="M")
    if months.isna().any():
        first = int(months.isna().argmax())
        raise DataError(path, f"value {raw['month'].iloc[first]!r} is not a month like 2016-01", row=first + 2,
                        column="month")
    admissions, _ = parse_numbers(raw["admissions"], "admissions", path, rows)
    return pd.DataFrame({"month": months, "ccg_code": raw["ccg_code"].str.strip().str.upper(),
                         "age_band": raw["age_band"].str.strip(), "admissions": admissions})


def age_growth(ages: pd.DataFrame, cohort: pd.DataFrame, baseline, recent, label: str) -> pd.DataFrame:
    """Growth in admissions by age band and cohort (one population snapshot: count growth)."""
    types = cohort.set_index("ccg_code")["type"]
    table = ages.assign(cohort=ages["ccg_code"].map(lambda c: types.get(c, REST)))
    a = table[table["month"].isin(list(baseline))].groupby(["cohort", "age_band"])["admissions"].sum()
    b = table[table["month"].isin(list(recent))].groupby(["cohort", "age_band"])["admissions"].sum()
    out = pd.DataFrame({"baseline": label, "admissions_baseline": a, "admissions_recent": b}).reset_index()
    ratio = out["admissions_recent"] / out["admissions_baseline"]
    se = (1 / out["admissions_baseline"] + 1 / out["admissions_recent"]).pow(0.5)
    out["growth"] = 100 * (ratio - 1)
    out["growth_low"] = 100 * (ratio * (-Z95 * se).map(math.exp) - 1)
    out["growth_high"] = 100 * (ratio * (Z95 * se).map(math.exp) - 1)
    return out
