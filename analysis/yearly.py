"""Every year a chapter's data cover: its headline measure by financial year, as a small table and chart.

A year is *whole* when the data hold all its months (for cancer: a row of the national
series' Annual Data sheet, or twelve monthly provider files); otherwise it is a *part
year*, and the table names the months present. A measure summed over a year (A&E
attendances, delayed days, admissions) is given for whole years only, never for a part
year. A measure taken at the year's end (RTT, EIP, personal health budgets) is given
whenever the data hold the year's last month, and a part year still says it is one. A
year is judged met or not met only against the chapter's own standard, and only in the
years the standard applies (`analysis.in_force`: the first and last year each standard's
documents set); other years are shown without a verdict.

Each chapter makes its own views (its `years` module, and `yearly_views` in the contract of
`analysis.contract`) with the same function its page (and its `headline` for the front page)
uses, so a year's figure is the chapter's figure for that year. This module holds only the
shared machinery, and names no chapter.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import altair as alt
import pandas as pd
from IPython.display import HTML, display

from .charts import PALETTE
from .in_force import InForce
from .ledger import format_value
from .periods import FinancialYear, month_label


@dataclass(frozen=True)
class Measure:
    """What a chapter's yearly view measures, and the standard a year is judged by."""
    name: str  # "Four-hour performance"
    column: str  # the value's column heading, "Seen within four hours (%)"
    how: str  # one sentence: how a year's figure is made
    unit: str = "percent"  # percent or count
    standard: float | None = None
    standard_text: str = ""  # "standard 95%"
    in_force: InForce | None = None  # the years the standard applies in; others are not judged
    decimals: int = 1

    def judge(self, year: FinancialYear, value) -> str:
        if self.standard is None:
            return ""
        if value is None or pd.isna(value):
            return "no figure"
        if self.in_force and not self.in_force.covers(year):
            return self.in_force.not_judged(year)
        return "met" if value >= self.standard else "not met"

    def text(self, value) -> str:
        if value is None or pd.isna(value):
            return ""
        return format_value(float(value), self.unit, 0 if self.unit == "count" else self.decimals)


@dataclass
class Yearly:
    """One chapter's measure for every financial year its data touch (one row per year, or per
    year and series)."""
    chapter: str
    measure: Measure
    rows: pd.DataFrame  # year, covered, whole, value, met, note, and any `extra` columns
    extra: dict = field(default_factory=dict)  # column -> heading, shown after the value
    series: str = ""  # heading of the `series` column when there are several series (e.g. cohorts)
    left_out: list | None = None  # organisations a screening rule left out of every year (None: no screening)

    def years(self) -> list[str]:
        return list(dict.fromkeys(self.rows["year"]))

    def part_years(self) -> list[str]:
        return list(dict.fromkeys(self.rows.loc[~self.rows["whole"], "year"]))


def covered_text(present: list[pd.Period], expected: int = 12, word: str = "months") -> str:
    """"whole year", or "part year: December 2015 to March 2016 (4 of 12 months)"."""
    if len(present) >= expected:
        return "whole year"
    span = month_label(present[0]) + ("" if len(present) == 1 else f" to {month_label(present[-1])}")
    return f"part year: {span}, {len(present)} of {expected} {word}"


def by_year(months) -> dict[FinancialYear, list[pd.Period]]:
    """The distinct months of `months` (a column may repeat each for every row) by financial year."""
    out: dict[FinancialYear, list[pd.Period]] = {}
    for month in sorted({pd.Period(m, freq="M") for m in set(months)}):
        out.setdefault(FinancialYear.containing(month), []).append(month)
    return out


def row(measure: Measure, year: FinancialYear, covered: str, whole: bool, value, note: str, **extra) -> dict:
    value = None if value is None or pd.isna(value) else float(value)
    return {"year": year.label, "covered": covered, "whole": whole, "value": value,
            "met": measure.judge(year, value), "note": note, **extra}


def summed(chapter: str, measure: Measure, months, figure) -> Yearly:
    """A measure summed over a year's months (`figure(year)`), given for whole years only."""
    rows = []
    for year, present in by_year(months).items():
        whole = len(present) == 12
        rows.append(row(measure, year, covered_text(present), whole, figure(year) if whole else None,
                         "" if whole else "not given: a sum over part of a year is not a year's figure"))
    return Yearly(chapter, measure, pd.DataFrame(rows))


def at_year_end(chapter: str, measure: Measure, months, figure, expected: int = 12, word: str = "months") -> Yearly:
    """A measure taken in the year's last month (`figure(year)`), given when the data hold that month."""
    rows = []
    for year, present in by_year(months).items():
        whole = len(present) >= expected
        if year.last_month in present:
            note = "" if whole else f"the figure is for {month_label(year.last_month)}, as in every year"
            value = figure(year)
        else:
            note = f"no figure: the data stop in {month_label(present[-1])}, before the year's end"
            value = None
        rows.append(row(measure, year, covered_text(present, expected, word), whole, value, note))
    return Yearly(chapter, measure, pd.DataFrame(rows))


# Showing a yearly view on a chapter page.

def display_table(yearly: Yearly) -> pd.DataFrame:
    """The rows as a reader sees them: the value in the chapter's precision, met in words."""
    rows = yearly.rows
    shown = pd.DataFrame({"Year": rows["year"]})
    if yearly.series:
        shown[yearly.series] = rows["series"]
    shown["Data"] = [f"{covered}; {note}" if note else covered for covered, note in zip(rows["covered"], rows["note"])]
    shown[yearly.measure.column.replace("(%)", "").strip() if yearly.measure.unit == "percent" else
          yearly.measure.column] = [yearly.measure.text(v) for v in rows["value"]]
    for column, heading in yearly.extra.items():
        shown[heading] = rows[column]
    if yearly.measure.standard is not None:
        shown[f"Met ({yearly.measure.standard_text})"] = rows["met"]
    return shown


def chart_data(yearly: Yearly) -> pd.DataFrame:
    """The points drawn: years with a figure, a part year marked on the axis, met in words."""
    rows = yearly.rows[yearly.rows["value"].notna()].copy()
    rows["label"] = [y if whole else f"{y} (part)" for y, whole in zip(rows["year"], rows["whole"])]
    rows["shown"] = [yearly.measure.text(v) for v in rows["value"]]
    rows["status"] = [{"met": "met the standard", "not met": "did not meet the standard"}.get(m, "not judged")
                      for m in rows["met"]]
    columns = ["year", "label", *(["series"] if yearly.series else []), "value", "shown", "status", "covered"]
    return rows[columns].reset_index(drop=True)


STATUS_SHAPES = {"met the standard": "circle", "did not meet the standard": "triangle-down", "not judged": "square"}


def chart(yearly: Yearly) -> alt.LayerChart:
    """Each year once on the axis, the standard as a dashed rule, met or not by the marker's shape
    (and colour), with the value on hover."""
    measure = yearly.measure
    data = chart_data(yearly)
    order = list(dict.fromkeys(data["label"]))
    x = alt.X("label:O", sort=order, title="Financial year",
              axis=alt.Axis(labelAngle=0 if len(order) <= 3 and not any("(part)" in o for o in order) else -45,
                            labelOverlap=False))  # slanted where a phone's column is too narrow for them flat
    values = list(data["value"]) + ([measure.standard] if measure.standard is not None else [])
    low, high = (min(values), max(values)) if values else (0, 1)
    pad = (high - low) * 0.15 or abs(high) * 0.05 or 1
    zero = measure.unit == "count"
    scale = alt.Scale(zero=zero, domain=[0 if zero else low - pad, high + pad], nice=False)
    y = alt.Y("value:Q", title=measure.column, scale=scale,
              axis=alt.Axis(format=",.0f", tickMinStep=1))  # whole numbers, each once
    tooltip = [alt.Tooltip("year:N", title="Year"), alt.Tooltip("shown:N", title=measure.column),
               alt.Tooltip("covered:N", title="Data")]
    base = alt.Chart(data)
    if yearly.series:
        tooltip.insert(1, alt.Tooltip("series:N", title=yearly.series))
        legend = alt.Legend(title=yearly.series)
        layers = [base.mark_line(strokeWidth=2).encode(x=x, y=y, color=alt.Color("series:N", legend=None)),
                  base.mark_point(size=90, filled=True).encode(
                      x=x, y=y, color=alt.Color("series:N", legend=legend),
                      shape=alt.Shape("series:N", legend=legend), tooltip=tooltip)]
    else:
        statuses = [s for s in STATUS_SHAPES if s in set(data["status"])]
        legend = alt.Legend(title="Each year" if measure.standard is not None else None)
        colours = {"met the standard": PALETTE["primary"], "did not meet the standard": PALETTE["senary"],
                   "not judged": PALETTE["muted"]}
        layers = [base.mark_line(color=PALETTE["muted"], strokeWidth=1.5).encode(x=x, y=y),
                  base.mark_point(size=110, filled=True, opacity=1).encode(
                      x=x, y=y,
                      shape=alt.Shape("status:N", scale=alt.Scale(domain=statuses,
                                                                  range=[STATUS_SHAPES[s] for s in statuses]),
                                      legend=legend if measure.standard is not None else None),
                      color=alt.Color("status:N", scale=alt.Scale(domain=statuses,
                                                                  range=[colours[s] for s in statuses]),
                                      legend=legend if measure.standard is not None else None),
                      tooltip=tooltip)]
    if measure.standard is not None:
        rule = pd.DataFrame({"value": [measure.standard], "text": [measure.standard_text]})
        layers.append(alt.Chart(rule).mark_rule(color=PALETTE["target"], strokeDash=[6, 4], strokeWidth=2)
                      .encode(y=alt.Y("value:Q", scale=scale)))
        layers.append(alt.Chart(rule).mark_text(align="left", baseline="bottom", dx=4, dy=-3, fontSize=12,
                                                color=PALETTE["target"])
                      .encode(y=alt.Y("value:Q", scale=scale), x=alt.value(0), text="text:N"))
    return alt.layer(*layers).properties(height=220, title=f"{measure.name}, every year the data cover")


