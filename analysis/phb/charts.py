"""Charts for the personal health budgets chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE
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
    """Each CCG's rate per 100,000, highest first; chosen CCGs stand out.

    On synthetic data every CCG must be fictional (`organisation_view`), or this refuses.
    """
    view = organisation_view(rates, synthetic)
    if not view.allowed:
        raise DataError("phb_quarterly", view.reason)
    data = rates.assign(chosen=rates["ccg_code"].isin(highlight).map({True: "Chosen CCG", False: "Other CCGs"}),
                        rate=rates["rate"].round(1))
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("ccg_code:N", title="CCG (highest rate first)", sort="-y", axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("rate:Q", title="Personal health budgets per 100,000 patients"),
        color=alt.Color("chosen:N", title=None, scale=alt.Scale(domain=["Other CCGs", "Chosen CCG"],
                                                               range=[PALETTE["primary"], PALETTE["secondary"]])),
        tooltip=[alt.Tooltip("ccg_name:N", title="CCG"), alt.Tooltip("total:Q", title="In place", format=","),
                 alt.Tooltip("population:Q", title="Registered patients", format=","),
                 alt.Tooltip("rate:Q", title="Per 100,000", format=".1f")],
    ).properties(height=300)
