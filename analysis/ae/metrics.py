"""A&E four-hour measures: performance is 1 - breaches / attendances, summed first."""

from __future__ import annotations

import pandas as pd

from .. import funnel
from ..periods import FinancialYear, years_covered

STANDARD = 95.0


def in_year(table: pd.DataFrame, year: FinancialYear) -> pd.DataFrame:
    return table[table["month"].isin(list(year.months()))]


def coverage(table: pd.DataFrame) -> list[FinancialYear]:
    return years_covered(set(table["month"]))


def performance(rows: pd.DataFrame) -> float:
    """Percentage of attendances within four hours."""
    return within_four_hours(rows["breaches"].sum(), rows["attendances"].sum())


def within_four_hours(breaches, attendances):
    """Percentage within four hours from summed breaches and attendances (numbers or aligned Series)."""
    return 100 * (1 - breaches / attendances)


def england(table: pd.DataFrame, year: FinancialYear) -> dict:
    """England's four-hour performance for the year, all types and type 1 alone."""
    rows = in_year(table, year)
    return {"all_types": float(performance(rows)), "type_1": float(performance(rows[rows["type"] == "1"])),
            "attendances": float(rows["attendances"].sum()), "breaches": float(rows["breaches"].sum()),
            "admissions": float(rows["admissions"].sum())}


def monthly(table: pd.DataFrame, year: FinancialYear) -> pd.DataFrame:
    """England's performance by month, all types and type 1."""
    rows = in_year(table, year)
    out = []
    for month, group in rows.groupby("month"):
        out.append({"month": month, "attendances": float(group["attendances"].sum()),
                    "breaches": float(group["breaches"].sum()), "all_types": float(performance(group)),
                    "type_1": float(performance(group[group["type"] == "1"]))})
    return pd.DataFrame(out)


def providers(table: pd.DataFrame, year: FinancialYear) -> pd.DataFrame:
    """Each provider's performance over the year (all its department types), largest first."""
    rows = in_year(table, year)
    rows = rows.assign(type_1_attendances=rows["attendances"].where(rows["type"] == "1", 0))
    sums = rows.groupby("org_code", as_index=False).agg(
        org_name=("org_name", "first"), attendances=("attendances", "sum"), breaches=("breaches", "sum"),
        type_1_attendances=("type_1_attendances", "sum"))
    sums["performance"] = 100 * (1 - sums["breaches"] / sums["attendances"])
    sums["met"] = sums["performance"] >= STANDARD
    sums["has_type_1"] = sums["type_1_attendances"] > 0
    return sums.sort_values("attendances", ascending=False).reset_index(drop=True)


def provider_funnel(table: pd.DataFrame, year: FinancialYear) -> tuple[pd.DataFrame, dict]:
    """Each provider's year of type 1 (major A&E department) attendances in the funnel around
    England's type 1 four-hour rate: like with like, since minor injury units and walk-in
    centres (types 2 and 3) see other patients and nearly all meet 95%.

    `funnel.assess`'s table (largest first; a rank only at or above the threshold number of
    attendances) with `org_name`, the provider's performance over all its department types
    (`all_types`) and whether that met the standard (`met`), and its summary.
    """
    rows = in_year(table, year)
    type_1 = rows[rows["type"] == "1"].groupby("org_code", as_index=False)[["attendances", "breaches"]].sum()
    type_1 = type_1[type_1["attendances"] > 0]
    every = providers(table, year).set_index("org_code")
    organisations = pd.DataFrame({
        "org_code": type_1["org_code"], "org_name": every.loc[type_1["org_code"], "org_name"].to_numpy(),
        "numerator": type_1["attendances"] - type_1["breaches"], "volume": type_1["attendances"],
        "rate": 100 * (1 - type_1["breaches"] / type_1["attendances"]),
        "all_types": every.loc[type_1["org_code"], "performance"].to_numpy(),
        "met": every.loc[type_1["org_code"], "met"].to_numpy()})
    return funnel.assess(organisations, float(1 - type_1["breaches"].sum() / type_1["attendances"].sum()))


def provider_monthly(table: pd.DataFrame, year: FinancialYear, type_1: bool = False) -> pd.DataFrame:
    """Each provider's four-hour `performance` by month of the year (all its types, or type 1 alone)."""
    rows = in_year(table, year)
    if type_1:
        rows = rows[rows["type"] == "1"]
    rows = rows[rows["attendances"] > 0]
    sums = rows.groupby(["org_code", "month"])[["breaches", "attendances"]].sum()
    out = within_four_hours(sums["breaches"], sums["attendances"])
    return out.rename("performance").reset_index().sort_values(["org_code", "month"])


