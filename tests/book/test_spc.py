"""SPC on series worked by hand from the reference's rules (NHSRplotthedots), each rule at its boundary.

Limits come from `by_hand` (the definitions, in plain arithmetic); the flags each test
expects are reasoned from the reference's rules in the comments, not read off the module.
"""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from analysis.spc import SPCError, assurance, change, choices, describe, spc_chart, variation, xmr


def monthly(values, start="2016-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def by_hand(values, screen=True):
    """Mean, process limits and near limits from the definitions: screening keeps moving ranges < 3.267 x mean."""
    values = [float(v) for v in values]
    mean = sum(values) / len(values)
    moving = [abs(b - a) for a, b in zip(values, values[1:])]
    if screen:
        moving = [m for m in moving if m < 3.267 * (sum(moving) / len(moving))]
    width = 2.66 * sum(moving) / len(moving)
    return {"mean": mean, "lower": mean - width, "upper": mean + width,
            "lower_near": mean - 2 * width / 3, "upper_near": mean + 2 * width / 3}


def flagged(table):
    return {i: (r, t) for i, r, t in zip(table.index, table["rule"], table["point_type"]) if r}


def test_limits_unscreened_and_screened_and_a_point_outside_them():
    values = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 20]
    plain = by_hand(values, screen=False)
    # Moving ranges: ten of 1 and one of 15; 15 >= 3.267 x 25/11 = 7.4, so screening leaves ten of 1.
    assert plain["upper"] == pytest.approx(80 / 12 + 2.66 * 25 / 11)
    screened = by_hand(values)
    assert screened["upper"] == pytest.approx(80 / 12 + 2.66)
    table = xmr(monthly(values))  # screening is the default, as in the reference
    assert table["upper_limit"].iloc[0] == pytest.approx(screened["upper"])
    assert table["lower_limit"].iloc[0] == pytest.approx(screened["lower"])
    assert table["screened_moving_ranges"].iloc[0] == 1
    unscreened = xmr(monthly(values), screen_outliers=False)
    assert unscreened["upper_limit"].iloc[0] == pytest.approx(plain["upper"])
    assert unscreened["screened_moving_ranges"].iloc[0] == 0
    # 20 is outside either way; the eleven points before it are all below the mean (6.67).
    for t in (table, unscreened):
        assert t.loc[11, "rule"] == "outside limits" and t.loc[11, "point_type"] == "improvement"
        assert set(t.loc[:10, "rule"]) == {"7 on one side of the mean"}
        assert set(t.loc[:10, "point_type"]) == {"concern"}
        assert not t["trial_limits"].any()


# Ten moving ranges of 1 and one of B, where B == 3.267 x (10 + B) / 11 exactly in floating point
# (the mean correctly rounded, as R's mean() gives it).
B = 4.224751066856329
SCREEN_EDGE = [0, 1] * 5 + [0, B]


def test_screening_keeps_moving_ranges_strictly_below_3_267_times_their_mean():
    assert B == 3.267 * float((10 + Fraction(B)) / 11)  # exactly on the boundary: screened out
    table = xmr(monthly(SCREEN_EDGE))
    assert table["screened_moving_ranges"].iloc[0] == 1
    assert table["upper_limit"].iloc[0] == pytest.approx(sum(SCREEN_EDGE) / 12 + 2.66 * 1)
    below = SCREEN_EDGE[:-1] + [np.nextafter(B, 0)]  # one step below the boundary: kept
    assert below[-1] < 3.267 * float((10 + Fraction(below[-1])) / 11)
    kept = xmr(monthly(below))
    assert kept["screened_moving_ranges"].iloc[0] == 0
    assert kept["upper_limit"].iloc[0] == pytest.approx(sum(below) / 12 + 2.66 * (10 + below[-1]) / 11)


TREND = [10, 12, 10, 12, 10, 11, 11.2, 11.4, 11.6, 11.8, 12, 12.2, 10, 12]


