"""Statistical process control the NHS "Making Data Count" way: XmR charts on monthly series.

`xmr(series, ...)` turns a monthly series into a tidy table (value, mean, process
limits, near limits, moving range, segment, point type, rule); `variation` and
`assurance` summarise it; `spc_chart` draws it. Calculation and drawing are separate,
so chapters and users can use the table without the chart.

The method, as implemented (choices marked "choice" are documented on the methods page):
- centre line: the mean of the segment; moving range: |x[i] - x[i-1]| within a segment;
  process limits: mean +/- 2.66 x mean moving range; near limits: two thirds of the way
  from the mean to each process limit.
- special cause rules, in order of precedence (a point flagged by several reports the first):
  1. a point outside the process limits;
  2. a run of 7 points each higher (or each lower) than the one before (choice: a point
     equal to the one before ends the run);
  3. 2 of 3 consecutive points beyond the same near limit (the points beyond are flagged);
  4. a run of 7 points on the same side of the mean (choice: a point exactly on the mean
     is on neither side and ends the run).
- each special cause is improvement or concern by the measure's direction (higher is
  better: "increase"; lower is better: "decrease"), or neutral.
- fewer than 12 points in a segment: the limits are trial limits, and the table says so.
- recalculation from a month (a change in process) starts a new segment with its own
  mean and limits; screening removes moving ranges above 3.267 x the mean moving range
  before the limits are set (once), and the table says so.
- assurance against a target, from the last segment's limits: a target outside the
  limits means the process will consistently pass or consistently fail it; inside, it
  will hit and miss at random.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import HandbookError

LIMIT_FACTOR = 2.66
SCREEN_FACTOR = 3.267
RUN_LENGTH = 7
MINIMUM_FOR_FIRM_LIMITS = 12
DIRECTIONS = ("increase", "decrease", "neutral")
RULES = ("outside limits", "trend of 7", "2 of 3 beyond near limit", "7 on one side of the mean")
COLOURS = {"common cause": "#a6a6a6", "improvement": "#00b0f0", "concern": "#e46c0a", "neutral": "#490092",
           "target": "#de1b1b"}


class SPCError(HandbookError):
    """A series that cannot be charted: too short, with gaps, or not numeric."""


def _monthly(series: pd.Series, name: str) -> pd.Series:
    if not isinstance(series, pd.Series):
        raise SPCError(f"{name}: give a pandas Series indexed by month")
    index = series.index
    if isinstance(index, pd.DatetimeIndex):
        index = index.to_period("M")
    elif not isinstance(index, pd.PeriodIndex):
        try:
            index = pd.PeriodIndex(index, freq="M")
        except (ValueError, TypeError):
            raise SPCError(f"{name}: the index must be months (periods or dates)") from None
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna()
    if bad.any():
        position = int(np.argmax(bad.to_numpy()))
        value = series.iloc[position]
        shown = "empty" if pd.isna(value) else repr(value)
        raise SPCError(f"{name}: the value for {index[position]} ({shown}) is missing or not a number")
    values = pd.Series(values.to_numpy(dtype=float), index=index).sort_index()
    if values.index.duplicated().any():
        raise SPCError(f"{name}: {values.index[values.index.duplicated()][0]} appears twice")
    if len(values) < 2:
        raise SPCError(f"{name}: an XmR chart needs at least two points (got {len(values)})")
    expected = pd.period_range(values.index[0], values.index[-1], freq="M")
    missing = expected.difference(values.index)
    if len(missing):
        shown = ", ".join(str(m) for m in missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise SPCError(f"{name}: months are missing from the series ({shown}); fill or drop them first")
    return values


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Mark every position in a run of at least `length` consecutive True values."""
    marked = np.zeros(len(flags), dtype=bool)
    start = None
    for i, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                marked[start:i] = True
            start = None
    return marked


def _segment(values: np.ndarray, screen: bool) -> dict:
    moving = np.abs(np.diff(values))
    mean_mr = moving.mean()
    screened = 0
    if screen and len(moving):
        keep = moving <= SCREEN_FACTOR * mean_mr
        screened = int((~keep).sum())
        if keep.any():
            mean_mr = moving[keep].mean()
    mean = values.mean()
    width = LIMIT_FACTOR * mean_mr
    return {"mean": mean, "upper": mean + width, "lower": mean - width, "upper_near": mean + 2 * width / 3,
            "lower_near": mean - 2 * width / 3, "moving": np.concatenate([[np.nan], moving]),
            "screened": screened}


