"""The front page, "<year> at a glance": each chapter's key result for the year, then (in the report's year)
every commitment of 2016/17 and the standards, with results; in another year, every result computed for it.

Rows come from `data/reference/at_a_glance.csv`. A `commitment` row is one item of a list
headed "Our 2016/17 commitments" in the annual report's performance analysis
(`promise_document`, `promise_line`); a `standard` row is a standard or goal the report sets
elsewhere (the A&E four-hour standard, the cancer standards, the finance goals). Each row
cites the line that sets its target (`target_document`, `target_line`) and the line that
says what happened (`document`, `line`; blank where the report says nothing).

Where a chapter computes a row's result (its `chapter` and `key` columns name it, and the
chapter module has a `headline(sources, year)` function), the page takes the result from
that computation and links the chapter; otherwise it shows the report's words, marked
transcribed. The `met` column judges a row only where the report gives both a target level
and a result for it (`JUDGED`); every other row says why it is not judged (`NOT_JUDGED`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from ..contract import Headline, computed_from, has_headline, headlines, section_datasets
from ..errors import DataError, ParameterError
from ..ledger import REPORT_YEAR
from ..charts import data_link
from ..page import Result, cite, scroll_region, stacked_cell
from ..periods import FinancialYear
from ..provenance import CAUTION, COMPUTED_FROM, Kind, banners_html, kind_of
from ..registry import load_registry
from ..sources import DATA_DIR, USER_ORIGIN, chapter_sources, sha256_of

GLANCE_FILE = DATA_DIR / "reference" / "at_a_glance.csv"
COLUMNS = ["kind", "area", "commitment", "promise_document", "promise_line", "target", "target_document",
           "target_line", "result", "document", "line", "met", "chapter", "key"]
KINDS = ("commitment", "standard")
JUDGED = ("yes", "no", "partly")
NO_TARGET = "not judged (no target)"
NOT_JUDGED = (NO_TARGET, "not judged (no result for this target)", "not judged (due after 2016/17)")
NONE_SET = "None set"  # how the target column of a row with no target begins


def validate_parameters(params: dict, sources) -> dict:
    """Any year at least one chapter's data cover; otherwise a ParameterError naming what the data cover."""
    year = FinancialYear.parse(params["period"])
    if year != REPORT_YEAR:
        reasons = []
        data_dir = data_dir_of(sources)
        found = [(chapter, sources_for(chapter, data_dir)) for chapter in headline_chapters()]
        for chapter, its_sources in sorted(found, key=lambda pair: _data_size(pair[1])):  # quickest first
            reason = not_covered(chapter, year, its_sources)
            if reason is None:
                return {**params, "period": year.label}
            reasons.append(f"{chapter.title}: {reason}")
        raise ParameterError("period", f"no chapter's data cover {year.label} ({'; '.join(reasons)})")
    return {**params, "period": year.label}


def page_name() -> str:
    """The front page's name in the registry (its page is chapters/<name>.html)."""
    return next(c.name for c in load_registry().chapters if c.module == __name__)


def headline_chapters() -> list:
    """The chapters with a `headline(sources, year)` function, in the book's order."""
    return [c for c in load_registry().chapters if c.module != __name__ and has_headline(c.load_module())]


def sources_for(chapter, data_dir: str) -> dict:
    """The datasets `chapter` reads, from `data_dir` where present, else bundled."""
    registry = load_registry()
    return chapter_sources(chapter, registry, data_dir or None)


def _data_size(sources: dict) -> int:
    return sum(entry.path.stat().st_size for source in sources.values() for entry in source.entries)


def data_dir_of(sources: dict) -> str:
    """The user's data folder the front page's sources were resolved against ("" when all are bundled)."""
    return next((str(source.root) for source in sources.values() if source.origin == USER_ORIGIN), "")


def not_covered(chapter, year: FinancialYear, sources: dict) -> str | None:
    """Why `chapter` has no page for `year` (its own words), or None when its data (`sources`) cover the year."""
    if "period" not in chapter.parameters:
        return None if year == REPORT_YEAR else (
            f"it measures the fixed months set in its parameters, for the {REPORT_YEAR.label} edition only")
    try:
        chapter.load_module().validate_parameters({**chapter.parameters, "period": year.label}, sources)
    except ParameterError as exc:
        if exc.parameter != "period":
            raise
        return exc.reason
    return None


