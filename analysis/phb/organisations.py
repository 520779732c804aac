"""Synthetic data never wears a real organisation's name.

A page built on a synthetic sample may show organisation-level figures (a ranking, a
chart by CCG) only when every organisation in them is fictional: no code, ONS code or
name of a real CCG (`data/reference/ccgs_2016-17.csv`). Otherwise the view is withheld
and the page says why. Real data is shown as it is.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..sources import DATA_DIR, USER_ORIGIN

REAL_CCGS = DATA_DIR / "reference" / "ccgs_2016-17.csv"


def _normal(text) -> str:
    return " ".join(str(text).upper().split())


@lru_cache(maxsize=1)
def real_identities() -> frozenset[str]:
    """Every code, ONS code and name of the real CCGs of 2016-17, upper-case with single spaces."""
    ccgs = pd.read_csv(REAL_CCGS, dtype=str)
    return frozenset(_normal(v) for column in ("ccg_code", "ons_ccg_code", "ccg_name") for v in ccgs[column])


def real_organisations(table: pd.DataFrame, columns=("ccg_code", "ccg_name")) -> list[str]:
    """The values in `columns` of `table` that are a real CCG's code or name."""
    real = real_identities()
    found = {str(v) for column in columns if column in table for v in table[column].dropna() if _normal(v) in real}
    return sorted(found)


@dataclass(frozen=True)
class OrganisationView:
    """Whether a page may show organisation-level figures, and why not when it may not."""

    allowed: bool
    reason: str = ""


def organisation_view(table: pd.DataFrame, synthetic: bool) -> OrganisationView:
    """Allowed on real data; on synthetic data only when every organisation is fictional."""
    if not synthetic:
        return OrganisationView(True)
    real = real_organisations(table)
    if not real:
        return OrganisationView(True)
    return OrganisationView(False, (
        f"The CCG-level view is not shown: the data is a synthetic sample, and {len(real)} of its "
        "organisation codes and names belong to real CCGs. Invented figures are never shown against a "
        "real organisation; regenerate the sample with fictional CCGs (handbook samples), or build from "
        "a data folder that holds the published collection."))


def ccg_sentence(rates: pd.DataFrame, view: OrganisationView) -> str:
    """The sentence that names the leading CCG, or says why no CCG is named."""
    if not view.allowed:
        return view.reason
    return (f"The highest rate was {rates.iloc[0]['ccg_name']}'s, {rates.iloc[0]['rate']:.1f} per 100,000. "
            "Run the chapter with -p ccgs CODE,CODE to show chosen CCGs with their rank.")


def synthetic_note(sources: dict, data_dir: str = "") -> str:
    """A plain statement, as HTML, of what is synthetic on a PHB page (empty on real data)."""
    phb, population = sources["phb_quarterly"], sources["ccg_population"]
    if not (phb.synthetic or population.synthetic):
        return ""
    text = ("Every personal health budget count on this page is synthetic: invented by the handbook's "
            "sample generator, with only the national totals set to the figures the annual report printed. "
            "No figure here describes a real CCG, and CCGs are named only where the sample's CCGs are "
            "fictional.")
    if data_dir and phb.origin != USER_ORIGIN:
        text += (" The data folder given to the build has no personal health budget collection (files "
                 f"matching <code>{html.escape(phb.dataset.pattern)}</code>), so this page uses the bundled "
                 "sample, and the bundled registered population with it, so that real and synthetic rows "
                 "are never mixed; the other chapters may be built from real files.")
    return ('<div class="admonition warning handbook-synthetic-note" role="note">'
            '<p class="admonition-title">This page is synthetic</p>'
            f"<p>{text}</p></div>")
