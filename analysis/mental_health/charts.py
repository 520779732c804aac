"""Charts for the mental health and dementia chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE, PICKED_ROW_PADDING, highlight_layers, organisation_picker
from . import funnel

POSITION_COLOURS = alt.Scale(domain=list(funnel.POSITIONS),
                             range=[PALETTE["primary"], PALETTE["quinary"], PALETTE["muted"], PALETTE["secondary"],
                                    PALETTE["senary"]])


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


def funnel_chart(organisations: pd.DataFrame, lines: pd.DataFrame, national: float, standard: float | None,
                 volume_title: str, rate_title: str) -> alt.LayerChart:
    """Each organisation's rate against its volume, inside 95% and 99.8% limits around the national rate;
    a select box on the page rings a chosen organisation and writes its row."""
    limits = lines.melt(id_vars=["volume"], var_name="limit", value_name="rate")
    limits["band"] = limits["limit"].str.split("_").str[1]
    limits["side"] = limits["limit"].str.split("_").str[0]
    x = alt.X("volume:Q", title=volume_title, scale=alt.Scale(type="log"))
    curves = alt.Chart(limits).mark_line(strokeWidth=1.5, color="#595959").encode(
        x=x, y=alt.Y("rate:Q", title=rate_title, scale=alt.Scale(domain=[0, 100])),
        strokeDash=alt.StrokeDash("band:N", title="Control limits", scale=alt.Scale(
            domain=["95%", "99.8%"], range=[[6, 3], [2, 2]])),
        detail="limit:N", tooltip=[alt.Tooltip("band:N", title="Limit"), alt.Tooltip("side:N", title="Side"),
                                   alt.Tooltip("volume:Q", title="Volume", format=","),
                                   alt.Tooltip("rate:Q", title="Limit (%)", format=".1f")])
    centre = alt.Chart(pd.DataFrame({"rate": [100 * national], "label": [f"England {100 * national:.1f}%"]})).mark_rule(
        color="#333333", strokeWidth=1.5).encode(y="rate:Q", tooltip=[alt.Tooltip("label:N", title="Centre")])
    data = organisations.assign(rate=organisations["rate"].round(2))
    code = "provider_code" if "provider_code" in data else "area_code"
    name = "provider_name" if "provider_name" in data else "area_name"
    data["row"] = [f"{n} ({c})\n{r:.1f}% of {v:,.0f}" for c, n, r, v in
                   zip(data[code], data[name], data["rate"], data["volume"])]
    picker = organisation_picker(data, code, name, "Organisation: ")
    base = alt.Chart(data).encode(x=x, y="rate:Q")
    points = base.mark_point(filled=True, size=70, opacity=0.85).encode(
        color=alt.Color("position:N", title="Against the limits", scale=POSITION_COLOURS),
        shape=alt.Shape("position:N", title="Against the limits", scale=alt.Scale(
            domain=list(funnel.POSITIONS), range=["triangle-up", "triangle-up", "circle", "triangle-down",
                                                  "triangle-down"])),
        tooltip=[alt.Tooltip(f"{code}:N", title="Code"), alt.Tooltip(f"{name}:N", title="Name"),
                 alt.Tooltip("volume:Q", title="Volume", format=","),
                 alt.Tooltip("rate:Q", title="Rate (%)", format=".1f"), alt.Tooltip("position:N", title="Position")]
    ).add_params(picker)
    layers = [curves, centre, points, *highlight_layers(base, picker, "row")]
    if standard is not None:
        layers += _reference(standard, f"Standard {standard:.0f}%", PALETTE["target"], dy=12)
    return alt.layer(*layers).properties(height=360, padding=PICKED_ROW_PADDING)


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
