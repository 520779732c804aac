"""The organisations page: "how is my hospital doing?", every provider-level result of the book in one place.

One page per edition (financial year). A reader picks a provider by name or ODS code (the search box
is `book/_static/handbook-organisations.js`; without JavaScript the table of every provider is the
page) and sees each result the chapters compute for it at provider level: the figure for the year,
its standard and whether it was met, where it lies in the chapter's funnel, its months as a small
line chart, its other years where the data hold them, and a link to the chapter's provider table.

The page sits above the chapters like the front page (`analysis.glance`): it reads them only through
`analysis.contract` (`provider_years` and `provider_results`, so every figure is the chapter's own),
and no chapter imports it. Providers whose chapter files give no name are named from the files of
the user's data folder that do (`analysis.names`), or shown by code, saying so. Figures computed
from a synthetic sample are shown as what they are, never as results or judged.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

from ..contract import ProviderResult, has_provider_results, provider_results
from ..errors import ParameterError
from ..names import NO_NAME, provider_names
from ..page import count_text, scroll_region
from ..periods import FinancialYear
from ..provenance import Kind, banners_html, kind_of
from ..registry import load_registry
from ..sources import USER_ORIGIN, chapter_sources


def provider_chapters() -> list:
    """The chapters that give provider results, in the book's order."""
    return [c for c in load_registry().chapters if c.module != __name__ and has_provider_results(c.load_module())]


def sources_for(chapter, data_dir: str) -> dict:
    """The datasets `chapter` reads, from `data_dir` where present, else bundled."""
    return chapter_sources(chapter, load_registry(), data_dir or None)


def data_dir_of(sources: dict) -> str:
    """The user's data folder the page's sources were resolved against ("" when all are bundled)."""
    return next((str(source.root) for source in sources.values() if source.origin == USER_ORIGIN), "")


def validate_parameters(params: dict, sources) -> dict:
    """Any year whose provider results at least one chapter's data cover; else a ParameterError naming
    the years each chapter's provider data do cover."""
    year = FinancialYear.parse(params["period"])
    data_dir = data_dir_of(sources)
    covered = []
    for chapter in provider_chapters():
        years = chapter.load_module().provider_years(sources_for(chapter, data_dir))
        if year in years:
            return {**params, "period": year.label}
        covered.append(f"{chapter.title}: {', '.join(y.label for y in years) or 'none'}")
    raise ParameterError("period", f"no chapter's provider data cover {year.label} (they cover {'; '.join(covered)})")


@dataclass
class ChapterProviders:
    """One chapter's provider results: for the edition's year and every other year its data cover whole."""
    name: str
    title: str
    kind: Kind
    sources: dict
    years: list[FinancialYear]
    results: dict[str, list[ProviderResult]] = field(default_factory=dict)  # year label -> results

    @property
    def is_result(self) -> bool:
        return self.kind.is_result


def collect(data_dir: str, year: FinancialYear) -> list[ChapterProviders]:
    """Every provider-results chapter's results for each year it covers (the edition's year among them)."""
    out = []
    for chapter in provider_chapters():
        module = chapter.load_module()
        sources = sources_for(chapter, data_dir)
        apart = set(getattr(module, "SECTION_DATASETS", ()))
        inputs = {n: s for n, s in sources.items() if n not in apart}
        years = sorted(module.provider_years(sources), key=lambda y: y.start_year)
        found = ChapterProviders(chapter.name, chapter.title, kind_of(inputs) or Kind.PUBLISHED, inputs, years)
        for each in years:
            found.results[each.label] = provider_results(module, sources, each)
        out.append(found)
    return out


@dataclass
class Provider:
    """One provider on the page: its code, its name and where the name came from ("" when no file names it)."""
    code: str
    name: str
    name_source: str

    @property
    def shown_name(self) -> str:
        return self.name or f"{self.code} {NO_NAME}"


