"""Charts for the mental health and dementia chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import funnel
from ..charts import PALETTE
from ..funnel_chart import funnel_chart
from .metrics import EIP_STANDARD


def _reference(value: float, label: str, colour: str, dy: int = -7) -> list:
    data = pd.DataFrame({"value": [value], "label": [label]})
    rule = alt.Chart(data).mark_rule(color=colour, strokeDash=[6, 4], strokeWidth=2).encode(
        y="value:Q", tooltip=[alt.Tooltip("label:N", title="Reference")])
    text = alt.Chart(data).mark_text(align="left", dx=4, dy=dy, color=colour, fontWeight="bold").encode(
        x=alt.value(0), y="value:Q", text="label:N")
    return [rule, text]


def eip_monthly_chart(monthly: pd.DataFrame, standard: float) -> alt.LayerChart:
    """England's completed EIP pathways within two weeks by month, with the standard."""
    data = monthly.assign(month=monthly["month"].dt.to_timestamp(), percent=monthly["percent"].round(2))
    line = alt.Chart(data).mark_line(point=True, strokeWidth=2.5, color=PALETTE["primary"]).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
        y=alt.Y("percent:Q", title="Started treatment within two weeks (%)", scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                 alt.Tooltip("within_two_weeks:Q", title="Within two weeks", format=","),
                 alt.Tooltip("total:Q", title="Completed pathways", format=","),
                 alt.Tooltip("percent:Q", title="Percent", format=".1f")])
    return alt.layer(line, *_reference(standard, f"Standard {standard:.0f}%", PALETTE["target"])).properties(
        height=300)


def dementia_chart(areas: pd.DataFrame, england: float | None, ambition: float) -> alt.LayerChart:
    """The local authorities' diagnosis rates as a histogram, with England and the two-thirds ambition."""
    data = areas.dropna(subset=["value"])
    bars = alt.Chart(data).mark_bar(color=PALETTE["primary"], opacity=0.85).encode(
        x=alt.X("value:Q", bin=alt.Bin(step=2.5), title="Estimated diagnosis rate, aged 65 and over (%)"),
        y=alt.Y("count():Q", title="Local authorities"),
        tooltip=[alt.Tooltip("value:Q", bin=alt.Bin(step=2.5), title="Rate (%)"),
                 alt.Tooltip("count():Q", title="Local authorities")])
    marks = pd.DataFrame({"value": [ambition], "label": ["Ambition: two thirds"]})
    if england is not None:
        marks = pd.concat([marks, pd.DataFrame({"value": [england], "label": [f"England {england:.1f}%"]})])
    rules = alt.Chart(marks).mark_rule(strokeWidth=2, strokeDash=[6, 4]).encode(
        x="value:Q", color=alt.Color("label:N", title=None, scale=alt.Scale(
            range=[PALETTE["target"], "#333333"])), tooltip=[alt.Tooltip("label:N", title="Reference"),
                                                              alt.Tooltip("value:Q", title="Rate (%)", format=".1f")])
    return alt.layer(bars, rules).properties(height=300)


def eip_funnel_chart(providers: pd.DataFrame, summary: dict) -> alt.LayerChart:
    """The EIP providers' funnel plot (`eip_providers`), inside the limits `funnel.assess` set around England's
    rate for the year, with the 50% standard."""
    england = summary["england"] / 100
    lines = funnel.funnel_lines(england, int(providers["volume"].max()), tau2=summary["tau2"])
    return funnel_chart(providers, lines, england, EIP_STANDARD, "Completed pathways in the year (log scale)",
                        "Started treatment within two weeks (%)", limits_title=funnel.limits_title(summary))
