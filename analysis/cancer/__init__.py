"""Cancer waiting times: readers, the standards catalogue, measures and charts."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from ..periods import FinancialYear, years_covered
from .charts import monthly_chart
from .metrics import (change_sentence, mean_of_provider_percentages, monthly_performance, provider_performance,
                      provider_table, spc_series,
                      provider_rows, sixty_two_day_summary, standards_display, standards_met,
                      standards_table, year_totals)
from .readers import read_national_series, read_provider_csv, read_provider_files

__all__ = ["change_sentence", "load", "validate_parameters", "ledger_figures", "ledger_notes", "monthly_chart",
           "monthly_performance", "provider_performance", "provider_table", "spc_series", "sixty_two_day_summary", "standards_display",
           "standards_met", "standards_table", "year_totals", "read_national_series", "read_provider_csv",
           "read_provider_files", "mean_of_provider_percentages", "provider_rows"]


def load(sources) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The provider table and the national series table (either may be empty)."""
    from .readers import empty_table

    provider = read_provider_files(sources["cwt_provider"].files)
    national_files = sources["cwt_national"].files
    national = (pd.concat([read_national_series(p) for p in national_files], ignore_index=True)
                if national_files else empty_table())
    return provider, national


def years_available(provider: pd.DataFrame, national: pd.DataFrame) -> list[FinancialYear]:
    """Years with all twelve months of the 62-day standard in either source."""
    months = set(provider_rows(provider, "gp_62")["month"])
    months |= set(national.loc[national["standard"] == "gp_62", "month"])
    return years_covered(months)


def validate_parameters(params: dict, sources) -> dict:
    """Check the period (and organisation) against the data before the chapter runs."""
    year = FinancialYear.parse(params["period"])
    provider, national = load(sources)
    years = years_available(provider, national)
    if year not in years:
        covered = f"{years[0].label} to {years[-1].label}" if years else "no complete year"
        raise ParameterError("period", f"{year.label} is not covered by the cancer data "
                                       f"(whole years available: {covered})")
    organisation = str(params.get("organisation", "") or "").strip().upper()
    if organisation:
        known = set(provider_rows(provider, "gp_62")["organisation"])
        if organisation not in known:
            raise ParameterError("organisation", f"'{organisation}' is not an ODS code in the "
                                                 "cancer provider files")
    return {**params, "period": year.label, "organisation": organisation}


def ledger_figures(standards: pd.DataFrame, gp: dict) -> dict:
    """The reproduced value of each figure in data/published/cancer.csv."""
    met, of = standards_met(standards)
    return {"standards_met": met, "standards_with_threshold": of,
            "gp62_within": gp["within"], "gp62_change": gp["change"],
            "gp62_change_percent": gp["change_percent"], "gp62_performance": gp["performance"]}


def ledger_notes(standards: pd.DataFrame, gp: dict) -> dict:
    """Plain sentences for the ledger: where each reproduced figure came from."""
    met, _ = standards_met(standards)
    sources = ", ".join(sorted(set(standards["source"])))
    return {
        "standards_met": f"Judged from the {sources}.",
        "standards_with_threshold": f"Judged from the {sources}.",
        "gp62_within": f"Summed from the {gp['source']}.",
        "gp62_performance": f"Summed from the {gp['source']}.",
        "gp62_change": f"This year from the {gp['source']}, the year before from the {gp['previous_source']}.",
        "gp62_change_percent": f"This year from the {gp['source']}, the year before from the "
                               f"{gp['previous_source']}.",
    }


def headline(sources, year: FinancialYear) -> dict:
    """This chapter's results for the front page, keyed as in data/reference/at_a_glance.csv."""
    provider, national = load(sources)
    table = standards_table(provider, national, year)
    met, of = standards_met(table)
    gp = sixty_two_day_summary(provider, national, year)
    return {"standards_met": {"result": f"{met} of {of}", "met": met == of},
            "gp62": {"result": f"{gp['performance']:.1f}%", "met": gp["performance"] >= gp["threshold"]}}
