"""What the mental health page says, from small inputs: glued figures, sentences, alt text, captions,
the provider table as shown and the headline results."""

import pandas as pd
import pytest

from analysis import mental_health as mh
from analysis.funnel import POSITIONS
from analysis.periods import FinancialYear

Y2016 = FinancialYear(2016)
MARCH = pd.Period("2017-03", "M")


def positions(above=0, below=0, within=0):
    return {POSITIONS[0]: above, POSITIONS[1]: 0, POSITIONS[2]: within, POSITIONS[3]: 0, POSITIONS[4]: below}


def summary(tau2=0.0, **changes):
    """A funnel summary of three providers, one above and one below the 99.8% limits."""
    return {"england": 74.25, "threshold": 40, "providers": 3, "ranked": 2, "organisations": 3, "phi": 2.0,
            "tau2": tau2, "tau": 0.0, "positions": positions(1, 1, 1), "binomial_positions": positions(1, 1, 1),
            "below_standard": 1, **changes}


def dementia(england=67.9, areas=(70.0, 60.0, None), marks=("Better", "Worse", None)):
    rows = [{"area_code": "E92000001", "area_name": "England", "area_type": "England", "year": 2017,
             "value": england, "significance": None}]
    rows += [{"area_code": f"E0600000{i}", "area_name": f"Area {i}", "area_type": "UA", "year": 2017, "value": v,
              "significance": m} for i, (v, m) in enumerate(zip(areas, marks))]
    return pd.DataFrame(rows)


def test_the_months_figures_say_met_or_did_not_meet_with_counts_as_read():
    month = {"month": MARCH, "within_two_weeks": 1234.5, "total": 2000.0, "percent": 61.725, "providers": 4}
    assert mh.eip_month_figures(month) == {"eip_month": "March 2017", "eip_percent": 61.725, "eip_within": "1,234.5",
                                           "eip_total": "2,000", "eip_providers_month": 4, "eip_met": "met"}
    assert mh.eip_month_figures({**month, "percent": 49.9})["eip_met"] == "did not meet"
    assert mh.eip_month_figures({**month, "percent": 50.0})["eip_met"] == "met"


def test_the_printed_figures_are_the_ledgers():
    figures = mh.printed_figures()
    assert set(figures) == {"printed_eip", "printed_eip_line", "printed_dementia"}
    assert isinstance(figures["printed_eip_line"], int) and 0 < figures["printed_eip"] < 100


def test_the_commitments_caption_names_the_year():
    assert mh.commitments_caption(Y2016).startswith(
        "The planning documents' mental health and dementia commitments in force in 2016-17, each judged")


def test_the_monthly_alt_text_names_the_lowest_month_and_the_standard():
    monthly = pd.DataFrame({"month": pd.period_range("2017-01", periods=3, freq="M"), "percent": [55.0, 52.34, 60.0]})
    assert mh.eip_monthly_alt(monthly, Y2016) == (
        "Completed EIP pathways starting treatment within two weeks by month in 2016-17: above the 50% standard in "
        "every month; the lowest was 52.3% in February 2017.")
    assert "2016-17: against the 50% standard; the lowest was 49.0% in February 2017." in mh.eip_monthly_alt(
        monthly.assign(percent=[55.0, 49.0, 60.0]), Y2016)


def test_the_provider_figures_and_the_funnels_alt_text():
    figures = mh.eip_provider_figures(summary())
    assert {k: figures[k] for k in ("year_rate", "threshold", "providers", "ranked", "unranked", "below_standard")} \
        == {"year_rate": 74.25, "threshold": 40, "providers": 3, "ranked": 2, "unranked": 1, "below_standard": 1}
    assert figures["spread_sentence"].startswith("Against the exact binomial limits alone, 2 of the 3 providers lie")
    assert mh.eip_funnel_alt(summary(), Y2016) == (
        "Funnel plot of 3 EIP providers in 2016-17: 1 above and 1 below the 99.8% limits around England's 74.2% "
        "(control limits (exact binomial)); 1 fell below the 50% standard over the year.")
    assert "(limits, widened for over-dispersion)" in mh.eip_funnel_alt(summary(tau2=0.01), Y2016)


