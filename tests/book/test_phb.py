"""Personal health budgets and registered population: readers, measures, ledger, parameters."""

import pandas as pd
import pytest

import csv
import re

from analysis import ledger, phb
from analysis.errors import DataError, ParameterError
from analysis.phb.organisations import REAL_CCGS, real_identities
from analysis.page import prepare_chapter
from analysis.periods import FinancialYear
from analysis.phb.readers import quarter_end, read_phb
from analysis.population import ccg_totals, read_population

HEADER = "Quarter,CCG Code,CCG Name,PHBs in place at quarter end,of which: NHS Continuing Healthcare,of which: other"


def phb_file(tmp_path, rows, header=HEADER):
    path = tmp_path / "phb_quarterly_test.csv"
    path.write_text("\n".join([header] + rows) + "\n")
    return path


def test_quarters_end_in_the_right_month():
    assert str(quarter_end("2016-17 Q4")) == "2017-03"
    assert str(quarter_end("2015/16 Q2")) == "2015-09"
    assert quarter_end("Q4 2016") is None


def test_reader_and_suppressed_counts(tmp_path):
    table = read_phb(phb_file(tmp_path, ["2016-17 Q4,00C,NHS A CCG,10,6,4", "2016-17 Q4,00D,NHS B CCG,*,,"]))
    assert table["total"].iloc[0] == 10 and bool(table["suppressed"].iloc[1])
    national = phb.national(table)
    assert national["total"].iloc[0] == 10 and national["suppressed"].iloc[0] == 1


@pytest.mark.parametrize("rows, message", [
    (["2016-17 Q4,00C,A,10,8,4"], "row 2, column 'chc': value 8.0 plus 'other' is more than the total"),
    (["2016-17 Q4,00C,A,-1,,"], "row 2, column 'total': value -1.0 is negative"),
    (["2016-17 Q4,00C,A,ten,,"], "row 2, column 'PHBs in place at quarter end': value 'ten' is not a number"),
    (["March 2017,00C,A,1,,"], "row 2, column 'Quarter': value 'March 2017' is not a quarter"),
    (["2016-17 Q4,00C,A,1,,", "2016-17 Q4,00C,A,1,,"], "CCG 00C appears twice for the quarter ending March 2017"),
])
def test_bad_rows_are_named(tmp_path, rows, message):
    with pytest.raises(DataError, match=message):
        read_phb(phb_file(tmp_path, rows))


def test_missing_column(tmp_path):
    with pytest.raises(DataError, match="lacks column 'of which: other'"):
        read_phb(phb_file(tmp_path, [], header=HEADER.rsplit(",", 1)[0]))


def test_required_growth_by_hand():
    assert phb.required_growth(10_000, 40_000, 2) == pytest.approx(100.0)  # doubling twice
    assert phb.required_growth(15_811, 50_000, 16) == pytest.approx(100 * ((50_000 / 15_811) ** (1 / 16) - 1))


