"""A&E four-hour performance: readers for two layouts, measures, sample, charts and fetch."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from ..contract import CommitmentMeasure, LedgerFigures
from ..periods import FinancialYear, covered_year
from ..sources import DATA_DIR
from . import commitments
from .charts import monthly_chart, provider_chart, type_1_funnel_chart
from .metrics import (STANDARD, coverage, delayed_beds_control, england, funnel_sentence, gap_sentence, growth,
                      growth_sentence, monthly,
                      provider_funnel, provider_table, providers, spc_series)
from .readers import gaps, read_files, read_long, read_monthly
from .text import (commitments_caption, delays_alt, delays_caption, delays_spc_sentence, england_figures,
                   funnel_alt, headline_results, lowest_month, monthly_alt, provider_caption, provider_figures,
                   reference_caption, reference_table)

REFERENCE_LINES = DATA_DIR / "reference" / "ae_standards.csv"

__all__ = ["COMMITMENT_MEASURES", "yearly_views", "load", "ledger_figures", "validate_parameters", "reference_lines", "monthly_chart", "provider_chart", "STANDARD",
           "coverage", "england", "funnel_sentence", "gap_sentence", "growth", "growth_sentence", "monthly", "spc_series", "providers", "provider_funnel", "provider_table", "read_files", "read_long", "read_monthly", "gaps",
           "delayed_beds_control", "type_1_funnel_chart",
           # what the page says (text.py)
           "commitments_caption", "delays_alt", "delays_caption", "delays_spc_sentence", "england_figures",
           "funnel_alt", "headline_results", "lowest_month", "monthly_alt", "provider_caption",
           "provider_figures", "reference_caption", "reference_table"]


def load(sources) -> pd.DataFrame:
    """Both layouts into one table (the long file and any monthly files)."""
    return read_files(sources["ae_attendances"].files, sources["ae_monthly"].files)


def validate_parameters(params: dict, sources) -> dict:
    year = covered_year(params["period"], coverage(load(sources)), "the A&E data")
    return {**params, "period": year.label}


def reference_lines(year: FinancialYear | None = None) -> pd.DataFrame:
    """The 95% standard and the mandate's 90% ambition, with their citations; with `year`, only
    those in force in it (`analysis.in_force`), so no edition holds up another year's ambition."""
    lines = pd.read_csv(REFERENCE_LINES, dtype={"document": str, "line": str})
    if year is None:
        return lines
    from ..in_force import in_force

    return lines[[in_force("ae", key).covers(year) for key in lines["key"]]].reset_index(drop=True)


def lines_text(lines: pd.DataFrame) -> str:
    """What the chart's dashed lines mark, from the lines in force ("the 95% standard")."""
    return "The dashed lines mark: " + "; ".join(lines["label"]) + "." if len(lines) > 1 else \
        f"The dashed line marks: {lines['label'].iloc[0]}."


BASE_URL_HELP = ("the address of a folder holding NHS England's monthly provider CSVs named "
                 "Monthly-AE-<Month>-<YYYY>.csv (NHS England's own addresses vary by month, so a "
                 "mirror or a list per year is needed): give --base-url or set HANDBOOK_AE_BASE_URL")


def monthly_file_name(month: pd.Period) -> str:
    """The name the handbook gives each monthly provider CSV: Monthly-AE-March-2017.csv."""
    return f"Monthly-AE-{month.strftime('%B')}-{month.year}.csv"


def month_check(month: pd.Period):
    """A check for a downloaded monthly file: it reads as the provider CSV of `month`."""
    from ..errors import DataError

    def check(path):
        table = read_monthly(path)
        found = sorted(set(table["month"]))
        if found != [month]:
            shown = ", ".join(m.strftime("%B %Y") for m in found)
            raise DataError(path, f"holds {shown}, not {month.strftime('%B %Y')}")
    return check


def downloads(year: FinancialYear, base_url: str) -> list:
    """The twelve monthly files of a financial year under `base_url`, each checked as its month's CSV."""
    from ..fetch import Download

    base = base_url if base_url.endswith("/") else base_url + "/"
    return [Download(url=base + monthly_file_name(m), file=monthly_file_name(m), check=month_check(m))
            for m in year.months()]


