"""What every chapter page shows, and the calls a chapter notebook makes.

A chapter page gives its answer first: `ChapterPage.headline` makes the box of headline
results (each with its standard and met / not met), shown at the top of the page by the
``{glue:} headline`` directive in the notebook's first cell. Then come the narrative,
charts and tables, and last, `ChapterPage.close` puts where the data came from (files,
dates, checksums) and the parameters of the run in a collapsed section, in words.
`open_chapter` validates the parameters, resolves each dataset to the user's folder or
the bundled sample and shows the synthetic banner where a sample is used. Tables go
through `table_html`, which writes numbers as people read them and lets each row stack
on a narrow screen; `cite` names a source document and line in words.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from IPython.display import HTML, display

from . import ledger as ledger_module
from .charts import Figure, data_link
from .periods import FinancialYear, month_label
from .provenance import CAUTION, COMPUTED_FROM, Kind, banners_html, data_sentence, kind_of, what_it_is
from .registry import Chapter, load_registry
from .sources import Source, chapter_sources


def count_text(value: float) -> str:
    """A count as people read it: "119,798", or "117,901.5" when it holds a half."""
    return f"{value:,.1f}" if value % 1 else f"{value:,.0f}"


def number_text(value, decimals: int = 1) -> str:
    """A table cell as people read it: whole numbers (also once rounded) with separators and
    no ".0", others to `decimals` places (one, the precision the report uses); months as "March 2017"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (pd.Timestamp, pd.Period)):
        return value.strftime("%B %Y") if getattr(value, "day", 1) == 1 else value.strftime("%d %B %Y")
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        whole = float(round(value, decimals)) + 0.0  # + 0.0: -0.04 reads "0", not "-0"
        return f"{whole:,.0f}" if whole.is_integer() else f"{value:,.{decimals}f}"
    return in_words(str(value))


SEED_CITATION = re.compile(r"`?(\d{3})_[0-9a-f]{16}\.txt`?(,? lines? ([\d–-]+(?: and \d+)?))?")
WHOLE_WITH_POINT = re.compile(r"^(-?£?[\d,]+)\.0(m?)$")


def in_words(text: str) -> str:
    """Text as a reader sees it: a seed document's file name (and line) becomes its name
    ("annual report, line 113"), and a whole number printed with ".0" loses it."""
    text = SEED_CITATION.sub(lambda m: cite(m.group(1), m.group(3)) if m.group(3) else document(m.group(1)).name,
                             text)
    return WHOLE_WITH_POINT.sub(r"\1\2", text.strip()) if WHOLE_WITH_POINT.match(text.strip()) else text


@dataclass(frozen=True)
class Document:
    """A source document the handbook cites: its name in prose and its bibliography entry."""
    key: str
    name: str
    title: str
    publisher: str
    year: int
    url: str


DOCUMENTS = {
    "000": Document("nhse-annual-report-2016-17", "annual report",
                    "NHS England Annual Report and Accounts 2016/17", "NHS England", 2017,
                    "https://www.england.nhs.uk/publications/annual-report/"),
    "001": Document("dh-mandate-2017-18", "mandate",
                    "The Government's mandate to NHS England for 2017-18", "Department of Health", 2017,
                    "https://www.gov.uk/government/publications/nhs-mandate-2017-to-2018"),
    "002": Document("nhse-business-plan-2014-17", "business plan",
                    "Putting Patients First: the NHS England business plan for 2014/15 - 2016/17",
                    "NHS England", 2014, "https://www.england.nhs.uk/wp-content/uploads/2014/03/ppf-1415-1617.pdf"),
    "003": Document("nhsi-first-year", "NHS Improvement's first year",
                    "Our first year (NHS Improvement 2016/17 highlights)", "NHS Improvement", 2017,
                    "https://improvement.nhs.uk/resources/"),
    "004": Document("everyone-counts-2014-19", "Everyone Counts",
                    "Everyone Counts: Planning for Patients 2014/15 to 2018/19", "NHS England", 2013,
                    "https://www.england.nhs.uk/ourwork/sop/"),
}
"""The five seed documents, by the number their file names start with (`000_5311d35d774c4b17.txt`)."""


