"""The shared funnel plot: exact binomial limits, positions, halves, the ranking threshold."""

import math

import pandas as pd
import pytest

from analysis import funnel


def test_funnel_limits_worked_by_hand():
    # n = 1, p = 0.5: F(0) = 0.5, F(1) = 1; the 97.5% quantile is r = 1 with a = (1 - 0.975) / 0.5 = 0.05
    assert funnel.limit(0.5, 1, 0.975) == pytest.approx(0.95)
    # n = 100, p = 0.5: F(59) = 0.97156, F(60) = 0.98240, so r = 60, a = 0.0074 / 0.01084 = 0.683 -> 0.5932;
    # F(39) = 0.01760, F(40) = 0.02844, so r = 40, a = 0.00344 / 0.01084 = 0.317 -> 0.3968
    assert funnel.limit(0.5, 100, 0.975) == pytest.approx(0.5932, abs=1e-4)
    assert funnel.limit(0.5, 100, 0.025) == pytest.approx(0.3968, abs=1e-4)
    # large n: the binomial limits approach the normal ones
    p, n = 0.737, 20_000
    assert funnel.limit(p, n, 0.999) == pytest.approx(p + 3.0902 * math.sqrt(p * (1 - p) / n), abs=5e-4)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        funnel.limit(1.0, 10, 0.975)


def test_funnel_ranks_only_organisations_above_the_threshold():
    threshold = funnel.rank_threshold(0.737)
    bounds = funnel.limits(0.737, [threshold - 1, threshold]).set_index("volume")
    assert 73.7 - bounds.at[threshold, "lower_95%"] <= 10 < 73.7 - bounds.at[threshold - 1, "lower_95%"]
    assert funnel.rank_threshold(0.737, half_width=5) > threshold
    orgs = pd.DataFrame({"code": ["tiny", "big", "mid"], "numerator": [1, 650, 60], "volume": [1, 1000, 100],
                         "rate": [100.0, 65.0, 60.0]})
    out = funnel.compare(orgs, 0.737, threshold).set_index("code")
    assert list(out.index) == ["big", "mid", "tiny"]  # by volume, not by rate
    assert pd.isna(out.at["tiny", "rank"]) and out.at["big", "rank"] == 1 and out.at["mid", "rank"] == 2
    assert out.at["tiny", "position"] == "within the 95% limits"  # 1 of 1 is no evidence
    assert out.at["big", "position"] == "below the 99.8% limit"


def test_halves_are_rounded_up_to_whole_patients_for_the_test():
    assert [funnel.whole(x) for x in (0.5, 1.0, 2.5, 3.4)] == [1, 1, 3, 3]
    # half a patient treated in time out of half a patient: tested as 1 of 1, no evidence either way
    assert funnel.position(0.5, 0.5, 0.82) == "within the 95% limits"
    orgs = pd.DataFrame({"code": ["half", "big"], "numerator": [0.5, 700.5], "volume": [0.5, 1000.0],
                         "rate": [100.0, 70.05]})
    out, summary = funnel.assess(orgs, 0.82)
    out = out.set_index("code")
    assert pd.isna(out.at["half", "rank"]) and out.at["big", "rank"] == 1
    assert out.at["big", "position"] == "below the 99.8% limit"
    assert summary["ranked"] == 1 and summary["threshold"] == funnel.rank_threshold(0.82)
    assert summary["positions"]["below the 99.8% limit"] == 1


def ten_organisations(last_numerator):
    """Ten organisations of 4 at p = 0.5: z = (x / 4 - 0.5) / 0.25, so 3 of 4 is z = 1 and 1 of 4 is z = -1
    exactly; the last has `last_numerator` of 4."""
    return pd.DataFrame({"code": list("abcdefghij"), "numerator": [3, 1] * 4 + [3, last_numerator],
                         "volume": [4] * 10, "rate": [75.0, 25.0] * 4 + [75.0, 25.0 * last_numerator]})


