"""The financial years each standard applies in, from `data/reference/standards_in_force.csv`.

A standard judges only the years it applied: a year before its first (or after its last)
is shown without a verdict. Each row cites the document and line that set the first year;
a standard that applied before the handbook's documents say so is judged only from the
year they give, never from an earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from .periods import FinancialYear
from .sources import DATA_DIR

IN_FORCE_FILE = DATA_DIR / "reference" / "standards_in_force.csv"


@dataclass(frozen=True)
class InForce:
    """The years a standard applies in (`last` None while it still applies) and where that is set."""
    standard: str
    first: FinancialYear
    last: FinancialYear | None
    document: str
    line: str

    def covers(self, year: FinancialYear) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)

    def source(self) -> str:
        """The document and line in words ("business plan, line 815")."""
        from .page import cite

        return cite(self.document, self.line)

    def not_judged(self, year: FinancialYear) -> str:
        """Why `year` is shown without a verdict (empty when the standard applies in it)."""
        if self.covers(year):
            return ""
        if year < self.first:
            return f"not judged: the documents here set it from {self.first.label} ({self.source()})"
        return f"not judged: the documents here set it until {self.last.label} ({self.source()})"


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    return pd.read_csv(IN_FORCE_FILE, dtype=str, keep_default_na=False).set_index(["chapter", "key"])


def in_force(chapter: str, key: str) -> InForce:
    """The years the standard `key` of `chapter` applies in."""
    try:
        row = _table().loc[(chapter, key)]
    except KeyError:
        raise KeyError(f"{IN_FORCE_FILE.name} gives no years for the standard '{key}' of chapter '{chapter}'") \
            from None
    return InForce(row["standard"], FinancialYear.parse(row["first_year"]),
                   FinancialYear.parse(row["last_year"]) if row["last_year"] else None, row["document"], row["line"])
