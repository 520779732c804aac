"""The words and display forms of the vanguards page: sentences, captions, alt text and tables
as a reader sees them (column names in words, numbers with separators), each from the figures."""

from __future__ import annotations

import pandas as pd

COLUMNS = {"screening": "Breaks", "partly_covered": "Partly covered CCGs", "baseline": "Compared with",
           "cohort": "Cohort", "ccgs": "CCGs", "admissions_baseline": "Admissions, baseline",
           "admissions_recent": "Admissions, recent", "population": "Registered patients", "growth": "Growth %",
           "growth_low": "95% from", "growth_high": "95% to", "difference": "Minus rest of England (points)",
           "difference_low": "95% from ", "difference_high": "95% to "}
COUNTS = ("admissions_baseline", "admissions_recent", "population")

FLAG_COLUMNS = {"ccg_code": "CCG", "ccg_name": "Name", "months": "Flagged months", "flagged_months": "Months flagged",
                "median": "Median month", "lowest": "Lowest (% of median)", "highest": "Highest (% of median)",
                "vanguard_types": "Vanguard types", "left_out": "Left out of both windows"}


def capitalised(text: str) -> str:
    """`text` with its first letter a capital, the rest as it is."""
    return text[:1].upper() + text[1:]


def display_table(table: pd.DataFrame, variants: bool = False, counts: bool = True) -> pd.DataFrame:
    """A growth table as shown on the page: counts with separators, percentages to one decimal;
    `variants` keeps the columns naming the handling, `counts=False` leaves out admissions and
    registered patients (they stay in the downloadable data)."""
    kept = [c for c in COLUMNS if (variants or c not in ("screening", "partly_covered")) and (counts or c not in COUNTS)]
    shown = table[kept].copy()
    for column in (c for c in COUNTS if c in kept):
        shown[column] = shown[column].map("{:,.0f}".format)
    for column in ("growth", "growth_low", "growth_high", "difference", "difference_low", "difference_high"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    return shown.rename(columns=COLUMNS)


def bed_days_table(table: pd.DataFrame) -> pd.DataFrame:
    """A growth table of bed days as shown: `display_table` with its admissions columns named bed days."""
    return display_table(table).rename(columns=lambda c: c.replace("Admissions", "Bed days"))


def bed_days_data(table: pd.DataFrame) -> pd.DataFrame:
    """A growth table of bed days for download: its admissions columns named bed days."""
    return table.rename(columns=lambda c: c.replace("admissions", "bed_days"))


def flag_display(flags: pd.DataFrame) -> pd.DataFrame:
    """The screening's flagged CCGs as shown: median month with separators, lowest and highest
    (% of median) as whole numbers, columns in words."""
    return flags.assign(median=flags["median"].map("{:,.0f}".format), lowest=flags["lowest"].map("{:.0f}".format),
                        highest=flags["highest"].map("{:.0f}".format)).rename(columns=FLAG_COLUMNS)


def _count(number: int, noun: str) -> str:
    """A count with its noun, plural unless one: "1 month", "12 months"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def flags_summary(flags: pd.DataFrame) -> str:
    """What the folded table of flagged CCGs holds, counted from its rows."""
    if flags.empty:
        return "The screening flagged no CCG: the table of flagged CCGs is empty."
    left_out = int((flags["left_out"] == "yes").sum())
    kept = len(flags) - left_out
    return (f"Table of the {_count(len(flags), 'flagged CCG')} (names, medians, vanguard types): {left_out} left out "
            f"of both windows" + (f", {kept} kept (flagged outside the windows)." if kept else "."))


def variants_summary(table: pd.DataFrame) -> str:
    """What the folded table of every variant holds, counted from its rows."""
    handlings = len(table[["screening", "partly_covered"]].drop_duplicates())
    return (f"All {len(table)} figures: {_count(table['cohort'].nunique(), 'group')} against "
            f"{_count(table['baseline'].nunique(), 'baseline')}, each {_count(handlings, 'way')} (CCGs with breaks left out or "
            "as reported, partly covered CCGs included or left out), with 95% bootstrap intervals.")


def records_counts_summary(rows: list[int]) -> str:
    """What the folded tables of the records' counts hold (`rows`: the row count of each, the
    episodes left out by reason, then, if any, admissions by month), counted from their rows."""
    if not rows:
        return ""
    parts = [f"episodes left out, by reason ({_count(rows[0], 'reason')})"]
    if len(rows) > 1:
        parts.append(f"emergency admissions and bed days by month and age band ({_count(rows[1], 'month')})")
    return f"The records' counts, in {_count(len(rows), 'table')}: {'; '.join(parts)}."


def growth_sentence(table: pd.DataFrame, label: str) -> str:
    """Each cohort's growth against one baseline with its bootstrap interval."""
    rows = table[table["baseline"] == label]
    return "; ".join(f"{r.cohort} {r.growth:.1f}% (95% interval {r.growth_low:.1f}% to {r.growth_high:.1f}%)"
                     for r in rows.itertuples())


def measure_reason(per_head: bool) -> str:
    """Why the measure is growth per head, or growth in admissions."""
    if per_head:
        return "Each window has its own registered-population snapshot, so growth is per head."
    return ("The data has one registered-population snapshot for both windows, so the population cancels and the "
            "measure is growth in emergency admissions: it is not per head, since population change between the "
            "windows is unknown here.")


