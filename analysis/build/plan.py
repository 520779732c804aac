"""Plan a build: the book's layout and table of contents, the data folder's checks, every
chapter's parameters validated before anything runs, the runs to execute (or take from a kept
run), and where each dataset comes from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import REPO_ROOT, sealed
from ..editions import REPORT_PERIOD, Edition, not_covered_notebook, run_key
from ..errors import DataError, ParameterError
from ..page import ChapterPage, prepare_chapter
from ..provenance import kinds_text
from ..registry import Chapter, Registry
from ..sources import SOURCES_FILE, Source
from .cache import kept_run

CHAPTERS_SUBDIR = "chapters"
CONFIG_FILE = REPO_ROOT / "_config.yml"
TOC_FILE = REPO_ROOT / "_toc.yml"
STATIC_PAGES_FIRST = ["index"]
STATIC_PAGES_LAST = ["methods", "references"]


@dataclass
class Run:
    """One chapter to execute, with its validated parameters."""

    chapter: Chapter
    parameters: dict
    data_dir: str
    page: ChapterPage | None
    seconds: float = 0.0
    error: str | None = None
    not_covered: str | None = None  # why the data do not cover the edition's year
    key: str = ""  # see analysis.editions.run_key
    executed_at: str = ""
    out_dir: Path | None = None  # where its executed notebook is written (its edition's staging folder)
    failed_dir: Path | None = None  # where the executed copy of a failed run is kept


def toc_text(registry: Registry, folder: str = "book/") -> str:
    """The jupyter-book table of contents, from the registry.

    The committed `_toc.yml` names pages from the repository root (`book/...`), so
    `jupyter-book build .` builds the book there; `handbook build` builds from inside the
    book's folder (`folder=""`)."""
    lines = ["# Generated from chapters.toml by `handbook build`; do not edit by hand.",
             "format: jb-book", f"root: {folder}{STATIC_PAGES_FIRST[0]}", "chapters:"]
    for page in STATIC_PAGES_FIRST[1:]:
        lines.append(f"  - file: {folder}{page}")
    for chapter in registry.chapters:
        lines.append(f"  - file: {folder}{CHAPTERS_SUBDIR}/{chapter.name}")
    for page in STATIC_PAGES_LAST:
        lines.append(f"  - file: {folder}{page}")
    return "\n".join(lines) + "\n"


def check_data_folder(data_dir: str | None) -> Path | None:
    """The user's `--data` folder, checked: a folder (not a file), not empty, readable, and
    any `sources.csv` in it in the handbook's format. None when no folder was given."""
    if data_dir is None:
        return None
    if not str(data_dir).strip():
        raise ParameterError("data", "is empty; give the folder that holds your published files")
    path = Path(data_dir).expanduser()
    if path.is_file():
        raise ParameterError("data", f"{path} is a file, not a folder; give the folder that holds it")
    if not path.is_dir():
        raise ParameterError("data", f"the data folder {path} does not exist")
    try:
        files = [p for p in path.resolve().rglob("*") if p.is_file() and not p.name.startswith(".")]
    except OSError as exc:
        raise ParameterError("data", f"the data folder {path} cannot be read ({exc.strerror})") from None
    if not [p for p in files if p.name != SOURCES_FILE]:
        raise ParameterError("data", f"the data folder {path} holds no data files; give the folder that holds "
                                     "your published files (leave out --data to build on the bundled samples)")
    for listing in (p for p in files if p.name == SOURCES_FILE):
        check_sources_listing(listing)
    return path.resolve()


def check_sources_listing(path: Path) -> None:
    """A `sources.csv` must be UTF-8 with the handbook's header (file, publisher, ..., sha256, ...)."""
    import csv

    from ..sources import SOURCES_COLUMNS

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error):
        header = None
    if not header or "file" not in header or "sha256" not in header:
        raise DataError(path, "is not a sources listing in the handbook's format (its header row must name "
                              f"the columns {', '.join(SOURCES_COLUMNS)}); rename or remove it, since the "
                              "handbook reads every sources.csv in the data folder")


