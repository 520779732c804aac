"""The mental health figures the commitments tables judge (see analysis.commitments), each from the
chapter's data as its `load` reads them (`MentalHealthData`)."""

from __future__ import annotations

from ..contract import CommitmentFigure
from ..periods import FinancialYear
from .metrics import MentalHealthData, completed, dementia_england, dementia_year, eip_coverage


def eip_year(data: MentalHealthData, year: FinancialYear, _month, _argument) -> CommitmentFigure | None:
    if year not in eip_coverage(data.eip):
        return None
    rows = completed(data.eip)
    rows = rows[rows["month"].isin(list(year.months()))]
    value = float(100 * rows["within_two_weeks"].sum() / rows["total"].sum())
    return CommitmentFigure([value], f"{value:.1f}% in {year.slash_label}",
                            "England, people starting treatment (completed pathways) within two weeks of referral "
                            "over all completed pathways, the twelve months summed")


def dementia(data: MentalHealthData, year: FinancialYear, _month, _argument) -> CommitmentFigure | None:
    if data.dementia is None:
        return None
    value = dementia_england(data.dementia, dementia_year(year))
    if value is None:
        return None
    return CommitmentFigure([value], f"{value:.1f}% (the file's value for {dementia_year(year)})",
                            "England's estimated diagnosis rate, aged 65 and over, the file's value for the calendar "
                            "year the financial year ends in")


EIP_FIGURES = {"eip_year": eip_year}
DEMENTIA_FIGURES = {"dementia_year": dementia}
