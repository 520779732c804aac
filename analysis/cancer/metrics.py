"""Cancer waiting-time measures, each taken from one named source.

Performance is always the sum of patients treated within the standard over the sum of
patients treated, never a mean of providers' percentages.

Which source gives which figure:

* a year's figures (every standard) come from the national time series' "Annual Data"
  sheet; when the workbook is not in the data, from the sum of the twelve monthly
  provider files (PART C), and the source says so. A year neither covers is reported as
  incomplete, with the months present; it is never summed from a part year;
* quarters come from the "Quarterly Data" sheet;
* months (charts, SPC) come from the "Monthly Data" sheet, else from the provider files'
  ALL ENGLISH PROVIDERS rows; one provider's months and the provider table from the
  provider files.

A change on the year before is given only when both years come from the same source.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from .. import funnel
from ..in_force import in_force
from ..page import count_text
from ..periods import FinancialYear, month_label
from .readers import ENGLAND
from .standards import catalogue, threshold, with_thresholds

GP62_RESULT = ("of patients treated for cancer after an urgent GP referral for suspected cancer were treated within "
               "62 days of the referral")
"""The 62-day figure in words: its denominator is patients treated, not patients referred."""
TWW_RESULT = ("of patients first seen after an urgent GP referral for suspected cancer were seen within two weeks "
              "of the referral")
"""The two-week-wait figure in words: its denominator is patients first seen."""

ANNUAL_SHEET = "national time series, Annual Data sheet"
QUARTERLY_SHEET = "national time series, Quarterly Data sheet"
MONTHLY_SHEET = "national time series, Monthly Data sheet"
PROVIDER_FILES = "provider files (PART C, all care)"
PROVIDER_ENGLAND_ROWS = "provider files (PART C, ALL ENGLISH PROVIDERS rows)"
PROVIDER_MONTHS = "sum of the twelve monthly provider files (PART C, ALL ENGLISH PROVIDERS rows)"
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class CancerData:
    """The tidy tables of the chapter: provider files and the three sheets of the national series."""

    provider: pd.DataFrame  # provider files, all parts, ALL ENGLISH PROVIDERS rows as ENGLAND
    monthly: pd.DataFrame  # national series, Monthly Data
    summaries: pd.DataFrame  # national series, Quarterly Data and Annual Data

    @cached_property
    def summary_positions(self) -> dict[tuple, list[int]]:
        """The positions of the summaries' rows by standard, year and quarter (a year's standards
        are looked up hundreds of times a page; filtering the table each time took most of it)."""
        positions: dict[tuple, list[int]] = {}
        s = self.summaries
        for position, key in enumerate(zip(s["standard"], s["year"], s["quarter"])):
            positions.setdefault(key, []).append(position)
        return positions


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


def england_rows(provider: pd.DataFrame, standard: str) -> pd.DataFrame:
    """The provider files' PART C ALL ENGLISH PROVIDERS rows of one standard."""
    return provider[(provider["standard"] == standard) & (provider["care_setting"] == "all")
                    & (provider["organisation"] == ENGLAND)]


def _summary_row(data: CancerData, standard: str, year: FinancialYear, quarter: int) -> pd.DataFrame:
    return data.summaries.iloc[data.summary_positions.get((standard, year.label, quarter), [])]


def _months_present(data: CancerData, standard: str, year: FinancialYear) -> list:
    months = set(year.months())
    present = set(england_rows(data.provider, standard)["month"]) | set(
        data.monthly.loc[data.monthly["standard"] == standard, "month"])
    return sorted(present & months)


def year_totals(data: CancerData, standard: str, year: FinancialYear) -> dict:
    """Within, total and performance for one standard and year, with the source and where in it."""
    annual = _summary_row(data, standard, year, 0)
    if len(annual):
        row = annual.iloc[0]
        within, total = float(row["within"]), float(row["total"])
        source, where, note = ANNUAL_SHEET, f"{ANNUAL_SHEET}, row {int(row['source_row'])}", ""
        year_row = int(row["source_row"])
    else:
        rows = england_rows(data.provider, standard)
        rows = rows[rows["month"].isin(list(year.months()))]
        if rows["month"].nunique() != 12:
            present = _months_present(data, standard, year)
            return {"within": None, "total": None, "performance": None, "source": INCOMPLETE,
                    "where": INCOMPLETE, "row": None, "note": _incomplete_note(present, year)}
        within, total = float(rows["within"].sum()), float(rows["total"].sum())
        source = where = PROVIDER_MONTHS
        year_row = None
        note = ("no Annual Data sheet for this year in the data; months as first published, "
                "without records submitted later")
    return {"within": within, "total": total, "performance": 100 * within / total if total else None,
            "source": source, "where": where, "row": year_row, "note": note}


