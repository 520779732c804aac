"""The contract between a chapter and the rest (analysis.contract): every registered chapter meets it,
shared modules name no chapter, and a new chapter needs no edit to a shared module."""

from __future__ import annotations

import ast
import html
import numbers
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import REPO_ROOT, contract
from analysis.page import Result
from analysis.periods import FinancialYear
from analysis.registry import load_function, load_registry
from analysis.sources import resolve, resolve_all

ANALYSIS = REPO_ROOT / "analysis"
FRONT_PAGE = "glance"
PAGES_ABOVE = {FRONT_PAGE, "organisations"}  # pages that read the chapters through the contract
SHARED_PACKAGES = {"build"}  # shared modules grouped in a package of their own
YEARLY_COLUMNS = {"year", "covered", "whole", "value", "met", "note"}
CHAPTERS = [c.name for c in load_registry().chapters]


def chapter_sources(chapter) -> dict:
    return resolve_all(chapter.datasets, load_registry().datasets, None)


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_meets_the_contract_with_typed_results(name):
    chapter = load_registry().chapter(name)
    module = chapter.load_module()
    assert isinstance(module, contract.ChapterModule)
    sources = chapter_sources(chapter)
    params = module.validate_parameters(chapter.resolve_parameters(), sources)
    assert isinstance(params, dict) and set(params) == set(chapter.parameters)
    if contract.has_provider_results(module):
        for year in module.provider_years(sources)[-1:]:
            found = contract.provider_results(module, sources, year)
            assert found and all(isinstance(r, contract.ProviderResult) and r.year == year.label for r in found)
    if contract.has_headline(module) and module.__name__ != f"analysis.{FRONT_PAGE}":
        found = contract.headlines(module, sources, FinancialYear.parse(params.get("period", "2016-17")))
        assert found, f"{name}: headline gives no result"
        for headline in found.values():
            assert isinstance(headline, contract.Headline) and isinstance(headline.figure, Result)
            assert isinstance(headline.result, str) and headline.result and isinstance(headline.vintage, str)
            assert headline.met in (True, False, None) and headline.value == headline.figure.value
    for view in contract.yearly_views(module, sources, params):
        assert isinstance(view, contract.Yearly) and isinstance(view.measure, contract.Measure)
        assert isinstance(view.rows, pd.DataFrame) and YEARLY_COLUMNS <= set(view.rows.columns)
        assert view.chapter == name and len(view.rows)
    for label in chapter.labels:
        stems = {p.removesuffix("_first").removesuffix("_last") for p in chapter.parameters}
        assert label in stems, f"{name}: label for '{label}', which is no parameter of the chapter"
    if chapter.fetch:
        assert callable(load_function(chapter.fetch))


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_gives_the_contracts_names_with_their_types(name):
    chapter = load_registry().chapter(name)
    module = chapter.load_module()
    for required in contract.REQUIRED:
        assert callable(getattr(module, required, None)), f"{name}: no {required}"
    for optional in contract.OPTIONAL_FUNCTIONS:
        assert callable(getattr(module, optional, print)), f"{name}: {optional} is not a function"
    for optional, kind in contract.OPTIONAL_VALUES.items():
        assert isinstance(getattr(module, optional, kind()), kind), f"{name}: {optional} is not a {kind.__name__}"
    assert all(isinstance(m, contract.CommitmentMeasure) for m in contract.commitment_measures(module).values())
    assert set(contract.section_datasets(module)) <= set(chapter.datasets)
    text = contract.period_text(module, chapter.resolve_parameters())
    assert isinstance(text, str) and bool(text) == hasattr(module, "period_text")


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_with_printed_figures_gives_each_of_them_to_the_ledger(name):
    """A chapter has a ledger exactly when the report printed figures for it (data/published/), and its
    `ledger_figures` names every printed figure and no other, on the bundled data."""
    from analysis import ledger

    chapter = load_registry().chapter(name)
    module = chapter.load_module()
    printed = (ledger.LEDGER_DIR / f"{name}.csv").is_file()
    assert contract.has_ledger(module) == printed, f"{name}: printed figures and ledger_figures go together"
    if not printed:
        return
    sources = chapter_sources(chapter)
    params = module.validate_parameters(chapter.resolve_parameters(), sources)
    figures = contract.ledger_figures(module, sources, params)
    assert isinstance(figures, contract.LedgerFigures)
    names = set(ledger.published(name)["figure"])
    assert set(figures.values) == names
    assert all(v is None or isinstance(v, numbers.Real) for v in figures.values.values())
    assert set(figures.notes) <= names and all(isinstance(n, str) and n for n in figures.notes.values())
    assert set(figures.alternatives) <= names and all(isinstance(a, dict) for a in figures.alternatives.values())
    assert set(figures.tolerance) <= names and all(t >= 0 for t in figures.tolerance.values())
    assert len(ledger.compare(name, figures.values, figures.notes, tolerance=figures.tolerance,
                              alternatives=figures.alternatives)) == len(names)