def commitments() -> pd.DataFrame:
    """The table, checked: known kinds and judgements, and a judgement only with a target and a result."""
    table = pd.read_csv(GLANCE_FILE, dtype=str, keep_default_na=False)
    if list(table.columns) != COLUMNS:
        raise DataError(GLANCE_FILE, f"the columns must be {', '.join(COLUMNS)}", row=1)
    for number, row in enumerate(table.itertuples(index=False), start=2):
        problem = _row_problem(row)
        if problem:
            raise DataError(GLANCE_FILE, problem[1], row=number, column=problem[0])
    return table


def _row_problem(row) -> tuple[str, str] | None:
    """The column at fault in one row of the table and why, or None."""
    if row.kind not in KINDS:
        return "kind", f"'{row.kind}' is not one of {', '.join(KINDS)}"
    if row.met not in JUDGED + NOT_JUDGED:
        return "met", f"'{row.met}' is not one of {', '.join(JUDGED + NOT_JUDGED)}"
    for column in ("promise_line", "target_line"):
        if not getattr(row, column).isdigit():
            return column, "a line number is required"
    if (row.line and not row.line.isdigit()) or not bool(row.line) == bool(row.document) == bool(row.result):
        return "line", "a result needs its document and line, and a line needs a result"
    no_target = row.target.startswith(NONE_SET)
    if (row.met == NO_TARGET) != no_target:
        return "met", f"a row is '{NO_TARGET}' exactly when its target begins '{NONE_SET}'"
    if row.met in JUDGED and not row.result:
        return "met", "a row is judged only when the report gives a result"
    return None


@dataclass
class ChapterResult:
    """One chapter on the front page for a year: its headline results, or why its data do not cover the year."""
    name: str
    title: str
    entries: dict[str, Headline]  # key -> result (empty when not covered)
    basis: str  # what the results rest on (see `computed_from`)
    reason: str | None = None  # why the chapter has no result for the year; None when it has
    inputs: dict | None = None  # the sources its results rest on (see `result_sources`)

    @property
    def kind(self) -> Kind:
        """The kind of data its results rest on; synthetic or artificial ones are never shown as results."""
        return kind_of(self.inputs or {}) or Kind.PUBLISHED

    @property
    def key(self) -> dict | None:
        """The chapter's key figure: the first result its `headline` gives."""
        return next(iter(self.entries.values()), None)


def chapter_results(data_dir: str, year: FinancialYear) -> list[ChapterResult]:
    """Every chapter with a `headline`: its results for `year`, or the reason it has none."""
    out = []
    for chapter in headline_chapters():
        sources = sources_for(chapter, data_dir)
        reason = not_covered(chapter, year, sources)
        entries = {} if reason else headlines(chapter.load_module(), sources, year)
        inputs = result_sources(chapter, sources)
        out.append(ChapterResult(chapter.name, chapter.title, entries, computed_from(inputs), reason, inputs))
    return out


def result_sources(chapter, sources: dict) -> dict:
    """The sources a chapter's results rest on: all it reads but those of a section of their own."""
    apart = set(section_datasets(chapter.load_module()))
    return {name: source for name, source in sources.items() if name not in apart}


def banner_html(chapters: list[ChapterResult], year: FinancialYear) -> str:
    """The front page's banners: one per kind of data that is not published among the inputs of the
    results it shows (not the datasets the page resolves for itself, which may be bundled where a
    chapter read the user's files)."""
    return banners_html(list(used_sources(chapters).values()), report_year=year == REPORT_YEAR)


