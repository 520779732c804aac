"""Provenance as data: each file's kind is derived from the data, and every label follows the kinds
of the inputs behind it (results box, banners, front page, ledger, record-level section)."""

from __future__ import annotations

import re
import shutil

import pytest

from analysis import glance
from analysis.errors import DataError
from analysis.page import Result, headline_html, prepare_chapter
from analysis.periods import FinancialYear
from analysis.provenance import Kind, banners_html, data_sentence, file_kind
from analysis.registry import load_registry
from analysis.sources import resolve_all

REGISTRY = load_registry()


def _sources(names, data_dir):
    return resolve_all(names, REGISTRY.datasets, data_dir)


def test_a_files_kind_follows_its_name_its_listing_and_its_columns(tmp_path):
    (tmp_path / "artificial_hes_apc_0102.csv").write_text("FYEAR\n0102\n")
    (tmp_path / "table.csv").write_text("item,value,document,line\na,1,000_x.txt,12\n")
    (tmp_path / "plain.csv").write_text("item,value\na,1\n")
    assert file_kind(tmp_path / "artificial_hes_apc_0102.csv", {}, frozenset(), "x") is Kind.ARTIFICIAL
    assert file_kind(tmp_path / "table.csv", {}, frozenset(), "x") is Kind.TRANSCRIBED
    assert file_kind(tmp_path / "plain.csv", {}, frozenset(), "x") is Kind.PUBLISHED
    assert file_kind(tmp_path / "plain.csv", {"kind": "Artificial"}, frozenset(), "x") is Kind.ARTIFICIAL
    assert file_kind(tmp_path / "plain.csv", {}, frozenset({"x"}), "x") is Kind.SYNTHETIC  # a listed checksum
    (tmp_path / "SYNTHETIC_README.txt").write_text("generated")
    assert file_kind(tmp_path / "plain.csv", {}, frozenset(), "x") is Kind.SYNTHETIC  # the extract's own marker


def test_an_unknown_kind_in_sources_csv_is_an_error_naming_the_file_and_column(tmp_path, real_data):
    folder = tmp_path / "hes"
    folder.mkdir()
    shutil.copy(real_data / "hes_artificial" / "artificial_hes_apc_0102.csv", folder / "my_hes_apc.csv")
    (folder / "sources.csv").write_text("file,publisher,title,url,date,sha256,synthetic,notes,kind\n"
                                        "my_hes_apc.csv,me,t,,2026-01-01,,no,,made up\n")
    with pytest.raises(DataError, match=r"sources\.csv.*kind 'made up' of my_hes_apc\.csv is not one of published"):
        _sources(["apc_records"], tmp_path)


def test_a_kind_declared_in_sources_csv_is_the_files_kind(tmp_path, real_data):
    folder = tmp_path / "hes"
    folder.mkdir()
    shutil.copy(real_data / "hes_artificial" / "artificial_hes_apc_0102.csv", folder / "extract_hes_apc.csv")
    (folder / "sources.csv").write_text("file,publisher,title,url,date,sha256,synthetic,notes,kind\n"
                                        "extract_hes_apc.csv,NHS Digital,t,,2026-01-01,,no,,artificial\n")
    source = _sources(["apc_records"], tmp_path)["apc_records"]
    assert source.kinds == [Kind.ARTIFICIAL]


def test_synthetic_and_artificial_figures_are_never_shown_as_results():
    figure = Result("seen within four hours", 96.0, standard=95)
    box = headline_html([figure], "2016/17", "x", [Kind.SYNTHETIC])
    assert "Not a result: synthetic sample, not judged" in box and ": met" not in box
    assert "handbook-result-met" not in box and "The results," not in box
    box = headline_html([figure], "2016/17", "x", [Kind.ARTIFICIAL])
    assert "Not a result: artificial records" in box and "handbook-result-met" not in box
    assert "Standard 95%: met" in headline_html([figure], "2016/17", "x", [Kind.PUBLISHED])


def test_the_results_box_title_names_the_kinds_that_are_not_results():
    title = lambda kinds: re.search(r'headline-title">(.*?), 2016/17<',
                                    headline_html([Result(str(i), 1.0) for i in range(len(kinds))], "2016/17", "x",
                                                  kinds)).group(1)
    assert title([Kind.PUBLISHED, Kind.TRANSCRIBED]) == "The results"
    assert title([Kind.SYNTHETIC, Kind.SYNTHETIC]) == "Figures from a synthetic sample, not results"
    assert title([Kind.ARTIFICIAL]) == "Figures from artificial records, not results"
    assert title([Kind.SYNTHETIC, Kind.ARTIFICIAL]) == ("Figures from artificial records and a synthetic sample, "
                                                        "not results")
    assert title([Kind.PUBLISHED, Kind.SYNTHETIC]) == "The results, and figures from a synthetic sample (not results)"


def test_a_results_box_mixing_kinds_says_which_figure_is_which():
    box = headline_html([Result("a", 1.0), Result("b", 2.0)], "2016/17", "x", [Kind.PUBLISHED, Kind.TRANSCRIBED])
    items = re.findall(r'<li class="handbook-result[^"]*">(.*?)</li>', box)
    assert "(real data (published files))" in items[0] and "(the report&#x27;s own tables (transcribed))" in items[1]
    single = headline_html([Result("a", 1.0), Result("b", 2.0)], "2016/17", "x", [Kind.PUBLISHED] * 2)
    assert "handbook-result-kind" not in single


