"""The reproduction ledger: one tolerance rule per printing style, tested at both edges; other years
and measures that fit; phrases; variants chosen before comparing; no verdict outside its range."""

import io
import math
import re
import shutil
from html import unescape

import numpy as np
import pandas as pd
import pytest

from analysis import ledger, rtt
from analysis.datapack import page_downloads
from analysis.errors import DataError, HandbookError
from analysis.page import prepare_chapter
from analysis.periods import FinancialYear

HEADER = "figure,label,printed,style,value,unit,decimals,document,line,quote\n"
LEDGER = HEADER + """performance,Performance,82%,rounded,82,percent,0,000.txt,113,"performance of 82%, against"
treated,Treated within 62 days,"119,798",rounded,119798,count,0,000.txt,113,"119,798 patients"
referrals_rounded,Referrals,1.7 million,rounded,1700000,count,0,000.txt,105,"1.7 million referrals"
budget,Budget,£1.2bn,rounded,1200,gbp_m,0,000.txt,830,"a budget of £1.2bn"
cell,Table cell in £m,154,rounded,154,gbp_m,0,000.txt,844,"154 (£m)"
overspend,Overspend,(15),rounded,-15,gbp_m,0,000.txt,844,"(15) (£m)"
met,Standards met,seven,rounded,7,count,0,000.txt,113,"met seven out of the eight"
less,How much less it grew,two-thirds,rounded,67,percent,0,000.txt,379,"by two-thirds less"
referrals,Urgent referrals,over 1.7 million,over,1700000,count,0,000.txt,105,"Over 1.7 million urgent referrals"
multiple,Multiple on September 2015,more than double,more than,2,ratio,0,000.txt,560,"more than double the number"
almost,Share seen,almost 90%,almost,90,percent,0,000.txt,200,"almost 90% were seen"
nearly,People helped,nearly 3.5 million,nearly,3500000,count,0,000.txt,171,"nearly 3.5 million people"
around,Around a million,around 1.2 million,around,1200000,count,0,000.txt,300,"around 1.2 million people"
delays,Growth in delays,sharp increases,phrase,,percent,1,000.txt,357,"as a result of sharp increases in delays"
"""
FIGURES = pd.read_csv(io.StringIO(LEDGER))["figure"].tolist()


@pytest.fixture
def ledger_dir(tmp_path, monkeypatch):
    (tmp_path / "demo.csv").write_text(LEDGER)
    monkeypatch.setattr(ledger, "LEDGER_DIR", tmp_path)
    return tmp_path


def judge(figure, value, **kwargs):
    """The ledger row for one demo figure given `value` (every other figure not computable)."""
    reproduced = {name: None for name in FIGURES} | {figure: value}
    return ledger.compare("demo", reproduced, **kwargs).set_index("figure").loc[figure]


# One printing style per block: just inside, just outside (both sides) and on each edge.
EDGES = [
    # rounded: half a rounding step either side, both ends included
    ("performance", 82.49, True), ("performance", 81.51, True), ("performance", 82.51, False),
    ("performance", 81.49, False), ("performance", 81.5, True), ("performance", 82.5, True),
    ("treated", 119_798.4, True), ("treated", 119_798.6, False), ("treated", 119_797.5, True),
    ("referrals_rounded", 1_749_999, True), ("referrals_rounded", 1_750_001, False),
    ("referrals_rounded", 1_650_000, True), ("referrals_rounded", 1_649_999, False),
    ("budget", 1_249, True), ("budget", 1_251, False), ("budget", 1_150, True), ("budget", 1_149.9, False),
    ("cell", 154.5, True), ("cell", 154.51, False),
    ("overspend", -15.5, True), ("overspend", -14.5, True), ("overspend", -15.51, False), ("overspend", 15, False),
    ("met", 7, True), ("met", 7.5, True), ("met", 8, False),
    ("less", 200 / 3, True), ("less", 58.34, True), ("less", 58.33, False), ("less", 70.83, True),
    ("less", 70.84, False), ("less", 53.7, False),
    # over / more than: from the figure up to, not including, the next rounding step
    ("referrals", 1_700_001, True), ("referrals", 1_799_999, True), ("referrals", 1_700_000, True),
    ("referrals", 1_800_000, False), ("referrals", 1_699_999, False), ("referrals", 1_876_819, False),
    ("multiple", 2.0, True), ("multiple", 2.99, True), ("multiple", 3.0, False), ("multiple", 1.99, False),
    # almost / nearly: from one rounding step below up to, not including, the figure
    ("almost", 89.0, True), ("almost", 89.99, True), ("almost", 90.0, False), ("almost", 88.99, False),
    ("nearly", 3_400_000, True), ("nearly", 3_499_999, True), ("nearly", 3_500_000, False),
    ("nearly", 3_399_999, False),
    # around: the rounded figure's range
    ("around", 1_250_000, True), ("around", 1_150_000, True), ("around", 1_250_001, False),
    ("around", 1_149_999, False),
]


