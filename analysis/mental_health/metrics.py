"""Measures for early intervention in psychosis and dementia diagnosis.

EIP: performance is completed pathways that started treatment within two weeks over all
completed pathways, each summed over providers and CCGs first (rows with a suppressed
count are left out, and counted). Providers are compared over the whole year, in a
funnel around England's rate for the year (see `funnel`).

Dementia: the file gives rates only (no numbers diagnosed, no estimated prevalence), so
England's rate is read from its own row, not computed from the local authorities, and
the local authorities are shown as a distribution, never ranked.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..periods import FinancialYear, month_label, years_covered
from .. import funnel

EIP_STANDARD = 50.0
"""At least 50% start treatment within two weeks of referral: `000_5311d35d774c4b17.txt` line 153."""
DEMENTIA_AMBITION = 200 / 3
"""Two thirds of people with dementia diagnosed: `000_5311d35d774c4b17.txt` lines 157 and 175."""


@dataclass(frozen=True)
class MentalHealthData:
    """The chapter's data, as `load` reads it: the EIP waiting times (every file, one table) and the
    dementia diagnosis rates (None when no file is there; the page then says so)."""
    eip: pd.DataFrame
    dementia: pd.DataFrame | None


def completed(table: pd.DataFrame) -> pd.DataFrame:
    """Completed pathway rows with both counts present."""
    rows = table[table["kind"] == "completed"]
    return rows[rows["total"].notna() & rows["within_two_weeks"].notna()]


def eip_coverage(table: pd.DataFrame) -> list[FinancialYear]:
    return years_covered(set(completed(table)["month"]))


def percent(rows: pd.DataFrame) -> float:
    return float(100 * rows["within_two_weeks"].sum() / rows["total"].sum())


def eip_monthly(table: pd.DataFrame, months) -> pd.DataFrame:
    """England's completed pathways within two weeks by month, summed over providers and CCGs."""
    rows = completed(table)
    rows = rows[rows["month"].isin(list(months))]
    sums = rows.groupby("month", as_index=False)[["within_two_weeks", "total"]].sum()
    sums["percent"] = 100 * sums["within_two_weeks"] / sums["total"]
    sums["providers"] = rows.groupby("month")["provider_code"].nunique().to_numpy()
    return sums


def eip_monthly_by_provider(table: pd.DataFrame, months) -> pd.DataFrame:
    """Each provider's completed pathways within two weeks by month (provider_code, month,
    within_two_weeks, total, percent): `eip_monthly` of every provider's rows at once."""
    rows = completed(table)
    rows = rows[rows["month"].isin(list(months))]
    sums = rows.groupby(["provider_code", "month"], as_index=False)[["within_two_weeks", "total"]].sum()
    sums["percent"] = 100 * sums["within_two_weeks"] / sums["total"]
    return sums


def eip_month(table: pd.DataFrame, month: pd.Period) -> dict:
    """One month's national figure: within two weeks, completed pathways and the percentage."""
    row = eip_monthly(table, [month]).iloc[0]
    return {"month": month, "within_two_weeks": float(row["within_two_weeks"]), "total": float(row["total"]),
            "percent": float(row["percent"]), "providers": int(row["providers"])}


def eip_spc_series(table: pd.DataFrame, year: FinancialYear, months: int = 36) -> pd.Series:
    """England's monthly percentage for an XmR chart: up to `months` ending with the year, from the first month."""
    window = pd.period_range(year.last_month - months + 1, year.last_month, freq="M")
    series = eip_monthly(table, window).set_index("month")["percent"]
    series.index = pd.PeriodIndex(series.index, freq="M")
    return series.rename("percent")


def eip_gap_sentence(table: pd.DataFrame, months) -> str:
    """Providers that sent no rows for a month of `months` though they reported in the months around it.

    Larger gaps are refused when the file is read (`readers.EIP_PERIODS`); the real file has one
    small one (a provider in December 2015, the collection's first month)."""
    from ..completeness import gap_sentence
    from .readers import EIP_PERIODS

    return gap_sentence(EIP_PERIODS.gaps(table), EIP_PERIODS, months, who="provider", volume_noun="pathways")


