"""The A&E chapter's yearly view: four-hour performance for every year its data cover."""

from __future__ import annotations

import pandas as pd

from ..in_force import in_force
from ..yearly import Measure, Yearly, summed
from .metrics import STANDARD, england


def view(table: pd.DataFrame) -> Yearly:
    """England's four-hour performance, all department types, for each whole year."""
    measure = Measure("Four-hour performance", "Seen within four hours (%)", standard=STANDARD,
                      standard_text=f"standard {STANDARD:.0f}%", in_force=in_force("ae", "standard_95"),
                      how="Each year's figure is one minus attendances over four hours divided by all attendances, "
                          "all department types, summed over providers and the twelve months.")
    return summed("ae", measure, table["month"], lambda year: england(table, year)["all_types"])
