"""What the personal health budgets page says: its glued figures, alt text, captions, tables as shown,
the chart's data and the headline results, each made from the chapter's measures."""

from __future__ import annotations

import pandas as pd

from ..page import Result, count_text
from ..periods import FinancialYear, month_label
from .metrics import count_at
from .organisations import OrganisationView, ccg_sentence


def commitment_statements(table: pd.DataFrame) -> pd.DataFrame:
    """The commitment table (`commitment_table`) with the columns the page shows: text, value, document, line."""
    return table[["Text", "Value", "Document", "Line"]]


def count_figures(table: pd.DataFrame, year: FinancialYear) -> dict:
    """Budgets in place at the year's end and 18 months earlier, for the prose: the counts as read, their
    months and the multiple (NaN when the earlier count is not in the data)."""
    end = year.last_month
    latest, earlier = count_at(table, end), count_at(table, end - 18)
    return {"latest": count_text(latest), "latest_month": month_label(end), "september_month": month_label(end - 18),
            "september": count_text(earlier) if earlier is not None else "not in the data",
            "multiple": latest / earlier if earlier else float("nan")}


NATIONAL_COLUMNS = {"quarter_end": "Quarter end", "total": "In place", "chc": "Continuing healthcare",
                    "other": "Other", "ccgs": "CCGs reporting", "suppressed": "Suppressed counts"}
"""The national table's columns as the page heads them."""


def national_shown(series: pd.DataFrame) -> pd.DataFrame:
    """The national count at each quarter end (`national`) as the page shows it: months in words, counts with
    thousands separators."""
    counts = {column: series[column].map("{:,.0f}".format) for column in ("total", "chc", "other")}
    return series.assign(quarter_end=series["quarter_end"].dt.strftime("%B %Y"), **counts).rename(
        columns=NATIONAL_COLUMNS)


def trajectory_figures(trend: dict) -> dict:
    """The road to the commitment (`trajectory`) for the prose: quarters left, growth needed to each end of
    the commitment and growth seen over the last four quarters (NaN when there is no count a year before)."""
    return {"quarters": trend["quarters"], "needed_low": trend["needed_low"], "needed_high": trend["needed_high"],
            "seen": trend["seen"] if trend["seen"] is not None else float("nan")}


def trajectory_alt(trend: dict) -> str:
    """The trajectory chart's alt text: the latest count and the growth each end of the commitment needs."""
    return (f"Personal health budgets in place: {trend['latest']:,.0f} at the end of {month_label(trend['latest_month'])}; "
            f"reaching 50,000 by March 2021 needs {trend['needed_low']:.1f}% growth a quarter and 100,000 needs "
            f"{trend['needed_high']:.1f}%.")


def trajectory_data(series: pd.DataFrame, paths: pd.DataFrame) -> pd.DataFrame:
    """The trajectory chart's data: each quarter's count beside the two paths (`trajectory_lines`), one column each."""
    return series.merge(paths.pivot(index="quarter_end", columns="series", values="count").reset_index(),
                        on="quarter_end", how="outer")


def ccg_figures(rates: pd.DataFrame, view: OrganisationView) -> dict:
    """The CCGs' rates (`rates`) for the prose: how many CCGs, how many had none, the median and highest rate,
    and the sentence naming the leading CCG (or why none is named)."""
    return {"ccg_count": len(rates), "ccgs_none": int((rates["total"] == 0).sum()),
            "median_rate": float(rates["rate"].median()), "highest_rate": float(rates["rate"].max()),
            "ccg_sentence": ccg_sentence(rates, view)}


def rate_chart_alt(rates: pd.DataFrame) -> str:
    """The CCG rate chart's alt text: the range of rates and how many CCGs had none."""
    none = int((rates["total"] == 0).sum())
    return (f"Personal health budgets per 100,000 registered patients range from {rates['rate'].min():.0f} to "
            f"{rates['rate'].max():.0f} between CCGs; {none} CCG{'' if none == 1 else 's'} had none.")


def rate_chart_data(rates: pd.DataFrame) -> pd.DataFrame:
    """The CCG rate chart's data: code, name, count, registered patients, rate and rank."""
    return rates[["ccg_code", "ccg_name", "total", "population", "rate", "rank"]]


def ccg_table_caption(chosen: list[str], month: pd.Period) -> str:
    """The CCG table's caption: the chosen CCGs (or every CCG) at the quarter end, ranked by rate."""
    return f"{'The chosen CCGs' if chosen else 'Every CCG'}, {month_label(month)}, ranked by rate."


def page_results(trend: dict) -> list[Result]:
    """The page's headline results: budgets in place at the year's end (not judged: the commitment falls due in
    March 2021), and growth a quarter over the last four quarters against the growth 50,000 needs."""
    return [
        Result(f"personal health budgets in place at the end of {month_label(trend['latest_month'])}", trend["latest"],
               unit="count", standard_text="commitment: 50,000 to 100,000 by March 2021"),
        Result("growth a quarter over the last four quarters", trend["seen"], standard=trend["needed_low"],
               standard_text=f"needed to reach 50,000 by March 2021: {trend['needed_low']:.1f}% a quarter"),
    ]
