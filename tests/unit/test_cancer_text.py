"""What the cancer page says (analysis/cancer/text.py), and the chart its provider cell calls, on small inputs."""

import pandas as pd

from analysis import cancer, funnel
from analysis.periods import FinancialYear

Y2016 = FinancialYear(2016)


def test_captions_name_the_year_and_the_ranking_threshold():
    assert cancer.commitments_caption(Y2016).startswith("The planning documents' cancer commitments in force in "
                                                        "2016-17, each judged from the data ")
    assert cancer.standards_caption(Y2016) == ("Cancer waiting-time standards, 2016-17: threshold, performance, and "
                                               "the sheet and row each year's figures were read from.")
    assert cancer.quarters_caption(Y2016) == ("62-day standard by quarter, 2016-17, from the Quarterly Data sheet, "
                                              "beside the sum of each quarter's months.")
    assert cancer.provider_caption({"threshold": 1234}, Y2016) == (
        "62-day performance by provider, 2016-17, summed from the monthly provider files, largest first; ranked "
        "only at 1234 or more patients treated.")


def test_sixty_two_day_figures_glue_counts_as_text_and_say_why_there_is_no_change():
    gp = {"performance": 82.0, "threshold": 85.0, "within": 119797.5, "total": 146000.0,
          "where": "national time series, Annual Data sheet, row 8", "previous_within": None,
          "previous_note": "3 of 12 months", "change": None}
    assert cancer.sixty_two_day_figures(gp, Y2016) == {
        "gp62_performance": 82.0, "gp62_threshold": 85.0, "gp62_within": "119,797.5", "gp62_total": "146,000",
        "gp62_where": "national time series, Annual Data sheet, row 8",
        "gp62_change_sentence": ("The previous year, 2015-16, is not complete in the data (3 of 12 months), so no "
                                 "change on it is given.")}


def monthly_table():
    return pd.DataFrame({"month": pd.period_range("2016-04", periods=3, freq="M"),
                         "performance": [86.0, 79.96, 84.9], "source": ["national time series, Monthly Data sheet"] * 3})


def test_monthly_figures_and_alt_text_count_the_months_below_the_standard():
    assert cancer.monthly_figures(monthly_table(), 85.0) == {
        "gp62_months_below": 2, "gp62_months": 3, "gp62_monthly_source": "national time series, Monthly Data sheet"}
    assert cancer.monthly_alt(monthly_table(), 85.0, Y2016) == (
        "Monthly 62-day performance in 2016-17 (from the national time series, Monthly Data sheet) was below the "
        "85% standard in 2 of 3 months, lowest at 80.0% in May 2016.")


def funnel_of_three():
    organisations = pd.DataFrame({"organisation": ["A", "B", "C"], "organisation_name": ["Alpha", "Beta", "Gamma"],
                                  "numerator": [40.5, 800.0, 4200.0], "volume": [50.5, 1000.0, 5000.0],
                                  "rate": [80.2, 80.0, 84.0]})
    return funnel.assess(organisations, 5040.5 / 6050.5)


def test_the_funnel_sentence_gives_the_centre_the_threshold_and_the_smallest_provider():
    compared, spread = funnel_of_three()
    sentence = cancer.funnel_sentence(compared, spread)
    ranked = spread["ranked"]
    assert sentence.startswith(
        f"The funnel is centred on the providers' own rate for the year, 83.3%. The ranking threshold is "
        f"{spread['threshold']} patients treated; {ranked} of the 3 providers reach it and {3 - ranked} do not "
        "(the smallest treated 50.5). ")
    assert sentence.endswith(funnel.spread_sentence(spread))
    assert cancer.funnel_sentence(pd.DataFrame(), {}) == ""


def test_the_funnel_alt_text_counts_providers_beyond_the_limits():
    positions = dict.fromkeys(funnel.POSITIONS, 0) | {"above the 99.8% limit": 4, "below the 99.8% limit": 1}
    spread = {"providers": 140, "positions": positions, "england": 82.26, "tau2": 0.001}
    assert cancer.funnel_alt(spread, Y2016) == (
        "Funnel plot of 140 providers' 62-day performance in 2016-17 against the number treated: 4 above and 1 "
        "below the 99.8% limits around England's 82.3% (limits, widened for over-dispersion).")


def test_the_funnel_chart_draws_the_standard_and_every_provider_on_the_62_day_axes():
    compared, spread = funnel_of_three()
    chart = cancer.provider_funnel_chart(compared, spread, 85.0).to_dict()
    rows = [row for data in chart["datasets"].values() for row in data]
    assert sorted(row["organisation"] for row in rows if "organisation" in row) == ["A", "B", "C"]
    assert {"value": 85.0, "label": "Standard 85%"} in rows
    y = chart["layer"][0]["encoding"]["y"]
    assert y["title"] == "Treated within 62 days (%)" and y["scale"]["domain"] == [0.0, 100]


def test_the_headline_counts_the_standards_judged_and_those_met():
    standards = pd.DataFrame({"key": ["gp_62", "tww", "first_31", "upgrade_62"],
                              "threshold": [85.0, 93.0, 96.0, None], "performance": [82.0, 94.5, 97.0, 90.0],
                              "met": [False, True, None, None]})
    gp = {"performance": 82.0, "threshold": 85.0}
    results = cancer.headline_results(standards, gp)
    assert [(r.label, r.value, r.standard, r.met) for r in results[:2]] == [
        (cancer.GP62_RESULT, 82.0, 85.0, False), (cancer.TWW_RESULT, 94.5, 93.0, True)]
    count = results[2]  # first_31 has a threshold but no whole year: not counted as not met
    assert (count.label, count.value, count.unit, count.standard, count.met, count.standard_text) == (
        "of the 2 standards with a threshold and a whole year of data were met over the year", 1, "count", 2,
        False, "all 2 to be met")
    standards["met"] = [False, True, True, None]
    assert cancer.standards_result(standards).label == "of the 3 standards with a threshold were met over the year"
    standards["met"] = None
    none = cancer.standards_result(standards, "cancer standards")
    assert (none.label, none.value, none.met, none.value_text()) == (
        "cancer standards with a threshold met over the year: none has a whole year of data here", None, None,
        "not available")
