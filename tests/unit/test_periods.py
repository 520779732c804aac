import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.periods import FinancialYear, missing_months, month_label, years_covered


@pytest.mark.parametrize("text", ["2016-17", "2016/17", " 2016 / 17 ", "2016-2017"])
def test_parse_accepts_the_usual_forms(text):
    assert FinancialYear.parse(text) == FinancialYear(2016)


@pytest.mark.parametrize("text", ["2016", "2016-18", "16-17", "2016/16", "april 2016", "", "2016-17-18"])
def test_parse_rejects_nonsense_with_a_sentence_naming_the_parameter(text):
    with pytest.raises(ParameterError) as info:
        FinancialYear.parse(text)
    assert str(info.value).startswith("parameter 'period':")
    assert "\n" not in str(info.value)


def test_century_boundary():
    assert FinancialYear.parse("1999-00") == FinancialYear(1999)
    assert FinancialYear.parse("1999-00").label == "1999-00"


def test_months_run_april_to_march():
    months = FinancialYear(2016).months()
    assert len(months) == 12
    assert str(months[0]) == "2016-04" and str(months[-1]) == "2017-03"
    assert FinancialYear(2016).slash_label == "2016/17"


def test_containing_and_neighbours():
    assert FinancialYear.containing(pd.Period("2017-03", "M")) == FinancialYear(2016)
    assert FinancialYear.containing(pd.Period("2017-04", "M")) == FinancialYear(2017)
    assert FinancialYear(2016).previous() == FinancialYear(2015)
    assert FinancialYear(2016).next() == FinancialYear(2017)


def test_coverage_counts_only_whole_years():
    months = pd.period_range("2015-06", "2017-07", freq="M")
    assert years_covered(months) == [FinancialYear(2016)]
    assert [str(m) for m in missing_months(months, FinancialYear(2015))] == ["2015-04", "2015-05"]
    assert missing_months(months, FinancialYear(2016)) == []
    assert month_label(pd.Period("2016-04", "M")) == "April 2016"


def test_covered_year_names_the_years_the_data_has():
    from analysis.periods import covered_year

    years = [FinancialYear(2015), FinancialYear(2016), FinancialYear(2017)]
    assert covered_year("2016/17", years, "the data") == FinancialYear(2016)
    with pytest.raises(ParameterError, match=r"2019-20 is not covered by the data \(whole years available: "
                                             r"2015-16 to 2017-18\)"):
        covered_year("2019-20", years, "the data")
    with pytest.raises(ParameterError, match=r"available: 2015-16, 2017-18\)"):
        covered_year("2016-17", [years[0], years[2]], "the data")
    with pytest.raises(ParameterError, match=r"available: none\)"):
        covered_year("2016-17", [], "the data")