def results(chapters: list[ChapterResult]) -> pd.DataFrame:
    """Every row of the commitments table with its result: computed by a chapter where one exists
    (from `chapter_results` for the report's year), else transcribed."""
    computed = {c.name: c.entries for c in chapters}
    basis = {c.name: c.basis for c in chapters}
    kinds = {c.name: c.kind for c in chapters}
    table = commitments()
    rows = []
    for row in table.itertuples(index=False):
        found = computed.get(row.chapter, {}).get(row.key)
        sample = bool(found) and not kinds[row.chapter].is_result  # a synthetic or artificial figure: no result
        if sample:
            found = None
        if found:
            # A chapter judges yes or no only against a target the report sets; None leaves the row's own entry.
            met = row.met if found.met is None else "yes" if found.met else "no"
            result, how = found.result, "computed"
        else:
            result, met, how = row.result, row.met, "transcribed"
        rows.append({"kind": row.kind, "area": row.area, "commitment": row.commitment, "target": row.target,
                     "result": result, "met": met, "how": how, "chapter": row.chapter if found else "",
                     "basis": basis[row.chapter] if found else "", "printed": row.result,
                     "synthetic": sample, "not_result": kinds[row.chapter].words if sample else "",
                     "promise_source": cite(row.promise_document, row.promise_line),
                     "source": cite(row.document, row.line) if row.line else "",
                     "target_source": cite(row.target_document, row.target_line)})
    return pd.DataFrame(rows)


def counts(table: pd.DataFrame) -> dict:
    """The figures the page states, counted from the table `results` returns."""
    promised = table[table["kind"] == "commitment"]
    out = {"commitments": len(promised), "areas": promised["area"].nunique(),
           "with_result": int((promised["source"] != "").sum()),
           "computed": int((promised["how"] == "computed").sum()),
           "judged": int(promised["met"].isin(JUDGED).sum()),
           "standards": int((table["kind"] == "standard").sum()),
           "standards_computed": int(((table["kind"] == "standard") & (table["how"] == "computed")).sum()),
           "computed_synthetic": int(table["synthetic"].sum())}
    for label in JUDGED + NOT_JUDGED:
        out[label] = int((promised["met"] == label).sum())
    return out


def figures(chapters: list[ChapterResult]) -> dict:
    """`counts` of the report year's table, each under a plain name (for gluing)."""
    words = {"not judged (no target)": "no_target", "not judged (no result for this target)": "no_result",
             "not judged (due after 2016/17)": "due_later"}
    return {words.get(k, k): v for k, v in counts(results(chapters)).items()}


def _result_cell(r) -> str:
    if r.chapter:
        return (f'<a href="{html.escape(r.chapter)}.html">{html.escape(r.result)}</a> '
                f'<span class="handbook-how">computed from {html.escape(r.basis, quote=False)} '
                f'(printed: {html.escape(r.printed)}, {html.escape(r.source)})</span>')
    sample = (f' <span class="handbook-how">(the chapter\'s figure on this build comes from a '
              f'{html.escape(r.not_result)}, so it is not shown as a result)</span>' if r.not_result else "")
    if not r.result:
        return '<span class="handbook-how">The report does not say.</span>' + sample
    return f'{html.escape(r.result)} <span class="handbook-how">transcribed, {html.escape(r.source)}</span>' + sample


def _section(title: str, rows: pd.DataFrame, first: str, noun: str = "commitments") -> str:
    """One area's table, folded under a line counting its rows (`noun`) and verdicts; on a narrow screen
    each row stacks as labelled lines (the chapters' layout)."""
    labels = [first, "Target", "What the report says happened", "Met"]

    def cells(r) -> str:
        texts = [f'{html.escape(r.commitment)} <span class="handbook-how">({html.escape(r.promise_source)})</span>',
                 f'{html.escape(r.target)} <span class="handbook-how">({html.escape(r.target_source)})</span>',
                 _result_cell(r), html.escape(r.met)]
        return "".join(stacked_cell(label, text) for label, text in zip(labels, texts))

    body = "".join(f"<tr>{cells(r)}</tr>" for r in rows.itertuples(index=False))
    head = "".join(f'<th scope="col" class="handbook-key">{html.escape(label)}</th>' for label in labels)
    table = (f'<table class="handbook-table handbook-stack handbook-glance"><thead><tr>{head}</tr></thead>'
             f"<tbody>{body}</tbody></table>")
    return (f'<details class="handbook-commitments-document"><summary><strong>{html.escape(title)}</strong>: '
            f'{html.escape(met_counts(rows, noun))}</summary>{scroll_region(table, title)}</details>')


