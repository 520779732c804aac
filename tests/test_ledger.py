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
