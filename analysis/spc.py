"""Statistical process control the NHS "Making Data Count" way: XmR charts on monthly series.

`xmr(series, ...)` turns a monthly series into a tidy table (value, mean, process
limits, near limits, moving range, segment, point type, rule); `variation` and
`assurance` summarise it; `spc_chart` draws it. Calculation and drawing are separate,
so chapters and users can use the table without the chart.

The rules are those of the NHS-R reference implementation, NHSRplotthedots, point for
point, except where the methods page's table says otherwise (marked "departs" here):
- centre line: the mean of the segment; moving range: |x[i] - x[i-1]| within a segment;
  screening (on by default, as in the reference): only moving ranges strictly below
  3.267 x their mean are kept; process limits: mean +/- 2.66 x mean kept moving range;
  near limits: two thirds of the way from the mean to each process limit. No moving range
  (one point) or none kept (a constant series, screened): no limits.
- special cause rules, in order of precedence (a point flagged by several reports the first):
  1. a point strictly outside the process limits;
  2. a run of 7 points each higher (or each lower) than the one before (a tie ends the
     run); a point shared by a rising and a falling run takes the direction of the run
     that follows it (departs only where a tie separates two runs: the reference then
     calls the last point of a rising run falling);
  3. 2 of 3 consecutive points strictly beyond the same near limit, all three strictly on
     the same side of the mean; a point outside the process limits is not "near"; the
     near points of such a window are flagged;
  4. a run of 7 points on the same side of the mean (a point exactly on the mean ends it).
- each special cause is improvement or concern by the measure's direction (higher is
  better: "increase"; lower is better: "decrease"), or neutral.
- trial limits: the limits rest on fewer than 12 points (departs: the reference counts
  the segment's points even when limits are fixed on fewer).
- recalculation from one or more months starts new segments, each with its own mean and
  limits; fixing after the first n points sets each segment's limits from its first n.
- assurance against a target, from the last segment's limits: a target outside the
  limits means the process will consistently pass or consistently fail it; inside (or on
  a limit), it will hit and miss at random; no limits, no assurance (departs).
- the current process (departs: the reference gives assurance from whatever limits it has):
  limits describe the process only while the latest points do not say it has changed. It
  has *shifted* when the latest point ends a run of 7 or more points strictly on one side
  of its segment's centre line, or ends 2 or more points in a row strictly beyond the same
  process limit; it is *changing* when the latest point ends a trend of 7 (rule 2). Either
  way no assurance is given from those limits. With `recalculate_at_shifts`, a shift whose
  run (from its first point on that side of the centre line) holds at least 12 points
  starts a new segment there, with limits from those points (so never trial limits), and
  the rule is applied again to the new segment; with fewer, the limits stay and the page
  says the process has changed.
- a missing value or month is an error (departs: the reference computes on what is there).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from .errors import HandbookError

LIMIT_FACTOR = 2.66
SCREEN_FACTOR = 3.267
RUN_LENGTH = 7
MINIMUM_FOR_FIRM_LIMITS = 12
BEYOND_LIMIT_RUN = 2  # points in a row beyond the same process limit that say the process has shifted
RECALCULATE_AFTER = MINIMUM_FOR_FIRM_LIMITS  # points a shift needs before limits are recalculated from it
DIRECTIONS = ("increase", "decrease", "neutral")
RULES = ("outside limits", "trend of 7", "2 of 3 beyond near limit", "7 on one side of the mean")
COLOURS = {"common cause": "#a6a6a6", "improvement": "#00b0f0", "concern": "#e46c0a", "neutral": "#490092",
           "target": "#de1b1b"}


class SPCError(HandbookError):
    """A series that cannot be charted: empty, with gaps, or not numeric; or a bad option."""


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
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        position = int(np.argmax(bad.to_numpy()))
        value = series.iloc[position]
        shown = "empty" if pd.isna(value) else repr(value.item() if isinstance(value, np.generic) else value)
        raise SPCError(f"{name}: the value for {index[position]} ({shown}) is missing or not a number")
    values = pd.Series(values.to_numpy(dtype=float), index=index).sort_index()
    if values.index.duplicated().any():
        raise SPCError(f"{name}: {values.index[values.index.duplicated()][0]} appears twice")
    if len(values) == 0:
        raise SPCError(f"{name}: the series is empty")
    expected = pd.period_range(values.index[0], values.index[-1], freq="M")
    missing = expected.difference(values.index)
    if len(missing):
        shown = ", ".join(str(m) for m in missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise SPCError(f"{name}: months are missing from the series ({shown}); fill or drop them first")
    return values


def _mean(values) -> float:
    """The mean, correctly rounded (R's mean() is as near): a constant series has its own value as its mean."""
    values = list(values)
    return float(sum(map(Fraction, values), Fraction(0)) / len(values))


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


def _segment(values: np.ndarray, screen: bool, fix_after: int | None) -> dict:
    """Mean and limits of one segment, from its first `fix_after` points when given."""
    basis = values[:fix_after] if fix_after else values
    moving = np.abs(np.diff(basis))
    kept = moving[moving < SCREEN_FACTOR * _mean(moving)] if screen and len(moving) else moving
    mean = _mean(basis)
    width = LIMIT_FACTOR * _mean(kept) if len(kept) else np.nan
    return {"mean": mean, "upper": mean + width, "lower": mean - width, "upper_near": mean + 2 * width / 3,
            "lower_near": mean - 2 * width / 3, "moving": np.concatenate([[np.nan], np.abs(np.diff(values))]),
            "screened": len(moving) - len(kept), "basis": len(basis)}


def _rules(values: np.ndarray, limits: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per point: the rule that flags it (index into RULES, or -1) and its side (+1 high, -1 low)."""
    n = len(values)
    rule = np.full(n, -1)
    side = np.zeros(n, dtype=int)

    def assign(mask, number, sides):
        fresh = mask & (rule == -1)
        rule[fresh] = number
        side[fresh] = sides[fresh]

    relative = np.sign(values - limits["mean"]).astype(int)
    high = values > limits["upper"]
    low = values < limits["lower"]
    assign(high | low, 0, np.where(high, 1, -1))
    steps = np.sign(np.diff(values))
    up = np.zeros(n, dtype=bool)
    down = np.zeros(n, dtype=bool)
    for marks, run in ((up, _runs(steps > 0, RUN_LENGTH - 1)), (down, _runs(steps < 0, RUN_LENGTH - 1))):
        for i in np.flatnonzero(run):
            marks[i:i + 2] = True
    # A peak or trough shared by two runs takes the direction of the run after it.
    following = np.append(steps, 0)
    assign(up | down, 1, np.where(up & down, following, np.where(up, 1, -1)).astype(int))
    near = ~(high | low) & ((values > limits["upper_near"]) | (values < limits["lower_near"]))
    two_of_three = np.zeros(n, dtype=bool)
    for start in range(n - 2):
        window = slice(start, start + 3)
        if near[window].sum() >= 2 and abs(relative[window].sum()) == 3:
            two_of_three[window] |= near[window]
    assign(two_of_three, 2, relative)
    shift = _runs(relative > 0, RUN_LENGTH) | _runs(relative < 0, RUN_LENGTH)
    assign(shift, 3, relative)
    return rule, side


def _recalculation_months(recalculate_from, values: pd.Series, name: str) -> list[pd.Period]:
    given = [] if recalculate_from is None else (
        [recalculate_from] if isinstance(recalculate_from, (str, pd.Period, pd.Timestamp)) else list(recalculate_from))
    months = []
    for month in given:
        try:
            start = pd.Period(month, freq="M")
        except (ValueError, TypeError):
            raise SPCError(f"{name}: recalculate_from {month!r} is not a month") from None
        if start not in values.index or start == values.index[0]:
            raise SPCError(f"{name}: recalculate_from {month!r} is not a month of the series after its first")
        if start in months:
            raise SPCError(f"{name}: recalculate_from gives {start} twice")
        months.append(start)
    return sorted(months)


def xmr(series: pd.Series, improvement: str = "increase", target: float | None = None,
        recalculate_from=None, screen_outliers: bool = True, fix_after: int | None = None,
        name: str = "series", recalculate_at_shifts: bool = False) -> pd.DataFrame:
    """The XmR table of a monthly series (see the module docstring for the rules).

    `recalculate_from`: a month, or several, each starting a new segment with its own limits.
    `fix_after`: set each segment's mean and limits from its first n points only.
    `recalculate_at_shifts`: start a new segment where a shift at the end of the series began,
    once it holds at least `RECALCULATE_AFTER` points (see `change`); the segment's
    `segment_start` column says why each segment starts where it does.
    """
    if improvement not in DIRECTIONS:
        raise SPCError(f"improvement must be one of {', '.join(DIRECTIONS)}, not {improvement!r}")
    if fix_after is not None and (isinstance(fix_after, bool) or not isinstance(fix_after, (int, np.integer))
                                  or fix_after < 1):
        raise SPCError(f"fix_after must be a whole number of points, 1 or more, not {fix_after!r}")
    values = _monthly(series, name)
    starts = {month: "given" for month in _recalculation_months(recalculate_from, values, name)}
    table = _table(values, starts, improvement, screen_outliers, fix_after)
    while recalculate_at_shifts:
        found = change(table)
        if found is None or found["kind"] != "shift" or found["points"] < RECALCULATE_AFTER:
            break
        starts[found["start"]] = f"{found['points']} points {found['side']} the earlier centre line"
        table = _table(values, starts, improvement, screen_outliers, fix_after)
    table["target"] = np.nan if target is None else float(target)
    table["recalculate_at_shifts"] = recalculate_at_shifts
    return table


def _table(values: pd.Series, starts: dict, improvement: str, screen_outliers: bool,
           fix_after: int | None) -> pd.DataFrame:
    """The XmR table with a new segment at each month of `starts` (month -> why it starts there)."""
    segment = np.zeros(len(values), dtype=int)
    for start in sorted(starts):
        segment[values.index.get_loc(start):] += 1
    frames = []
    for number in np.unique(segment):
        part = values[segment == number]
        limits = _segment(part.to_numpy(), screen_outliers, fix_after)
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
            "moving_range": limits["moving"], "segment": number, "segment_start": starts.get(part.index[0], ""),
            "point_type": kinds, "rule": [RULES[r] if r >= 0 else "" for r in rule],
            "limit_points": limits["basis"], "trial_limits": limits["basis"] < MINIMUM_FOR_FIRM_LIMITS,
            "screening": screen_outliers, "screened_moving_ranges": limits["screened"]}))
    table = pd.concat(frames, ignore_index=True)
    table["fixed_after"] = np.nan if fix_after is None else float(fix_after)
    table["improvement"] = improvement
    return table


def change(table: pd.DataFrame) -> dict | None:
    """Whether the latest points say the process has changed since its segment's limits were set.

    A *shift*: the latest point ends a run of at least `RUN_LENGTH` points strictly on one
    side of the segment's centre line, or of at least `BEYOND_LIMIT_RUN` points strictly
    beyond the same process limit; its run starts at the first of the points on that side.
    A *trend*: the latest point ends `RUN_LENGTH` points each higher (or each lower) than
    the one before. Returns kind, start (month), points (in the run), side ("above" or
    "below", for a trend "rising" or "falling") and beyond (the latest points beyond the
    limit on that side); None when neither holds."""
    last = table[table["segment"] == table["segment"].iloc[-1]]
    values, mean = last["value"].to_numpy(), last["mean"].iloc[-1]
    side = int(np.sign(values[-1] - mean))
    on_side = _run_at_end(np.sign(values - mean) == side) if side else 0
    limit = last["upper_limit"].iloc[-1] if side > 0 else last["lower_limit"].iloc[-1]
    beyond = _run_at_end(values > limit if side > 0 else values < limit) if side else 0
    if on_side >= RUN_LENGTH or beyond >= BEYOND_LIMIT_RUN:
        return {"kind": "shift", "start": last["month"].iloc[-on_side], "points": on_side,
                "side": "above" if side > 0 else "below", "beyond": beyond}
    steps = np.sign(np.diff(values))
    rising = _run_at_end(steps > 0) if len(steps) else 0
    falling = _run_at_end(steps < 0) if len(steps) else 0
    if max(rising, falling) + 1 >= RUN_LENGTH:
        points = max(rising, falling) + 1
        return {"kind": "trend", "start": last["month"].iloc[-points], "points": points,
                "side": "rising" if rising else "falling", "beyond": beyond}
    return None


def _run_at_end(flags: np.ndarray) -> int:
    """How many of the last values of `flags` are True in a row."""
    flags = np.asarray(flags, dtype=bool)
    false = np.flatnonzero(~flags)
    return len(flags) if len(false) == 0 else len(flags) - 1 - int(false[-1])


def change_text(table: pd.DataFrame, found: dict) -> str:
    """A change found by `change`, in words, with what it means for the limits."""
    months = f"the latest {found['points']} months, from {found['start']:%B %Y},"
    if found["kind"] == "trend":
        verb = "rose" if found["side"] == "rising" else "fell"
        return f"the process is changing: {months} each {verb} on the month before (a trend)"
    limit = "upper" if found["side"] == "above" else "lower"
    text = f"the process has changed: {months} all lie {found['side']} the centre line"
    if found["beyond"] >= BEYOND_LIMIT_RUN:
        text += f", the last {found['beyond']} beyond the {limit} process limit"
    if not table["recalculate_at_shifts"].iloc[-1]:
        return text + "; limits are not recalculated at a shift here"
    return text + (f"; {found['points']} points are too few to recalculate the limits from, which needs "
                   f"{RECALCULATE_AFTER}")


def variation(table: pd.DataFrame) -> str:
    """The variation shown by the latest point."""
    latest = table["point_type"].iloc[-1]
    return "common cause variation" if latest == "common cause" else f"special cause {latest}"


def assurance(table: pd.DataFrame) -> str | None:
    """Whether the process will meet its target, from the last segment's limits (None without
    limits, and None when the latest points say the process has changed: see `change`)."""
    target = table["target"].iloc[-1]
    direction = table["improvement"].iloc[-1]
    last = table.iloc[-1]
    if pd.isna(target) or direction == "neutral" or pd.isna(last["upper_limit"]) or change(table):
        return None
    if last["lower_limit"] <= target <= last["upper_limit"]:
        return "hit and miss"
    passes = (target < last["lower_limit"]) if direction == "increase" else (target > last["upper_limit"])
    return "consistently pass" if passes else "consistently fail"


def choices(table: pd.DataFrame) -> list[str]:
    """The choices and caveats behind a table's limits, in words, for sentences and subtitles."""
    notes = []
    firsts = table.groupby("segment")[["month", "segment_start"]].first().iloc[1:]
    given = firsts.loc[firsts["segment_start"] == "given", "month"]
    if len(given):
        notes.append("limits recalculated from " + " and ".join(f"{m:%B %Y}" for m in given))
    for month, why in firsts.loc[firsts["segment_start"] != "given"].itertuples(index=False):
        notes.append(f"limits recalculated from {month:%B %Y} by the shift rule: {why}, "
                     f"{RECALCULATE_AFTER} or more needed")
    if table["fixed_after"].notna().any():
        notes.append(f"limits fixed on each segment's first {table['fixed_after'].iloc[0]:.0f} points")
    if not table["screening"].iloc[0]:
        notes.append("moving ranges not screened")
    else:
        removed = int(table.groupby("segment")["screened_moving_ranges"].first().sum())
        count = {0: "no moving range", 1: "1 moving range"}.get(removed, f"{removed} moving ranges")
        notes.append(f"screening: {count} of 3.267 times their mean or more left out")
    if table["upper_limit"].isna().iloc[-1]:
        notes.append("no limits: no moving range left to set them")
    elif table["trial_limits"].iloc[-1]:
        notes.append(f"trial limits: fewer than {MINIMUM_FOR_FIRM_LIMITS} points")
    return notes


def describe(table: pd.DataFrame) -> str:
    """One sentence a reader can act on: variation, assurance and the choices behind the limits."""
    text = f"The latest month shows {variation(table)}"
    found = change(table)
    check = assurance(table)
    target = table["target"].iloc[-1]
    if found:
        text += f"; {change_text(table, found)}"
        if pd.notna(target) and table["improvement"].iloc[-1] != "neutral":
            text += f"; so the limits give no assurance against the target of {target:g}"
    elif check:
        text += f"; against the target of {target:g} the process will {check}"
    return text + f" ({'; '.join(choices(table))})."


from .spc_chart import spc_chart  # noqa: E402

__all__ = ["xmr", "variation", "change", "assurance", "choices", "describe", "spc_chart", "SPCError", "COLOURS",
           "RULES"]
