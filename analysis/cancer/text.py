"""What the cancer page says: its captions, alt texts, sentences, glued figures and headline results."""

from __future__ import annotations

import pandas as pd

from ..funnel import beyond_limits, spread_sentence
from ..page import Result, count_text
from ..periods import FinancialYear, month_label
from .metrics import GP62_RESULT, TWW_RESULT, change_sentence, standards_met


def commitments_caption(year: FinancialYear) -> str:
    """The caption of the planning documents' cancer commitments in force in `year`."""
    return (f"The planning documents' cancer commitments in force in {year.label}, each judged "
            "from the data for its exact period and definition where it sets a level (see the front page).")


def standards_caption(year: FinancialYear) -> str:
    """The caption of the table of every standard in `year`."""
    return (f"Cancer waiting-time standards, {year.label}: threshold, performance, and the sheet "
            "and row each year's figures were read from.")


def sixty_two_day_figures(gp: dict, year: FinancialYear) -> dict:
    """`sixty_two_day_summary`'s figures for gluing: performance and threshold as numbers, the counts
    as text (they may hold a half), where they were read and the change on the year before in words."""
    return {"gp62_performance": gp["performance"], "gp62_threshold": gp["threshold"],
            "gp62_within": count_text(gp["within"]), "gp62_total": count_text(gp["total"]),
            "gp62_where": gp["where"], "gp62_change_sentence": change_sentence(gp, year)}


def quarters_caption(year: FinancialYear) -> str:
    """The caption of the table of the 62-day standard by quarter."""
    return (f"62-day standard by quarter, {year.label}, from the Quarterly Data sheet, "
            "beside the sum of each quarter's months.")


def months_below(monthly: pd.DataFrame, threshold: float) -> int:
    """How many months of `monthly_performance`'s table fell below `threshold`."""
    return int((monthly["performance"] < threshold).sum())


def monthly_figures(monthly: pd.DataFrame, threshold: float) -> dict:
    """For gluing: months below the standard, months in all, and the source of the months."""
    return {"gp62_months_below": months_below(monthly, threshold), "gp62_months": len(monthly),
            "gp62_monthly_source": monthly["source"].iloc[0]}


def monthly_alt(monthly: pd.DataFrame, threshold: float, year: FinancialYear) -> str:
    """The monthly 62-day chart's alt text: months below the standard and the lowest month."""
    lowest = monthly.loc[monthly["performance"].idxmin()]
    return (f"Monthly 62-day performance in {year.label} (from the {monthly['source'].iloc[0]}) was "
            f"below the {threshold:.0f}% standard in {months_below(monthly, threshold)} of {len(monthly)} months, "
            f"lowest at {lowest['performance']:.1f}% in {month_label(lowest['month'])}.")


def funnel_sentence(compared: pd.DataFrame, spread: dict) -> str:
    """What the 62-day funnel is centred on, its ranking threshold and its spread, in words (nothing
    when there is no funnel)."""
    if compared.empty:
        return ""
    return (f"The funnel is centred on the providers' own rate for the year, {spread['england']:.1f}%. The ranking "
            f"threshold is {spread['threshold']} patients treated; {spread['ranked']} of the {spread['providers']} "
            f"providers reach it and {spread['providers'] - spread['ranked']} do not (the smallest treated "
            f"{count_text(compared['volume'].min())}). {spread_sentence(spread)}")


def funnel_alt(spread: dict, year: FinancialYear) -> str:
    """The 62-day funnel plot's alt text: how many providers lie beyond the 99.8% limits."""
    return (f"Funnel plot of {spread['providers']} providers' 62-day performance in {year.label} against "
            f"the number treated: {beyond_limits(spread)}.")


def provider_caption(spread: dict, year: FinancialYear) -> str:
    """The caption of the provider table: largest first, ranked only at the threshold."""
    return (f"62-day performance by provider, {year.label}, summed from the monthly "
            f"provider files, largest first; ranked only at {spread['threshold']} or more patients treated.")


def standards_result(standards: pd.DataFrame, noun: str = "standards") -> Result:
    """How many of the standards judged over the year (`standards_met`: those with a threshold in force and
    a whole year of data) were met; with none judged, no count and no verdict."""
    met, judged = standards_met(standards)
    if judged == 0:
        return Result(f"{noun} with a threshold met over the year: none has a whole year of data here", None,
                      unit="count")
    whole = "" if judged == len(standards.dropna(subset=["threshold"])) else " and a whole year of data"
    return Result(f"of the {judged} {noun} with a threshold{whole} were met over the year", met, unit="count",
                  standard=judged, standard_text=f"all {judged} to be met")


def headline_results(standards: pd.DataFrame, gp: dict) -> list[Result]:
    """The page's headline results: the 62-day and two-week-wait performances, and how many of the
    standards judged over the year were met (`standards_result`, as the front page counts them)."""
    two_week = standards.set_index("key").loc["tww"]
    return [
        Result(GP62_RESULT, gp["performance"], standard=gp["threshold"]),
        Result(TWW_RESULT, two_week["performance"], standard=two_week["threshold"]),
        standards_result(standards),
    ]
