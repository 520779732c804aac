"""What the RTT page says (analysis/rtt/text.py), on small inputs."""

import math
import re

import numpy as np
import pandas as pd

from analysis import rtt
from analysis.page import SEED_CITATION
from analysis.periods import FinancialYear

Y2016 = FinancialYear(2016)
END = {"month": Y2016.last_month, "percent": 90.46, "percent_est": 90.3, "waiting": 3_700_000.0,
       "waiting_est": 3_800_500.0}


def test_the_commitments_caption_names_the_year():
    assert rtt.commitments_caption(Y2016).startswith("The planning documents' referral to treatment commitments in "
                                                     "force in 2016-17, each judged from the data ")


def test_position_figures_say_whether_the_reported_share_met_92_percent():
    assert rtt.position_figures(END) == {"end_month": "March 2017", "percent": 90.46, "percent_est": 90.3,
                                         "waiting": "3,700,000", "waiting_est": "3,800,500",
                                         "met_word": "did not meet"}
    assert rtt.position_figures(END | {"percent": 92.0})["met_word"] == "met"


def test_the_monthly_alt_text_says_whether_every_month_was_below_the_standard():
    series = pd.DataFrame({"month": pd.period_range("2016-04", periods=3, freq="M"),
                           "percent_within_18": [91.0, 90.04, 91.5]})
    assert rtt.monthly_alt(series, Y2016) == ("Incomplete pathways within 18 weeks by month in 2016-17: below the 92% "
                                              "standard in every month; the lowest was 90.0% in May 2016.")
    above = series.assign(percent_within_18=[92.5, 90.04, 91.5])
    assert rtt.monthly_alt(above, Y2016) == ("Incomplete pathways within 18 weeks by month in 2016-17: against the "
                                             "92% standard; the lowest was 90.0% in May 2016.")


def test_the_waiting_list_alt_text_gives_the_list_at_the_end_of_the_year():
    assert rtt.waiting_list_alt(END, Y2016) == (
        "The waiting list by month in 2016-17, as reported and with estimates for missing trusts; 3,700,000 "
        "reported at the end of March 2017.")


def test_the_waiting_list_growth_table_writes_counts_as_text_and_rounds_percentages():
    growth = pd.DataFrame([{"series": "reported", "end": 3_700_000.0, "growth": 100_000.5, "growth_percent": 2.777,
                            "previous_growth": 300_000.0, "previous_growth_percent": 9.09, "less_by_count": 66.66,
                            "less_by_rate": 69.44}])
    shown = rtt.waiting_list_growth_table(growth)
    assert shown.iloc[0].to_dict() == {
        "Series": "reported", "List at the end of the year": "3,700,000", "Growth in the year": "100,000.5",
        "Growth (%)": 2.8, "Growth the year before": "300,000", "Growth the year before (%)": 9.1,
        "Less than the year before (%, counts)": 66.7, "Less than the year before (%, rates)": 69.4}


def test_the_completed_growth_table_rounds_counts_and_keeps_a_missing_working_day_growth_empty():
    completed = pd.DataFrame([{"series": "with estimates", "completed": 16_000_000.6, "previous_completed": 15_000_000.2,
                               "growth_percent": 6.666, "days": 365, "previous_days": 366,
                               "per_day_growth_percent": 6.96, "working_days": None, "previous_working_days": None,
                               "per_working_day_growth_percent": None}])
    row = rtt.completed_growth_table(completed).iloc[0].to_dict()
    assert math.isnan(row.pop("Growth per working day (%)"))
    assert row == {"Series": "with estimates", "Completed in the year": "16,000,001", "The year before": "15,000,000",
                   "Growth (%)": 6.7, "Days": 365, "Days the year before": 366, "Growth per day (%)": 7.0,
                   "Working days": None, "Working days the year before": None}


def test_the_variant_figures_name_a_reading_the_ledger_computes_and_cite_in_words():
    figures = rtt.variant_figures()
    assert set(figures) == {"completed_variant", "completed_reason", "waiting_variant", "waiting_reason"}
    completed = pd.DataFrame([{"series": s, "growth_percent": 1.0, "per_day_growth_percent": 1.0,
                               "per_working_day_growth_percent": 1.0} for s in ("reported", "with estimates")])
    waiting = pd.DataFrame([{"series": s, "less_by_count": 1.0, "less_by_rate": 1.0}
                            for s in ("reported", "with estimates")])
    assert figures["completed_variant"] in rtt.completed_variants(completed)
    assert figures["waiting_variant"] in rtt.waiting_list_variants(waiting)
    for reason in (figures["completed_reason"], figures["waiting_reason"]):
        assert "annual report, line" in reason and not SEED_CITATION.search(reason)


def clock_starts(first: str, last: str, values) -> pd.DataFrame:
    months = pd.period_range("2014-04", "2017-03", freq="M")
    counts = pd.Series(np.nan, index=months)
    counts[pd.Period(first, "M"):pd.Period(last, "M")] = values
    return pd.DataFrame({"month": months, "new_periods": counts.to_numpy()})


def test_the_referrals_sentence_says_since_when_clock_starts_are_counted_and_their_growth():
    assert rtt.referrals_sentence(clock_starts("2014-04", "2014-03", []), Y2016) == (
        "The file has no count of new RTT periods (clock starts).")
    assert rtt.referrals_sentence(clock_starts("2015-10", "2017-03", 100.0), Y2016) == (
        "New RTT periods (clock starts) are counted only from October 2015; 2016-17 and the year before are not "
        "both whole, so their growth is not computed.")
    assert rtt.referrals_sentence(clock_starts("2015-04", "2017-03", [100.0] * 12 + [103.0] * 12), Y2016) == (
        "New RTT periods (clock starts) are counted only from April 2015; in 2016-17 they grew 3.0% on the year "
        "before.")
    assert rtt.referrals_sentence(clock_starts("2015-04", "2017-03", [100.0] * 12 + [97.0] * 12), Y2016).endswith(
        "in 2016-17 they fell 3.0% on the year before.")
    assert rtt.referrals_sentence(clock_starts("2015-04", "2017-03", 100.0), Y2016).endswith(
        "in 2016-17 they did not change on the year before.")


def test_the_headline_results_judge_the_position_and_count_the_list():
    position, waiting = rtt.headline_results(END)
    assert (position.label, position.value, position.standard, position.met) == (
        rtt.position_result(Y2016.last_month), 90.46, 92.0, False)
    assert (waiting.label, waiting.value, waiting.unit, waiting.standard) == (rtt.WAITING_RESULT, 3_700_000.0,
                                                                              "count", None)
    assert re.search(r"end of March 2017$", position.label)
