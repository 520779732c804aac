"""The HTML of an edition: its Sphinx source folder (conf.py, the Vega bundle, the edition's
script), the Sphinx build with warnings as errors, and the published pages mended (the theme's markup,
no local paths) with the run log beside them."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Callable

from .. import sealed, tempfolders
from ..charts import BUNDLE_NAME, write_javascript_bundle
from ..editions import EDITION_SCRIPT, Edition, edition_script
from ..errors import HandbookError
from ..methods_page import RESULTS_MARK, methods_page
from ..servers import SphinxProcess
from .plan import CHAPTERS_SUBDIR, CONFIG_FILE, Run

SWITCHER_SCRIPT = "year-switcher.js"  # book/_static/
DATA_LABEL = "<your --data folder>"


def _sphinx_config(book: Path) -> None:
    """Write conf.py from _config.yml, without sphinx-thebe (its script is loaded twice)."""
    from jupyter_book.cli.main import main as jupyter_book_main

    with contextlib.redirect_stdout(io.StringIO()):
        jupyter_book_main(["config", "sphinx", str(book)], standalone_mode=False)
    conf = book / "conf.py"
    text = conf.read_text()
    text = re.sub(r"'sphinx_thebe',\s*", "", text)
    conf.write_text(text)


CONF_ADDITIONS = f"""
html_js_files = list(html_js_files) + [{EDITION_SCRIPT!r}, {SWITCHER_SCRIPT!r}]
"""


_confs: dict[bytes, str] = {}
_conf_lock = threading.Lock()


def sphinx_conf(toc: str) -> str:
    """The conf.py for _config.yml and `toc` (the book's _toc.yml text), made once per process (about 0.3 s)."""
    config = CONFIG_FILE.read_bytes() + toc.encode()
    with _conf_lock:
        if config not in _confs:
            with tempfile.TemporaryDirectory(prefix=tempfolders.prefix("conf")) as tmp:
                shutil.copy2(CONFIG_FILE, Path(tmp) / "_config.yml")
                (Path(tmp) / "_toc.yml").write_text(toc)
                _sphinx_config(Path(tmp))
                text = (Path(tmp) / "conf.py").read_text()  # built from book/: paths relative to it
            _confs[config] = text.replace("book/_static", "_static").replace("book/references.bib", "references.bib")
        return _confs[config] + CONF_ADDITIONS


_bundle_lock = threading.Lock()


def javascript_bundle(progress: Callable[[str], None] = print) -> bytes:
    """The Vega bundle, made once per vl-convert version and kept in the user's cache folder with
    its record; a kept bundle that fails its record (changed, cut short, emptied) is made again."""
    from importlib.metadata import version

    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nhs-handbook"
    cache = folder / f"vega-bundle-{version('vl-convert-python')}.js"
    with _bundle_lock:
        bundle = sealed.read(cache, progress, "it is made again from vl-convert")
        if bundle is None:
            with tempfile.TemporaryDirectory(prefix=tempfolders.prefix("bundle")) as tmp:
                bundle = write_javascript_bundle(Path(tmp)).read_bytes()
            sealed.write(cache, bundle)
    return bundle


def build_html(book: Path, out: Path, progress: Callable[[str], None], doctrees: Path,
               edition_name: str = "", sphinx: SphinxProcess | None = None) -> Path:
    """Build the HTML book from `book` (with its conf.py) into `out` with warnings as errors,
    in `sphinx` if one was started for it; Sphinx keeps its environment in `doctrees` and
    rewrites only the pages that changed."""
    progress(f"Building the HTML {f'of the {edition_name} edition' if edition_name else 'book'} "
             "(warnings are errors)...")
    sphinx = sphinx or SphinxProcess((book / "conf.py").read_text())
    try:
        status, printed = sphinx.run(["-b", "html", "-W", "--keep-going", "-q", "-d", str(doctrees),
                                      str(book), str(out)])
    finally:
        sphinx.close()
    if status != 0:
        messages = [line for line in printed.splitlines() if line.strip()]
        shown = "\n".join(messages[-15:])
        kept = f"the last good {edition_name} edition" if edition_name else "the last good book"
        raise HandbookError(f"the HTML build failed; {kept} is unchanged:\n{shown}")
    return out / "index.html"


THEME_SWITCH = re.compile(r'<button[^>]*theme-switch-button[^>]*>.*?</button>', re.DOTALL)
SEARCH_LABEL = re.compile(r'(<button[^>]*search-button-field[^>]*?) aria-label="Search"')
ICON_SCRIPT = re.compile(r'<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>\s*')
ICON = re.compile(r'<i class="([^"]*\bfa-[^"]*)"></i>')  # an empty <i> naming a Font Awesome icon


def mend_theme_markup(html_dir: Path) -> None:
    """Mend three things in the theme's markup.

    The search button's aria-label hides its visible text ("Search Ctrl+K") from screen
    readers, so the label is dropped and the button is named by its text. The colour-mode
    switch is removed: the book is light only (its charts are drawn for a light page). The
    Font Awesome script is not loaded: it is 1.5 MB and takes a fifth to a half of a CPU-second
    of each page's loading to redraw the theme's dozen icons, which the theme's stylesheet
    already draws from the icon font; each icon is marked decorative, as the script marked it.
    """
    for page in html_dir.rglob("*.html"):
        text = page.read_text()
        fixed = ICON_SCRIPT.sub("", SEARCH_LABEL.sub(r"\1", THEME_SWITCH.sub("", text)))
        fixed = ICON.sub(r'<i class="\1" aria-hidden="true"></i>', fixed)
        if fixed != text:
            page.write_text(fixed)
    for unused in ("fontawesome.js", "fontawesome.js.map"):
        (html_dir / "_static" / "scripts" / unused).unlink(missing_ok=True)


TEXT_SUFFIXES = (".html", ".ipynb", ".txt", ".json", ".js", ".md", ".csv", ".xml")


def strip_local_paths(html_dir: Path, labels: dict[str, str]) -> None:
    """Take this machine's absolute paths out of the published book.

    In the executed notebooks Sphinx publishes (`_sources/**/*.ipynb`) papermill's input and
    output paths become the template's and the page's names, and the `data_dir` parameter
    becomes a label; then every remaining occurrence of a path in `labels` (the data folder,
    the staging folder, the checkout), in any text file, is replaced by its label.
    """
    ordered = sorted(((k, v) for k, v in labels.items() if k and len(k) > 1), key=lambda kv: -len(kv[0]))
    for path in html_dir.rglob("*"):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(errors="surrogateescape")
        fixed = _published_notebook(text) if path.suffix == ".ipynb" else text
        for local, label in ordered:
            fixed = fixed.replace(local, label)
        if fixed != text:
            path.write_text(fixed, errors="surrogateescape")


def _published_notebook(text: str) -> str:
    try:
        nb = json.loads(text)
    except ValueError:
        return text
    meta = nb.get("metadata", {}).get("papermill")
    if not isinstance(meta, dict):
        return text
    for key in ("input_path", "output_path"):
        if meta.get(key):
            meta[key] = Path(meta[key]).name
    params = meta.get("parameters") or {}
    if params.get("data_dir"):
        params["data_dir"] = DATA_LABEL
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell.get("source", []))
            cell["source"] = re.sub(r'^data_dir = ".+"$', f'data_dir = "{DATA_LABEL}"', source, flags=re.M)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"




