"""What NHS England was held to in each year, from its planning documents, judged from the data.

Each source document is one table under `data/reference/commitments/` (a new year's mandate is a
new file, not code). A row is one commitment, quoted from its document (`document`, `line`), with
the group the document puts it under, its level in words (blank where the document sets none;
`level_document` and `level_line` where another document sets the level the commitment refers
to), when it falls due (`due`, and `due_by` as a month), the financial years it is in force
(`first_year` to `last_year`) and, where a chapter's data can judge it, how: the chapter, the
`measure` (a name in a chapter's `COMMITMENT_MEASURES`), the `period` measured (`year`: the edition's year; `months`:
each month of it; or one month, `2017-09`), the `comparison` and the `threshold`. A row no
measure judges says why in `not_judged` (a row with no level needs no reason: it has none).

A row is judged met, not met or partly met only from a figure computed here for that exact
period and definition; `partly` is for a commitment measured month by month (or standard by
standard) where some months met the level and others did not. Nothing is typed: each verdict
is the comparison of a computed figure with the row's threshold.
"""

from __future__ import annotations

import html
import operator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .errors import DataError, HandbookError
from .periods import FinancialYear, month_label
from .sources import DATA_DIR, SOURCES_FILE

if TYPE_CHECKING:
    from .contract import CommitmentMeasure

COMMITMENTS_DIR = DATA_DIR / "reference" / "commitments"
COLUMNS = ["id", "group", "commitment", "level", "due", "due_by", "first_year", "last_year", "document", "line",
           "level_document", "level_line", "chapter", "measure", "period", "comparison", "threshold", "not_judged"]
COMPARISONS = {">": operator.gt, ">=": operator.ge, "<=": operator.le, "each": None}
MANDATE = "001"  # the seed number of the annual mandate: a year without one says so
MET, NOT_MET, PARTLY = "met", "not met", "partly met"
NO_LEVEL = "not judged: the document sets no level"


# ---- the tables, checked ----

def _problem(row: pd.Series, measures: dict) -> tuple[str, str] | None:
    """The column at fault in one row and why, or None."""
    from .page import document

    for column in ("id", "group", "commitment", "first_year", "last_year", "document", "line"):
        if not row[column]:
            return column, "is required"
    try:
        first, last = FinancialYear.parse(row["first_year"]), FinancialYear.parse(row["last_year"])
    except Exception:
        return "first_year", f"'{row['first_year']}' to '{row['last_year']}' are not financial years"
    if last < first:
        return "last_year", "is before first_year"
    for column in ("document", "level_document"):
        if row[column]:
            try:
                document(row[column])
            except KeyError as exc:
                return column, str(exc).strip("'\"")
    for column in ("line", "level_line"):
        if row[column] and not row[column].replace("-", "").isdigit():
            return column, f"'{row[column]}' is not a line number or range"
    if row["due_by"]:
        try:
            pd.Period(row["due_by"], freq="M")
        except ValueError:
            return "due_by", f"'{row['due_by']}' is not a month (YYYY-MM)"
    if not row["measure"]:
        due_later = bool(row["due_by"]) and pd.Period(row["due_by"], freq="M") > last.last_month
        if row["level"] and not row["not_judged"] and not due_later:
            return "not_judged", "a row with a level and no measure, due in its years, must say why it is not judged"
        return None
    if not row["level"] or not row["chapter"]:
        return "measure", "a measured row needs its level and its chapter"
    name = row["measure"].split(":")[0]
    own = sorted(m for m, (chapter, _) in measures.items() if chapter == row["chapter"])
    if name not in own and (own or name in measures):  # a chapter not in this book's registry measures nothing
        return "measure", f"'{name}' is not one of {row['chapter']}'s measures ({', '.join(own) or 'none'})"
    if row["comparison"] not in COMPARISONS:
        return "comparison", f"'{row['comparison']}' is not one of {', '.join(COMPARISONS)}"
    if row["comparison"] != "each":
        try:
            float(row["threshold"])
        except ValueError:
            return "threshold", f"'{row['threshold']}' is not a number"
    if row["period"] not in ("year", "months"):
        try:
            month = pd.Period(row["period"], freq="M")
        except ValueError:
            return "period", f"'{row['period']}' is not year, months or a month (YYYY-MM)"
        if not first.first_month <= month <= last.last_month:
            return "period", f"{row['period']} is outside the years the row is in force"
    return None


