"""Sources: every file read shows a date that says what it is; a dataset with no files is not listed."""

import os
import re
import zipfile

import pytest

from analysis import sources
from analysis.errors import DataError
from analysis.page import parameter_sentences, prepare_chapter, provenance_html
from analysis.registry import Dataset

DEMO = Dataset("demo", "Demo files", "Nobody", "", "demo/*.*")


def _resolve(folder):
    return sources.resolve(DEMO, folder)


def test_a_recorded_date_is_shown_as_obtained(tmp_path):
    path = tmp_path / "demo" / "a.csv"
    path.parent.mkdir()
    path.write_text("x\n1\n")
    sources.record_files([path], publisher="NHS England", title="Demo", date="2017-05-11")
    entry = _resolve(tmp_path).entries[0]
    assert (entry.date, entry.date_kind, entry.date_text) == ("2017-05-11", "obtained", "obtained 2017-05-11")


def test_a_workbook_without_a_record_shows_the_date_its_publisher_saved_it(tmp_path):
    path = tmp_path / "demo" / "b.xlsx"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("docProps/core.xml", '<cp:coreProperties><dcterms:modified xsi:type="dcterms:W3CDTF">'
                                           "2017-06-08T09:30:00Z</dcterms:modified></cp:coreProperties>")
    entry = _resolve(tmp_path).entries[0]
    assert entry.date_text == "workbook saved 2017-06-08"


def test_otherwise_the_file_modification_date_is_shown_and_called_that(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    for name, stamp in (("c.csv", 1_500_000_000), ("d.csv", 1_510_000_000)):  # 2017-07-14, 2017-11-06
        (folder / name).write_text("x\n")
        os.utime(folder / name, (stamp, stamp))
    source = _resolve(tmp_path)
    assert [e.date_text for e in source.entries] == ["file modified 2017-07-14", "file modified 2017-11-06"]
    assert source.date_text == "file modified 2017-07-14 to 2017-11-06"


def test_bundled_pages_say_generated_or_transcribed_never_sample_for_a_transcription():
    finance = prepare_chapter("finance").sources["finance_tables"]
    assert finance.origin == "bundled with the handbook" and not finance.synthetic
    assert finance.date_text.startswith("transcribed ")
    for source in prepare_chapter("cancer").sources.values():
        assert source.origin == "bundled sample" and source.date_text.startswith("generated ")


def test_real_files_show_their_dates_and_an_empty_dataset_is_not_listed(real_data):
    cancer = prepare_chapter("cancer", data_dir=str(real_data)).sources
    assert cancer["cwt_national"].date_text == "workbook saved 2023-11-08"
    assert re.fullmatch(r"file modified \d{4}-\d{2}-\d{2}( to \d{4}-\d{2}-\d{2})?", cancer["cwt_provider"].date_text)
    page = prepare_chapter("vanguards", data_dir=str(real_data))
    assert not page.sources["mar_ages"].entries  # the real folder has no ages file
    listed = provenance_html(page.sources, parameter_sentences(page.parameters), page.period_text())
    assert "Monthly Activity Return" in listed and page.sources["mar_ages"].dataset.title not in listed
    assert "not recorded" not in listed and "no files" not in listed


def test_built_real_pages_show_a_date_for_every_source(real_book):
    for page in (real_book / "_build" / "html" / "chapters").glob("*.html"):
        html = page.read_text()
        if "handbook-sources" not in html:
            continue
        assert "not recorded" not in html and "<em>no files</em>" not in html, page.name
        block = html[html.index('class="handbook-sources"'):]
        block = block[:block.index("</ul><p>The page was run")]
        items = re.findall(r"<li[^>]*><strong>(.*?)</strong>.*?; ([^;]*?)\.<details>", block, flags=re.S)
        assert items, page.name
        for item in items:
            assert re.match(r"(obtained|transcribed|generated|workbook saved|file modified) \d{4}-\d{2}-\d{2}",
                            item[1]), (page.name, item)


def test_one_file_of_a_dataset(tmp_path):
    from analysis.registry import load_registry
    from analysis.sources import resolve

    dataset = load_registry().datasets["rtt_overview"]
    folder = tmp_path / "rtt"
    folder.mkdir()
    first = folder / "rtt_overview_time_series_a.xlsx"
    first.write_bytes(b"x")
    assert resolve(dataset, tmp_path).one_file("RTT overview workbook") == first
    (folder / "rtt_overview_time_series_b.xlsx").write_bytes(b"y")
    with pytest.raises(DataError, match=r"rtt_overview_time_series_b.xlsx: is a second RTT overview workbook "
                                        r"\(the first is rtt_overview_time_series_a.xlsx\); keep one"):
        resolve(dataset, tmp_path).one_file("RTT overview workbook")


def test_the_front_page_reads_each_dataset_from_where_its_chapter_reads_it(tmp_path):
    """The MAR and population files of a data folder make the vanguards chapter's group real while the
    personal health budgets chapter (whose group lacks its file there) stays bundled: the front page,
    which shows both chapters' figures, reads each from where its chapter does, so a changed MAR file
    changes its inputs (and its run key)."""
    import shutil

    from analysis.sources import BUNDLED_DIR, USER_ORIGIN

    for folder, pattern in (("mar", "mar_*commissioner_*.xlsx"), ("population", "registered_patients_ccg_*.csv")):
        (tmp_path / folder).mkdir()
        for path in (BUNDLED_DIR / folder).glob(pattern):
            shutil.copy(path, tmp_path / folder / path.name.replace("SAMPLE", "COPY"))
    front = prepare_chapter("at-a-glance", data_dir=str(tmp_path)).sources
    vanguards = prepare_chapter("vanguards", data_dir=str(tmp_path)).sources
    phb = prepare_chapter("phb", data_dir=str(tmp_path)).sources
    assert front["mar_monthly"].origin == vanguards["mar_monthly"].origin == USER_ORIGIN
    assert front["ccg_population (for vanguards)"].origin == USER_ORIGIN
    assert front["ccg_population (for phb)"].origin == phb["ccg_population"].origin != USER_ORIGIN
    before = {e.relative: e.sha256 for e in front["mar_monthly"].entries}
    changed = sorted((tmp_path / "mar").iterdir())[-1]
    shutil.copy(sorted((tmp_path / "mar").iterdir())[0], changed)
    after = {e.relative: e.sha256 for e in prepare_chapter("at-a-glance", data_dir=str(tmp_path)).sources["mar_monthly"].entries}
    assert before.keys() == after.keys() and before != after
