"""Finance: NHS England's 2016/17 financial performance, recomputed from the report's own tables.

The inputs are the tables printed in the annual report (`000_5311d35d774c4b17.txt` lines
840-848, 866-879 and 920-925, with the commentary's figures at lines 836 and 854) and NHS
Improvement's first year (`003_aa8731bbbd271962.txt` lines 76-79), transcribed from the
documents (not a sample) as tidy rows (table, item, year, measure, value, rounding,
document, line), where `rounding` is the unit of the last digit printed (1 for £1m, 0
for an exact count). Only inputs are stored: plans, actuals, limits, expenditure and
counts, plus the under/(over)spends of 2013/14 to 2015/16, which the report prints
without their plans. Every derived figure (each under/(over)spend, percentage, increase
and total) is recomputed here and compared with the printed one in the ledger, within
the rounding of its inputs (`rounding_tolerance`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..completeness import refuse_cut_short
from ..contract import LedgerFigures
from ..errors import DataError, ParameterError
from ..periods import FinancialYear
from ..schema import Column, Schema

YEAR = FinancialYear(2016)
LINES = ["ccgs", "direct", "central", "chc"]
YEARS = ["2013/14", "2014/15", "2015/16", "2016/17"]
LIMITS = ["rdel_general", "rdel_ringfenced", "ame", "technical", "administration", "capital"]
REVENUE_LIMITS = ["rdel_general", "rdel_ringfenced", "ame", "technical"]
SHORT_NAMES = {"ccgs": "CCGs", "direct": "Direct commissioning",
               "central": "NHS England admin, central programmes and other",
               "chc": "Historic continuing healthcare claims"}

SCHEMA = Schema(
    name="finance tables",
    columns={
        "table": Column("text", allowed=frozenset({"performance", "expenditure", "limits", "providers",
                                                   "reserve", "ccg_position"})),
        "item": Column("text"), "name": Column("text"),
        "year": Column("text", allowed=frozenset(YEARS)),
        "measure": Column("text", allowed=frozenset({
            "plan", "actual", "variance", "expenditure", "limit", "trusts", "accepted_control_total",
            "achieved_control_total", "stf_received_gbp_m", "risk_reserve_released", "ccgs"})),
        "value": Column("number"), "rounding": Column("number", non_negative=True),
        "document": Column("text"), "line": Column("count", non_negative=True),
    },
)


def read_tables(path: str | Path) -> pd.DataFrame:
    """The transcribed finance inputs, checked; every row keeps its document and line. The file must end
    with a line end (`completeness.refuse_cut_short`): its rows are inputs one by one, with no totals or
    periods to judge a cut by."""
    path = Path(path)
    refuse_cut_short(path)
    try:
        table = pd.read_csv(path, dtype={"table": str, "item": str, "name": str, "year": str,
                                         "measure": str, "document": str})
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(path, f"is not a readable CSV ({exc})") from None
    table["source_file"] = str(path)
    table["source_row"] = range(2, len(table) + 2)
    if "rounding" not in table:
        raise DataError(path, "lacks column 'rounding' (the unit of each value's last printed digit)")
    for column in ("value", "rounding", "line"):
        if column in table and not pd.api.types.is_numeric_dtype(table[column]):
            values = pd.to_numeric(table[column], errors="coerce")
            bad = values.isna()
            first = table.loc[bad].iloc[0]
            raise DataError(path, f"value {first[column]!r} is not a number",
                            row=int(first["source_row"]), column=column)
    SCHEMA.validate(table, str(path))
    table["value"] = table["value"].astype(float)
    key = ["table", "item", "year", "measure"]
    if table.duplicated(key).any():
        first = table.loc[table.duplicated(key)].iloc[0]
        raise DataError(path, f"{first['item']} {first['measure']} {first['year']} is given twice",
                        row=int(first["source_row"]), column="measure")
    return table


def load(sources) -> pd.DataFrame:
    files = sources["finance_tables"].files
    if not files:
        raise DataError("finance_tables", "no finance tables found")
    return pd.concat([read_tables(p) for p in files], ignore_index=True)


def validate_parameters(params: dict, sources) -> dict:
    """The report's tables describe 2016-17 only."""
    year = FinancialYear.parse(params["period"])
    if year != YEAR:
        raise ParameterError("period", f"{year.label} is not covered: the finance tables are the "
                                       f"annual report's for {YEAR.label} (with comparisons to earlier years)")
    load(sources)
    return {**params, "period": year.label}