def test_the_provider_table_as_shown():
    providers = pd.DataFrame({"provider_code": ["A", "B"], "provider_name": ["One", "Two"], "numerator": [70, 3],
                              "volume": [100, 5], "rate": [70.04, 60.0], "position": ["within", "within"],
                              "binomial_position": ["x", "y"], "rank": pd.array([1, None], dtype="Int64"),
                              "meets_standard": [True, False]})
    shown = mh.eip_providers_shown(providers)
    assert list(shown.columns) == ["Provider", "Name", "Within two weeks", "Completed pathways",
                                   "Within two weeks (%)", "Against the limits", "Rank by rate", "Meets 50%"]
    assert shown.iloc[0].tolist() == ["A", "One", 70, 100, 70.0, "within", "1", "yes"]
    assert shown.iloc[1].tolist()[-2:] == ["too few to rank", "no"]
    assert mh.eip_provider_caption(summary(), Y2016) == (
        "EIP providers in 2016-17, largest first; ranked only at 40 or more completed pathways.")


def test_the_dementia_sentence_says_above_below_or_why_there_is_none():
    assert mh.dementia_sentence(dementia(), 2017) == (
        "England's estimated diagnosis rate for people aged 65 and over was 67.9% in 2017, above the ambition of "
        "two thirds (66.7%).")
    assert "66.0% in 2017, below the ambition" in mh.dementia_sentence(dementia(england=66.0), 2017)
    assert mh.dementia_sentence(dementia(), 2018) == "The file has no rows for 2018, so this period cannot be shown."
    assert mh.dementia_sentence(None, 2017) == ("No dementia diagnosis-rate file was found, so this section has no "
                                                "figures.")


def test_the_local_authorities_sentence_and_alt_text():
    assert mh.dementia_areas_sentence(dementia(), 2017) == (
        "Across 3 local authorities (unitary authorities, districts, metropolitan districts and London boroughs) "
        "the rates ran from 60.0% to 70.0% (median 65.0%, middle half 62.5% to 67.5%); 1 were at or above two "
        "thirds. 1 had no value (left blank in the file). The publisher's own comparison with England marks 1 "
        "better, 0 similar and 1 worse.")
    assert "two thirds. The publisher's" in mh.dementia_areas_sentence(dementia(areas=(70.0, 60.0, 65.0)), 2017)
    for table in (None, dementia(england=None)):
        assert mh.dementia_areas_sentence(table, 2017) == "There are no local authority figures for this period."
    _, spread = mh.dementia_areas(dementia(), 2017)
    assert mh.dementia_spread_alt(spread, 2017) == (
        "Estimated dementia diagnosis rates of 2 local authorities in 2017: from 60.0% to 70.0%, median 65.0%; "
        "1 at or above two thirds.")


def test_the_pages_results_are_judged_against_the_standard_and_the_ambition():
    month = {"month": MARCH, "percent": 49.0}
    eip, rate = mh.page_results(month, 2017, 67.9)
    assert (eip.value, eip.met, rate.value, rate.met) == (49.0, False, 67.9, True)
    assert "in March 2017" in eip.label and "calendar 2017" in rate.label
    assert rate.verdict_text() == "Ambition: two thirds: met"
    assert mh.page_results(month, 2017, None)[1].value_text() == "not available"


@pytest.mark.parametrize("with_dementia, names", [(True, ["yearly", "yearly-dementia"]), (False, ["yearly"])])
def test_the_yearly_views_are_named_as_the_page_shows_them(with_dementia, names, monkeypatch):
    from analysis.mental_health import years

    monkeypatch.setattr(years, "eip", lambda table: "eip view")
    monkeypatch.setattr(years, "dementia", lambda table: "dementia view")
    data = mh.MentalHealthData(eip=pd.DataFrame(), dementia=dementia() if with_dementia else None)
    assert [name for name, _ in years.named_views(data)] == names
    assert [view for _, view in years.named_views(data)][0] == "eip view"
