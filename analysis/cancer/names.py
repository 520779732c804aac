"""Provider names in the cancer waiting times provider CSVs (registry: `names` of `cwt_provider`)."""

from __future__ import annotations

import pandas as pd

from .readers import read_provider_csv


def provider_names(files) -> pd.DataFrame:
    """Code, name and source of every provider the CSVs name; the newest file's name first."""
    frames = []
    for path in sorted(files, reverse=True):  # the newest file's name wins
        table = read_provider_csv(path)
        frames.append(pd.DataFrame({"code": table["organisation"], "name": table["organisation_name"],
                                    "source": f"{path.name}, column ACCOUNTABLE PROVIDER"}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["code", "name", "source"])