def test_the_ledger_takes_only_a_chapters_ledger_figures():
    from analysis.page import prepare_chapter

    page = prepare_chapter("phb")
    with pytest.raises(TypeError, match="takes the chapter's LedgerFigures .analysis.contract., not dict"):
        page.ledger({"phb_march_2017": 1.0})


def test_a_chapter_giving_the_ledger_something_else_is_named():
    import types

    Chapter = types.ModuleType("analysis.odd")
    Chapter.ledger_figures = lambda sources, params: {"figure": 1.0}
    assert contract.has_ledger(Chapter) and not contract.has_ledger(object())
    with pytest.raises(TypeError, match="analysis.odd.ledger_figures gave dict, not LedgerFigures"):
        contract.ledger_figures(Chapter, {}, {})


def test_the_chapters_with_results_give_yearly_views_too():
    """Every chapter that puts a result on the front page for a financial year shows its years."""
    registry = load_registry()
    with_views = {c.name for c in registry.chapters if callable(getattr(c.load_module(), "yearly_views", None))}
    assert with_views == {"ae", "cancer", "mental-health", "phb", "rtt", "vanguards"}


@pytest.mark.parametrize("dataset", [d for d in load_registry().datasets.values() if d.names],
                         ids=lambda d: d.name)
def test_a_dataset_that_names_providers_reads_code_name_and_source(dataset):
    names = load_function(dataset.names)(resolve(dataset, None).files)
    assert list(names.columns) == ["code", "name", "source"] and len(names)
    assert names["source"].str.contains(", column ").all()


def imported_modules(path: Path) -> set[str]:
    """The absolute names of the `analysis` modules a file imports (relative imports resolved)."""
    package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if path.name == "__init__.py":
        package = package.removesuffix(".__init__")
    else:
        package = package.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            out.add(module)
            out |= {f"{module}.{alias.name}" for alias in node.names}  # `from . import cancer`
    return {m for m in out if m == "analysis" or m.startswith("analysis.")}


def packages() -> set[str]:
    """The chapters' packages (and the packages of data they share, like dtoc) and the front page."""
    return {p.name for p in ANALYSIS.iterdir() if (p / "__init__.py").is_file()} - SHARED_PACKAGES


def shared_modules(analysis: Path = ANALYSIS) -> list[Path]:
    """The modules that serve every chapter: those at the top of the package and in SHARED_PACKAGES."""
    return sorted([*analysis.glob("*.py"), *(p for name in SHARED_PACKAGES for p in (analysis / name).rglob("*.py"))])


def test_imports_of_a_file_are_read_with_relative_imports_resolved(tmp_path):
    assert imported_modules(ANALYSIS / "names.py") >= {"analysis.registry", "analysis.sources"}
    assert "analysis.contract" in imported_modules(ANALYSIS / "cancer" / "__init__.py")
    assert "analysis.yearly" in imported_modules(ANALYSIS / "vanguards" / "years.py")


def test_no_shared_module_imports_a_chapter_and_no_chapter_imports_the_front_page():
    chapter_packages = packages()
    assert {"cancer", "ae"} | PAGES_ABOVE <= chapter_packages
    wrong = []
    for path in shared_modules():
        for module in imported_modules(path):
            parts = module.split(".")
            if len(parts) > 1 and parts[1] in chapter_packages:
                wrong.append(f"{path.relative_to(ANALYSIS)} imports {module}")
    for path in sorted(ANALYSIS.glob("*/**/*.py")):
        if path.relative_to(ANALYSIS).parts[0] in {*PAGES_ABOVE, *SHARED_PACKAGES}:
            continue
        for module in imported_modules(path):
            if module.split(".")[1:2] and module.split(".")[1] in PAGES_ABOVE:
                wrong.append(f"{path.relative_to(ANALYSIS)} imports {module}")
    assert wrong == []