def row_finder(inputs: pd.DataFrame) -> Callable[[str, str, str, str], int]:
    """A function giving the position of the one row of `inputs` for a table, item, year and
    measure (looked up in a dict made once: the rounding tolerance recomputes every figure
    about a hundred times)."""
    positions: dict[tuple, list[int]] = {}
    for position, key in enumerate(zip(inputs["table"], inputs["item"], inputs["year"], inputs["measure"])):
        positions.setdefault(key, []).append(position)

    def row_of(table: str, item: str, year: str, measure: str) -> int:
        found = positions.get((table, item, year, measure), [])
        if len(found) != 1:
            raise DataError("finance tables", f"needs exactly one {table} row for {item}, {year}, {measure}")
        return found[0]

    return row_of


def value_finder(inputs: pd.DataFrame) -> Callable[[str, str, str, str], float]:
    """A function giving the value of the one row of `inputs` for a table, item, year and measure."""
    row_of, values = row_finder(inputs), inputs["value"].to_numpy(dtype=float)
    return lambda table, item, year, measure: float(values[row_of(table, item, year, measure)])


def performance_table(inputs: pd.DataFrame) -> pd.DataFrame:
    """Plan, actual and under/(over)spend by line and year, with the base of each percentage.

    2016/17: the report prints plan and actual, so the variance is plan - actual. Earlier
    years: the report prints only the variance; the plan is implied as actual expenditure
    (from the expenditure table) plus the variance, and the percentage is taken on it.
    """
    value, rows, totals = value_finder(inputs), [], []
    for year in YEARS:
        lines = []
        for item in LINES:
            actual = value("expenditure", item, year, "expenditure")
            if year == YEAR.slash_label:
                plan = value("performance", item, year, "plan")
                actual = value("performance", item, year, "actual")
                variance, plan_basis = plan - actual, "printed"
            else:
                variance = value("performance", item, year, "variance")
                plan, plan_basis = actual + variance, "implied (actual + variance)"
            lines.append({"year": year, "item": item, "line": SHORT_NAMES[item], "plan": plan,
                          "actual": actual, "variance": variance, "plan_basis": plan_basis})
        if year == YEAR.slash_label:
            # 2016/17 has a printed total row: the lines are rounded to £1m, the total is the
            # rounded true total, so the total's own plan and actual are the better inputs.
            plan, actual = value("performance", "total", year, "plan"), value("performance", "total", year, "actual")
            total = {"plan": plan, "actual": actual, "variance": plan - actual, "plan_basis": "printed total"}
        else:
            total = {**{key: math.fsum(line[key] for line in lines) for key in ("plan", "actual", "variance")},
                     "plan_basis": "sum of lines"}
        rows += lines
        totals.append({"year": year, "item": "total", "line": "Total", **total})
    table = pd.DataFrame(rows + totals)
    table["variance_pct"] = [100 * v / p if p else None for v, p in zip(table["variance"], table["plan"])]
    return table


def limits_table(inputs: pd.DataFrame) -> pd.DataFrame:
    """Each financial duty: limit, actual, underspend, percent of the limit, met."""
    row_of, value, rows = row_finder(inputs), value_finder(inputs), []
    for item in LIMITS:
        rows.append({"item": item, "duty": inputs["name"].iloc[row_of("limits", item, "2016/17", "limit")],
                     "limit": value("limits", item, "2016/17", "limit"),
                     "actual": value("limits", item, "2016/17", "actual")})
    table = pd.DataFrame(rows)
    revenue = table[table["item"].isin(REVENUE_LIMITS)][["limit", "actual"]].sum()
    table = pd.concat([table, pd.DataFrame([{"item": "total_revenue", "duty": "Total revenue expenditure",
                                             "limit": revenue["limit"], "actual": revenue["actual"]}])],
                      ignore_index=True)
    table["underspend"] = table["limit"] - table["actual"]
    table["underspend_pct"] = 100 * table["underspend"] / table["limit"]
    table["met"] = table["actual"] <= table["limit"]
    return table


def expenditure_table(inputs: pd.DataFrame) -> pd.DataFrame:
    """Expenditure by line and year with the increase on the year before (percent)."""
    table = inputs[inputs["table"] == "expenditure"][["item", "year", "value"]].rename(
        columns={"value": "expenditure"})
    table = table.sort_values(["item", "year"]).reset_index(drop=True)
    table["increase_pct"] = table.groupby("item")["expenditure"].pct_change() * 100
    table["line"] = table["item"].map(SHORT_NAMES)
    return table


