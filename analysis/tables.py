"""Readable column headings for the rows behind a chart, shown as "the data as a table".

The rows a chapter draws keep the names the analysis gives them (`org_code`, `lower_limit`,
`percent_within_18_est`); the table under the chart shows them as a reader reads them
("ODS code", "Lower process limit", "Within 18 weeks (%), with estimates"), with the unit
where the name fixes it. The CSV download keeps the analysis's names, for reuse. Cells are
formatted by `analysis.page.cell_text`, the one formatter of every table in the book; the
page script `book/_static/handbook-tables.js` makes any table of more than 15 rows
sortable, searchable and paged.
"""

from __future__ import annotations

import re

import pandas as pd

HEADINGS = {
    "month": "Month", "year": "Year", "quarter_end": "Quarter end", "label": "Period",
    # national series
    "attendances": "Attendances", "breaches": "Over four hours", "all_types": "All types within four hours (%)",
    "type_1": "Type 1 within four hours (%)", "within": "Treated within 62 days", "total": "Total",
    "performance": "Within the standard (%)", "within_two_weeks": "Treated within two weeks",
    "percent": "Within two weeks (%)", "providers": "Providers", "delayed_days": "Delayed days",
    "responsible": "Responsible", "percent_within_18": "Within 18 weeks (%)", "waiting": "Waiting",
    "completed": "Completed pathways", "new_periods": "New pathways", "chc": "Continuing healthcare",
    "other": "Other", "ccgs": "CCGs", "suppressed": "Suppressed counts", "source": "Source",
    # statistical process control (analysis.spc)
    "value": "Value", "mean": "Mean", "lower_limit": "Lower process limit", "upper_limit": "Upper process limit",
    "lower_near": "Lower near limit", "upper_near": "Upper near limit", "moving_range": "Moving range",
    "segment": "Segment", "segment_start": "Segment starts", "point_type": "Variation", "rule": "Special-cause rule",
    "limit_points": "Points in the limits", "trial_limits": "Trial limits", "screening": "Moving-range screening",
    "screened_moving_ranges": "Moving ranges screened out", "fixed_after": "Limits fixed after",
    "improvement": "Improvement is", "target": "Standard", "recalculate_at_shifts": "Limits recalculated at shifts",
    # funnels and organisations
    "org_code": "ODS code", "org_name": "Provider", "organisation": "ODS code", "organisation_name": "Provider",
    "provider_code": "ODS code", "provider_name": "Provider", "ccg_code": "CCG code", "ccg_name": "CCG",
    "area_code": "Area code", "area_name": "Area", "area_type": "Area type", "significance": "Compared with England",
    "numerator": "Within the standard", "volume": "Total", "rate": "Rate", "met": "Met the standard",
    "meets_standard": "Met the standard", "position": "Against the funnel limits",
    "binomial_position": "Against the binomial limits", "rank": "Rank", "name_source": "Name from",
    "population": "Registered patients",
    # yearly series (analysis.yearly)
    "shown": "Shown as", "status": "Against the standard", "covered": "Months covered", "series": "Series",
    # finance
    "line": "Line", "plan": "Plan (£m)", "actual": "Actual (£m)", "variance": "Under/(over)spend (£m)",
    "variance_pct": "Under/(over)spend (% of plan)", "plan_basis": "Plan", "expenditure": "Expenditure (£m)",
    "increase_pct": "Increase on the year before (%)",
    # vanguards
    "baseline": "Baseline window", "cohort": "Cohort", "admissions_baseline": "Admissions, baseline window",
    "admissions_recent": "Admissions, recent window", "rate_baseline": "Per 1,000, baseline window",
    "rate_recent": "Per 1,000, recent window", "growth": "Growth (%)", "growth_low": "Growth, 95% from (%)",
    "growth_high": "Growth, 95% to (%)", "difference": "Minus rest of England (points)",
    "difference_low": "Minus rest of England, 95% from (points)",
    "difference_high": "Minus rest of England, 95% to (points)", "partly_covered": "Partly covered CCGs",
    "non_elective": "Emergency admissions", "per_1000": "Per 1,000 people", "index": "Index (baseline = 100)",
}
"""Each internal column name the chapters' chart rows use, as a heading."""

INTERNAL = re.compile(r"^[a-z][a-z0-9_]*$")


def heading(name: str, data: pd.DataFrame | None = None) -> str:
    """The heading for column `name`: from `HEADINGS`, "…, with estimates" for an `_est`
    column, a rate's unit read from its rows (see `rate_unit`), else the name in words."""
    if not INTERNAL.match(str(name)):
        return str(name)  # already written for a reader ("Path to 100,000")
    if name.endswith("_est") and name[:-4] in HEADINGS:
        return f"{HEADINGS[name[:-4]]}, with estimates"
    if name == "rate" and data is not None:
        return f"Rate ({rate_unit(data)})" if rate_unit(data) else "Rate"
    return HEADINGS.get(name) or name.replace("_", " ").capitalize()


def rate_unit(data: pd.DataFrame) -> str:
    """The unit of a `rate` column, from the rows it was computed from: "%" when it is
    100 x numerator / volume, "per 100,000" when it is 100,000 x total / population; else ""."""
    for top, bottom, scale, unit in (("numerator", "volume", 100, "%"), ("total", "population", 100_000, "per 100,000")):
        if {top, bottom} <= set(data.columns):
            rows = data[["rate", top, bottom]].apply(pd.to_numeric, errors="coerce").dropna()
            rows = rows[rows[bottom] > 0]
            if len(rows) and ((rows["rate"] - scale * rows[top] / rows[bottom]).abs() < 1e-6 * scale).all():
                return unit
    return ""


def readable(data: pd.DataFrame) -> pd.DataFrame:
    """`data` with every internal column name replaced by its heading (the rows unchanged)."""
    return data.set_axis([heading(str(c), data) for c in data.columns], axis=1)
