"""What a build keeps and reuses, each checked against its record (`analysis.sealed`): parsed
files and executed runs by the package's code, the editions' executed chapters by their
manifest, and Sphinx's saved state with the published HTML."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .. import sealed
from ..editions import MANIFEST_FILE, SITE_LIST, Edition, read_manifest

if TYPE_CHECKING:
    from .plan import Run


def reads_folder(build_dir: Path, code: str) -> Path:
    """Where parsed input files are kept for this version of the package's code."""
    return Path(build_dir) / "cache" / "reads" / code[:16]


def runs_folder(build_dir: Path, code: str) -> Path:
    """Where executed chapters are kept by run key, for this version of the package's code."""
    return Path(build_dir) / "cache" / "runs" / code[:16]


def forget_other_code(build_dir: Path, code: str) -> None:
    """Remove the parsed files and executed chapters kept for other versions of the code (they
    are never used again) and any half-written file a killed build left (called with the lock
    held, before any kernel)."""
    for keep in (reads_folder(build_dir, code), runs_folder(build_dir, code)):
        if keep.parent.is_dir():
            for folder in keep.parent.iterdir():
                if folder != keep:
                    shutil.rmtree(folder, ignore_errors=True)
        for partial in keep.glob(".tmp-*"):
            partial.unlink(missing_ok=True)


def keep_run(kept: Path, run: Run, notebook: bytes, facts: dict) -> None:
    """Keep a successful run's executed notebook and its manifest entry (which records the
    notebook's sha256) under its run key, the entry with its record."""
    kept.mkdir(parents=True, exist_ok=True)
    sealed.write_atomically(kept / f"{run.key}.ipynb", notebook)
    sealed.write(kept / f"{run.key}.json", json.dumps(facts).encode())


def kept_run(kept: Path, run: Run, progress: Callable[[str], None]) -> tuple[bytes, dict] | None:
    """The executed notebook and manifest entry kept for `run`'s key, if the entry passes its
    record and the notebook is the one it records; else None (what failed is removed, said in one line)."""
    entry_file, notebook_file = kept / f"{run.key}.json", kept / f"{run.key}.ipynb"
    then = f"chapter '{run.chapter.name}' is executed again"
    found = sealed.read(entry_file, progress, then)
    if found is None:
        notebook_file.unlink(missing_ok=True)
        return None
    entry = json.loads(found)
    try:
        notebook = notebook_file.read_bytes()
    except OSError:
        notebook = b""
    if hashlib.sha256(notebook).hexdigest() != entry.get("notebook"):
        sealed.remove(entry_file)
        sealed.drop(notebook_file, f"is not the notebook recorded in {entry_file.name} (changed, cut short or "
                                   "removed since it was kept)", progress, then)
        return None
    return notebook, entry


def trusted_chapters(ed: Edition, progress: Callable[[str], None]) -> tuple[dict, dict[str, bytes]]:
    """The edition's manifest (empty when it fails its record) and the executed notebooks in
    place that it records (by sha256), by chapter: only those are reused. Any other notebook
    there is left out (its chapter runs again), said in one line each, unless the manifest's
    own line has said so for all of them."""
    said: list[str] = []
    manifest = read_manifest(ed.manifest, said.append)
    for line in said:
        progress(line)
    trusted = {}
    for path in sorted(ed.chapters_dir.glob("*.ipynb")) if ed.chapters_dir.is_dir() else []:
        try:
            notebook = path.read_bytes()
        except OSError:
            notebook = None
        entry = manifest.get(path.stem)
        if entry is not None and notebook is not None and hashlib.sha256(notebook).hexdigest() == entry.get("notebook"):
            trusted[path.stem] = notebook
        elif not said:
            why = ("cannot be read" if notebook is None else f"is not recorded in {ed.manifest}" if entry is None
                   else "is not the notebook the build wrote there (its sha256 differs from the manifest's)")
            progress(f"Not reused: {path} {why}; it is left out and its chapter made again.")
    return manifest, trusted


STATE_FILE = "sphinx-state.json"  # in the edition's work folder, with the manifest and src/ (rewritten each build)
NOT_SPHINX = {"src", MANIFEST_FILE, MANIFEST_FILE + sealed.RECORD_SUFFIX}


def sphinx_state(ed: Edition) -> dict[str, str]:
    """The sha256 of every file Sphinx keeps between builds of an edition (its pickled environment
    and doctrees, its HTML: all of the work folder but the source folder and the manifest) and
    of every published HTML file (but the list of editions, rewritten at every build)."""
    files = {}
    for root, prefix in ((ed.work_dir, "work/"), (ed.html_dir, "published/")):
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            relative = path.relative_to(root)
            if path.is_file() and not (root == ed.work_dir and relative.parts[0] in NOT_SPHINX | {
                    STATE_FILE, STATE_FILE + sealed.RECORD_SUFFIX}) and relative.as_posix() != f"_static/{SITE_LIST}":
                try:
                    files[prefix + relative.as_posix()] = sealed.sha256_of(path)
                except OSError:
                    files[prefix + relative.as_posix()] = "unreadable"  # never as recorded
    return files


def seal_sphinx_state(ed: Edition) -> None:
    """Record Sphinx's state and the published HTML of an edition just swapped in."""
    sealed.write(ed.work_dir / STATE_FILE, json.dumps(sphinx_state(ed), sort_keys=True).encode())


def trusted_sphinx_state(ed: Edition, progress: Callable[[str], None]) -> bool:
    """Whether Sphinx's state and the published HTML are exactly as recorded when the edition was
    last swapped in. If not, Sphinx's state is cleared (its next build reads every page afresh),
    said in one line when there was anything to clear."""
    then = "Sphinx's saved state is cleared and the edition's HTML built afresh"
    said: list[str] = []
    found = sealed.read(ed.work_dir / STATE_FILE, said.append, then)
    now = sphinx_state(ed)
    if found is not None:
        recorded = json.loads(found)
        if recorded == now:
            return True
        differs = sorted(set(recorded.items()) ^ set(now.items()))[0][0]
        said.append(f"Not reused: {ed.work_dir / STATE_FILE} records Sphinx's state and the published HTML, and "
                    f"{differs} is not as recorded (changed, added or removed since); {then}.")
    elif not said and any(name.startswith("work/") for name in now):
        said.append(f"Not reused: Sphinx's saved state in {ed.work_dir} has no record ({STATE_FILE}); {then}.")
    for line in said:
        progress(line)
    clear_sphinx_state(ed)
    return False


def clear_sphinx_state(ed: Edition) -> None:
    """Remove everything Sphinx keeps for an edition, so its next build starts clean."""
    for path in ed.work_dir.iterdir() if ed.work_dir.is_dir() else []:
        if path.name not in NOT_SPHINX:  # the state's record goes too
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


