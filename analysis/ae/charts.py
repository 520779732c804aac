"""Charts for the A&E chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE


def monthly_chart(monthly: pd.DataFrame, lines: pd.DataFrame) -> alt.LayerChart:
    """Monthly four-hour performance (all types and type 1) with labelled reference lines."""
    data = monthly.assign(month=monthly["month"].dt.to_timestamp()).melt(
        id_vars=["month"], value_vars=["all_types", "type_1"], var_name="series", value_name="performance")
    data["series"] = data["series"].map({"all_types": "All department types", "type_1": "Type 1 (major A&E)"})
    data["performance"] = data["performance"].round(2)
    low = min(float(data["performance"].min()), float(lines["value"].min())) - 2
    y = alt.Y("performance:Q", title="Seen within four hours (%)", scale=alt.Scale(domain=[max(0, low), 100]))
    series = alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)), y=y,
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=[PALETTE["primary"], PALETTE["secondary"]])),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("performance:Q", title="Performance (%)", format=".1f")])
    rules = alt.Chart(lines).mark_rule(strokeDash=[6, 4], strokeWidth=2).encode(
        y="value:Q", color=alt.value(PALETTE["target"]), tooltip=[alt.Tooltip("label:N", title="Reference")])
    labels = alt.Chart(lines).mark_text(align="left", dx=4, dy=-7, color=PALETTE["target"], fontWeight="bold").encode(
        x=alt.value(0), y="value:Q", text="label:N")
    return alt.layer(series, rules, labels).properties(height=320)


def provider_chart(providers: pd.DataFrame, standard: float, labelled: int = 5) -> alt.LayerChart:
    """Each provider's annual performance against its attendances; the largest are labelled."""
    data = providers.assign(performance=providers["performance"].round(2),
                            kind=providers["has_type_1"].map({True: "Has a type 1 department",
                                                              False: "Type 2 or 3 only"}))
    data["label"] = ""
    data.loc[data.index[:labelled], "label"] = data["org_code"].iloc[:labelled]
    base = alt.Chart(data).encode(
        x=alt.X("attendances:Q", title="Attendances in the year", scale=alt.Scale(type="log")),
        y=alt.Y("performance:Q", title="Seen within four hours (%)",
                scale=alt.Scale(domain=[max(0.0, float(data["performance"].min()) - 2), 100])))
    points = base.mark_point(filled=True, size=70, opacity=0.8).encode(
        color=alt.Color("kind:N", title=None, scale=alt.Scale(range=[PALETTE["primary"], PALETTE["tertiary"]])),
        shape=alt.Shape("kind:N", title=None),
        tooltip=[alt.Tooltip("org_code:N", title="Provider"), alt.Tooltip("org_name:N", title="Name"),
                 alt.Tooltip("attendances:Q", title="Attendances", format=","),
                 alt.Tooltip("performance:Q", title="Performance (%)", format=".1f")])
    text = base.mark_text(align="left", dx=6, dy=-6, fontSize=11).encode(text="label:N")
    rule = alt.Chart(pd.DataFrame({"value": [standard], "label": [f"Standard {standard:.0f}%"]})).mark_rule(
        color=PALETTE["target"], strokeDash=[6, 4], strokeWidth=2).encode(y="value:Q", tooltip=["label:N"])
    return alt.layer(points, text, rule).properties(height=340)