def growth_caption(measure: str) -> str:
    """The caption of the growth table."""
    return (f"{capitalised(measure)}, with 95% bootstrap intervals over CCGs (admissions and registered patients are "
            "in the downloadable data).")


def growth_alt(growth: pd.DataFrame, measure: str) -> str:
    """The growth chart's alt text: each cohort's growth against each baseline."""
    return (f"{capitalised(measure)} by cohort, with 95% bootstrap intervals: "
            + "; ".join(f"{r.cohort} {r.growth:.1f}% against {r.baseline}" for r in growth.itertuples()))


def index_alt(monthly: pd.DataFrame) -> str:
    """The monthly index chart's alt text: where each cohort's index ends."""
    return ("Monthly emergency admissions by cohort, indexed to the baseline window (100): "
            + "; ".join(f"{c} ends at {g['index'].iloc[-1]:.0f}" for c, g in monthly.groupby("cohort")))


def _by_cohort(by_age: pd.DataFrame, band: str) -> str:
    """Each cohort's growth in one age band: "PACS 1.0%, MCP 2.0%"."""
    rows = by_age[by_age["age_band"] == band].set_index("cohort")["growth"]
    return ", ".join(f"{cohort} {value:.1f}%" for cohort, value in rows.items())


NO_AGES = ("The Monthly Activity Return has no ages, so this data cannot test whether the benefit has been greatest "
           "for older people; the page does not guess.")


def age_sentence(by_age: pd.DataFrame | None, label: str) -> str:
    """Growth by cohort aged 85 and over and under 65 against the baseline `label`; without ages, why none."""
    if by_age is None:
        return NO_AGES
    return (f"Growth in admissions by age band (against {label}): aged 85 and over, {_by_cohort(by_age, '85+')}; "
            f"under 65, {_by_cohort(by_age, '0-64')}.")


def age_alt(by_age: pd.DataFrame) -> str:
    """The age chart's alt text: each cohort's growth aged 85 and over."""
    return f"Growth in emergency admissions by age band and cohort: aged 85 and over, {_by_cohort(by_age, '85+')}."


def records_age_alt(ages: pd.DataFrame) -> str:
    """The record-level age chart's alt text: every cohort's growth in every age band."""
    return ("From records, growth in emergency admissions by age band and cohort: "
            + "; ".join(f"{r.cohort} {r.age_band} {r.growth:.1f}%" for r in ages.itertuples()))


def records_growth_sentence(words: str, admissions: pd.DataFrame, bed_days: pd.DataFrame, label: str) -> str:
    """Growth by cohort in emergency admissions and bed days from the records (`words` names them)."""
    return (f"From {words}, against {label}, emergency admissions: {growth_sentence(admissions, label)}. "
            f"Emergency bed days: {growth_sentence(bed_days, label)}.")


def records_captions(words: str, measure: str) -> dict:
    """The captions of the record-level tables (`words` names the records), by table."""
    return {"exclusions": "Episodes left out of the record-level figures, by reason (each counted; none dropped "
                          "silently).",
            "months": f"From {words}: emergency admissions by month of admission and age band, and emergency bed "
                      "days, all CCGs together (those that cannot be placed in a CCG too).",
            "admissions": f"From {words}: {measure}, emergency admissions (first episodes of emergency spells), with "
                          "95% bootstrap intervals over CCGs.",
            "bed_days": f"From {words}: growth in emergency bed days per head, with 95% bootstrap intervals over "
                        "CCGs."}


EXCLUSION_COLUMNS = {"reason": "Reason", "episodes": "Episodes", "left_out_of": "Left out of"}


def exclusions_display(exclusions: pd.DataFrame) -> pd.DataFrame:
    """The episodes left out of the record-level figures, columns in words."""
    return exclusions.rename(columns=EXCLUSION_COLUMNS)


def headline_label(measure: str, cohort: str, recent: str, baseline: str) -> str:
    """What a headline result measured: the measure, the cohort and the windows compared."""
    return f"{measure}, {cohort}, {recent} against {baseline}"


def headline_standard(low: float, high: float, rest: float) -> str:
    """A headline result's standard text: its interval and the rest of England's figure; no target."""
    return f"95% interval {low:.1f}% to {high:.1f}%; rest of England {rest:.1f}%; no target set"


def cohort_file_text(data: dict) -> str:
    """Which cohort file the page used, with its checksum."""
    from ..sources import REPO_ROOT, sha256_of

    path = data["cohort_file"]
    kind = "a synthetic file of fictional vanguards" if data["synthetic"] else "the cited file of real vanguards"
    return (f"{path.relative_to(REPO_ROOT)} ({kind}; {data['cohort']['vanguard'].nunique()} vanguards in "
            f"{data['cohort']['ccg_code'].nunique()} CCGs; sha256 {sha256_of(path)[:16]})")


def closing_notes(data: dict) -> list[str]:
    """The other files the page read, one sentence each, for its closing section: the cohort file."""
    return [f"The vanguard cohort file: {cohort_file_text(data)}."]
