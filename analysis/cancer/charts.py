"""Charts for the cancer waiting times chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE


def monthly_chart(monthly: pd.DataFrame, threshold: float, title: str = "") -> alt.LayerChart:
    """Monthly performance as a line, with the standard as a labelled dashed rule."""
    data = monthly.assign(month=monthly["month"].dt.to_timestamp(),
                          performance=monthly["performance"].round(2))
    low = min(float(data["performance"].min()), threshold) - 3
    high = max(float(data["performance"].max()), threshold) + 2
    y = alt.Y("performance:Q", title="Treated within the standard (%)",
              scale=alt.Scale(domain=[max(0, low), min(100, high)]))
    line = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=50), color=PALETTE["primary"],
                                     strokeWidth=2.5).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
        y=y,
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                 alt.Tooltip("performance:Q", title="Performance (%)", format=".1f"),
                 alt.Tooltip("within:Q", title="Treated within", format=",.1f"),
                 alt.Tooltip("total:Q", title="Treated", format=",.1f"),
                 alt.Tooltip("source:N", title="Source")])
    standard = pd.DataFrame({"threshold": [threshold], "label": [f"Standard {threshold:.0f}%"]})
    rule = alt.Chart(standard).mark_rule(color=PALETTE["target"], strokeDash=[6, 4], strokeWidth=2).encode(
        y="threshold:Q", tooltip=[alt.Tooltip("label:N", title="Standard")])
    label = alt.Chart(standard).mark_text(align="left", dx=4, dy=-8, color=PALETTE["target"],
                                          fontWeight="bold").encode(
        x=alt.value(0), y="threshold:Q", text="label:N")
    chart = alt.layer(line, rule, label).properties(height=300)
    return chart.properties(title=title) if title else chart


def provider_funnel_chart(compared: pd.DataFrame, spread: dict, threshold: float) -> alt.LayerChart:
    """`provider_funnel`'s providers in their 62-day funnel around the providers' own rate, with the standard."""
    from .. import funnel
    from ..funnel_chart import funnel_chart

    national = spread["england"] / 100
    lines = funnel.funnel_lines(national, int(compared["volume"].max()), tau2=spread["tau2"])
    return funnel_chart(compared, lines, national, threshold,
                        "Patients treated in the year (log scale)", "Treated within 62 days (%)",
                        code="organisation", name="organisation_name", limits_title=funnel.limits_title(spread))
