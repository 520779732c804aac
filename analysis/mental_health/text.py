"""What the mental health page says: its glued figures, sentences, alt text, captions, the provider
table as shown and the headline results, each made from the chapter's measures."""

from __future__ import annotations

import pandas as pd

from ..ledger import published
from ..page import Result, count_text
from ..periods import FinancialYear, month_label
from ..funnel import beyond_limits, spread_sentence
from .metrics import (DEMENTIA_AMBITION, EIP_STANDARD, dementia_areas, dementia_england, dementia_result,
                      eip_result)


def printed_figures() -> dict:
    """The annual report's printed figures the prose quotes: EIP for March 2017 (and its line) and the
    dementia diagnosis rate."""
    printed = published("mental-health").set_index("figure")
    return {"printed_eip": float(printed.at["eip_within_two_weeks", "value"]),
            "printed_eip_line": int(printed.at["eip_within_two_weeks", "line"]),
            "printed_dementia": float(printed.at["dementia_diagnosis_rate", "value"])}


def eip_month_figures(month: dict) -> dict:
    """One month's national EIP figure (`eip_month`) for the prose: the month, the percentage, the counts,
    the providers, and "met" or "did not meet" the standard."""
    return {"eip_month": month_label(month["month"]), "eip_percent": month["percent"],
            "eip_within": count_text(month["within_two_weeks"]), "eip_total": count_text(month["total"]),
            "eip_providers_month": month["providers"],
            "eip_met": "met" if month["percent"] >= EIP_STANDARD else "did not meet"}


def commitments_caption(year: FinancialYear) -> str:
    """The caption of the table of the planning documents' commitments in force in `year`."""
    return (f"The planning documents' mental health and dementia commitments in force in {year.label}, each "
            "judged from the data for its exact period and definition where it sets a level (see the front page).")


def eip_monthly_alt(monthly: pd.DataFrame, year: FinancialYear) -> str:
    """The monthly EIP chart's alt text: against the standard (or above it every month) and the lowest month."""
    low = monthly.loc[monthly["percent"].idxmin()]
    against = ("above the 50% standard in every month" if (monthly["percent"] >= EIP_STANDARD).all()
               else "against the 50% standard")
    return (f"Completed EIP pathways starting treatment within two weeks by month in {year.label}: {against}; "
            f"the lowest was {low['percent']:.1f}% in {month_label(low['month'])}.")


def eip_provider_figures(summary: dict) -> dict:
    """The providers' funnel summary (`eip_providers`) for the prose: England's rate for the year, the ranking
    threshold, providers ranked and not, the spread sentence and how many fell below the standard."""
    return {"year_rate": summary["england"], "threshold": summary["threshold"], "providers": summary["providers"],
            "ranked": summary["ranked"], "unranked": summary["providers"] - summary["ranked"],
            "spread_sentence": spread_sentence(summary), "below_standard": summary["below_standard"]}


def eip_funnel_alt(summary: dict, year: FinancialYear) -> str:
    """The funnel plot's alt text: providers outside the 99.8% limits and below the standard."""
    return (f"Funnel plot of {summary['providers']} EIP providers in {year.label}: {beyond_limits(summary)}; "
            f"{summary['below_standard']} fell below the 50% standard over the year.")


PROVIDER_COLUMNS = {"provider_code": "Provider", "provider_name": "Name", "numerator": "Within two weeks",
                    "volume": "Completed pathways", "rate": "Within two weeks (%)", "position": "Against the limits",
                    "rank": "Rank by rate", "meets_standard": "Meets 50%"}
"""The provider table's columns as the page heads them."""


def eip_providers_shown(providers: pd.DataFrame) -> pd.DataFrame:
    """The providers as the page shows them: the rate to one decimal, "too few to rank" for those below the
    threshold, "yes"/"no" against the standard, and the position against the limits drawn (not the binomial one)."""
    shown = providers.drop(columns="binomial_position")
    return shown.assign(rate=shown["rate"].round(1),
                        rank=shown["rank"].astype("string").fillna("too few to rank"),
                        meets_standard=shown["meets_standard"].map({True: "yes", False: "no"}),
                        ).rename(columns=PROVIDER_COLUMNS)


def eip_provider_caption(summary: dict, year: FinancialYear) -> str:
    """The provider table's caption: the year, the order and the ranking threshold."""
    return (f"EIP providers in {year.label}, largest first; ranked only at {summary['threshold']} or more "
            "completed pathways.")


def dementia_sentence(dementia: pd.DataFrame | None, calendar_year: int) -> str:
    """England's dementia diagnosis rate for the year against the ambition, or why there is none."""
    if dementia is None:
        return "No dementia diagnosis-rate file was found, so this section has no figures."
    england = dementia_england(dementia, calendar_year)
    if england is None:
        return f"The file has no rows for {calendar_year}, so this period cannot be shown."
    side = "above" if england >= DEMENTIA_AMBITION else "below"
    return (f"England's estimated diagnosis rate for people aged 65 and over was {england:.1f}% in {calendar_year}, "
            f"{side} the ambition of two thirds ({DEMENTIA_AMBITION:.1f}%).")


def dementia_spread_alt(spread: dict, calendar_year: int) -> str:
    """The alt text of the local authorities' histogram (`dementia_areas`' summary)."""
    return (f"Estimated dementia diagnosis rates of {spread['with_value']} local authorities in {calendar_year}: "
            f"from {spread['lowest']:.1f}% to {spread['highest']:.1f}%, median {spread['median']:.1f}%; "
            f"{spread['at_or_above_ambition']} at or above two thirds.")


def dementia_areas_sentence(dementia: pd.DataFrame | None, calendar_year: int) -> str:
    """The local authorities' spread of rates in the year, blanks and the publisher's comparison with England;
    when England has no rate for the year, that there are no local authority figures."""
    if dementia_england(dementia, calendar_year) is None:
        return "There are no local authority figures for this period."
    _, spread = dementia_areas(dementia, calendar_year)
    significance = spread["significance"]
    missing = f"{spread['missing']} had no value (left blank in the file). " if spread["missing"] else ""
    return (f"Across {spread['areas']} local authorities (unitary authorities, districts, metropolitan districts "
            f"and London boroughs) the rates ran from {spread['lowest']:.1f}% to {spread['highest']:.1f}% (median "
            f"{spread['median']:.1f}%, middle half {spread['quartiles'][0]:.1f}% to {spread['quartiles'][1]:.1f}%); "
            f"{spread['at_or_above_ambition']} were at or above two thirds. {missing}"
            f"The publisher's own comparison with England marks {significance.get('Better', 0)} better, "
            f"{significance.get('Similar', 0)} similar and {significance.get('Worse', 0)} worse.")


def page_results(month: dict, calendar_year: int, england: float | None) -> list[Result]:
    """The page's headline results: EIP in the period's last month against the standard, and England's
    dementia diagnosis rate for the calendar year against the ambition."""
    return [Result(eip_result(month["month"]), month["percent"], standard=EIP_STANDARD),
            Result(dementia_result(calendar_year), england, standard=DEMENTIA_AMBITION,
                   standard_text="ambition: two thirds")]
