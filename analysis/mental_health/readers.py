"""Readers for early intervention in psychosis (EIP) waiting times and dementia diagnosis rates.

* NHS England's EIP waiting times history file (CSV, one row per month, provider, CCG and
  kind of pathway): `Date` (dd/mm/yyyy, the month's first day), `Provider_Org_code`,
  `Provider_name`, `Org_Code` (CCG), `CCG_Name`, `Description` ("EIP pathways completed
  this month" or "EIP pathways incomplete at month end"), week bands `Gt_0_1_Weeks` to
  `Gt_11_12_Weeks` and `Gt_12_Plus_Weeks`, and `Total_Pathways`. Read into one row per
  month, provider, CCG and kind, with the pathways within two weeks (the first two bands)
  and the total. A suppressed band (`*`) leaves the row's figures missing (left out of
  sums, and counted); a blank cell is an error. On completed pathways, which the measures
  use, the bands must add up to the total; on incomplete pathways a row where they do not
  is marked (`bands_disagree`), as three rows of July 2019 in the published file are. The file
  is checked whole (`analysis.completeness`, `EIP_PERIODS`): it ends with a line end, its
  months run on and cover the span its name states ("December-2015-to-September-2019"), each
  provider, CCG and month has both its completed and its incomplete row (the publisher gives
  them together, and the file's rows are in no order, so a cut anywhere parts some pair), and
  each month has the providers of the months around it.
* Public Health England's Fingertips export of the estimated dementia diagnosis rate, aged
  65 and over: `area_code`, `area_name`, `period` (a year), `value` (percent) and
  `significance` (the publisher's comparison with England). A blank value is missing
  (Fingertips leaves suppressed areas blank) and is counted, never read as zero. Every year
  must have its England row with a value (England's rate is read from it), and the areas of the
  years around it (`DEMENTIA_PERIODS`: rates carry no volume to weigh a gap by, so any missing
  area is refused); the file ends with a line end, its years run on and cover the span its
  name states ("2017-2018").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..completeness import (Periods, check_national, check_runs_on, check_sets, check_stated_span,
                            refuse_cut_short)
from ..errors import DataError
from ..schema import Column, RowCheck, Schema, parse_numbers, read_text_csv
from ..readcache import cached_read

KINDS = {"EIP pathways completed this month": "completed", "EIP pathways incomplete at month end": "incomplete"}
BANDS = [f"Gt_{i}_{i + 1}_Weeks" for i in range(12)] + ["Gt_12_Plus_Weeks"]
WITHIN_TWO_WEEKS = BANDS[:2]
EIP_COLUMNS = ["Date", "Provider_Org_code", "Provider_name", "Org_Code", "CCG_Name", "Description",
               *BANDS, "Total_Pathways"]
MAXIMUM_PATHWAYS = 100_000  # more than England's EIP caseload: a larger count is a damaged cell

EIP_SCHEMA = Schema(
    name="EIP waiting times",
    columns={
        "month": Column("month"),
        "provider_code": Column("text"),
        "ccg_code": Column("text"),
        "kind": Column("text", allowed=frozenset(KINDS.values())),
        "within_two_weeks": Column("count", nullable=True, non_negative=True, maximum=MAXIMUM_PATHWAYS),
        "total": Column("count", nullable=True, non_negative=True, maximum=MAXIMUM_PATHWAYS),
    },
    row_checks=(RowCheck("total", "is not the sum of the week bands on this row of completed pathways",
                         lambda d: (d["kind"] == "completed") & d["bands_disagree"]),),
)

EIP_PERIODS = Periods("EIP", organisation=("provider_code",), volume="total", volume_noun="pathways",
                      noun="providers")
"""The EIP file's months against each other: 90% of the providers of the months around a month, and
providers missing but present around it carrying at most 2% of its pathways. On the real file
(December 2015 to September 2019) providers per month run from 57 to 60 and the one gap is one
provider in December 2015, the first month (0.2% of its pathways)."""

DEMENTIA_COLUMNS = ["area_code", "area_name", "period", "value", "significance"]
ENGLAND_CODE = "E92000001"
LOCAL_AUTHORITY_PREFIXES = {"E06": "unitary authority", "E07": "district", "E08": "metropolitan district",
                            "E09": "London borough"}

DEMENTIA_SCHEMA = Schema(
    name="dementia diagnosis rate",
    columns={
        "area_code": Column("text"),
        "area_name": Column("text"),
        "year": Column("count"),
        # a diagnosis rate is diagnoses over an estimate, so it can pass 100%; 150 is not plausible
        "value": Column("number", nullable=True, non_negative=True, maximum=150.0),
    },
)


DEMENTIA_PERIODS = Periods("dementia diagnosis rate", period="year", organisation=("area_code",), unit="year",
                           noun="areas", max_missing_share=0.0)
"""Every area of the years around a year must be in it: the file gives rates only, so no volume can
say a gap is small. The real file's two years (2017, 2018) have the same 328 areas."""


def _rows(raw: pd.DataFrame) -> pd.Series:
    return pd.Series(range(2, len(raw) + 2), index=raw.index)


def _first_bad(raw: pd.DataFrame, rows: pd.Series, mask: pd.Series, column: str, path, message: str):
    first = mask[mask].index[0]
    raise DataError(path, f"value {raw.at[first, column]!r} {message}", row=int(rows[first]), column=column)