def test_a_trend_of_seven_rising_points():
    limits = by_hand(TREND)
    assert max(TREND) < limits["upper_near"] and min(TREND) > limits["lower_near"]  # no other rule applies
    table = xmr(monthly(TREND))
    assert flagged(table) == {i: ("trend of 7", "improvement") for i in range(4, 12)}  # 10 < 11 < ... < 12.2


def test_six_rising_points_are_not_a_trend():
    values = list(TREND)
    values[5] = 11.2  # a tie with the next month ends the run: 11.2 < 11.4 < ... < 12.2 is six points
    limits = by_hand(values)
    assert max(values) < limits["upper_near"] and min(values) > limits["lower_near"]
    assert flagged(xmr(monthly(values))) == {}


def test_a_tie_ends_a_trend():
    values = list(TREND)
    values[8] = values[7]  # 11.4 twice: the run of rises is broken
    assert flagged(xmr(monthly(values))) == {}


def test_direction_turns_improvement_into_concern_and_neutral():
    assert set(xmr(monthly(TREND), "decrease").loc[4:11, "point_type"]) == {"concern"}
    assert set(xmr(monthly(TREND), "neutral").loc[4:11, "point_type"]) == {"neutral"}


NOISE = [0, 10] * 5


def test_a_peak_shared_by_a_rising_and_a_falling_trend_is_falling():
    # 5 up to 8 (seven rising points), then 8 down to 0 (eight falling points): the 8 is in both runs.
    values = NOISE + [5, 5.5, 6, 6.5, 7, 7.5, 8, 7.5, 7, 6.5, 6, 5.5, 5, 0, 10]
    limits = by_hand(values)
    assert limits["lower_near"] < 0 and 10 < limits["upper_near"]  # nothing near or outside the limits
    table = xmr(monthly(values))
    assert flagged(table) == {**{i: ("trend of 7", "improvement") for i in range(10, 16)},
                              **{i: ("trend of 7", "concern") for i in range(16, 24)}}


def test_a_tie_between_two_trends_leaves_each_point_its_own_direction():
    # Here departs from the reference, which calls the last 8 (the end of the rising run) falling.
    values = NOISE + [5, 5.5, 6, 6.5, 7, 7.5, 8, 8, 7.5, 7, 6.5, 6, 5.5, 5, 0, 10]
    limits = by_hand(values)
    assert limits["lower_near"] < 0 and 10 < limits["upper_near"]
    table = xmr(monthly(values))
    assert flagged(table) == {**{i: ("trend of 7", "improvement") for i in range(10, 17)},
                              **{i: ("trend of 7", "concern") for i in range(17, 25)}}


BASE = [9, 11] * 6  # mean 10, moving ranges 2


@pytest.mark.parametrize("middle, flags", [
    (10.5, {12, 14, 27, 29}),  # all three above (below) the mean: the two near points are flagged
    (10, set()),               # the middle point exactly on the mean: not all on one side, nothing flagged
    (9.5, set()),              # the middle point on the other side of the mean: nothing flagged
])
def test_two_of_three_beyond_the_near_limit_needs_all_three_on_one_side(middle, flags):
    # A window 16, middle, 16 and its mirror 4, 20 - middle, 4, so the mean stays exactly 10.
    values = BASE + [16, middle, 16] + BASE + [4, 20 - middle, 4]
    limits = by_hand(values)
    assert limits["mean"] == 10
    assert limits["upper_near"] < 16 < limits["upper"] and limits["lower"] < 4 < limits["lower_near"]
    assert limits["lower_near"] < middle < limits["upper_near"]
    table = xmr(monthly(values))
    assert set(flagged(table)) == flags
    assert all(rule == "2 of 3 beyond near limit" for rule, _ in flagged(table).values())
    if flags:
        assert table.loc[12, "point_type"] == "improvement" and table.loc[27, "point_type"] == "concern"