def fetch(period: str, data_dir, base_url: str | None = None, progress=print, allow_hosts=()):
    """Download a year's monthly files into `data_dir/ae/`, verified and recorded (a redirect to
    another host than the base URL's is followed only to `allow_hosts`)."""
    import os
    from pathlib import Path

    from ..fetch import fetch_files

    from ..fetch import check_url

    year = FinancialYear.parse(period)
    base = base_url or os.environ.get("HANDBOOK_AE_BASE_URL")
    if not base:
        raise ParameterError("base-url", BASE_URL_HELP)
    check_url(base)
    return fetch_files(downloads(year, base), Path(data_dir) / "ae", publisher="NHS England",
                       title="A&E Attendances and Emergency Admissions, monthly provider CSV", progress=progress,
                       allow_hosts=allow_hosts)


def headline(sources, year: FinancialYear) -> dict:
    """This chapter's results for the front page, keyed as in data/reference/at_a_glance.csv (see
    `analysis.contract.entry`); the first is the chapter's key figure."""
    from ..contract import entry
    from ..page import Result
    from ..periods import month_label

    table = load(sources)
    value = england(table, year)["all_types"]
    return {"four_hour": entry(Result("seen within four hours, all A&E department types", value, standard=STANDARD),
                               f"A&E monthly returns to {month_label(table['month'].max())}")}


def ledger_figures(sources, params: dict) -> LedgerFigures:
    """The ledger's reproduced figures (see `analysis.contract`): the year's four-hour performance over
    all department types, and growth in delayed days beside the report's "sharp increases"."""
    from ..dtoc import delayed_days_growth, load as load_delays

    year = FinancialYear.parse(params["period"])
    growth, note = delayed_days_growth(load_delays(sources).monthly, year)
    return LedgerFigures({"four_hour_performance": england(load(sources), year)["all_types"],
                          "delayed_days_growth": growth},
                         notes={"four_hour_performance": "All department types, summed over providers and months.",
                                "delayed_days_growth": note})


ALL_TYPES = "seen within four hours, all A&E department types"
TYPE_1 = "seen within four hours, major (type 1) A&E departments"
TYPE_1_FUNNEL = "type 1 departments, around England's type 1 rate"


def provider_years(sources) -> list:
    """The financial years the A&E rows cover whole (each has provider results)."""
    return coverage(load(sources))


def provider_results(sources, year: FinancialYear) -> list:
    """Each provider's four-hour performance for `year` as the chapter's provider table gives it:
    all department types (`providers`, judged against 95%) and type 1 alone (`provider_funnel`,
    with its place in the type 1 funnel); with each one's months (see `analysis.contract`)."""
    from ..contract import ProviderResult
    from .metrics import provider_monthly

    table = load(sources)
    if year not in coverage(table):
        return []
    every = providers(table, year)
    compared, _ = provider_funnel(table, year)
    months = {kind: {code: tuple((str(m), float(v)) for m, v in zip(rows["month"], rows["performance"]))
                     for code, rows in provider_monthly(table, year, type_1=kind).groupby("org_code")}
              for kind in (False, True)}
    out = []
    for row in every.itertuples(index=False):
        if row.attendances > 0:
            out.append(ProviderResult(row.org_code, _name(row.org_name), "all_types", float(row.attendances - row.breaches),
                                      float(row.attendances), float(row.performance), STANDARD, ALL_TYPES, year.label,
                                      funnel="not in the chapter's funnel (it compares type 1 departments only)",
                                      months=months[False].get(row.org_code, ()), volume_noun="attendances",
                                      heading="A&E, all types"))
    for row in compared.itertuples(index=False):
        out.append(ProviderResult(row.org_code, _name(row.org_name), "type_1", float(row.numerator), float(row.volume),
                                  float(row.rate), STANDARD, TYPE_1, year.label, position=row.position,
                                  funnel=TYPE_1_FUNNEL, months=months[True].get(row.org_code, ()),
                                  volume_noun="type 1 attendances", heading="A&E, type 1"))
    return out


def _name(value) -> str:
    return "" if pd.isna(value) else str(value).strip()


def yearly_views(sources, params: dict) -> list:
    """This chapter's measures for every financial year its data cover (see `analysis.contract`)."""
    from ..dtoc import load as load_delays, years as delay_years
    from . import years

    return [years.view(load(sources)), delay_years.view(load_delays(sources).monthly)]


COMMITMENT_MEASURES = {name: CommitmentMeasure(load, figure) for name, figure in commitments.FIGURES.items()}