def test_population_reader_checks_bands_against_total(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("nhse_ccg_code,ons_ccg_code,total_all,male_0_4,female_0_4,male_95,female_95\n"
                    "00C,E1,10,2,3,2,3\n00D,E2,9,2,3,2,3\n")
    with pytest.raises(DataError, match=r"row 3, column 'total_all': the age bands add up to 10, not total_all 9"):
        read_population(path)


@pytest.fixture(scope="module")
def bundled():
    page = prepare_chapter("phb")
    return phb.load(page.sources)


def test_bundled_sample_reproduces_the_printed_figures(bundled):
    table, population = bundled
    latest = phb.count_at(table, pd.Period("2017-03", "M"))
    multiple = latest / phb.count_at(table, pd.Period("2015-09", "M"))
    result = ledger.compare("phb", {"phb_march_2017": latest, "phb_multiple_sep_2015": multiple}, synthetic=True)
    assert result["status"].eq("by construction").all()
    rates = phb.rates(table, population, pd.Period("2017-03", "M"))
    assert (rates["total"] == 0).sum() >= 1
    assert rates["rate"].max() > 3 * rates["rate"].median()  # CCGs differ widely


def test_trajectory_and_every_period_in_the_data(bundled):
    table, _ = bundled
    for year in (FinancialYear(2014), FinancialYear(2015), FinancialYear(2016)):
        trend = phb.trajectory(table, year)
        assert trend["quarters"] == (pd.Period("2021-03", "M").ordinal - year.last_month.ordinal) // 3
        assert trend["needed_high"] > trend["needed_low"] > 0
    assert phb.trajectory(table, FinancialYear(2014))["seen"] is None  # no count for March 2014


def test_parameters(bundled):
    first, second = sorted(bundled[0]["ccg_code"].unique())[:2]
    page = prepare_chapter("phb", ccgs=f" {first.lower()}, {second} ")
    assert page.parameters["ccgs"] == f"{first},{second}"
    with pytest.raises(ParameterError, match="'ZZZ' is not a CCG code"):
        prepare_chapter("phb", ccgs="ZZZ")
    with pytest.raises(ParameterError, match="2017-18 ends in March 2018, which is not in the PHB data"):
        prepare_chapter("phb", period="2017-18")


def test_real_population(real_data):
    totals = ccg_totals(read_population(real_data / "population" / "gp_registered_patients_ccg_2017-01.csv"))
    assert len(totals) == 209 and totals.sum() == 58_171_599


def test_real_population_alone_does_not_mix_with_the_synthetic_sample(real_data):
    page = prepare_chapter("phb", data_dir=str(real_data))
    assert all(s.origin == "bundled sample" for s in page.sources.values())


# Synthetic data never wears real names.

def real_ccg_values() -> set[str]:
    with open(REAL_CCGS, newline="") as handle:
        return {v.strip().upper() for row in csv.DictReader(handle) for v in row.values()}


def test_the_real_list_is_read_whole():
    identities = real_identities()
    assert len(identities) == 3 * 209 and identities == frozenset(real_ccg_values())
    assert {"00C", "E38000042", "NHS DARLINGTON CCG"} <= identities


def test_no_synthetic_file_the_phb_page_reads_names_a_real_ccg():
    real = real_ccg_values()
    page = prepare_chapter("phb")
    for source in page.sources.values():
        assert source.synthetic
        for path in source.files:
            with open(path, newline="") as handle:
                cells = {cell.strip().upper() for row in csv.reader(handle) for cell in row}
            found = sorted(cells & real)
            assert not found, (f"{path.name} pairs invented figures with real CCG identities, e.g. {found[:3]}; "
                               "regenerate it (handbook samples) from the fictional sample_ccgs()")


def test_organisation_view_on_synthetic_data_shows_only_fictional_organisations():
    real = pd.DataFrame({"ccg_code": ["F001", "00C"], "ccg_name": ["NHS AMBRWICK CCG", "NHS X CCG"],
                         "total": [1, 2], "population": [1000, 2000], "rate": [100.0, 100.0], "rank": [1, 1]})
    named = real.assign(ccg_code=["F001", "F002"], ccg_name=["NHS AMBRWICK CCG", "nhs  darlington ccg"])
    fictional = real.assign(ccg_code=["F001", "F002"], ccg_name=["NHS AMBRWICK CCG", "NHS BELTWICK CCG"])
    assert phb.real_organisations(real) == ["00C"] and phb.real_organisations(named) == ["nhs  darlington ccg"]
    assert phb.organisation_view(real, synthetic=False).allowed  # real data is shown as it is
    assert phb.organisation_view(fictional, synthetic=True).allowed
    for table in (real, named):
        view = phb.organisation_view(table, synthetic=True)
        assert not view.allowed and view.reason.startswith("The CCG-level view is not shown")
        assert phb.ccg_sentence(table, view) == view.reason
        with pytest.raises(DataError, match="The CCG-level view is not shown"):
            phb.ccg_view(table, [], synthetic=True)
        with pytest.raises(DataError, match="The CCG-level view is not shown"):
            phb.rate_chart(table, [], synthetic=True)
    assert list(phb.ccg_view(fictional, [], synthetic=True)["CCG"]) == ["NHS AMBRWICK CCG", "NHS BELTWICK CCG"]
    assert "NHS AMBRWICK CCG" in phb.ccg_sentence(fictional, phb.organisation_view(fictional, True))


def page_text(book) -> str:
    html = (book / "_build" / "html" / "chapters" / "phb.html").read_text()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_no_real_ccg(text: str):
    real = real_ccg_values()
    codes = sorted({token for token in re.findall(r"\b[0-9A-Z]{3}\b|\bE38\d{6}\b", text)} & real)
    assert not codes, f"real CCG codes on a synthetic page: {codes[:5]}"
    upper = text.upper()
    names = [name for name in real if name.startswith("NHS ") and name in upper]
    assert not names, f"real CCG names on a synthetic page: {names[:5]}"


def test_bundled_phb_page_shows_no_real_ccg_and_says_synthetic(bundled_book):
    text = page_text(bundled_book)
    assert "Synthetic sample data" in text and "This page is synthetic" in text
    assert "Holds by construction" in text and "Agrees:" not in text
    assert_no_real_ccg(text)


def test_phb_page_built_with_real_data_elsewhere_says_it_is_synthetic(real_book):
    text = page_text(real_book)
    assert "Synthetic sample data" in text and "This page is synthetic" in text
    assert "The data folder given to the build has no personal health budget collection" in text
    assert "Holds by construction" in text and "Agrees:" not in text
    assert_no_real_ccg(text)