def test_a_point_outside_the_limits_is_not_near():
    # 16 is near; 40 is outside, so the window 16, 10.5, 40 has one near point only.
    values = BASE + [16, 10.5, 40] + BASE + [4, 9.5, -20]
    limits = by_hand(values)
    assert limits["upper_near"] < 16 < limits["upper"] < 40
    assert -20 < limits["lower"] < 4 < limits["lower_near"]
    table = xmr(monthly(values))
    assert flagged(table) == {14: ("outside limits", "improvement"), 29: ("outside limits", "concern")}


def test_seven_on_one_side_and_a_point_on_the_mean():
    # Mean exactly 10: seven points below it, then seven above with one exactly on the mean.
    values = [9.5, 9, 9.5, 9, 9.5, 9, 9.5, 10.5, 11, 10, 11.5, 10.5, 11, 10.5]
    limits = by_hand(values)
    assert limits["mean"] == 10 and limits["lower"] < min(values) and max(values) < limits["upper"]
    assert 11.5 > limits["upper_near"] and 11 < limits["upper_near"]  # 11.5 alone is beyond the near limit
    table = xmr(monthly(values))
    assert flagged(table) == {i: ("7 on one side of the mean", "concern") for i in range(7)}  # 10 breaks the rest


def test_precedence_reports_the_first_rule():
    values = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 20]
    assert 20 > by_hand(values)["upper"]
    assert xmr(monthly(values)).loc[11, "rule"] == "outside limits"  # also beyond the near limit


def test_assurance_against_a_target():
    steady = monthly([50, 52, 51, 49, 50, 52, 51, 50, 49, 51, 50, 52])
    limits = by_hand(steady)
    assert assurance(xmr(steady, "increase", target=limits["lower"] - 0.01)) == "consistently pass"
    assert assurance(xmr(steady, "increase", target=limits["upper"] + 0.01)) == "consistently fail"
    assert assurance(xmr(steady, "increase", target=limits["mean"])) == "hit and miss"
    assert assurance(xmr(steady, "decrease", target=limits["lower"] - 0.01)) == "consistently fail"
    assert assurance(xmr(steady, "neutral", target=limits["mean"])) is None
    assert variation(xmr(steady)) == "common cause variation"
    on_limit = xmr(steady, "increase", target=float(xmr(steady)["upper_limit"].iloc[0]))
    assert assurance(on_limit) == "hit and miss"  # a target on a limit is not outside it


STABLE = [10, 12] * 6  # mean 11, moving ranges 2: limits 11 +- 5.32


def test_six_points_below_the_centre_line_at_the_end_keep_the_assurance_seven_withdraw_it():
    # After twelve stable points, 6 (then 7) points at 10.5 and 10.6: all below the mean (10.85 and
    # 10.83), none beyond a limit, no trend; the point before them (12) is above the mean.
    six, seven = (monthly(STABLE + [10.5, 10.6] * 3 + extra) for extra in ([], [10.5]))
    for series in (six, seven):
        table = xmr(series, "increase", target=11)
        mean = table["mean"].iloc[0]
        assert (table["value"].iloc[12:] < mean).all() and table["value"].iloc[11] > mean
        assert (table["value"] > table["lower_limit"]).all()
    table = xmr(six, "increase", target=11)
    assert change(table) is None and assurance(table) == "hit and miss"
    assert "against the target of 11 the process will hit and miss" in describe(table)
    table = xmr(seven, "increase", target=11)
    assert change(table) == {"kind": "shift", "start": pd.Period("2017-01", "M"), "points": 7, "side": "below",
                             "beyond": 0}
    assert assurance(table) is None
    sentence = describe(table)
    assert "the process has changed: the latest 7 months, from January 2017, all lie below the centre line" in sentence
    assert "so the limits give no assurance against the target of 11" in sentence and "hit and miss" not in sentence
    assert "Assurance: none, a shift" in str(spc_chart(table, "Shift").to_dict())
    assert "Shift from Jan 2017" in str(spc_chart(xmr(seven, "increase"), "Shift, no target").to_dict())


