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

Over-dispersion (Spiegelhalter 2005, section 3.3): when organisations differ by more than
chance, the binomial limits flag nearly all of them at large volumes. Each organisation's
z-score (its rate minus `p`, over the binomial standard error sqrt(p(1 - p) / n)) is
Winsorised at the 10th and 90th percentiles of the z-scores; phi is the mean of their
squares. When phi > 1 the limits are widened by the additive random-effects variance
tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w = 1 / standard error^2 (I
organisations): each exact binomial limit's distance d from `p` becomes sqrt(d^2 + z^2 tau^2),
z the limit's normal quantile (1.96 for 95%, 3.09 for 99.8%), so at large volumes the limits
are p +- z sqrt(p(1 - p) / n + tau^2), and they are never narrower than the exact ones. Additive,
not multiplicative (phi times the binomial variance): the excess spread between providers
(case mix, organisation) does not shrink with volume, and multiplicative limits would still
close on the largest providers. With phi <= 1, or fewer than 10 organisations, tau^2 is 0
and the limits and positions are the exact binomial ones, bit for bit. An organisation is
beyond an adjusted limit only when it is beyond both the exact binomial tail (as below) and
the widened limit at its volume. The ranking threshold stays binomial: it is about chance
at small volumes, not about differences between organisations.

Counts may hold halves (a cancer patient shared by two providers counts half to each):
the exact binomial test needs whole counts, so a half is rounded up to a whole patient
for the position only (and for the z-scores); rates and volumes shown stay as published.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import pandas as pd

LIMITS = {"95%": (0.025, 0.975), "99.8%": (0.001, 0.999)}
RANK_HALF_WIDTH = 10.0  # percentage points
WINSOR_PERCENTILES = (10, 90)  # z-scores beyond these percentiles are pulled in to them
MINIMUM_FOR_OVERDISPERSION = 10  # organisations needed to estimate it (fewer: exact binomial limits)
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


def _widened(p: float, bound: float, q: float, tau2: float) -> float:
    """An exact limit at probability `q` widened by the random-effects variance `tau2`: its distance d
    from `p` becomes sqrt(d^2 + z_q^2 tau2), z_q the normal quantile (unchanged at tau2 = 0)."""
    if tau2 <= 0:
        return bound
    distance = math.sqrt((bound - p) ** 2 + NormalDist().inv_cdf(q) ** 2 * tau2)
    return min(max(p + math.copysign(distance, q - 0.5), 0.0), 1.0)


def limit(p: float, n: int, q: float, tau2: float = 0.0) -> float:
    """The interpolated binomial limit, as a proportion, at volume `n` and probability `q`,
    widened by `tau2` (see the module docstring)."""
    n = _checked(p, n)
    return _widened(p, _quantile(_cdf(n, p), n, q), q, tau2)


def limits(p: float, volumes, tau2: float = 0.0) -> pd.DataFrame:
    """Lower and upper 95% and 99.8% limits (percent) at each volume, widened by `tau2`."""
    rows = []
    for n in volumes:
        n = _checked(p, n)
        cdf = _cdf(n, p)
        row = {"volume": n}
        for name, (low, high) in LIMITS.items():
            row[f"lower_{name}"] = 100 * _widened(p, _quantile(cdf, n, low), low, tau2)
            row[f"upper_{name}"] = 100 * _widened(p, _quantile(cdf, n, high), high, tau2)
        rows.append(row)
    return pd.DataFrame(rows)


def funnel_lines(p: float, largest: int, points: int = 80, tau2: float = 0.0) -> pd.DataFrame:
    """The limits from a volume of 1 to `largest`, spaced evenly on a log scale, for drawing."""
    volumes = np.unique(np.round(np.geomspace(1, max(2, largest), points)).astype(int))
    return limits(p, volumes, tau2)


def whole(count: float) -> int:
    """A count as a whole number for the binomial test, halves rounded up (0.5 -> 1, 2.5 -> 3)."""
    return int(math.floor(float(count) + 0.5))


