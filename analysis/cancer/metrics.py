"""Cancer waiting-time measures.

Performance is always the sum of patients treated within the standard over the sum of
patients treated (over providers and months), never a mean of providers' percentages.
A standard's year is taken from the provider files when they hold all twelve months
for it, else from the national series when that does, else it is reported as
incomplete, with the months present; it is never summed from a part year.
"""

from __future__ import annotations

import pandas as pd

from ..page import count_text
from ..periods import FinancialYear, month_label
from .readers import ENGLAND
from .standards import catalogue, threshold, with_thresholds

PROVIDER_FILES = "provider files"
NATIONAL_SERIES = "national series"
INCOMPLETE = "incomplete"


def provider_rows(provider: pd.DataFrame, standard: str, months=None,
                  organisation: str | None = None) -> pd.DataFrame:
    """All-care rows of one standard by provider (not the England rows), optionally filtered."""
    rows = provider[(provider["standard"] == standard) & (provider["care_setting"] == "all")
                    & (provider["organisation"] != ENGLAND)]
    if months is not None:
        rows = rows[rows["month"].isin(list(months))]
    if organisation:
        rows = rows[rows["organisation"] == organisation]
    return rows


def _national_rows(national: pd.DataFrame, standard: str, months) -> pd.DataFrame:
    return national[(national["standard"] == standard) & national["month"].isin(list(months))]


def year_totals(provider: pd.DataFrame, national: pd.DataFrame, standard: str,
                year: FinancialYear) -> dict:
    """Within, total and performance for one standard and year, with the source used."""
    months = list(year.months())
    from_providers = provider_rows(provider, standard, months)
    present = sorted(set(from_providers["month"]))
    if len(present) == 12:
        rows, source = from_providers, PROVIDER_FILES
    else:
        from_national = _national_rows(national, standard, months)
        national_present = sorted(set(from_national["month"]))
        if len(national_present) == 12:
            rows, source, present = from_national, NATIONAL_SERIES, national_present
        else:
            present = max(present, national_present, key=len)
            return {"within": None, "total": None, "performance": None, "source": INCOMPLETE,
                    "months": len(present), "suppressed_rows": 0,
                    "note": _incomplete_note(present)}
    counted = rows[rows["suppressed"] != "yes"]
    within, total = float(counted["within"].sum()), float(counted["total"].sum())
    suppressed = int((rows["suppressed"] == "yes").sum())
    return {"within": within, "total": total,
            "performance": 100 * within / total if total else None, "source": source,
            "months": 12, "suppressed_rows": suppressed,
            "note": f"{suppressed} suppressed row(s) left out" if suppressed else ""}


def _incomplete_note(present) -> str:
    if not present:
        return "no months of this year in the data"
    return (f"only {len(present)} of 12 months in the data "
            f"({month_label(present[0])} to {month_label(present[-1])}); not summed")


def standards_table(provider: pd.DataFrame, national: pd.DataFrame, year: FinancialYear) -> pd.DataFrame:
    """One row per standard for the year: threshold, within, total, performance, met, source."""
    rows = []
    for key, entry in catalogue().iterrows():
        totals = year_totals(provider, national, key, year)
        limit = threshold(key)
        met = None
        if limit is not None and totals["performance"] is not None:
            met = bool(totals["performance"] >= limit)
        rows.append({"key": key, "standard": entry["short_name"], "threshold": limit,
                     **totals, "met": met,
                     "cited": f"{entry['document']} line {entry['line']}"})
    table = pd.DataFrame(rows)
    present = table["source"] != INCOMPLETE
    keep = present | table["threshold"].notna()
    return table[keep].reset_index(drop=True)


def standards_met(table: pd.DataFrame) -> tuple[int, int]:
    """(met, standards with a threshold and a complete year)."""
    judged = table[table["key"].isin(with_thresholds()) & table["met"].notna()]
    return int(judged["met"].sum()), int(len(judged))


def standards_display(table: pd.DataFrame) -> pd.DataFrame:
    """The standards table as a reader sees it."""
    def pct(value, digits=1):
        return "" if value is None or pd.isna(value) else f"{value:.{digits}f}%"

    return pd.DataFrame({
        "Standard": table["standard"],
        "Threshold": [pct(v, 0) if v is not None and not pd.isna(v) else "none set" for v in table["threshold"]],
        "Performance": [pct(v) for v in table["performance"]],
        "Met": table["met"].map({True: "yes", False: "no"}).fillna("n/a"),
        "Treated within": [("" if pd.isna(v) else f"{v:,.1f}") for v in table["within"]],
        "Treated": [("" if pd.isna(v) else f"{v:,.1f}") for v in table["total"]],
        "Source": table["source"],
        "Note": table["note"],
        "Standard set in": table["cited"],
    })


