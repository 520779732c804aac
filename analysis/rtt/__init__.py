"""Elective care: referral to treatment (RTT) waiting times from NHS England's overview series."""

from __future__ import annotations

import pandas as pd

from ..ledger import choose
from ..contract import CommitmentMeasure, LedgerFigures
from ..periods import FinancialYear, covered_year
from . import commitments
from .charts import percent_chart, waiting_list_chart
from .metrics import (STANDARD, STANDARD_SOURCE, WAITING_RESULT, completed_growth, coverage, first_new_periods_month,
                      monthly, new_periods_growth, position, position_result, spc_series, waiting_list_growth,
                      working_days)
from .readers import read_overview
from .text import (NO_COMPLETED_GROWTH, NO_WAITING_LIST_GROWTH, commitments_caption, completed_growth_table,
                   headline_results, monthly_alt, position_figures, referrals_sentence, variant_figures,
                   waiting_list_alt, waiting_list_growth_table)

__all__ = ["COMMITMENT_MEASURES", "yearly_views", "load", "validate_parameters", "headline", "ledger_figures", "completed_variants", "waiting_list_variants",
           "standard_table", "read_overview",
           "coverage", "position", "monthly", "spc_series", "waiting_list_growth", "completed_growth",
           "new_periods_growth", "first_new_periods_month", "working_days", "percent_chart",
           "waiting_list_chart", "STANDARD", "WAITING_RESULT", "position_result",
           # what the page says (text.py)
           "NO_COMPLETED_GROWTH", "NO_WAITING_LIST_GROWTH", "commitments_caption", "completed_growth_table",
           "headline_results", "monthly_alt", "position_figures", "referrals_sentence", "variant_figures",
           "waiting_list_alt", "waiting_list_growth_table"]


def load(sources) -> pd.DataFrame:
    return read_overview(sources["rtt_overview"].one_file("RTT overview workbook"))


def validate_parameters(params: dict, sources) -> dict:
    year = covered_year(params["period"], coverage(load(sources)), "the RTT overview series")
    return {**params, "period": year.label}


def standard_table() -> pd.DataFrame:
    document, line, text = STANDARD_SOURCE
    return pd.DataFrame([{"Reference": f"Standard {STANDARD:.0f}%", "Text": text, "Document": document,
                          "Line": line}])


SERIES_NAMES = {"reported": "as reported", "with estimates": "with estimates for missing trusts"}


def completed_variants(completed: pd.DataFrame) -> dict[str, float | None]:
    """Growth in completed pathways, every way it can be read: the year's total, per calendar day
    and per working day, each as reported and with estimates (named as the ledger names them)."""
    out = {}
    for row in completed.itertuples():
        series = SERIES_NAMES[row.series]
        out[f"in the year's total, {series}"] = float(row.growth_percent)
        out[f"per calendar day, {series}"] = float(row.per_day_growth_percent)
        out[f"per working day, {series}"] = (None if row.per_working_day_growth_percent is None
                                             else float(row.per_working_day_growth_percent))
    return out


def waiting_list_variants(growth: pd.DataFrame) -> dict[str, float]:
    """How much less the waiting list grew, by count and by growth rate, in both series."""
    out = {}
    for row in growth.itertuples():
        out[f"by count, {SERIES_NAMES[row.series]}"] = float(row.less_by_count)
        out[f"by growth rate, {SERIES_NAMES[row.series]}"] = float(row.less_by_rate)
    return out


def ledger_figures(sources, params: dict) -> LedgerFigures:
    """The ledger's reproduced figures for the period (see `analysis.contract`), a note on the series each
    one uses, and the other variants computed (for the ledger to say if one of them fits the printed figure).

    Where a figure has variants, the one reproduced is the one `data/reference/ledger_variants.csv`
    chooses from the documents' definitions (`ledger.choose`); the printed figure is not read."""
    table, year = load(sources), FinancialYear.parse(params["period"])
    where = position(table, year)
    reproduced = {"incomplete_within_18_weeks": where["percent"]}
    notes = {"incomplete_within_18_weeks": (
        f"Reported series (without estimates for missing trusts), {where['month'].strftime('%B %Y')}; with "
        f"estimates it is {where['percent_est']:.1f}%.")}
    alternatives = {}
    growth = waiting_list_growth(table, year)
    if growth is None:
        reproduced["waiting_list_growth_less"] = None
        notes["waiting_list_growth_less"] = "The file does not reach back two years before the period's end."
    else:
        rep = growth.iloc[0]
        choice = choose("rtt", "waiting_list_growth_less", waiting_list_variants(growth))
        reproduced["waiting_list_growth_less"], alternatives["waiting_list_growth_less"] = choice.value, choice.others
        notes["waiting_list_growth_less"] = (
            f"Incomplete pathways March on March, as reported: up {rep['growth']:,.0f} against "
            f"{rep['previous_growth']:,.0f} the year before ({rep['growth_percent']:.1f}% against "
            f"{rep['previous_growth_percent']:.1f}%). " + choice.sentence("percent", 0))
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
        return LedgerFigures(reproduced, notes, alternatives)
    rep = completed.iloc[0]
    choice = choose("rtt", "completed_per_day_growth", completed_variants(completed))
    reproduced["completed_per_day_growth"], alternatives["completed_per_day_growth"] = choice.value, choice.others
    working = ("" if rep["working_days"] is None else
               f", {rep['working_days']} working days against {rep['previous_working_days']}")
    notes["completed_per_day_growth"] = (
        f"Completed pathways (admitted plus non-admitted), as reported: {rep['completed']:,.0f} in {year.label} "
        f"against {rep['previous_completed']:,.0f} ({rep['days']} days against {rep['previous_days']}{working}). "
        + choice.sentence("percent", 1))
    return LedgerFigures(reproduced, notes, alternatives)


def headline(sources, year: FinancialYear) -> dict:
    """This chapter's result for the front page: the 18-week position at the year's end."""
    from ..contract import entry
    from ..page import Result
    from ..periods import month_label

    table = load(sources)
    value = position(table, year)["percent"]
    latest = table.dropna(subset=["percent_within_18"])["month"].max()
    return {"rtt_incomplete": entry(Result(position_result(year.last_month), value, standard=STANDARD),
                                    f"RTT overview series to {month_label(latest)}")}


def yearly_views(sources, params: dict) -> list:
    """This chapter's measures for every financial year its data cover (see `analysis.contract`)."""
    from . import years

    return [years.view(load(sources))]


COMMITMENT_MEASURES = {name: CommitmentMeasure(load, figure) for name, figure in commitments.FIGURES.items()}
