"""Where each dataset comes from: the user's data folder or the bundled sample.

A dataset is declared in the registry with a glob `pattern` relative to a data folder.
It is taken from the user's `--data DIR` when files there match, else from
`data/bundled/`. Every data folder may carry a `sources.csv` beside its files
(file, publisher, title, url, final_url, date, sha256, synthetic, notes); the bundled ones
always do. For a downloaded file, `url` is the address asked for and `final_url` the one the
bytes came from, after any redirect (older listings lack that column; it reads as blank).
Each file has a kind (published, transcribed, synthetic, artificial), derived by
`analysis.provenance.file_kind`: a file is synthetic when its checksum is listed as synthetic
in any `sources.csv` of the project (so pointing `--data` at a copy of the bundled samples
still shows the banner); a `sources.csv` may declare a kind in a `kind` column; NHS Digital's
`artificial_*` extracts are artificial.

Every file shows a date and says what the date is: the date in the `sources.csv` beside
it (when the file was obtained, e.g. by `handbook fetch`, transcribed, or generated);
else, for a workbook, the date its publisher last saved it (its document properties);
else the file's own modification date, which is when this copy was written, not when it
was published.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import REPO_ROOT
from .errors import DataError, ParameterError
from .provenance import CAUTION, Kind, file_kind
from .registry import Dataset

DATA_DIR = REPO_ROOT / "data"
BUNDLED_DIR = DATA_DIR / "bundled"
SOURCES_FILE = "sources.csv"
SOURCES_COLUMNS = ["file", "publisher", "title", "url", "final_url", "date", "sha256", "synthetic", "notes"]
USER_ORIGIN = "your data folder"
BUNDLED_ORIGIN = "bundled sample"
BUNDLED_REAL_ORIGIN = "bundled with the handbook"  # bundled files that are not synthetic (transcriptions)


def sha256_of(path: Path) -> str:
    path = Path(path)
    stat = path.stat()
    return _sha256_cached(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sources_csv(folder: Path) -> dict[str, dict]:
    """The rows of `folder/sources.csv` keyed by file name (empty when there is none)."""
    path = Path(folder) / SOURCES_FILE
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def synthetic_checksums() -> frozenset[str]:
    """Checksums of every file the project lists as synthetic."""
    found = set()
    for listing in DATA_DIR.rglob(SOURCES_FILE):
        for row in read_sources_csv(listing.parent).values():
            if row.get("synthetic", "").strip().lower() == "yes" and row.get("sha256"):
                found.add(row["sha256"])
    return frozenset(found)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    relative: str
    sha256: str
    date: str  # YYYY-MM-DD
    date_kind: str  # what the date is: obtained, transcribed, generated, workbook saved, file modified
    kind: Kind

    @property
    def synthetic(self) -> bool:
        return self.kind is Kind.SYNTHETIC

    @property
    def date_text(self) -> str:
        return f"{self.date_kind} {self.date}"


WORKBOOK_SAVED = re.compile(rb"<dcterms:modified[^>]*>(\d{4}-\d{2}-\d{2})")


def workbook_saved(path: Path) -> str | None:
    """The date an .xlsx workbook was last saved, from its document properties (None if absent)."""
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        with zipfile.ZipFile(path) as book:
            found = WORKBOOK_SAVED.search(book.read("docProps/core.xml"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return found.group(1).decode() if found else None


def file_date(path: Path, listed: dict, kind: Kind) -> tuple[str, str]:
    """(date, what it is) for one file: its provenance record, its workbook properties, or its mtime."""
    if listed.get("date"):
        return listed["date"], {Kind.SYNTHETIC: "generated", Kind.TRANSCRIBED: "transcribed"}.get(kind, "obtained")
    saved = workbook_saved(path)
    if saved:
        return saved, "workbook saved"
    modified = dt.datetime.fromtimestamp(Path(path).stat().st_mtime, tz=dt.timezone.utc).date()
    return modified.isoformat(), "file modified"


@dataclass(frozen=True)
class Source:
    """The files one dataset is read from, and where they came from."""

    dataset: Dataset
    root: Path
    origin: str
    entries: tuple[SourceFile, ...]

    @property
    def files(self) -> list[Path]:
        return [entry.path for entry in self.entries]

    @property
    def kinds(self) -> list[Kind]:
        """The kinds of the dataset's files, the least real first."""
        return [kind for kind in CAUTION if any(entry.kind is kind for entry in self.entries)]

    @property
    def synthetic(self) -> bool:
        return Kind.SYNTHETIC in self.kinds

    def one_file(self, what: str, required: bool = True) -> Path | None:
        """The dataset's single file (`what` names it in errors): none is an error unless not
        `required`, and a second file is an error, since the two would hold the same series."""
        files = self.files
        if len(files) > 1:
            raise DataError(files[1], f"is a second {what} (the first is {files[0].name}); keep one in the data folder")
        if not files and required:
            raise DataError(self.dataset.title, f"no {what} was found (files matching {self.dataset.pattern})")
        return files[0] if files else None

    @property
    def bundled(self) -> bool:
        """Read from the handbook's own data/bundled folder, not the user's data folder."""
        return self.origin in (BUNDLED_ORIGIN, BUNDLED_REAL_ORIGIN)

    @property
    def date_text(self) -> str:
        """The files' dates by kind, e.g. "file modified 2026-12-01" or "obtained 2017-04-12 to 2017-05-10"."""
        parts = []
        for kind in dict.fromkeys(e.date_kind for e in self.entries):
            dates = sorted({e.date for e in self.entries if e.date_kind == kind})
            parts.append(f"{kind} {dates[0]}" + (f" to {dates[-1]}" if len(dates) > 1 else ""))
        return "; ".join(parts)

    @property
    def digest(self) -> str:
        """One checksum over all the files (their names and sha256s), for a short citation."""
        text = "\n".join(f"{e.relative} {e.sha256}" for e in self.entries)
        return hashlib.sha256(text.encode()).hexdigest()


