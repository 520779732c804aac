"""What the personal health budgets page says, from small inputs: glued figures, alt text, captions, tables
as shown, the trajectory chart's data and the headline results."""

import math

import pandas as pd
import pytest

from analysis import phb
from analysis.periods import FinancialYear

Y2016 = FinancialYear(2016)


def quarters(counts: dict) -> pd.DataFrame:
    """Two CCGs' budgets at each quarter end of `counts` (month -> national total, split 3:1 between them)."""
    rows = []
    for month, total in counts.items():
        for code, name, share in (("X01", "NHS ONE CCG", 0.75), ("X02", "NHS TWO CCG", 0.25)):
            rows.append({"quarter_end": pd.Period(month, "M"), "ccg_code": code, "ccg_name": name,
                         "total": total * share, "chc": total * share / 2, "other": total * share / 2,
                         "suppressed": False})
    return pd.DataFrame(rows)


TABLE = quarters({"2015-09": 4000, "2016-03": 6000, "2017-03": 12000})


def test_the_count_figures_as_the_prose_reads_them():
    assert phb.count_figures(TABLE, Y2016) == {"latest": "12,000", "latest_month": "March 2017",
                                               "september_month": "September 2015", "september": "4,000",
                                               "multiple": 3.0}
    figures = phb.count_figures(quarters({"2016-03": 6000, "2017-03": 12000}), Y2016)
    assert figures["september"] == "not in the data" and math.isnan(figures["multiple"])


def test_the_national_table_as_shown():
    shown = phb.national_shown(phb.national(quarters({"2017-03": 12345})))
    assert shown.columns.tolist() == ["Quarter end", "In place", "Continuing healthcare", "Other", "CCGs reporting",
                                      "Suppressed counts"]
    assert shown.iloc[0].tolist() == ["March 2017", "12,345", "6,172", "6,172", 2, 0]


def test_the_trajectory_figures_alt_text_and_results():
    trend = phb.trajectory(TABLE, Y2016)
    figures = phb.trajectory_figures(trend)
    assert figures["quarters"] == 16 and figures["seen"] == pytest.approx(100 * (2 ** 0.25 - 1))
    assert figures["needed_low"] == pytest.approx(100 * ((50_000 / 12_000) ** (1 / 16) - 1))
    assert phb.trajectory_alt(trend) == (
        f"Personal health budgets in place: 12,000 at the end of March 2017; reaching 50,000 by March 2021 needs "
        f"{figures['needed_low']:.1f}% growth a quarter and 100,000 needs {figures['needed_high']:.1f}%.")
    count, growth = phb.page_results(trend)
    assert (count.label, count.value, count.met) == ("personal health budgets in place at the end of March 2017",
                                                     12_000, None)
    assert growth.value == figures["seen"] and growth.met is True  # 18.9% a quarter seen, 9.3% needed
    assert growth.standard_text == f"needed to reach 50,000 by March 2021: {figures['needed_low']:.1f}% a quarter"
    no_year_before = phb.trajectory(quarters({"2016-12": 9000, "2017-03": 12000}), Y2016)
    assert math.isnan(phb.trajectory_figures(no_year_before)["seen"])


def test_the_trajectory_data_puts_each_path_beside_the_count():
    series = phb.national(TABLE)
    data = phb.trajectory_data(series, phb.trajectory_lines(phb.trajectory(TABLE, Y2016)))
    assert {"total", "Path to 50,000", "Path to 100,000"} <= set(data.columns)
    last = data.set_index("quarter_end").loc[pd.Period("2021-03", "M")]
    assert last["Path to 50,000"] == pytest.approx(50_000) and math.isnan(last["total"])
    assert data.set_index("quarter_end").loc[pd.Period("2017-03", "M"), "Path to 100,000"] == pytest.approx(12_000)


def test_the_ccg_figures_alt_text_data_and_caption():
    rates = pd.DataFrame({"ccg_code": ["X01", "X02", "X03"],
                          "ccg_name": ["NHS ONE CCG", "NHS TWO CCG", "NHS THREE CCG"],
                          "total": [30, 10, 0], "population": [10_000, 20_000, 5_000], "rate": [300.0, 50.0, 0.0],
                          "rank": pd.array([1, 2, 3], dtype="Int64")})
    figures = phb.ccg_figures(rates, phb.organisation_view(rates, synthetic=False))
    assert {k: v for k, v in figures.items() if k != "ccg_sentence"} == {
        "ccg_count": 3, "ccgs_none": 1, "median_rate": 50.0, "highest_rate": 300.0}
    assert figures["ccg_sentence"].startswith("The highest rate was NHS ONE CCG's, 300.0 per 100,000.")
    assert phb.rate_chart_alt(rates) == ("Personal health budgets per 100,000 registered patients range from 0 to "
                                         "300 between CCGs; 1 CCG had none.")
    assert phb.rate_chart_alt(rates.assign(total=0)).endswith(f"; {len(rates)} CCGs had none.")
    assert phb.rate_chart_data(rates.assign(extra=1)).columns.tolist() == ["ccg_code", "ccg_name", "total",
                                                                            "population", "rate", "rank"]
    march = pd.Period("2017-03", "M")
    assert phb.ccg_table_caption([], march) == "Every CCG, March 2017, ranked by rate."
    assert phb.ccg_table_caption(["X01"], march) == "The chosen CCGs, March 2017, ranked by rate."


def test_the_commitment_statements_keep_the_columns_shown():
    shown = phb.commitment_statements(phb.commitment_table())
    assert shown.columns.tolist() == ["Text", "Value", "Document", "Line"]
    assert 50_000 in shown["Value"].tolist() and 100_000 in shown["Value"].tolist()
