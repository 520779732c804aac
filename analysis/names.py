"""Organisation names for codes, taken from the published files themselves.

Some published files carry only codes. Others carry a code and a name on every row; their
datasets name, in the registry (`names = "module:function"`), the chapter's function that
reads code, name and source from them. A lookup built from those files, in the user's data
folder, names the codes; each name keeps the file and column it came from. Names are looked up only for
real data: a synthetic sample's fictional codes keep their fictional names.
"""

from __future__ import annotations

import pandas as pd

from .registry import load_function, load_registry
from .sources import USER_ORIGIN, resolve

NO_NAME = "(no name in the published files read)"


def name_readers() -> dict:
    """The datasets whose files name providers (`names` in the registry), in the registry's order,
    each with the chapter's function that reads code, name and source from its files."""
    return {name: load_function(dataset.names) for name, dataset in load_registry().datasets.items() if dataset.names}


def name_sources(data_dir) -> dict:
    """The sources names are read from: each dataset of `name_readers` that the user's `data_dir`
    holds (real files only; none without a data folder)."""
    if not data_dir:
        return {}
    datasets = load_registry().datasets
    found = {dataset: resolve(datasets[dataset], data_dir) for dataset in name_readers()}
    return {name: s for name, s in found.items() if s.origin == USER_ORIGIN and not s.synthetic}


def provider_names(data_dir) -> pd.DataFrame:
    """Provider code, name and where the name came from, from the files in the user's `data_dir`.

    The first dataset of `name_readers` that names a code wins; within a dataset, the order its
    reader gives. Empty without a data folder (the bundled samples name their own).
    """
    readers = name_readers()
    frames = [readers[name](source.files) for name, source in name_sources(data_dir).items()]
    if not frames:
        return pd.DataFrame(columns=["code", "name", "source"])
    names = pd.concat(frames, ignore_index=True)
    names["code"] = names["code"].astype(str).str.strip()
    names["name"] = names["name"].astype(str).str.strip()
    names = names[(names["code"] != "") & (names["name"] != "") & (names["name"].str.lower() != "nan")]
    return names.drop_duplicates("code").reset_index(drop=True)


def with_names(table: pd.DataFrame, code: str, name: str, names: pd.DataFrame) -> pd.DataFrame:
    """`table` with its blank `name` cells filled from `names`, and a `name_source` column.

    A name already in the table is kept (its source is the table's own file); a code no file
    names gets `NO_NAME`.
    """
    out = table.copy()
    own = out[name].fillna("").astype(str).str.strip() if name in out else pd.Series("", index=out.index)
    lookup = names.set_index("code")
    found = out[code].map(lookup["name"]) if len(lookup) else pd.Series(pd.NA, index=out.index)
    where = out[code].map(lookup["source"]) if len(lookup) else pd.Series(pd.NA, index=out.index)
    out[name] = own.where(own != "", found.fillna(NO_NAME))
    out["name_source"] = pd.Series("the data's own file", index=out.index).where(
        own != "", where.fillna("none"))
    return out


def named_share(table: pd.DataFrame, volume: str) -> dict:
    """How many of `with_names`'s rows have a name, of how many, and their share (percent) of `volume`."""
    named = table["name_source"] != "none"
    total = float(table[volume].sum())
    return {"named": int(named.sum()), "organisations": len(table),
            "named_share": 100 * float(table.loc[named, volume].sum()) / total if total else None}