def provider_sector(inputs: pd.DataFrame) -> pd.DataFrame:
    """Control totals accepted and achieved by trust type, as shares, and STF receipts."""
    value, rows = value_finder(inputs), []
    for item in ("foundation_trusts", "nhs_trusts"):
        trusts = value("providers", item, "2016/17", "trusts")
        accepted = value("providers", item, "2016/17", "accepted_control_total")
        achieved = value("providers", item, "2016/17", "achieved_control_total")
        rows.append({"item": item, "trust_type": "Foundation trusts" if item == "foundation_trusts" else "NHS trusts",
                     "trusts": int(trusts), "accepted": int(accepted), "achieved": int(achieved),
                     "accepted_pct": 100 * accepted / trusts, "achieved_pct": 100 * achieved / trusts,
                     "achieved_of_accepted_pct": 100 * achieved / accepted,
                     "stf_gbp_m": value("providers", item, "2016/17", "stf_received_gbp_m")})
    return pd.DataFrame(rows)


def _performance_figures(inputs: pd.DataFrame) -> dict:
    """Each under/(over)spend and its percentage, the sums of the 2016/17 lines and the headline."""
    out = {}
    rows = performance_table(inputs).to_dict("records")
    for row in rows:
        tag = row["year"].replace("/", "_")
        if row["year"] == "2016/17" or row["item"] == "total":
            out[f"variance_{tag}_{row['item']}"] = row["variance"]
        out[f"variance_pct_{tag}_{row['item']}"] = row["variance_pct"]
    lines_2016 = [row for row in rows if row["year"] == "2016/17" and row["item"] != "total"]
    # the sums of the lines, against the printed totals
    out["plan_2016_17_total"] = math.fsum(row["plan"] for row in lines_2016)
    out["actual_2016_17_total"] = math.fsum(row["actual"] for row in lines_2016)
    headline = next(row for row in rows if row["year"] == "2016/17" and row["item"] == "total")
    out.update({"headline_underspend": headline["variance"], "headline_underspend_pct": headline["variance_pct"],
                "headline_budget": headline["plan"]})
    return out


def _increase_figures(inputs: pd.DataFrame) -> dict:
    """Each line's increase in expenditure on the year before."""
    return {f"increase_{row.year.replace('/', '_')}_{row.item}": row.increase_pct
            for row in expenditure_table(inputs).dropna(subset=["increase_pct"]).itertuples()}


def _limit_figures(inputs: pd.DataFrame) -> dict:
    """Each financial duty's underspend, the total revenue limit's, and how many duties were met."""
    out = {}
    limits = limits_table(inputs).set_index("item")
    for item in LIMITS:
        out[f"limit_underspend_{item}"] = limits.loc[item, "underspend"]
        out[f"limit_underspend_pct_{item}"] = limits.loc[item, "underspend_pct"]
    total = limits.loc["total_revenue"]
    out.update({"limit_total_revenue_limit": total["limit"], "limit_total_revenue_actual": total["actual"],
                "limit_total_revenue_underspend": total["underspend"],
                "limit_total_revenue_pct": total["underspend_pct"],
                "limits_met": int(limits.loc[LIMITS, "met"].sum())})
    return out


def _ccg_figures(inputs: pd.DataFrame) -> dict:
    """The risk reserve released and the CCG position rebuilt from the commentary."""
    out = {}
    reserve = inputs[(inputs["table"] == "reserve") & (inputs["measure"] == "risk_reserve_released")]
    out["risk_reserve_release"] = float(reserve["value"].sum())
    steps = ccg_reconciliation(inputs).set_index("step")["gbp_m"]
    out["ccg_before_reserve"] = steps["before_reserve"]
    out["ccg_before_reserve_pct"] = 100 * steps["before_reserve"] / value_finder(inputs)("performance", "ccgs", "2016/17", "plan")
    out["ccg_position_from_commentary"] = steps["after_reserve"]
    return out


# The reproduced figures in groups, each computed from the rows of the input tables named beside
# it and only those (a group cannot read another table), so that the rounding tolerance
# recomputes a group only when one of its inputs moves.
FIGURE_GROUPS = ((_performance_figures, ("performance", "expenditure")),
                 (_increase_figures, ("expenditure",)),
                 (_limit_figures, ("limits",)),
                 (_ccg_figures, ("ccg_position", "reserve", "performance")))


