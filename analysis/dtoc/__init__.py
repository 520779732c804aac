"""Delayed transfers of care (DTOC): NHS England's England monthly series, read for the A&E chapter.

The annual report blames "sharp increases in 'delayed transfers of care'" for falling
elective capacity in winter 2016/17 (`000_5311d35d774c4b17.txt` line 357) but prints no
number; the A&E chapter shows the series behind that sentence.
"""

from __future__ import annotations

import pandas as pd

from .charts import responsible_chart
from .metrics import (RESPONSIBLE, by_month, comparison, coverage, figures, revision_sentence, spc_series,
                      winter_growth, year_sums)
from .readers import DtocFile, read_dtoc

__all__ = ["load", "read_dtoc", "DtocFile", "RESPONSIBLE", "by_month", "comparison", "coverage", "figures",
           "revision_sentence",
           "spc_series", "winter_growth", "year_sums", "responsible_chart", "comparison_table", "comparison_sentence", "delayed_days_growth"]


def load(sources) -> DtocFile:
    return read_dtoc(sources["dtoc_england"].one_file("Delayed Transfers of Care England workbook"))


def comparison_table(table, year):
    """`comparison` for the page: delayed days in each year, the change, growth and share."""
    return pd.DataFrame({
        "Responsible": table["responsible"], year.previous().label: table["previous"].map("{:,.0f}".format),
        year.label: table["current"].map("{:,.0f}".format), "Change": table["change"].map("{:+,.0f}".format),
        "Growth": table["growth_percent"].map("{:+.1f}%".format),
        f"Share of {year.label}": table["share_percent"].map("{:.1f}%".format)})


def comparison_sentence(monthly, year) -> str:
    """The year's delayed days against the year before, in total, by responsible organisation and over winter."""
    table = comparison(monthly, year)
    if table is None:
        return (f"The DTOC file does not hold both {year.previous().label} and {year.label} whole, so the two "
                "years are not compared.")
    row = table.set_index("responsible")
    parts = {label: f"{row.at[label, 'current']:,.0f} ({row.at[label, 'growth_percent']:+.1f}%)"
             for label in RESPONSIBLE.values()}
    winter = winter_growth(monthly, year)
    return (f"In {year.label} there were {row.at['All', 'current']:,.0f} delayed days, "
            f"{row.at['All', 'growth_percent']:+.1f}% on {year.previous().label} ({row.at['All', 'previous']:,.0f}). "
            f"The NHS was responsible for {parts['NHS']}, social care for {parts['Social care']} and both for "
            f"{parts['Both']}."
            + (f" Over the winter (December to February) delayed days were {winter:+.1f}% on the winter before."
               if winter is not None else ""))


def delayed_days_growth(monthly, year) -> tuple[float | None, str]:
    """Growth in delayed days over the year, shown beside the report's "sharp increases" (a phrase
    with no number, so the ledger gives it no verdict), and its note."""
    table = comparison(monthly, year)
    if table is None:
        return None, f"The DTOC file does not hold both {year.previous().label} and {year.label} whole."
    every = table.set_index("responsible").loc["All"]
    winter = winter_growth(monthly, year)
    return float(every["growth_percent"]), (
        f"{every['current']:,.0f} delayed days in {year.label} against {every['previous']:,.0f} in "
        f"{year.previous().label}, from the file's 'Delayed Days by responsible org' sheet"
        + (f"; winter (December to February) {winter:+.1f}% on the winter before." if winter is not None else "."))
