"""What the real-data book says about its figures follows the methods page's rules: no SPC assurance
after a shift, funnel limits widened for over-dispersion on like-with-like providers, standards
judged only in the years they apply, and denominators and periods named as counted."""

from __future__ import annotations

import html as html_module
import re

import pytest


def text_of(book, name: str) -> str:
    html = (book / "_build" / "html" / "chapters" / f"{name}.html").read_text()
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).replace("’", "'")


def sentence(text: str, start: str) -> str:
    i = text.index(start)
    return text[i:text.index("). ", i) + 1]


def test_rtt_page_claims_no_assurance_from_limits_the_process_has_left(real_book):
    text = text_of(real_book, "rtt")
    said = sentence(text, "36 months charted: The latest month shows")
    assert "special cause concern; the process has changed: the latest 8 months, from August 2016, all lie below " \
           "the centre line" in said
    assert "so the limits give no assurance against the target of 92" in said
    assert "hit and miss" not in said and "consistently" not in said
    assert "limits recalculated from December 2015 by the shift rule: 16 points below the earlier centre line" in said


@pytest.mark.parametrize("name, start", [("ae", "12 months charted:"), ("cancer", "36 months charted:"),
                                         ("mental-health", "16 months charted:")])
def test_every_spc_sentence_gives_assurance_only_without_a_change(real_book, name, start):
    said = sentence(text_of(real_book, name), start)
    changed = "the process has changed" in said or "the process is changing" in said
    assured = re.search(r"the process will (hit and miss|consistently pass|consistently fail)", said)
    assert changed != bool(assured), said


def test_the_ae_funnel_compares_type_1_departments_and_flags_a_plausible_number(real_book):
    text = text_of(real_book, "ae")
    assert "The funnel holds the 139 providers with a type 1 department (of the 246 in the data)" in text
    found = re.search(r"Against the exact binomial limits alone, (\d+) of the 139 providers lie outside the 99\.8% "
                      r"limits.*?widened for it by an additive random-effects spread of ([\d.]+) percentage points.*?"
                      r"against them (\d+) lie?s? outside the 99\.8% limits", text)
    assert found, "the A&E funnel sentence"
    binomial, tau, widened = int(found[1]), float(found[2]), int(found[3])
    assert (binomial, tau, widened) == (128, 5.9, 1)  # 244 of 246 were outside before, all types pooled
    assert widened <= 0.02 * 139 + 1  # about what chance and a few real outliers give, not almost everyone


def test_rtt_years_before_the_standard_applies_are_shown_without_a_verdict(real_book):
    text = text_of(real_book, "rtt")
    for year, percent in (("2011-12", "93.3%"), ("2013-14", "93.7%")):
        assert re.search(rf"{year} whole year {re.escape(percent)} not judged: the documents here set it from 2014-15 "
                         r"\(business plan, line 815\)", text), year
    assert re.search(r"2014-15 whole year 93\.1% met", text)


def test_denominators_units_and_periods_are_named_as_counted(real_book):
    cancer, rtt, mental = (text_of(real_book, n) for n in ("cancer", "rtt", "mental-health"))
    assert "82.0% of patients treated for cancer after an urgent GP referral for suspected cancer were treated " \
           "within 62 days of the referral" in cancer
    assert "urgently referred by their GP" not in cancer and "patients referred urgently by their GP" not in cancer
    assert "90.3% of incomplete pathways (the waiting list) had waited less than 18 weeks" in rtt
    assert "patients on the waiting list had" not in rtt
    assert "67.9% of the estimated number of people aged 65 and over with dementia had a diagnosis, the file's value " \
           "for calendar 2017" in mental
    front = text_of(real_book, "at-a-glance")
    assert "67.9% (the file's value for calendar 2017)" in front
