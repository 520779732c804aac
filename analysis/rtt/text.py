"""What the RTT page says: its captions, alt texts, sentences, display tables and headline results."""

from __future__ import annotations

import pandas as pd

from ..page import Result, count_text, in_words
from ..periods import FinancialYear, month_label
from .metrics import STANDARD, WAITING_RESULT, first_new_periods_month, new_periods_growth, position_result

NO_WAITING_LIST_GROWTH = ("The file does not reach back two years before the end of the period, so growth is not "
                          "compared.")
"""Said instead of the waiting list growth table when the file is too short for it."""
NO_COMPLETED_GROWTH = "The file does not hold the previous year whole, so growth is not computed."
"""Said instead of the completed pathways table when the file lacks the year before."""

WAITING_LIST_COLUMNS = {
    "series": "Series", "end": "List at the end of the year", "growth": "Growth in the year",
    "growth_percent": "Growth (%)", "previous_growth": "Growth the year before",
    "previous_growth_percent": "Growth the year before (%)", "less_by_count": "Less than the year before (%, counts)",
    "less_by_rate": "Less than the year before (%, rates)"}
COMPLETED_COLUMNS = {
    "series": "Series", "completed": "Completed in the year", "previous_completed": "The year before",
    "growth_percent": "Growth (%)", "days": "Days", "previous_days": "Days the year before",
    "per_day_growth_percent": "Growth per day (%)", "working_days": "Working days",
    "previous_working_days": "Working days the year before",
    "per_working_day_growth_percent": "Growth per working day (%)"}
VARIANTS = {"completed": "completed_per_day_growth", "waiting": "waiting_list_growth_less"}
"""The ledger figures whose chosen reading the page names, by the short name it glues them under."""


def commitments_caption(year: FinancialYear) -> str:
    """The caption of the planning documents' referral to treatment commitments in force in `year`."""
    return (f"The planning documents' referral to treatment commitments in force in {year.label}, each judged "
            "from the data for its exact period and definition where it sets a level (see the front page).")


def position_figures(end: dict) -> dict:
    """`position`'s figures for gluing: the month, both shares, both lists (as text) and whether the
    reported share met the standard ("met" or "did not meet")."""
    return {"end_month": month_label(end["month"]), "percent": end["percent"], "percent_est": end["percent_est"],
            "waiting": count_text(end["waiting"]), "waiting_est": count_text(end["waiting_est"]),
            "met_word": "met" if end["percent"] >= STANDARD else "did not meet"}


def monthly_alt(series: pd.DataFrame, year: FinancialYear) -> str:
    """The monthly 18-week chart's alt text: whether every month was below the standard, and the lowest."""
    low = series.loc[series["percent_within_18"].idxmin()]
    against = ("below the 92% standard in every month" if (series["percent_within_18"] < STANDARD).all()
               else "against the 92% standard")
    return (f"Incomplete pathways within 18 weeks by month in {year.label}: {against}; the lowest was "
            f"{low['percent_within_18']:.1f}% in {month_label(low['month'])}.")


def waiting_list_alt(end: dict, year: FinancialYear) -> str:
    """The waiting list chart's alt text: the list reported at the end of the year."""
    return (f"The waiting list by month in {year.label}, as reported and with estimates for missing trusts; "
            f"{count_text(end['waiting'])} reported at the end of {month_label(end['month'])}.")


def waiting_list_growth_table(growth: pd.DataFrame) -> pd.DataFrame:
    """`waiting_list_growth`'s table for the page: counts as text, percentages to one place, columns named."""
    shown = growth.assign(**{c: growth[c].map(count_text) for c in ("end", "growth", "previous_growth")},
                          **{c: growth[c].round(1) for c in ("growth_percent", "previous_growth_percent",
                                                            "less_by_count", "less_by_rate")})
    return shown.rename(columns=WAITING_LIST_COLUMNS)


def completed_growth_table(completed: pd.DataFrame) -> pd.DataFrame:
    """`completed_growth`'s table for the page: whole counts as text, percentages to one place, columns named."""
    shown = completed.copy()
    for column in ("completed", "previous_completed"):
        shown[column] = shown[column].round().map(count_text)
    for column in ("growth_percent", "per_day_growth_percent", "per_working_day_growth_percent"):
        shown[column] = shown[column].astype(float).round(1)
    return shown.rename(columns=COMPLETED_COLUMNS)


def variant_figures() -> dict:
    """For gluing: the reading of each ledger figure with variants that the ledger compares, and why
    it was chosen (`ledger.chosen_variant`), as "completed_variant", "completed_reason" and so on."""
    from ..ledger import chosen_variant

    out = {}
    for short, figure in VARIANTS.items():
        variant, reason = chosen_variant("rtt", figure)
        out[f"{short}_variant"] = variant
        out[f"{short}_reason"] = in_words(reason)
    return out


def referrals_sentence(table: pd.DataFrame, year: FinancialYear) -> str:
    """Since when the file counts new RTT periods (clock starts), and their growth in the year when
    it and the year before are whole."""
    first = first_new_periods_month(table)
    if first is None:
        return "The file has no count of new RTT periods (clock starts)."
    clock = new_periods_growth(table, year)
    since = f"New RTT periods (clock starts) are counted only from {month_label(first)}; "
    if clock:
        change = clock["growth_percent"]
        moved = f"grew {change:.1f}%" if change > 0 else f"fell {-change:.1f}%" if change < 0 else "did not change"
        return since + f"in {year.label} they {moved} on the year before."
    return since + f"{year.label} and the year before are not both whole, so their growth is not computed."


def headline_results(end: dict) -> list[Result]:
    """The page's headline results: the 18-week position and the waiting list at the end of the year."""
    return [Result(position_result(end["month"]), end["percent"], standard=STANDARD),
            Result(WAITING_RESULT, end["waiting"], unit="count")]
