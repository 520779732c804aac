"""The registry drives everything: check each chapter's template, module and data."""

import ast
import hashlib

import pytest

from analysis.build.plan import TOC_FILE, toc_text
from analysis.registry import load_registry
from analysis.sources import BUNDLED_DIR, DATA_DIR, SOURCES_FILE, read_sources_csv
from analysis.templates import notebook

REGISTRY = load_registry()
CHAPTERS = [c.name for c in REGISTRY.chapters]


def test_committed_toc_matches_the_registry():
    assert TOC_FILE.read_text() == toc_text(REGISTRY)


@pytest.mark.parametrize("name", CHAPTERS)
def test_template_converts_with_a_parameters_cell_matching_the_registry(name):
    """Each template is MyST text that converts to the notebook papermill runs, with its kernel
    and one `parameters` cell assigning exactly the registry's parameters."""
    chapter = REGISTRY.chapter(name)
    assert chapter.template.suffix == ".md"
    nb = notebook(chapter.template)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assigned = {t.id: ast.literal_eval(node.value) for node in ast.parse(tagged[0].source).body
                for t in node.targets}
    assert assigned == {**chapter.parameters, "data_dir": ""}
    assert hasattr(chapter.load_module(), "validate_parameters")


@pytest.mark.parametrize("name", CHAPTERS)
def test_default_parameters_are_valid_on_the_bundled_data(name):
    from analysis.page import prepare_chapter

    page = prepare_chapter(name)
    assert any(source.files for source in page.sources.values()), "the chapter has no bundled data"
    for source in page.sources.values():
        if source.dataset.sample:
            assert source.files, f"dataset '{source.dataset.name}' has a generator but no bundled files"


def test_the_front_page_reads_every_dataset_its_chapters_read():
    """The front page computes each chapter's headline from that chapter's datasets
    (`analysis.glance.sources_for`), so they are its inputs too (`reads_chapters`): in its run key
    and its sources."""
    from analysis.glance import headline_chapters
    from analysis.page import prepare_chapter

    assert REGISTRY.chapter("at-a-glance").reads_chapters
    read = {dataset for chapter in headline_chapters() for dataset in chapter.datasets}
    inputs = {source.dataset.name for source in prepare_chapter("at-a-glance").sources.values()}
    assert read - inputs == set()


def data_files():
    return sorted(p for p in DATA_DIR.rglob("*")
                  if p.is_file() and p.name not in (SOURCES_FILE, "README.md"))


@pytest.mark.parametrize("path", data_files(), ids=lambda p: str(p.relative_to(DATA_DIR)))
def test_every_data_file_is_listed_with_its_checksum(path):
    listed = read_sources_csv(path.parent).get(path.name)
    assert listed, f"{path.relative_to(DATA_DIR)} is not listed in {SOURCES_FILE} beside it"
    assert listed["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), \
        "the file changed since it was listed: raw inputs are immutable"
    for column in ("publisher", "date", "synthetic"):
        assert listed[column], f"{column} is empty"
    if path.is_relative_to(BUNDLED_DIR):
        assert listed["synthetic"] in ("yes", "no")


@pytest.mark.parametrize("spec", sorted({d.sample for d in REGISTRY.datasets.values() if d.sample}))
def test_samples_regenerate_byte_for_byte(spec, tmp_path):
    from analysis.samples import generator

    for path in generator(spec)(tmp_path):
        relative = path.relative_to(tmp_path)
        bundled = BUNDLED_DIR / relative
        assert bundled.is_file(), f"{relative} is generated but not bundled"
        assert path.read_bytes() == bundled.read_bytes(), f"{relative} differs when regenerated"
