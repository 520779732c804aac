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


def test_spread_sentence_names_over_dispersion_only_when_outside_exceeds_chance():
    many = {"providers": 100, "positions": {p: 0 for p in funnel.POSITIONS}}
    many["positions"]["above the 99.8% limit"] = 6
    assert "over-dispersion" in funnel.spread_sentence(many, "trusts")
    assert funnel.spread_sentence(many, "trusts").startswith("6 of 100 trusts lie outside")
    few = {"providers": 100, "positions": {p: 0 for p in funnel.POSITIONS}}
    few["positions"]["below the 99.8% limit"] = 1
    assert "about what chance alone would give" in funnel.spread_sentence(few)
