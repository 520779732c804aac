"""Editions of the book by financial year, and what a build may skip because nothing changed.

The report year's edition (2016-17) is the book of `book/chapters/` and `_build/html/`;
every other year's edition keeps its executed chapters in `_build/editions/<year>/chapters/`
and its HTML in `_build/editions/<year>/html/`. The site's front door, `_build/index.html`,
goes to the latest edition and lists them all; `_static/handbook-editions.js` in every
edition lists them for the year switcher on each page (a script, not JSON, so it loads from
files as well as over http, and from the edition's own folder, so serving one edition alone
asks for nothing outside it).

A chapter's run key is the checksum of what its executed notebook depends on: the
template, the parameters, the input files (by checksum) and the package's code and
reference data. The manifest of each edition records the key and time of each chapter's
last successful run and the sha256 of its executed notebook, and is written with its record
(`analysis.sealed`); a chapter whose key is unchanged, and whose notebook is the one
recorded, is not executed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import REPO_ROOT, sealed
from .errors import ParameterError
from .ledger import REPORT_YEAR
from .periods import FinancialYear

REPORT_PERIOD = REPORT_YEAR.label
EDITIONS_SUBDIR = "editions"
MANIFEST_FILE = "manifest.json"
SITE_INDEX = "index.html"
SITE_LIST = "handbook-editions.js"  # in each edition's _static/
EDITION_SCRIPT = "handbook-edition.js"
CODE_FOLDERS = ("analysis", "data/reference", "data/published")


@dataclass(frozen=True)
class Edition:
    """Where one year's edition lives: its executed chapters, its HTML and its working files."""

    period: str
    chapters_dir: Path
    html_dir: Path
    work_dir: Path
    site_path: str  # the HTML folder relative to the site's root (the build folder), ending in "/"

    @property
    def manifest(self) -> Path:
        return self.work_dir / MANIFEST_FILE


def parse_periods(text: str) -> list[str]:
    """"2017-18" or a range "2015-16..2018-19" (either order of writing each year) as year labels."""
    first, sep, last = str(text).partition("..")
    start = FinancialYear.parse(first.strip())
    if not sep:
        return [start.label]
    end = FinancialYear.parse(last.strip())
    if end.start_year < start.start_year:
        raise ParameterError("period", f"the range {text} ends before it starts; write the earlier year first")
    return [FinancialYear(year).label for year in range(start.start_year, end.start_year + 1)]


def edition(period: str, book_dir: Path, build_dir: Path) -> Edition:
    """The folders of `period`'s edition."""
    work = Path(build_dir) / "work" / period
    if period == REPORT_PERIOD:
        return Edition(period, Path(book_dir) / "chapters", Path(build_dir) / "html", work, "html/")
    home = Path(build_dir) / EDITIONS_SUBDIR / period
    return Edition(period, home / "chapters", home / "html", work, f"{EDITIONS_SUBDIR}/{period}/html/")


def built_editions(book_dir: Path, build_dir: Path) -> list[Edition]:
    """Every edition with a built HTML book, oldest first."""
    periods = {REPORT_PERIOD}
    folder = Path(build_dir) / EDITIONS_SUBDIR
    if folder.is_dir():
        periods |= {p.name for p in folder.iterdir() if p.is_dir()}
    found = [edition(p, book_dir, build_dir) for p in sorted(periods)]
    return [e for e in found if (e.html_dir / "index.html").is_file()]


def write_site(book_dir: Path, build_dir: Path) -> Path:
    """Write the front door (to the latest edition, listing all) and the switcher's list."""
    editions = built_editions(book_dir, build_dir)
    build_dir = Path(build_dir)
    listing = [{"period": e.period, "label": e.period.replace("-", "/"), "path": e.site_path} for e in editions]
    script = "window.handbookEditions = " + json.dumps(listing) + ";\n"
    for each in editions:
        target = each.html_dir / "_static" / SITE_LIST
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(script)
        os.replace(tmp, target)
    latest = editions[-1].site_path + "index.html" if editions else ""
    items = "\n".join(f'    <li><a href="{html.escape(e.site_path)}index.html">{e.period.replace("-", "/")}'
                      f'{" (the annual report&#8217;s year)" if e.period == REPORT_PERIOD else ""}</a></li>'
                      for e in reversed(editions))
    refresh = f'  <meta http-equiv="refresh" content="0; url={html.escape(latest)}">\n' if latest else ""
    (build_dir / SITE_INDEX).write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n"
        f"{refresh}  <title>NHS performance handbook: editions</title>\n</head>\n<body>\n"
        "  <h1>NHS performance handbook</h1>\n  <p>Editions by financial year (the latest opens by itself):</p>\n"
        f"  <ul>\n{items}\n  </ul>\n</body>\n</html>\n")
    return build_dir / SITE_INDEX


def edition_script(ed: Edition) -> str:
    """The script that tells the year switcher which edition a page belongs to."""
    return "window.handbookEdition = " + json.dumps({"period": ed.period, "path": ed.site_path}) + ";\n"


def not_covered_notebook(title: str, period: str, reason: str):
    """The page of a chapter whose data do not cover the edition's year: says so, and why."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    label = period.replace("-", "/")
    nb.cells = [nbformat.v4.new_markdown_cell(
        f"# {title}\n\n:::{{note}}\nNot in the {label} edition: {reason}.\n\nThe chapter appears in the "
        "editions whose year its data cover.\n:::\n")]
    return nb


def code_checksum() -> str:
    """One checksum of the package's code and its reference and published data."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO_ROOT)).encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def run_key(template: Path, parameters: dict, data_dir: str, inputs: dict, code: str) -> str:
    """The checksum of everything a chapter's executed notebook depends on."""
    facts = {"template": hashlib.sha256(Path(template).read_bytes()).hexdigest(), "parameters": parameters,
             "data_dir": data_dir, "inputs": inputs, "code": code}
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


def read_manifest(path: Path, say: Callable[[str], None] | None = None) -> dict:
    """Chapter name -> {"key", "executed_at", "seconds", "notebook" (its sha256)} from the last
    successful runs, or {"not_covered", "notebook"}; empty when there is none, or when it fails
    its record (`analysis.sealed`) or is not in this form: then it is removed, said to `say`."""
    then = "the edition's chapters are taken from their kept runs or executed again"
    found = sealed.read(path, say, then)
    try:
        entries = json.loads(found) if found is not None else {}
    except ValueError:
        entries = None
    if not isinstance(entries, dict) or not all(isinstance(e, dict) and isinstance(e.get("notebook"), str)
                                                for e in entries.values()):
        sealed.drop(path, "is not a manifest in the handbook's form", say, then)
        return {}
    return entries


def write_manifest(path: Path, entries: dict) -> None:
    sealed.write(path, (json.dumps(entries, indent=1, sort_keys=True) + "\n").encode())


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def sync_tree(source_files: dict[str, Path | bytes], target: Path, remove: bool = True) -> bool:
    """Make `target` hold exactly `source_files` (relative name -> file or bytes), writing only
    what differs so unchanged files keep their times (Sphinx then re-reads only changed pages);
    other files are removed unless not `remove`. Returns True when anything was written or removed."""
    changed = False
    for relative, source in source_files.items():
        path = target / relative
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        changed = True
    if remove and target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target).as_posix()
            if path.is_file() and relative not in source_files:
                path.unlink()
                changed = True
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed
