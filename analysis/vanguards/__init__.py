"""New care models: emergency admission growth in vanguard areas against the rest of England.

Order of work: read the MAR and the population snapshots; screen every CCG's monthly
series for breaks (`screening`); assign CCGs to cohorts from the cohort file (the real
one on real data, the bundled fictional one on the synthetic sample); compute growth
with bootstrap intervals for four variants (breaks handled or not, partly covered CCGs
in or out). The page's main figures handle breaks and keep partly covered CCGs. The page's
words and display tables are in `text`; what each section shows, ready for the template, in
`sections`.
"""

from __future__ import annotations

import pandas as pd

from ..contract import LedgerFigures
from ..errors import ParameterError
from ..population import nearest_snapshot, read_snapshots
from .charts import age_chart, growth_chart, index_chart
from .metrics import (COHORT_FILE, OTHER, REST, SAMPLE_COHORT_FILE, TYPES, age_growth, assign,
                      growth_table, monthly_by_ccg, monthly_index, pooled_growth, read_ages, read_cohort, successors,
                      window_months, window_totals)
from .readers import read_mar, read_mar_files
from .records import (exclusions_text, has_records, load_records, month_table, months_text, record_growth,
                      records_words, source_text, spark_records)
from .screening import THRESHOLD, flag_summary, flagged_in, screen
from .sections import (age_section, folded, headline_results, monthly_series, record_section, spc_charts,
                       spc_summary)
from .text import (closing_notes, cohort_file_text, display_table, flag_display, flags_summary, growth_alt,
                   growth_caption, growth_sentence, index_alt, measure_reason, variants_summary)

WINDOWS = {"recent": ("recent_first", "recent_last"), "baseline": ("baseline_first", "baseline_last"),
           "second baseline": ("second_baseline_first", "second_baseline_last")}
BASELINES = ("baseline", "second baseline")
HANDLED, AS_REPORTED = "CCGs with breaks left out", "as reported"
PARTIAL_IN, PARTIAL_OUT = "included", "left out"

__all__ = ["ledger_caveats", "yearly_views", "load", "validate_parameters", "windows", "analyse", "variants", "populations", "age_growth",
           "monthly_index", "read_cohort", "growth_chart", "index_chart", "age_chart", "read_mar", "read_mar_files",
           "REST", "OTHER", "TYPES", "ledger_figures", "label_of", "period_text",
           "all_ccg_growth", "monthly_series",
           "flag_table", "excluded_ccgs", "cohorts_for", "THRESHOLD", "measure_name", "growth_sentence",
           "both_ways_sentence", "screening_sentence", "display_table", "cohort_file_text", "HANDLED", "AS_REPORTED",
           "PARTIAL_IN", "PARTIAL_OUT", "has_records", "load_records", "record_growth", "source_text",
           "exclusions_text", "month_table", "months_text", "spark_records", "scale_sentence", "records_words",
           "SECTION_DATASETS", "chosen_cohorts", "labels_of", "main_variant", "measure_reason", "flag_display",
           "growth_caption", "growth_alt", "index_alt", "spc_charts", "spc_summary", "age_section", "record_section",
           "headline_results", "closing_notes", "folded", "flags_summary", "variants_summary"]


SECTION_DATASETS = ("apc_records",)
"""Read only by the page's record-level section, whose figures say their own kind; the results rest on the MAR."""


def load(sources) -> dict:
    """Admissions (MAR) by CCG and month, population snapshots, the cohort file, screening flags,
    and, where present, ages."""
    admissions = read_mar_files(sources["mar_monthly"].files)
    snapshots = read_snapshots(sources["ccg_population"].files)
    latest = snapshots[max(snapshots)]
    monthly = monthly_by_ccg(admissions, latest)
    ages = (pd.concat([read_ages(p) for p in sources["mar_ages"].files], ignore_index=True)
            if sources["mar_ages"].files else None)
    synthetic = sources["mar_monthly"].synthetic
    cohort_file = SAMPLE_COHORT_FILE if synthetic else COHORT_FILE
    names = admissions.drop_duplicates("ccg_code", keep="last").set_index("ccg_code")["ccg_name"].to_dict()
    return {"admissions": admissions, "monthly": monthly, "snapshots": snapshots, "population": latest,
            "cohort": read_cohort(cohort_file), "cohort_file": cohort_file, "ages": ages,
            "flags": screen(monthly), "names": names, "synthetic": synthetic}


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
    table = str(params.get("spark_table", "") or "").strip()
    if table:
        spark_records(table)  # the table read and its columns checked before any notebook runs
    return {**params, "cohorts": ",".join(chosen), "spark_table": table}


def chosen_cohorts(params: dict) -> list[str]:
    """The vanguard types the page compares, in order (the validated `cohorts` parameter)."""
    return [c for c in params["cohorts"].split(",") if c]


def labels_of(spans: dict) -> dict:
    """Each window's label ("Oct 2014 to Sep 2015"), by window."""
    return {name: label_of(span) for name, span in spans.items()}


def main_variant(table: pd.DataFrame) -> pd.DataFrame:
    """The page's main figures among the variants: CCGs with breaks left out, partly covered CCGs counted whole."""
    return table[(table["screening"] == HANDLED) & (table["partly_covered"] == PARTIAL_IN)]


def populations(data: dict, spans: dict) -> tuple[dict, bool]:
    """Registered population per CCG for each window, and whether growth is per head.

    Rule: a window takes the snapshot dated inside it nearest its middle month. Growth is per
    head only when every window has its own snapshot; otherwise every window takes the one
    snapshot nearest the recent window's middle, the population cancels, and the measure is
    growth in admissions."""
    snapshots = data["snapshots"]
    inside = {name: {m: s for m, s in snapshots.items() if m in set(span)} for name, span in spans.items()}
    per_head = all(inside.values())  # the recent window never overlaps a baseline, so their snapshots differ
    if per_head:
        chosen = {name: nearest_snapshot(inside[name], span[len(span) // 2]) for name, span in spans.items()}
    else:
        recent = spans["recent"]
        one = nearest_snapshot(snapshots, recent[len(recent) // 2])
        chosen = {name: one for name in spans}
    merged = {}
    for name, month in chosen.items():
        merged[name] = _by_successor(snapshots[month], data["monthly"].columns)
    return merged, per_head


def _by_successor(population: pd.Series, codes) -> pd.Series:
    successor = successors()
    return population.groupby(population.index.map(lambda c: successor.get(c, c))).sum().reindex(codes)


def measure_name(per_head: bool) -> str:
    return "growth in emergency admissions per head" if per_head else "growth in emergency admissions"


def excluded_ccgs(data: dict, spans: dict) -> list[str]:
    """CCGs with a flagged month inside any window compared: left out of both windows when handled."""
    months = sorted(set().union(*[set(span) for span in spans.values()]))
    return flagged_in(data["flags"], months)


def cohorts_for(data: dict, spans: dict, chosen: list[str], handled: bool = True, partial: bool = True) -> pd.Series:
    """Each CCG's cohort for one variant (CCGs left out by the screening are dropped)."""
    cohorts = assign(data["monthly"].columns, data["cohort"], chosen, partial)
    return cohorts.drop(excluded_ccgs(data, spans)) if handled else cohorts


def analyse(data: dict, spans: dict, chosen: list[str], labels: dict, handled: bool = True,
            partial: bool = True) -> pd.DataFrame:
    """Growth by cohort against both baselines for one variant."""
    totals = window_totals(data["monthly"], spans)
    people, _ = populations(data, spans)
    cohorts = cohorts_for(data, spans, chosen, handled, partial)
    table = pd.concat([growth_table(totals, cohorts, people, name, labels[name]) for name in BASELINES],
                      ignore_index=True)
    return table.assign(screening=HANDLED if handled else AS_REPORTED,
                        partly_covered=PARTIAL_IN if partial else PARTIAL_OUT)


def variants(data: dict, spans: dict, chosen: list[str], labels: dict) -> pd.DataFrame:
    """The four variants: breaks handled or as reported, partly covered CCGs included or left out."""
    return pd.concat([analyse(data, spans, chosen, labels, handled, partial)
                      for handled in (True, False) for partial in (True, False)], ignore_index=True)


def flag_table(data: dict, spans: dict) -> pd.DataFrame:
    """The screening's flagged CCGs, with their cohort and whether the handling leaves them out."""
    table = flag_summary(data["flags"], data["names"])
    left_out = set(excluded_ccgs(data, spans))
    table["vanguard_types"] = table["ccg_code"].map(
        lambda c: ", ".join(sorted(set(data["cohort"].loc[data["cohort"]["ccg_code"] == c, "type"]))) or "none")
    table["left_out"] = table["ccg_code"].map(lambda c: "yes" if c in left_out else "no (outside the windows)")
    return table


def label_of(span) -> str:
    return f"{span[0].strftime('%b %Y')} to {span[-1].strftime('%b %Y')}"


PUBLISHED_WINDOWS = {"recent": "Jan 2016 to Dec 2016", "baseline": "Oct 2014 to Sep 2015",
                     "second baseline": "Apr 2014 to Mar 2015"}


def _figure(table: pd.DataFrame, cohort: str, label: str, screening=HANDLED, partly=PARTIAL_IN):
    rows = table[(table["cohort"] == cohort) & (table["baseline"] == label) & (table["screening"] == screening)
                 & (table["partly_covered"] == partly)]
    return float(rows["growth"].iloc[0]) if len(rows) else None


def _change(value, main) -> str:
    return "no figure" if value is None else f"{value:.1f}% ({value - main:+.1f} points)"


def row_reasons(table: pd.DataFrame, data: dict, spans: dict, labels: dict, cohort: str, window: str) -> str:
    """Why this row's computed figure differs from the printed one, each reason with its size."""
    label = labels[window]
    main = _figure(table, cohort, label)
    cohorts = cohorts_for(data, spans, [c for c in ("PACS", "MCP") if c in set(table["cohort"])], handled=False)
    left_out = [c for c in excluded_ccgs(data, spans) if cohorts.get(c) == cohort]
    people, per_head = populations(data, spans)
    reported = _figure(table, cohort, label, AS_REPORTED)
    screening = (f"the screening left out {len(left_out)} CCG{'s' if len(left_out) != 1 else ''} with breaks "
                 f"({', '.join(left_out)}); as reported the figure is {_change(reported, main)}" if left_out else
                 "the screening left out no CCG of this group")
    if data["synthetic"]:
        return (f"Holds by construction: the synthetic sample was generated so that this figure equals the printed "
                f"one once the screening rule has acted; {screening}.")
    members = cohorts[cohorts == cohort].index.difference(left_out)
    parts = [screening]
    if cohort == REST:
        other = cohorts_for(data, spans, ["PACS", "MCP"])
        kept = other.where(other != OTHER, REST)
        totals = window_totals(data["monthly"], spans)
        wider = growth_table(totals, kept, people, window, label).set_index("cohort").loc[REST, "growth"]
        parts.insert(0, f"the comparison group is the {len(members)} CCGs in no vanguard of any type; counting "
                        f"the {int((other == OTHER).sum())} CCGs in care homes, urgent and emergency care or acute "
                        f"care collaboration vanguards as rest of England would give {_change(float(wider), main)}")
    else:
        entries = data["cohort"][(data["cohort"]["type"] == cohort) & data["cohort"]["ccg_code"].isin(members)]
        partial = sorted(set(entries.loc[entries["part_of_ccg"] == "yes", "ccg_code"]))
        population = people["recent"]
        share = 100 * population.reindex(partial).sum() / population.reindex(members).sum()
        without = _figure(table, cohort, label, partly=PARTIAL_OUT)
        parts.append(f"{len(partial)} of its {len(members)} CCGs ({share:.0f}% of its registered patients) are "
                     f"covered only in part but count whole; without them the figure is {_change(without, main)}")
    row = table[(table["cohort"] == cohort) & (table["baseline"] == label) & (table["screening"] == HANDLED)
                & (table["partly_covered"] == PARTIAL_IN)].iloc[0]
    parts.append(f"the 95% bootstrap interval over CCGs is {row['growth_low']:.1f}% to {row['growth_high']:.1f}%")
    return "; ".join(parts)[0].upper() + "; ".join(parts)[1:] + "."


def ledger_caveats(data: dict, spans: dict) -> str:
    """The reasons every row of the ledger shares, said once above it rather than in each row's note."""
    _, per_head = populations(data, spans)
    shared = ["the MAR counts finished consultant episodes of non-elective admissions, not emergency admissions"]
    if not per_head:
        shared.append("one population snapshot serves both windows, so each figure is growth in admissions, "
                      "not per head")
    return ("Reasons every row shares: " + "; ".join(shared) + ". For the PACS and MCP rows, CCG footprints are "
            "inferred from each vanguard's name and area where the source names no CCG.")


def ledger_figures(sources, params: dict) -> LedgerFigures:
    """The ledger's reproduced figures (see `analysis.contract`): the six printed growth rates from the
    page's main variant, each with its own reasons, and the page's other variants as alternatives."""
    data = load(sources)
    spans = windows(params, set(data["admissions"]["month"]))
    labels = labels_of(spans)
    table = variants(data, spans, chosen_cohorts(params), labels)
    figures, notes = _ledger_values(table, data, spans, labels)
    return LedgerFigures(figures, notes, _ledger_alternatives(table, labels))


def _ledger_values(table: pd.DataFrame, data: dict, spans: dict, labels: dict) -> tuple[dict, dict]:
    """The six printed growth rates reproduced from the main variant (breaks handled, partly covered
    CCGs in), None when this page's windows differ from the report's, each with its own reasons."""
    same = labels == PUBLISHED_WINDOWS
    figures, notes = {}, {}
    for short, cohort in (("pacs", "PACS"), ("mcp", "MCP"), ("rest", REST)):
        for tag, window in (("on_sep_2015", "baseline"), ("on_2014_15", "second baseline")):
            name = f"{short}_{tag}"
            figures[name] = _figure(table, cohort, labels[window]) if same else None
            notes[name] = (row_reasons(table, data, spans, labels, cohort, window) if same and figures[name] is not None
                           else "This page uses other windows or cohorts than the report, so the figures are not "
                                "compared.")
    return figures, notes


def _ledger_alternatives(table: pd.DataFrame, labels: dict) -> dict:
    """The other variants of each printed growth rate this page computes (CCGs with breaks as
    reported, partly covered CCGs left out), for the ledger to say if one fits the printed figure."""
    if labels != PUBLISHED_WINDOWS:
        return {}
    variants = {"CCGs with breaks as reported": (AS_REPORTED, PARTIAL_IN),
                "partly covered CCGs left out": (HANDLED, PARTIAL_OUT),
                "CCGs with breaks as reported, partly covered CCGs left out": (AS_REPORTED, PARTIAL_OUT)}
    out = {}
    for short, cohort in (("pacs", "PACS"), ("mcp", "MCP"), ("rest", REST)):
        for tag, window in (("on_sep_2015", "baseline"), ("on_2014_15", "second baseline")):
            out[f"{short}_{tag}"] = {name: _figure(table, cohort, labels[window], *keys)
                                     for name, keys in variants.items()}
    return out


def period_text(params: dict) -> str:
    """The windows compared, for the page header."""
    def span(first, last):
        return f"{pd.Period(params[first], 'M').strftime('%B %Y')} to {pd.Period(params[last], 'M').strftime('%B %Y')}"

    return (f"{span(*WINDOWS['recent'])}, against {span(*WINDOWS['baseline'])} and against "
            f"{span(*WINDOWS['second baseline'])}")


def headline(sources, year) -> dict:
    """The front page's result: growth by cohort on the year to September 2015 (breaks handled).
    No yes or no: the report set no target for it (line 479 promises to track the vanguards)."""
    from ..registry import load_registry

    params = load_registry().chapter("vanguards").parameters
    data = load(sources)
    spans = windows(params, set(data["admissions"]["month"]))
    labels = labels_of(spans)
    table = analyse(data, spans, ["PACS", "MCP"], labels)
    first = table[table["baseline"] == labels["baseline"]].set_index("cohort")["growth"]
    _, per_head = populations(data, spans)
    from ..contract import entry
    from ..page import Result
    from ..periods import month_label

    text = f"PACS {first['PACS']:.1f}%, MCP {first['MCP']:.1f}%, rest of England {first[REST]:.1f}%"
    return {"growth": entry(Result(f"{measure_name(per_head)}, {labels['recent']} on {labels['baseline']}", None, standard_text="none set (the report promises "
                                                                                     "to track the vanguards)"),
                            f"Monthly Activity Return to {month_label(data['admissions']['month'].max())}",
                            result=f"{text} (CCGs with reporting breaks left out)")}


def both_ways_sentence(table: pd.DataFrame, label: str, cohorts: list[str]) -> str:
    """Each cohort's growth with and without the screening's handling, with and without partly covered CCGs."""
    parts = []
    for cohort in cohorts + [REST]:
        figure = {(screening, partly): _figure(table, cohort, label, screening, partly)
                  for screening in (HANDLED, AS_REPORTED) for partly in (PARTIAL_IN, PARTIAL_OUT)}
        shown = {key: "no CCG left" if value is None else f"{value:.1f}%" for key, value in figure.items()}
        text = f"{cohort}: {shown[HANDLED, PARTIAL_IN]} with CCGs with breaks left out, " \
               f"{shown[AS_REPORTED, PARTIAL_IN]} as reported"
        if cohort != REST:
            text += (f"; without partly covered CCGs, {shown[HANDLED, PARTIAL_OUT]} and "
                     f"{shown[AS_REPORTED, PARTIAL_OUT]}")
        parts.append(text)
    return ". ".join(parts) + "."


def screening_sentence(flags: pd.DataFrame) -> str:
    """How many CCGs the screening flagged, and which are left out."""
    if flags.empty:
        return "The screening flagged no CCG: every month of every CCG is within 25% of its own median."
    out = flags[flags["left_out"] == "yes"]
    inside = ", ".join(f"{r.ccg_code} ({r.months})" for r in out.itertuples())
    return (f"The screening flagged {len(flags)} CCG{'s' if len(flags) != 1 else ''}; {len(out)} of them have a "
            f"flagged month inside a window compared and are left out of both windows: {inside}.")


def all_ccg_growth(data: dict, spans: dict, handled: bool = True) -> dict:
    """Growth of all CCGs' admissions together, for scale, measured as the cohorts' growth is (the
    same windows, per head when theirs is): with `handled`, the CCGs the screening leaves out of the
    cohorts are left out here too; without it, every CCG as reported. Per baseline, (growth, CCGs)."""
    totals = window_totals(data["monthly"], spans)
    people, _ = populations(data, spans)
    codes = totals.index.difference(excluded_ccgs(data, spans)) if handled else totals.index
    return {name: pooled_growth(totals, people, name, codes) for name in BASELINES}


def scale_sentence(data: dict, spans: dict, labels: dict) -> str:
    """All CCGs' growth together, screened as the cohorts are, and as reported beside it."""
    screened, reported = all_ccg_growth(data, spans), all_ccg_growth(data, spans, handled=False)
    (first, kept), (second, _) = screened["baseline"], screened["second baseline"]
    _, per_head = populations(data, spans)
    left_out = len(excluded_ccgs(data, spans))
    how = f"the {left_out} with breaks left out of both windows" if left_out else "the screening left none out"
    text = (f"For scale, {measure_name(per_head)} for all CCGs together, screened as the cohorts are ({kept} "
            f"CCGs: {how}, and the same months), was {first:.1f}% on {labels['baseline']} and {second:.1f}% on "
            f"{labels['second baseline']}")
    if not left_out:
        return text + "."
    (first, every), (second, _) = reported["baseline"], reported["second baseline"]
    return text + f"; without the screening, all {every} CCGs as reported give {first:.1f}% and {second:.1f}%."


def yearly_views(sources, params: dict) -> list:
    """This chapter's measures for every financial year its data cover (see `analysis.contract`)."""
    from . import years

    return [years.view(load(sources), chosen_cohorts(params))]
