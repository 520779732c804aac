"""Reader for the quarterly personal health budget (PHB) collection by CCG.

NHS England collected, each quarter, the number of personal health budgets in place in
each CCG at the end of the quarter. The handbook reads it as a CSV with these columns
(an assumption about the published extract, stated here so a user can map their file):

- `Quarter`: the financial year and quarter, e.g. "2016-17 Q4" (Q1 ends in June, Q4 in March);
- `CCG Code`, `CCG Name`;
- `PHBs in place at quarter end`: the total;
- `of which: NHS Continuing Healthcare` and `of which: other`: the breakdown, which may
  be empty where not collected.

A suppressed count (`*`) is read as missing and left out of sums, and counted. The layout has
no England row. A file must end with a line end, its quarters run on, and each quarter is
judged against the quarters around it (`PERIODS`; `analysis.completeness`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..completeness import Periods, check_runs_on, refuse_cut_short
from ..errors import DataError
from ..schema import Column, RowCheck, Schema, parse_numbers, read_text_csv
from ..readcache import cached_read

COLUMNS = {"quarter": "Quarter", "ccg_code": "CCG Code", "ccg_name": "CCG Name",
           "total": "PHBs in place at quarter end", "chc": "of which: NHS Continuing Healthcare",
           "other": "of which: other"}
SCHEMA = Schema(
    name="personal health budgets",
    columns={"quarter_end": Column("month"), "ccg_code": Column("text"),
             "total": Column("number", non_negative=True, nullable=True),
             "chc": Column("number", non_negative=True, nullable=True),
             "other": Column("number", non_negative=True, nullable=True)},
    row_checks=(RowCheck("chc", "plus 'other' is more than the total in place",
                         lambda d: (d["chc"].fillna(0) + d["other"].fillna(0)) > d["total"] + 1e-9),),
)
PERIODS = Periods("personal health budget", period="quarter_end", organisation=("ccg_code",), volume="total",
                  volume_noun="budgets", unit="quarter", noun="CCGs",
                  label=lambda end: f"the quarter ending {end.strftime('%B %Y')}")
"""Each quarter against the quarters around it: 90% of their CCGs, and CCGs missing but present
around it carrying at most 2% of its budgets."""
QUARTER = re.compile(r"^\s*(\d{4})[-/](\d{2})\s*Q([1-4])\s*$", re.IGNORECASE)


def quarter_end(text: str) -> pd.Period | None:
    """"2016-17 Q4" -> March 2017 (the last month of the quarter)."""
    match = QUARTER.match(str(text))
    if not match:
        return None
    start, quarter = int(match.group(1)), int(match.group(3))
    return pd.Period(year=start, month=3, freq="M") + 3 * quarter


@cached_read
def read_phb(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    refuse_cut_short(path)
    raw = read_text_csv(path, list(COLUMNS.values()))
    rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
    ends = raw[COLUMNS["quarter"]].map(quarter_end)
    if ends.isna().any():
        first = ends.isna().idxmax()
        raise DataError(path, f"value {raw.at[first, COLUMNS['quarter']]!r} is not a quarter like 2016-17 Q4",
                        row=int(rows[first]), column=COLUMNS["quarter"])
    table = pd.DataFrame({"quarter_end": pd.PeriodIndex(ends.tolist(), freq="M"),
                          "ccg_code": raw[COLUMNS["ccg_code"]].str.strip().str.upper(),
                          "ccg_name": raw[COLUMNS["ccg_name"]].str.strip(),
                          "source_file": str(path), "source_row": rows})
    suppressed = pd.Series(False, index=raw.index)
    for key in ("total", "chc", "other"):
        values, marked = parse_numbers(raw[COLUMNS[key]], COLUMNS[key], path, rows)
        table[key] = values
        suppressed |= marked if key == "total" else False
    table["suppressed"] = suppressed
    SCHEMA.validate(table, str(path))
    duplicated = table.duplicated(["quarter_end", "ccg_code"])
    if duplicated.any():
        first = table.loc[duplicated].iloc[0]
        raise DataError(path, f"CCG {first['ccg_code']} appears twice for the quarter ending "
                              f"{first['quarter_end'].strftime('%B %Y')}", row=int(first["source_row"]),
                        column=COLUMNS["ccg_code"])
    check_runs_on(sorted(table["quarter_end"].unique()), path, unit="quarter", step=3)
    return PERIODS.check(table)
