"""The front page, "2016/17 at a glance": every standard and commitment with its result.

Rows come from `data/reference/at_a_glance.csv`, transcribed from the annual report's
performance analysis with document and line for the result and the target. Where a
chapter computes a row's result (its `chapter` and `key` columns name it, and the chapter
module has a `headline(sources, year)` function), the page takes the result from that
computation and links the chapter; otherwise it shows the printed figure, marked
transcribed. The `met` column judges a row only against the target in its `target`
column, transcribed from the line that sets it; where the report sets no target (it
promises only to track, for example), the row says "not judged" and a chapter's
`headline` returns `met: None`.
"""

from __future__ import annotations

import html

import pandas as pd

from .errors import ParameterError
from .ledger import REPORT_YEAR
from .periods import FinancialYear
from .registry import load_registry
from .sources import DATA_DIR, resolve_all, sha256_of

GLANCE_FILE = DATA_DIR / "reference" / "at_a_glance.csv"


def validate_parameters(params: dict, sources) -> dict:
    year = FinancialYear.parse(params["period"])
    if year != REPORT_YEAR:
        raise ParameterError("period", f"the front page summarises the annual report for "
                                       f"{REPORT_YEAR.label}, not {year.label}")
    return {**params, "period": year.label}


def commitments() -> pd.DataFrame:
    return pd.read_csv(GLANCE_FILE, dtype=str, keep_default_na=False)


def results(data_dir: str, year: FinancialYear) -> pd.DataFrame:
    """Every row with its result: computed by a chapter where one exists, else transcribed."""
    registry = load_registry()
    chapters = {c.name: c for c in registry.chapters}
    table = commitments()
    computed = {}
    for name in sorted(set(table["chapter"]) - {""}):
        if name in chapters and hasattr(chapters[name].load_module(), "headline"):
            chapter = chapters[name]
            sources = resolve_all(chapter.datasets, registry.datasets, data_dir or None)
            computed[name] = chapter.load_module().headline(sources, year)
    rows = []
    for row in table.itertuples(index=False):
        found = computed.get(row.chapter, {}).get(row.key)
        if found:
            # A chapter judges yes or no only against a target the report sets; None leaves the row's own entry.
            met = row.met if found["met"] is None else "yes" if found["met"] else "no"
            result, how = found["result"], "computed"
        else:
            result, met, how = row.result, row.met, "transcribed"
        rows.append({"area": row.area, "commitment": row.commitment, "target": row.target, "result": result,
                     "met": met, "how": how, "chapter": row.chapter if found else "",
                     "printed": row.result, "source": f"{row.document} line {row.line}",
                     "target_source": f"{row.target_document} line {row.target_line}"})
    return pd.DataFrame(rows)


def page_html(table: pd.DataFrame) -> str:
    """The front page's table, one section per area, with links to the chapters."""
    parts = []
    for area, rows in table.groupby("area", sort=False):
        body = []
        for r in rows.itertuples(index=False):
            result = html.escape(r.result)
            if r.chapter:
                result = (f'<a href="chapters/{html.escape(r.chapter)}.html">{result}</a> '
                          f'<span class="handbook-how">computed (printed: {html.escape(r.printed)})</span>')
            else:
                result += f' <span class="handbook-how">transcribed, {html.escape(r.source)}</span>'
            body.append(f"<tr><td>{html.escape(r.commitment)}</td><td>{html.escape(r.target)} "
                        f'<span class="handbook-how">({html.escape(r.target_source)})</span></td>'
                        f"<td>{result}</td><td>{html.escape(r.met)}</td></tr>")
        parts.append(
            f'<h3 class="handbook-glance-area">{html.escape(area)}</h3>'
            f'<div class="handbook-table-scroll" tabindex="0" role="region" aria-label="{html.escape(area)}">'
            '<table class="handbook-table handbook-glance"><thead><tr><th>Commitment</th><th>Target</th><th>Result</th>'
            f"<th>Met</th></tr></thead><tbody>{''.join(body)}</tbody></table></div>")
    return "".join(parts)


def checksum() -> str:
    return sha256_of(GLANCE_FILE)