def document(file_name: str) -> Document:
    """The document a seed file name (or its three-digit number) stands for."""
    number = re.match(r"\s*(\d{3})", str(file_name))
    if not number or number.group(1) not in DOCUMENTS:
        raise KeyError(f"'{file_name}' is not one of the handbook's source documents "
                       f"({', '.join(sorted(DOCUMENTS))})")
    return DOCUMENTS[number.group(1)]


def cite(file_name: str, line) -> str:
    """A citation in words: ("000_5311d35d774c4b17.txt", 113) -> "annual report, line 113";
    a range or list of lines ("840-848", "105 and 113") reads "lines ..."."""
    text = str(line).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    word = "line" if text.isdigit() else "lines"
    return f"{document(file_name).name}, {word} {text.replace('-', '–')}"


def cited_table(df: pd.DataFrame, document: str = "Document", line: str = "Line") -> pd.DataFrame:
    """`df` with its document and line columns made one "Source" column in words ("mandate, line 205")."""
    out = df.drop(columns=[document, line])
    out["Source"] = [cite(d, n) for d, n in zip(df[document], df[line])]
    return out


def glue(name: str, value, display_value: bool = False) -> None:
    """Glue a value for `{glue:text}` in the prose, as a plain Python number or string."""
    from myst_nb import glue as myst_glue

    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (int, float, str)):
        raise TypeError(f"glue '{name}': glue numbers or text, not {type(value).__name__}")
    myst_glue(name, value, display=display_value)


def glue_all(figures: dict, prefix: str = "") -> None:
    """Glue each figure of `figures` under `prefix` + its name, leaving out those that are None."""
    for name, value in figures.items():
        if value is not None:
            glue(prefix + name, value)


LONG_TEXT = 60
"""A cell with more characters than this is stacked under its column's name on a narrow screen."""

NUMBER = re.compile(r"^[-+−]?[£$]?[\d,]+(\.\d+)?(%|m| of [\d,]+)?$")
"""A cell that is a number ("1,876,819", "82.0%", "£154m", "3 of 169"), which never wraps."""


def cell_text(value, column: str, decimals: int = 1) -> str:
    """One table cell: in a percentage column (its name holds "%") every number has `decimals` places."""
    if "%" in column and isinstance(value, (float, np.floating)) and not math.isnan(value):
        return f"{value:,.{decimals}f}"
    if "%" in column and isinstance(value, str):
        return SEED_CITATION.sub(lambda m: in_words(m.group(0)), value)
    return number_text(value, decimals)