def _group_figures(group: tuple, inputs: pd.DataFrame) -> dict:
    compute, tables = group
    values = compute(inputs[inputs["table"].isin(tables)])
    return {k: (None if v is None or pd.isna(v) else float(v)) for k, v in values.items()}


def ledger_figures(sources, params: dict) -> LedgerFigures:
    """The ledger's reproduced figures (see `analysis.contract`): every figure of data/published/finance.csv
    recomputed from the transcribed tables, with notes and the tolerance the rounding of its inputs allows."""
    inputs = load(sources)
    return LedgerFigures(reproduce(inputs), ledger_notes(inputs), tolerance=rounding_tolerance(inputs))


def reproduce(inputs: pd.DataFrame) -> dict:
    """The recomputed value of every figure in data/published/finance.csv."""
    figures = {}
    for group in FIGURE_GROUPS:
        figures.update(_group_figures(group, inputs))
    return figures


def rounding_tolerance(inputs: pd.DataFrame) -> dict:
    """How far the rounding of the printed inputs can move each recomputed figure.

    Each input is moved by half a unit of its last printed digit, up and then down, one
    at a time, and the largest change it makes to each figure is added up over the
    inputs. For a sum or difference of n figures rounded to £1m that is n x £0.5m; for a
    percentage it is how far the rounding of its numerator and base can move it. An input
    moves only the figures of the groups that read its table (`FIGURE_GROUPS`), and each
    group is recomputed from its own rows only.
    """
    tolerance = {}
    for group in FIGURE_GROUPS:
        rows = inputs[inputs["table"].isin(group[1])].reset_index(drop=True)
        before = _group_figures(group, rows)
        tolerance.update({name: 0.0 for name, v in before.items() if v is not None})
        for index in rows.index[rows["rounding"] > 0]:
            half = rows.at[index, "rounding"] / 2
            moved = []
            for step in (half, -half):
                shifted = rows.copy()
                shifted.at[index, "value"] += step
                moved.append(_group_figures(group, shifted))
            for name in before:
                if name in tolerance:
                    tolerance[name] += max(abs(m[name] - before[name]) for m in moved if m[name] is not None)
    return tolerance


def ccg_reconciliation(inputs: pd.DataFrame) -> pd.DataFrame:
    """The CCG position built from the commentary (line 854) and the reserve release (line 836),
    beside the table's under/(over)spend (line 844): each step with its document and line."""
    row_of = row_finder(inputs)

    def cited(table, item, measure):
        row = inputs.iloc[row_of(table, item, "2016/17", measure)]
        return float(row["value"]), f"{row['document']} line {row['line']}"

    under, under_at = cited("ccg_position", "further_underspends", "variance")
    under_n, _ = cited("ccg_position", "further_underspends", "ccgs")
    premium, premium_at = cited("ccg_position", "quality_premium", "variance")
    over, over_at = cited("ccg_position", "operating_overspends", "variance")
    over_n, _ = cited("ccg_position", "operating_overspends", "ccgs")
    release, release_at = cited("reserve", "ccgs", "risk_reserve_released")
    plan, plan_at = cited("performance", "ccgs", "plan")
    actual, _ = cited("performance", "ccgs", "actual")
    before = under + premium + over
    after = before + release
    rows = [
        ("further_underspends", f"Further underspends reported by {under_n:.0f} CCGs", under, under_at),
        ("quality_premium", "Underspend against the Quality Premium budget", premium, premium_at),
        ("operating_overspends", f"Operating overspends reported by {over_n:.0f} CCGs", over, over_at),
        ("before_reserve", "Aggregate position before the reserve release (sum of the three)", before,
         "computed; printed as an overspend of £556 million at 000_5311d35d774c4b17.txt line 854"),
        ("reserve_release", "Risk reserve released, included in CCG positions", release, release_at),
        ("after_reserve", "CCG position after the reserve release", after, "computed"),
        ("table", "CCG under/(over)spend in the financial performance table (plan minus actual)", plan - actual,
         plan_at),
        ("unexplained", "Table minus the position rebuilt from the commentary", plan - actual - after, "computed"),
    ]
    return pd.DataFrame(rows, columns=["step", "item", "gbp_m", "source"])


def agreed_by_input_rounding(plain: pd.DataFrame, widened: pd.DataFrame) -> list[str]:
    """Figures of a ledger comparison made without input rounding (`plain`) that differ, but
    agree in the same comparison made with it (`widened`)."""
    return sorted(set(plain.loc[plain["status"] == "differs", "figure"])
                  & set(widened.loc[widened["status"] == "agrees", "figure"]))


