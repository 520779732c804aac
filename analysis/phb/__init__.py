"""Personal health budgets: the quarterly collection by CCG, rates and the road to 2020/21."""

from __future__ import annotations

import pandas as pd

from ..contract import LedgerFigures
from ..errors import DataError, ParameterError
from ..periods import FinancialYear
from ..population import ccg_totals, read_population
from .charts import rate_chart, trajectory_chart
from .metrics import COMMITMENT, count_at, national, rates, required_growth, trajectory, trajectory_lines
from .organisations import ccg_sentence, organisation_view, real_organisations, synthetic_note
from .readers import read_phb
from .text import (ccg_figures, ccg_table_caption, commitment_statements, count_figures, national_shown, page_results,
                   rate_chart_alt, rate_chart_data, trajectory_alt, trajectory_data, trajectory_figures)

__all__ = ["yearly_views", "load", "validate_parameters", "ledger_figures", "parse_ccgs", "national", "count_at", "rates", "trajectory",
           "trajectory_lines", "required_growth", "rate_chart", "trajectory_chart", "COMMITMENT", "read_phb",
           "ccg_view", "commitment_table", "organisation_view", "real_organisations", "ccg_sentence",
           "synthetic_note", "commitment_statements", "count_figures", "national_shown", "trajectory_figures",
           "trajectory_alt", "trajectory_data", "ccg_figures", "rate_chart_alt", "rate_chart_data", "ccg_table_caption",
           "page_results"]


def load(sources) -> tuple[pd.DataFrame, pd.Series]:
    """The PHB table and registered patients per CCG; every CCG in the PHB data needs a population."""
    phb = pd.concat([read_phb(p) for p in sources["phb_quarterly"].files], ignore_index=True)
    population = pd.concat([read_population(p) for p in sources["ccg_population"].files], ignore_index=True)
    totals = ccg_totals(population)
    unknown = ~phb["ccg_code"].isin(totals.index)
    if unknown.any():
        first = phb.loc[unknown].iloc[0]
        raise DataError(first["source_file"], f"CCG code {first['ccg_code']} is not in the population file",
                        row=int(first["source_row"]), column="CCG Code")
    return phb, totals


def parse_ccgs(text: str) -> list[str]:
    return [c.strip().upper() for c in str(text or "").split(",") if c.strip()]


def validate_parameters(params: dict, sources) -> dict:
    year = FinancialYear.parse(params["period"])
    phb, _ = load(sources)
    ends = set(phb["quarter_end"])
    if year.last_month not in ends:
        covered = sorted(ends)
        raise ParameterError("period", f"{year.label} ends in {year.last_month.strftime('%B %Y')}, which is not "
                                       f"in the PHB data (quarters from {covered[0].strftime('%B %Y')} to "
                                       f"{covered[-1].strftime('%B %Y')})")
    chosen = parse_ccgs(params.get("ccgs", ""))
    known = set(phb["ccg_code"])
    for code in chosen:
        if code not in known:
            raise ParameterError("ccgs", f"'{code}' is not a CCG code in the PHB data")
    return {**params, "period": year.label, "ccgs": ",".join(chosen)}


def commitment_table() -> pd.DataFrame:
    """The mandate commitment and related printed figures, with their documents and lines."""
    from ..sources import DATA_DIR

    table = pd.read_csv(DATA_DIR / "reference" / "phb_commitment.csv", dtype=str)
    table["value"] = [int(v) if v.isdigit() else v for v in table["value"]]  # counts as numbers, "2020/21" as text
    return table.rename(columns={"item": "Item", "value": "Value", "text": "Text", "document": "Document",
                                 "line": "Line"})


def ccg_view(table: pd.DataFrame, chosen: list[str], synthetic: bool) -> pd.DataFrame:
    """The chosen CCGs' counts, rates and ranks among all CCGs (all CCGs when none chosen).

    On synthetic data every CCG must be fictional (`organisation_view`), or this refuses.
    """
    view = organisation_view(table, synthetic)
    if not view.allowed:
        raise DataError("phb_quarterly", view.reason)
    shown = table[table["ccg_code"].isin(chosen)] if chosen else table
    return pd.DataFrame({"Rank": shown["rank"].astype(str) + f" of {len(table)}", "CCG": shown["ccg_name"],
                         "Code": shown["ccg_code"], "In place": shown["total"].map("{:,.0f}".format),
                         "Registered patients": shown["population"].map("{:,.0f}".format),
                         "Per 100,000": shown["rate"].map("{:.1f}".format)})


def headline(sources, year: FinancialYear) -> dict:
    """This chapter's result for the front page: budgets in place at the year's end (see
    `analysis.contract.entry`). Not judged: the commitment falls due in March 2021."""
    from ..contract import entry
    from ..page import Result
    from ..periods import month_label

    table, _ = load(sources)
    count = count_at(table, year.last_month)
    return {"phb_count": entry(Result(f"personal health budgets in place, {month_label(year.last_month)}", count,
                                      unit="count", standard_text="commitment: 50,000 to 100,000 by March 2021, "
                                                                  "not yet due"),
                               f"PHB quarterly collection to {month_label(table['quarter_end'].max())}")}


def ledger_figures(sources, params: dict) -> LedgerFigures:
    """The ledger's reproduced figures (see `analysis.contract`): budgets in place at the year's end, and
    that count over the count 18 months earlier."""
    table, _ = load(sources)
    end = FinancialYear.parse(params["period"]).last_month
    latest, earlier = count_at(table, end), count_at(table, end - 18)
    return LedgerFigures({"phb_march_2017": latest, "phb_multiple_sep_2015": latest / earlier if earlier else None},
                         notes={"phb_march_2017": "Sum of CCG counts at the quarter end.",
                                "phb_multiple_sep_2015": "Count at the year end over the count 18 months earlier."})


def yearly_views(sources, params: dict) -> list:
    """This chapter's measures for every financial year its data cover (see `analysis.contract`)."""
    from . import years

    return [years.view(load(sources)[0])]
