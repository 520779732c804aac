"""The built book: every registered chapter page, offline charts, banners, and nbval."""

import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from analysis import REPO_ROOT
from analysis.registry import load_registry

CHAPTERS = [c.name for c in load_registry().chapters]


def pages(book: Path):
    return sorted((book / "_build" / "html").rglob("*.html"))


def test_no_page_loads_anything_from_the_network(bundled_book):
    for page in pages(bundled_book):
        text = page.read_text()
        remote_scripts = re.findall(r'<script[^>]+src="(https?:)?//[^"]+"', text)
        assert not remote_scripts, f"{page.name} loads {remote_scripts}"
        assert "cdn.jsdelivr" not in text, page.name


@pytest.mark.parametrize("which", ["bundled_book", "real_book"])
def test_only_pages_with_a_chart_load_the_vega_bundle(request, which):
    """The bundle (about 0.9 MB) is loaded where a chart is drawn, and only there."""
    from analysis.charts import BUNDLE_NAME, CHART_CLASS

    book = request.getfixturevalue(which)
    loads = {}
    for page in pages(book):
        text = page.read_text()
        charts = text.count(f'class="{CHART_CLASS}"')
        bundle = len(re.findall(rf'<script src="[^"]*_static/{re.escape(BUNDLE_NAME)}(\?v=\w+)?"></script>', text))
        assert bundle == (1 if charts else 0), f"{page.name}: {charts} chart(s), the bundle loaded {bundle} time(s)"
        loads[page.relative_to(book / "_build" / "html").as_posix()] = bundle
    assert loads["index.html"] == 0 and loads["chapters/ae.html"] == 1
    assert 6 <= sum(loads.values()) < len(loads)


@pytest.mark.parametrize("name", CHAPTERS)
def test_bundled_chapter_pages_state_period_sources_and_synthetic_banner(bundled_book, name):
    html = (bundled_book / "_build" / "html" / "chapters" / f"{name}.html").read_text()
    assert "handbook-provenance" in html and "About the data and this run" in html and "The page covers" in html
    executed = bundled_book / "book" / "chapters" / f"{name}.ipynb"
    assert executed.is_file()


def test_chapters_reexecute_identically_under_nbval(bundled_book, tmp_path):
    """Strict nbval, no sanitizing: re-running each executed chapter gives the same outputs.

    One nbval run for every registered chapter (a kernel each, started afresh); one pytest
    process rather than one per chapter saves about a CPU-second a chapter. Each chapter's
    differing cells are named from nbval's report."""
    chapters = bundled_book / "book" / "chapters"
    report = tmp_path / "nbval.xml"
    result = subprocess.run(  # nbval alone: no other installed pytest plugin is loaded
        [sys.executable, "-m", "pytest", "-p", "nbval.plugin", "--nbval", "-q", "-p", "no:cacheprovider",
         f"--junitxml={report}", *(f"{name}.ipynb" for name in CHAPTERS)],
        capture_output=True, text=True, cwd=chapters,
        env={**os.environ, "PYTHONWARNINGS": "ignore", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert report.is_file(), result.stdout[-4000:] + result.stderr[-2000:]
    cells, differing = {}, {}
    for case in ElementTree.parse(report).iter("testcase"):
        chapter = case.get("classname").removesuffix(".ipynb")
        cells[chapter] = cells.get(chapter, 0) + 1
        failure = next((case.find(kind) for kind in ("failure", "error") if case.find(kind) is not None), None)
        if failure is not None:
            text = re.sub(r"(\x1b|#x1B)\[[0-9;]*m", "", failure.get("message") or "")  # colours, as pytest escapes them
            differing.setdefault(chapter, []).append(f"{case.get('name')}: {text.split('Traceback:')[-1][:1500]}")
    assert sorted(cells) == sorted(CHAPTERS) and all(cells.values()), f"cells checked per chapter: {cells}"
    assert differing == {}, "\n\n".join(f"{chapter}, {cell}" for chapter, found in differing.items() for cell in found)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def page_text(book, name):
    html = (book / "_build" / "html" / "chapters" / f"{name}.html").read_text()
    return html, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_ae_page_on_real_data_shows_89_1_without_a_banner(real_book):
    html, text = page_text(real_book, "ae")
    assert "handbook-synthetic" not in html
    assert "In 2016-17, 89.1% of England" in text and "Agrees: inside the range 89.05% to 89.15% that the printed rounding allows" in text
    assert "The data does not hold all of 2015-16" in text


def test_every_bundled_page_built_from_a_sample_says_so(bundled_book):
    for name in CHAPTERS:
        html, _ = page_text(bundled_book, name)
        synthetic = "(synthetic)" in html
        assert ("handbook-synthetic" in html) == synthetic, name


@pytest.mark.parametrize("name", ["cancer", "ae"])
def test_monthly_series_are_shown_as_spc_charts(bundled_book, name):
    html, text = page_text(bundled_book, name)
    assert "as an XmR chart" in html and "Variation: " in html
    assert "The latest month shows" in text and "against the target of" in text


def test_front_page_takes_computed_results_from_the_chapters(bundled_book, real_book):
    html, text = page_text(bundled_book, "at-a-glance")
    assert 'href="cancer.html"' in html and 'href="finance.html"' in html  # beside the front page, in chapters/
    # a chapter on a synthetic sample gives no result: the row shows the report's words and says why
    assert "computed from a synthetic sample (printed" not in text
    assert text.count("the chapter's figure on this build comes from a synthetic sample, so it is not shown as "
                      "a result") >= 3
    assert 'href="mental-health.html"' in html and 'href="rtt.html"' in html
    assert "£902 million computed from the report's own tables, transcribed (printed: £902 million" in text
    real_html, real_text = page_text(real_book, "at-a-glance")
    assert "computed from a synthetic sample (printed" not in real_text
    assert "82.0% computed from the data (printed: 82%" in real_text  # the national series' Annual Data sheet
    assert "90.3% computed from the data (printed: 90.3%" in real_text  # the RTT overview, as reported
    assert "73.7% computed from the data (printed: 73.7%" in real_text  # EIP, March 2017, summed over providers
    # dementia: England's own row, for the calendar year the file gives
    assert "67.9% (the file&#x27;s value for calendar 2017) computed from the data (printed: 68%" in real_text
    assert "89.1% computed from the data (printed: 89.1%" in real_text  # A&E, all types, 2016-17
    assert 'href="vanguards.html"' in real_html


def test_front_page_links_resolve_and_index_claims_only_what_the_book_shows(bundled_book):
    html_dir = bundled_book / "_build" / "html"
    front, _ = page_text(bundled_book, "at-a-glance")
    for target in set(re.findall(r'href="([a-z-]+)\.html"', front)):  # relative to chapters/at-a-glance.html
        assert (html_dir / "chapters" / f"{target}.html").is_file(), target
    index = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (html_dir / "index.html").read_text()))
    assert "every standard" not in index  # the front page lists the commitments and the computed standards only
    assert "every commitment the performance analysis lists for 2016/17" in index
    assert 'href="handbook-data.zip"' in (html_dir / "index.html").read_text()
    assert (html_dir / "handbook-data.zip").is_file()  # the data pack the index links to
    assert 'href="chapters/organisations.html"' in (html_dir / "index.html").read_text()
    for name in CHAPTERS:
        if name in ("at-a-glance", "organisations"):  # the pages above the chapters have no ledger
            continue
        page, _ = page_text(bundled_book, name)  # what the index promises of each chapter
        assert ("Reproduction ledger" in page and "vegaEmbed" in page
                and "About the data and this run: sources, dates, checksums" in page), name


