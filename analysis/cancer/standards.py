"""The cancer waiting-time standards and their operational thresholds, cited to the documents."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..sources import DATA_DIR

CATALOGUE_FILE = DATA_DIR / "reference" / "cancer_standards.csv"


@lru_cache(maxsize=1)
def catalogue() -> pd.DataFrame:
    """One row per standard: key, name, threshold (percent, empty for none) and citations."""
    table = pd.read_csv(CATALOGUE_FILE, dtype={"key": str, "name": str, "document": str, "line": str,
                                               "document_2": str, "line_2": str})
    return table.set_index("key", drop=False)


def known_keys() -> frozenset[str]:
    return frozenset(catalogue()["key"])


def threshold(key: str) -> float | None:
    value = catalogue().at[key, "threshold"]
    return None if pd.isna(value) else float(value)


def with_thresholds() -> list[str]:
    """The standards with an operational threshold, in catalogue order."""
    table = catalogue()
    return table.loc[table["threshold"].notna(), "key"].tolist()
