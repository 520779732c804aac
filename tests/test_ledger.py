import pytest

from analysis import ledger
from analysis.errors import DataError, HandbookError

LEDGER = """figure,label,value,unit,decimals,comparison,document,line,quote
performance,Performance,82,percent,0,equal,000.txt,113,"82%"
treated,Treated within 62 days,119798,count,0,equal,000.txt,113,"119,798"
multiple,Multiple on September 2015,2,ratio,0,greater_than,000.txt,550,"more than double"
"""


@pytest.fixture
def ledger_dir(tmp_path, monkeypatch):
    (tmp_path / "demo.csv").write_text(LEDGER)
    monkeypatch.setattr(ledger, "LEDGER_DIR", tmp_path)
    return tmp_path


def test_agreement_is_within_printed_rounding(ledger_dir):
    result = ledger.compare("demo", {"performance": 81.9, "treated": 117901.5, "multiple": 2.1})
    rows = result.set_index("figure")
    assert rows.loc["performance", "agrees"] is True or rows.loc["performance", "agrees"] == True  # noqa: E712
    assert not rows.loc["treated", "agrees"]
    assert rows.loc["treated", "difference"] == pytest.approx(-1896.5)
    assert "Differs by -1,896.5" in rows.loc["treated", "verdict"]
    assert rows.loc["multiple", "agrees"]


def test_rounding_boundary(ledger_dir):
    assert not ledger.compare("demo", {"performance": 81.49, "treated": 119798, "multiple": 2.5}) \
        .set_index("figure").loc["performance", "agrees"]
    assert ledger.compare("demo", {"performance": 82.5, "treated": 119798.4, "multiple": 2.5}) \
        .set_index("figure").loc["treated", "agrees"]


def test_bound_not_met(ledger_dir):
    row = ledger.compare("demo", {"performance": 82, "treated": 1, "multiple": 1.9}).set_index("figure")
    assert not row.loc["multiple", "agrees"]
    assert "is not more than" in row.loc["multiple", "verdict"]


def test_every_printed_figure_must_be_given(ledger_dir):
    with pytest.raises(HandbookError, match="no reproduced value given for 'treated'"):
        ledger.compare("demo", {"performance": 82})
    with pytest.raises(HandbookError, match="no published figure called 'other'"):
        ledger.compare("demo", {"performance": 82, "treated": 1, "multiple": 3, "other": 1})


def test_uncomputable_figure_is_shown_not_hidden(ledger_dir):
    row = ledger.compare("demo", {"performance": None, "treated": 1, "multiple": 3},
                         notes={"performance": "The data has no 2015-16."}).set_index("figure")
    assert row.loc["performance", "agrees"] is None
    assert row.loc["performance", "verdict"] == "Not computable from this data. The data has no 2015-16."
    shown = ledger.display_table(ledger.compare("demo", {"performance": 81.94, "treated": 1, "multiple": 3}))
    assert shown.loc[0, "Published"] == "82%" and shown.loc[0, "Reproduced"] == "81.9%"


def test_malformed_ledger_names_the_row(ledger_dir):
    (ledger_dir / "bad.csv").write_text(LEDGER.replace("percent,0,equal", "percentage,0,equal"))
    with pytest.raises(DataError, match=r"bad.csv, row 2, column 'unit'"):
        ledger.published("bad")


def test_on_synthetic_data_an_agreeing_figure_holds_by_construction(ledger_dir):
    figures = {"performance": 82.2, "treated": 119798, "multiple": 2.1}
    real = ledger.compare("demo", figures).set_index("figure")
    synthetic = ledger.compare("demo", figures, synthetic=True).set_index("figure")
    assert list(real["status"]) == ["agrees"] * 3
    assert list(synthetic["status"]) == ["by construction"] * 3
    assert all(v.startswith("Holds by construction") for v in synthetic["verdict"])
    assert not any("Agrees" in v for v in synthetic["verdict"])
    shown = ledger.display_table(ledger.compare("demo", figures, synthetic=True))
    assert list(shown["Agrees"]) == ["by construction"] * 3
    # A sample that fails to reproduce its figure is shown as differing, synthetic or not.
    wrong = ledger.compare("demo", {**figures, "treated": 1}, synthetic=True).set_index("figure")
    assert wrong.loc["treated", "status"] == "differs" and wrong.loc["treated", "verdict"].startswith("Differs")


def test_tolerance_widens_agreement_by_the_rounding_of_the_inputs(ledger_dir):
    # 119,796: 2 from the printed 119,798, beyond its rounding (0.5) but within 0.5 + 3 x 0.5.
    plain = ledger.compare("demo", {"performance": 82, "treated": 119796, "multiple": 3}).set_index("figure")
    assert plain.loc["treated", "status"] == "differs"
    widened = ledger.compare("demo", {"performance": 82, "treated": 119796, "multiple": 3},
                             tolerance={"treated": 1.5}).set_index("figure")
    assert widened.loc["treated", "status"] == "agrees" and widened.loc["treated", "tolerance"] == 1.5
    assert widened.loc["treated", "verdict"].startswith("Agrees within rounding: the difference, -2, is within 2 ")
    beyond = ledger.compare("demo", {"performance": 82, "treated": 119795.9, "multiple": 3},
                            tolerance={"treated": 1.5}).set_index("figure")
    assert beyond.loc["treated", "status"] == "differs"
    with pytest.raises(HandbookError, match="tolerance is given for 'other'"):
        ledger.compare("demo", {"performance": 82, "treated": 1, "multiple": 3}, tolerance={"other": 1})
    with pytest.raises(HandbookError, match="must be a non-negative number"):
        ledger.compare("demo", {"performance": 82, "treated": 1, "multiple": 3}, tolerance={"treated": -1})


def _ledger_text(html: str) -> str:
    """The text of a built page's reproduction ledger table ('' when the page has none)."""
    import re

    start = html.find("Reproduction ledger: each figure")
    if start < 0:
        return ""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:html.index("</table>", start)]))


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
                assert "Agrees" not in table.replace("Agrees Printed at", ""), (book.name, page.name)
            else:
                seen["real"] += 1
                assert "by construction" not in table, (book.name, page.name)
                seen["real agreeing"] = seen.get("real agreeing", 0) + ("Agrees within" in table)
    # bundled: cancer, A&E, PHB, vanguards; real: A&E, cancer, vanguards, finance twice (PHB falls back to the sample)
    assert seen["synthetic"] >= 5 and seen["real"] >= 5 and seen["real agreeing"] >= 4


def test_a_percentage_differs_by_percentage_points(ledger_dir):
    rows = ledger.compare("demo", {"performance": 84.54, "treated": 119798, "multiple": 2.1}).set_index("figure")
    assert rows.loc["performance", "verdict"] == "Differs by 2.5 percentage points (+3.1% of the printed figure)."