def met_counts(rows: pd.DataFrame, noun: str = "commitments") -> str:
    """An area's rows in a line: how many (`noun`), and how many met, not met, partly met and not judged."""
    met = rows["met"]
    judged = {"met": int((met == "yes").sum()), "not met": int((met == "no").sum()),
              "partly met": int((met == "partly").sum())}
    said = ", ".join(f"{n} {word}" for word, n in judged.items() if n)
    rest = len(rows) - sum(judged.values())
    noun = {"commitments": "commitment", "standards and goals": "standard or goal"}.get(noun, noun) if len(rows) == 1 \
        else noun
    return f"{len(rows)} {noun}: " + ", ".join(
        part for part in (said, f"{rest} not judged" if rest else "") if part)


DOWNLOAD_COLUMNS = {"kind": "Kind", "area": "Area", "commitment": "Commitment or standard", "promise_source": "Promised in",
                    "target": "Target", "target_source": "Target set in", "printed": "What the report says happened",
                    "source": "Reported in", "result": "Result shown", "how": "Result computed or transcribed",
                    "basis": "Computed from", "met": "Met"}
"""The front page's rows as its CSV download gives them (column: heading)."""


def page_html(table: pd.DataFrame) -> str:
    """The front page's tables: the commitments, one section per area, then the standards."""
    promised = table[table["kind"] == "commitment"]
    parts = [_section(area, rows, "Commitment (promised)") for area, rows in promised.groupby("area", sort=False)]
    standards = table[table["kind"] == "standard"]
    if len(standards):
        parts.append(_section("Standards and goals set elsewhere in the report", standards, "Standard or goal",
                              "standards and goals"))
    rows = table[list(DOWNLOAD_COLUMNS)].rename(columns=DOWNLOAD_COLUMNS)
    parts.append(f'<p class="handbook-table-download">{data_link(rows, "at-a-glance", "Download every row")}</p>')
    return "".join(parts)


def checksum() -> str:
    return sha256_of(GLANCE_FILE)




def standard_text(figure: Result) -> str:
    """The standard a figure is held to, in words ("95%", "ambition: two thirds", "none set")."""
    from ..ledger import format_value

    if figure.standard_text:
        return figure.standard_text
    if figure.standard is None:
        return "none set"
    decimals = 0 if float(figure.standard).is_integer() else figure.decimals
    return f"at least {format_value(float(figure.standard), figure.unit, decimals)}"


def shown_as_result(chapter: ChapterResult, text: str) -> str:
    """A chapter's figure on the front page: itself when its data is real, else what it is instead."""
    if chapter.kind.is_result:
        return text
    return f"Not a result: computed from a {chapter.kind.words} (the chapter shows it, saying so)"


def met_as_result(chapter: ChapterResult, found: Headline) -> str:
    return met_text(found) if chapter.kind.is_result else f"not judged ({chapter.kind.words})"


def met_text(found: Headline) -> str:
    return {True: "met", False: "not met"}.get(found.met, "not judged (no standard to judge by)")


def _cells(labels: list[str], texts: list[str]) -> str:
    return "".join(stacked_cell(label, text) for label, text in zip(labels, texts))


def _stacked_table(labels: list[str], rows: list[list[str]], css: str, label: str) -> str:
    head = "".join(f'<th scope="col" class="handbook-key">{html.escape(h)}</th>' for h in labels)
    body = "".join(f"<tr>{_cells(labels, r)}</tr>" for r in rows)
    return scroll_region(f'<table class="handbook-table handbook-stack {css}"><thead><tr>{head}</tr></thead>'
                         f"<tbody>{body}</tbody></table>", label)


BOX_COLUMNS = ["Chapter", "Key figure", "Standard", "Met", "Data", "Data vintage"]