def _incomplete_note(present, year: FinancialYear) -> str:
    if not present:
        return f"no {year.label} figures in the data"
    return (f"no Annual Data sheet row for {year.label}, and only {len(present)} of 12 months in the "
            f"data ({month_label(present[0])} to {month_label(present[-1])}); not summed")


def months_total(data: CancerData, standard: str, year: FinancialYear) -> dict | None:
    """The twelve months of the year summed from the monthly data, with its source (None if not all there)."""
    table = monthly_performance(data, standard, year.months())
    if len(table) != 12:
        return None
    within, total = float(table["within"].sum()), float(table["total"].sum())
    return {"within": within, "total": total, "performance": 100 * within / total if total else None,
            "source": table["source"].iloc[0]}


def standards_table(data: CancerData, year: FinancialYear) -> pd.DataFrame:
    """One row per standard for the year: threshold, within, total, performance, met, source.

    A standard is judged (`met` true or false) only in a year it applies in (`in_force`)."""
    rows = []
    for key, entry in catalogue().iterrows():
        totals = year_totals(data, key, year)
        limit = threshold(key)
        applies = limit is not None and in_force("cancer", key).covers(year)
        met = None
        if applies and totals["performance"] is not None:
            met = bool(totals["performance"] >= limit)
        rows.append({"key": key, "standard": entry["short_name"], "threshold": limit,
                     **totals, "met": met, "in_force": applies,
                     "cited": f"{entry['document']} line {entry['line']}"})
    table = pd.DataFrame(rows)
    present = table["source"] != INCOMPLETE
    keep = present | table["threshold"].notna()
    return table[keep].reset_index(drop=True)


def standards_met(table: pd.DataFrame) -> tuple[int, int]:
    """(met, standards with a threshold that apply in the year and have a complete year)."""
    judged = table[table["key"].isin(with_thresholds()) & table["met"].notna()]
    return int(judged["met"].sum()), int(len(judged))


def standards_sentence(table: pd.DataFrame, year: FinancialYear) -> str:
    """How many standards were met, out of those that apply in the year and the data cover for all of it."""
    met, judged = standards_met(table)
    applying = sum(in_force("cancer", key).covers(year) for key in with_thresholds())
    if applying == 0:
        return (f"No standard with a threshold applies in {year.label} by the documents here (they set them "
                f"from {in_force('cancer', 'gp_62').first.label}), so none is judged.")
    if judged == applying:
        return f"In {year.label} the NHS met {met} of the {applying} standards that have a threshold."
    return (f"The data cover {judged} of the {applying} standards that have a threshold for the whole of "
            f"{year.label}; the NHS met {met} of those {judged}. The others are marked incomplete.")


def _pct(value, digits=1):
    return "" if value is None or pd.isna(value) else f"{value:.{digits}f}%"


def standards_display(table: pd.DataFrame) -> pd.DataFrame:
    """The standards table as a reader sees it."""
    return pd.DataFrame({
        "Standard": table["standard"],
        "Threshold": [_pct(v, 0) if v is not None and not pd.isna(v) else "none set" for v in table["threshold"]],
        "Performance": [_pct(v) for v in table["performance"]],
        "Met": [{True: "yes", False: "no"}.get(met, "n/a" if applies or pd.isna(limit) else "not judged")
                for met, applies, limit in zip(table["met"], table["in_force"], table["threshold"])],
        "Treated within": [("" if pd.isna(v) else f"{v:,.1f}") for v in table["within"]],
        "Treated": [("" if pd.isna(v) else f"{v:,.1f}") for v in table["total"]],
        "Source": table["where"],
        "Note": table["note"],
        "Standard set in": table["cited"],
    })