def book_sources(book_dir: Path, chapters: Path, toc: str, ed: Edition, progress: Callable[[str], None]) -> dict:
    """Every file of the edition's Sphinx source folder: relative name -> file or bytes."""
    files: dict = {}
    for path in book_dir.rglob("*"):
        relative = path.relative_to(book_dir)
        if path.is_file() and relative.parts[0] != CHAPTERS_SUBDIR and not {
                ".ipynb_checkpoints", "__pycache__"} & set(relative.parts):
            files[relative.as_posix()] = path
    for path in chapters.glob("*.ipynb"):
        files[f"{CHAPTERS_SUBDIR}/{path.name}"] = path
    for page in sorted(book_dir.glob("*.md")):  # results from this edition's chapters (analysis.methods_page)
        if RESULTS_MARK in page.read_text(encoding="utf-8"):
            files[page.name] = methods_page(page, chapters)
    files["_config.yml"] = CONFIG_FILE
    files["_toc.yml"] = toc.encode()
    files["conf.py"] = sphinx_conf(toc).encode()
    files[f"_static/{BUNDLE_NAME}"] = javascript_bundle(progress)
    files[f"_static/{EDITION_SCRIPT}"] = edition_script(ed).encode()
    return files




def write_run_log(path: Path, runs: list[Run], manifest: dict) -> None:
    """Record what ran, when, with which parameters and inputs, in the built book."""
    path.parent.mkdir(parents=True, exist_ok=True)
    log = []
    for run in runs:
        if run.not_covered:
            log.append({"chapter": run.chapter.name, "parameters": run.parameters, "not_covered": run.not_covered})
            continue
        log.append({
            "chapter": run.chapter.name, "parameters": run.parameters,
            "executed_at": manifest.get(run.chapter.name, {}).get("executed_at"),
            "seconds": round(run.seconds, 2),
            "inputs": {name: {"origin": s.origin, "synthetic": s.synthetic,
                              "files": {e.relative: e.sha256 for e in s.entries}}
                       for name, s in run.page.sources.items()},
        })
    path.write_text(json.dumps(log, indent=2) + "\n")