def table_html(df: pd.DataFrame, caption: str | None = None, key: list[str] | None = None,
               decimals: int = 1, download: str | None = None, full: pd.DataFrame | None = None,
               label: str | None = None) -> str:
    """A table as people read it: numbers formatted (see `number_text`), long text wrapping,
    each cell labelled with its column so the rows stack on a narrow screen, and the
    result columns (`key`, default all) marked so tests can check they stay in view. With
    `download` (a file name), a link that downloads the rows as CSV (`full`, else `df`).
    `label` names its scroll region (default the caption). Past 15 rows the page script
    (book/_static/handbook-tables.js) makes it sortable, searchable and paged."""
    key = list(df.columns) if key is None else list(key)
    unknown = [c for c in key if c not in df.columns]
    if unknown:
        raise KeyError(f"table '{caption}': no column '{unknown[0]}' to mark as a result column")
    texts = {c: [cell_text(v, str(c), decimals) for v in df[c]] for c in df.columns}
    shown = [c for c in df.columns if len(df) == 0 or any(t.strip() for t in texts[c])]  # an empty column says nothing
    columns = [str(c) for c in shown]
    kinds = ["handbook-key" if c in key else "handbook-secondary" for c in shown]
    head = "".join(f'<th scope="col" class="{k}">{html.escape(c)}</th>' for c, k in zip(columns, kinds))
    rows = []
    for i in range(len(df)):
        cells = "".join(
            f'<td class="{k}{" handbook-number" if NUMBER.match(texts[c][i]) else ""}'
            f'{" handbook-long" if len(texts[c][i]) > LONG_TEXT else ""}" '
            f'data-label="{html.escape(str(c))}">{html.escape(texts[c][i])}</td>'
            for c, k in zip(shown, kinds))
        rows.append(f"<tr>{cells}</tr>")
    body = (f'<table class="handbook-table handbook-stack"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')
    cap = f'<p class="handbook-table-caption">{html.escape(caption)}</p>' if caption else ""
    link = (f'<p class="handbook-table-download">'
            f'{data_link(df if full is None else full, download, "Download the table")}</p>' if download else "")
    return f'{cap}{scroll_region(body, label or caption or "Table")}{link}'


def stacked_cell(label: str, inner: str) -> str:
    """A key cell of a stacked table holding HTML (`inner`): wrapped in one element, so that on a narrow
    screen its text and notes stay together beside the label."""
    return f'<td class="handbook-key" data-label="{html.escape(label)}"><div>{inner}</div></td>'


def scroll_region(inner: str, label: str) -> str:
    """A region a keyboard user can reach and scroll; if its table is still wider than the
    column, the page's script shows the hint that it scrolls sideways."""
    return (f'<div class="handbook-table-scroll" tabindex="0" role="region" aria-label="{html.escape(label)}">'
            f'{inner}</div><p class="handbook-scroll-hint" hidden>This table is wider than the page: '
            f'scroll it sideways to see every column.</p>')


@dataclass(frozen=True)
class Result:
    """One headline result: what was measured, its value, and the standard it is judged by.

    `unit` is percent, count, gbp_m or number; `standard` (same unit) with `higher_is_better`
    decides met / not met; `standard_text` says it in words when it is not a plain threshold.
    """
    label: str
    value: float | None
    unit: str = "percent"
    decimals: int = 1
    standard: float | None = None
    higher_is_better: bool = True
    standard_text: str = ""
    inputs: tuple[str, ...] = ()  # the datasets it was computed from; () means the page's (see `result_sources`)

    def value_text(self) -> str:
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return "not available"
        if self.unit == "count":
            return count_text(float(self.value))
        return ledger_module.format_value(float(self.value), self.unit, self.decimals)

    @property
    def met(self) -> bool | None:
        if self.standard is None or self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return None
        return self.value >= self.standard if self.higher_is_better else self.value <= self.standard

    def verdict_text(self) -> str:
        standard = self.standard_text or (
            "" if self.standard is None else
            f"standard {ledger_module.format_value(float(self.standard), self.unit, 0 if float(self.standard).is_integer() else self.decimals)}")
        if self.met is None:
            return standard[0].upper() + standard[1:] if standard else "No standard"
        return f"{standard[0].upper() + standard[1:]}: {'met' if self.met else 'not met'}"


def headline_title(kinds: list) -> str:
    """The box's title from the kinds of its figures: "The results" only when all rest on published or
    transcribed data; otherwise it names the other kinds (a synthetic sample, artificial records)."""
    others = [COMPUTED_FROM[k] for k in CAUTION if k in kinds and not k.is_result]
    if not others:
        return "The results"
    words = " and ".join(others)
    if len(others) == len(set(kinds)):
        return f"Figures from {words}, not results"
    return f"The results, and figures from {words} (not results)"


