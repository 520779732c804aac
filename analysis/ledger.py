"""The reproduction ledger: each figure the report printed beside the figure computed here.

`data/published/<chapter>.csv` holds the printed figures with document and line. A
figure agrees when the computed value rounds to the printed one (within half a unit of
the last printed digit), or, for a figure printed as a bound ("more than double"),
when it satisfies the bound. Differences are shown with their size, never hidden.
Percentages are given and compared in percentage points (82 for 82%).
"""

from __future__ import annotations

import math

import pandas as pd

from .errors import DataError, HandbookError
from .periods import FinancialYear
from .sources import DATA_DIR

REPORT_YEAR = FinancialYear(2016)
"""The year of the annual report whose printed figures the ledger holds."""

LEDGER_DIR = DATA_DIR / "published"
COLUMNS = ["figure", "label", "value", "unit", "decimals", "comparison", "document", "line", "quote"]
UNITS = {"percent", "count", "gbp_m", "ratio", "number"}
COMPARISONS = {"equal", "greater_than", "less_than"}


def published(chapter: str) -> pd.DataFrame:
    """The printed figures for one chapter, checked."""
    path = LEDGER_DIR / f"{chapter}.csv"
    if not path.is_file():
        raise HandbookError(f"no ledger of published figures for chapter '{chapter}' ({path})")
    table = pd.read_csv(path, dtype={"figure": str, "document": str, "line": str, "quote": str})
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError(path, f"lacks column(s) {', '.join(missing)}")
    for index, row in table.iterrows():
        line = index + 2
        if row["unit"] not in UNITS:
            raise DataError(path, f"unit '{row['unit']}' is not one of {sorted(UNITS)}", line, "unit")
        if row["comparison"] not in COMPARISONS:
            raise DataError(path, f"comparison '{row['comparison']}' is not one of "
                                  f"{sorted(COMPARISONS)}", line, "comparison")
        if pd.isna(row["document"]) or pd.isna(row["line"]):
            raise DataError(path, "every printed figure needs its document and line", line, "line")
    if table["figure"].duplicated().any():
        dup = table.loc[table["figure"].duplicated(), "figure"].iloc[0]
        raise DataError(path, f"figure '{dup}' is listed twice", column="figure")
    return table


def format_value(value: float | None, unit: str, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not computed"
    if unit == "percent":
        return f"{value:,.{decimals}f}%"
    if unit == "gbp_m":
        return f"£{value:,.{decimals}f}m"
    return f"{value:,.{decimals}f}"


def agrees(value: float, published_value: float, comparison: str, decimals: int) -> bool:
    if comparison == "greater_than":
        return value > published_value
    if comparison == "less_than":
        return value < published_value
    return abs(value - published_value) <= 0.5 * 10 ** (-decimals) + 1e-9


def compare(chapter: str, reproduced: dict[str, float | None],
            notes: dict[str, str] | None = None) -> pd.DataFrame:
    """Published beside reproduced for every printed figure of `chapter`.

    `reproduced` must name every printed figure (None when the data cannot give it);
    `notes` adds a plain sentence for a figure, e.g. why the official series differs.
    """
    table = published(chapter)
    notes = notes or {}
    unknown = sorted(set(reproduced) - set(table["figure"]))
    if unknown:
        raise HandbookError(f"ledger '{chapter}': no published figure called '{unknown[0]}'")
    absent = [f for f in table["figure"] if f not in reproduced]
    if absent:
        raise HandbookError(f"ledger '{chapter}': no reproduced value given for '{absent[0]}'")
    rows = []
    for row in table.itertuples(index=False):
        value = reproduced[row.figure]
        value = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
        decimals = int(row.decimals)
        if value is None:
            ok, difference = None, None
            verdict = "Not compared." if (notes.get(row.figure) or "").startswith("This page is for") \
                else "Not computable from this data."
        else:
            ok = agrees(value, float(row.value), row.comparison, decimals)
            difference = value - float(row.value)
            if row.comparison != "equal":
                bound = "more than" if row.comparison == "greater_than" else "less than"
                verdict = (f"Agrees: {format_value(value, row.unit, decimals + 2)} is {bound} "
                           f"{format_value(float(row.value), row.unit, decimals)}." if ok else
                           f"Differs: {format_value(value, row.unit, decimals + 2)} is not {bound} "
                           f"{format_value(float(row.value), row.unit, decimals)}.")
            elif ok:
                verdict = "Agrees within the printed rounding."
            else:
                verdict = (f"Differs by {format_value(difference, row.unit, decimals + 1)} "
                           f"({difference / float(row.value):+.1%} of the printed figure)."
                           if float(row.value) else
                           f"Differs by {format_value(difference, row.unit, decimals + 1)}.")
        if row.figure in notes:
            verdict += " " + notes[row.figure]
        rows.append({
            "figure": row.figure, "label": row.label, "unit": row.unit, "decimals": decimals,
            "published": float(row.value), "reproduced": value, "difference": difference,
            "agrees": ok, "source": f"{row.document} line {row.line}", "verdict": verdict,
        })
    return pd.DataFrame(rows)


def _shown_decimals(row) -> int:
    """One more digit than printed, except for whole counts, which are shown whole."""
    if row.reproduced is not None and row.unit in ("count", "gbp_m") and float(row.reproduced) % 1 == 0:
        return int(row.decimals)
    return int(row.decimals) + 1


def display_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """The ledger as a reader sees it: formatted published and reproduced values."""
    return pd.DataFrame({
        "Figure": comparison["label"],
        "Published": [format_value(r.published, r.unit, r.decimals) for r in comparison.itertuples()],
        "Reproduced": [format_value(r.reproduced, r.unit, _shown_decimals(r)) for r in comparison.itertuples()],
        "Agrees": comparison["agrees"].map({True: "yes", False: "no", None: "n/a"}).fillna("n/a"),
        "Printed at": comparison["source"],
        "Note": comparison["verdict"],
    })