def test_phi_at_one_exactly_leaves_the_exact_limits_and_above_one_widens_them():
    at_one = funnel.overdispersion(*ten_organisations(3)[["numerator", "volume"]].T.values, 0.5)
    assert at_one["phi"] == 1.0 and at_one["tau2"] == 0.0 and at_one["winsorised"] == 0
    assert funnel.limits(0.5, [4, 400], at_one["tau2"]).equals(funnel.limits(0.5, [4, 400]))
    # The last at 4 of 4 is z = 2; the 90th percentile of the z-scores (nine of +-1 and one of 2, by
    # linear interpolation) is 1 + 0.1 x (2 - 1) = 1.1, so it is Winsorised to 1.1 and phi = (9 + 1.21) / 10.
    above = funnel.overdispersion(*ten_organisations(4)[["numerator", "volume"]].T.values, 0.5)
    assert above["winsorised"] == 1 and above["phi"] == pytest.approx(1.021)
    # tau2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w = 4 / 0.25 = 16 for each: (10.21 - 9) / (160 - 16)
    assert above["tau2"] == pytest.approx(1.21 / 144)
    widened = funnel.limits(0.5, [4, 400], above["tau2"]).set_index("volume")
    exact = funnel.limits(0.5, [4, 400]).set_index("volume")
    assert (widened["upper_99.8%"] >= exact["upper_99.8%"]).all() and (widened["lower_95%"] <= exact["lower_95%"]).all()
    assert widened.at[400, "lower_95%"] < exact.at[400, "lower_95%"]
    nine = funnel.overdispersion([3, 1] * 4 + [4], [4] * 9, 0.5)  # too few organisations to estimate it
    assert nine["tau2"] == 0 and nine["organisations"] == 9
    _, summary = funnel.assess(ten_organisations(3), 0.5)
    assert summary["tau2"] == 0 and "not widened for over-dispersion: phi, the mean squared Winsorised z-score, is " \
        "1.00, not above 1" in funnel.spread_sentence(summary)


def test_a_provider_just_inside_and_just_outside_the_widened_limit():
    p, n, tau2 = 0.8, 100_000, 0.05 ** 2  # a spread of 5 percentage points between providers
    lower = funnel.limit(p, n, 0.001, tau2)
    # At this volume the widened limit is Spiegelhalter's p - z sqrt(p(1 - p) / n + tau2)
    assert lower == pytest.approx(p - 3.0902 * math.sqrt(p * (1 - p) / n + tau2), abs=2e-4)
    assert funnel.limit(p, n, 0.001) > 0.79  # the exact binomial limit alone is within a point of 80%
    just_outside, just_inside = math.floor(lower * n) - 1, math.ceil(lower * n) + 1
    assert funnel.positions(just_outside, n, p, tau2) == ("below the 99.8% limit", "below the 99.8% limit")
    assert funnel.positions(just_inside, n, p, tau2) == ("below the 99.8% limit", "below the 95% limit")
    assert funnel.position(just_inside, n, p) == "below the 99.8% limit"  # without the widening
    assert funnel.position(1, 1, p, tau2) == "within the 95% limits"  # 1 of 1 is still no evidence


def test_widened_limits_are_never_narrower_than_the_exact_ones():
    exact = funnel.limits(0.83, range(1, 60)).set_index("volume")
    widened = funnel.limits(0.83, range(1, 60), 0.0004).set_index("volume")
    for side, wider in (("lower", widened.le), ("upper", widened.ge)):
        for band in funnel.LIMITS:
            column = f"{side}_{band}"
            assert wider(exact)[column].all(), column
    assert ((widened >= 0) & (widened <= 100)).all().all()


def test_spread_sentence_says_how_the_limits_were_set():
    base = {"providers": 100, "organisations": 100, "tau2": 0.0, "phi": 0.93, "tau": 0.0,
            "positions": {p: 0 for p in funnel.POSITIONS}, "binomial_positions": {p: 0 for p in funnel.POSITIONS}}
    base["positions"]["below the 99.8% limit"] = base["binomial_positions"]["below the 99.8% limit"] = 1
    plain = funnel.spread_sentence(base, "trusts")
    assert plain.startswith("Against the exact binomial limits alone, 1 of the 100 trusts lies outside the 99.8%")
    assert "phi, the mean squared Winsorised z-score, is 0.93, not above 1" in plain
    wide = dict(base, tau2=0.0025, tau=5.0, phi=40.0)
    wide["binomial_positions"] = dict(base["binomial_positions"], **{"above the 99.8% limit": 60})
    text = funnel.spread_sentence(wide, "trusts")
    assert "61 of the 100 trusts lie outside the 99.8% limits, where chance alone would put about 0.2" in text
    assert "widened for it by an additive random-effects spread of 5.0 percentage points" in text
    assert "against them 1 lies outside the 99.8% limits (0 above, 1 below)" in text


def test_beyond_limits_counts_each_side_and_names_the_limits():
    positions = dict.fromkeys(funnel.POSITIONS, 0) | {"above the 99.8% limit": 2, "below the 99.8% limit": 5}
    exact = {"positions": positions, "england": 82.26, "tau2": 0.0}
    assert funnel.beyond_limits(exact) == (
        "2 above and 5 below the 99.8% limits around England's 82.3% (control limits (exact binomial))")
    assert funnel.beyond_limits(exact | {"tau2": 0.5}, "England's type 1 rate of") == (
        "2 above and 5 below the 99.8% limits around England's type 1 rate of 82.3% "
        "(limits, widened for over-dispersion)")
