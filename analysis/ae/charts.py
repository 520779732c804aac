"""Charts for the A&E chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE, PICKED_ROW_PADDING, highlight_layers, organisation_picker


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
    # The reference lines are named in the legend, not written on the plot where they met the data.
    rules = alt.Chart(lines).mark_rule(strokeWidth=2, color=PALETTE["target"]).encode(
        y="value:Q", strokeDash=alt.StrokeDash("label:N", title=None, scale=alt.Scale(
            domain=list(lines["label"]), range=[[6, 4], [2, 2], [8, 2, 2, 2]][:len(lines)])),
        tooltip=[alt.Tooltip("label:N", title="Reference")])
    return alt.layer(series, rules).resolve_legend(color="independent", strokeDash="independent").properties(
        height=320)


def provider_chart(providers: pd.DataFrame, standard: float) -> alt.LayerChart:
    """Each provider's annual performance against its attendances; a select box on the page
    rings a chosen provider and writes its row (see `organisation_picker`)."""
    data = providers.assign(performance=providers["performance"].round(2),
                            kind=providers["has_type_1"].map({True: "Has a type 1 department",
                                                              False: "Type 2 or 3 only"}))
    data["row"] = [f"{name} ({code})\n{perf:.1f}% of {att:,.0f} attendances"
                   for code, name, perf, att in zip(data["org_code"], data["org_name"], data["performance"],
                                                    data["attendances"])]
    picker = organisation_picker(data, "org_code", "org_name", "Provider: ")
    base = alt.Chart(data).encode(
        x=alt.X("attendances:Q", title="Attendances in the year", scale=alt.Scale(type="log")),
        y=alt.Y("performance:Q", title="Seen within four hours (%)",
                scale=alt.Scale(domain=[max(0.0, float(data["performance"].min()) - 2), 100])))
    points = base.mark_point(filled=True, size=70, opacity=0.8).encode(
        color=alt.Color("kind:N", title=None, scale=alt.Scale(range=[PALETTE["primary"], PALETTE["tertiary"]])),
        shape=alt.Shape("kind:N", title=None),
        tooltip=[alt.Tooltip("org_code:N", title="Provider"), alt.Tooltip("org_name:N", title="Name"),
                 alt.Tooltip("attendances:Q", title="Attendances", format=","),
                 alt.Tooltip("performance:Q", title="Performance (%)", format=".1f")]).add_params(picker)
    rule = alt.Chart(pd.DataFrame({"value": [standard], "label": [f"Standard {standard:.0f}%"]})).mark_rule(
        color=PALETTE["target"], strokeDash=[6, 4], strokeWidth=2).encode(y="value:Q", tooltip=["label:N"])
    return alt.layer(points, rule, *highlight_layers(base, picker, "row")).properties(
        height=340, padding=PICKED_ROW_PADDING)


def type_1_funnel_chart(compared: pd.DataFrame, spread: dict) -> alt.LayerChart:
    """`provider_funnel`'s type 1 departments in their funnel around England's type 1 rate, with the
    95% standard; the rate axis starts at the 5-point step below the lowest provider, less 5."""
    from .. import funnel
    from ..funnel_chart import funnel_chart
    from .metrics import STANDARD

    national = spread["england"] / 100
    lines = funnel.funnel_lines(national, int(compared["volume"].max()), tau2=spread["tau2"])
    return funnel_chart(compared, lines, national, STANDARD,
                        "Type 1 attendances in the year (log scale)", "Type 1 seen within four hours (%)",
                        code="org_code", name="org_name", limits_title=funnel.limits_title(spread),
                        rate_floor=max(0.0, 5 * (float(compared["rate"].min()) // 5) - 5))
