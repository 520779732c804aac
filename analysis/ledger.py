"""The reproduction ledger: each figure the report printed beside the figure computed here.

`data/published/<chapter>.csv` holds the printed figures with document and line: the
figure's words as printed (`printed`, e.g. "over 1.7 million") and its printing style
(`style`). Each figure's tolerance is derived from how it was printed, by one rule per
style (`STYLES`, stated on the methods page):

- rounded ("82%", "1.7 million", "£1.2bn", "seven"): within half a rounding step either
  side, the rounding step being the unit of the last printed digit (0.1 million for
  "1.7 million");
- around: the same range as the rounded figure (the word says only that it is rounded);
- over / more than: at least the figure and below the next rounding step ("over 1.7 million"
  is 1.7 million up to, not including, 1.8 million);
- almost / nearly: one rounding step below the figure up to, not including, the figure;
- phrase (words with no number, "sharp increases"): no tolerance and no verdict.

A fraction or multiple printed in words ("two-thirds", "double") has as its rounding steps
the neighbouring simple fractions (`LADDER`: a quarter, a third, a half, two-thirds,
three-quarters, one, one and a half, double, treble, four times). Where the chapter computes
a figure from inputs that were themselves printed rounded, the range is widened either side
by how far that rounding can move it (`tolerance`). A figure agrees only when the computed
value is inside its range; otherwise it differs, by its distance from the printed figure and
from the range, and the ledger names any other year or measure the chapter computes
(`alternatives`) that is inside the range. On synthetic data a figure that agrees is said to
hold by construction, because the sample was made to reproduce it.

Where a measure has variants, the one compared is chosen before comparing, from the source
documents' definitions (`data/reference/ledger_variants.csv`, `choose`); the others are
shown as sensitivity. Percentages are given and compared in percentage points (82 for 82%).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from .errors import DataError, HandbookError
from .periods import FinancialYear
from .sources import DATA_DIR

REPORT_YEAR = FinancialYear(2016)
"""The year of the annual report whose printed figures the ledger holds."""

LEDGER_DIR = DATA_DIR / "published"
VARIANTS_FILE = DATA_DIR / "reference" / "ledger_variants.csv"
COLUMNS = ["figure", "label", "printed", "style", "value", "unit", "decimals", "document", "line", "quote"]
UNITS = {"percent", "count", "gbp_m", "ratio", "number"}
STYLES = {
    "rounded": "the printed rounding allows (half a rounding step either side)",
    "around": "\u201caround\u201d allows (half a rounding step either side, as for a rounded figure)",
    "over": "\u201cover\u201d allows (from the figure up to, not including, the next rounding step)",
    "more than": "\u201cmore than\u201d allows (from the figure up to, not including, the next rounding step)",
    "almost": "\u201calmost\u201d allows (from one rounding step below up to, not including, the figure)",
    "nearly": "\u201cnearly\u201d allows (from one rounding step below up to, not including, the figure)",
    "phrase": "words with no number allow nothing to compare (shown as printed, with no verdict)",
}
"""Each printing style and its rule (the methods page states the same rules)."""
QUALIFIERS = ("over", "more than", "almost", "nearly", "around")
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
FRACTIONS = {"a quarter": 0.25, "a third": 1 / 3, "half": 0.5, "a half": 0.5, "two-thirds": 2 / 3,
             "three-quarters": 0.75, "one and a half times": 1.5, "double": 2.0, "twice": 2.0, "treble": 3.0,
             "three times": 3.0, "four times": 4.0}
LADDER = (0.0, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0)
"""The simple fractions and multiples a figure printed in words is rounded to, in order."""
NUMBER = re.compile(r"^(?P<open>\()?(?P<minus>-)?(?P<pound>£)?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)"
                    r"(?:\.(?P<decimals>\d+))?(?P<close>\))?(?P<percent>%)?(?:\s*(?P<scale>million|billion|bn|m))?$")
SCALES = {"count": {None: 1, "million": 10 ** 6, "billion": 10 ** 9},
          "gbp_m": {None: 1, "million": 1, "m": 1, "billion": 1000, "bn": 1000},
          "percent": {None: 1}, "ratio": {None: 1}, "number": {None: 1}}


@dataclass(frozen=True)
class Printed:
    """A printed number read from its words: its size in the figure's unit, whether it was
    printed with a minus sign or in brackets, and the rounding steps next below and above it
    (decimal, so that a range's ends are exact: 89.1% allows 89.05% to 89.15%)."""
    size: Decimal
    negative: bool
    below: Decimal
    above: Decimal


def read_printed(text: str, unit: str) -> Printed:
    """The number in printed words ("1.7 million", "82%", "£1.2bn", "(15)", "seven", "two-thirds"),
    in `unit`; ValueError saying why when the words are not a number in that unit."""
    words = text.strip().lower()
    if words in WORD_NUMBERS and unit in ("count", "number"):
        size = Decimal(WORD_NUMBERS[words])
        return Printed(size, False, size - 1, size + 1)
    if words in FRACTIONS and unit in ("percent", "ratio"):
        scale = Decimal(100 if unit == "percent" else 1)
        step = LADDER.index(min(LADDER, key=lambda f: abs(f - FRACTIONS[words])))
        return Printed(Decimal(LADDER[step]) * scale, False, Decimal(LADDER[max(step - 1, 0)]) * scale,
                       Decimal(LADDER[min(step + 1, len(LADDER) - 1)]) * scale)
    match = NUMBER.match(words)
    if not match:
        raise ValueError(f"'{text}' is not a number as printed")
    if bool(match["open"]) != bool(match["close"]):
        raise ValueError(f"'{text}' has an unmatched bracket")
    if bool(match["percent"]) and unit != "percent":
        raise ValueError(f"'{text}' is a percentage, but the figure's unit is {unit}")
    if bool(match["pound"]) != (unit == "gbp_m" and match["scale"] is not None):
        raise ValueError(f"'{text}': a sum printed with '£' needs its scale (million, m, billion, bn) and its "
                         f"unit gbp_m; a bare number in gbp_m is a table cell in £ million")
    scales = SCALES[unit]
    if match["scale"] not in scales:
        raise ValueError(f"'{text}': '{match['scale'] or 'no scale word'}' is not a scale for unit {unit}")
    scale = Decimal(scales[match["scale"]])
    places = len(match["decimals"] or "")
    number = Decimal(match["digits"].replace(",", "") + (f".{match['decimals']}" if places else "")) * scale
    step = Decimal(1).scaleb(-places) * scale
    return Printed(number, bool(match["minus"] or match["open"]), number - step, number + step)


@dataclass(frozen=True)
class Tolerance:
    """The range of computed values a printed figure allows: `low` to `high`, `high` itself
    excluded when `high_open` ("over 1.7 million" is below 1.8 million)."""
    low: float
    high: float
    high_open: bool

    def _slack(self) -> float:  # floating-point noise at the edges (a few units in the last place), no more
        return 1e-12 * max(1.0, abs(self.low), abs(self.high))

    def contains(self, value: float) -> bool:
        if value < self.low - self._slack():
            return False
        return value < self.high - self._slack() if self.high_open else value <= self.high + self._slack()

    def gap(self, value: float) -> float:
        """How far `value` lies outside the range: negative below it, positive above, 0 inside."""
        if self.contains(value):
            return 0.0
        return value - self.low if value < self.low else value - self.high

    def text(self, unit: str, decimals: int) -> str:
        return (f"{bound_text(self.low, unit, decimals)} to "
                f"{'under ' if self.high_open else ''}{bound_text(self.high, unit, decimals)}")


def tolerance_of(printed: str, style: str, value: float, unit: str, inputs: float = 0.0) -> Tolerance | None:
    """The range a printed figure allows, by its style's rule (`STYLES`), widened either side
    by `inputs` (the rounding of the inputs it is computed from); None for a phrase."""
    if style == "phrase":
        return None
    words = printed.strip()
    if style in QUALIFIERS:
        words = words[len(style):]
    number = read_printed(words, unit)
    centre, below, above = number.size, number.below, number.above
    if value < 0:
        centre, below, above = -centre, -above, -below
    if style in ("rounded", "around"):
        low, high = centre - (centre - below) / 2, centre + (above - centre) / 2
    elif style in ("over", "more than"):
        low, high = centre, above
    else:  # almost, nearly
        low, high = below, centre
    return Tolerance(float(low) - inputs, float(high) + inputs, style not in ("rounded", "around"))


def bound_text(value: float, unit: str, decimals: int) -> str:
    """An end of a range, with as few decimals as show it exactly (at most two more than printed)."""
    exact = [p for p in range(decimals, decimals + 3) if abs(round(value, p) - value) < 1e-9 * max(1, abs(value))]
    places = exact[0] if exact else decimals + 2
    return format_value(value, unit, places)


def published(chapter: str) -> pd.DataFrame:
    """The printed figures for one chapter, checked: each printed text is in its quote, is written
    as its style says, and reads as the transcribed value (a phrase has no value)."""
    path = LEDGER_DIR / f"{chapter}.csv"
    if not path.is_file():
        raise HandbookError(f"no ledger of published figures for chapter '{chapter}' ({path})")
    table = pd.read_csv(path, dtype={"figure": str, "printed": str, "style": str, "document": str, "line": str,
                                     "quote": str})
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError(path, f"lacks column(s) {', '.join(missing)}")
    for index, row in table.iterrows():
        _check_row(path, index + 2, row)
    if table["figure"].duplicated().any():
        dup = table.loc[table["figure"].duplicated(), "figure"].iloc[0]
        raise DataError(path, f"figure '{dup}' is listed twice", column="figure")
    return table


def printed_figure(chapter: str, figure: str) -> dict:
    """One printed figure of a chapter's ledger for the prose: its value and its line in the document
    (`printed_value`, `printed_line`)."""
    row = published(chapter).set_index("figure").loc[figure]
    return {"printed_value": float(row["value"]), "printed_line": int(row["line"])}


def _check_row(path, line: int, row) -> None:
    if row["unit"] not in UNITS:
        raise DataError(path, f"unit '{row['unit']}' is not one of {sorted(UNITS)}", line, "unit")
    if row["style"] not in STYLES:
        raise DataError(path, f"style '{row['style']}' is not one of {sorted(STYLES)}", line, "style")
    if pd.isna(row["document"]) or pd.isna(row["line"]):
        raise DataError(path, "every printed figure needs its document and line", line, "line")
    printed = "" if pd.isna(row["printed"]) else row["printed"].strip()
    if not printed or printed.lower() not in str(row["quote"]).lower():
        raise DataError(path, f"the printed words '{printed}' are not in the quote", line, "printed")
    starts = next((q for q in QUALIFIERS if printed.lower().startswith(q + " ")), None)
    if row["style"] == "phrase":
        if not pd.isna(row["value"]) or any(c.isdigit() for c in printed):
            raise DataError(path, "a phrase has no number: its printed words hold no digit and its value is "
                                  "empty", line, "value")
        return
    if starts != (row["style"] if row["style"] in QUALIFIERS else None):
        raise DataError(path, f"the printed words '{printed}' do not match the style '{row['style']}'", line,
                        "style")
    if pd.isna(row["value"]):
        raise DataError(path, "a printed number needs its value", line, "value")
    try:
        number = read_printed(printed[len(starts):] if starts else printed, row["unit"])
    except ValueError as error:
        raise DataError(path, str(error), line, "printed") from None
    value, decimals = float(row["value"]), int(row["decimals"])
    if abs(round(float(number.size), decimals) - abs(value)) > 1e-9 * max(1.0, abs(value)) or \
            (number.negative and value > 0):
        plain = lambda x: f"{x:,.6f}".rstrip("0").rstrip(".")  # noqa: E731
        raise DataError(path, f"the printed words '{printed}' read as {plain(float(number.size))}"
                              f"{' (negative)' if number.negative else ''}, not the value {plain(value)}", line,
                        "value")
    if starts and value <= 0:
        raise DataError(path, f"'{starts} ...' is read for positive figures only", line, "value")


def difference_text(difference: float, unit: str, decimals: int) -> str:
    """A difference between two figures: in percentage points for percentages, else in the unit."""
    if unit == "percent":
        return f"{difference:,.{decimals}f} percentage points"
    return format_value(difference, unit, decimals)


def format_value(value: float | None, unit: str, decimals: int) -> str:
    """A figure as people read it: "82.3%", "£154m", "1,876,819" (a whole count never gets decimals)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not computed"
    if unit == "count" and float(value).is_integer():
        decimals = 0
    if unit == "percent":
        return f"{value:,.{decimals}f}%"
    if unit == "gbp_m":
        return f"£{value:,.{decimals}f}m"
    return f"{value:,.{decimals}f}"


def printed_text(printed: str, style: str, value: float, unit: str, decimals: int) -> str:
    """The printed figure as the ledger shows it: its words as printed (a phrase in quotation
    marks), except a bare number from a table, which is given its unit ("154" in £m is "£154m")."""
    if style == "phrase":
        return f"\u201c{printed}\u201d"
    if re.search(r"[%£a-z]", printed.lower()):
        return printed
    return format_value(value, unit, decimals)


BY_CONSTRUCTION = ("Holds by construction: the synthetic sample was made to reproduce this figure, so "
                   "this shows the calculation works, not that real data gives it.")


def compare(chapter: str, reproduced: dict[str, float | None],
            notes: dict[str, str] | None = None, synthetic: bool = False,
            tolerance: dict[str, float] | None = None,
            alternatives: dict[str, dict[str, float | None]] | None = None,
            other_year: str | None = None) -> pd.DataFrame:
    """Published beside reproduced for every printed figure of `chapter`.

    `reproduced` must name every printed figure (None when the data cannot give it);
    `notes` adds a plain sentence for a figure, e.g. why the official series differs;
    `synthetic` says the rows are a synthetic sample (agreement then holds by construction);
    `tolerance` gives, per figure, how far the rounding of its inputs can move the
    reproduced value (the range is widened by it either side);
    `alternatives` gives, per figure, other years or measures the chapter computes, by name:
    the ledger says which of them fit the printed figure when the reproduced value does not;
    `other_year` names the page's year when it is not the report's: no figure is then compared
    (the report printed them for its own year), each row saying so.

    Each row has the range (`low`, `high`, `high_open`), `agrees` (True, False or None when
    not judged) and `status`: agrees, differs, by construction, not judged (a phrase),
    not compared or not computable.
    """
    table = published(chapter)
    notes, tolerance, alternatives = notes or {}, tolerance or {}, alternatives or {}
    if other_year is not None:
        reproduced = {name: None for name in reproduced}
        notes = {name: (f"This page is for {other_year}; the report printed this figure for {REPORT_YEAR.label}, "
                        "so they are not compared.") for name in reproduced}
        alternatives = {}
    for name, given in (("tolerance", tolerance), ("alternatives", alternatives), ("reproduced value", reproduced)):
        unknown = sorted(set(given) - set(table["figure"]))
        if unknown:
            raise HandbookError(f"ledger '{chapter}': a {name} is given for '{unknown[0]}', which is not a "
                                f"published figure")
    absent = [f for f in table["figure"] if f not in reproduced]
    if absent:
        raise HandbookError(f"ledger '{chapter}': no reproduced value given for '{absent[0]}'")
    rows = []
    for row in table.itertuples(index=False):
        slack = float(tolerance.get(row.figure, 0.0))
        if slack < 0 or math.isnan(slack):
            raise HandbookError(f"ledger '{chapter}': tolerance for '{row.figure}' must be a non-negative number")
        rows.append(_judge(row, _number(reproduced[row.figure]), slack, synthetic,
                           {k: _number(v) for k, v in alternatives.get(row.figure, {}).items()},
                           notes.get(row.figure), compared=other_year is None))
    return pd.DataFrame(rows)


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _judge(row, value: float | None, slack: float, synthetic: bool, others: dict, note: str | None,
           compared: bool = True) -> dict:
    """One ledger row: the range the printed figure allows, the verdict and its sentence."""
    decimals, printed_value = int(row.decimals), float(row.value)
    allowed = tolerance_of(row.printed, row.style, printed_value, row.unit, slack) if row.style != "phrase" else None
    ok = difference = gap = None
    fits = []
    if not compared:
        status, verdict = "not compared", "Not compared."
    elif allowed is None:
        status = "not judged"
        verdict = (f"Not judged: the report printed no number here, only the words \u201c{row.printed}\u201d, so "
                   "there is nothing to agree or differ with; the figure computed here is shown beside them.")
    elif value is None:
        status, verdict = "not computable", "Not computable from this data."
    else:
        ok = allowed.contains(value)
        difference, gap = value - printed_value, allowed.gap(value)
        status = ("by construction" if synthetic else "agrees") if ok else "differs"
        widened = (f", widened by {difference_text(slack, row.unit, decimals + 1)} either side for the rounding "
                   f"of its inputs" if slack else "")
        rule = f"the range {allowed.text(row.unit, decimals)} that {STYLES[row.style]}{widened}"
        if ok:
            verdict = BY_CONSTRUCTION if synthetic else f"Agrees: inside {rule}."
        else:
            share = f" ({difference / printed_value:+.1%} of the printed figure)" if printed_value else ""
            where = (f"{difference_text(abs(gap), row.unit, decimals + 1)} {'above' if gap > 0 else 'below'}" if gap
                     else "at the excluded end of")
            verdict = f"Differs by {difference_text(difference, row.unit, decimals + 1)}{share}: {where} {rule}."
            fits = [name for name, other in others.items() if other is not None and allowed.contains(other)]
            verdict += "".join(f" {format_value(others[name], row.unit, _shown(others[name], row.unit, decimals))} "
                               f"({name}) fits the printed figure." for name in fits)
    if note:
        verdict += " " + note
    return {
        "figure": row.figure, "label": row.label, "printed": row.printed, "style": row.style, "unit": row.unit,
        "decimals": decimals, "published": None if row.style == "phrase" else printed_value, "reproduced": value,
        "difference": difference, "low": None if allowed is None else allowed.low,
        "high": None if allowed is None else allowed.high, "high_open": None if allowed is None else allowed.high_open,
        "tolerance": slack, "gap": gap, "agrees": ok, "status": status, "fits_better": "; ".join(fits),
        "source": f"{row.document} line {row.line}", "verdict": verdict,
    }


def _shown(value: float | None, unit: str, decimals: int) -> int:
    """One more digit than printed, except for whole counts and sums, which are shown whole."""
    if value is not None and unit in ("count", "gbp_m") and float(value) % 1 == 0:
        return decimals
    return decimals + 1


def display_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """The ledger as a reader sees it: the printed figure, the reproduced one, the verdict and the range."""
    rows = list(comparison.itertuples())
    return pd.DataFrame({
        "Figure": comparison["label"],
        "Published": [printed_text(r.printed, r.style, r.published, r.unit, r.decimals) for r in rows],
        "Reproduced": [format_value(r.reproduced, r.unit, _shown(r.reproduced, r.unit, r.decimals)) for r in rows],
        "Agrees": comparison["status"].map({"agrees": "yes", "differs": "no", "by construction": "by construction",
                                            "not judged": "not judged"}).fillna("n/a"),
        "Tolerance": ["none: no number printed" if pd.isna(r.low) else
                      Tolerance(r.low, r.high, bool(r.high_open)).text(r.unit, r.decimals) for r in rows],
        "Printed at": comparison["source"],
        "Note": comparison["verdict"],
    })


@dataclass(frozen=True)
class Choice:
    """The variant of a measure the ledger compares, chosen from the documents' definitions, and
    the others, kept as sensitivity."""
    figure: str
    name: str
    value: float | None
    others: dict
    reason: str

    def sentence(self, unit: str, decimals: int) -> str:
        """The choice and its reason, then each other variant with its value."""
        others = "; ".join(f"{name} {format_value(v, unit, decimals + 1)}" for name, v in self.others.items())
        return (f"Variant compared: {self.name}, chosen from the documents' definitions before comparing. "
                f"{self.reason} Sensitivity, not compared: {others}.")


def variant_reasons() -> pd.DataFrame:
    """`data/reference/ledger_variants.csv`: per figure with variants, the one the documents define
    and why, citing document and line."""
    table = pd.read_csv(VARIANTS_FILE, dtype=str)
    for index, row in table.iterrows():
        if not re.search(r"\d{3}_[0-9a-f]{16}\.txt lines? \d+", str(row["reason"])):
            raise DataError(VARIANTS_FILE, "each reason cites a document and line", index + 2, "reason")
    return table


def chosen_variant(chapter: str, figure: str) -> tuple[str, str]:
    """The name of the variant `data/reference/ledger_variants.csv` chooses for `figure`, and why."""
    rows = variant_reasons()
    row = rows[(rows["chapter"] == chapter) & (rows["figure"] == figure)]
    if row.empty:
        raise HandbookError(f"ledger '{chapter}': no variant is chosen for '{figure}' in {VARIANTS_FILE.name}")
    return row["variant"].iloc[0], row["reason"].iloc[0]


def choose(chapter: str, figure: str, variants: dict[str, float | None]) -> Choice:
    """The chosen variant's value among `variants` (by name), the others as sensitivity. The printed
    figure is not read: the choice never depends on which variant comes closest to it."""
    name, reason = chosen_variant(chapter, figure)
    if name not in variants:
        raise HandbookError(f"ledger '{chapter}': the chosen variant '{name}' of '{figure}' is not among those "
                            f"computed ({', '.join(variants)})")
    return Choice(figure, name, variants[name], {k: v for k, v in variants.items() if k != name}, reason)
