"""The vanguards chapter's yearly view: growth in emergency admissions by cohort, year on year."""

from __future__ import annotations

import pandas as pd

from ..yearly import Measure, Yearly, by_year as months_by_year, covered_text, row
from . import cohorts_for, excluded_ccgs
from .metrics import REST, window_totals


def view(data: dict, chosen: list[str]) -> Yearly:
    """Growth in non-elective admissions on the year before, by cohort, for each whole year, with the
    chapter's screening applied: a CCG with a flagged month in any year compared is left out of
    every year (and of its cohort), so each cohort holds the same CCGs in every year."""
    measure = Measure("Growth in emergency admissions on the year before", "Growth on the year before (%)",
                      how="Each year's admissions are the non-elective admissions (finished consultant episodes, "
                          "as the Monthly Activity Return counts them) of the twelve months, summed over a cohort's "
                          "CCGs; growth is on the year before. The chapter's screening applies: a CCG with a "
                          "reporting break in any year compared is left out of every year. The report set no "
                          "target, so no year is judged.")
    by_year = months_by_year(data["monthly"].index)
    whole = {year: months for year, months in by_year.items() if len(months) == 12}
    spans = {year.label: pd.PeriodIndex(months) for year, months in whole.items()}
    cohorts = cohorts_for(data, spans, chosen) if spans else pd.Series(dtype=object)
    totals = window_totals(data["monthly"], spans) if spans else pd.DataFrame()
    left_out = excluded_ccgs(data, spans) if spans else []
    rows = []
    for cohort in [*chosen, REST]:
        members = cohorts[cohorts == cohort].index
        previous = None
        for year, present in by_year.items():
            if year not in whole:
                rows.append(row(measure, year, covered_text(present), False, None,
                                 "not given: a sum over part of a year is not a year's figure",
                                 series=cohort, admissions=None, ccgs=len(members)))
                continue
            count = float(totals.loc[members, year.label].sum())
            growth = None if previous is None else 100 * (count / previous - 1)
            rows.append(row(measure, year, "whole year", True, growth,
                             "no year before in the data" if previous is None else "",
                             series=cohort, admissions=count, ccgs=len(members)))
            previous = count
    table = pd.DataFrame(rows)
    return Yearly("vanguards", measure, table, extra={"admissions": "Admissions", "ccgs": "CCGs"}, series="Cohort",
                  left_out=left_out)