def read_table(path: Path) -> pd.DataFrame:
    """One document's table, checked row by row: a bad row is named by file, row and column."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != COLUMNS:
        raise DataError(path, f"the columns must be {', '.join(COLUMNS)}", row=1)
    for number, (_, row) in enumerate(table.iterrows(), start=2):
        problem = _problem(row, measures())
        if problem:
            raise DataError(path, problem[1], row=number, column=problem[0])
    if table["id"].duplicated().any():
        number = int(table.index[table["id"].duplicated()][0]) + 2
        raise DataError(path, f"the id '{table['id'][number - 2]}' is used twice", row=number, column="id")
    if table["document"].nunique() != 1:
        raise DataError(path, "one table holds one document's commitments", column="document")
    return table.assign(file=path.name)


@lru_cache(maxsize=4)
def _all(folder: Path) -> pd.DataFrame:
    return pd.concat([read_table(path) for path in sorted(folder.glob("*.csv")) if path.name != SOURCES_FILE],
                     ignore_index=True)


def load(folder: Path = COMMITMENTS_DIR) -> pd.DataFrame:
    """Every document's commitments, checked."""
    return _all(Path(folder))


def in_force(year: FinancialYear, folder: Path = COMMITMENTS_DIR, chapter: str | None = None) -> pd.DataFrame:
    """The commitments in force in `year` (of one chapter when given), in the documents' order."""
    table = load(folder)
    keep = [FinancialYear.parse(a) <= year <= FinancialYear.parse(b)
            for a, b in zip(table["first_year"], table["last_year"])]
    rows = table[keep]
    if chapter is not None:
        rows = rows[rows["chapter"] == chapter]
    return rows.reset_index(drop=True)


def documents_text(year: FinancialYear, folder: Path = COMMITMENTS_DIR) -> str:
    """Which documents set commitments for `year`, and whether its mandate is missing."""
    from .page import document

    rows = in_force(year, folder)
    used = [document(d).name for d in dict.fromkeys(rows["document"])]
    text = (f"The commitments in force in {year.slash_label} come from: {', '.join(used)}."
            if used else f"None of the handbook's documents sets commitments for {year.slash_label}.")
    if not rows["document"].str.startswith(MANDATE).any():
        text += (f" The mandate to NHS England for {year.slash_label} is not among the handbook's documents, so "
                 "its deliverables for the year are not listed.")
    return text


# ---- the measures: each chapter's, found through the registry ----

@lru_cache(maxsize=1)
def measures() -> dict[str, tuple[str, CommitmentMeasure]]:
    """Every chapter's commitment measures (see analysis.contract): name -> (chapter, measure)."""
    from .contract import commitment_measures
    from .registry import load_registry

    found: dict = {}
    for chapter in load_registry().chapters:
        for name, measure in commitment_measures(chapter.load_module()).items():
            if name in found:
                raise HandbookError(f"chapters.toml: the commitment measure '{name}' is given by two chapters, "
                                    f"{found[name][0]} and {chapter.name}; give each measure one name")
            found[name] = (chapter.name, measure)
    return found


# ---- judging ----

def verdict(values: list, comparison: str, threshold: str) -> str:
    """Met when every value passes, not met when none does, partly met otherwise; no values give no verdict."""
    if not values:
        raise ValueError("a verdict needs at least one value to compare with the level")
    passed = values if comparison == "each" else [COMPARISONS[comparison](v, float(threshold)) for v in values]
    if all(passed):
        return MET
    return NOT_MET if not any(passed) else PARTLY