def funnel_sentence(summary: dict, providers: int) -> str:
    """What the type 1 funnel holds, its ranking threshold and its spread, in words."""
    return (f"The funnel holds the {summary['providers']} providers with a type 1 department (of the {providers} "
            f"in the data), centred on England's type 1 rate for the year, {summary['england']:.1f}%. The ranking "
            f"threshold is {summary['threshold']:,} type 1 attendances; "
            + (f"all {summary['providers']} reach it. " if summary["ranked"] == summary["providers"] else
               f"{summary['ranked']} of the {summary['providers']} reach it. ") + funnel.spread_sentence(summary))


def provider_table(compared: pd.DataFrame, summary: dict) -> pd.DataFrame:
    """`provider_funnel`'s table for the page: type 1 attendances beside type 1 performance, rank only
    when there are enough, and each provider's performance over all its types against the standard."""
    unranked = f"not ranked (fewer than {summary['threshold']:,} type 1 attendances)"
    return pd.DataFrame({
        "Rank": [unranked if pd.isna(r) else f"{int(r)} of {summary['ranked']}" for r in compared["rank"]],
        "Provider": compared["org_code"], "Name": compared["org_name"],
        "Type 1 attendances": compared["volume"].map(lambda v: f"{v:,.0f}"),
        "Type 1 within four hours": compared["numerator"].map(lambda v: f"{v:,.0f}"),
        "Type 1 performance": compared["rate"].map(lambda v: f"{v:.1f}%"),
        "Against England's type 1 rate": compared["position"],
        "All types performance": compared["all_types"].map(lambda v: f"{v:.1f}%"),
        f"Met {STANDARD:.0f}% (all types)": compared["met"].map({True: "yes", False: "no"}),
    })


def growth(table: pd.DataFrame, year: FinancialYear) -> dict | None:
    """Attendances and admissions growth on the previous year, when both years are complete."""
    years = coverage(table)
    if year.previous() not in years or year not in years:
        return None
    this, last = england(table, year), england(table, year.previous())
    return {"attendances": 100 * (this["attendances"] / last["attendances"] - 1),
            "admissions": 100 * (this["admissions"] / last["admissions"] - 1),
            "previous_attendances": last["attendances"], "previous_admissions": last["admissions"],
            "previous_all_types": last["all_types"]}


def growth_sentence(table: pd.DataFrame, year: FinancialYear) -> str:
    """Attendances and admissions growth in words, or why the data cannot give it."""
    change = growth(table, year)
    previous = year.previous().label
    if change is None:
        return (f"The data does not hold all of {previous}, so growth on the previous year is not "
                "computed.")
    def word(value):
        return f"rose {value:.1f}%" if value >= 0 else f"fell {-value:.1f}%"
    return (f"Attendances {word(change['attendances'])} on {previous} and emergency admissions via A&E "
            f"{word(change['admissions'])}; performance was {change['previous_all_types']:.1f}% in {previous}.")


def spc_series(table: pd.DataFrame, year: FinancialYear, months: int = 36) -> pd.Series:
    """England's monthly four-hour performance for an SPC chart, up to `months` ending with the year."""
    window = pd.period_range(year.last_month - months + 1, year.last_month, freq="M")
    rows = table[table["month"].isin(list(window))]
    series = rows.groupby("month").apply(performance, include_groups=False)
    series.index = pd.PeriodIndex(series.index, freq="M")
    return series.rename("performance")


def gap_sentence(table: pd.DataFrame, year: FinancialYear) -> str:
    """The months of the year in which providers present around them sent no rows, in words.

    Larger gaps are refused when the files are read (`readers.PERIODS`); those left are small
    and real (a provider that did not submit one month) and are said on the page.
    """
    from ..completeness import gap_sentence
    from .readers import PERIODS, gaps

    return gap_sentence(gaps(table), PERIODS, year.months(), who="provider", volume_noun="attendances")


def delayed_beds_control(delays: pd.DataFrame, year: FinancialYear) -> pd.DataFrame | None:
    """Delayed days per day of the month (`dtoc.spc_series` of the DTOC file's `delays`) as an XmR
    table, lower being better; None when the file holds fewer than two months up to the year."""
    from .. import dtoc, spc

    series = dtoc.spc_series(delays, year)
    if len(series) < 2:
        return None
    return spc.xmr(series, "decrease", recalculate_at_shifts=True)