def overdispersion(numerators, volumes, p: float) -> dict:
    """Spiegelhalter's over-dispersion estimates from the organisations' whole counts:
    `phi` (the mean squared Winsorised z-score), `tau2` (the additive random-effects variance,
    a proportion squared; 0 unless phi > 1), `organisations`, and `winsorised` (how many
    z-scores were pulled in to the 10th or 90th percentile). Fewer than
    `MINIMUM_FOR_OVERDISPERSION` organisations give no estimate (phi NaN, tau2 0)."""
    _checked(p, 1)
    numerators = np.array([whole(x) for x in numerators], dtype=float)
    volumes = np.array([whole(n) for n in volumes], dtype=float)
    count = len(volumes)
    if count < MINIMUM_FOR_OVERDISPERSION:
        return {"phi": float("nan"), "tau2": 0.0, "organisations": count, "winsorised": 0}
    variance = p * (1 - p) / volumes
    z = (numerators / volumes - p) / np.sqrt(variance)
    low, high = np.percentile(z, WINSOR_PERCENTILES)
    pulled = np.clip(z, low, high)
    phi = float(np.mean(pulled ** 2))
    weights = 1 / variance
    tau2 = 0.0
    if phi > 1:
        tau2 = float((count * phi - (count - 1)) / (weights.sum() - (weights ** 2).sum() / weights.sum()))
    return {"phi": phi, "tau2": tau2, "organisations": count, "winsorised": int((pulled != z).sum())}


def _binomial_level(cdf, numerator: int) -> int:
    """+2 above the 99.8% limit, +1 above the 95%, 0 within, -1 and -2 below, from the exact tails."""
    at_least = 1.0 - (_at_most(cdf, numerator - 1) if numerator > 0 else 0.0)
    at_most = _at_most(cdf, numerator)
    (low_95, high_95), (low_998, high_998) = LIMITS["95%"], LIMITS["99.8%"]
    if at_least < 1 - high_998:
        return 2
    if at_least < 1 - high_95:
        return 1
    if at_most < low_998:
        return -2
    if at_most < low_95:
        return -1
    return 0


def _widened_level(cdf, numerator: int, volume: int, p: float, tau2: float) -> int:
    """The same levels from the widened limits at the organisation's volume (strictly beyond them)."""
    rate = numerator / volume
    for level, name in ((2, "99.8%"), (1, "95%")):
        low, high = LIMITS[name]
        if rate > _widened(p, _quantile(cdf, volume, high), high, tau2):
            return level
        if rate < _widened(p, _quantile(cdf, volume, low), low, tau2):
            return -level
    return 0


LEVELS = {2: POSITIONS[0], 1: POSITIONS[1], 0: POSITIONS[2], -1: POSITIONS[3], -2: POSITIONS[4]}


def positions(numerator: float, volume: float, p: float, tau2: float = 0.0) -> tuple[str, str]:
    """(against the exact binomial limits, against the limits widened by `tau2`): the second is
    the less extreme of the first and the widened limits' verdict, so it is the first when tau2 is 0."""
    numerator, volume = whole(numerator), whole(volume)
    cdf = _cdf(volume, p)
    binomial = _binomial_level(cdf, numerator)
    if tau2 <= 0 or binomial == 0:
        return LEVELS[binomial], LEVELS[binomial]
    widened = _widened_level(cdf, numerator, volume, p, tau2)
    adjusted = 0 if widened * binomial <= 0 else int(np.sign(binomial)) * min(abs(binomial), abs(widened))
    return LEVELS[binomial], LEVELS[adjusted]


def position(numerator: float, volume: float, p: float, tau2: float = 0.0) -> str:
    """Where an organisation's count falls against the limits (widened by `tau2`).

    Above the 99.8% limit when P(X >= numerator) < 0.001, above the 95% limit when it is
    below 0.025; likewise below with P(X <= numerator). The drawn limits interpolate
    between whole counts; judging by the tails means 1 of 1 is never taken as evidence.
    With tau2 > 0 the count must also lie strictly beyond the widened limit.
    """
    return positions(numerator, volume, p, tau2)[1]


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


