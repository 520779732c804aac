"""Cancer waiting times: readers, the standards catalogue, measures and charts."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from ..page import count_text
from ..contract import CommitmentMeasure, LedgerFigures
from ..periods import FinancialYear, covered_year, years_covered
from . import commitments
from .charts import monthly_chart, provider_funnel_chart
from .metrics import (GP62_RESULT, TWW_RESULT, CancerData, change_sentence, mean_of_provider_percentages,
                      monthly_performance, months_sentence, provider_months, provider_performance, providers_by_month,
                      provider_funnel, provider_rows, provider_table, providers_met_sentence, providers_sentence, quarterly_table,
                      quarters_sentence, sheet_figures, sixty_two_day_summary, spc_series,
                      standards_display, standards_met, standards_sentence, standards_table, urgent_referrals,
                      year_totals)
from .national import empty_summaries, read_national_series, read_national_summaries
from .readers import empty_table, read_provider_csv, read_provider_files
from .text import (commitments_caption, funnel_alt, funnel_sentence, headline_results, monthly_alt,
                   monthly_figures, provider_caption, quarters_caption, sixty_two_day_figures, standards_caption,
                   standards_result)

__all__ = ["COMMITMENT_MEASURES", "yearly_views", "GP62_RESULT", "TWW_RESULT", "CancerData", "change_sentence", "load", "validate_parameters", "ledger_figures",
           "monthly_chart", "monthly_performance", "months_sentence", "provider_months",
           "provider_performance", "provider_funnel", "provider_table", "providers_met_sentence", "providers_sentence", "quarterly_table",
           "quarters_sentence", "sheet_figures", "spc_series",
           "sixty_two_day_summary", "standards_display", "standards_met", "standards_sentence", "standards_table",
           "urgent_referrals", "year_totals", "read_national_series", "read_national_summaries",
           "read_provider_csv", "read_provider_files", "mean_of_provider_percentages", "provider_rows",
           "provider_funnel_chart",
           # what the page says (text.py)
           "commitments_caption", "funnel_alt", "funnel_sentence", "headline_results", "monthly_alt",
           "monthly_figures", "provider_caption", "quarters_caption", "sixty_two_day_figures",
           "standards_caption"]


def load(sources) -> CancerData:
    """The provider files and the national series' three sheets (tables empty when absent)."""
    provider = read_provider_files(sources["cwt_provider"].files)
    workbook = sources["cwt_national"].one_file("national time series workbook", required=False)
    if workbook:
        return CancerData(provider, read_national_series(workbook), read_national_summaries(workbook))
    return CancerData(provider, empty_table(), empty_summaries())


def years_available(data: CancerData) -> list[FinancialYear]:
    """Years the 62-day standard covers whole: a row of the Annual Data sheet, or twelve months
    of the provider files."""
    annual = data.summaries[(data.summaries["standard"] == "gp_62") & (data.summaries["quarter"] == 0)]
    years = {FinancialYear.parse(label) for label in annual["year"]}
    years |= set(years_covered(set(provider_rows(data.provider, "gp_62")["month"])))
    return sorted(years, key=lambda y: y.start_year)


def validate_parameters(params: dict, sources) -> dict:
    """Check the period (and organisation) against the data before the chapter runs."""
    data = load(sources)
    year = covered_year(params["period"], years_available(data), "the cancer data")
    organisation = str(params.get("organisation", "") or "").strip().upper()
    if organisation:
        known = set(provider_rows(data.provider, "gp_62")["organisation"])
        if organisation not in known:
            raise ParameterError("organisation", f"'{organisation}' is not an ODS code of a provider in the "
                                                 "cancer provider files (62-day rows); the valid codes are those of "
                                                 "the provider table on the chapter's page (run it without "
                                                 "organisation) or of the organisations page's search box")
    return {**params, "period": year.label, "organisation": organisation}


def ledger_figures(sources, params: dict) -> LedgerFigures:
    """The ledger's reproduced figures (see `analysis.contract`): each figure of data/published/cancer.csv
    for the period, a note on the sheet and row it came from, and the year before's and after's figures
    as alternatives."""
    year = FinancialYear.parse(params["period"])
    data = load(sources)
    standards, gp = standards_table(data, year), sixty_two_day_summary(data, year)
    referrals = urgent_referrals(data, year)
    return LedgerFigures(_ledger_values(standards, gp, referrals), _ledger_notes(standards, gp, referrals),
                         _ledger_alternatives(data, year))


def _ledger_values(standards: pd.DataFrame, gp: dict, referrals: dict) -> dict:
    """The reproduced value of each figure in data/published/cancer.csv."""
    met, of = standards_met(standards)
    return {"standards_met": met, "standards_with_threshold": of,
            "gp62_within": gp["within"], "gp62_change": gp["change"],
            "gp62_change_percent": gp["change_percent"], "gp62_performance": gp["performance"],
            "tww_referrals": referrals["total"]}