def plan_runs(registry: Registry, names: list[str], data_dir: str | None,
              overrides: dict, tolerate_period: bool = False) -> list[Run]:
    """Validate every chapter's parameters and data before anything runs.

    With `tolerate_period`, a chapter whose data do not cover the period is planned as not
    covered (its page says so) rather than stopping the build."""
    checked = check_data_folder(data_dir)
    data = str(checked) if checked else ""
    runs = []
    for name in names:
        chapter = registry.chapter(name)
        wanted = dict(overrides)
        if "period" not in chapter.parameters:
            year = wanted.pop("period", REPORT_PERIOD)  # `--period` applies to the chapters that have one
            if tolerate_period and year != REPORT_PERIOD:  # its fixed windows belong to the report's edition
                runs.append(Run(chapter=chapter, parameters=wanted, data_dir=data, page=None, not_covered=(
                    f"this chapter has no period; it measures the months set in its own parameters, and its "
                    f"page is in the {REPORT_PERIOD} edition")))
                continue
        chapter.resolve_parameters(wanted)  # unknown or reserved names stop here, in one sentence
        try:
            page = prepare_chapter(name, data_dir=data, **wanted)
        except ParameterError as exc:
            if not (tolerate_period and exc.parameter == "period"):
                raise
            runs.append(Run(chapter=chapter, parameters=wanted, data_dir=data, page=None, not_covered=exc.reason))
            continue
        runs.append(Run(chapter=chapter, parameters=page.parameters, data_dir=data, page=page))
    return runs




def choose_runs(runs: list[Run], manifest: dict, ed: Edition, out_dir: Path, force: bool,
                progress: Callable[[str], None], code: str, kept: Path) -> list[Run]:
    """The runs to execute: those forced, changed or never run. A run whose key was executed
    before (in any edition, with any data folder) takes that executed notebook from `kept`
    instead. A chapter whose data do not cover the edition's year gets a page saying so
    instead (written here, never executed)."""
    import nbformat

    chosen = []
    for run in runs:
        name = run.chapter.name
        if run.not_covered:
            nbformat.write(not_covered_notebook(run.chapter.title, ed.period, run.not_covered),
                           out_dir / f"{name}.ipynb")
            manifest[name] = {"not_covered": run.not_covered, "notebook": sealed.sha256_of(out_dir / f"{name}.ipynb")}
            progress(f"  {name}: not covered in {ed.period} ({run.not_covered})")
            continue
        run.key = run_key(run.chapter.template, run.parameters, run.data_dir, run_inputs(run), code)
        last = manifest.get(name, {})
        if not force and last.get("key") == run.key and (out_dir / f"{name}.ipynb").is_file():
            progress(f"  {name}: unchanged since its run at {last.get('executed_at')}; not executed again")
            continue
        earlier = None if force else kept_run(kept, run, progress)
        if earlier:
            (out_dir / f"{name}.ipynb").write_bytes(earlier[0])
            manifest[name] = earlier[1]
            progress(f"  {name}: run at {earlier[1].get('executed_at')} with the same template, parameters, "
                     "inputs and code; that run is used, not executed again")
            continue
        chosen.append(run)
    return chosen


def run_inputs(run: Run) -> dict:
    """Every file a run reads, by dataset: its origin and each file's sha256 (for its run key)."""
    from ..names import name_sources

    sources = dict(run.page.sources)
    if run.chapter.provider_names:
        sources |= {f"names from {n}": s for n, s in name_sources(run.data_dir).items()}
    return {n: {"origin": s.origin, "files": {e.relative: e.sha256 for e in s.entries}} for n, s in sources.items()}



def _files_matching(folder: Path, pattern: str) -> list[Path]:
    return [p for p in folder.glob(pattern) if p.is_file() and p.name != SOURCES_FILE]