def headline_html(results: list[Result], period_text: str, data_text: str, kinds: list | None = None) -> str:
    """The box of headline results that opens a chapter. `kinds` gives each result's data kind
    (`analysis.provenance.Kind`): a synthetic or artificial figure is shown as what it is, never
    as a result or judged; when the kinds differ, each figure says its own."""
    kinds = kinds or [Kind.PUBLISHED] * len(results)
    mixed = len(set(kinds)) > 1
    items = []
    for r, kind in zip(results, kinds):
        state = {True: "met", False: "not-met", None: "no-standard"}[r.met] if kind.is_result else kind.value
        verdict = r.verdict_text() if kind.is_result else f"Not a result: {kind.words}, not judged"
        said = f' <span class="handbook-result-kind">({html.escape(kind.words)})</span>' if mixed else ""
        items.append(
            f'<li class="handbook-result handbook-result-{state}">'
            f'<span class="handbook-result-value">{html.escape(r.value_text())}</span> '
            f'<span class="handbook-result-label">{html.escape(r.label)}</span> '
            f'<span class="handbook-result-verdict">{html.escape(verdict)}</span>{said}</li>')
    title = headline_title(kinds)
    return ('<section class="handbook-headline" aria-label="Headline results">'
            f'<p class="handbook-headline-title">{title}, {html.escape(period_text)}</p>'
            f'<ul class="handbook-results">{"".join(items)}</ul>'
            f'<p class="handbook-headline-data">{data_text}</p></section>')


PARAMETER_WORDS = {"period": "Financial year"}
"""How a parameter every chapter may have reads on a page; a chapter's own are its `labels` in the
registry (a *_first / *_last pair reads as one window, labelled by its stem)."""