def box_rows(chapters: list[ChapterResult], year: FinancialYear) -> pd.DataFrame:
    """One row per chapter: its key figure for `year`, the standard, met or not, real or synthetic, and
    the latest period of the data it read (or why it has no figure for the year)."""
    rows = []
    for c in chapters:
        key = c.key
        if key is None:
            rows.append({"chapter": c.name, "Chapter": c.title, "Key figure": f"No figure for {year.slash_label}",
                         "Standard": "not applicable", "Met": "not covered", "Data": c.kind.words,
                         "Data vintage": c.reason})
            continue
        figure = key.figure
        shown = f"{key.result} {figure.label}" if figure.value is not None else f"{figure.label}: {key.result}"
        rows.append({"chapter": c.name, "Chapter": c.title, "Key figure": shown_as_result(c, shown),
                     "Standard": standard_text(figure), "Met": met_as_result(c, key),
                     "Data": c.kind.words, "Data vintage": key.vintage})
    return pd.DataFrame(rows)


def box_title(chapters: list[ChapterResult], year: FinancialYear) -> str:
    """The results box's title, from the kinds of data of the figures it shows: "The results of 2016/17 at a
    glance" only when every figure rests on published or transcribed data; otherwise it names the other kinds."""
    kinds = list(dict.fromkeys(c.kind for c in chapters if c.key is not None))
    others = [k for k in CAUTION if k in kinds and not k.is_result]
    if not others:
        return f"The results of {year.slash_label} at a glance"
    words = " and ".join(COMPUTED_FROM[k] for k in others)
    if len(others) == len(kinds):
        return f"{year.slash_label} at a glance: figures from {words}, not results"
    return f"The results of {year.slash_label} at a glance, and figures from {words} (not results)"


def used_sources(chapters: list[ChapterResult]) -> dict:
    """The inputs of the figures the page shows: those of every chapter with figures for the year, each
    dataset once per place it was read from (keyed "dataset", or "dataset (folder)" when read from two)."""
    found: dict = {}
    for c in chapters:
        if not c.reason:
            for name, source in (c.inputs or {}).items():
                found.setdefault((name, str(source.root)), source)
    names = [name for name, _ in found]
    return {(name if names.count(name) == 1 else f"{name} ({root})"): source for (name, root), source in found.items()}


def close(page, chapters: list[ChapterResult]) -> None:
    """End the front page: where the data of the figures it shows came from, each dataset with its kind, and
    the run's parameters (not the datasets no figure on the page rests on)."""
    from IPython.display import HTML, display

    from ..page import parameter_sentences, provenance_html

    display(HTML(provenance_html(used_sources(chapters), parameter_sentences(page.parameters, page.chapter.labels),
                                 page.period_text())))


def box_html(chapters: list[ChapterResult], year: FinancialYear) -> str:
    """The results at a glance: one row per chapter, linked, with a CSV download."""
    table = box_rows(chapters, year)
    rows = [[f'<a href="{html.escape(r["chapter"])}.html">{html.escape(r["Chapter"])}</a>',
             *(html.escape(str(r[c])) for c in BOX_COLUMNS[1:])] for _, r in table.iterrows()]
    title = box_title(chapters, year)
    return (f'<section class="handbook-glance-box" aria-label="{html.escape(title)}">'
            f'<p class="handbook-headline-title">{html.escape(title)}</p>'
            + _stacked_table(BOX_COLUMNS, rows, "handbook-glance-results", title)
            + f'<p class="handbook-table-download">'
              f'{data_link(table[BOX_COLUMNS], f"at-a-glance-{year.label}", "Download these rows")}</p></section>')


STANDARD_COLUMNS = ["Chapter", "Measure", "Result", "Standard", "Met"]


def standard_rows(chapters: list[ChapterResult]) -> pd.DataFrame:
    """Every result the chapters compute for the year, with its standard and met or not."""
    rows = []
    for c in chapters:
        for found in c.entries.values():
            rows.append({"chapter": c.name, "Chapter": c.title, "Measure": found.figure.label,
                         "Result": shown_as_result(c, found.result), "Standard": standard_text(found.figure),
                         "Met": met_as_result(c, found)})
    return pd.DataFrame(rows, columns=["chapter", *STANDARD_COLUMNS])


