"""Whether a published file is whole: one check, in three parts, that every reader applies where it can.

A file cut short (a download that stopped, a full disk, an editor that dropped rows) still
parses, and every figure summed from it comes out too small. Each reader calls the parts
that fit its layout (`tests/BAD_INPUT.md` lists them by dataset):

(a) `refuse_cut_short`: a text file ends with a line end. A cut inside a row leaves its last
    line without one. (A cut workbook is not a readable workbook: `analysis.workbook`.)
(b) Each period against the periods around it. A cut at a row boundary thins the file's last
    period (a file in period order) or every period a little (a file in no order):
    - `Periods.check`: a period with fewer than `MIN_SHARE` of the organisations of the periods
      around it (the median of up to `NEIGHBOURS` either side; the first and last periods are
      compared with those on their one side), or lacking organisations present in the periods
      around it (the one before and the one after; for the first and last period, the two on
      their one side) that carry more than the dataset's stated share of its volume;
    - `check_runs_on`: no period missing between two others of one file;
    - `check_stated_span`: every period the file's own name says it covers is there;
    - `check_sets`: rows the publisher always gives together (EIP's completed and incomplete
      pathways of one provider, CCG and month) are all there.
(c) `check_national` and `check_parts`: national rows present, not blank, and equal to the sum
    of their parts wherever the publisher gives both, within the publisher's rounding.

Every refusal is a DataError naming the file and the period. Small real gaps pass (b) and are
said on the page (`gap_sentence`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from .errors import DataError

MIN_SHARE = 0.9
"""A period with fewer organisations than this share of the periods around it (their median) is refused."""
MAX_MISSING_SHARE = 0.02
"""Organisations missing from a period but present around it may carry at most this share of the
period's volume (judged by their neighbouring periods), unless a dataset states its own share."""
NEIGHBOURS = 3
"""Periods on each side whose median count a period is compared with."""

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]


# (a) ------------------------------------------------------------------------------------------

