"""The XmR chart in the Making Data Count colours, with variation and assurance badges."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .spc import COLOURS, assurance, change, choices, variation

BADGE_COLOURS = {"special cause improvement": COLOURS["improvement"], "special cause concern": COLOURS["concern"],
                 "special cause neutral": COLOURS["neutral"], "common cause variation": "#595959",
                 "consistently pass": COLOURS["improvement"], "consistently fail": COLOURS["concern"],
                 "hit and miss": "#595959", "changed": "#595959"}  # darker than the method's grey, for contrast


def _badges(table: pd.DataFrame) -> pd.DataFrame:
    rows = [{"text": f"Variation: {variation(table)}", "state": variation(table)}]
    check, found = assurance(table), change(table)
    if found:  # short, to fit a phone's chart: the sentence under the chart says the rest
        if table["target"].notna().iloc[-1] and table["improvement"].iloc[-1] != "neutral":
            text = f"Assurance: none, a {found['kind']}"
        else:
            text = f"{found['kind'].capitalize()} from {found['start']:%b %Y}"
        rows.append({"text": text, "state": "changed"})
    elif check:
        rows.append({"text": f"Assurance: {check}", "state": check})
    frame = pd.DataFrame(rows)
    frame["colour"] = frame["state"].map(BADGE_COLOURS)
    return frame


def spc_chart(table: pd.DataFrame, title: str, value_title: str = "Value", value_format: str = ".1f") -> alt.LayerChart:
    """Values, mean, process limits and target; points coloured by their type; two badges.

    The subtitle's second line states the choices behind the limits (see `choices`)."""
    data = table.assign(month=table["month"].dt.to_timestamp())
    x = alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40))
    base = alt.Chart(data).encode(x=x)
    y_values = pd.concat([data["value"], data["lower_limit"], data["upper_limit"], data["target"].dropna()])
    span = float(y_values.max() - y_values.min()) or 1.0
    y_scale = alt.Scale(domain=[float(y_values.min()) - 0.05 * span, float(y_values.max()) + 0.12 * span])
    tooltip = [alt.Tooltip("month:T", title="Month", format="%B %Y"),
               alt.Tooltip("value:Q", title=value_title, format=value_format),
               alt.Tooltip("point_type:N", title="Variation"), alt.Tooltip("rule:N", title="Rule"),
               alt.Tooltip("mean:Q", title="Mean", format=value_format),
               alt.Tooltip("lower_limit:Q", title="Lower limit", format=value_format),
               alt.Tooltip("upper_limit:Q", title="Upper limit", format=value_format)]
    line = base.mark_line(color=COLOURS["common cause"], strokeWidth=2).encode(
        y=alt.Y("value:Q", title=value_title, scale=y_scale), detail="segment:N")
    layers = [line]
    for column, dash in (("mean", []), ("lower_limit", [4, 4]), ("upper_limit", [4, 4])):
        layers.append(base.mark_line(color="#595959", strokeDash=dash, strokeWidth=1.2).encode(
            y=f"{column}:Q", detail="segment:N"))
    if data["target"].notna().any():
        layers.append(base.mark_line(color=COLOURS["target"], strokeDash=[8, 4], strokeWidth=1.5).encode(
            y="target:Q"))
    domain = ["common cause", "improvement", "concern", "neutral"]
    layers.append(base.mark_point(filled=True, size=70, opacity=1).encode(
        y="value:Q",
        color=alt.Color("point_type:N", title="Variation", scale=alt.Scale(
            domain=domain, range=[COLOURS[k] for k in domain])),
        shape=alt.Shape("point_type:N", title="Variation", scale=alt.Scale(
            domain=domain, range=["circle", "triangle-up", "triangle-down", "diamond"])),
        tooltip=tooltip))
    for i, badge in enumerate(_badges(table).itertuples()):
        # Each badge is a coloured, labelled line of text in the top left corner of the plot.
        layers.append(alt.Chart(pd.DataFrame([{"text": badge.text}])).mark_text(
            align="left", baseline="middle", fontWeight="bold", fontSize=12, color=badge.colour, dx=6).encode(
            x=alt.value(0), y=alt.value(10 + 18 * i), text="text:N"))
    subtitle = "Mean (solid) and process limits (dashed grey)" + (", target (dashed red)" if data["target"].notna().any() else "")
    subtitle = [subtitle, "Making Data Count rules, as in NHSRplotthedots", *[c[0].upper() + c[1:] for c in choices(table)]]
    return alt.layer(*layers).properties(title=alt.Title(title, subtitle=subtitle), height=320)
