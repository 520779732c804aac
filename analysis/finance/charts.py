"""Charts for the finance chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import CATEGORY_COLOURS, PALETTE


def wrapped(text: str, width: int = 24) -> str:
    """`text` cut into lines of about `width` characters at spaces, joined by "|" for an axis label."""
    import textwrap

    return "|".join(textwrap.wrap(text, width)) or text


def plan_actual_chart(perf: pd.DataFrame) -> alt.Chart:
    """2016/17 under/(over)spend against plan by line: the difference itself, in £ million, each
    line's amount and share of its plan written under its name (not plan and actual on a
    £0-80bn scale, where the differences vanish)."""
    data = perf[(perf["year"] == "2016/17") & (perf["item"] != "total")][["line", "plan", "actual", "variance"]].copy()
    data["text"] = [f"£{v:,.0f}m ({100 * v / p:.1f}% of plan)" if p else f"£{v:,.0f}m"
                    for v, p in zip(data["variance"], data["plan"])]
    data["label"] = [f"{wrapped(line)}|{text}" for line, text in zip(data["line"], data["text"])]
    data["kind"] = data["variance"].map(lambda v: "Underspend" if v >= 0 else "Overspend")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelExpr="split(datum.label, '|')", labelLimit=0)),
        x=alt.X("variance:Q", title="Under/(over)spend against plan, £ million"),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["Underspend", "Overspend"],
                                                              range=[PALETTE["primary"], PALETTE["senary"]])),
        tooltip=[alt.Tooltip("line:N", title="Line"), alt.Tooltip("plan:Q", title="Plan £m", format=",.0f"),
                 alt.Tooltip("actual:Q", title="Actual £m", format=",.0f"),
                 alt.Tooltip("variance:Q", title="Under/(over)spend £m", format=",.0f")],
    ).properties(height=alt.Step(80))


def variance_chart(perf: pd.DataFrame) -> alt.Chart:
    """Under/(over)spend by line for the four years (positive is an underspend)."""
    data = perf[perf["item"] != "total"][["year", "line", "variance"]]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("year:N", title="Financial year"),
        xOffset=alt.XOffset("line:N"),
        y=alt.Y("variance:Q", title="Under/(over)spend, £ million"),
        color=alt.Color("line:N", title="Line", scale=alt.Scale(range=CATEGORY_COLOURS[:4])),
        tooltip=[alt.Tooltip("year:N", title="Year"), alt.Tooltip("line:N", title="Line"),
                 alt.Tooltip("variance:Q", title="Under/(over)spend £m", format=",.0f")],
    ).properties(height=300)


def expenditure_chart(expenditure: pd.DataFrame) -> alt.Chart:
    """Expenditure by line, 2013/14 to 2016/17."""
    return alt.Chart(expenditure).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("year:N", title="Financial year"),
        y=alt.Y("expenditure:Q", title="Expenditure, £ million"),
        color=alt.Color("line:N", title="Line", scale=alt.Scale(range=CATEGORY_COLOURS[:4])),
        tooltip=[alt.Tooltip("year:N", title="Year"), alt.Tooltip("line:N", title="Line"),
                 alt.Tooltip("expenditure:Q", title="£ million", format=",.0f"),
                 alt.Tooltip("increase_pct:Q", title="Increase on the year before (%)", format=".1f")],
    ).properties(height=300)
