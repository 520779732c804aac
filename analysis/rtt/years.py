"""The RTT chapter's yearly view: the waiting list within 18 weeks at each year's end."""

from __future__ import annotations

import pandas as pd

from ..in_force import in_force
from ..yearly import Measure, Yearly, at_year_end
from .metrics import STANDARD, position


def view(table: pd.DataFrame) -> Yearly:
    """The share of the waiting list within 18 weeks at the end of each year (March)."""
    measure = Measure("Waiting list within 18 weeks at the year's end", "Within 18 weeks in March (%)",
                      standard=STANDARD, standard_text=f"standard {STANDARD:.0f}%",
                      in_force=in_force("rtt", "incomplete_92"),
                      how="Each year's figure is the share of incomplete pathways (the waiting list) that had waited "
                          "less than 18 weeks at the end of March, as reported (without estimates for missing "
                          "trusts).")
    months = table.dropna(subset=["percent_within_18"])["month"]
    return at_year_end("rtt", measure, months, lambda year: position(table, year)["percent"])
