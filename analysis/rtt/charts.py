"""Charts for the elective care (RTT) chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE

SERIES_NAMES = {"reported": "As reported", "with estimates": "With estimates for missing trusts"}
COLOURS = alt.Scale(range=[PALETTE["primary"], PALETTE["secondary"]])


def _long(data: pd.DataFrame, columns: dict[str, str], value: str) -> pd.DataFrame:
    out = data.assign(month=data["month"].dt.to_timestamp()).melt(
        id_vars=["month"], value_vars=list(columns), var_name="series", value_name=value)
    out["series"] = out["series"].map(columns)
    return out


def percent_chart(series: pd.DataFrame, standard: float) -> alt.LayerChart:
    """Incomplete pathways within 18 weeks by month, both series, with the standard."""
    data = _long(series, {"percent_within_18": SERIES_NAMES["reported"],
                          "percent_within_18_est": SERIES_NAMES["with estimates"]}, "percent")
    data["percent"] = data["percent"].round(2)
    low = min(float(data["percent"].min()), standard) - 1
    high = max(float(data["percent"].max()), standard) + 1
    lines = alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
        y=alt.Y("percent:Q", title="Incomplete pathways within 18 weeks (%)", scale=alt.Scale(domain=[low, high])),
        color=alt.Color("series:N", title=None, scale=COLOURS),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("percent:Q", title="Within 18 weeks (%)", format=".1f")])
    rule_data = pd.DataFrame({"value": [standard], "label": [f"Standard {standard:.0f}%"]})
    rule = alt.Chart(rule_data).mark_rule(color=PALETTE["target"], strokeDash=[6, 4], strokeWidth=2).encode(
        y="value:Q", tooltip=[alt.Tooltip("label:N", title="Reference")])
    label = alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-7, color=PALETTE["target"],
                                           fontWeight="bold").encode(x=alt.value(0), y="value:Q", text="label:N")
    return alt.layer(lines, rule, label).properties(height=320)


def waiting_list_chart(series: pd.DataFrame) -> alt.Chart:
    """The waiting list (incomplete pathways at each month's end), both series."""
    data = _long(series, {"waiting": SERIES_NAMES["reported"], "waiting_est": SERIES_NAMES["with estimates"]},
                 "pathways")
    return alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
        y=alt.Y("pathways:Q", title="Incomplete pathways (waiting list)", scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, scale=COLOURS),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("pathways:Q", title="Incomplete pathways", format=",.0f")]).properties(height=300)