def providers(chapters: list[ChapterProviders], year: FinancialYear, data_dir: str) -> list[Provider]:
    """Every provider with a result for `year`, named by the chapters' own files where they name it,
    else by the other files of the data folder that do (`analysis.names`), else by code; by name."""
    own: dict[str, str] = {}
    codes: dict[str, None] = {}
    for c in chapters:
        for r in c.results.get(year.label, []):
            codes.setdefault(r.code)
            if r.name and r.code not in own:
                own[r.code] = r.name
    lookup = provider_names(data_dir).set_index("code") if data_dir else None
    out = []
    for code in codes:
        if code in own:
            out.append(Provider(code, own[code], "the chapter's own file"))
        elif lookup is not None and code in lookup.index:
            out.append(Provider(code, str(lookup.at[code, "name"]), str(lookup.at[code, "source"])))
        else:
            out.append(Provider(code, "", "none"))
    return sorted(out, key=lambda p: (p.name == "", p.name.upper(), p.code))


def rate_text(value: float | None) -> str:
    return "not available" if value is None else f"{value:.1f}%"


def _standard_text(r: ProviderResult) -> str:
    return "none set" if r.standard is None else f"at least {r.standard:g}%"


def _met_text(r: ProviderResult, kind: Kind) -> str:
    if not kind.is_result:
        return f"not judged ({kind.words})"
    if r.standard is None or r.value is None:
        return "not judged (no standard)"
    return "met" if r.value >= r.standard else "not met"


def _position_text(r: ProviderResult) -> str:
    if r.position is None:
        return r.funnel or "not in a funnel"  # the chapter says why, where it says
    return f"{r.position} ({r.funnel})"


def sparkline(r: ProviderResult) -> str:
    """The provider's months as a small line chart (SVG) with the standard dashed, and its words for a
    screen reader (lowest and highest month)."""
    if len(r.months) < 2:
        return "too few months to chart"
    values = [v for _, v in r.months]
    low, high = min(values + ([r.standard] if r.standard is not None else [])), max(
        values + ([r.standard] if r.standard is not None else []))
    span = max(high - low, 1.0)
    width, height, pad = 160, 44, 4

    def y(v: float) -> float:
        return round(pad + (height - 2 * pad) * (high - v) / span, 1)

    step = (width - 2 * pad) / (len(values) - 1)
    points = " ".join(f"{round(pad + i * step, 1)},{y(v)}" for i, v in enumerate(values))
    lowest = min(r.months, key=lambda m: m[1])
    highest = max(r.months, key=lambda m: m[1])
    words = (f"{len(values)} months from {r.months[0][0]} to {r.months[-1][0]}: lowest {lowest[1]:.1f}% in "
             f"{lowest[0]}, highest {highest[1]:.1f}% in {highest[0]}"
             + (f"; the dashed line is the {r.standard:g}% standard" if r.standard is not None else ""))
    standard = (f'<line x1="{pad}" x2="{width - pad}" y1="{y(r.standard)}" y2="{y(r.standard)}" '
                f'class="handbook-spark-standard"/>' if r.standard is not None else "")
    return (f'<svg class="handbook-spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{html.escape(words)}">{standard}'
            f'<polyline points="{points}" class="handbook-spark-line"/></svg>')


DETAIL_COLUMNS = ["Measure", "Result", "Counted", "Standard", "Against the standard", "In the chapter's funnel",
                  "Every year the data cover", "Months"]


def _cells(texts: list[str], extra: list[str] | None = None) -> str:
    extra = extra or [""] * len(texts)
    return "".join(f'<td class="handbook-key"{x} data-label="{html.escape(label)}">{text}</td>'
                   for label, text, x in zip(DETAIL_COLUMNS, texts, extra))


def _years_text(chapter: ChapterProviders, r: ProviderResult) -> str:
    found = []
    for label, rows in chapter.results.items():
        match = next((x for x in rows if x.code == r.code and x.measure == r.measure), None)
        if match is not None:
            found.append(f"{FinancialYear.parse(label).slash_label}: {rate_text(match.value)}")
    return "; ".join(found) if len(found) > 1 else "only this year in the data"