@pytest.mark.parametrize("figure, value, agrees", EDGES, ids=[f"{f}={v:g}" for f, v, _ in EDGES])
def test_each_printing_style_agrees_only_inside_its_range(ledger_dir, figure, value, agrees):
    row = judge(figure, value)
    assert row["agrees"] is agrees
    assert row["status"] == ("agrees" if agrees else "differs")
    assert row["verdict"].startswith("Agrees: inside the range" if agrees else "Differs by ")


def test_the_stated_ranges(ledger_dir):
    shown = ledger.display_table(ledger.compare("demo", {name: None for name in FIGURES})).set_index("Figure")
    assert shown["Tolerance"].to_dict() == {
        "Performance": "81.5% to 82.5%", "Treated within 62 days": "119,797.5 to 119,798.5",
        "Referrals": "1,650,000 to 1,750,000", "Budget": "£1,150m to £1,250m", "Table cell in £m": "£153.5m to £154.5m",
        "Overspend": "£-15.5m to £-14.5m", "Standards met": "6.5 to 7.5", "How much less it grew": "58.33% to 70.83%",
        "Urgent referrals": "1,700,000 to under 1,800,000", "Multiple on September 2015": "2 to under 3",
        "Share seen": "89% to under 90%", "People helped": "3,400,000 to under 3,500,000",
        "Around a million": "1,150,000 to 1,250,000", "Growth in delays": "none: no number printed"}
    assert shown.loc["Urgent referrals", "Published"] == "over 1.7 million"
    assert shown.loc["Table cell in £m", "Published"] == "£154m"  # a bare table cell gets its unit
    assert shown.loc["Standards met", "Published"] == "seven"


def test_a_difference_gives_its_size_and_its_distance_from_the_range(ledger_dir):
    row = judge("referrals", 1_876_819)
    assert row["verdict"].startswith(
        "Differs by 176,819 (+10.4% of the printed figure): 76,819 above the range 1,700,000 to under 1,800,000 "
        "that \u201cover\u201d allows")
    assert row["gap"] == 76_819 and row["difference"] == 176_819
    assert judge("referrals", 1_800_000)["verdict"].startswith(
        "Differs by 100,000 (+5.9% of the printed figure): at the excluded end of the range 1,700,000 to under "
        "1,800,000")
    below = judge("almost", 88.0)
    assert below["gap"] == pytest.approx(-1.0) and "1.0 percentage points below the range 89% to under 90%" in \
        below["verdict"]
    assert judge("performance", 84.54)["verdict"].startswith(
        "Differs by 2.5 percentage points (+3.1% of the printed figure): 2.0 percentage points above the range")


def test_another_year_that_fits_is_named_only_when_the_figure_differs(ledger_dir):
    years = {"2015/16": 1_726_121, "2017/18": 1_947_568}
    row = judge("referrals", 1_876_819, alternatives={"referrals": years})
    assert row["status"] == "differs" and row["fits_better"] == "2015/16"
    assert "1,726,121 (2015/16) fits the printed figure." in row["verdict"]
    assert "2017/18" not in row["verdict"]
    agreeing = judge("referrals", 1_750_000, alternatives={"referrals": years})
    assert agreeing["fits_better"] == "" and "fits the printed figure" not in agreeing["verdict"]
    none_fit = judge("referrals", 1_876_819, alternatives={"referrals": {"2017/18": 1_947_568, "2018/19": None}})
    assert none_fit["fits_better"] == "" and "fits" not in none_fit["verdict"]
    with pytest.raises(HandbookError, match="alternatives is given for 'other'"):
        ledger.compare("demo", {name: None for name in FIGURES}, alternatives={"other": {"2015/16": 1}})