def source_lines(runs: list[Run], registry: Registry, data_dir: Path | None) -> list[str]:
    """One line per dataset: the kinds of its files (see analysis.provenance), where it comes from and, for
    a bundled one, why.

    A dataset read by several chapters from different places (a group is judged per
    chapter) gets one line per place, naming the chapters.
    """
    found: dict[tuple[str, str], tuple[Source, str, list[str]]] = {}
    for run in runs:
        for read_as, source in run.page.sources.items():
            name = source.dataset.name
            key = (name, source.origin)
            if key not in found:
                found[key] = (source, _why(source, _resolver(run.chapter, read_as, name, registry), registry,
                                           data_dir), [])
            found[key][2].append(run.chapter.name)
    origins: dict[str, int] = {}
    for name, _ in found:
        origins[name] = origins.get(name, 0) + 1
    lines = []
    for (name, _), (source, why, chapters) in found.items():
        label = name if origins[name] == 1 else f"{name} (for {', '.join(chapters)})"
        lines.append(f"  {label}: {why}")
    return lines


def _resolver(chapter: Chapter, read_as: str, name: str, registry: Registry) -> Chapter:
    """The chapter whose resolution of dataset `name` a run follows: its own, or for a page above the
    chapters the one its key names ("dataset (for chapter)"), else the first chapter reading it."""
    if not chapter.reads_chapters:
        return chapter
    if read_as != name:
        return registry.chapter(read_as.removeprefix(f"{name} (for ").removesuffix(")"))
    return next(c for c in registry.chapters if name in c.datasets and not c.reads_chapters)


def _why(source: Source, chapter: Chapter, registry: Registry, data_dir: Path | None) -> str:
    dataset = source.dataset
    count = f"{len(source.entries)} file(s)"
    if not source.entries:
        where = "the bundled data" if source.bundled else "your data folder"
        return (f"no files (none matching {dataset.pattern} in {where}; "
                f"{'optional' if dataset.optional else 'the chapter will say what is missing'})")
    kind = kinds_text(source.kinds)  # analysis.provenance: published, transcribed, synthetic, artificial
    if not source.bundled:
        return f"{kind}, from your data folder ({count} matching {dataset.pattern})"
    if data_dir is None:
        return f"{kind}, bundled ({count}; no --data folder given)"
    if not _files_matching(data_dir, dataset.pattern):
        because = f"{data_dir} has no file matching {dataset.pattern}"
    else:
        members = [registry.datasets[n] for n in chapter.datasets
                   if registry.datasets[n].group and registry.datasets[n].group == dataset.group]
        lacking = [d.pattern for d in members if not d.optional and not _files_matching(data_dir, d.pattern)]
        because = (f"it is read together with the other '{dataset.group}' datasets and {data_dir} has no file "
                   f"matching {', '.join(lacking)}, so the whole group is bundled (real and synthetic rows "
                   "never mix)")
    return f"{kind}, bundled ({count}) instead of your data folder, because {because}"


def report_sources(runs: list[Run], registry: Registry, data_dir: Path | None,
                   progress: Callable[[str], None], real_only: bool = False) -> None:
    """Say where each dataset comes from; with `real_only`, a synthetic sample is an error."""
    lines = source_lines(runs, registry, data_dir)
    progress("Data:\n" + "\n".join(lines))
    if real_only:
        fallen = sorted({name for run in runs for name, s in run.page.sources.items()
                         if s.bundled and s.synthetic})
        if data_dir is None:
            raise ParameterError("real-only", "needs --data DIR: without it every dataset is a bundled sample")
        if fallen:
            raise ParameterError("real-only", f"{len(fallen)} dataset(s) would come from the bundled synthetic "
                                              f"samples ({', '.join(fallen)}); add their files to {data_dir} "
                                              "(see the lines above for what is missing) or leave out --real-only")


def last_seconds(manifest: dict, name: str) -> float:
    """How long a chapter's last successful run took (0 when unknown)."""
    seconds = (manifest.get(name) or {}).get("seconds", 0) if isinstance(manifest.get(name), dict) else 0
    return float(seconds) if isinstance(seconds, (int, float)) else 0.0