def test_transcribed_figures_are_labelled_with_their_document_and_lines():
    sources = _sources(["finance_tables"], None)
    sentence = data_sentence(sources)
    assert sentence.startswith("Transcribed from NHS England Annual Report and Accounts 2016/17, lines 836–925")
    assert "published files" not in sentence
    banner = banners_html(sources)
    assert "handbook-transcribed" in banner and "handbook-synthetic" not in banner


def test_one_banner_per_kind_and_the_synthetic_one_claims_the_printed_figures_only_in_the_report_year(real_data):
    sources = {**_sources(["phb_quarterly", "ccg_population"], None),
               "apc_records": _sources(["apc_records"], real_data)["apc_records"]}
    banners = banners_html(sources, report_year=True)
    assert banners.count('class="admonition ') == 2
    assert "handbook-synthetic" in banners and "handbook-artificial" in banners
    assert "published by NHS Digital for testing, not real activity" in banners
    assert "reproduce the figures the annual report printed for 2016/17" in banners
    other = banners_html(sources, report_year=False)
    assert "reproduce the figures the annual report printed" not in other
    assert "reproduce no published figure" in other


def test_a_data_folder_with_artificial_records_keeps_them_out_of_the_results(tmp_path, real_data):
    """The new care models page on a folder of real MAR files, their population and NHS Digital's
    artificial HES sample: the results rest on the published MAR; the records say they are artificial."""
    for folder in ("mar", "population", "hes_artificial"):
        shutil.copytree(real_data / folder, tmp_path / folder)
    page = prepare_chapter("vanguards", data_dir=str(tmp_path))
    assert page.sources["apc_records"].kinds == [Kind.ARTIFICIAL]
    assert page.data_text().startswith("From the published files (real data)")
    assert "handbook-artificial" in page.header_html() and "handbook-synthetic" not in page.header_html()
    from analysis import vanguards

    text = vanguards.source_text(page.sources)
    assert "artificial records published by NHS Digital for testing, not real activity" in text
    assert "supplied" not in text


def test_the_front_page_derives_its_banner_and_data_column_from_the_chapters_inputs(real_data):
    """The 2016/17 front page on the real data: the new care models row rests on the real MAR (no
    banner for a MAR sample); PHB is a synthetic sample, so its figure is not shown as a result."""
    year = FinancialYear(2016)
    chapters = [c for c in glance.chapter_results(str(real_data), year) if c.name in ("phb", "vanguards")]
    banner = glance.banner_html(chapters, year)
    assert "Monthly Activity Return" not in banner and "Personal health budgets" in banner
    rows = glance.box_rows(chapters, year).set_index("chapter")
    assert rows.at["vanguards", "Data"] == "real data (published files)"
    assert rows.at["phb", "Key figure"].startswith("Not a result: computed from a synthetic sample")
    assert rows.at["phb", "Met"] == "not judged (synthetic sample)"
    later = [c for c in glance.chapter_results(str(real_data), FinancialYear(2017)) if c.name == "phb"]
    if later and not later[0].reason:  # the sample covers the year: still no figure, no verdict
        shown = glance.standard_rows(later)
        assert set(shown["Met"]) == {"not judged (synthetic sample)"}
        assert all(r.startswith("Not a result") for r in shown["Result"])


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("which", ["bundled_book", "real_book"])
def test_no_built_page_labels_disagree_with_the_kinds_of_its_inputs(request, which):
    book = request.getfixturevalue(which)
    pages = sorted((book / "_build" / "html" / "chapters").glob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text()
        kinds = {k.strip() for group in re.findall(r'<li data-kinds="([a-z, ]*)">', html) for k in group.split(",")}
        kinds.discard("")
        assert kinds, page.name
        banners = set(re.findall(r'class="admonition (?:warning|note) handbook-(\w+)"', html))
        if page.stem != "at-a-glance":  # the front page's banners follow its chapters' inputs (tested above)
            assert banners == kinds - {"published"}, (page.name, banners, kinds)
        box = (html.split('class="handbook-headline"')[1].split("</section>")[0]
               if 'class="handbook-headline"' in html else "")
        for verdict in re.findall(r'handbook-result-verdict">(.*?)</span>', box):
            judged = verdict.endswith(": met") or verdict.endswith(": not met")
            assert not (judged and "Not a result" in verdict), page.name
        if "synthetic" not in kinds and "artificial" not in kinds:
            assert "Not a result" not in box, page.name
        if "From the published files (real data)" in box:
            assert "published" in kinds, page.name
        if "Synthetic sample data" in html or "handbook-synthetic" in html:
            assert "synthetic" in kinds or page.stem == "at-a-glance", page.name
    front = (book / "_build" / "html" / "chapters" / "at-a-glance.html").read_text()
    box = front.split("handbook-glance-results")[1].split("</table>")[0]
    for row in re.findall(r"<tr>(.*?)</tr>", box):
        if 'data-label="Data"' not in row:  # the head
            continue
        data = re.search(r'data-label="Data"><div>(.*?)<', row).group(1)
        met = re.search(r'data-label="Met"><div>(.*?)<', row).group(1)
        if data in ("synthetic sample", "artificial records (not real activity)"):
            assert met.startswith("not judged") or met == "not covered", row
        else:
            assert "Not a result" not in row