def test_one_point_beyond_a_limit_at_the_end_keeps_the_assurance_two_withdraw_it():
    # Twenty stable points (10, 12, ...), then one point at 0, then two: the jump to 0 is screened
    # out, so the lower limit is about 5 and 0 lies beyond it; the points before are above the mean.
    one = xmr(monthly([10, 12] * 10 + [0]), "increase", target=11)
    assert one["value"].iloc[-1] < one["lower_limit"].iloc[-1] and one["value"].iloc[-2] > one["mean"].iloc[-1]
    assert change(one) is None and assurance(one) == "hit and miss"
    two = xmr(monthly([10, 12] * 10 + [0, 0]), "increase", target=11)
    assert (two["value"].iloc[-2:] < two["lower_limit"].iloc[-1]).all()
    assert change(two)["beyond"] == 2 and change(two)["points"] == 2 and assurance(two) is None
    assert "the latest 2 months, from September 2017, all lie below the centre line, the last 2 beyond the " \
           "lower process limit" in describe(two)


def test_six_rising_points_at_the_end_keep_the_assurance_seven_withdraw_it():
    # After twelve stable points ending at 12, points rise through the mean (about 10.6): 6 points
    # (5 rises) are no trend, 7 points (6 rises) are; fewer than 7 of them lie above the mean.
    rising = [8.0, 8.5, 9.0, 9.5, 10.5, 11.0, 11.5]
    six = xmr(monthly(STABLE + rising[1:]), "increase", target=11)
    assert change(six) is None and assurance(six) == "hit and miss"
    seven = xmr(monthly(STABLE + rising), "increase", target=11)
    assert change(seven) == {"kind": "trend", "start": pd.Period("2017-01", "M"), "points": 7, "side": "rising",
                             "beyond": 0}
    assert assurance(seven) is None
    assert "the process is changing: the latest 7 months, from January 2017, each rose on the month before" in \
        describe(seven)


def test_limits_are_recalculated_at_a_shift_only_from_twelve_points():
    # Fifteen points around 11, then 11 (or 12) points alternating 5 and 6: every one of them
    # below the mean of the whole series, a shift.
    eleven = monthly([10, 12] * 7 + [10] + [5, 6] * 5 + [5])
    table = xmr(eleven, "increase", target=9, recalculate_at_shifts=True)
    assert table["segment"].eq(0).all() and change(table)["points"] == 11 and assurance(table) is None
    assert "11 points are too few to recalculate the limits from, which needs 12" in describe(table)
    twelve = monthly([10, 12] * 7 + [10] + [5, 6] * 6)
    table = xmr(twelve, "increase", target=9, recalculate_at_shifts=True)
    assert table["segment"].tolist() == [0] * 15 + [1] * 12
    new = table[table["segment"] == 1]
    assert new["mean"].iloc[0] == 5.5 and new["upper_limit"].iloc[0] == pytest.approx(5.5 + 2.66)
    assert not new["trial_limits"].any()
    assert table["segment_start"].iloc[-1] == "12 points below the earlier centre line"
    assert change(table) is None and assurance(table) == "consistently fail"  # 9 is above the new limits
    assert ("limits recalculated from April 2017 by the shift rule: 12 points below the earlier centre line, "
            "12 or more needed") in describe(table)
    unchanged = xmr(twelve, "increase", target=9)  # without the rule the limits stay, and so does the shift
    assert unchanged["segment"].eq(0).all() and assurance(unchanged) is None
    assert "limits are not recalculated at a shift here" in describe(unchanged)


def test_eleven_points_have_trial_limits_twelve_do_not():
    eleven = xmr(monthly([1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3]))
    assert eleven["trial_limits"].all() and "trial limits: fewer than 12 points" in describe(eleven)
    twelve = xmr(monthly([1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2]))
    assert not twelve["trial_limits"].any() and "trial limits" not in describe(twelve)