def parameter_sentences(parameters: dict, labels: dict | None = None) -> list[str]:
    """The run's parameters in words: "Financial year: 2016/17", "Recent window: January 2016 to December 2016";
    `labels` are the chapter's own words for its parameters."""
    words_for = {**PARAMETER_WORDS, **(labels or {})}
    out, done = [], set()
    for name, value in parameters.items():
        if name in done or name == "data_dir":
            continue
        stem = re.sub(r"_(first|last)$", "", name)
        if stem != name and f"{stem}_first" in parameters and f"{stem}_last" in parameters:
            done.update({f"{stem}_first", f"{stem}_last"})
            first, last = (pd.Period(parameters[f"{stem}_{end}"], freq="M") for end in ("first", "last"))
            words = words_for.get(stem, stem.replace("_", " ").capitalize())
            out.append(f"{words}: {month_label(first)} to {month_label(last)}")
            continue
        words = words_for.get(name, name.replace("_", " ").capitalize())
        if name == "period":
            shown = FinancialYear.parse(value).slash_label
        elif value in ("", None):
            shown = "none (the default)"
        else:
            shown = ", ".join(part.strip() for part in str(value).split(","))
        out.append(f"{words}: {shown}")
    return out


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
        """Whether the page's results rest on a synthetic sample (see `result_sources`)."""
        return kind_of(self.result_sources()) is Kind.SYNTHETIC

    def result_sources(self, inputs=()) -> dict[str, Source]:
        """The datasets a figure rests on: `inputs` (names), else every dataset of the page except
        those the chapter module reads only in a section of their own (its `SECTION_DATASETS`)."""
        from .contract import section_datasets

        apart = set(section_datasets(self.chapter.load_module()))
        names = list(inputs) or [n for n in self.sources if n not in apart]
        return {n: self.sources[n] for n in names}

    def period_text(self) -> str:
        """The period the page covers, in words."""
        if "period" in self.parameters:
            year = self.period
            return f"{year.slash_label} ({month_label(year.first_month)} to {month_label(year.last_month)})"
        from .contract import period_text

        return period_text(self.chapter.load_module(), self.parameters)

    def header_html(self) -> str:
        """What opens the page before the results: one banner per kind of data that is not published."""
        from .ledger import REPORT_YEAR

        report_year = "period" not in self.parameters or self.period == REPORT_YEAR
        return banners_html(self.sources, report_year=report_year)

    def header(self):
        text = self.header_html()
        if text:
            display(HTML(text))

    def data_text(self, results: list[Result] = ()) -> str:
        """What the results rest on, in one sentence for the headline box, from their inputs' kinds."""
        names = dict.fromkeys(n for r in results for n in (r.inputs or self.result_sources()))
        return data_sentence(self.result_sources(list(names)) if names else self.result_sources())

    def headline(self, results: list[Result]) -> None:
        """Glue the headline box under the name "headline", for the page's first cell to show."""
        from myst_nb import glue as myst_glue

        if not results:
            raise ValueError(f"chapter '{self.chapter.name}': a headline needs at least one result")
        kinds = [kind_of(self.result_sources(r.inputs)) or Kind.PUBLISHED for r in results]
        box = headline_html(results, self.period_text(), self.data_text(results), kinds)
        myst_glue("headline", HTML(box), display=False)

    def table(self, df: pd.DataFrame, caption: str | None = None, key: list[str] | None = None,
              data: pd.DataFrame | None = None, decimals: int = 1):
        """Show a table; `key` names its result columns, `data` the full rows behind it (for downloads)."""
        self.shown.append((caption, df if data is None else data))
        self.tables += 1
        display(HTML(table_html(df, caption, key=key, decimals=decimals,
                                download=f"{self.chapter.name}-table-{self.tables}", full=data)))

    def chart(self, chart, name: str, alt: str, data: pd.DataFrame) -> None:
        """Show a chart with its alt text, data table and CSV link."""
        display(Figure(chart, name=f"{self.chapter.name}-{name}", alt_text=alt, data=data))

    def ledger(self, figures, inputs=()) -> None:
        """Show the printed figures beside the reproduced ones (`figures`, the chapter's
        `analysis.contract.LedgerFigures`; see analysis.ledger.compare), the caption (and each row
        of the download) saying the kind of the data they were computed from (`inputs`, default
        the page's).

        The report's figures are for its own year; on a page for another period the ledger
        shows them without a comparison, rather than comparing different years. Artificial
        records are never compared with a printed figure.
        """
        from .contract import LedgerFigures

        if not isinstance(figures, LedgerFigures):
            raise TypeError(f"chapter '{self.chapter.name}': the ledger takes the chapter's LedgerFigures "
                            f"(analysis.contract), not {type(figures).__name__}")
        reproduced, notes, alternatives = figures.values, figures.notes, figures.alternatives
        kind = kind_of(self.result_sources(inputs)) or Kind.PUBLISHED
        if kind is Kind.ARTIFICIAL:
            reproduced = {name: None for name in reproduced}
            notes = {name: f"Not compared: computed from {kind.words}." for name in reproduced}
            alternatives = None
        other_year = self.period.label if "period" in self.parameters and self.period != ledger_module.REPORT_YEAR \
            else None
        comparison = ledger_module.compare(self.chapter.name, reproduced, notes, synthetic=kind is Kind.SYNTHETIC,
                                           tolerance=figures.tolerance, alternatives=alternatives,
                                           other_year=other_year)
        comparison["data"] = kind.words
        shown = ledger_module.display_table(comparison)
        shown["Printed at"] = [in_words(source) for source in comparison["source"]]
        self.table(shown, key=["Figure", "Published", "Reproduced", "Agrees"], data=comparison,
                   caption="Reproduction ledger: each figure the report printed, beside the "
                           f"figure computed here from the rows ({kind.words}).")

    def close(self, also: list[str] = ()) -> None:
        """End the page: where the data came from and how the page was run, collapsed; `also`
        names other files the page read (e.g. a reference list), one sentence each."""
        display(HTML(provenance_html(self.sources, parameter_sentences(self.parameters, self.chapter.labels), self.period_text(),
                                     also)))