def sixty_two_day_summary(data: CancerData, year: FinancialYear) -> dict:
    """The 62-day GP urgent referral figures the report quotes, the change on the year before
    (only when both years come from the same source) and the same year summed from months."""
    this = year_totals(data, "gp_62", year)
    last = year_totals(data, "gp_62", year.previous())
    change = change_percent = None
    if this["within"] is not None and last["within"] is not None and this["source"] == last["source"]:
        change = this["within"] - last["within"]
        change_percent = 100 * change / last["within"]
    return {
        "within": this["within"], "total": this["total"], "performance": this["performance"],
        "threshold": threshold("gp_62"), "source": this["source"], "where": this["where"],
        "row": this["row"], "previous_within": last["within"], "previous_source": last["source"],
        "previous_row": last["row"], "previous_note": last["note"],
        "change": change, "change_percent": change_percent,
        "months": months_total(data, "gp_62", year),
    }


def sheet_figures(data: CancerData, year: FinancialYear, gp: dict) -> dict:
    """The figures the methods page compares across sheets (None where the data lack them): the 62-day
    year summed from its months (counts as text, which may hold a half), and the urgent referrals
    (two-week-wait Total) of the year, of its months and of the year before."""
    months = gp["months"] or {}
    referral_months = months_total(data, "tww", year) or {}
    count = {key: None if months.get(key) is None else count_text(months[key]) for key in ("within", "total")}
    return {"gp62_months_within": count["within"], "gp62_months_total": count["total"],
            "gp62_months_performance": months.get("performance"),
            "referrals": year_totals(data, "tww", year)["total"], "referrals_months": referral_months.get("total"),
            "referrals_previous": year_totals(data, "tww", year.previous())["total"]}


def change_sentence(gp: dict, year: FinancialYear) -> str:
    """The change on the previous year in words, or why it is not given."""
    previous = year.previous().label
    if gp["previous_within"] is None:
        return (f"The previous year, {previous}, is not complete in the data "
                f"({gp['previous_note']}), so no change on it is given.")
    if gp["change"] is None:
        return (f"No change on {previous} is given: that year comes from the {gp['previous_source']} "
                f"({count_text(gp['previous_within'])} treated within 62 days) and this one from the "
                f"{gp['source']}, and the two are not comparable.")
    word = "an increase" if gp["change"] >= 0 else "a fall"
    return (f"That is {word} of {count_text(abs(gp['change']))} ({abs(gp['change_percent']):.1f}%) on "
            f"the {count_text(gp['previous_within'])} treated within 62 days in {previous} "
            f"(both years from the {gp['source']}).")


def months_sentence(gp: dict, year: FinancialYear) -> str:
    """The year's figure beside the sum of its months, with the difference, from named sources."""
    months = gp["months"]
    if months is None or gp["within"] is None:
        return "The monthly data do not hold all twelve months of the year, so no sum of months is given."
    if gp["source"] != ANNUAL_SHEET:
        return (f"The year's figure is itself a sum of months (from the {gp['source']}), so it leaves "
                "out records submitted after each month was published.")
    difference = gp["within"] - months["within"]
    return (f"Summed over the twelve months of the {months['source']}, the same year gives "
            f"{count_text(months['within'])} treated within 62 days out of {count_text(months['total'])} "
            f"({months['performance']:.1f}%): {count_text(abs(difference))} "
            f"{'fewer' if difference >= 0 else 'more'} treated within 62 days than the {gp['source']}.")