def test_a_phrase_is_shown_as_printed_with_no_value_and_no_verdict(ledger_dir):
    for synthetic in (False, True):
        row = judge("delays", 24.6, synthetic=synthetic)
        assert row["status"] == "not judged" and row["agrees"] is None
        assert pd.isna(row["published"]) and pd.isna(row["low"]) and pd.isna(row["high"])
        assert row["verdict"].startswith("Not judged: the report printed no number here, only the words "
                                         "\u201csharp increases\u201d")
        assert "Agrees" not in row["verdict"] and "Differs" not in row["verdict"]
    shown = ledger.display_table(ledger.compare("demo", {name: None for name in FIGURES} | {"delays": 24.6}))
    row = shown.set_index("Figure").loc["Growth in delays"]
    assert row["Published"] == "\u201csharp increases\u201d" and row["Reproduced"] == "24.60%"
    assert row["Agrees"] == "not judged" and "0.0%" not in row.to_string()


@pytest.mark.parametrize("row, message", [
    ("x,X,sharp increases,phrase,0,percent,1,000.txt,357,sharp increases", "a phrase has no number"),
    ("x,X,up 5%,phrase,,percent,1,000.txt,357,up 5%", "a phrase has no number"),
    ("x,X,over 1.7 million,rounded,1700000,count,0,000.txt,105,Over 1.7 million", "do not match the style 'rounded'"),
    ("x,X,1.7 million,over,1700000,count,0,000.txt,105,1.7 million", "do not match the style 'over'"),
    ("x,X,1.7 million,rounded,1600000,count,0,000.txt,105,1.7 million", "read as 1,700,000, not the value 1,600,000"),
    ("x,X,1.8 million,rounded,1800000,count,0,000.txt,105,1.7 million", "the printed words '1.8 million' are not in"),
    ("x,X,82%,rounded,82,count,0,000.txt,113,82%", "is a percentage, but the figure's unit is count"),
    ("x,X,£902,rounded,902,gbp_m,0,000.txt,830,£902", "needs its scale"),
    ("x,X,1.7 million,sort of,1700000,count,0,000.txt,105,1.7 million", "style 'sort of' is not one of"),
    ("x,X,(15),rounded,15,gbp_m,0,000.txt,844,(15)", "\\(negative\\), not the value 15"),
])
def test_a_printed_figure_that_does_not_read_as_its_style_and_value_is_named(ledger_dir, row, message):
    (ledger_dir / "bad.csv").write_text(HEADER + row + "\n")
    with pytest.raises(DataError, match=r"bad.csv, row 2, column '\w+': .*" + message):
        ledger.published("bad")


def test_every_printed_figure_must_be_given(ledger_dir):
    with pytest.raises(HandbookError, match="no reproduced value given for 'treated'"):
        ledger.compare("demo", {"performance": 82})
    with pytest.raises(HandbookError, match="reproduced value is given for 'other', which is not a published"):
        ledger.compare("demo", {name: None for name in FIGURES} | {"other": 1})


def test_uncomputable_figure_is_shown_not_hidden(ledger_dir):
    row = ledger.compare("demo", {name: None for name in FIGURES},
                         notes={"performance": "The data has no 2015-16."}).set_index("figure").loc["performance"]
    assert row["agrees"] is None
    assert row["verdict"] == "Not computable from this data. The data has no 2015-16."
    shown = ledger.display_table(ledger.compare("demo", {name: None for name in FIGURES} | {"performance": 81.94}))
    assert shown.loc[0, "Published"] == "82%" and shown.loc[0, "Reproduced"] == "81.9%"