def _match(root: Path, pattern: str) -> list[Path]:
    return sorted(p for p in Path(root).glob(pattern) if p.is_file() and p.name != SOURCES_FILE)


def _user_dir(data_dir) -> Path | None:
    if not data_dir:
        return None
    data_dir = Path(data_dir).expanduser().resolve()
    if not data_dir.is_dir():
        raise ParameterError("data", f"the data folder {data_dir} does not exist")
    return data_dir


def resolve(dataset: Dataset, data_dir: Path | str | None, from_user: bool | None = None) -> Source:
    """The user's files for `dataset` when `data_dir` has any, else the bundled sample.

    `from_user` forces the choice (used for groups of datasets taken together).
    """
    data_dir = _user_dir(data_dir)
    if data_dir is not None:
        files = _match(data_dir, dataset.pattern)
        if from_user or (from_user is None and files):
            return _source(dataset, data_dir, USER_ORIGIN, files)
    return _source(dataset, BUNDLED_DIR, BUNDLED_ORIGIN, _match(BUNDLED_DIR, dataset.pattern))


def _source(dataset: Dataset, root: Path, origin: str, files: list[Path]) -> Source:
    synthetic = synthetic_checksums()
    entries = []
    for path in files:
        listed = read_sources_csv(path.parent).get(path.name, {})
        checksum = sha256_of(path)
        kind = file_kind(path, listed, synthetic, checksum)
        date, date_kind = file_date(path, listed, kind)
        entries.append(SourceFile(
            path=path, relative=path.relative_to(root).as_posix(), sha256=checksum,
            date=date, date_kind=date_kind, kind=kind))
    if origin == BUNDLED_ORIGIN and entries and not any(e.synthetic for e in entries):
        origin = BUNDLED_REAL_ORIGIN
    return Source(dataset=dataset, root=root, origin=origin, entries=tuple(entries))


def resolve_all(names, datasets: dict[str, Dataset], data_dir) -> dict[str, Source]:
    """Resolve a chapter's datasets; a group is taken wholly from one place."""
    user = _user_dir(data_dir)
    found = {name: bool(user and _match(user, datasets[name].pattern)) for name in names}
    groups = {}
    for group in {datasets[n].group for n in names} - {None}:
        members = [n for n in names if datasets[n].group == group]
        required = [n for n in members if not datasets[n].optional]
        groups[group] = any(found[n] for n in members) and all(found[n] for n in required)
    return {name: resolve(datasets[name], data_dir,
                          groups[datasets[name].group] if datasets[name].group else None)
            for name in names}


def chapter_sources(chapter, registry, data_dir) -> dict[str, Source]:
    """What `chapter` reads: its datasets, resolved as `resolve_all` does. A page above the chapters
    (`reads_chapters`) reads every other chapter's datasets as that chapter resolves them (a group is
    judged per chapter), named "dataset (for chapter)" where two chapters take one dataset from two places;
    so its run key and its labels follow the files its figures come from."""
    found = resolve_all(chapter.datasets, registry.datasets, data_dir)
    if not chapter.reads_chapters:
        return found
    places: dict[str, dict] = {}
    for other in registry.chapters:
        if other.reads_chapters:
            continue
        for name, source in resolve_all(other.datasets, registry.datasets, data_dir).items():
            places.setdefault(name, {}).setdefault(source.origin, (other.name, source))
    for name, by_origin in places.items():
        for chapter_name, source in by_origin.values():
            found[name if len(by_origin) == 1 else f"{name} (for {chapter_name})"] = source
    return found


def record_files(files, publisher: str, title: str, url: str = "", synthetic: bool = False,
                 notes: str = "", date: str | None = None, final_url: str = "") -> None:
    """List files in the `sources.csv` beside them, with their sha256.

    A row whose checksum is unchanged keeps its date; a new or changed file gets `date`
    (default: today). Used for generated samples, downloads and transcribed tables. The
    listing is written to a temporary file and renamed into place, so an interruption
    leaves the old listing or the new one, never half of one.
    """
    by_folder: dict[Path, list[Path]] = {}
    for path in files:
        by_folder.setdefault(Path(path).parent, []).append(Path(path))
    for folder, paths in by_folder.items():
        rows = read_sources_csv(folder)
        for path in paths:
            checksum = sha256_of(path)
            old = rows.get(path.name, {})
            rows[path.name] = {
                "file": path.name, "publisher": publisher, "title": title, "url": url, "final_url": final_url,
                "date": old.get("date") if old.get("sha256") == checksum and old.get("date")
                else (date or dt.date.today().isoformat()),
                "sha256": checksum, "synthetic": "yes" if synthetic else "no", "notes": notes}
        written = folder / f".{SOURCES_FILE}.{os.getpid()}.tmp"
        try:
            with open(written, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=SOURCES_COLUMNS, lineterminator="\n")
                writer.writeheader()
                for name in sorted(rows):
                    writer.writerow({c: rows[name].get(c, "") for c in SOURCES_COLUMNS})
            os.replace(written, folder / SOURCES_FILE)
        finally:
            written.unlink(missing_ok=True)