def alt_text(yearly: Yearly) -> str:
    """The chart's finding in words: each year's figure (first and last, lowest and highest when
    there are many) and how many years met the standard."""
    data = chart_data(yearly)
    if data.empty:
        return f"{yearly.measure.name}: no year in the data has a figure."
    name = yearly.measure.name
    if yearly.series:
        last = data[data["year"] == data["year"].iloc[-1]]
        parts = "; ".join(f"{r.series} {r.shown}" for r in last.itertuples())
        first, final = data["year"].iloc[0], data["year"].iloc[-1]
        return f"{name} by {yearly.series.lower()}, {first if first == final else f'{first} to {final}'}; in " \
               f"{final}: {parts}."
    if len(data) <= 5:
        text = "; ".join(f"{r.shown} in {r.label}" for r in data.itertuples())
    else:
        low, high = data.loc[data["value"].idxmin()], data.loc[data["value"].idxmax()]
        text = (f"{data['shown'].iloc[0]} in {data['label'].iloc[0]}, {data['shown'].iloc[-1]} in "
                f"{data['label'].iloc[-1]}; lowest {low['shown']} in {low['label']}, highest {high['shown']} in "
                f"{high['label']}")
    judged = data[data["status"] != "not judged"]
    verdict = ""
    if yearly.measure.standard is not None and len(judged):
        met = int((judged["status"] == "met the standard").sum())
        verdict = f" The {yearly.measure.standard_text} was met in {met} of the {len(judged)} years judged."
    return f"{name}, every year the data cover: {text}.{verdict}"


def summary(yearly: Yearly) -> str:
    """One sentence on the years: which the data cover, which are part years, and how a figure is made."""
    years = yearly.years()
    if not years:
        return f"{yearly.measure.name}: the data hold no year."
    parts = yearly.rows.drop_duplicates("year")
    part = [f"{r.year} ({r.covered.removeprefix('part year: ')})" for r in parts.itertuples() if not r.whole]
    span = years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"
    whole = ("every one of them whole" if not part else
             f"part years: {'; '.join(part)}")
    left = (f" Left out by the screening: {len(yearly.left_out)} CCG{'s' if len(yearly.left_out) != 1 else ''}"
            f"{' (' + ', '.join(yearly.left_out) + ')' if yearly.left_out else ''}." if yearly.left_out is not None
            else "")
    return f"The data cover {span}, {whole}. {yearly.measure.how}{left}"


def show(page, yearly: Yearly, name: str = "yearly") -> None:
    """On a chapter page: a sentence on the years, the chart, and the table (with its CSV)."""
    display(HTML(f'<p class="handbook-yearly">{html.escape(summary(yearly))}</p>'))
    if yearly.rows["value"].notna().any():
        page.chart(chart(yearly), name=name, alt=alt_text(yearly), data=chart_data(yearly))
    shown = display_table(yearly)
    key = ["Year", *([yearly.series] if yearly.series else []),
           shown.columns[3 if yearly.series else 2], *[c for c in shown.columns if c.startswith("Met")]]
    page.table(shown, caption=f"{yearly.measure.name}, every financial year the data cover.", key=key,
               data=yearly.rows)


def one_year(text: str) -> None:
    """On a chapter whose data hold one year: say so, in one line, instead of a table and chart."""
    display(HTML(f'<p class="handbook-yearly">{html.escape(text)}</p>'))