def chapter_html(chapter: ChapterProviders, code: str, year: FinancialYear) -> str:
    """One chapter's results for one provider: a row per measure, and the link to the chapter's table."""
    rows = [r for r in chapter.results.get(year.label, []) if r.code == code]
    link = f'{html.escape(chapter.name)}.html#{html.escape(rows[0].section if rows else "providers")}'
    head = (f'<h3 class="handbook-org-chapter">{html.escape(chapter.title)}</h3>'
            f'<p class="handbook-org-link"><a href="{link}">The {html.escape(chapter.title)} chapter\'s provider '
            f'table for {year.slash_label}</a></p>')
    if not rows:
        return head + f'<p>No result for this provider in the chapter\'s data for {year.slash_label}.</p>'
    body = []
    for r in rows:
        value = rate_text(r.value) if chapter.is_result else f"{rate_text(r.value)} ({chapter.kind.words}, not a result)"
        texts = [html.escape(f"{r.label[0].upper()}{r.label[1:]}"), html.escape(value),
                 html.escape(f"{count_text(r.numerator)} of {count_text(r.denominator)} {r.volume_noun}"),
                 html.escape(_standard_text(r)), html.escape(_met_text(r, chapter.kind)),
                 html.escape(_position_text(r)), html.escape(_years_text(chapter, r)), sparkline(r)]
        extra = [""] * len(texts)
        extra[1] = f' data-measure="{html.escape(chapter.name)}:{html.escape(r.measure)}"'
        body.append(f"<tr>{_cells(texts, extra)}</tr>")
    heads = "".join(f'<th scope="col" class="handbook-key">{html.escape(h)}</th>' for h in DETAIL_COLUMNS)
    table = (f'<table class="handbook-table handbook-stack handbook-org-results"><thead><tr>{heads}</tr></thead>'
             f'<tbody>{"".join(body)}</tbody></table>')
    return head + scroll_region(table, f"{chapter.title}: results for {code}")


def provider_html(provider: Provider, chapters: list[ChapterProviders], year: FinancialYear) -> str:
    """Everything the book has for one provider in `year`: one table per chapter."""
    code = html.escape(provider.code)
    named = (f"Named from {html.escape(provider.name_source)}." if provider.name_source not in ("none",
             "the chapter's own file") else "")
    if not provider.name:
        named = "No file read names this code, so it is shown by its ODS code."
    title = f"{provider.name} ({provider.code})" if provider.name else f"{provider.code} {NO_NAME}"
    return (f'<article class="handbook-org" data-code="{code}" aria-labelledby="handbook-org-title">'
            f'<h2 id="handbook-org-title" tabindex="-1">{html.escape(title)}</h2>'
            + (f'<p class="handbook-how">{named}</p>' if named else "")
            + "".join(chapter_html(c, provider.code, year) for c in chapters) + "</article>")


def table_rows(chapters: list[ChapterProviders], people: list[Provider], year: FinancialYear) -> list[dict]:
    """The table of every provider: its result on each measure for `year` (None where it has none)."""
    by = {(c.name, r.measure, r.code): r.value for c in chapters for r in c.results.get(year.label, [])}
    measures = measure_columns(chapters, year)
    return [{"code": p.code, "name": p.shown_name, **{label: by.get((c, m, p.code)) for c, m, label in measures}}
            for p in people]


def measure_columns(chapters: list[ChapterProviders], year: FinancialYear) -> list[tuple[str, str, str]]:
    """(chapter, measure, heading) of every measure with a result in `year`, in the chapters' order."""
    out = {}
    for c in chapters:
        for r in c.results.get(year.label, []):
            out.setdefault((c.name, r.measure), f"{r.heading or r.label} (%)")
    return [(c, m, label) for (c, m), label in out.items()]