# A small chapter added to a copy of the repository: a registry entry, a package and a template.
TOY_ENTRY = """
[datasets.toy_counts]
title = "Toy counts"
publisher = "Nobody"
url = ""
pattern = "toy/toy_counts*.csv"

[[chapters]]
name = "toy"
title = "A toy chapter"
template = "notebooks/toy.md"
module = "analysis.toy"
datasets = ["toy_counts"]
[chapters.parameters]
period = "2016-17"
colour = ""
[chapters.labels]
colour = "Colour of the toy"
"""

TOY_MODULE = '''"""A toy chapter: counts summed from one CSV."""

import pandas as pd

from ..contract import entry
from ..errors import ParameterError
from ..page import Result
from ..periods import FinancialYear


def load(sources):
    return pd.concat([pd.read_csv(path) for path in sources["toy_counts"].files], ignore_index=True)


def validate_parameters(params, sources):
    year = FinancialYear.parse(params["period"])
    if year.label not in set(load(sources)["year"]):
        raise ParameterError("period", f"the toy counts do not cover {year.label}")
    return {**params, "period": year.label}


def total(sources, year) -> int:
    table = load(sources)
    return int(table.loc[table["year"] == year.label, "count"].sum())


def headline(sources, year):
    return {"toy_total": entry(Result("toys counted", total(sources, year), unit="count"), year.label)}
'''


def toy_template(path: Path) -> None:
    """The toy chapter's template, MyST text as every template is."""
    import jupytext

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A toy chapter\n\nThe toys counted: {glue:text}`toy_total`."),
                nbformat.v4.new_code_cell('period = "2016-17"\ncolour = ""\ndata_dir = ""',
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(
                    'from analysis import toy\nfrom analysis.page import Result, glue, open_chapter\n\n'
                    'ch = open_chapter("toy", period=period, colour=colour, data_dir=data_dir)\n'
                    'glue("toy_total", toy.total(ch.sources, ch.period))\n'
                    'ch.headline([Result("toys counted", toy.total(ch.sources, ch.period), unit="count")])\n'
                    'ch.close()')]
    path.write_text(jupytext.writes(nb, fmt="md:myst"), encoding="utf-8")


def registry_blocks(text: str) -> list[str]:
    """The registry's text cut before each dataset and each chapter (a chapter's sub-tables stay with it)."""
    blocks, current = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith(("[[chapters]]", "[datasets.")):
            blocks.append("".join(current))
            current = []
        current.append(line)
    return [*blocks, "".join(current)]


def front_page_only(text: str) -> str:
    """The registry with every dataset but, of the chapters, the front page alone (so the test runs two
    chapters, not all of them)."""
    front = f'module = "analysis.{FRONT_PAGE}"'
    return "".join(b for b in registry_blocks(text) if not b.startswith("[[chapters]]") or front in b)


def words(page: str) -> str:
    """A page's text: no scripts, styles or tags, spaces collapsed."""
    page = re.sub(r"<(script|style).*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def shared_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in shared_modules(root / "analysis")}


def test_a_new_chapter_builds_from_a_registry_entry_a_package_and_a_template(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO_ROOT, copy, ignore=shutil.ignore_patterns(".git", "_build", "__pycache__", "chapters",
                                                                   ".pytest_cache"))
    before = shared_files(copy)
    registry = copy / "chapters.toml"
    registry.write_text(front_page_only(registry.read_text()) + TOY_ENTRY)
    (copy / "analysis" / "toy").mkdir()
    (copy / "analysis" / "toy" / "__init__.py").write_text(TOY_MODULE)
    toy_template(copy / "notebooks" / "toy.md")
    (copy / "data" / "bundled" / "toy").mkdir(parents=True)
    (copy / "data" / "bundled" / "toy" / "toy_counts.csv").write_text("year,count\n2016-17,40\n2016-17,2\n")

    env = {**os.environ, "PYTHONPATH": str(copy)}
    done = subprocess.run([sys.executable, "-m", "analysis.cli", "run", "toy", "-p", "colour", "blue"], cwd=copy,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert shared_files(copy) == before  # no shared module was touched
    index = Path(done.stdout.strip().splitlines()[-1])
    page = index.parent / "chapters" / "toy.html"
    text = words(page.read_text())
    assert "The toys counted: 42 ." in text and "Colour of the toy: blue" in text  # the registry's label
    front = words((index.parent / "chapters" / "at-a-glance.html").read_text())
    assert "A toy chapter" in front and "42 toys counted" in front  # the front page reads it through the contract