def test_a_constant_series_has_no_limits_when_screened_and_limits_on_the_mean_when_not():
    values = monthly([0.1] * 14)
    screened = xmr(values, target=0.2)  # every moving range is 0, none is < 3.267 x 0
    assert screened["upper_limit"].isna().all() and screened["lower_limit"].isna().all()
    assert (screened["mean"] == 0.1).all() and (screened["point_type"] == "common cause").all()
    assert assurance(screened) is None and "no limits" in describe(screened)
    plain = xmr(values, screen_outliers=False, target=0.2)
    assert (plain["upper_limit"] == 0.1).all() and (plain["lower_limit"] == 0.1).all()
    assert (plain["point_type"] == "common cause").all()  # every point is on the mean: no run, nothing outside
    assert assurance(plain) == "consistently fail"


def test_a_single_point_has_no_limits():
    table = xmr(monthly([42.0]), target=40)
    assert table["mean"].iloc[0] == 42 and np.isnan(table["upper_limit"].iloc[0])
    assert table["point_type"].iloc[0] == "common cause" and assurance(table) is None
    assert "no limits" in describe(table)
    assert "No limits: no moving range left to set them" in spc_chart(table, "One point").to_dict()["title"]["subtitle"]


def test_several_recalculation_months():
    values = [10, 11] * 4 + [20, 21] * 4 + [30, 32] * 3
    table = xmr(monthly(values), recalculate_from=["2017-05", "2016-09"])  # any order
    assert table["segment"].tolist() == [0] * 8 + [1] * 8 + [2] * 6
    assert table.groupby("segment")["mean"].first().tolist() == [10.5, 20.5, 31]
    assert table.groupby("segment")["upper_limit"].first().tolist() == pytest.approx([10.5 + 2.66, 20.5 + 2.66, 31 + 2.66 * 2])
    assert table["trial_limits"].all()
    sentence = "limits recalculated from September 2016 and May 2017"
    assert sentence in describe(table)
    assert "L" + sentence[1:] in spc_chart(table, "Recalculated").to_dict()["title"]["subtitle"]
    one = xmr(monthly(values), recalculate_from="2016-09")
    assert one["segment"].tolist() == [0] * 8 + [1] * 14


def test_fixing_limits_after_the_first_points():
    # Limits from the first 12 points (mean 10.5, moving ranges 1); the rise afterwards is judged against them.
    values = [10, 11] * 6 + [14, 15, 14, 15]
    table = xmr(monthly(values), fix_after=12)
    assert table["mean"].iloc[0] == 10.5 and table["upper_limit"].iloc[0] == pytest.approx(10.5 + 2.66)
    assert flagged(table) == {i: ("outside limits", "improvement") for i in range(12, 16)}
    assert not table["trial_limits"].any()
    assert "limits fixed on each segment's first 12 points" in describe(table)
    assert xmr(monthly(values), fix_after=6)["trial_limits"].all()  # limits on six points are trial limits
    unfixed = xmr(monthly(values))
    assert unfixed["mean"].iloc[0] == pytest.approx(sum(values) / 16)


def test_the_subtitle_states_the_choices():
    table = xmr(monthly(TREND), "increase", target=11)
    subtitle = spc_chart(table, "Trend").to_dict()["title"]["subtitle"]
    assert "Making Data Count rules, as in NHSRplotthedots" in subtitle
    assert "Screening: no moving range of 3.267 times their mean or more left out" in subtitle
    assert choices(xmr(monthly(TREND), screen_outliers=False)) == ["moving ranges not screened"]