def quarterly_table(data: CancerData, standard: str, year: FinancialYear) -> pd.DataFrame:
    """The year's quarters from the Quarterly Data sheet beside the sum of each quarter's months."""
    quarters = data.summaries[(data.summaries["standard"] == standard) & (data.summaries["year"] == year.label)
                              & (data.summaries["quarter"] > 0)].sort_values("quarter")
    if quarters.empty:
        return pd.DataFrame()
    monthly = monthly_performance(data, standard, year.months())
    monthly["quarter"] = [(m.month - 4) % 12 // 3 + 1 for m in monthly["month"]]
    by_quarter = monthly.groupby("quarter")[["within"]].sum()["within"]
    counts = monthly.groupby("quarter").size()
    source = "Monthly Data sheet" if len(monthly) and monthly["source"].iloc[0] == MONTHLY_SHEET else "provider files"
    rows = []
    for q in quarters.itertuples():
        summed = float(by_quarter[q.quarter]) if counts.get(q.quarter, 0) == 3 else None
        rows.append({
            "Quarter": f"{year.label} Q{q.quarter}",
            "Treated within": count_text(q.within), "Treated": count_text(q.total),
            "Performance": _pct(100 * q.within / q.total if q.total else None),
            "Quarterly Data row": int(q.source_row),
            f"Treated within, sum of its months ({source})": "" if summed is None else count_text(summed),
            "Quarter minus its months": "" if summed is None else _signed(q.within - summed),
        })
    return pd.DataFrame(rows)


def quarters_sentence(quarters: pd.DataFrame) -> str:
    """What the quarterly table shows, or why there is none."""
    if quarters.empty:
        return "The data have no Quarterly Data sheet rows for this year, so no quarters are shown."
    return ("The table sets each quarter of the Quarterly Data sheet beside the sum of its months. "
            "On reading, every whole year of the Annual Data sheet was checked to equal the sum of "
            "its four quarters.")


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "-") + count_text(abs(value))


def monthly_performance(data: CancerData, standard: str, months,
                        organisation: str | None = None) -> pd.DataFrame:
    """Performance by month from one source: one provider's rows from the provider files;
    England from the Monthly Data sheet, else the provider files' ALL ENGLISH PROVIDERS rows."""
    months = list(months)
    national = data.monthly[data.monthly["standard"] == standard]
    if organisation:
        table = providers_by_month(data.provider, standard, months, organisation)
        return table.drop(columns="organisation").assign(source=PROVIDER_FILES)
    if len(national):
        rows, source = national[national["month"].isin(months)], MONTHLY_SHEET
    else:
        rows = england_rows(data.provider, standard)
        rows, source = rows[rows["month"].isin(months)], PROVIDER_ENGLAND_ROWS
    table = (rows.groupby("month", as_index=False)[["within", "total"]].sum()
             .sort_values("month").reset_index(drop=True))
    table["performance"] = 100 * table["within"] / table["total"]
    table["source"] = source
    return table[["month", "within", "total", "performance", "source"]]


def providers_by_month(provider: pd.DataFrame, standard: str, months, organisation: str | None = None) -> pd.DataFrame:
    """Each provider's performance by month from the provider files (suppressed rows left out): organisation,
    month, within, total, performance; one provider's with `organisation`."""
    rows = provider_rows(provider, standard, list(months), organisation)
    rows = rows[rows["suppressed"] != "yes"]
    table = (rows.groupby(["organisation", "month"], as_index=False)[["within", "total"]].sum()
             .sort_values(["organisation", "month"]).reset_index(drop=True))
    table["performance"] = 100 * table["within"] / table["total"]
    return table


def provider_performance(provider: pd.DataFrame, standard: str, year: FinancialYear) -> pd.DataFrame:
    """Each provider's own sums and performance over the year's monthly files, largest first."""
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


def provider_months(provider: pd.DataFrame, standard: str, year: FinancialYear) -> int:
    """How many of the year's months the provider files hold for a standard."""
    return int(provider_rows(provider, standard, year.months())["month"].nunique())


def providers_sentence(data: CancerData, year: FinancialYear, standard: str = "gp_62") -> str:
    """Where the provider table comes from, and how its sum compares with the monthly series."""
    months = provider_months(data.provider, standard, year)
    if months != 12:
        return (f"The provider files hold {months} of the 12 months of {year.label}, so no provider "
                "table is given (a part year is never summed as a whole one).")
    rows = provider_rows(data.provider, standard, year.months())
    counted = rows[rows["suppressed"] != "yes"]
    within = float(counted["within"].sum())
    text = (f"Summed from the twelve monthly provider files (PART C, all care), the providers treated "
            f"{count_text(within)} within 62 days; each file's providers were checked, on reading, to "
            "add up to its ALL ENGLISH PROVIDERS rows.")
    national = data.monthly[(data.monthly["standard"] == standard) & data.monthly["month"].isin(list(year.months()))]
    if national["month"].nunique() == 12:
        difference = within - float(national["within"].sum())
        text += (" That is the same as the twelve months of the Monthly Data sheet." if abs(difference) < 1e-6
                 else f" That is {_signed(difference)} on the twelve months of the Monthly Data sheet.")
    suppressed = int((rows["suppressed"] == "yes").sum())
    if suppressed:
        text += f" {suppressed} suppressed provider row(s) are left out."
    return text