def files_of_chapter(real_data: Path, name: str, folder: Path) -> Path:
    """`folder` holding links to the real files chapter `name` reads, and no others."""
    registry = load_registry()
    chapter = next(c for c in registry.chapters if c.name == name)
    for dataset in chapter.datasets:
        for path in real_data.glob(registry.datasets[dataset].pattern):
            (folder / path.relative_to(real_data)).parent.mkdir(parents=True, exist_ok=True)
            (folder / path.relative_to(real_data)).symlink_to(path)
    return folder


def test_ae_runs_for_a_later_year_on_the_real_file(real_data, tmp_path):
    """The A&E chapter executed for 2018-19 on the real A&E files, as `handbook run ae --period
    2018-19` executes it (that such a run changes that year's edition only is tests/book/test_editions.py's):
    real data, no banner, the year before compared, and no printed figure compared."""
    from conftest import run_chapter_alone

    period = "2018-19"
    data = files_of_chapter(real_data, "ae", tmp_path / "data")
    glued, html = run_chapter_alone(tmp_path, "ae", data_dir=str(data), period=period)
    assert f"The results, {period.replace('-', '/')}" in html and "handbook-synthetic" not in html
    previous = f"{int(period[:4]) - 1}-{period[2:4]}"
    assert glued["growth_sentence"].startswith("Attendances rose") and f"on {previous}" in glued["growth_sentence"]
    assert "Not compared." in html


def test_vanguard_monthly_series_are_shown_as_spc_charts(bundled_book):
    html, text = page_text(bundled_book, "vanguards")
    assert html.count("Variation: ") >= 3  # one chart per cohort
    assert "PACS: The latest month shows" in text and "Rest of England: The latest month shows" in text


def test_the_published_book_carries_no_local_absolute_paths(real_book, real_data):
    """Neither the pages nor the notebooks Sphinx publishes (_sources) name this machine's folders."""
    html = real_book / "_build" / "html"
    local = [str(real_data), str(real_book), str(REPO_ROOT), "/tmp/", "/work/", "/root/", "/home/"]
    found = []
    for path in html.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".txt", ".json") :
            text = path.read_text(errors="replace")
            found += [(path.relative_to(html).as_posix(), p) for p in local if p in text]
    assert found == []
    published = (html / "_sources" / "chapters" / "ae.ipynb").read_text()
    assert '"data_dir": "<your --data folder>"' in published
    assert 'data_dir = \\"<your --data folder>\\"' in published