def other_year_html(chapters: list[ChapterResult], year: FinancialYear) -> str:
    """For a year other than the report's: every result computed for it, with no printed figures."""
    table = standard_rows(chapters)
    title = f"Every result computed for {year.slash_label}"
    rows = [[f'<a href="{html.escape(r["chapter"])}.html">{html.escape(r["Chapter"])}</a>',
             *(html.escape(str(r[c])) for c in STANDARD_COLUMNS[1:])] for _, r in table.iterrows()]
    return (f'<h2 class="handbook-glance-area">{html.escape(title)}</h2>'
            + _stacked_table(STANDARD_COLUMNS, rows, "handbook-glance", title)
            + f'<p class="handbook-table-download">'
              f'{data_link(table[STANDARD_COLUMNS], f"at-a-glance-results-{year.label}", "Download every row")}</p>')


def glue_box(chapters: list[ChapterResult], year: FinancialYear) -> None:
    """Glue the results box under the name "glance_box", for the page's first cell to show."""
    from IPython.display import HTML
    from myst_nb import glue as myst_glue

    myst_glue("glance_box", HTML(box_html(chapters, year)), display=False)


def page_title(year: FinancialYear) -> str:
    """The front page's title: the edition's year, at a glance."""
    return f"{year.slash_label} at a glance"


def year_text(chapters: list[ChapterResult], year: FinancialYear) -> str:
    """How many chapters have figures for the year, and which do not (their rows say why)."""
    missing = [c.title for c in chapters if c.reason]
    have = len(chapters) - len(missing)
    if not missing:
        return f"Every one of the {len(chapters)} chapters has figures for {year.slash_label}."
    return (f"{have} of the {len(chapters)} chapters have figures for {year.slash_label}; the data of the others "
            f"({', '.join(missing)}) do not cover it, and their rows say which years they do cover.")


REPORT_YEAR_TEXT = """<h2 class="handbook-glance-area">The report's commitments for {year}</h2>
<p>Only in the {year} edition: every commitment NHS England made for {year}, as listed under the headings
"Our 2016/17 commitments" in the performance analysis of its annual report (lines 91–721), with its
target, what the report says happened and whether it was met; then the standards and goals the report
sets elsewhere. Where a chapter of this handbook computes a result, it is taken from that computation
and links to the chapter (the printed figure is shown beside it); otherwise the report's words are
shown, marked as transcribed, with their document and line.</p>
<p>The report lists <strong>{commitments} commitments</strong> for 2016/17 under {areas} headings. It
says what happened for <strong>{with_result}</strong> of them (for the others it says nothing), and
<strong>{computed}</strong> of those results are computed here from data by a chapter; the rest are
transcribed. <strong>{judged}</strong> can be judged, because the report gives both a target level and a
result: {yes} met, {no} not met and {partly} partly met. The others are not judged: {no_target} set no
target level (an action or a deliverable, or "increase"), {no_result} set a level the report gives no
result for, and {due_later} set a level that falls due after 2016/17. After the commitments come
{standards} standards and goals the report sets elsewhere, {standards_computed} of them computed by
chapters. On this build {computed_synthetic} rows have a chapter whose figures come from data that is
not real (a synthetic sample or artificial records); those rows show the report's words, transcribed,
and say why, since such figures are never shown as results. Each heading's rows are folded under a
line counting them and their verdicts: open it to see them.</p>
<p><strong>How this section is made.</strong> Each row cites three lines: where the commitment is
promised, where its target level is set, and where the report says what happened (the handbook's
table of commitments, sha256 {sha}...). A row is judged met, not met or partly met only when the report
gives both a level and a result for it; partly means some of its levels were met and others were not,
or have no result. A judgement from a chapter is its own computed result against the same target.
Nothing is judged against a target the report did not set. See <em>The front page</em> in
<a href="../methods.html">the methods page</a>.</p>"""


def year_html(chapters: list[ChapterResult], year: FinancialYear) -> str:
    """What follows the box: in the report's year, its commitments and standards (with the printed
    figures); in another year, every result computed for it, with no printed figures."""
    if year != REPORT_YEAR:
        return other_year_html(chapters, year)
    table = results(chapters)
    count = counts(table)
    words = {"not judged (no target)": "no_target", "not judged (no result for this target)": "no_result",
             "not judged (due after 2016/17)": "due_later"}
    text = REPORT_YEAR_TEXT.format(year=year.slash_label, sha=checksum()[:16],
                                   **{words.get(k, k): v for k, v in count.items()})
    return text.replace("\n", " ") + page_html(table)
