"""New care models: emergency admission growth in vanguard areas against the rest of England."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from ..population import ccg_totals, read_population
from .charts import age_chart, growth_chart, index_chart
from .metrics import (REST, age_growth, cohort_of, growth_table, monthly_index, read_ages, read_cohort,
                      window_months)
from .readers import read_mar, read_mar_files

WINDOWS = {"recent": ("recent_first", "recent_last"), "baseline": ("baseline_first", "baseline_last"),
           "second baseline": ("second_baseline_first", "second_baseline_last")}

__all__ = ["load", "validate_parameters", "windows", "growth", "age_growth", "monthly_index", "read_cohort",
           "growth_chart", "index_chart", "age_chart", "read_mar", "read_mar_files", "REST", "ledger_figures", "label_of", "period_text", "all_ccg_growth", "monthly_series"]


def load(sources) -> dict:
    """Admissions (MAR), population per CCG, the cohort file and, where present, ages."""
    admissions = read_mar_files(sources["mar_monthly"].files)
    population = ccg_totals(pd.concat([read_population(p) for p in sources["ccg_population"].files]))
    ages = (pd.concat([read_ages(p) for p in sources["mar_ages"].files], ignore_index=True)
            if sources["mar_ages"].files else None)
    cohort = read_cohort()
    return {"admissions": admissions, "population": population, "cohort": cohort, "ages": ages,
            "cohorts": cohort_of(admissions, cohort, population)}


def windows(params: dict, available) -> dict:
    """The three windows as month ranges, checked against the data (ParameterError otherwise)."""
    out = {}
    for name, (first, last) in WINDOWS.items():
        out[name] = window_months(params[first], params[last], first, available)
    for name in ("baseline", "second baseline"):
        if out[name][-1] >= out["recent"][0]:
            raise ParameterError(WINDOWS[name][1], f"the {name} window must end before the recent window starts")
    return out


def validate_parameters(params: dict, sources) -> dict:
    data = load(sources)
    windows(params, set(data["admissions"]["month"]))
    chosen = [c.strip() for c in str(params.get("cohorts", "")).split(",") if c.strip()]
    known = set(data["cohort"]["type"])
    for name in chosen:
        if name not in known:
            raise ParameterError("cohorts", f"'{name}' is not a vanguard type in the cohort file "
                                            f"(types: {', '.join(sorted(known))})")
    return {**params, "cohorts": ",".join(chosen)}


def growth(data: dict, spans: dict, chosen: list[str], labels: dict) -> pd.DataFrame:
    """Growth per head for the chosen cohorts and the rest of England, against both baselines."""
    keep = data["cohorts"].isin(chosen + [REST])
    tables = [growth_table(data["admissions"][keep], data["cohorts"][keep], data["population"], data["cohort"],
                           spans[name], spans["recent"], labels[name]) for name in ("baseline", "second baseline")]
    return pd.concat(tables, ignore_index=True)


def label_of(span) -> str:
    return f"{span[0].strftime('%b %Y')} to {span[-1].strftime('%b %Y')}"


PUBLISHED_WINDOWS = {"recent": "Jan 2016 to Dec 2016", "baseline": "Oct 2014 to Sep 2015",
                     "second baseline": "Apr 2014 to Mar 2015"}
REAL_DATA_REASONS = ("Real data will not match exactly: CCG footprints stand in for the practice populations "
                     "the report used (partly covered CCGs count whole), the MAR counts episodes rather than "
                     "admissions, and one population snapshot serves both windows.")


def ledger_figures(growth_table: pd.DataFrame, labels: dict, synthetic: bool) -> tuple[dict, dict]:
    """The six printed growth rates reproduced (None when this page's windows differ), with notes."""
    same = labels == PUBLISHED_WINDOWS
    figures = {}
    for short, cohort in (("pacs", "PACS"), ("mcp", "MCP"), ("rest", REST)):
        for tag, window in (("on_sep_2015", "baseline"), ("on_2014_15", "second baseline")):
            rows = growth_table[(growth_table["cohort"] == cohort) & (growth_table["baseline"] == labels[window])]
            figures[f"{short}_{tag}"] = float(rows["growth"].iloc[0]) if same and len(rows) else None
    note = ("This page uses other windows or cohorts than the report, so the figures are not compared."
            if not same else "Computed from the rows of the bundled sample." if synthetic else REAL_DATA_REASONS)
    return figures, {name: note for name in figures}


def period_text(params: dict) -> str:
    """The windows compared, for the page header."""
    def span(first, last):
        return f"{pd.Period(params[first], 'M').strftime('%B %Y')} to {pd.Period(params[last], 'M').strftime('%B %Y')}"

    return (f"{span(*WINDOWS['recent'])}, against {span(*WINDOWS['baseline'])} and against "
            f"{span(*WINDOWS['second baseline'])}")


def headline(sources, year) -> dict:
    """The front page's result: growth per head by cohort on the year to September 2015."""
    from ..registry import load_registry

    params = load_registry().chapter("vanguards").parameters
    data = load(sources)
    spans = windows(params, set(data["admissions"]["month"]))
    labels = {name: label_of(span) for name, span in spans.items()}
    table = growth(data, spans, ["PACS", "MCP"], labels)
    first = table[table["baseline"] == labels["baseline"]].set_index("cohort")["growth"]
    return {"growth": {"result": f"PACS {first['PACS']:.1f}%, MCP {first['MCP']:.1f}%, rest of England {first[REST]:.1f}%",
                       "met": bool(first["PACS"] < first[REST] and first["MCP"] < first[REST])}}


def all_ccg_growth(data: dict, spans: dict) -> dict:
    """Growth of all CCGs' admissions together, before any per capita adjustment, for scale."""
    admissions = data["admissions"]
    recent = admissions.loc[admissions["month"].isin(list(spans["recent"])), "non_elective"].sum()
    return {name: float(100 * (recent / admissions.loc[admissions["month"].isin(list(spans[name])),
                                                        "non_elective"].sum() - 1))
            for name in ("baseline", "second baseline")}


def monthly_series(monthly: pd.DataFrame) -> dict:
    """Each cohort's monthly admissions per 1,000 people as a series indexed by month."""
    return {name: pd.Series(group["per_1000"].to_numpy(), index=pd.PeriodIndex(group["month"], freq="M"))
            for name, group in monthly.sort_values("month").groupby("cohort")}