def test_on_synthetic_data_an_agreeing_figure_holds_by_construction(ledger_dir):
    figures = {name: None for name in FIGURES} | {"performance": 82.2, "treated": 119798, "multiple": 2.1}
    real = ledger.compare("demo", figures).set_index("figure")
    synthetic = ledger.compare("demo", figures, synthetic=True).set_index("figure")
    chosen = ["performance", "treated", "multiple"]
    assert list(real.loc[chosen, "status"]) == ["agrees"] * 3
    assert list(synthetic.loc[chosen, "status"]) == ["by construction"] * 3
    assert all(v.startswith("Holds by construction") for v in synthetic.loc[chosen, "verdict"])
    assert not any("Agrees" in v for v in synthetic["verdict"])
    # A sample that fails to reproduce its figure is shown as differing, synthetic or not.
    wrong = ledger.compare("demo", figures | {"treated": 1}, synthetic=True).set_index("figure")
    assert wrong.loc["treated", "status"] == "differs" and wrong.loc["treated", "verdict"].startswith("Differs")


def test_tolerance_widens_the_range_by_the_rounding_of_the_inputs(ledger_dir):
    # 119,796: 2 from the printed 119,798, beyond its rounding (0.5) but within 0.5 + 3 x 0.5.
    assert judge("treated", 119_796)["status"] == "differs"
    widened = judge("treated", 119_796, tolerance={"treated": 1.5})
    assert widened["status"] == "agrees" and widened["tolerance"] == 1.5
    assert (widened["low"], widened["high"]) == (119_796, 119_800)
    assert widened["verdict"] == ("Agrees: inside the range 119,796 to 119,800 that the printed rounding allows (half "
                                  "a rounding step either side), widened by 1.5 either side for the rounding of its "
                                  "inputs.")
    assert judge("treated", 119_795.9, tolerance={"treated": 1.5})["status"] == "differs"
    with pytest.raises(HandbookError, match="tolerance is given for 'other'"):
        ledger.compare("demo", {name: None for name in FIGURES}, tolerance={"other": 1})
    with pytest.raises(HandbookError, match="must be a non-negative number"):
        ledger.compare("demo", {name: None for name in FIGURES}, tolerance={"treated": -1})


def test_a_page_for_another_year_compares_nothing(ledger_dir):
    rows = ledger.compare("demo", {name: 1.0 for name in FIGURES}, other_year="2017-18").set_index("figure")
    assert set(rows["status"]) == {"not compared"}
    assert rows.loc["delays", "verdict"] == ("Not compared. This page is for 2017-18; the report printed this figure "
                                             "for 2016-17, so they are not compared.")
    # a note of the chapter's own with the same words is only a note: the figure is still compared
    row = ledger.compare("demo", {name: None for name in FIGURES},
                         notes={"delays": "This page is for 2017-18; ..."}).set_index("figure").loc["delays"]
    assert row["status"] == "not judged"



def test_the_methods_page_states_the_rule_of_every_printing_style():
    from analysis import REPO_ROOT

    methods = (REPO_ROOT / "book" / "methods.md").read_text()
    rules = methods[methods.index("## The reproduction ledger"):methods.index("## How a page shows its results")]
    headings = {"rounded": "**Rounded**", "around": "**Around X**", "over": "**Over X**", "more than": "**more than X**",
                "almost": "**Almost X**", "nearly": "**nearly X**", "phrase": "**A phrase with no number**"}
    assert set(headings) == set(ledger.STYLES)
    for style, heading in headings.items():
        assert heading in rules, style
    assert "data/reference/ledger_variants.csv" in rules

# Variants: chosen from the documents' definitions, never from the print.

Y2016 = FinancialYear(2016)


@pytest.fixture(scope="module")
def bundled_rtt():
    return prepare_chapter("rtt")


def reprint(folder, figure, printed, value):
    """A copy of data/published with one RTT figure printed differently."""
    shutil.copytree(ledger.LEDGER_DIR, folder)
    table = pd.read_csv(folder / "rtt.csv", dtype=str, keep_default_na=False)
    row = table["figure"] == figure
    quote = table.loc[row, "quote"].iloc[0]
    old = table.loc[row, "printed"].iloc[0]
    table.loc[row, ["printed", "value", "quote"]] = [printed, value, quote.replace(old, printed)]
    table.to_csv(folder / "rtt.csv", index=False)
    return folder