def ends_with_line_end(path) -> bool:
    """Whether the file's last byte ends a line (a file cut short usually does not)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return False
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")


def _lines(path: Path) -> int:
    """The number of lines of a file whose last line has no line end (CR-only files too)."""
    newlines = returns = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            newlines += block.count(b"\n")
            returns += block.count(b"\r")
    return (newlines or returns) + 1


def refuse_cut_short(path, last_read_row: int | None = None) -> None:
    """(a) Refuse a text file whose last line has no line end: it was most likely cut inside a row.

    `last_read_row`: the last line the reader takes figures from, for a layout with notes below its
    table; an unended line below it is a note, which no figure uses, and is let through.
    """
    from .schema import sniff_text

    path = Path(path)
    sniff_text(path)  # text in another encoding is named as such, not as cut short
    if ends_with_line_end(path):
        return
    if path.stat().st_size == 0:
        raise DataError(path, "is empty")
    lines = _lines(path)
    if last_read_row is not None and lines > last_read_row:
        return
    raise DataError(path, "its last line has no line end, so the file looks cut short (truncated); "
                          "download it again", row=lines)


# (b) ------------------------------------------------------------------------------------------

def period_label(period) -> str:
    """"March 2017" for a month, the year itself for a year."""
    if isinstance(period, pd.Period):
        return period.strftime("%B %Y") if period.freqstr.startswith("M") else str(period)
    return str(period)


@dataclass(frozen=True)
class Periods:
    """How one dataset's tidy table falls into periods and organisations, and how it is judged.

    `what` names the dataset in refusals ("... so the A&E figures would be wrong"); `period` and
    `organisation` are columns (an organisation may be several columns); `volume` weighs a missing
    organisation (None: each counts one); `unit`, `noun`, `volume_noun` and `label` (a period ->
    words) word the messages.
    """

    what: str
    period: str = "month"
    organisation: tuple[str, ...] = ("org_code",)
    volume: str | None = None
    volume_noun: str | None = None
    unit: str = "month"
    noun: str = "organisations"
    max_missing_share: float = MAX_MISSING_SHARE
    min_share: float = MIN_SHARE
    label: Callable | None = None

    def _label(self, period) -> str:
        return (self.label or period_label)(period)

    def gaps(self, table: pd.DataFrame) -> pd.DataFrame:
        """Organisations absent from a period but present in the periods around it.

        One row per period and organisation, with `expected` (the organisation's mean volume in
        those neighbouring periods; 1 without a volume) and `share` (that over the period's
        volume). The neighbours are the periods before and after; the first and last period are
        judged by the two on their one side, and with two periods each by the other. Real files
        have a few such gaps; a truncated file has many.
        """
        keys = list(self.organisation)
        found = []
        periods = sorted(table[self.period].unique())
        if len(periods) >= 2:
            weights = table.assign(_w=table[self.volume].fillna(0.0) if self.volume else 1.0)
            per_org = weights.groupby([self.period, *keys])["_w"].sum()
            totals = weights.groupby(self.period)["_w"].sum()
            present = {p: set(per_org.loc[p].index) for p in periods}
            for i, period in enumerate(periods):
                around = _around(periods, i)
                missing = set.intersection(*(present[p] for p in around)) - present[period]
                for org in sorted(missing, key=str):
                    expected = sum(float(per_org.get((p, *_tuple(org)), 0.0)) for p in around) / len(around)
                    found.append({self.period: period, **dict(zip(keys, _tuple(org))), "expected": expected,
                                  "share": expected / totals[period] if totals[period] else 1.0})
        return pd.DataFrame(found, columns=[self.period, *keys, "expected", "share"])

    def check(self, table: pd.DataFrame) -> pd.DataFrame:
        """(b) Refuse a table that looks cut short: a period with far fewer organisations than
        the periods around it, or lacking organisations present around it that carry more than
        `max_missing_share` of its volume. Returns the table; smaller gaps are left for `gaps`."""
        counts = table.drop_duplicates([self.period, *self.organisation]).groupby(self.period).size().sort_index()
        for i, (period, count) in enumerate(counts.items()):
            around = pd.concat([counts.iloc[max(0, i - NEIGHBOURS):i], counts.iloc[i + 1:i + 1 + NEIGHBOURS]])
            if around.empty:
                continue
            typical = float(around.median())
            if count < self.min_share * typical:
                raise DataError(_files(table, period, self.period),
                                f"{self._label(period)} has {count} {self.noun} against about {typical:.0f} in the "
                                f"{self.unit}s around it; the file looks cut short, so the {self.what} figures would "
                                "be wrong. Use a complete copy")
        found = self.gaps(table)
        if found.empty:
            return table
        shares = found.groupby(self.period, sort=True)["share"].sum()
        if shares.max() <= self.max_missing_share:
            return table
        period = shares.idxmax()
        mine = found[found[self.period] == period]
        names = ["/".join(str(v) for v in row) for row in mine[list(self.organisation)].itertuples(index=False)]
        listed = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        raise DataError(_files(table, period, self.period),
                        f"{self._label(period)} lacks {len(names)} of the {self.noun} present in the {self.unit}s "
                        f"around it ({listed}), about {100 * shares.max():.1f}% of the {self.unit}'s "
                        f"{self.volume_noun or self.volume or self.noun}; the file looks cut short, so the {self.what} "
                        "figures would be wrong")


def _tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _around(periods: list, i: int) -> list:
    """The periods a period's gaps are judged by (see `Periods.gaps`)."""
    if 0 < i < len(periods) - 1:
        return [periods[i - 1], periods[i + 1]]
    return periods[1:3] if i == 0 else periods[-3:-1][::-1]


def _files(rows: pd.DataFrame, period, column: str) -> str:
    files = sorted(set(rows.loc[rows[column] == period, "source_file"])) or sorted(set(rows["source_file"]))
    return ", ".join(files)


def check_runs_on(periods, path, rows=None, *, unit: str = "month", step: int = 1, prefix: str = "") -> None:
    """(b) Refuse a series with a period missing: each period must be the one after the period before it.

    `periods` in the order to judge (a sheet's rows in file order, or a file's periods sorted);
    `rows` the file's row of each, to point at; `step` the periods' spacing (3 for quarters given
    by their last month).
    """
    periods, rows = list(periods), None if rows is None else list(rows)
    for i in range(1, len(periods)):
        if periods[i] != periods[i - 1] + step:
            raise DataError(path, f"{prefix}{period_label(periods[i])} follows {period_label(periods[i - 1])}; "
                                  f"{unit}s must run on without gaps, so the file looks cut short or damaged",
                            None if rows is None else int(rows[i]))


