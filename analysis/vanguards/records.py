"""The chapter from record-level admissions (HES APC layout), when the data folder holds them.

Emergency admissions and bed days by CCG, month and age band come from `analysis.apc`
(Ibis expressions on DuckDB, or on Spark). From there on the rules are the MAR version's,
reused, not copied: every CCG's monthly admissions are screened for breaks (`screen`),
CCGs are assigned to cohorts (`cohorts_for` on the records' CCGs), growth per head and its
bootstrap interval come from `growth_table`, growth by age band from `age_growth`.
"""

from __future__ import annotations

import pandas as pd

from .metrics import age_growth, growth_table, window_totals
from .screening import screen

BASELINES = ("baseline", "second baseline")


def has_records(sources) -> bool:
    source = sources.get("apc_records")
    return bool(source and source.files)


def load_records(sources, data: dict, spans: dict, backend=None) -> dict:
    """Aggregate the records over the windows' months; CCGs known from the population file."""
    from ..apc import aggregate, read_apc  # the engines load only when records are supplied

    months = sorted(set().union(*[set(span) for span in spans.values()]))
    source = sources["apc_records"]
    out = aggregate(read_apc(source.files, backend), str(months[0]), str(months[-1]), data["population"].index)
    table = out["admissions"]
    out["monthly"] = table.pivot_table(index="month", columns="ccg_code", values="admissions", aggfunc="sum")
    out["bed_days"] = table.pivot_table(index="month", columns="ccg_code", values="bed_days", aggfunc="sum")
    out["source"] = source
    return out


def source_text(sources) -> str:
    """Which source the page's record-level section used."""
    if not has_records(sources):
        return ("No admitted patient care records were supplied (a HES APC extract in the data folder, in files whose "
                "names contain \"hes\", an underscore and \"apc\"), so this page's figures come from the Monthly Activity Return.")
    source = sources["apc_records"]
    kind = "synthetic" if source.synthetic or any("synthetic" in p.name.lower() for p in source.files) else "supplied"
    return (f"Record-level admissions: {len(source.files)} {kind} file{'s' if len(source.files) != 1 else ''} in the "
            f"HES APC layout ({', '.join(sorted({p.parent.name for p in source.files}))[:200]}).")


def exclusions_text(records: dict) -> str:
    table = records["exclusions"]
    counted = table[table["episodes"] > 0]
    kept = int(records["admissions"]["admissions"].sum())
    if counted.empty:
        return f"{kept:,} emergency admissions counted; no episode was excluded."
    return (f"{kept:,} emergency admissions counted; excluded and counted: "
            + "; ".join(f"{r.reason} {r.episodes:,}" for r in counted.itertuples()) + ".")


def record_growth(records: dict, data: dict, spans: dict, chosen: list[str], labels: dict, people: dict) -> dict:
    """Growth by cohort in emergency admissions and in bed days (per head, bootstrap intervals),
    and growth by age band; None for each when no CCG's records cover the windows."""
    from . import cohorts_for

    monthly = records["monthly"]
    covered = all(m in set(monthly.index) for span in spans.values() for m in span)
    if monthly.empty or not covered:
        return {"admissions": None, "bed_days": None, "ages": None, "flags": None}
    flags = screen(monthly)
    cohorts = cohorts_for({**data, "monthly": monthly, "flags": flags}, spans, chosen)  # breaks left out
    people = {name: population.reindex(monthly.columns) for name, population in people.items()}

    def growth(frame: pd.DataFrame) -> pd.DataFrame:
        totals = window_totals(frame, spans)
        return pd.concat([growth_table(totals, cohorts, people, name, labels[name]) for name in BASELINES],
                         ignore_index=True)

    return {"admissions": growth(monthly), "bed_days": growth(records["bed_days"]), "flags": flags,
            "ages": age_growth(records["admissions"], cohorts, spans["baseline"], spans["recent"], labels["baseline"])}
