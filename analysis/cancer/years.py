"""The cancer chapter's yearly view: the 62-day standard for every year its data cover."""

from __future__ import annotations

import pandas as pd

from ..in_force import in_force
from ..periods import FinancialYear
from ..yearly import Measure, Yearly, by_year as months_by_year, covered_text, row
from .metrics import ANNUAL_SHEET, INCOMPLETE, england_rows, standards_met, standards_table, year_totals
from .standards import threshold


def view(data) -> Yearly:
    """The 62-day GP urgent referral standard for every year, from the national series' Annual Data
    sheet (else twelve monthly provider files), with the number of standards met."""
    limit = threshold("gp_62")
    measure = Measure("62-day wait from urgent GP referral", "Treated within 62 days (%)", standard=limit,
                      standard_text=f"standard {limit:.0f}%", in_force=in_force("cancer", "gp_62"),
                      how="Each year's figure is patients treated within 62 days of an urgent GP referral over all "
                          "treated, from the national series' Annual Data sheet (else the sum of the twelve monthly "
                          "provider files); a part year is not summed.")
    months = set(england_rows(data.provider, "gp_62")["month"]) | set(
        data.monthly.loc[data.monthly["standard"] == "gp_62", "month"])
    annual = data.summaries[(data.summaries["standard"] == "gp_62") & (data.summaries["quarter"] == 0)]
    by_year = months_by_year(months)
    for label in annual["year"]:
        by_year.setdefault(FinancialYear.parse(label), [])
    rows = []
    for year in sorted(by_year):
        totals = year_totals(data, "gp_62", year)
        whole = totals["source"] != INCOMPLETE
        present = by_year[year]
        covered = ("whole year (Annual Data sheet)" if totals["source"] == ANNUAL_SHEET else
                   "whole year (twelve monthly files)" if whole else covered_text(present))
        met, of = standards_met(standards_table(data, year)) if whole else (None, None)
        rows.append(row(measure, year, covered, whole, totals["performance"],
                         "" if whole else "not given: a part year is not summed",
                         standards_met="" if not of else f"{met} of {of}"))
    return Yearly("cancer", measure, pd.DataFrame(rows), extra={"standards_met": "Standards met"})