SPANS = {
    "month": [  # "December-2015-to-September-2019", "2016-04_2019-03"
        (re.compile(r"(?<![A-Za-z])(" + "|".join(MONTH_NAMES) + r")[-_ ]?(\d{4})[-_ ]to[-_ ](" + "|".join(MONTH_NAMES)
                    + r")[-_ ]?(\d{4})(?!\d)", re.IGNORECASE),
         lambda m: (pd.Period(f"{m[2]}-{MONTH_NAMES.index(m[1].title()) + 1:02d}", "M"),
                    pd.Period(f"{m[4]}-{MONTH_NAMES.index(m[3].title()) + 1:02d}", "M"))),
        (re.compile(r"(?<!\d)(\d{4})-(\d{2})_(\d{4})-(\d{2})(?!\d)"),
         lambda m: (pd.Period(f"{m[1]}-{m[2]}", "M"), pd.Period(f"{m[3]}-{m[4]}", "M"))),
    ],
    "year": [(re.compile(r"(?<!\d)(\d{4})-(\d{4})(?!\d)"), lambda m: (int(m[1]), int(m[2])))],  # "2017-2018"
}


def stated_span(path, unit: str = "month") -> tuple | None:
    """The first and last period a file's name says it covers (None when it says none)."""
    for pattern, span in SPANS[unit]:
        found = pattern.search(Path(path).name)
        if found:
            try:
                first, last = span(found)
            except ValueError:  # "2016-13": not a month
                return None
            return (first, last) if first <= last else None
    return None


def check_stated_span(path, periods, unit: str = "month") -> None:
    """(b) Refuse a file without rows for a period its own name says it covers (a file named
    "...-December-2015-to-September-2019" holds every month from December 2015 to September 2019)."""
    span = stated_span(path, unit)
    if span is None:
        return
    first, last = span
    expected = (pd.period_range(first, last, freq="M") if unit == "month" else range(first, last + 1))
    present = set(periods)
    missing = [p for p in expected if p not in present]
    if missing:
        shown = ", ".join(period_label(p) for p in missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3
                                                                   else "")
        raise DataError(path, f"its name says it covers {period_label(first)} to {period_label(last)}, but it has no "
                              f"rows for {shown}; the file looks cut short")


def check_sets(table: pd.DataFrame, path, *, key: list[str], column: str, values, describe: Callable) -> None:
    """(b) Refuse a file in which rows the publisher always gives together are not all there:
    every `key` (say month, provider and CCG) has one row for each of `values` in `column`.
    `describe(row)` words the key in the message."""
    values = list(values)
    counts = table.groupby(key)[column].transform("nunique")
    lone = table[counts < len(values)]
    if lone.empty:
        return
    first = lone.sort_values("source_row").iloc[0]
    mine = set(table.loc[(table[key] == first[key]).all(axis=1), column])
    absent = [v for v in values if v not in mine]
    raise DataError(path, f"{describe(first)} has a row of {', '.join(sorted(mine))} but none of {', '.join(absent)}; "
                          "the publisher gives them together, so the file looks cut short",
                    row=int(first["source_row"]))


# (c) ------------------------------------------------------------------------------------------

