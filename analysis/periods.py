"""Period arithmetic: NHS financial years (April to March) and calendar months."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .errors import ParameterError

_FY_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")


@dataclass(frozen=True, order=True)
class FinancialYear:
    """An NHS financial year, 1 April `start_year` to 31 March the year after."""

    start_year: int

    @classmethod
    def parse(cls, text: str, parameter: str = "period") -> "FinancialYear":
        """Read "2016-17", "2016/17" or "2016-2017"; anything else is a ParameterError."""
        match = _FY_PATTERN.match(str(text))
        if not match:
            raise ParameterError(
                parameter, f"'{text}' is not an NHS financial year; write it like 2016-17 (or 2016/17)")
        start, end = int(match.group(1)), match.group(2)
        expected_end = start + 1
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if len(end) == 2 and end_year < start:
            end_year += 100
        if end_year != expected_end:
            raise ParameterError(
                parameter, f"'{text}' is not an NHS financial year: the year after {start} is "
                f"{expected_end}, so write {start}-{expected_end % 100:02d}")
        if not 1948 <= start <= 2100:
            raise ParameterError(parameter, f"'{text}' is outside the years the NHS has existed")
        return cls(start)

    @classmethod
    def containing(cls, month: pd.Period | pd.Timestamp) -> "FinancialYear":
        """The financial year a month falls in."""
        month = pd.Period(month, freq="M")
        return cls(month.year if month.month >= 4 else month.year - 1)

    @property
    def label(self) -> str:
        """The usual written form, "2016-17"."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def slash_label(self) -> str:
        """The form the annual report uses, "2016/17"."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def first_month(self) -> pd.Period:
        return pd.Period(year=self.start_year, month=4, freq="M")

    @property
    def last_month(self) -> pd.Period:
        return pd.Period(year=self.start_year + 1, month=3, freq="M")

    def months(self) -> pd.PeriodIndex:
        """The twelve months, April to March."""
        return pd.period_range(self.first_month, self.last_month, freq="M")

    def previous(self) -> "FinancialYear":
        return FinancialYear(self.start_year - 1)

    def next(self) -> "FinancialYear":
        return FinancialYear(self.start_year + 1)

    def __str__(self) -> str:
        return self.label


def missing_months(months, year: FinancialYear) -> list[pd.Period]:
    """The months of `year` that are not among `months`."""
    present = {pd.Period(m, freq="M") for m in months}
    return [m for m in year.months() if m not in present]


def month_label(month: pd.Period) -> str:
    """"April 2016"."""
    return pd.Period(month, freq="M").strftime("%B %Y")


def years_covered(months) -> list[FinancialYear]:
    """The financial years whose twelve months are all among `months`, in order."""
    present = {pd.Period(m, freq="M") for m in months}
    years = sorted({FinancialYear.containing(m) for m in present})
    return [y for y in years if all(m in present for m in y.months())]


def covered_year(text: str, years: list[FinancialYear], data: str) -> FinancialYear:
    """The `period` parameter read as a financial year, which must be one of `years` (the whole
    years `data` covers); otherwise a ParameterError saying which years it has."""
    year = FinancialYear.parse(text)
    if year not in years:
        consecutive = all(b.start_year == a.start_year + 1 for a, b in zip(years, years[1:]))
        covered = ("none" if not years else f"{years[0].label} to {years[-1].label}" if consecutive and len(years) > 1
                   else ", ".join(y.label for y in years))
        raise ParameterError("period", f"{year.label} is not covered by {data} (whole years available: {covered})")
    return year