def compare(organisations: pd.DataFrame, p: float, threshold: int, tau2: float = 0.0) -> pd.DataFrame:
    """Each organisation's position in the funnel; a rank by rate only for those at or above `threshold`.

    `organisations` has columns `numerator`, `volume` and `rate` (percent). The result keeps
    them, adds `position` (against the limits widened by `tau2`), `binomial_position` (against
    the exact binomial limits alone) and `rank` (empty below the threshold), and is sorted by
    volume, largest first, not by rate.
    """
    out = organisations.copy()
    found = [positions(x, n, p, tau2) for x, n in zip(out["numerator"], out["volume"])]
    out["position"] = [adjusted for _, adjusted in found]
    out["binomial_position"] = [binomial for binomial, _ in found]
    ranked = out["volume"] >= threshold
    out["rank"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out.loc[ranked, "rank"] = out.loc[ranked, "rate"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values("volume", ascending=False).reset_index(drop=True)


def _counts(column: pd.Series) -> dict:
    return column.value_counts().reindex(POSITIONS, fill_value=0).to_dict()


def assess(organisations: pd.DataFrame, p: float) -> tuple[pd.DataFrame, dict]:
    """`compare` at the threshold for `p`, with the limits widened for over-dispersion, and a
    summary: national rate (percent), threshold, organisations, how many are ranked, the
    over-dispersion estimates (phi, tau2, tau in percentage points, winsorised), and counts
    by position against the widened limits (`positions`) and the binomial ones alone."""
    threshold = rank_threshold(p)
    spread = overdispersion(organisations["numerator"], organisations["volume"], p)
    compared = compare(organisations, p, threshold, spread["tau2"])
    summary = {"england": 100 * p, "threshold": threshold, "providers": len(compared),
               "ranked": int(compared["rank"].notna().sum()), **spread, "tau": 100 * math.sqrt(spread["tau2"]),
               "positions": _counts(compared["position"]),
               "binomial_positions": _counts(compared["binomial_position"])}
    return compared, summary


def _outside(positions: dict) -> int:
    return positions[POSITIONS[0]] + positions[POSITIONS[4]]


def _lie(count: int) -> str:
    return f"{count} lies" if count == 1 else f"{count} lie"


def spread_sentence(summary: dict, noun: str = "providers") -> str:
    """How the limits were set (widened for over-dispersion or not), and how many organisations
    lie outside the 99.8% limits against what chance alone would give."""
    positions, binomial = summary["positions"], summary["binomial_positions"]
    expected = 0.002 * summary["providers"]
    count = _outside(binomial)
    plain = (f"Against the exact binomial limits alone, {count} of the {summary['providers']} {noun} "
             f"{'lies' if count == 1 else 'lie'} outside the 99.8% limits, where chance alone would put about "
             f"{expected:.1f}")
    if summary["tau2"] <= 0:
        why = (f"fewer than {MINIMUM_FOR_OVERDISPERSION} {noun} are too few to estimate it"
               if summary["organisations"] < MINIMUM_FOR_OVERDISPERSION else
               f"phi, the mean squared Winsorised z-score, is {summary['phi']:.2f}, not above 1")
        return (f"{plain} ({positions[POSITIONS[0]]} above, {positions[POSITIONS[4]]} below). The limits are "
                f"not widened for over-dispersion: {why}.")
    outside_95 = _outside(positions) + positions[POSITIONS[1]] + positions[POSITIONS[3]]
    return (f"{plain}: {noun} differ by more than chance (over-dispersion; phi, the mean squared Winsorised "
            f"z-score, is {summary['phi']:,.1f}). The limits drawn are widened for it by an additive "
            f"random-effects spread of {summary['tau']:.1f} percentage points (tau, Spiegelhalter 2005), which "
            f"does not shrink with volume: against them {_lie(_outside(positions))} outside the 99.8% limits "
            f"({positions[POSITIONS[0]]} above, {positions[POSITIONS[4]]} below) and {outside_95} outside the 95% "
            "limits. Read a position as a prompt to look, not a verdict.")


def limits_title(summary: dict) -> str:
    """The legend's heading for the limits `assess` set: widened for over-dispersion or exact binomial."""
    return "Limits, widened for over-dispersion" if summary["tau2"] > 0 else "Control limits (exact binomial)"


def beyond_limits(summary: dict, centre: str = "England's") -> str:
    """How many organisations lie above and below the 99.8% limits `assess` set, around `centre` and the
    national rate, naming the limits (for a funnel plot's alt text)."""
    positions = summary["positions"]
    return (f"{positions[POSITIONS[0]]} above and {positions[POSITIONS[4]]} below the 99.8% limits around "
            f"{centre} {summary['england']:.1f}% ({limits_title(summary).lower()})")


def figures(summary: dict) -> dict:
    """`assess`'s summary as plain numbers, for gluing: organisations, ranked and not, the threshold, the
    national rate, phi and tau (percentage points), and how many lie outside the 99.8% limits against the
    exact binomial limits alone, against the limits drawn, and outside the 95% limits drawn."""
    positions, binomial = summary["positions"], summary["binomial_positions"]
    return {"providers": summary["providers"], "ranked": summary["ranked"],
            "unranked": summary["providers"] - summary["ranked"], "threshold": summary["threshold"],
            "england": summary["england"], "phi": None if math.isnan(summary["phi"]) else summary["phi"],
            "tau": summary["tau"], "binomial_outside": _outside(binomial), "outside": _outside(positions),
            "outside_95": _outside(positions) + positions[POSITIONS[1]] + positions[POSITIONS[3]]}
