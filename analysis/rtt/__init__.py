"""Elective care: referral to treatment (RTT) waiting times from NHS England's overview series."""

from __future__ import annotations

import pandas as pd

from ..ledger import published
from ..periods import FinancialYear, covered_year
from .charts import percent_chart, waiting_list_chart
from .metrics import (STANDARD, STANDARD_SOURCE, WAITING_RESULT, completed_growth, coverage, first_new_periods_month,
                      monthly, new_periods_growth, position, position_result, spc_series, waiting_list_growth,
                      working_days)
from .readers import read_overview

__all__ = ["load", "validate_parameters", "headline", "ledger_values", "standard_table", "read_overview",
           "coverage", "position", "monthly", "spc_series", "waiting_list_growth", "completed_growth",
           "new_periods_growth", "first_new_periods_month", "working_days", "percent_chart",
           "waiting_list_chart", "STANDARD", "WAITING_RESULT", "position_result"]


def load(sources) -> pd.DataFrame:
    return read_overview(sources["rtt_overview"].one_file("RTT overview workbook"))


def validate_parameters(params: dict, sources) -> dict:
    year = covered_year(params["period"], coverage(load(sources)), "the RTT overview series")
    return {**params, "period": year.label}


def standard_table() -> pd.DataFrame:
    document, line, text = STANDARD_SOURCE
    return pd.DataFrame([{"Reference": f"Standard {STANDARD:.0f}%", "Text": text, "Document": document,
                          "Line": line}])


def ledger_values(table: pd.DataFrame, year: FinancialYear) -> tuple[dict, dict]:
    """The ledger's reproduced figures for `year`, and a note on the series each one uses."""
    where = position(table, year)
    reproduced = {"incomplete_within_18_weeks": where["percent"]}
    notes = {"incomplete_within_18_weeks": (
        f"Reported series (without estimates for missing trusts), {where['month'].strftime('%B %Y')}; with "
        f"estimates it is {where['percent_est']:.1f}%.")}
    growth = waiting_list_growth(table, year)
    if growth is None:
        reproduced["waiting_list_growth_less"] = None
        notes["waiting_list_growth_less"] = "The file does not reach back two years before the period's end."
    else:
        rep, est = growth.iloc[0], growth.iloc[1]
        reproduced["waiting_list_growth_less"] = float(rep["less_by_count"])
        printed = float(published("rtt").set_index("figure").at["waiting_list_growth_less", "value"])
        candidates = [rep["less_by_count"], rep["less_by_rate"], est["less_by_count"], est["less_by_rate"]]
        unexplained = ("" if any(round(float(c)) == printed for c in candidates) else
                       f" No series or measure in this file gives {printed:.0f}%; the cause of the difference "
                       "was not found.")
        notes["waiting_list_growth_less"] = (
            f"Incomplete pathways March on March, reported: up {rep['growth']:,.0f} against {rep['previous_growth']:,.0f} "
            f"the year before ({rep['less_by_count']:.0f}% less; as growth rates {rep['growth_percent']:.1f}% against "
            f"{rep['previous_growth_percent']:.1f}%, {rep['less_by_rate']:.0f}% less). With estimates for missing "
            f"trusts: {est['less_by_count']:.0f}% less by count, {est['less_by_rate']:.0f}% by rate.{unexplained}")
    first = first_new_periods_month(table)
    reproduced["referral_growth_fall"] = None
    notes["referral_growth_fall"] = (
        "Not computed: the file counts new RTT periods (clock starts) only from "
        f"{first.strftime('%B %Y') if first is not None else 'no month'}, so referral growth in "
        "2015/16 cannot be measured from it; the report does not say which referral series it used.")
    completed = completed_growth(table, year)
    if completed is None:
        reproduced["completed_per_day_growth"] = None
        notes["completed_per_day_growth"] = "The file does not hold the previous year whole."
    else:
        rep, est = completed.iloc[0], completed.iloc[1]
        value = est["per_working_day_growth_percent"]
        reproduced["completed_per_day_growth"] = None if value is None else float(value)
        if value is None:
            notes["completed_per_day_growth"] = "The handbook lists bank holidays for fewer years than this needs."
            return reproduced, notes
        notes["completed_per_day_growth"] = (
            f"Completed pathways (admitted plus non-admitted) with estimates for missing trusts, per working day "
            f"({est['working_days']} against {est['previous_working_days']}). Per calendar day it is "
            f"{est['per_day_growth_percent']:.1f}% with estimates and {rep['per_day_growth_percent']:.1f}% as "
            f"reported; per working day as reported {rep['per_working_day_growth_percent']:.1f}%.")
    return reproduced, notes


def headline(sources, year: FinancialYear) -> dict:
    """This chapter's result for the front page: the 18-week position at the year's end."""
    from ..glance import entry
    from ..page import Result
    from ..periods import month_label

    table = load(sources)
    value = position(table, year)["percent"]
    latest = table.dropna(subset=["percent_within_18"])["month"].max()
    return {"rtt_incomplete": entry(Result(position_result(year.last_month), value, standard=STANDARD),
                                    f"RTT overview series to {month_label(latest)}")}
