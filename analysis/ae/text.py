"""What the A&E page says: its captions, alt texts, sentences, display tables and headline results."""

from __future__ import annotations

import pandas as pd

from ..funnel import beyond_limits
from ..page import Result, cited_table, count_text
from ..periods import FinancialYear, month_label
from ..spc import describe
from .metrics import STANDARD


def reference_table(lines: pd.DataFrame) -> pd.DataFrame:
    """`reference_lines` for the page: Reference, Text and its Source in words."""
    shown = lines[["label", "quote", "document", "line"]].rename(columns={
        "label": "Reference", "quote": "Text", "document": "Document", "line": "Line"})
    return cited_table(shown)


def reference_caption(year: FinancialYear) -> str:
    """The caption of the table of standards and ambitions in force in `year`."""
    return f"The standards and ambitions in force in {year.label} that the chapter measures against."


def commitments_caption(year: FinancialYear) -> str:
    """The caption of the planning documents' A&E commitments in force in `year`."""
    return (f"The planning documents' A&E commitments in force in {year.label}, each judged from the "
            "A&E rows for its exact period and definition where it sets a level (see the front page).")


def england_figures(england: dict) -> dict:
    """`england`'s year for gluing: the two performances as numbers, attendances and breaches as text."""
    return {"all_types": england["all_types"], "type_1": england["type_1"],
            "attendances": count_text(england["attendances"]), "breaches": count_text(england["breaches"])}


def lowest_month(monthly: pd.DataFrame) -> dict:
    """The month of `monthly` with the lowest performance over all types: its name and value."""
    lowest = monthly.loc[monthly["all_types"].idxmin()]
    return {"worst_month": month_label(lowest["month"]), "worst_value": float(lowest["all_types"])}


def monthly_alt(monthly: pd.DataFrame, year: FinancialYear) -> str:
    """The monthly chart's alt text: its lowest month, and whether every month was below 95%."""
    lowest = lowest_month(monthly)
    said = f"the lowest was {lowest['worst_value']:.1f}% in {lowest['worst_month']}."
    if (monthly["all_types"] < STANDARD).all():
        return (f"Monthly four-hour performance in {year.label} stayed below the 95% standard in every month; "
                f"{said}")
    return f"Monthly four-hour performance in {year.label}; {said}"


def provider_figures(providers: pd.DataFrame) -> dict:
    """How many providers met 95% over the year, of all and of those with a major (type 1)
    department, and the median performance of the latter, for gluing."""
    type_1 = providers[providers["has_type_1"]]
    return {"providers": len(providers), "providers_met": int(providers["met"].sum()),
            "type1_providers": len(type_1), "type1_met": int(type_1["met"].sum()),
            "median_type1": float(type_1["performance"].median())}


def funnel_alt(spread: dict, providers: pd.DataFrame, year: FinancialYear) -> str:
    """The type 1 funnel plot's alt text: who lies beyond the 99.8% limits, and how many providers
    with a major A&E met 95% over all their department types."""
    figures, beyond = provider_figures(providers), beyond_limits(spread, "England's type 1 rate of")
    return (f"Funnel plot of {spread['providers']} major (type 1) A&E departments' four-hour performance in "
            f"{year.label} against their attendances: {beyond}; "
            f"{figures['type1_met']} of {figures['type1_providers']} providers with a major A&E met 95% over all "
            "their department types.")


def provider_caption(spread: dict, year: FinancialYear) -> str:
    """The caption of the provider table: largest first, ranked only at the threshold."""
    return (f"Type 1 four-hour performance by provider, {year.label}, largest first; ranked only at "
            f"{spread['threshold']:,} or more type 1 attendances.")


def delays_caption(year: FinancialYear) -> str:
    """The caption of the delayed days table, the year before beside the year."""
    return (f"Delayed days by responsible organisation, {year.previous().label} and {year.label}, "
            "summed from the months of the 'Delayed Days by responsible org' sheet.")


def delays_alt(by_month: pd.DataFrame) -> str:
    """The alt text of the chart of delayed days each month, stacked by responsible organisation."""
    return (f"Delayed days each month from {month_label(by_month['month'].min())} to "
            f"{month_label(by_month['month'].max())}, stacked by the organisation responsible (NHS, social "
            "care, both).")


def delays_spc_sentence(control: pd.DataFrame | None, year: FinancialYear) -> str:
    """What the delayed transfers XmR chart shows, or that the file holds too few months for one."""
    if control is None:
        return f"The DTOC file holds too few months up to {year.label} for an XmR chart."
    return f"Over the {len(control)} months charted: {describe(control)}"


def headline_results(england: dict) -> list[Result]:
    """The page's headline results: the year's four-hour performance, all types and type 1, and attendances."""
    return [
        Result("of A&E attendances were seen within four hours, all department types", england["all_types"],
               standard=STANDARD),
        Result("in major (type 1) A&E departments", england["type_1"], standard=STANDARD),
        Result("A&E attendances in the year", england["attendances"], unit="count"),
    ]
