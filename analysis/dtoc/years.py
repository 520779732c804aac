"""Delayed transfers of care for every year the workbook covers (shown on the A&E chapter)."""

from __future__ import annotations

import pandas as pd

from ..yearly import Measure, Yearly, summed
from .metrics import year_sums


def view(monthly: pd.DataFrame) -> Yearly:
    """Delayed days in England for each whole year (no standard: the report prints no level)."""
    measure = Measure("Delayed transfers of care", "Delayed days", unit="count",
                      how="Each year's figure is the delayed days of its twelve months, all responsible "
                          "organisations; the report sets no level, so no year is judged.")
    return summed("ae", measure, monthly["month"], lambda year: year_sums(monthly, year)["total"])