def suppressed_rows(table: pd.DataFrame, year: FinancialYear) -> int:
    rows = table[(table["kind"] == "completed") & table["month"].isin(list(year.months()))]
    return int(rows["suppressed"].sum())


def eip_providers(table: pd.DataFrame, year: FinancialYear) -> tuple[pd.DataFrame, dict]:
    """Each provider's completed pathways over the year, placed in the funnel around England's rate.

    Returns the provider table (volume beside rate, sorted by volume; a rank only for
    providers at or above the threshold) and a summary: England's rate, the threshold and
    counts of providers by position.
    """
    rows = completed(table)
    rows = rows[rows["month"].isin(list(year.months()))]
    names = rows.sort_values("month").groupby("provider_code")["provider_name"].last()
    sums = rows.groupby("provider_code", as_index=False)[["within_two_weeks", "total"]].sum()
    sums = sums[sums["total"] > 0]
    england = float(sums["within_two_weeks"].sum() / sums["total"].sum())
    organisations = pd.DataFrame({"provider_code": sums["provider_code"],
                                  "provider_name": sums["provider_code"].map(names),
                                  "numerator": sums["within_two_weeks"].astype(int), "volume": sums["total"].astype(int),
                                  "rate": 100 * sums["within_two_weeks"] / sums["total"]})
    compared, summary = funnel.assess(organisations, england)
    compared["meets_standard"] = compared["rate"] >= EIP_STANDARD
    summary["below_standard"] = int((~compared["meets_standard"]).sum())
    return compared, summary


def eip_result(month: pd.Period) -> str:
    """The EIP figure in words, for a headline result: its denominator is completed pathways, people who
    started treatment in the month."""
    return (f"of people starting treatment for a first episode of psychosis in {month_label(month)} "
            "(completed pathways) had waited two weeks or less since referral")


def dementia_result(calendar_year: int) -> str:
    """The dementia figure in words, for a headline result: a share of the estimated number with dementia, for
    the calendar year the file labels it with (not a month)."""
    return (f"of the estimated number of people aged 65 and over with dementia had a diagnosis, the file's value "
            f"for calendar {calendar_year}")


def dementia_year(year: FinancialYear) -> int:
    """The calendar year of the file's value used for a financial year: the year it ends in."""
    return year.start_year + 1


def dementia_england(table: pd.DataFrame | None, calendar_year: int) -> float | None:
    """England's rate for the calendar year from its own row; None when there is no file (`table` None),
    no row or no value."""
    if table is None:
        return None
    rows = table[(table["area_type"] == "England") & (table["year"] == calendar_year)]
    if rows.empty or rows["value"].isna().all():
        return None
    return float(rows["value"].iloc[0])


def dementia_areas(table: pd.DataFrame, calendar_year: int) -> tuple[pd.DataFrame, dict]:
    """The local authorities' rates for a year (no ranking) and a summary of their spread."""
    rows = table[(table["year"] == calendar_year) & ~table["area_type"].isin(["England", "other area"])]
    known = rows[rows["value"].notna()]
    values = known["value"]
    summary = {"areas": len(rows), "with_value": len(known), "missing": int(rows["value"].isna().sum()),
               "at_or_above_ambition": int((values >= DEMENTIA_AMBITION).sum()),
               "median": float(values.median()) if len(values) else None,
               "lowest": float(values.min()) if len(values) else None,
               "highest": float(values.max()) if len(values) else None,
               "quartiles": (float(values.quantile(0.25)), float(values.quantile(0.75))) if len(values) else None,
               "significance": known["significance"].value_counts().to_dict(),
               "other_areas": int(((table["year"] == calendar_year) & (table["area_type"] == "other area")).sum())}
    shown = rows[["area_code", "area_name", "area_type", "value", "significance"]].sort_values("area_name")
    return shown.reset_index(drop=True), summary