def sixty_two_day_summary(provider: pd.DataFrame, national: pd.DataFrame, year: FinancialYear) -> dict:
    """The 62-day GP urgent referral figures the report quotes, with the change on the year before."""
    this = year_totals(provider, national, "gp_62", year)
    last = year_totals(provider, national, "gp_62", year.previous())
    change = change_percent = None
    if this["within"] is not None and last["within"] is not None:
        change = this["within"] - last["within"]
        change_percent = 100 * change / last["within"]
    return {
        "within": this["within"], "total": this["total"], "performance": this["performance"],
        "threshold": threshold("gp_62"), "source": this["source"],
        "previous_within": last["within"], "previous_source": last["source"],
        "previous_note": last["note"], "change": change, "change_percent": change_percent,
    }


def monthly_performance(provider: pd.DataFrame, national: pd.DataFrame, standard: str, months,
                        organisation: str | None = None) -> pd.DataFrame:
    """Performance by month: provider rows where present, else the national series."""
    months = list(months)
    rows = provider_rows(provider, standard, months, organisation)
    rows = rows[rows["suppressed"] != "yes"].assign(source=PROVIDER_FILES)
    if not organisation:
        missing = [m for m in months if m not in set(rows["month"])]
        rows = pd.concat([rows, _national_rows(national, standard, missing).assign(source=NATIONAL_SERIES)])
    table = (rows.groupby(["month", "source"], as_index=False)[["within", "total"]].sum()
             .sort_values("month").reset_index(drop=True))
    table["performance"] = 100 * table["within"] / table["total"]
    return table[["month", "within", "total", "performance", "source"]]


def provider_performance(provider: pd.DataFrame, standard: str, year: FinancialYear) -> pd.DataFrame:
    """Each provider's own sums and performance over the year, largest first."""
    rows = provider_rows(provider, standard, year.months())
    rows = rows[rows["suppressed"] != "yes"]
    table = (rows.groupby(["organisation", "organisation_name"], as_index=False)[["within", "total"]].sum()
             .sort_values("total", ascending=False).reset_index(drop=True))
    table["performance"] = 100 * table["within"] / table["total"]
    return table


def mean_of_provider_percentages(provider: pd.DataFrame, standard: str, year: FinancialYear) -> float:
    """The wrong aggregation, kept only so tests can show it misses the published figure."""
    table = provider_performance(provider, standard, year)
    return float(table.loc[table["total"] > 0, "performance"].mean())


def change_sentence(gp: dict, year: FinancialYear) -> str:
    """The change on the previous year in words, or why it cannot be given."""
    previous = year.previous().label
    if gp["change"] is None:
        return (f"The previous year, {previous}, is not complete in the data "
                f"({gp['previous_note']}), so no change on it is given.")
    word = "an increase" if gp["change"] >= 0 else "a fall"
    return (f"That is {word} of {count_text(abs(gp['change']))} ({abs(gp['change_percent']):.1f}%) on "
            f"the {count_text(gp['previous_within'])} treated within 62 days in {previous} "
            f"(from the {gp['previous_source']}).")


def provider_table(provider: pd.DataFrame, year: FinancialYear, organisation: str = "") -> pd.DataFrame:
    """Providers' 62-day performance for the year, ranked best first; one provider if named."""
    table = provider_performance(provider, "gp_62", year)
    if table.empty:
        return pd.DataFrame()
    table["rank"] = table["performance"].rank(ascending=False, method="min").astype(int)
    limit = threshold("gp_62")
    table["met"] = (table["performance"] >= limit).map({True: "yes", False: "no"})
    if organisation:
        table = table[table["organisation"] == organisation]
    out = table.sort_values("rank")
    return pd.DataFrame({
        "Rank": out["rank"].astype(str) + f" of {len(provider_performance(provider, 'gp_62', year))}",
        "ODS code": out["organisation"], "Provider": out["organisation_name"],
        "Treated": out["total"].map(count_text), "Within 62 days": out["within"].map(count_text),
        "Performance": out["performance"].map(lambda v: f"{v:.1f}%"), f"Met {limit:.0f}%": out["met"],
    })


def spc_series(provider: pd.DataFrame, national: pd.DataFrame, year: FinancialYear, standard: str = "gp_62",
               months: int = 36) -> pd.Series:
    """Monthly performance for an SPC chart: up to `months` months ending with the year."""
    available = set(provider_rows(provider, standard)["month"]) | set(
        national.loc[national["standard"] == standard, "month"])
    window = [m for m in pd.period_range(year.last_month - months + 1, year.last_month, freq="M") if m in available]
    # Keep the contiguous stretch that ends with the year, so the chart has no gaps.
    while len(window) > 1 and window[0] + (len(window) - 1) != window[-1]:
        window = window[1:]
    table = monthly_performance(provider, national, standard, window)
    return pd.Series(table["performance"].to_numpy(), index=pd.PeriodIndex(table["month"], freq="M"),
                     name="performance")
