"""The built cancer page: table, chart, glued figures, ledger, banner."""

import re


def page(book):
    return (book / "_build" / "html" / "chapters" / "cancer.html").read_text()


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_bundled_page_shows_table_chart_glued_figures_and_banner(bundled_book):
    html = page(bundled_book)
    text = text_of(html)
    assert "handbook-synthetic" in html and "Synthetic sample data" in text
    assert "62-day (GP urgent referral) 85% 82.0% no" in text
    assert "31-day first treatment 96%" in text
    assert 'class="handbook-chart"' in html and "vegaEmbed(" in html and "handbook-data-link" in html
    assert "119,798 patients referred urgently by their GP" in text
    assert "the NHS met 7 of the 8 standards" in text
    assert "That is an increase of 5,902 (5.2%) on the 113,896 treated within 62 days in 2015-16" in text
    assert "Agrees within the printed rounding." in text and "Differs" not in text


def test_real_data_page_has_no_banner_and_shows_the_revised_series(real_book):
    html = page(real_book)
    text = text_of(html)
    assert "handbook-synthetic" not in html
    assert "your data folder" in text
    assert "117,901.5 patients referred urgently by their GP" in text
    assert "81.9%" in text and "the NHS met 7 of the 8 standards" in text
    assert "Differs by -1,896.5" in text