def _ledger_alternatives(data: CancerData, year: FinancialYear) -> dict:
    """The year figures of the year before and the year after, where the data give them from the
    same source as this year's, named by year: the ledger says when one fits a printed figure
    that this year's does not."""
    out = {"tww_referrals": {}, "gp62_within": {}, "gp62_performance": {}}
    measures = (("tww_referrals", "tww", "total"), ("gp62_within", "gp_62", "within"),
                ("gp62_performance", "gp_62", "performance"))
    for other in (year.previous(), FinancialYear(year.start_year + 1)):
        for figure, standard, key in measures:
            totals = year_totals(data, standard, other)
            if totals[key] is not None and totals["source"] == year_totals(data, standard, year)["source"]:
                out[figure][other.slash_label] = totals[key]
    return out


def _ledger_notes(standards: pd.DataFrame, gp: dict, referrals: dict) -> dict:
    """Plain sentences for the ledger: where each reproduced figure came from."""
    judged = standards[standards["met"].notna()]
    sources = "; ".join(sorted(set(judged["source"])))
    this = f"{gp['where']}: {_count(gp['within'])} of {_count(gp['total'])}" if gp["within"] is not None \
        else gp["where"]
    rows = f" (rows {gp['row']} and {gp['previous_row']})" if gp["row"] else ""
    if gp["change"] is not None:
        change = (f"Both years from the {gp['source']}{rows}: {_count(gp['within'])} and "
                  f"{_count(gp['previous_within'])} treated within 62 days.")
    elif gp["previous_within"] is None:
        change = f"Not given: the year before is not complete in the data ({gp['previous_note']})."
    else:
        change = (f"Not given: this year from the {gp['source']}, the year before from the "
                  f"{gp['previous_source']}.")
    seen = (f"Patients first seen after an urgent GP referral for suspected cancer (two-week-wait "
            f"Total), from the {referrals['where']}: {_count(referrals['total'])}."
            if referrals["total"] is not None else f"Two-week wait: {referrals['note']}.")
    return {
        "standards_met": f"Judged from the {sources}.",
        "standards_with_threshold": f"Judged from the {sources}.",
        "gp62_within": f"From the {this}.",
        "gp62_performance": f"From the {this}.",
        "gp62_change": change,
        "gp62_change_percent": change,
        "tww_referrals": seen,
    }


def _count(value) -> str:
    return "n/a" if value is None else count_text(value)


def headline(sources, year: FinancialYear) -> dict:
    """This chapter's results for the front page, keyed as in data/reference/at_a_glance.csv."""
    from ..contract import entry
    from ..page import Result
    from ..periods import month_label

    data = load(sources)
    counted = standards_result(standards_table(data, year), "cancer standards")
    gp = sixty_two_day_summary(data, year)
    months = data.monthly["month"] if len(data.monthly) else data.provider["month"]
    vintage = (f"{'national time series' if len(data.monthly) else 'monthly provider files'} to "
               f"{month_label(months.max())}")
    return {"gp62": entry(Result(GP62_RESULT, gp["performance"], standard=gp["threshold"]), vintage),
            "standards_met": entry(counted, vintage, result=None if counted.standard is None else
                                   f"{counted.value} of {counted.standard:.0f}")}


PROVIDER_STANDARDS = ("gp_62", "first_31")
"""The standards whose provider results the organisations page shows: 62-day and 31-day first treatment."""
SHORT_HEADINGS = {"gp_62": "62-day", "first_31": "31-day"}  # in the organisations page's column headings
EMPTY_MONTHS = pd.DataFrame({"month": [], "performance": []})


def provider_years(sources) -> list:
    """The financial years the provider files cover whole for the 62-day standard."""
    return years_covered(set(provider_rows(load(sources).provider, "gp_62")["month"]))


def provider_results(sources, year: FinancialYear) -> list:
    """Each provider's performance on the 62-day and 31-day (first treatment) standards for `year`,
    from the chapter's `provider_funnel` (its provider table's rows, with their funnel position),
    and its months from `providers_by_month` (what `monthly_performance` gives for one provider), see
    `analysis.contract`."""
    from ..contract import ProviderResult
    from .standards import catalogue, threshold

    data = load(sources)
    names = catalogue().set_index("key")["short_name"]
    out = []
    for standard in PROVIDER_STANDARDS:
        compared, _ = provider_funnel(data.provider, year, standard)
        if compared.empty:
            continue
        monthly = dict(tuple(providers_by_month(data.provider, standard, year.months()).groupby("organisation")))
        for row in compared.itertuples(index=False):
            months = monthly.get(row.organisation, EMPTY_MONTHS)
            out.append(ProviderResult(
                row.organisation, str(row.organisation_name or "").strip(), standard, float(row.numerator),
                float(row.volume), float(row.rate), threshold(standard), f"treated within the {names[standard]} standard",
                year.label, position=row.position, funnel="providers around their own England rate for the standard",
                months=tuple((str(m), float(v)) for m, v in zip(months["month"], months["performance"])),
                volume_noun="patients treated", heading=f"Cancer {SHORT_HEADINGS[standard]}"))
    return out


def yearly_views(sources, params: dict) -> list:
    """This chapter's measures for every financial year its data cover (see `analysis.contract`)."""
    from . import years

    return [years.view(load(sources))]


COMMITMENT_MEASURES = {name: CommitmentMeasure(load, figure) for name, figure in commitments.FIGURES.items()}
