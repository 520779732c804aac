"""The personal health budgets chapter's yearly view: budgets in place at each year's end."""

from __future__ import annotations

import pandas as pd

from ..yearly import Measure, Yearly, at_year_end
from .metrics import count_at


def view(table: pd.DataFrame) -> Yearly:
    """Personal health budgets in place at the end of each year (March)."""
    measure = Measure("Personal health budgets in place at the year's end", "In place at the end of March",
                      unit="count", standard_text="commitment: 50,000 to 100,000 by March 2021",
                      how="Each year's figure is the national count at the end of March, summed over CCGs; the "
                          "commitment falls due in March 2021, so no year here is judged against it.")
    return at_year_end("phb", measure, table["quarter_end"], lambda year: count_at(table, year.last_month),
                       expected=4, word="quarters")