def providers_met_sentence(table: pd.DataFrame) -> str:
    """How many of the providers in `provider_table`'s table met the standard (nothing when it is empty)."""
    if table.empty:
        return ""
    met = int((table.iloc[:, -1] == "yes").sum())
    return f"{met} of the {len(table)} provider(s) shown met the standard over the year."


def provider_funnel(provider: pd.DataFrame, year: FinancialYear, standard: str = "gp_62") -> tuple[pd.DataFrame, dict]:
    """Each provider's performance on `standard` (the 62-day standard unless named) over the year in the
    funnel around England's rate.

    England's rate is the providers' own sum (the same files), so the funnel is centred on
    what the table adds up to. Returns `funnel.assess`'s table (sorted by volume; a rank only
    at or above the threshold) and summary; empty unless the files hold all twelve months.
    """
    table = provider_performance(provider, standard, year)
    table = table[table["total"] > 0]
    if table.empty or provider_months(provider, standard, year) != 12:
        return pd.DataFrame(), {}
    organisations = pd.DataFrame({"organisation": table["organisation"], "organisation_name": table["organisation_name"],
                                  "numerator": table["within"], "volume": table["total"],
                                  "rate": table["performance"]})
    compared, summary = funnel.assess(organisations, float(table["within"].sum() / table["total"].sum()))
    compared["met"] = compared["rate"] >= threshold(standard)
    return compared, summary


def provider_table(provider: pd.DataFrame, year: FinancialYear, organisation: str = "") -> pd.DataFrame:
    """Providers' 62-day performance for the year, largest first, volume beside rate; one provider if named.

    A rank by performance only for providers that treated at least the funnel's threshold
    (fewer cannot be told apart from England by chance); the others say why they are not
    ranked. Empty unless the provider files hold all twelve months of the year.
    """
    compared, summary = provider_funnel(provider, year)
    if compared.empty:
        return pd.DataFrame()
    limit = threshold("gp_62")
    if organisation:
        compared = compared[compared["organisation"] == organisation]
    unranked = f"not ranked (fewer than {summary['threshold']} treated)"
    return pd.DataFrame({
        "Rank": [unranked if pd.isna(r) else f"{int(r)} of {summary['ranked']}" for r in compared["rank"]],
        "ODS code": compared["organisation"], "Provider": compared["organisation_name"],
        "Treated": compared["volume"].map(count_text), "Within 62 days": compared["numerator"].map(count_text),
        "Performance": compared["rate"].map(lambda v: f"{v:.1f}%"), "Against England": compared["position"],
        f"Met {limit:.0f}%": compared["met"].map({True: "yes", False: "no"}),
    }).reset_index(drop=True)


def spc_series(data: CancerData, year: FinancialYear, standard: str = "gp_62", months: int = 36) -> pd.Series:
    """Monthly performance for an SPC chart: up to `months` months ending with the year, from
    the one monthly source `monthly_performance` uses, without gaps."""
    window = pd.period_range(year.last_month - months + 1, year.last_month, freq="M")
    table = monthly_performance(data, standard, window)
    available = list(table["month"])
    # Keep the contiguous stretch that ends with the year, so the chart has no gaps.
    while len(available) > 1 and available[0] + (len(available) - 1) != available[-1]:
        available = available[1:]
    table = table[table["month"].isin(available)]
    return pd.Series(table["performance"].to_numpy(), index=pd.PeriodIndex(table["month"], freq="M"),
                     name="performance")


def urgent_referrals(data: CancerData, year: FinancialYear) -> dict:
    """Patients first seen after an urgent GP referral for suspected cancer (the two-week-wait
    standard's Total), the closest published count of urgent referrals made."""
    return year_totals(data, "tww", year)
