"""Provider names in the EIP history file (registry: `names` of `eip_history`)."""

from __future__ import annotations

import pandas as pd

from .readers import read_eip


def provider_names(files) -> pd.DataFrame:
    """Code, name and source of every provider the files name."""
    frames = []
    for path in files:
        table = read_eip(path)  # checked whole, as the chapter reads it
        frames.append(pd.DataFrame({"code": table["provider_code"], "name": table["provider_name"],
                                    "source": f"{path.name}, column Provider_name"}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["code", "name", "source"])
