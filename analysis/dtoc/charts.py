"""Chart of delayed days by month and responsible organisation."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE


def responsible_chart(long: pd.DataFrame) -> alt.Chart:
    """Stacked monthly delayed days by the organisation responsible."""
    data = long.assign(month=long["month"].dt.to_timestamp())
    order = ["NHS", "Social care", "Both"]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
        y=alt.Y("sum(delayed_days):Q", title="Delayed days in the month", stack="zero"),
        color=alt.Color("responsible:N", title="Responsible", sort=order,
                        scale=alt.Scale(domain=order, range=[PALETTE["primary"], PALETTE["secondary"],
                                                             PALETTE["muted"]])),
        order=alt.Order("responsible:N", sort="ascending"),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                 alt.Tooltip("responsible:N", title="Responsible"),
                 alt.Tooltip("delayed_days:Q", title="Delayed days", format=",")]).properties(height=300)
