"""The built cancer page: table, chart, glued figures with their sources, ledger, banner."""

import re


def page(book):
    return (book / "_build" / "html" / "chapters" / "cancer.html").read_text()


def text_of(html):
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def test_bundled_page_shows_each_figure_with_its_sheet(bundled_book):
    html = page(bundled_book)
    text = text_of(html)
    assert "handbook-synthetic" in html and "Synthetic sample data" in text
    assert "62-day (GP urgent referral) 85% 82.0% no 119,798 146,110 national time series, Annual Data sheet, row 6" in text
    assert "31-day first treatment 96%" in text
    assert 'class="handbook-chart"' in html and "vegaEmbed(" in html and "handbook-data-link" in html
    assert ("Of the 146,110 patients treated for cancer in 2016-17 after an urgent GP referral for suspected cancer, "
            "119,798 were treated within 62 days of the referral") in text  # the denominator is patients treated
    assert "patients referred urgently by their GP" not in text and "urgently referred by their GP" not in text
    assert "(from the national time series, Annual Data sheet, row 6 )" in text
    assert "the NHS met 7 of the 8 standards" in text
    assert ("That is an increase of 5,902 (5.2%) on the 113,896 treated within 62 days in 2015-16 (both years "
            "from the national time series, Annual Data sheet).") in text
    assert ("Summed over the twelve months of the national time series, Monthly Data sheet, the same year gives "
            "117,900 treated within 62 days out of 144,000 (81.9%): 1,898 fewer") in text
    assert "2016-17 Q1" in text and "Quarter minus its months" in text
    assert "(from the national time series, Monthly Data sheet )" in text
    assert ("That is the same as the twelve months of the Monthly Data sheet. The funnel is centred on the "
            "providers’ own rate for the year, 81.9%. The ranking threshold is 73 patients treated; 30 of the 30 "
            "providers reach it") in text
    assert "19 of the 30 provider(s) shown met the standard over the year." in text
    assert "Holds by construction" in text and "Agrees:" not in text and "Differs" not in text
    assert "revised" not in text.lower() and "revision" not in text.lower()


def test_real_data_page_reproduces_the_printed_figures_from_the_annual_sheet(real_book):
    html = page(real_book)
    text = text_of(html)
    assert "handbook-synthetic" not in html
    assert "your data folder" in text
    assert ("Of the 146,080.5 patients treated for cancer in 2016-17 after an urgent GP referral for suspected "
            "cancer, 119,797.5 were treated within 62 days of the referral") in text
    assert "a performance of 82.0 %" in text and "the NHS met 7 of the 8 standards" in text
    assert "That is an increase of 5,901.5 (5.2%) on the 113,896 treated within 62 days in 2015-16" in text
    assert ("117,901.5 treated within 62 days out of 143,986.5 (81.9%): 1,896 fewer treated within 62 days than "
            "the national time series, Annual Data sheet.") in text
    assert "1,876,819" in text
    assert text.count("Differs") == 1 and "1,726,121 (2015/16) fits the printed figure." in text  # "over 1.7 million"
    assert "revised" not in text.lower() and "revision" not in text.lower()
