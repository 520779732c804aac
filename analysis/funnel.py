"""Funnel plots for proportions: each organisation's rate against its volume, with control limits.

The limits are exact binomial limits around the national rate `p` (Spiegelhalter,
"Funnel plots for comparing institutional performance", Statistics in Medicine 2005,
appendix): for a volume `n` and a probability `q`, the quantile `r` of Binomial(n, p) is
interpolated, `(r - a) / n` with `a = (F(r) - q) / (F(r) - F(r - 1))`, so the limits are
smooth in `n`. 95% limits take q = 0.025 and 0.975; 99.8% limits q = 0.001 and 0.999.
An organisation outside the 99.8% limits differs from the national rate by more than
chance would explain about once in 500 comparisons.

Organisations are not ranked when their volume is too small to tell them apart: the
threshold is the smallest volume at which the 95% limits lie within `RANK_HALF_WIDTH`
percentage points of the national rate. Below it, two organisations whose rates differ by
that much may still differ only by chance, so a rank would mislead.

Counts may hold halves (a cancer patient shared by two providers counts half to each):
the exact binomial test needs whole counts, so a half is rounded up to a whole patient
for the position only; rates and volumes shown stay as published.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

LIMITS = {"95%": (0.025, 0.975), "99.8%": (0.001, 0.999)}
RANK_HALF_WIDTH = 10.0  # percentage points
POSITIONS = ("above the 99.8% limit", "above the 95% limit", "within the 95% limits", "below the 95% limit",
             "below the 99.8% limit")


_LOG_FACTORIALS = np.zeros(1)  # log(k!) for k = 0.. (grown as larger volumes are met)


def _log_factorials(n: int) -> np.ndarray:
    """log(k!) for k = 0..n at least (kept and extended, never recomputed)."""
    global _LOG_FACTORIALS
    have = len(_LOG_FACTORIALS)
    if have <= n:
        size = max(1024, 1 << int(n).bit_length())
        _LOG_FACTORIALS = np.concatenate([_LOG_FACTORIALS, [math.lgamma(i + 1) for i in range(have, size + 1)]])
    return _LOG_FACTORIALS


# Beyond this many nats below 1, a binomial probability is exactly 0.0 in double precision
# (the least positive double is about exp(-744.4)).
_UNDERFLOW = 760.0


def _cdf(n: int, p: float) -> tuple[int, np.ndarray]:
    """(lo, c): c[k - lo] = P(X <= k), X ~ Binomial(n, p), 0 < p < 1, for k from lo to the
    last k where P(X = k) is not 0.0; below lo P(X <= k) is 0.0, above it c[-1].

    P(X = k) <= exp(-2n(k/n - p)^2) (Chernoff with Pinsker's inequality), so outside
    n(p -+ d), d = sqrt(_UNDERFLOW / 2n), every term is exactly 0.0 and adding it changes no
    sum: the values are those of the sum over every k, computed over about 2d n terms
    instead of n (a tenth, for a large provider)."""
    reach = math.sqrt(_UNDERFLOW / (2 * n)) * n
    lo, hi = max(0, math.floor(n * p - reach)), min(n, math.ceil(n * p + reach))
    logs = _log_factorials(n)
    k = np.arange(lo, hi + 1)
    log_pmf = logs[n] - logs[k] - logs[n - k] + k * math.log(p) + (n - k) * math.log1p(-p)
    return lo, np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)


def _at_most(cdf: tuple[int, np.ndarray], k: int) -> float:
    """P(X <= k) from `_cdf`."""
    lo, values = cdf
    return 0.0 if k < lo else float(values[min(k - lo, len(values) - 1)])


def _quantile(cdf: tuple[int, np.ndarray], n: int, q: float) -> float:
    """The interpolated limit at probability `q` from the CDF of Binomial(n, p)."""
    lo, values = cdf
    r = lo + int(np.searchsorted(values, q - 1e-12))
    below = _at_most(cdf, r - 1) if r > 0 else 0.0
    a = (_at_most(cdf, r) - q) / (_at_most(cdf, r) - below)
    return float(min(max((r - a) / n, 0.0), 1.0))


def _checked(p: float, n) -> int:
    """The volume `n` as a whole number, once `p` and `n` are known to be usable."""
    if not 0 < p < 1:
        raise ValueError(f"the national rate must be strictly between 0 and 1, not {p}")
    if n < 1:
        raise ValueError(f"a volume must be at least 1, not {n}")
    return int(n)


def limit(p: float, n: int, q: float) -> float:
    """The interpolated binomial limit, as a proportion, at volume `n` and probability `q`."""
    n = _checked(p, n)
    return _quantile(_cdf(n, p), n, q)


def limits(p: float, volumes) -> pd.DataFrame:
    """Lower and upper 95% and 99.8% limits (percent) at each volume."""
    rows = []
    for n in volumes:
        n = _checked(p, n)
        cdf = _cdf(n, p)
        row = {"volume": n}
        for name, (low, high) in LIMITS.items():
            row[f"lower_{name}"] = 100 * _quantile(cdf, n, low)
            row[f"upper_{name}"] = 100 * _quantile(cdf, n, high)
        rows.append(row)
    return pd.DataFrame(rows)


def funnel_lines(p: float, largest: int, points: int = 80) -> pd.DataFrame:
    """The limits from a volume of 1 to `largest`, spaced evenly on a log scale, for drawing."""
    volumes = np.unique(np.round(np.geomspace(1, max(2, largest), points)).astype(int))
    return limits(p, volumes)


def whole(count: float) -> int:
    """A count as a whole number for the binomial test, halves rounded up (0.5 -> 1, 2.5 -> 3)."""
    return int(math.floor(float(count) + 0.5))


def position(numerator: float, volume: float, p: float) -> str:
    """Where an organisation's count falls against the limits, from the exact binomial tails.

    Above the 99.8% limit when P(X >= numerator) < 0.001, above the 95% limit when it is
    below 0.025; likewise below with P(X <= numerator). The drawn limits interpolate
    between whole counts; judging by the tails means 1 of 1 is never taken as evidence.
    """
    numerator, volume = whole(numerator), whole(volume)
    cdf = _cdf(volume, p)
    at_least = 1.0 - (_at_most(cdf, numerator - 1) if numerator > 0 else 0.0)
    at_most = _at_most(cdf, numerator)
    (low_95, high_95), (low_998, high_998) = LIMITS["95%"], LIMITS["99.8%"]
    if at_least < 1 - high_998:
        return POSITIONS[0]
    if at_least < 1 - high_95:
        return POSITIONS[1]
    if at_most < low_998:
        return POSITIONS[4]
    if at_most < low_95:
        return POSITIONS[3]
    return POSITIONS[2]


def rank_threshold(p: float, half_width: float = RANK_HALF_WIDTH, largest: int = 100_000) -> int:
    """The smallest volume whose 95% limits lie within `half_width` points of the national rate."""
    _checked(p, 1)

    @lru_cache(maxsize=None)
    def inside(n: int) -> bool:
        cdf = _cdf(n, p)
        lower, upper = (100 * _quantile(cdf, n, q) for q in LIMITS["95%"])
        return max(upper - 100 * p, 100 * p - lower) <= half_width

    for n in range(1, largest + 1):
        # the limits narrow as n grows, apart from the binomial's small steps: the next few must agree
        if inside(n) and all(inside(m) for m in range(n + 1, n + 5)):
            return n
    raise ValueError(f"no volume up to {largest} gives 95% limits within {half_width} points")


def compare(organisations: pd.DataFrame, p: float, threshold: int) -> pd.DataFrame:
    """Each organisation's position in the funnel; a rank by rate only for those at or above `threshold`.

    `organisations` has columns `numerator`, `volume` and `rate` (percent). The result keeps
    them, adds `position` and `rank` (empty below the threshold), and is sorted by volume,
    largest first, not by rate.
    """
    out = organisations.copy()
    out["position"] = [position(x, n, p) for x, n in zip(out["numerator"], out["volume"])]
    ranked = out["volume"] >= threshold
    out["rank"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out.loc[ranked, "rank"] = out.loc[ranked, "rate"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values("volume", ascending=False).reset_index(drop=True)


def assess(organisations: pd.DataFrame, p: float) -> tuple[pd.DataFrame, dict]:
    """`compare` at the threshold for `p`, and a summary: national rate (percent), threshold,
    organisations, how many are ranked, and counts by position."""
    threshold = rank_threshold(p)
    compared = compare(organisations, p, threshold)
    summary = {"england": 100 * p, "threshold": threshold, "providers": len(compared),
               "ranked": int(compared["rank"].notna().sum()),
               "positions": compared["position"].value_counts().reindex(POSITIONS, fill_value=0).to_dict()}
    return compared, summary


def spread_sentence(summary: dict, noun: str = "providers") -> str:
    """What the number of organisations outside the 99.8% limits says about the variation between them."""
    positions = summary["positions"]
    outside = positions[POSITIONS[0]] + positions[POSITIONS[4]]
    expected = 0.002 * summary["providers"]
    text = (f"{outside} of {summary['providers']} {noun} lie outside the 99.8% limits "
            f"({positions[POSITIONS[0]]} above, {positions[POSITIONS[4]]} below), where chance alone "
            f"would put about {expected:.1f}. ")
    if outside > max(1.0, 2 * expected):
        return text + (f"The spread is wider than chance alone gives (over-dispersion): {noun} differ for "
                       "reasons these data do not show. The limits are not widened for it, so read a position as "
                       "a prompt to look, not a verdict.")
    return text + f"The spread between {noun} is about what chance alone would give."
