"""The funnel plot: each organisation's rate against its volume, inside 95% and 99.8% limits (see `funnel`)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import funnel
from .charts import PALETTE, PICKED_ROW_PADDING, highlight_layers, organisation_picker

POSITION_COLOURS = alt.Scale(domain=list(funnel.POSITIONS),
                             range=[PALETTE["primary"], PALETTE["quinary"], PALETTE["muted"], PALETTE["secondary"],
                                    PALETTE["senary"]])
POSITION_SHAPES = alt.Scale(domain=list(funnel.POSITIONS),
                            range=["triangle-up", "triangle-up", "circle", "triangle-down", "triangle-down"])


def funnel_chart(organisations: pd.DataFrame, lines: pd.DataFrame, national: float, standard: float | None,
                 volume_title: str, rate_title: str, code: str = "provider_code", name: str = "provider_name",
                 rate_floor: float = 0.0, limits_title: str = "Control limits") -> alt.LayerChart:
    """Each organisation's rate against its volume, inside 95% and 99.8% limits around the national rate;
    a select box on the page rings a chosen organisation and writes its row above the plot.

    `organisations` is `funnel.compare`'s table (columns `code`, `name`, volume, rate,
    position); `lines` is `funnel.funnel_lines`; `national` a proportion; `standard` a
    percentage drawn as a dashed line, or None; the rate axis runs from `rate_floor` to 100;
    `limits_title` heads the limits' legend (see `funnel.limits_title`).
    """
    limits = lines.melt(id_vars=["volume"], var_name="limit", value_name="rate")
    limits["band"] = limits["limit"].str.split("_").str[1]
    limits["side"] = limits["limit"].str.split("_").str[0]
    limits = limits[limits["rate"] >= rate_floor]
    x = alt.X("volume:Q", title=volume_title, scale=alt.Scale(type="log"))
    y = alt.Y("rate:Q", title=rate_title, scale=alt.Scale(domain=[rate_floor, 100], clamp=True))
    curves = alt.Chart(limits).mark_line(strokeWidth=1.5, color="#595959").encode(
        x=x, y=y,
        strokeDash=alt.StrokeDash("band:N", title=limits_title, scale=alt.Scale(
            domain=["95%", "99.8%"], range=[[6, 3], [2, 2]])),
        detail="limit:N", tooltip=[alt.Tooltip("band:N", title="Limit"), alt.Tooltip("side:N", title="Side"),
                                   alt.Tooltip("volume:Q", title="Volume", format=","),
                                   alt.Tooltip("rate:Q", title="Limit (%)", format=".1f")])
    centre = alt.Chart(pd.DataFrame({"rate": [100 * national], "label": [f"England {100 * national:.1f}%"]})).mark_rule(
        color="#333333", strokeWidth=1.5).encode(y="rate:Q", tooltip=[alt.Tooltip("label:N", title="Centre")])
    data = organisations[[code, name, "volume", "rate", "position"]].assign(rate=organisations["rate"].round(2))
    data["row"] = [f"{n} ({c})\n{r:.1f}% of {v:,.0f}" for c, n, r, v in
                   zip(data[code], data[name], data["rate"], data["volume"])]
    picker = organisation_picker(data, code, name, "Organisation: ")
    base = alt.Chart(data).encode(x=x, y=y)
    points = base.mark_point(filled=True, size=70, opacity=0.85).encode(
        color=alt.Color("position:N", title="Against the limits", scale=POSITION_COLOURS),
        shape=alt.Shape("position:N", title="Against the limits", scale=POSITION_SHAPES),
        tooltip=[alt.Tooltip(f"{code}:N", title="Code"), alt.Tooltip(f"{name}:N", title="Name"),
                 alt.Tooltip("volume:Q", title="Volume", format=","),
                 alt.Tooltip("rate:Q", title="Rate (%)", format=".1f"), alt.Tooltip("position:N", title="Position")]
    ).add_params(picker)
    layers = [curves, centre, points, *highlight_layers(base, picker, "row")]
    if standard is not None:
        label = pd.DataFrame({"value": [standard], "label": [f"Standard {standard:.0f}%"]})
        layers += [alt.Chart(label).mark_rule(color=PALETTE["target"], strokeDash=[6, 4], strokeWidth=2).encode(
                       y="value:Q", tooltip=[alt.Tooltip("label:N", title="Reference")]),
                   alt.Chart(label).mark_text(align="left", dx=4, dy=12, color=PALETTE["target"],
                                              fontWeight="bold").encode(x=alt.value(0), y="value:Q", text="label:N")]
    return alt.layer(*layers).properties(height=360, padding=PICKED_ROW_PADDING)
