"""SPC on series worked by hand: limits, each rule, precedence, direction, assurance, bad input."""

import numpy as np
import pandas as pd
import pytest

from analysis.spc import SPCError, assurance, describe, spc_chart, variation, xmr


def monthly(values, start="2016-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def by_hand(values):
    """Mean, process limits and near limits, straight from the definitions."""
    values = np.asarray(values, dtype=float)
    mean = values.sum() / len(values)
    mean_mr = np.abs(values[1:] - values[:-1]).sum() / (len(values) - 1)
    return mean, mean - 2.66 * mean_mr, mean + 2.66 * mean_mr, mean + 2 / 3 * 2.66 * mean_mr


def test_limits_and_a_point_outside_them():
    values = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 20]
    table = xmr(monthly(values))
    mean, lower, upper, _ = by_hand(values)
    assert mean == pytest.approx(80 / 12) and upper == pytest.approx(80 / 12 + 2.66 * 25 / 11)
    assert table["mean"].iloc[0] == pytest.approx(mean)
    assert table["upper_limit"].iloc[0] == pytest.approx(upper)
    assert table["lower_limit"].iloc[0] == pytest.approx(lower)
    assert table.loc[11, "rule"] == "outside limits" and table.loc[11, "point_type"] == "improvement"
    # The eleven points before it are all below the mean: 7 on one side, a concern when higher is better.
    assert set(table.loc[:10, "rule"]) == {"7 on one side of the mean"}
    assert set(table.loc[:10, "point_type"]) == {"concern"}
    assert not table["trial_limits"].any()


TREND = [10, 12, 10, 12, 10, 11, 11.2, 11.4, 11.6, 11.8, 12, 12.2, 10, 12]


def test_a_trend_of_seven_rising_points():
    table = xmr(monthly(TREND))
    mean, lower, upper, near = by_hand(TREND)
    assert max(TREND) < near and min(TREND) > lower  # no other rule applies
    flagged = table.index[table["rule"] != ""].tolist()
    assert flagged == list(range(4, 12))  # 10 < 11 < 11.2 < ... < 12.2: eight rising points
    assert set(table.loc[flagged, "rule"]) == {"trend of 7"}
    assert set(table.loc[flagged, "point_type"]) == {"improvement"}


def test_a_tie_ends_a_trend():
    values = list(TREND)
    values[8] = values[7]  # 11.4 twice: the run of rises is broken
    assert (xmr(monthly(values))["rule"] == "").all()


def test_direction_turns_improvement_into_concern_and_neutral():
    assert set(xmr(monthly(TREND), "decrease").loc[5:11, "point_type"]) == {"concern"}
    assert set(xmr(monthly(TREND), "neutral").loc[5:11, "point_type"]) == {"neutral"}


TWO_OF_THREE = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 14.2, 10.5, 14.2, 11, 10]


def test_two_of_three_beyond_the_near_limit():
    mean, lower, upper, near = by_hand(TWO_OF_THREE)
    assert near < 14.2 < upper
    table = xmr(monthly(TWO_OF_THREE))
    assert table.loc[10, "rule"] == table.loc[12, "rule"] == "2 of 3 beyond near limit"
    assert table.loc[11, "rule"] == ""  # the point between is not beyond: not flagged


def test_seven_on_one_side_and_a_point_on_the_mean():
    # Mean exactly 10: seven points below it, then seven above with one exactly on the mean.
    values = [9.5, 9, 9.5, 9, 9.5, 9, 9.5, 10.5, 11, 10, 11.5, 10.5, 11, 10.5]
    mean, lower, upper, near = by_hand(values)
    assert mean == 10 and lower < min(values) and max(values) < upper  # 11.5 alone is beyond the near limit
    table = xmr(monthly(values))
    assert set(table.loc[:6, "rule"]) == {"7 on one side of the mean"}
    assert set(table.loc[:6, "point_type"]) == {"concern"}
    assert (table.loc[7:, "rule"] == "").all()  # the 10 is on neither side: runs of 2 and 4 only


def test_precedence_reports_the_first_rule():
    values = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 20]
    table = xmr(monthly(values))
    # Point 11 is beyond the near limit and outside the limits: outside wins.
    assert table.loc[11, "rule"] == "outside limits"


def test_assurance_against_a_target():
    steady = monthly([50, 52, 51, 49, 50, 52, 51, 50, 49, 51, 50, 52])
    mean, lower, upper, _ = by_hand(steady)
    assert assurance(xmr(steady, "increase", target=lower - 1)) == "consistently pass"
    assert assurance(xmr(steady, "increase", target=upper + 1)) == "consistently fail"
    assert assurance(xmr(steady, "increase", target=mean)) == "hit and miss"
    assert assurance(xmr(steady, "decrease", target=lower - 1)) == "consistently fail"
    assert assurance(xmr(steady, "neutral", target=mean)) is None
    assert variation(xmr(steady)) == "common cause variation"


def test_short_series_have_trial_limits():
    table = xmr(monthly([1, 2, 3, 2, 1]))
    assert table["trial_limits"].all()
    assert "trial limits" in describe(table)


def test_recalculation_starts_a_new_segment():
    values = [10, 11, 10, 11, 10, 11, 20, 21, 20, 21, 20, 21]
    table = xmr(monthly(values), recalculate_from="2016-07")
    assert table["segment"].tolist() == [0] * 6 + [1] * 6
    assert table.loc[0, "mean"] == pytest.approx(10.5) and table.loc[6, "mean"] == pytest.approx(20.5)
    assert "limits recalculated from July 2016" in describe(table)
    chart = spc_chart(table, "Recalculated").to_dict()
    assert "limits recalculated from July 2016" in str(chart["title"])


def test_screening_outlying_moving_ranges():
    values = [10, 11, 10, 11, 10, 40, 10, 11, 10, 11, 10, 11]
    plain = xmr(monthly(values))
    screened = xmr(monthly(values), screen_outliers=True)
    moving = np.abs(np.diff(values))
    kept = moving[moving <= 3.267 * moving.mean()]
    assert screened["upper_limit"].iloc[0] == pytest.approx(np.mean(values) + 2.66 * kept.mean())
    assert screened["upper_limit"].iloc[0] < plain["upper_limit"].iloc[0]
    assert screened["screened_moving_ranges"].iloc[0] == 2


@pytest.mark.parametrize("series, message", [
    (monthly([5]), "at least two points"),
    (pd.Series([1.0, 2.0, 3.0], index=pd.PeriodIndex(["2016-01", "2016-02", "2016-04"], freq="M")),
     r"months are missing from the series \(2016-03\)"),
    (pd.Series(["1", "two", "3"], index=pd.period_range("2016-01", periods=3, freq="M")),
     "2016-02 .'two'. is missing or not a number"),
    (monthly([1.0, np.nan, 3.0]), r"2016-02 \(empty\) is missing or not a number"),
])
def test_bad_input_is_a_clear_error(series, message):
    with pytest.raises(SPCError, match=message):
        xmr(series)


def test_bad_options():
    with pytest.raises(SPCError, match="improvement must be one of"):
        xmr(monthly([1, 2, 3]), "up")
    with pytest.raises(SPCError, match="leaves fewer than two points"):
        xmr(monthly([1, 2, 3, 4]), recalculate_from="2016-04")