def check_national(table: pd.DataFrame, path, *, national: pd.Series, group: list[str], columns: dict,
                   describe: Callable, national_name: str = "England", parts_noun: str = "organisations",
                   tolerance: float = 0.0, withheld: pd.Series | None = None, may_fall_short: pd.Series | None = None,
                   required: dict | None = None, expected: list | None = None) -> None:
    """(c) Each group (a month, a year, a part of a file) has one national row, not blank, equal to
    the sum of its other rows in each of `columns` (tidy name -> the file's name) within `tolerance`.

    `national` marks the national rows; `withheld` marks rows whose counts the publisher suppressed
    (a national row so marked is named as suppressed); `may_fall_short` marks parts left out of the
    sum, whose group may then fall short of the national row but never exceed it. `required` names
    columns that must not be blank on the national row when none are summed (a rate: dementia).
    `describe(key)` words a group ("March 2017", "PART C (all care)"); `expected` lists the groups
    that must each have a national row (default: the groups present).
    """
    national = national.astype(bool)
    withheld = withheld if withheld is not None else pd.Series(False, index=table.index)
    short = may_fall_short if may_fall_short is not None else pd.Series(False, index=table.index)
    groups = {_tuple(key): rows for key, rows in table.groupby(group, sort=False)}
    for key in (map(_tuple, expected) if expected is not None else list(groups)):
        rows = groups.get(key, table.iloc[:0])
        where = describe(key[0] if len(key) == 1 else key)
        own = rows[national[rows.index]]
        if own.empty:
            raise DataError(path, f"{where} has no {national_name} row; the file may be cut short")
        if len(own) > 1:
            raise DataError(path, f"{where} has {len(own)} {national_name} rows", row=int(own["source_row"].iloc[1]))
        row = own.iloc[0]
        for column, shown in {**columns, **(required or {})}.items():
            if pd.isna(row[column]):
                state = "suppressed ('*')" if withheld[own.index[0]] else "blank"
                checked = f", so the {parts_noun} cannot be checked against it" if columns else ""
                raise DataError(path, f"the {national_name} row of {where} is {state}{checked}; the publisher gives "
                                      "a value there, so the file may be damaged or cut short",
                                row=int(row["source_row"]), column=shown)
        parts = rows[~national[rows.index]]
        counted = parts[~short[parts.index]]
        for column, shown in columns.items():
            summed, given = float(counted[column].sum()), float(row[column])
            if abs(summed - given) > tolerance and not (short[parts.index].any() and summed < given):
                raise DataError(path, f"{where}: the {parts_noun}' {shown} add up to {summed:,.1f} but the "
                                      f"{national_name} row gives {given:,.1f}; the file may be cut short or damaged",
                                row=int(row["source_row"]), column=shown)


def check_parts(table: pd.DataFrame, path, *, total: str, parts: list[str], label: Callable, row: str = "row",
                tolerance: float = 0.5, prefix: str = "", names: dict | None = None) -> None:
    """(c) On every row where the total and all its parts are given, the parts add up to the total.

    For a national series whose parts are columns (DTOC's NHS, social care and both; RTT's
    admitted and non-admitted pathways). `label(row)` words the row's period; `names` maps tidy
    columns to the file's names.
    """
    names = names or {}
    given = table[[total, *parts]].notna().all(axis=1)
    summed = table[parts].sum(axis=1)
    bad = table[given & ((summed - table[total]).abs() > tolerance)]
    if len(bad):
        first = bad.iloc[0]
        shown = " + ".join(names.get(p, p) for p in parts)
        raise DataError(path, f"{prefix}{shown} = {summed[bad.index[0]]:,.0f} does not add up to the total "
                              f"{first[total]:,.0f} for {label(first)}", int(first[row]), names.get(total, total))


# On the page ----------------------------------------------------------------------------------

def gap_sentence(found: pd.DataFrame, periods: Periods, within, *, who: str, volume_noun: str,
                 limit: int = 12) -> str:
    """The gaps of `found` (from `Periods.gaps`) in the periods `within`, in words for the page."""
    found = found[found[periods.period].isin(list(within))]
    if found.empty:
        return f"Every {who} that reported in the {periods.unit}s around a {periods.unit} reported in it too."
    items = [f"{'/'.join(str(row[c]) for c in periods.organisation)} in {periods._label(row[periods.period])} "
             f"(about {row['expected']:,.0f} {volume_noun})" for _, row in found.iterrows()]
    shown = "; ".join(items[:limit]) + (f"; and {len(items) - limit} more" if len(items) > limit else "")
    return (f"{len(items)} {who}-{periods.unit}(s) are missing though the {who} reported in the {periods.unit}s "
            f"around them, about {found['expected'].sum():,.0f} {volume_noun} in all (judged by those "
            f"{periods.unit}s): {shown}. The files hold no rows for them, so they are not in the totals.")
