"""Charts for the new care models chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE
from ..spc import spc_chart

COHORT_COLOURS = {"PACS": PALETTE["primary"], "MCP": PALETTE["secondary"], "Rest of England": PALETTE["muted"]}


def growth_chart(growth: pd.DataFrame, measure: str) -> alt.LayerChart:
    """Growth by cohort for each baseline, with 95% bootstrap intervals; `measure` names it
    ("growth in emergency admissions", or "... per head" when each window has its own population)."""
    data = growth.round(3)
    cohorts = list(dict.fromkeys(data["cohort"]))
    colour = alt.Color("cohort:N", title=None, scale=alt.Scale(
        domain=cohorts, range=[COHORT_COLOURS.get(c, PALETTE["tertiary"]) for c in cohorts]))
    base = alt.Chart(data).encode(
        y=alt.Y("baseline:N", title="Compared with", sort=list(dict.fromkeys(data["baseline"]))),
        yOffset=alt.YOffset("cohort:N", sort=cohorts), color=colour)
    bars = base.mark_bar().encode(
        x=alt.X("growth:Q", title=f"{measure[0].upper()}{measure[1:]} (%)"),
        tooltip=[alt.Tooltip("baseline:N", title="Compared with"), alt.Tooltip("cohort:N", title="Cohort"),
                 alt.Tooltip("growth:Q", title="Growth (%)", format=".1f"),
                 alt.Tooltip("growth_low:Q", title="95% bootstrap interval from", format=".1f"),
                 alt.Tooltip("growth_high:Q", title="to", format=".1f")])
    whiskers = base.mark_rule(color="#000000", strokeWidth=1.5).encode(x="growth_low:Q", x2="growth_high:Q")
    return alt.layer(bars, whiskers).properties(height=260)


def index_chart(monthly: pd.DataFrame) -> alt.Chart:
    """Monthly admissions by cohort, indexed to the baseline window's mean (= 100)."""
    data = monthly.assign(month=monthly["month"].dt.to_timestamp(), index=monthly["index"].round(2),
                          per_1000=monthly["per_1000"].round(3))
    cohorts = list(dict.fromkeys(sorted(data["cohort"])))
    return alt.Chart(data).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
        y=alt.Y("index:Q", title="Admissions (baseline window = 100)", scale=alt.Scale(zero=False)),
        color=alt.Color("cohort:N", title=None, scale=alt.Scale(
            domain=cohorts, range=[COHORT_COLOURS.get(c, PALETTE["tertiary"]) for c in cohorts])),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("cohort:N", title="Cohort"),
                 alt.Tooltip("per_1000:Q", title="Per 1,000 registered patients", format=".2f"),
                 alt.Tooltip("index:Q", title="Index", format=".1f")]).properties(height=320)


def age_chart(ages: pd.DataFrame) -> alt.Chart:
    """Growth by age band and cohort, with 95% intervals."""
    data = ages.round(3)
    return alt.Chart(data).mark_point(filled=True, size=80).encode(
        x=alt.X("age_band:N", title="Age band", sort=["0-64", "65-74", "75-84", "85+"]),
        y=alt.Y("growth:Q", title="Growth in emergency admissions (%)"),
        color=alt.Color("cohort:N", title=None, scale=alt.Scale(domain=list(COHORT_COLOURS),
                                                                range=list(COHORT_COLOURS.values()))),
        xOffset=alt.XOffset("cohort:N"),
        tooltip=["baseline:N", "cohort:N", "age_band:N", alt.Tooltip("growth:Q", format=".1f"),
                 alt.Tooltip("growth_low:Q", format=".1f"), alt.Tooltip("growth_high:Q", format=".1f")],
    ).properties(height=280)


SPC_HEIGHT = 170
"""The height of each cohort's XmR chart: three follow one another down the page, compared as small multiples."""


def spc_panel(control: pd.DataFrame, cohort: str) -> alt.LayerChart:
    """One cohort's XmR chart (`analysis.spc_chart`, its subtitle naming the rules and the choices
    behind its limits), compact: lower, its legend in two columns."""
    chart = spc_chart(control, f"{cohort}: emergency admissions", "Per 1,000 registered patients", ".2f")
    return chart.properties(height=SPC_HEIGHT).configure_legend(direction="horizontal", columns=2)