def _rules(values: np.ndarray, limits: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per point: the rule that flags it (index into RULES, or -1) and its side (+1 high, -1 low)."""
    n = len(values)
    rule = np.full(n, -1)
    side = np.zeros(n, dtype=int)

    def assign(mask, number, sides):
        fresh = mask & (rule == -1)
        rule[fresh] = number
        side[fresh] = sides[fresh]

    high = values > limits["upper"]
    low = values < limits["lower"]
    assign(high | low, 0, np.where(high, 1, -1))
    steps = np.sign(np.diff(values))
    rising = _runs(steps > 0, RUN_LENGTH - 1)
    falling = _runs(steps < 0, RUN_LENGTH - 1)
    up = np.zeros(n, dtype=bool)
    down = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(rising):
        up[i:i + 2] = True
    for i in np.flatnonzero(falling):
        down[i:i + 2] = True
    assign(up | down, 1, np.where(up, 1, -1))
    above_near = values > limits["upper_near"]
    below_near = values < limits["lower_near"]
    two_of_three = np.zeros(n, dtype=bool)
    sides = np.zeros(n, dtype=int)
    for start in range(max(0, n - 2)):
        for beyond, sign in ((above_near, 1), (below_near, -1)):
            window = beyond[start:start + 3]
            if window.sum() >= 2:
                hits = np.flatnonzero(window) + start
                two_of_three[hits] = True
                sides[hits] = sign
    assign(two_of_three, 2, sides)
    above = values > limits["mean"]
    below = values < limits["mean"]
    shift_high = _runs(above, RUN_LENGTH)
    shift_low = _runs(below, RUN_LENGTH)
    assign(shift_high | shift_low, 3, np.where(shift_high, 1, -1))
    return rule, side


def xmr(series: pd.Series, improvement: str = "increase", target: float | None = None,
        recalculate_from=None, screen_outliers: bool = False, name: str = "series") -> pd.DataFrame:
    """The XmR table of a monthly series (see the module docstring for the method)."""
    if improvement not in DIRECTIONS:
        raise SPCError(f"improvement must be one of {', '.join(DIRECTIONS)}, not {improvement!r}")
    values = _monthly(series, name)
    segment = np.zeros(len(values), dtype=int)
    if recalculate_from is not None:
        start = pd.Period(recalculate_from, freq="M")
        if start not in values.index:
            raise SPCError(f"{name}: recalculate_from {start} is not a month of the series")
        position = values.index.get_loc(start)
        if position < 2 or len(values) - position < 2:
            raise SPCError(f"{name}: recalculating from {start} leaves fewer than two points on one side")
        segment[position:] = 1
    frames = []
    for number in np.unique(segment):
        part = values[segment == number]
        limits = _segment(part.to_numpy(), screen_outliers)
        rule, side = _rules(part.to_numpy(), limits)
        if improvement == "neutral":
            kinds = np.where(rule >= 0, "neutral", "common cause")
        else:
            good = side if improvement == "increase" else -side
            kinds = np.where(rule < 0, "common cause", np.where(good > 0, "improvement", "concern"))
        frames.append(pd.DataFrame({
            "month": part.index, "value": part.to_numpy(), "mean": limits["mean"],
            "lower_limit": limits["lower"], "upper_limit": limits["upper"],
            "lower_near": limits["lower_near"], "upper_near": limits["upper_near"],
            "moving_range": limits["moving"], "segment": number, "point_type": kinds,
            "rule": [RULES[r] if r >= 0 else "" for r in rule],
            "trial_limits": len(part) < MINIMUM_FOR_FIRM_LIMITS,
            "screened_moving_ranges": limits["screened"]}))
    table = pd.concat(frames, ignore_index=True)
    table["target"] = np.nan if target is None else float(target)
    table["improvement"] = improvement
    return table


def variation(table: pd.DataFrame) -> str:
    """The variation shown by the latest point."""
    latest = table["point_type"].iloc[-1]
    return "common cause variation" if latest == "common cause" else f"special cause {latest}"


def assurance(table: pd.DataFrame) -> str | None:
    """Whether the process will meet its target, from the last segment's limits."""
    target = table["target"].iloc[-1]
    direction = table["improvement"].iloc[-1]
    if pd.isna(target) or direction == "neutral":
        return None
    last = table[table["segment"] == table["segment"].max()].iloc[-1]
    if last["lower_limit"] <= target <= last["upper_limit"]:
        return "hit and miss"
    passes = (target < last["lower_limit"]) if direction == "increase" else (target > last["upper_limit"])
    return "consistently pass" if passes else "consistently fail"


def describe(table: pd.DataFrame) -> str:
    """One sentence a reader can act on: variation, assurance and any caveats."""
    text = f"The latest month shows {variation(table)}"
    check = assurance(table)
    if check:
        text += f"; against the target of {table['target'].iloc[-1]:g} the process will {check}"
    caveats = []
    if table["trial_limits"].iloc[-1]:
        caveats.append("trial limits (fewer than 12 points)")
    if table["segment"].max() > 0:
        start = table.loc[table["segment"] == table["segment"].max(), "month"].iloc[0]
        caveats.append(f"limits recalculated from {start.strftime('%B %Y')}")
    if table["screened_moving_ranges"].max() > 0:
        caveats.append("outlying moving ranges screened out")
    return text + (f" ({'; '.join(caveats)})" if caveats else "") + "."


from .spc_chart import spc_chart  # noqa: E402

__all__ = ["xmr", "variation", "assurance", "describe", "spc_chart", "SPCError", "COLOURS", "RULES"]