def every_provider_html(chapters: list[ChapterProviders], people: list[Provider], year: FinancialYear) -> str:
    """The table of every provider (the page without JavaScript; sortable, searchable and paged with it)."""
    measures = measure_columns(chapters, year)
    heads = ["Provider", "ODS code", *(label for _, _, label in measures)]
    head = "".join(f'<th scope="col" class="handbook-key">{html.escape(h)}</th>' for h in heads)
    body = []
    for row in table_rows(chapters, people, year):
        cells = [f'<a href="#org-{html.escape(row["code"])}">{html.escape(row["name"])}</a>', html.escape(row["code"])]
        cells += ["" if row[label] is None else f"{row[label]:.1f}" for _, _, label in measures]
        body.append("<tr>" + "".join(f'<td class="handbook-key" data-label="{html.escape(h)}">{t}</td>'
                                     for h, t in zip(heads, cells)) + "</tr>")
    caption = f"Every provider with a result in {year.slash_label}, by name; a blank cell: no result on that measure"
    if not all(c.is_result for c in chapters):
        caption += " (figures from a synthetic sample, not results)"
    table = (f'<table class="handbook-table handbook-stack handbook-org-every"><thead><tr>{head}</tr></thead>'
             f'<tbody>{"".join(body)}</tbody></table>')
    return f'<p class="handbook-table-caption">{html.escape(caption)}.</p>' + scroll_region(table, caption)


PICKER = """<section class="handbook-org-picker" aria-labelledby="handbook-org-find">
<h2 id="handbook-org-find">Find a provider</h2>
<label for="handbook-org-input">Provider name or ODS code</label>
<div class="handbook-org-combo">
<input id="handbook-org-input" type="text" role="combobox" aria-autocomplete="list" aria-expanded="false"
 aria-controls="handbook-org-list" aria-describedby="handbook-org-help" autocomplete="off" spellcheck="false">
<ul id="handbook-org-list" role="listbox" aria-label="Providers that match" hidden></ul>
</div>
<p id="handbook-org-help" class="handbook-how">Type part of a name or code, then choose with the arrow keys
and Enter (or click). {count} providers have a result in {year}.</p>
<p id="handbook-org-status" class="handbook-visually-hidden" role="status" aria-live="polite"></p>
</section>
<div id="handbook-org-detail" class="handbook-org-detail"></div>"""


def page_html(chapters: list[ChapterProviders], people: list[Provider], year: FinancialYear) -> str:
    """The picker, one hidden template per provider, the index it searches, and the table of every provider."""
    index = json.dumps([[p.code, p.shown_name] for p in people], ensure_ascii=False).replace("</", "<\\/")
    templates = "".join(f'<template id="handbook-org-{html.escape(p.code)}">{provider_html(p, chapters, year)}'
                        f"</template>" for p in people)
    return (PICKER.format(count=len(people), year=year.slash_label).replace("\n", " ")
            + f'<script type="application/json" id="handbook-org-index">{index}</script>{templates}'
            + '<h2 class="handbook-glance-area">Every provider</h2>' + every_provider_html(chapters, people, year))


def banner_html(chapters: list[ChapterProviders], year: FinancialYear) -> str:
    """One banner per kind of data that is not published among the inputs of the results shown."""
    from ..ledger import REPORT_YEAR

    used = {}
    for c in chapters:
        for name, source in c.sources.items():
            used.setdefault((name, source.root), source)
    return banners_html(list(used.values()), report_year=year == REPORT_YEAR)


def intro_text(chapters: list[ChapterProviders], people: list[Provider], year: FinancialYear) -> str:
    """What the page holds, in words, saying when its figures come from data that is not real."""
    parts = [f"{c.title} ({len({r.code for r in c.results.get(year.label, [])})} providers)" for c in chapters]
    unnamed = sum(1 for p in people if not p.name)
    text = (f"{len(people)} providers have a result in {year.slash_label} in these chapters: {', '.join(parts)}. "
            + (f"{unnamed} of them are named in no file read and are shown by their ODS code. " if unnamed else ""))
    synthetic = [c.title for c in chapters if not c.is_result]
    if synthetic:
        text += (f"The figures of {', '.join(synthetic)} on this build are computed from a synthetic sample: "
                 "they show how the page works and are not results; nothing is judged against a standard.")
    return text


def figure(chapters: list[ChapterProviders], chapter: str, measure: str, code: str, year: FinancialYear):
    """The result of one provider on one measure in `year` as the page shows it (None when it has none)."""
    for c in chapters:
        if c.name == chapter:
            return next((r for r in c.results.get(year.label, []) if r.measure == measure and r.code == code), None)
    return None