def judge(row: pd.Series, year: FinancialYear, data_for) -> dict:
    """One row's result and verdict for `year`: `data_for(measure)` gives the chapter's data (None when the
    build has none) and its kind (see analysis.provenance): a figure from data that is not real is shown,
    saying so, and never judged."""
    out = {"result": "", "definition": "", "period_measured": ""}
    if not row["level"]:
        return {**out, "verdict": NO_LEVEL}
    if row["due_by"] and pd.Period(row["due_by"], freq="M") > year.last_month:
        return {**out, "verdict": f"not judged: due later ({row['due']})"}
    if not row["measure"]:
        return {**out, "verdict": f"not judged: {row['not_judged']}"}
    name, _, argument = row["measure"].partition(":")
    month = None if row["period"] in ("year", "months") else pd.Period(row["period"], freq="M")
    period = {"year": year.slash_label, "months": f"each month of {year.slash_label}"}.get(
        row["period"], month and month_label(month))
    if name not in measures():
        return {**out, "verdict": f"not judged: the {row['chapter']} chapter is not in this book"}
    data, kind = data_for(name)
    figure = None if data is None else measures()[name][1].figure(data, year, month, argument)
    if figure is None or not figure.values:
        return {**out, "period_measured": period, "verdict": f"not judged: no data here for {period}"}
    judged_as = (verdict(figure.values, row["comparison"], row["threshold"]) if kind.is_result
                 else f"not judged: computed from a {kind.words}")
    return {"result": figure.text, "definition": figure.definition, "period_measured": period, "verdict": judged_as}


def judged(year: FinancialYear, data_dir: str = "", folder: Path = COMMITMENTS_DIR,
           chapter: str | None = None) -> pd.DataFrame:
    """The commitments in force in `year`, each with its result and verdict from the data under `data_dir`
    (else the bundled samples); `basis` says which."""
    from .contract import computed_from
    from .provenance import Kind, kind_of
    from .registry import load_registry
    from .sources import chapter_sources

    registry = load_registry()
    chapters = {c.name: c for c in registry.chapters}
    loaded: dict = {}

    def data_for(name):
        if name not in loaded:
            owner, measure = measures()[name]
            sources = chapter_sources(chapters[owner], registry, data_dir or None)
            loaded[name] = (measure.load(sources), kind_of(sources) or Kind.PUBLISHED, computed_from(sources))
        return loaded[name][:2]

    rows = in_force(year, folder, chapter)
    results = [judge(row, year, data_for) for _, row in rows.iterrows()]
    table = pd.concat([rows, pd.DataFrame(results, index=rows.index)], axis=1)
    table["basis"] = [loaded[m.split(":")[0]][2] if r["result"] else ""
                      for m, (_, r) in zip(table["measure"], table.iterrows())]
    return table


def counts(table: pd.DataFrame) -> dict:
    """How many rows, and how many met, not met, partly met and not judged."""
    verdicts = table["verdict"]
    return {"rows": len(table), "met": int((verdicts == MET).sum()), "not_met": int((verdicts == NOT_MET).sum()),
            "partly": int((verdicts == PARTLY).sum()), "not_judged": int(verdicts.str.startswith("not judged").sum())}


# ---- the page ----

def _cells(row) -> list[str]:
    from .page import cite

    promise = f'{html.escape(row["commitment"])} <span class="handbook-how">({html.escape(cite(row["document"], row["line"]))})</span>'
    level = html.escape(row["level"] or "none set")
    if row["level_line"]:
        level += f' <span class="handbook-how">({html.escape(cite(row["level_document"], row["level_line"]))})</span>'
    result = html.escape(row["result"])
    if row["result"]:
        result += (f' <span class="handbook-how">{html.escape(row["definition"])}; computed from '
                   f'{html.escape(row["basis"], quote=False)}</span>')
    return [promise, level, html.escape(row["due"]), result, html.escape(row["verdict"])]


LABELS = ["Commitment", "Level", "Due", "Result from the data", "Verdict"]


def summary_text(rows: pd.DataFrame) -> str:
    """One document's rows in a line: how many, and the verdicts."""
    n = counts(rows)
    judged = n["met"] + n["not_met"] + n["partly"]
    verdicts = (f'judged from the data: {n["met"]} met, {n["not_met"]} not met, {n["partly"]} partly met; '
                if judged else "")
    return f'{n["rows"]} in force; {verdicts}{n["not_judged"]} not judged'


