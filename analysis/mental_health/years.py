"""The mental health chapter's yearly views: EIP within two weeks, and the dementia diagnosis rate."""

from __future__ import annotations

import pandas as pd

from ..in_force import in_force
from ..periods import FinancialYear
from ..yearly import Measure, Yearly, at_year_end, row
from .metrics import DEMENTIA_AMBITION, EIP_STANDARD, MentalHealthData, completed, dementia_england, eip_month


def eip(table: pd.DataFrame) -> Yearly:
    """Early intervention in psychosis: the share treated within two weeks in each year's March."""
    measure = Measure("Early intervention in psychosis within two weeks", "Treated within two weeks in March (%)",
                      standard=EIP_STANDARD, standard_text=f"standard {EIP_STANDARD:.0f}%",
                      in_force=in_force("mental-health", "eip_50"),
                      how="Each year's figure is completed pathways that started treatment within two weeks of "
                          "referral over all completed pathways in March, the year's last month, as the chapter "
                          "measures it.")
    return at_year_end("mental-health", measure, completed(table)["month"],
                       lambda year: eip_month(table, year.last_month)["percent"])


def dementia(table: pd.DataFrame) -> Yearly:
    """England's estimated dementia diagnosis rate (65 and over) for each year the file gives, each
    used for the financial year that ends in it, as the chapter does."""
    measure = Measure("Dementia diagnosis rate", "Diagnosed, aged 65 and over (%)", standard=DEMENTIA_AMBITION,
                      standard_text="ambition: two thirds", in_force=in_force("mental-health", "dementia_two_thirds"),
                      how="The file gives one England value a calendar year; the chapter uses each for the "
                          "financial year that ends in it (2017 for 2016-17).")
    rows = []
    for calendar_year in sorted(set(table.loc[table["area_type"] == "England", "year"])):
        year = FinancialYear(int(calendar_year) - 1)
        rows.append(row(measure, year, f"the file's value for {calendar_year}", True,
                         dementia_england(table, int(calendar_year)), ""))
    return Yearly("mental-health", measure, pd.DataFrame(rows, columns=["year", "covered", "whole", "value", "met",
                                                                        "note"]))


def named_views(data: MentalHealthData) -> list[tuple[str, Yearly]]:
    """The page's yearly views with the name each is shown under: EIP, and dementia when there is a file."""
    views = [("yearly", eip(data.eip))]
    if data.dementia is not None:
        views.append(("yearly-dementia", dementia(data.dementia)))
    return views
