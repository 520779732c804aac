"""What the sections of the vanguards page show, ready for the template to show: charts with
their names, alt text and data; tables with their captions; the sentences beside them; the
headline results."""

from __future__ import annotations

import html
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd

from .. import spc
from ..page import Result
from .charts import age_chart, spc_panel
from .metrics import REST, age_growth
from .records import (exclusions_text, has_records, load_records, month_table, months_text, record_growth,
                      records_words, source_text)
from .text import (age_alt, age_sentence, bed_days_data, bed_days_table, display_table, exclusions_display,
                   headline_label, headline_standard, records_age_alt, records_captions, records_counts_summary,
                   records_growth_sentence)


@dataclass(frozen=True)
class Chart:
    """A chart as `ChapterPage.chart` shows it."""
    chart: object
    name: str
    alt: str
    data: pd.DataFrame


@dataclass(frozen=True)
class Table:
    """A table as `ChapterPage.table` shows it; `data` the full rows behind it, if other than the table."""
    table: pd.DataFrame
    caption: str
    data: pd.DataFrame | None = None


@contextmanager
def folded(summary: str):
    """Show the tables and charts the `with` block shows (`ChapterPage.table`, `.chart`) folded under
    `summary`, a line saying what they hold: one click away, none lost. Nothing shown, no fold."""
    from IPython.display import HTML, display
    from IPython.utils.capture import capture_output

    with capture_output(stdout=False, stderr=False) as captured:
        yield
    inside = "".join(output.data["text/html"] for output in captured.outputs)
    if inside:
        display(HTML(f'<details class="handbook-fold"><summary>{html.escape(summary)}</summary>{inside}</details>'))


def monthly_series(monthly: pd.DataFrame) -> dict:
    """Each cohort's monthly admissions per 1,000 people as a series indexed by month."""
    return {name: pd.Series(group["per_1000"].to_numpy(), index=pd.PeriodIndex(group["month"], freq="M"))
            for name, group in monthly.sort_values("month").groupby("cohort")}


def spc_charts(monthly: pd.DataFrame) -> list[Chart]:
    """Each cohort's XmR chart of monthly admissions per 1,000 registered patients (lower is better,
    limits recalculated at shifts), its alt text the cohort's SPC description."""
    charts = []
    for cohort, series in monthly_series(monthly).items():
        control = spc.xmr(series, "decrease", name=cohort, recalculate_at_shifts=True)
        charts.append(Chart(spc_panel(control, cohort), f"spc-{cohort.lower().replace(' ', '-')}",
                            f"{cohort}: {spc.describe(control)}", control))
    return charts


def spc_summary(charts: list[Chart]) -> str:
    """Every cohort's SPC description, one after another."""
    return " ".join(chart.alt for chart in charts)


@dataclass(frozen=True)
class Ages:
    """The section by age: its sentence, and its chart when the data has ages."""
    sentence: str
    charts: list[Chart] = field(default_factory=list)


def age_section(ages: pd.DataFrame | None, cohorts: pd.Series, spans: dict, labels: dict) -> Ages:
    """Growth by age band and cohort against the baseline, when the data has ages; else why not."""
    if ages is None:
        return Ages(age_sentence(None, labels["baseline"]))
    by_age = age_growth(ages, cohorts, spans["baseline"], spans["recent"], labels["baseline"])
    return Ages(age_sentence(by_age, labels["baseline"]), [Chart(age_chart(by_age), "age-bands", age_alt(by_age),
                                                                 by_age)])


@dataclass(frozen=True)
class Records:
    """The record-level section: which source it read, its sentences, the tables of its counts
    (folded under `counts_summary`), its tables of growth and its chart."""
    source: str
    text: str = ""
    months: str = ""
    growth: str = ""
    counts: list[Table] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    @property
    def counts_summary(self) -> str:
        return records_counts_summary([len(table.table) for table in self.counts])


def record_section(sources, table_name: str, data: dict, spans: dict, chosen: list[str], labels: dict,
                   people: dict, measure: str) -> Records:
    """What the record-level section shows: nothing but its source when no records are supplied;
    else the episodes left out, the counts by month and age, and growth by cohort when the records
    allow it (else the reason)."""
    source = source_text(sources, table_name)
    if not has_records(sources, table_name):
        return Records(source)
    records = load_records(sources, data, spans, table=table_name)
    words = records_words(records)
    captions = records_captions(words, measure)
    counts = [Table(exclusions_display(records["exclusions"]), captions["exclusions"])]
    if not records["by_month"].empty:
        counts.append(Table(month_table(records), captions["months"], records["by_month"]))
    growth = record_growth(records, data, spans, chosen, labels, people)
    if growth["admissions"] is None:
        return Records(source, exclusions_text(records), months_text(records), growth["reason"], counts)
    admissions, bed_days, ages = growth["admissions"], growth["bed_days"], growth["ages"]
    tables = [Table(display_table(admissions), captions["admissions"], admissions),
              Table(bed_days_table(bed_days), captions["bed_days"], bed_days_data(bed_days))]
    sentence = records_growth_sentence(words, admissions, bed_days, labels["baseline"])
    return Records(source, exclusions_text(records), months_text(records), sentence, counts, tables,
                   [Chart(age_chart(ages), "records-age-bands", records_age_alt(ages), ages)])


def headline_results(growth: pd.DataFrame, labels: dict, measure: str) -> list[Result]:
    """Each vanguard cohort's growth against the baseline, with its interval and the rest of
    England's figure beside it; no target."""
    first = growth[growth["baseline"] == labels["baseline"]].set_index("cohort")
    rest = first.loc[REST, "growth"] if REST in first.index else float("nan")
    return [Result(headline_label(measure, cohort, labels["recent"], labels["baseline"]), row.growth,
                   standard_text=headline_standard(row.growth_low, row.growth_high, rest))
            for cohort, row in first.drop(index=REST, errors="ignore").iterrows()]
