"""Charts for the finance chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import CATEGORY_COLOURS, PALETTE


def plan_actual_chart(perf: pd.DataFrame) -> alt.Chart:
    """2016/17 plan against actual by line (grouped bars)."""
    data = perf[(perf["year"] == "2016/17") & (perf["item"] != "total")].melt(
        id_vars=["line"], value_vars=["plan", "actual"], var_name="measure", value_name="gbp_m")
    data["measure"] = data["measure"].map({"plan": "Plan", "actual": "Actual"})
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("line:N", title=None, sort=None),
        yOffset=alt.YOffset("measure:N", sort=["Plan", "Actual"]),
        x=alt.X("gbp_m:Q", title="£ million"),
        color=alt.Color("measure:N", title=None, sort=["Plan", "Actual"],
                        scale=alt.Scale(range=[PALETTE["muted"], PALETTE["primary"]])),
        tooltip=[alt.Tooltip("line:N", title="Line"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("gbp_m:Q", title="£ million", format=",.0f")],
    ).properties(height=260)


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