def ledger_notes(inputs: pd.DataFrame) -> dict:
    """Why some recomputations rest on an implied base or a sum of rounded lines."""
    notes = {"plan_2016_17_total": "Sum of the four lines.", "actual_2016_17_total": "Sum of the four lines.",
             "variance_2016_17_total": "Printed total plan minus printed total actual.",
             "headline_underspend": "Printed total plan minus printed total actual."}
    for year in YEARS[:3]:
        tag = year.replace("/", "_")
        notes[f"variance_{tag}_total"] = "Sum of the four lines' printed under/(over)spends."
        for item in LINES + ["total"]:
            notes[f"variance_pct_{tag}_{item}"] = ("Base: plan implied as actual expenditure plus the "
                                                   "printed under/(over)spend.")
    perf = performance_table(inputs).set_index(["year", "item"])
    notes["ccg_before_reserve"] = "Further underspends plus the Quality Premium underspend minus operating overspends."
    notes["ccg_before_reserve_pct"] = "Base: the CCG plan (line 844); the report does not name the base."
    notes["ccg_position_from_commentary"] = ("The position before the reserve release (line 854) plus the £707 "
                                             "million released in CCG positions (line 836); see the reconciliation "
                                             "above.")
    for (year, item), row in perf.iterrows():
        if not row["plan"]:
            spend = f"{'overspend' if row['variance'] < 0 else 'underspend'} £{abs(row['variance']):,.0f}m"
            notes[f"variance_pct_{year.replace('/', '_')}_{item}"] = (
                f"The {'implied ' if row['plan_basis'].startswith('implied') else ''}plan is £0m (actual "
                f"£{row['actual']:,.0f}m, {spend}), so no percentage exists.")
    return notes


GOAL_UNDERSPEND = 800.0  # £m, "beating our goal of £800 million", 000_5311d35d774c4b17.txt line 19


def headline(sources, year: FinancialYear) -> dict:
    """This chapter's results for the front page, keyed as in data/reference/at_a_glance.csv."""
    from ..contract import entry
    from ..page import Result

    inputs = load(sources)
    figures = reproduce(inputs)
    met, duties = duties_met(limits_table(inputs))
    vintage = f"the annual report's own tables for {year.slash_label}, transcribed"
    return {"underspend": entry(Result("managed underspend against NHS England's budget",
                                       figures["headline_underspend"], unit="gbp_m", decimals=0,
                                       standard=GOAL_UNDERSPEND,
                                       standard_text=f"goal: more than £{GOAL_UNDERSPEND:,.0f}m"), vintage,
                                result=f"£{figures['headline_underspend']:,.0f} million"),
            "limits_met": entry(Result(f"of the {duties} financial duties met", met, unit="count", standard=duties,
                                       standard_text=f"all {duties} duties"), vintage, result=f"{met} of {duties}")}


from .charts import expenditure_chart, plan_actual_chart, variance_chart  # noqa: E402
from .text import (biggest_underspend_figures, duties_met, expenditure_alt, expenditure_data,  # noqa: E402
                   headline_figures, ledger_summary, limits_figures, limits_shown, lines_shown, page_results,
                   plan_actual_alt, plan_actual_data, variance_alt, provider_figures, provider_shown, reconciliation_figures, reconciliation_shown,
                   variance_data)

__all__ = ["load", "validate_parameters", "ledger_figures", "read_tables", "performance_table", "limits_table",
           "expenditure_table", "provider_sector", "reproduce", "ledger_notes", "expenditure_chart",
           "plan_actual_chart", "variance_chart", "discrepancies", "headline", "rounding_tolerance",
           "ccg_reconciliation", "agreed_by_input_rounding", "headline_figures", "lines_shown", "plan_actual_data",
           "biggest_underspend_figures", "plan_actual_alt", "variance_alt", "expenditure_alt", "variance_data", "expenditure_data", "duties_met",
           "limits_figures", "limits_shown", "provider_figures", "provider_shown", "reconciliation_shown",
           "reconciliation_figures", "ledger_summary", "page_results"]


def discrepancies(comparison: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows whose recomputed value differs from the printed one beyond the rounding of
    the printed figure and of its inputs, or cannot be recomputed."""
    return comparison[comparison["agrees"].eq(False) | comparison["reproduced"].isna()]
