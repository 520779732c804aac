"""The reproduction ledger: each figure the report printed beside the figure computed here.

`data/published/<chapter>.csv` holds the printed figures with document and line. A
figure agrees when the computed value is within half a unit of the last printed digit
of the printed one, widened by the rounding of its inputs where the chapter computes it
from figures that were themselves rounded (`tolerance`: a sum of n figures rounded to
£1m can be n x £0.5m from the sum of the unrounded ones); a figure printed as a bound
("more than double") agrees when it satisfies the bound. On synthetic data a figure that
agrees is said to hold by construction, because the sample was made to reproduce it.
Differences are shown with their size, never hidden. Percentages are given and compared
in percentage points (82 for 82%).
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


def difference_text(difference: float, unit: str, decimals: int) -> str:
    """A difference between two figures: in percentage points for percentages, else in the unit."""
    if unit == "percent":
        return f"{difference:,.{decimals}f} percentage points"
    return format_value(difference, unit, decimals)


def format_value(value: float | None, unit: str, decimals: int) -> str:
    """A figure as people read it: "82.3%", "£154m", "1,876,819" (a whole count never gets decimals)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not computed"
    if unit == "count" and float(value).is_integer():
        decimals = 0
    if unit == "percent":
        return f"{value:,.{decimals}f}%"
    if unit == "gbp_m":
        return f"£{value:,.{decimals}f}m"
    return f"{value:,.{decimals}f}"


def agrees(value: float, published_value: float, comparison: str, decimals: int,
           tolerance: float = 0.0) -> bool:
    """Within half a unit of the printed last digit plus `tolerance` (or the bound holds)."""
    if comparison == "greater_than":
        return value > published_value
    if comparison == "less_than":
        return value < published_value
    return abs(value - published_value) <= 0.5 * 10 ** (-decimals) + tolerance + 1e-9


BY_CONSTRUCTION = ("Holds by construction: the synthetic sample was made to reproduce this figure, so "
                   "this shows the calculation works, not that real data gives it.")


def compare(chapter: str, reproduced: dict[str, float | None],
            notes: dict[str, str] | None = None, synthetic: bool = False,
            tolerance: dict[str, float] | None = None) -> pd.DataFrame:
    """Published beside reproduced for every printed figure of `chapter`.

    `reproduced` must name every printed figure (None when the data cannot give it);
    `notes` adds a plain sentence for a figure, e.g. why the official series differs;
    `synthetic` says the rows are a synthetic sample (agreement then holds by construction);
    `tolerance` gives, per figure, how far the rounding of its inputs can move the
    reproduced value (added to half a unit of the printed last digit).

    Each row has `agrees` (True, False or None when not compared) and `status`: agrees,
    differs, by construction, not compared or not computable.
    """
    table = published(chapter)
    notes = notes or {}
    tolerance = tolerance or {}
    unknown_tolerance = sorted(set(tolerance) - set(table["figure"]))
    if unknown_tolerance:
        raise HandbookError(f"ledger '{chapter}': a tolerance is given for '{unknown_tolerance[0]}', "
                            f"which is not a published figure")
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
        slack = float(tolerance.get(row.figure, 0.0))
        if slack < 0 or math.isnan(slack):
            raise HandbookError(f"ledger '{chapter}': tolerance for '{row.figure}' must be a non-negative number")
        if value is None:
            ok, difference = None, None
            not_compared = (notes.get(row.figure) or "").startswith("This page is for")
            status = "not compared" if not_compared else "not computable"
            verdict = "Not compared." if not_compared else "Not computable from this data."
        else:
            ok = agrees(value, float(row.value), row.comparison, decimals, slack)
            difference = value - float(row.value)
            status = ("by construction" if synthetic else "agrees") if ok else "differs"
            if row.comparison != "equal":
                bound = "more than" if row.comparison == "greater_than" else "less than"
                verdict = (f"Agrees: {format_value(value, row.unit, decimals + 2)} is {bound} "
                           f"{format_value(float(row.value), row.unit, decimals)}." if ok else
                           f"Differs: {format_value(value, row.unit, decimals + 2)} is not {bound} "
                           f"{format_value(float(row.value), row.unit, decimals)}.")
            elif ok and abs(difference) <= 0.5 * 10 ** (-decimals) + 1e-9:
                verdict = "Agrees within the printed rounding."
            elif ok:
                verdict = (f"Agrees within rounding: the difference, {difference_text(difference, row.unit, decimals + 1)}, "
                           f"is within {difference_text(0.5 * 10 ** (-decimals) + slack, row.unit, decimals + 1)} "
                           f"(half a unit of the printed figure, plus "
                           f"{difference_text(slack, row.unit, decimals + 1)} from the rounding of its inputs).")
            else:
                verdict = (f"Differs by {difference_text(difference, row.unit, decimals + 1)} "
                           f"({difference / float(row.value):+.1%} of the printed figure)."
                           if float(row.value) else
                           f"Differs by {difference_text(difference, row.unit, decimals + 1)}.")
        if status == "by construction":
            verdict = BY_CONSTRUCTION
        if row.figure in notes:
            verdict += " " + notes[row.figure]
        rows.append({
            "figure": row.figure, "label": row.label, "unit": row.unit, "decimals": decimals,
            "published": float(row.value), "reproduced": value, "difference": difference,
            "tolerance": slack, "agrees": ok, "status": status, "source": f"{row.document} line {row.line}",
            "verdict": verdict,
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
        "Agrees": comparison["status"].map({"agrees": "yes", "differs": "no", "by construction": "by construction"})
        .fillna("n/a"),
        "Printed at": comparison["source"],
        "Note": comparison["verdict"],
    })