@cached_read
def read_eip(path: str | Path) -> pd.DataFrame:
    """The EIP history file as one row per month, provider, CCG and kind of pathway."""
    path = Path(path)
    refuse_cut_short(path)
    raw = read_text_csv(path, EIP_COLUMNS)
    if raw.empty:
        raise DataError(path, "has no rows")
    rows = _rows(raw)
    dates = pd.to_datetime(raw["Date"].str.strip(), format="%d/%m/%Y", errors="coerce")
    if dates.isna().any():
        _first_bad(raw, rows, dates.isna(), "Date", path, "is not a date like 01/03/2017")
    kinds = raw["Description"].str.strip().map(KINDS)
    if kinds.isna().any():
        _first_bad(raw, rows, kinds.isna(), "Description", path, f"is not one of: {', '.join(KINDS)}")
    for column in ("Provider_Org_code", "Org_Code"):
        blank = raw[column].str.strip() == ""
        if blank.any():
            _first_bad(raw, rows, blank, column, path, "is empty; every row needs its code")
    bands, suppressed = {}, pd.Series(False, index=raw.index)
    for column in BANDS + ["Total_Pathways"]:
        values, hidden = parse_numbers(raw[column], column, path, rows)
        blank = values.isna() & ~hidden
        if blank.any():
            _first_bad(raw, rows, blank, column, path, "is blank; write 0 or the publisher's '*' for a suppressed count")
        bands[column], suppressed = values, suppressed | hidden
    band_sum = sum(bands[c] for c in BANDS)
    table = pd.DataFrame({
        "month": dates.dt.to_period("M"), "provider_code": raw["Provider_Org_code"].str.strip().str.upper(),
        "provider_name": raw["Provider_name"].str.strip(), "ccg_code": raw["Org_Code"].str.strip().str.upper(),
        "ccg_name": raw["CCG_Name"].str.strip(), "kind": kinds,
        "within_two_weeks": (bands[WITHIN_TWO_WEEKS[0]] + bands[WITHIN_TWO_WEEKS[1]]).where(~suppressed),
        "total": bands["Total_Pathways"].where(~suppressed), "band_sum": band_sum.where(~suppressed),
        "suppressed": suppressed, "source_file": str(path), "source_row": rows})
    table["bands_disagree"] = table["total"].notna() & (table["total"] != table["band_sum"])
    EIP_SCHEMA.validate(table, str(path))
    key = ["month", "provider_code", "ccg_code", "kind"]
    twice = table.duplicated(key)
    if twice.any():
        first = table.loc[twice].iloc[0]
        raise DataError(path, f"provider {first['provider_code']} and CCG {first['ccg_code']} appear twice for "
                              f"{first['month'].strftime('%B %Y')} ({first['kind']} pathways)",
                        row=int(first["source_row"]), column="Org_Code")
    months = sorted(table["month"].unique())
    check_runs_on(months, path)
    check_stated_span(path, months)
    check_sets(table, path, key=key[:3], column="kind", values=KINDS.values(),
               describe=lambda r: (f"{r['month'].strftime('%B %Y')}: provider {r['provider_code']} and CCG "
                                   f"{r['ccg_code']}"))
    EIP_PERIODS.check(table)
    return table.drop(columns="band_sum").reset_index(drop=True)


def area_type(code: str) -> str:
    """England, a kind of local authority (from the ONS code's prefix), or another area."""
    if code == ENGLAND_CODE:
        return "England"
    return LOCAL_AUTHORITY_PREFIXES.get(code[:3], "other area")


@cached_read
def read_dementia(path: str | Path) -> pd.DataFrame:
    """The diagnosis-rate export: one row per area and year, with the area's type."""
    path = Path(path)
    refuse_cut_short(path)
    raw = read_text_csv(path, DEMENTIA_COLUMNS)
    if raw.empty:
        raise DataError(path, "has no rows")
    rows = _rows(raw)
    if "indicator" in raw.columns:
        wrong = ~raw["indicator"].str.lower().str.contains("dementia diagnosis rate")
        if wrong.any():
            _first_bad(raw, rows, wrong, "indicator", path, "is not the estimated dementia diagnosis rate")
    years = pd.to_numeric(raw["period"].str.strip().where(raw["period"].str.strip().str.fullmatch(r"\d{4}")),
                          errors="coerce")
    if years.isna().any():
        _first_bad(raw, rows, years.isna(), "period", path, "is not a year like 2017")
    values, suppressed = parse_numbers(raw["value"], "value", path, rows)
    codes = raw["area_code"].str.strip().str.upper()
    table = pd.DataFrame({"area_code": codes, "area_name": raw["area_name"].str.strip(), "year": years,
                          "value": values, "significance": raw["significance"].str.strip(),
                          "area_type": codes.map(area_type), "source_file": str(path), "source_row": rows})
    blank = table["area_code"] == ""
    if blank.any():
        _first_bad(raw, rows, blank, "area_code", path, "is empty; every row needs its area code")
    DEMENTIA_SCHEMA.validate(table, str(path))
    twice = table.duplicated(["area_code", "year"])
    if twice.any():
        first = table.loc[twice].iloc[0]
        raise DataError(path, f"area {first['area_code']} appears twice for {first['year']}",
                        row=int(first["source_row"]), column="area_code")
    years = sorted(table["year"].unique())
    check_runs_on(years, path, unit="year")
    check_stated_span(path, years, unit="year")
    check_national(table, path, national=table["area_type"] == "England", group=["year"], columns={},
                   required={"value": "value"}, describe=str, parts_noun="local authorities")
    return DEMENTIA_PERIODS.check(table)