def test_the_variant_compared_does_not_depend_on_the_printed_figure(bundled_rtt, tmp_path, monkeypatch):
    figures = rtt.ledger_figures(bundled_rtt.sources, bundled_rtt.parameters)
    reproduced = figures.values
    variants = {"per calendar day, as reported": reproduced["completed_per_day_growth"]}
    variants |= figures.alternatives["completed_per_day_growth"]
    assert len(variants) == 6
    seen = set()
    # Print each variant's own value (rounded as the report prints) in turn: the one compared stays the same.
    for i, value in enumerate(variants.values()):
        folder = reprint(tmp_path / str(i), "completed_per_day_growth", f"{value:.1f}%", f"{value:.1f}")
        monkeypatch.setattr(ledger, "LEDGER_DIR", folder)
        again = rtt.ledger_figures(bundled_rtt.sources, bundled_rtt.parameters)
        assert again.values["completed_per_day_growth"] == reproduced["completed_per_day_growth"]
        assert "Variant compared: per calendar day, as reported" in again.notes["completed_per_day_growth"]
        seen.add(ledger.compare("rtt", again.values, again.notes).set_index("figure").at["completed_per_day_growth",
                                                                                         "status"])
    assert seen == {"agrees", "differs"}  # the verdict follows the print; the choice does not


def test_a_variant_choice_must_be_computed_and_cite_its_source(tmp_path, monkeypatch):
    with pytest.raises(HandbookError, match="the chosen variant 'per calendar day, as reported' of "
                                            "'completed_per_day_growth' is not among those computed"):
        ledger.choose("rtt", "completed_per_day_growth", {"per working day, as reported": 1.0})
    with pytest.raises(HandbookError, match="no variant is chosen for 'incomplete_within_18_weeks'"):
        ledger.choose("rtt", "incomplete_within_18_weeks", {"reported": 1.0})
    uncited = tmp_path / "ledger_variants.csv"
    uncited.write_text('chapter,figure,variant,reason\nrtt,x,y,"Because it fits."\n')
    monkeypatch.setattr(ledger, "VARIANTS_FILE", uncited)
    with pytest.raises(DataError, match="row 2, column 'reason': each reason cites a document and line"):
        ledger.variant_reasons()


# No verdict can agree with a value outside its stated tolerance: every printed figure, many values.

def published_rows():
    return [(chapter, row) for chapter in sorted(p.stem for p in ledger.LEDGER_DIR.glob("*.csv") if p.stem != "sources")
            for row in ledger.published(chapter).itertuples(index=False)]


def test_no_verdict_agrees_outside_its_tolerance_for_any_printed_figure():
    """Every printed figure of data/published/*.csv, at each edge of its range, a hair either side,
    a whole range either side and at random points around it (each chapter's figures all at once)."""
    rng = np.random.default_rng(20170331)
    rows = published_rows()
    assert {chapter for chapter, _ in rows} == {"ae", "cancer", "finance", "mental-health", "phb", "rtt", "vanguards"}
    samples, ranges = {}, {}
    for chapter, row in rows:
        if row.style == "phrase":
            samples[chapter, row.figure] = [1.0] * 30
            continue
        allowed = ranges[chapter, row.figure] = ledger.tolerance_of(row.printed, row.style, row.value, row.unit)
        width = allowed.high - allowed.low
        tiny = 1e-6 * max(1.0, width)
        values = [e + d for e in (allowed.low, allowed.high) for d in (0.0, -tiny, tiny, -width, width)]
        samples[chapter, row.figure] = values + list(rng.uniform(allowed.low - 2 * width, allowed.high + 2 * width, 20))
    for chapter in {chapter for chapter, _ in rows}:
        figures = ledger.published(chapter)["figure"].tolist()
        for k in range(30):
            result = ledger.compare(chapter, {f: samples[chapter, f][k] for f in figures}).set_index("figure")
            for figure in figures:
                if (chapter, figure) not in ranges:
                    assert result.at[figure, "status"] == "not judged"
                    continue
                allowed, value = ranges[chapter, figure], samples[chapter, figure][k]
                inside = allowed.low <= value and (value < allowed.high if allowed.high_open else value <= allowed.high)
                assert bool(result.at[figure, "agrees"]) == inside, (chapter, figure, value, allowed)
                assert (result.at[figure, "low"], result.at[figure, "high"]) == (allowed.low, allowed.high)