@pytest.mark.parametrize("series, message", [
    (monthly([]), "the series is empty"),
    (pd.Series([1.0, 2.0, 3.0], index=pd.PeriodIndex(["2016-01", "2016-02", "2016-04"], freq="M")),
     r"months are missing from the series \(2016-03\)"),
    (pd.Series(["1", "two", "3"], index=pd.period_range("2016-01", periods=3, freq="M")),
     "2016-02 .'two'. is missing or not a number"),
    (monthly([1.0, np.nan, 3.0]), r"2016-02 \(empty\) is missing or not a number"),
    (monthly([1.0, np.inf, 3.0]), r"2016-02 \(inf\) is missing or not a number"),
])
def test_bad_input_is_a_clear_error(series, message):
    with pytest.raises(SPCError, match=message):
        xmr(series)


@pytest.mark.parametrize("options, message", [
    ({"improvement": "up"}, "improvement must be one of"),
    ({"recalculate_from": "2016-01"}, "'2016-01' is not a month of the series after its first"),
    ({"recalculate_from": "2017-01"}, "'2017-01' is not a month of the series after its first"),
    ({"recalculate_from": ["2016-03", "2016-03"]}, "gives 2016-03 twice"),
    ({"recalculate_from": "2016-13"}, "'2016-13' is not a month"),
    ({"fix_after": 0}, "fix_after must be a whole number"),
    ({"fix_after": 2.5}, "fix_after must be a whole number"),
])
def test_bad_options(options, message):
    with pytest.raises(SPCError, match=message):
        xmr(monthly([1, 2, 3, 4]), **options)


@pytest.mark.parametrize("name", ["cancer", "ae", "rtt", "mental-health", "vanguards"])
def test_every_chapter_chart_states_the_rules_and_its_screening(bundled_book, name):
    html = (bundled_book / "_build" / "html" / "chapters" / f"{name}.html").read_text()
    assert '"Making Data Count rules, as in","NHSRplotthedots"' in html  # the subtitle's lines, wrapped to fit
    assert "Screening: " in html and "moving ranges not screened" not in html  # the chapters screen, as the reference
    assert "The latest month shows" in html and "3.267 times their mean or more left out" in html


def real_series(real_data, name):
    from analysis import ae, cancer
    from analysis.page import prepare_chapter

    page = prepare_chapter(name, data_dir=str(real_data))
    assert not page.synthetic
    if name == "cancer":
        return cancer.spc_series(cancer.load(page.sources), page.period)
    return ae.spc_series(ae.load(page.sources), page.period)


def test_real_cancer_series_two_low_months_with_the_next_above_the_mean_are_common_cause(real_data):
    series = real_series(real_data, "cancer")
    assert len(series) == 36 and str(series.index[-1]) == "2017-03"
    limits = by_hand(series.to_numpy())
    low = series.loc["2016-12":"2017-03"].to_numpy()  # December, January, February, March
    assert limits["lower"] < low[1] < limits["lower_near"] and limits["lower"] < low[2] < limits["lower_near"]
    assert low[0] > limits["mean"] and low[3] > limits["mean"]  # every window with both has a point above the mean
    table = xmr(series, "increase", target=85).set_index("month")
    assert table.loc["2017-01":"2017-02", "point_type"].tolist() == ["common cause"] * 2
    assert table["screened_moving_ranges"].iloc[0] == 0 and not table["rule"].str.contains("2 of 3").any()


def test_real_ae_series_a_near_month_beside_one_outside_the_limits_is_common_cause(real_data):
    series = real_series(real_data, "ae")
    assert len(series) == 12 and str(series.index[0]) == "2016-04"
    limits = by_hand(series.to_numpy())
    december, january = series.loc["2016-12"], series.loc["2017-01"]
    assert limits["lower"] < december < limits["lower_near"] and january < limits["lower"]
    assert series.loc["2016-11"] > limits["lower_near"] and series.loc["2017-02"] > limits["lower_near"]
    table = xmr(series, "increase", target=95).set_index("month")
    assert table.loc["2016-12", "rule"] == "" and table.loc["2017-01", "rule"] == "outside limits"
    assert assurance(xmr(series, "increase", target=95)) == "consistently fail"
