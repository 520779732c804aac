"""Mental health and dementia: early intervention in psychosis waiting times and dementia diagnosis."""

from __future__ import annotations

import pandas as pd

from ..errors import DataError
from ..ledger import printed_text, published
from ..contract import CommitmentMeasure, LedgerFigures
from ..periods import FinancialYear, covered_year
from .. import funnel
from . import commitments
from .charts import dementia_chart, eip_funnel_chart, eip_monthly_chart
from .metrics import (DEMENTIA_AMBITION, EIP_STANDARD, MentalHealthData, dementia_areas, dementia_england, dementia_result, dementia_year,
                      eip_coverage, eip_gap_sentence, eip_month, eip_monthly, eip_monthly_by_provider, eip_providers, eip_result, eip_spc_series,
                      suppressed_rows)
from .readers import read_dementia, read_eip
from .text import (commitments_caption, dementia_areas_sentence, dementia_sentence, dementia_spread_alt,
                   eip_funnel_alt, eip_month_figures, eip_monthly_alt, eip_provider_caption, eip_provider_figures,
                   eip_providers_shown, page_results, printed_figures)

__all__ = ["COMMITMENT_MEASURES", "yearly_views", "load", "MentalHealthData", "validate_parameters", "headline",
           "ledger_figures", "reference_table",
           "transcribed_table", "read_eip", "read_dementia", "eip_coverage", "eip_month", "eip_monthly", "eip_monthly_by_provider",
           "eip_providers", "eip_spc_series", "eip_gap_sentence", "suppressed_rows", "dementia_year",
           "dementia_england", "dementia_areas", "eip_monthly_chart", "eip_funnel_chart", "dementia_chart", "funnel",
           "EIP_STANDARD", "DEMENTIA_AMBITION", "COMPUTED", "eip_result", "dementia_result", "printed_figures", "eip_month_figures",
           "commitments_caption", "eip_monthly_alt", "eip_provider_figures", "eip_funnel_alt", "eip_providers_shown",
           "eip_provider_caption", "dementia_sentence", "dementia_spread_alt", "dementia_areas_sentence",
           "page_results"]

COMPUTED = ("eip_within_two_weeks", "dementia_diagnosis_rate")
"""The ledger figures this chapter computes; the others are transcribed only (no data here)."""
NO_DATA = {
    "iapt": "The handbook has no IAPT data (NHS Digital's IAPT reports would give it).",
    "cyp_iapt": "The coverage of the children and young people's programme is not in any "
                "file here.",
    "liaison": "The handbook has no survey of liaison psychiatry services.",
    "police": "Police figures for Section 136 detentions (Home Office) are not in any file "
              "here.",
    "eating": "The number of teams is not in any file here.",
}


def load(sources) -> MentalHealthData:
    """The EIP waiting times (every file; at least one is needed) and the dementia diagnosis rates
    (None when no file is there: the page then says so)."""
    eip_files, dementia_files = sources["eip_history"].files, sources["dementia_rate"].files
    if not eip_files:
        raise DataError("EIP data", "no EIP waiting times file was found")
    eip = pd.concat([read_eip(path) for path in eip_files], ignore_index=True)
    dementia = (pd.concat([read_dementia(path) for path in dementia_files], ignore_index=True) if dementia_files
                else None)
    return MentalHealthData(eip=eip, dementia=dementia)


def validate_parameters(params: dict, sources) -> dict:
    year = covered_year(params["period"], eip_coverage(load(sources).eip), "the EIP waiting times data")
    return {**params, "period": year.label}


def reference_table() -> pd.DataFrame:
    """The standard and the ambition the chapter measures against, with document and line."""
    return pd.DataFrame([
        {"Reference": f"EIP standard {EIP_STANDARD:.0f}%", "Document": "000_5311d35d774c4b17.txt", "Line": 153,
         "Text": "From April 2016, at least 50 percent of people experiencing a first episode of psychosis should "
                 "commence treatment with a National Institute for Health and Care Excellence (NICE) approved "
                 "care package within two weeks of referral"},
        {"Reference": "Dementia ambition: two thirds", "Document": "000_5311d35d774c4b17.txt", "Line": 157,
         "Text": "From April 2016, maintain a minimum of two-thirds diagnosis rates for people with dementia"},
    ])


def _no_data_note(figure: str) -> str:
    for prefix, note in NO_DATA.items():
        if figure.startswith(prefix):
            return note
    raise KeyError(f"no note for the transcribed figure '{figure}'")


