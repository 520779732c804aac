"""One data pack per build: every table's and chart's data as CSV, with a file describing each column.

Every table and chart on a page carries its rows as a CSV download link (`charts.data_link`).
After the HTML is built, `write_data_pack` collects those same CSVs from the pages, so the
pack holds exactly what the pages offer, into `data/<page>/<file>.csv` in the built site,
writes `data/columns.csv` (each file's columns: type, filled cells, an example, what the
column means, and the kinds of data the page read: published, transcribed, synthetic, artificial) and `data/README.txt`, and zips the folder as `handbook-data.zip`.
"""

from __future__ import annotations

import base64
import html
import io
import re
import zipfile
from pathlib import Path

import pandas as pd

PACK_DIR = "data"
PACK_ZIP = "handbook-data.zip"
LINK = re.compile(r'<a class="handbook-data-link" download="([^"]+)" href="data:text/csv;charset=utf-8;base64,'
                  r'([A-Za-z0-9+/=]+)"')

COLUMN_MEANINGS = {
    "month": "Calendar month (YYYY-MM).",
    "org_code": "ODS code of the organisation.",
    "org_name": "Name of the organisation.",
    "provider_code": "ODS code of the provider.",
    "provider_name": "Name of the provider.",
    "ccg_code": "Code of the clinical commissioning group (CCG).",
    "ccg_name": "Name of the clinical commissioning group (CCG).",
    "area_code": "ONS code of the area.",
    "area_name": "Name of the area.",
    "name_source": "The published file and column the organisation's name was taken from.",
    "attendances": "A&E attendances.",
    "breaches": "A&E attendances that lasted over four hours.",
    "performance": "Percentage within the standard.",
    "met": "Whether the standard was met.",
    "has_type_1": "Whether the provider has a type 1 (major) A&E department.",
    "total": "Total count.",
    "within": "Count within the standard.",
    "population": "Registered patients.",
    "rate": "Rate (see the page for its unit).",
    "rank": "Rank, 1 the highest.",
    "plan": "Planned expenditure, £ million.",
    "actual": "Actual expenditure, £ million.",
    "variance": "Plan minus actual, £ million (positive is an underspend).",
    "year": "Financial year.",
    "line": "Line of the accounts.",
    "value": "The value measured.",
    "mean": "Mean of the series (centre line).",
    "lower_limit": "Lower process limit (mean - 2.66 x mean moving range).",
    "upper_limit": "Upper process limit (mean + 2.66 x mean moving range).",
    "target": "Target or standard.",
    "point_type": "Variation of the point: common cause or special cause.",
    "segment_start": "Why the limits' segment starts at its first month: given, or the shift rule (see the methods).",
    "position": "Position against the funnel plot's limits as drawn (widened for over-dispersion if the page says so).",
    "binomial_position": "Position against the exact binomial control limits alone, before any widening.",
    "all_types": "Four-hour performance over all the provider's A&E department types (%).",
}


KINDS = re.compile(r'<li data-kinds="([a-z, ]*)">')


def page_kinds(text: str) -> str:
    """The kinds of data a built page read, from its sources section ("published, artificial")."""
    found = {kind.strip() for group in KINDS.findall(text) for kind in group.split(",") if kind.strip()}
    return ", ".join(sorted(found))


def page_downloads(page: Path) -> list[tuple[str, str]]:
    """The (file name, CSV text) of every data link on one built page, in page order."""
    return [(html.unescape(name), base64.b64decode(data).decode())
            for name, data in LINK.findall(page.read_text(errors="replace"))]


def describe(file: str, text: str, source: str, kinds: str = "") -> pd.DataFrame:
    """One row per column of a CSV: its type, how many cells are filled, an example, its meaning."""
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    rows = []
    for column in table.columns:
        filled = [value for value in table[column].tolist() if value != ""]
        numeric = len(filled) > 0 and bool(pd.notna(pd.to_numeric(filled, errors="coerce")).all())
        rows.append({"file": file, "page": source, "column": column, "type": "number" if numeric else "text",
                     "filled": len(filled), "rows": len(table), "example": filled[0] if filled else "",
                     "meaning": COLUMN_MEANINGS.get(column, "As headed on the page's table or chart."),
                     "page_data_kinds": kinds})
    return pd.DataFrame(rows)


def write_data_pack(html_dir: Path) -> Path:
    """Collect every page's downloadable CSVs into `<html_dir>/data/` and `<html_dir>/handbook-data.zip`."""
    html_dir = Path(html_dir)
    pack = html_dir / PACK_DIR
    pack.mkdir(exist_ok=True)
    described = []
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.parts or page.is_relative_to(pack):
            continue
        downloads = page_downloads(page)
        kinds = page_kinds(page.read_text(errors="replace"))
        if not downloads:
            continue
        folder = pack / page.relative_to(html_dir).with_suffix("").as_posix().replace("/", "-")
        folder.mkdir(exist_ok=True)
        for name, text in downloads:
            (folder / name).write_text(text)
            described.append(describe(f"{folder.name}/{name}", text, page.relative_to(html_dir).as_posix(), kinds))
    columns = pd.concat(described, ignore_index=True) if described else pd.DataFrame(
        columns=["file", "page", "column", "type", "filled", "rows", "example", "meaning", "page_data_kinds"])
    columns.to_csv(pack / "columns.csv", index=False, lineterminator="\n")
    (pack / "README.txt").write_text(
        "The handbook's data pack: every table and chart of this build as CSV, one folder per page.\n"
        "columns.csv describes each file's columns (type, filled cells, an example, meaning) and the kinds\n"
        "of data its page read (page_data_kinds): synthetic and artificial figures are not real statistics.\n"
        "Text cells a spreadsheet would run as a formula are prefixed with ' (see the methods page).\n")
    archive = html_dir / PACK_ZIP
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(pack.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(html_dir).as_posix())
    return archive