def built_ledgers(book):
    """Every ledger row of a built book's report-year chapters, from the pages' own CSV downloads."""
    frames = []
    for page in sorted((book / "_build" / "html" / "chapters").glob("*.html")):
        for name, text in page_downloads(page):
            table = pd.read_csv(io.StringIO(text))
            if {"figure", "status", "low", "high", "high_open"} <= set(table.columns):
                frames.append(table.assign(page=page.stem))
    return pd.concat(frames, ignore_index=True)


def test_built_books_show_every_printed_figure_and_no_verdict_outside_its_tolerance(bundled_book, real_book):
    printed = {(chapter, row.figure) for chapter, row in published_rows()}
    for book in (bundled_book, real_book):
        rows = built_ledgers(book)
        assert {(r.page, r.figure) for r in rows.itertuples()} == printed, book.name
        for r in rows.itertuples():
            if r.style == "phrase":
                assert r.status == "not judged" and pd.isna(r.published) and pd.isna(r.low), (book.name, r.figure)
                continue
            assert not pd.isna(r.low) and not pd.isna(r.high), (book.name, r.figure)
            if r.status in ("agrees", "by construction"):
                high_ok = r.reproduced < r.high if r.high_open else r.reproduced <= r.high + 1e-9 * abs(r.high)
                assert r.low - 1e-9 * abs(r.low) <= r.reproduced and high_ok, (book.name, r.figure)
            elif r.status == "differs":
                assert r.reproduced < r.low or r.reproduced > r.high or (r.high_open and r.reproduced >= r.high)
            else:
                assert r.status in ("not computable", "not compared") and math.isnan(r.reproduced)


def _ledger_text(html: str) -> str:
    """The text of a built page's reproduction ledger table ('' when the page has none)."""
    start = html.find("Reproduction ledger: each figure")
    if start < 0:
        return ""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:html.index("</table>", start)])))


def test_built_ledgers_say_by_construction_exactly_on_synthetic_pages(bundled_book, real_book):
    seen = {"synthetic": 0, "real": 0}
    for book in (bundled_book, real_book):
        for page in sorted((book / "_build" / "html" / "chapters").glob("*.html")):
            html = page.read_text()
            table = _ledger_text(html)
            if not table:
                continue
            if "handbook-synthetic" in html:
                seen["synthetic"] += 1
                assert "Holds by construction" in table and " yes " not in table, (book.name, page.name)
                assert "Agrees:" not in table, (book.name, page.name)
            else:
                seen["real"] += 1
                assert "by construction" not in table, (book.name, page.name)
                seen["real agreeing"] = seen.get("real agreeing", 0) + ("Agrees: inside the range" in table)
    # bundled: cancer, A&E, PHB, vanguards; real: A&E, cancer, vanguards, finance twice (PHB falls back to the sample)
    assert seen["synthetic"] >= 5 and seen["real"] >= 5 and seen["real agreeing"] >= 4


def test_real_book_ledgers_say_what_fits_and_show_the_phrase(real_book):
    pages = {name: _ledger_text((real_book / "_build" / "html" / "chapters" / f"{name}.html").read_text())
             for name in ("cancer", "rtt", "ae")}
    assert ("over 1.7 million 1,876,819 no 1,700,000 to under 1,800,000 annual report, line 105 Differs by "
            "176,819") in pages["cancer"]
    assert "1,726,121 (2015/16) fits the printed figure." in pages["cancer"]
    assert "Agrees: 1,876,819 is more than" not in pages["cancer"]
    assert "4.7% 7.60% no 4.65% to 4.75%" in pages["rtt"]
    assert "Variant compared: per calendar day, as reported, chosen from the documents' definitions" in pages["rtt"]
    assert "4.67% (per working day, with estimates for missing trusts) fits the printed figure." in pages["rtt"]
    assert ("\u201csharp increases\u201d 24.60% not judged none: no number printed") in pages["ae"]


def test_a_printed_figure_for_the_prose_is_the_reports_number_and_line():
    # the annual report, line 353: "This compares with 89.1% for 2016/17"; line 379: "90.3% of all patients"
    assert ledger.printed_figure("ae", "four_hour_performance") == {"printed_value": 89.1, "printed_line": 353}
    assert ledger.printed_figure("rtt", "incomplete_within_18_weeks") == {"printed_value": 90.3, "printed_line": 379}