def provenance_html(sources: dict[str, Source], parameters: list[str], period_text: str,
                    also: list[str] = ()) -> str:
    """Where each dataset came from and the run's parameters, in words, in a collapsed section."""
    items = []
    for source in sources.values():
        ds = source.dataset
        files = source.entries
        if not files:  # an optional dataset the data folder lacks: nothing was read from it
            continue
        where = ("the handbook's bundled sample (synthetic)" if source.synthetic and source.bundled else
                 "a copy bundled with the handbook" if source.bundled else "your data folder")
        kinds = ", ".join(kind.value for kind in source.kinds)
        count = "one file" if len(files) == 1 else f"{len(files)} files"
        # The first and last file by name, said so: month-named files sort April before March.
        listing = (f"<code>{html.escape(files[0].relative)}</code>" if len(files) == 1 else
                   f"by name from <code>{html.escape(files[0].relative)}</code> to "
                   f"<code>{html.escape(files[-1].relative)}</code>")
        publisher = html.escape(ds.publisher)
        if ds.url:
            publisher = f'<a href="{html.escape(ds.url)}">{publisher}</a>'
        published = (f"published by {publisher}" if source.kinds == [Kind.PUBLISHED] else
                     f"{html.escape(kinds)} data ({what_it_is(source.kinds[0], [source])}); the dataset's "
                     f"publisher: {publisher}")
        checksums = "".join(f"<li><code>{html.escape(f.relative)}</code>: <code>{f.sha256}</code></li>"
                            for f in files)
        items.append(
            f'<li data-kinds="{kinds}"><strong>{html.escape(ds.title)}</strong>, {published}. Read from {where}: '
            f"{count}, {listing}; {html.escape(source.date_text)}."
            f"<details><summary>Checksums of the files (sha256), to check a copy is the same file</summary>"
            + (f'<p>One checksum over all {count}: <code>{source.digest}</code></p>' if len(files) > 1 else "")
            # the list scrolls when long, so it takes the keyboard's focus to be scrolled without a mouse
            + f'<ul class="handbook-checksums" tabindex="0" aria-label="Checksums of {html.escape(ds.title)}">'
            f'{checksums}</ul></details></li>')
    items += [f"<li>{html.escape(sentence)}</li>" for sentence in also]
    settings = "".join(f"<li>{html.escape(p)}</li>" for p in parameters)
    return ('<details class="handbook-provenance"><summary>About the data and this run: sources, dates, '
            'checksums and parameters</summary>'
            f"<p>The page covers {html.escape(period_text)}. It was made from these datasets (each date says "
            "what it is: when the file was obtained, transcribed or generated, from its provenance record; "
            "else when its publisher last saved it; else when this copy was last modified):</p>"
            f'<ul class="handbook-sources">{"".join(items)}</ul>'
            f"<p>The page was run with these settings (change them with <code>handbook run</code>):</p>"
            f"<ul>{settings}</ul></details>")


def prepare_chapter(name: str, data_dir: str = "", **parameters) -> ChapterPage:
    """Validate parameters and resolve sources without showing anything."""
    registry = load_registry()
    chapter = registry.chapter(name)
    params = chapter.resolve_parameters(parameters)
    sources = chapter_sources(chapter, registry, data_dir or None)
    params = chapter.load_module().validate_parameters(params, sources)
    return ChapterPage(chapter=chapter, parameters=params, sources=sources)


def open_chapter(name: str, data_dir: str = "", banner: bool = True, **parameters) -> ChapterPage:
    """Start a chapter page: validate, resolve the data and show a banner per kind of data that is not
    published (`banner=False` for a page that shows the banners of the inputs its results used instead)."""
    page = prepare_chapter(name, data_dir=data_dir, **parameters)
    if banner:
        page.header()
    glue("period", page.parameters.get("period", ""))
    from .contract import computed_from

    glue("data_basis", computed_from(page.result_sources()))  # what its figures rest on, for the methods page
    return page
