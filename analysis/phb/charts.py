"""Charts for the personal health budgets chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE, PICKED_ROW_PADDING, highlight_layers, organisation_picker
from ..errors import DataError
from .organisations import organisation_view


def trajectory_chart(series: pd.DataFrame, paths: pd.DataFrame) -> alt.LayerChart:
    """The national count by quarter with the two paths needed to reach the commitment."""
    actual = series.assign(quarter_end=series["quarter_end"].dt.to_timestamp(how="end").dt.normalize(),
                           series="Personal health budgets in place")[["quarter_end", "series", "total"]]
    actual = actual.rename(columns={"total": "count"})
    needed = paths.assign(quarter_end=paths["quarter_end"].dt.to_timestamp(how="end").dt.normalize())
    data = pd.concat([actual, needed], ignore_index=True)
    data["count"] = data["count"].round(0)
    domain = ["Personal health budgets in place", "Path to 50,000", "Path to 100,000"]
    return alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("quarter_end:T", title="Quarter end", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
        y=alt.Y("count:Q", title="Personal health budgets in place"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=domain, range=[PALETTE["primary"], PALETTE["secondary"], PALETTE["quaternary"]])),
        strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=domain, range=[[1, 0], [6, 4], [2, 2]])),
        tooltip=[alt.Tooltip("quarter_end:T", title="Quarter end", format="%B %Y"),
                 alt.Tooltip("series:N", title="Series"), alt.Tooltip("count:Q", title="Count", format=",.0f")],
    ).properties(height=320)


def rate_chart(rates: pd.DataFrame, highlight: list[str], synthetic: bool) -> alt.Chart:
    """Each CCG's rate per 100,000 as one dot on a strip, with the median; chosen CCGs stand out,
    and a select box on the page rings any CCG and writes its row.

    On synthetic data every CCG must be fictional (`organisation_view`), or this refuses.
    """
    view = organisation_view(rates, synthetic)
    if not view.allowed:
        raise DataError("phb_quarterly", view.reason)
    data = rates.assign(chosen=rates["ccg_code"].isin(highlight).map({True: "Chosen CCG", False: "Other CCGs"}),
                        rate=rates["rate"].round(1)).sort_values("ccg_code").reset_index(drop=True)
    # A strip of one dot per CCG along the rate; each dot's height is a fixed spread (the
    # golden-ratio sequence over the codes' order) so that near-equal rates stay apart.
    data["spread"] = (data.index * 0.618034) % 1
    data["row"] = [f"{name} ({code})\n{rate:.1f} per 100,000, {total:,.0f} in place"
                   for code, name, rate, total in zip(data["ccg_code"], data["ccg_name"], data["rate"], data["total"])]
    picker = organisation_picker(data, "ccg_code", "ccg_name", "CCG: ")
    base = alt.Chart(data).encode(
        x=alt.X("rate:Q", title="Personal health budgets per 100,000 patients"),
        y=alt.Y("spread:Q", axis=None, scale=alt.Scale(domain=[-0.15, 1.25])))
    dots = base.mark_point(filled=True, size=60, opacity=0.75).encode(
        color=alt.Color("chosen:N", title=None, scale=alt.Scale(domain=["Other CCGs", "Chosen CCG"],
                                                               range=[PALETTE["primary"], PALETTE["secondary"]])),
        tooltip=[alt.Tooltip("ccg_code:N", title="Code"), alt.Tooltip("ccg_name:N", title="CCG"),
                 alt.Tooltip("total:Q", title="In place", format=","),
                 alt.Tooltip("population:Q", title="Registered patients", format=","),
                 alt.Tooltip("rate:Q", title="Per 100,000", format=".1f")]).add_params(picker)
    median = float(data["rate"].median())
    middle = alt.Chart(pd.DataFrame({"rate": [median], "label": [f"Median CCG {median:.1f}"]})).mark_rule(
        color="#333333", strokeDash=[4, 3]).encode(x="rate:Q", tooltip=[alt.Tooltip("label:N", title="Median")])
    return alt.layer(dots, middle, *highlight_layers(base, picker, "row")).properties(
        height=220, padding=PICKED_ROW_PADDING)
