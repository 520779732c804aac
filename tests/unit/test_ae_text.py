"""What the A&E page says (analysis/ae/text.py), and the helpers its cells call, on small inputs."""

import pandas as pd

from analysis import ae, funnel, spc
from analysis.periods import FinancialYear

Y2016 = FinancialYear(2016)


def months(*values, column="all_types", start="2016-04"):
    return pd.DataFrame({"month": pd.period_range(start, periods=len(values), freq="M"), column: list(values)})


def test_the_reference_table_names_its_columns_and_cites_in_words():
    lines = pd.DataFrame({"key": ["standard"], "label": ["Standard 95%"], "quote": ["95% within four hours"],
                          "document": ["004_f1ee6f075f639a35.txt"], "line": ["1043"], "value": [95.0]})
    table = ae.reference_table(lines)
    assert list(table.columns) == ["Reference", "Text", "Source"]
    assert table.iloc[0].tolist() == ["Standard 95%", "95% within four hours", "Everyone Counts, line 1043"]


def test_captions_name_the_year():
    assert ae.reference_caption(Y2016) == ("The standards and ambitions in force in 2016-17 that the chapter "
                                           "measures against.")
    assert ae.commitments_caption(Y2016).startswith("The planning documents' A&E commitments in force in 2016-17, ")
    assert ae.delays_caption(Y2016) == ("Delayed days by responsible organisation, 2015-16 and 2016-17, summed from "
                                        "the months of the 'Delayed Days by responsible org' sheet.")
    assert ae.provider_caption({"threshold": 12345}, Y2016) == (
        "Type 1 four-hour performance by provider, 2016-17, largest first; ranked only at 12,345 or more type 1 "
        "attendances.")


def test_england_figures_glue_performance_as_numbers_and_counts_as_text():
    year = {"all_types": 89.1, "type_1": 85.2, "attendances": 1234567.0, "breaches": 1000.5, "admissions": 9.0}
    assert ae.england_figures(year) == {"all_types": 89.1, "type_1": 85.2, "attendances": "1,234,567",
                                        "breaches": "1,000.5"}


def test_the_lowest_month_and_the_monthly_alt_text():
    mixed = months(96.0, 94.31, 95.5)
    assert ae.lowest_month(mixed) == {"worst_month": "May 2016", "worst_value": 94.31}
    assert ae.monthly_alt(mixed, Y2016) == "Monthly four-hour performance in 2016-17; the lowest was 94.3% in May 2016."
    assert ae.monthly_alt(months(94.9, 90.04, 93.0), Y2016) == (
        "Monthly four-hour performance in 2016-17 stayed below the 95% standard in every month; the lowest was "
        "90.0% in May 2016.")


def providers_table():
    return pd.DataFrame({"org_code": ["A", "B", "C", "D"], "has_type_1": [True, True, True, False],
                         "met": [True, False, False, True], "performance": [96.0, 90.0, 80.0, 99.0]})


def test_provider_figures_count_those_that_met_of_all_and_of_type_1():
    assert ae.provider_figures(providers_table()) == {"providers": 4, "providers_met": 2, "type1_providers": 3,
                                                      "type1_met": 1, "median_type1": 90.0}


def test_the_funnel_alt_text_counts_providers_beyond_the_limits_and_those_that_met():
    positions = dict.fromkeys(funnel.POSITIONS, 0) | {"above the 99.8% limit": 2, "below the 99.8% limit": 5}
    spread = {"providers": 3, "positions": positions, "england": 88.04, "tau2": 0.0}
    assert ae.funnel_alt(spread, providers_table(), Y2016) == (
        "Funnel plot of 3 major (type 1) A&E departments' four-hour performance in 2016-17 against their "
        "attendances: 2 above and 5 below the 99.8% limits around England's type 1 rate of 88.0% (control limits "
        "(exact binomial)); 1 of 3 providers with a major A&E met 95% over all their department types.")


def test_the_delays_alt_text_names_the_first_and_last_month():
    by_month = pd.DataFrame({"month": pd.PeriodIndex(["2015-04", "2017-03", "2016-01"], freq="M"),
                             "delayed_days": [1.0, 2.0, 3.0]})
    assert ae.delays_alt(by_month) == ("Delayed days each month from April 2015 to March 2017, stacked by the "
                                       "organisation responsible (NHS, social care, both).")


def test_delayed_beds_are_charted_per_day_from_two_months_and_said_so():
    delays = months(3100.0, 2790.0, 2800.0, column="total", start="2016-12")  # 31, 31 and 28 days
    control = ae.delayed_beds_control(delays, Y2016)
    assert control["value"].round(6).tolist() == [100.0, 90.0, 100.0]
    assert set(control["improvement"]) == {"decrease"} and control["recalculate_at_shifts"].all()
    assert ae.delays_spc_sentence(control, Y2016) == "Over the 3 months charted: " + spc.describe(control)
    assert ae.delayed_beds_control(delays.iloc[-1:], Y2016) is None
    assert ae.delays_spc_sentence(None, Y2016) == "The DTOC file holds too few months up to 2016-17 for an XmR chart."


def test_the_funnel_chart_starts_its_rate_axis_five_points_below_the_lowest_provider():
    organisations = pd.DataFrame({"org_code": ["A", "B"], "org_name": ["Alpha", "Beta"], "numerator": [832, 9500],
                                  "volume": [1000, 10000], "rate": [83.2, 95.0]})
    compared, spread = funnel.assess(organisations, 10332 / 11000)
    y = ae.type_1_funnel_chart(compared, spread).to_dict()["layer"][0]["encoding"]["y"]
    assert y["scale"]["domain"] == [75.0, 100] and y["title"] == "Type 1 seen within four hours (%)"


def test_the_headline_results_judge_both_performances_against_95_percent():
    results = ae.headline_results({"all_types": 89.1, "type_1": 96.0, "attendances": 1000.0})
    assert [(r.value, r.standard, r.met, r.unit) for r in results] == [
        (89.1, 95.0, False, "percent"), (96.0, 95.0, True, "percent"), (1000.0, None, None, "count")]
    assert results[0].label == "of A&E attendances were seen within four hours, all department types"