def ledger_figures(sources, params: dict) -> LedgerFigures:
    """The ledger's reproduced figures (see `analysis.contract`; None for those with no data here) and a
    note on each."""
    data, year = load(sources), FinancialYear.parse(params["period"])
    eip, dementia = data.eip, data.dementia
    month = eip_month(eip, year.last_month)
    reproduced = {"eip_within_two_weeks": month["percent"]}
    notes = {"eip_within_two_weeks": (
        f"{month['within_two_weeks']:,.0f} of {month['total']:,.0f} completed pathways in "
        f"{month['month'].strftime('%B %Y')}, summed over {month['providers']} providers and their CCGs.")}
    calendar_year = dementia_year(year)
    england = dementia_england(dementia, calendar_year)
    reproduced["dementia_diagnosis_rate"] = england
    notes["dementia_diagnosis_rate"] = (
        "No dementia diagnosis-rate file was found." if dementia is None else
        f"The file has no rows for {calendar_year}." if england is None else
        f"England's row for {calendar_year} in the diagnosis-rate file (the file gives rates only, so England "
        f"cannot be summed from local authorities); printed rounded to a whole number.")
    for figure in published("mental-health")["figure"]:
        if figure not in COMPUTED:
            reproduced[figure] = None
            notes[figure] = _no_data_note(figure)
    return LedgerFigures(reproduced, notes)


def transcribed_table() -> pd.DataFrame:
    """The section's printed figures that no file here can reproduce, as transcribed."""
    table = published("mental-health")
    rows = table[~table["figure"].isin(COMPUTED)]
    return pd.DataFrame({"Figure": rows["label"], "Printed": [
        printed_text(r.printed, r.style, r.value, r.unit, int(r.decimals)) for r in rows.itertuples()],
        "Document": rows["document"], "Line": rows["line"], "Text": rows["quote"]})


def headline(sources, year: FinancialYear) -> dict:
    """This chapter's results for the front page: EIP in the year's last month, and dementia."""
    from ..contract import entry
    from ..periods import month_label

    data = load(sources)
    table, dementia = data.eip, data.dementia
    years = [] if dementia is None else sorted(set(dementia.loc[dementia["area_type"] == "England", "year"]))
    vintage = (f"EIP waiting times to {month_label(table['month'].max())}; "
               + (f"dementia diagnosis rates for {' and '.join(str(y) for y in years)}" if years
                  else "no dementia diagnosis rates"))
    calendar_year = dementia_year(year)
    eip, dementia_rate = page_results(eip_month(table, year.last_month), calendar_year,
                                      dementia_england(dementia, calendar_year))
    out = {"eip_two_weeks": entry(eip, vintage)}
    if dementia_rate.value is not None:
        out["dementia_diagnosis"] = entry(dementia_rate, vintage, result=f"{dementia_rate.value_text()} (the file's "
                                                                         f"value for calendar {calendar_year})")
    return out


def yearly_views(sources, params: dict) -> list:
    """This chapter's measures for every financial year its data cover (see `analysis.contract`)."""
    from . import years

    return [view for _, view in years.named_views(load(sources))]


EIP_LABEL = "of completed early intervention in psychosis pathways started treatment within two weeks"


def provider_years(sources) -> list:
    """The financial years the EIP file covers whole (each has provider results)."""
    return eip_coverage(load(sources).eip)


def provider_results(sources, year: FinancialYear) -> list:
    """Each EIP provider's completed pathways within two weeks over `year`, from the chapter's
    `eip_providers` (its provider table and funnel), with its months from `eip_monthly_by_provider`."""
    from ..contract import ProviderResult

    table = load(sources).eip
    if year not in eip_coverage(table):
        return []
    compared, _ = eip_providers(table, year)
    by_provider = dict(iter(eip_monthly_by_provider(table, year.months()).groupby("provider_code")))
    out = []
    for row in compared.itertuples(index=False):
        months = by_provider.get(row.provider_code, pd.DataFrame({"month": [], "percent": []}))
        out.append(ProviderResult(
            row.provider_code, "" if pd.isna(row.provider_name) else str(row.provider_name).strip(), "eip",
            float(row.numerator), float(row.volume), float(row.rate), EIP_STANDARD, EIP_LABEL, year.label,
            position=row.position, funnel="providers around England's rate for the year",
            months=tuple((str(m), float(v)) for m, v in zip(months["month"], months["percent"])),
            volume_noun="completed pathways", heading="EIP within two weeks"))
    return out


COMMITMENT_MEASURES = {name: CommitmentMeasure(load, figure)
                       for name, figure in {**commitments.EIP_FIGURES, **commitments.DEMENTIA_FIGURES}.items()}
