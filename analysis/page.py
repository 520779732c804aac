"""What every chapter page shows, and the calls a chapter notebook makes.

A notebook opens its chapter with `open_chapter`, which validates the parameters,
resolves each dataset to the user's folder or the bundled sample, and shows the
period, the sources (with dates and checksums) and, where sample data is used, the
synthetic banner. Tables, charts and the ledger go through the same object, so every
page looks and behaves alike.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from IPython.display import HTML, display

from . import ledger as ledger_module
from .charts import Figure, data_link
from .periods import FinancialYear, month_label
from .registry import Chapter, load_registry
from .sources import Source, resolve_all


def count_text(value: float) -> str:
    """A count as people read it: "119,798", or "117,901.5" when it holds a half."""
    return f"{value:,.1f}" if value % 1 else f"{value:,.0f}"


def glue(name: str, value, display_value: bool = False) -> None:
    """Glue a value for `{glue:text}` in the prose, as a plain Python number or string."""
    from myst_nb import glue as myst_glue

    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (int, float, str)):
        raise TypeError(f"glue '{name}': glue numbers or text, not {type(value).__name__}")
    myst_glue(name, value, display=display_value)


def table_html(df: pd.DataFrame, caption: str | None = None, download: str | None = None) -> str:
    """A table in a horizontally scrolling wrapper, so wide tables never break the page;
    with `download` (a file name), a link that downloads the table as CSV."""
    body = df.to_html(index=False, border=0, classes="handbook-table", na_rep="", escape=True)
    cap = f'<p class="handbook-table-caption">{html.escape(caption)}</p>' if caption else ""
    label = html.escape(caption or "Table")
    link = f'<p class="handbook-table-download">{data_link(df, download, "Download the table")}</p>' if download else ""
    return f'{cap}{scroll_region(body, label)}{link}'


def scroll_region(inner: str, label: str) -> str:
    """A horizontally scrolling region a keyboard user can reach and scroll."""
    return f'<div class="handbook-table-scroll" tabindex="0" role="region" aria-label="{label}">{inner}</div>'


SYNTHETIC_BANNER = (
    '<div class="admonition warning handbook-synthetic" role="note">'
    '<p class="admonition-title">Synthetic sample data</p>'
    "<p>{datasets} on this page {verb} a synthetic sample bundled with the handbook, generated so "
    "that its national totals reproduce the figures the annual report printed. Organisation-level "
    "figures are illustrative, not real statistics. Rebuild with <code>--data DIR</code> pointing at "
    "the published files for real figures.</p></div>"
)


@dataclass
class ChapterPage:
    chapter: Chapter
    parameters: dict
    sources: dict[str, Source]
    shown: list = field(default_factory=list)
    tables: int = 0

    @property
    def period(self) -> FinancialYear:
        return FinancialYear.parse(self.parameters["period"])

    @property
    def synthetic(self) -> bool:
        return any(source.synthetic for source in self.sources.values())

    def header_html(self) -> str:
        parts = []
        module = self.chapter.load_module()
        if "period" in self.parameters:
            year = self.period
            parts.append(
                f'<p class="handbook-period"><strong>Period:</strong> {year.label} '
                f"({month_label(year.first_month)} to {month_label(year.last_month)})</p>")
        elif hasattr(module, "period_text"):
            parts.append(f'<p class="handbook-period"><strong>Period:</strong> '
                         f"{html.escape(module.period_text(self.parameters))}</p>")
        others = {k: v for k, v in self.parameters.items() if k != "period" and v not in ("", None)}
        if others:
            shown = ", ".join(f"{html.escape(str(k))} = {html.escape(str(v))}" for k, v in others.items())
            parts.append(f'<p class="handbook-parameters"><strong>Parameters:</strong> {shown}</p>')
        synthetic = [s.dataset.title for s in self.sources.values() if s.synthetic]
        if synthetic:
            names = "; ".join(html.escape(t) for t in synthetic)
            verb = "come from" if len(synthetic) > 1 else "comes from"
            parts.append(SYNTHETIC_BANNER.format(datasets=f"The data ({names})", verb=verb))
        parts.append(sources_html(self.sources))
        return "\n".join(parts)

    def header(self):
        display(HTML(self.header_html()))

    def table(self, df: pd.DataFrame, caption: str | None = None):
        self.tables += 1
        display(HTML(table_html(df, caption, download=f"{self.chapter.name}-table-{self.tables}")))

    def chart(self, chart, name: str, alt: str, data: pd.DataFrame) -> None:
        """Show a chart with its alt text, data table and CSV link."""
        display(Figure(chart, name=f"{self.chapter.name}-{name}", alt_text=alt, data=data))

    def ledger(self, reproduced: dict, notes: dict | None = None, tolerance: dict | None = None) -> None:
        """Show the printed figures beside the reproduced ones (see analysis.ledger.compare).

        The report's figures are for its own year; on a page for another period the ledger
        shows them without a comparison, rather than comparing different years.
        """
        if "period" in self.parameters and self.period != ledger_module.REPORT_YEAR:
            other = (f"This page is for {self.period.label}; the report printed this figure for "
                     f"{ledger_module.REPORT_YEAR.label}, so they are not compared.")
            reproduced = {name: None for name in reproduced}
            notes = {name: other for name in reproduced}
        comparison = ledger_module.compare(self.chapter.name, reproduced, notes, synthetic=self.synthetic,
                                           tolerance=tolerance)
        self.table(ledger_module.display_table(comparison),
                   caption="Reproduction ledger: each figure the report printed, beside the "
                           "figure computed here from the rows.")


def sources_html(sources: dict[str, Source]) -> str:
    """Where each dataset came from: origin, publisher, files, dates and checksums."""
    rows = []
    for source in sources.values():
        ds = source.dataset
        files = source.entries
        if not files:  # an optional dataset the data folder lacks: nothing was read from it
            continue
        if len(files) == 1:
            listing = f"<code>{html.escape(files[0].relative)}</code>"
        else:
            listing = (f"{len(files)} files, <code>{html.escape(files[0].relative)}</code> to "
                       f"<code>{html.escape(files[-1].relative)}</code>")
        date_text = html.escape(source.date_text)
        checksums = "".join(
            f"<li><code>{html.escape(f.relative)}</code> <code>{f.sha256}</code></li>" for f in files)
        origin = source.origin + (" (synthetic)" if source.synthetic else "")
        publisher = html.escape(ds.publisher)
        if ds.url:
            publisher = f'<a href="{html.escape(ds.url)}">{publisher}</a>'
        rows.append(
            f"<tr><td>{html.escape(ds.title)}</td><td>{html.escape(origin)}</td><td>{publisher}</td>"
            f"<td>{listing}</td><td>{date_text}</td>"
            f"<td><details><summary><code>{source.digest[:16]}</code></summary>"
            f"<ul class=\"handbook-checksums\">{checksums}</ul></details></td></tr>")
    return (
        '<div class="handbook-sources"><p><strong>Data sources</strong> (sha256 of the files read; '
        "the short form is a checksum over all of a dataset's files. Each date says what it is: when "
        "the file was obtained, transcribed or generated, from its provenance record; else when its "
        "publisher last saved the workbook; else when this copy of the file was last modified)</p>"
        + scroll_region('<table class="handbook-table"><thead><tr>'
                        "<th>Dataset</th><th>Taken from</th><th>Publisher</th><th>Files</th><th>Date</th>"
                        "<th>sha256</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>",
                        "Data sources") + "</div>")


def prepare_chapter(name: str, data_dir: str = "", **parameters) -> ChapterPage:
    """Validate parameters and resolve sources without showing anything."""
    registry = load_registry()
    chapter = registry.chapter(name)
    params = chapter.resolve_parameters(parameters)
    sources = resolve_all(chapter.datasets, registry.datasets, data_dir or None)
    params = chapter.load_module().validate_parameters(params, sources)
    return ChapterPage(chapter=chapter, parameters=params, sources=sources)


def open_chapter(name: str, data_dir: str = "", **parameters) -> ChapterPage:
    """Start a chapter page: validate, resolve the data and show the page header."""
    page = prepare_chapter(name, data_dir=data_dir, **parameters)
    page.header()
    glue("period", page.parameters.get("period", ""))
    return page