def table_html(table: pd.DataFrame, heading_level: int = 3) -> str:
    """The rows of each document, folded under a line giving its counts, grouped inside as the
    document groups them, each group a table."""
    from .page import document, scroll_region, stacked_cell

    parts = []
    for doc, rows in table.groupby("document", sort=False):
        groups = []
        for group, members in rows.groupby("group", sort=False):
            head = "".join(f'<th scope="col" class="handbook-key">{html.escape(h)}</th>' for h in LABELS)
            body = "".join("<tr>" + "".join(stacked_cell(label, text) for label, text in zip(LABELS, _cells(row)))
                           + "</tr>" for _, row in members.iterrows())
            title = f"{document(doc).name}: {group}"
            groups.append(f'<h{heading_level} class="handbook-glance-area">{html.escape(group)}</h{heading_level}>'
                          + scroll_region(f'<table class="handbook-table handbook-stack handbook-commitments"><thead>'
                                          f"<tr>{head}</tr></thead><tbody>{body}</tbody></table>", title))
        parts.append(f'<details class="handbook-commitments-document"><summary><strong>'
                     f'{html.escape(document(doc).name)}</strong>: {html.escape(summary_text(rows))}</summary>'
                     + "".join(groups) + "</details>")
    return "".join(parts)


DOWNLOAD_COLUMNS = {"commitment": "Commitment", "source": "Promised in", "group": "Group", "level": "Level",
                    "level_source": "Level set in", "due": "Due", "period_measured": "Period measured",
                    "definition": "Definition", "result": "Result", "basis": "Computed from", "verdict": "Verdict"}


def download_rows(table: pd.DataFrame) -> pd.DataFrame:
    from .page import cite

    out = table.assign(source=[cite(d, n) for d, n in zip(table["document"], table["line"])],
                       level_source=[cite(d, n) if n else "" for d, n in zip(table["level_document"],
                                                                            table["level_line"])])
    return out[list(DOWNLOAD_COLUMNS)].rename(columns=DOWNLOAD_COLUMNS)


def section_html(year: FinancialYear, data_dir: str = "") -> str:
    """The front page's section: the documents used (and missing), the counts, then every commitment."""
    from .charts import data_link

    table = judged(year, data_dir)
    n = counts(table)
    intro = (f'<h2 class="handbook-glance-area">Commitments in force in {year.slash_label}, from the planning '
             f'documents</h2><p>{html.escape(documents_text(year))} They set <strong>{n["rows"]}</strong> commitments '
             f'and standards in force in {year.slash_label}, listed as each document groups them, each with its '
             f'document and line. <strong>{n["met"] + n["not_met"] + n["partly"]}</strong> are judged from the data '
             f'here ({n["met"]} met, {n["not_met"]} not met, {n["partly"]} partly met): only where the document sets '
             f'a level and a chapter\'s data give a result for that exact period and definition, stated beside it. '
             f'The other {n["not_judged"]} say why not (no level, no data here, or due after the year). Open a '
             f'document to see its rows.</p>')
    link = data_link(download_rows(table), f"commitments-{year.label}", "Download these rows")
    return intro + table_html(table) + f'<p class="handbook-table-download">{link}</p>'


def chapter_table(chapter: str, year: FinancialYear, data_dir: str = "") -> pd.DataFrame:
    """A chapter's commitments in force in `year`, judged, for its reference table."""
    from .page import cite

    table = judged(year, data_dir, chapter=chapter)
    if table.empty:
        return pd.DataFrame({"Commitment": [f"None of the planning documents here sets one for {year.slash_label}"],
                             "Level": [""], "Result": [""], "Verdict": [""], "Source": [documents_text(year)]})
    return pd.DataFrame({"Commitment": table["commitment"], "Level": table["level"].replace("", "none set"),
                         "Result": table["result"], "Verdict": table["verdict"],
                         "Source": [cite(d, n) for d, n in zip(table["document"], table["line"])]})
