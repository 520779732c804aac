"""The vanguards page's words and sections, computed in the package: each on small inputs."""

import numpy as np
import pandas as pd
import pytest

from analysis import vanguards
from analysis.provenance import Kind
from analysis.registry import load_registry
from analysis.sources import resolve_all
from analysis.spc import spc_chart, xmr
from analysis.vanguards import sections, text
from analysis.vanguards.charts import SPC_HEIGHT, spc_panel
from analysis.vanguards.metrics import REST

LABELS = {"recent": "Jan 2016 to Dec 2016", "baseline": "Oct 2014 to Sep 2015", "second baseline": "Apr 2014 to Mar 2015"}


def growth_rows() -> pd.DataFrame:
    """Three cohorts against one baseline, as `growth_table` gives them (rest of England without a difference)."""
    return pd.DataFrame({
        "baseline": [LABELS["baseline"]] * 3, "cohort": ["MCP", "PACS", REST], "ccgs": [16, 10, 118],
        "admissions_baseline": [438166.0, 286503.0, 2891483.0], "admissions_recent": [458041.0, 293296.0, 3034140.0],
        "population": [4255644.0, 2510474.0, 31136590.0], "growth": [4.54, 2.37, 4.93],
        "growth_low": [2.71, -1.58, 3.66], "growth_high": [6.49, 5.92, 6.24], "difference": [-0.39, -2.56, np.nan],
        "difference_low": [-2.7, -6.6, np.nan], "difference_high": [2.01, 1.3, np.nan],
        "screening": [vanguards.HANDLED] * 3, "partly_covered": [vanguards.PARTIAL_IN] * 3})


def test_display_table_writes_counts_and_percentages_and_leaves_out_what_is_asked():
    shown = text.display_table(growth_rows())
    assert list(shown.columns[:6]) == ["Compared with", "Cohort", "CCGs", "Admissions, baseline", "Admissions, recent",
                                       "Registered patients"]
    assert shown.iloc[0][["Admissions, baseline", "Growth %", "95% from", "Minus rest of England (points)"]].tolist() \
        == ["438,166", "4.5", "2.7", "-0.4"]
    assert shown.iloc[2]["Minus rest of England (points)"] == ""  # no difference for the rest of England itself
    short = text.display_table(growth_rows(), counts=False)
    assert list(short.columns) == [c for c in shown.columns if c not in ("Admissions, baseline", "Admissions, recent",
                                                                         "Registered patients")]
    both = text.display_table(growth_rows(), variants=True, counts=False)
    assert list(both.columns[:3]) == ["Breaks", "Partly covered CCGs", "Compared with"]
    assert both["Breaks"].tolist() == [vanguards.HANDLED] * 3


def test_bed_days_tables_name_their_columns_bed_days():
    rows = growth_rows()
    assert list(text.bed_days_table(rows).columns[3:5]) == ["Bed days, baseline", "Bed days, recent"]
    data = text.bed_days_data(rows)
    assert list(data.columns[3:5]) == ["bed_days_baseline", "bed_days_recent"]
    assert data["bed_days_recent"].tolist() == rows["admissions_recent"].tolist()


def test_flag_display_rounds_and_names_the_columns():
    flags = pd.DataFrame({"ccg_code": ["13P"], "ccg_name": ["NHS BIRMINGHAM CROSSCITY CCG"],
                          "months": ["Jul 2014 to Mar 2015"], "flagged_months": [9], "median": [6880.4],
                          "lowest": [35.36], "highest": [39.71], "vanguard_types": ["ACC, MCP"], "left_out": ["yes"]})
    shown = text.flag_display(flags)
    assert list(shown.columns) == ["CCG", "Name", "Flagged months", "Months flagged", "Median month",
                                   "Lowest (% of median)", "Highest (% of median)", "Vanguard types",
                                   "Left out of both windows"]
    assert shown.iloc[0][["Median month", "Lowest (% of median)", "Highest (% of median)"]].tolist() == [
        "6,880", "35", "40"]


def test_growth_sentence_caption_and_alt_text_give_each_cohorts_figures():
    rows = growth_rows()
    assert text.growth_sentence(rows, LABELS["baseline"]) == (
        "MCP 4.5% (95% interval 2.7% to 6.5%); PACS 2.4% (95% interval -1.6% to 5.9%); Rest of England 4.9% (95% "
        "interval 3.7% to 6.2%)")
    assert text.growth_sentence(rows, LABELS["second baseline"]) == ""
    assert text.growth_caption("growth in emergency admissions") == (
        "Growth in emergency admissions, with 95% bootstrap intervals over CCGs (admissions and registered patients "
        "are in the downloadable data).")
    assert text.growth_alt(rows.iloc[:2], "growth in emergency admissions per head") == (
        "Growth in emergency admissions per head by cohort, with 95% bootstrap intervals: MCP 4.5% against Oct 2014 "
        "to Sep 2015; PACS 2.4% against Oct 2014 to Sep 2015")


def test_measure_reason_says_why_growth_is_or_is_not_per_head():
    assert text.measure_reason(True) == "Each window has its own registered-population snapshot, so growth is per head."
    assert text.measure_reason(False).startswith("The data has one registered-population snapshot for both windows")
    assert "it is not per head" in text.measure_reason(False)


def test_index_alt_names_where_each_cohort_ends():
    monthly = pd.DataFrame({"cohort": ["MCP", "MCP", "PACS", "PACS"], "index": [100.0, 112.4, 99.0, 105.6]})
    assert text.index_alt(monthly) == ("Monthly emergency admissions by cohort, indexed to the baseline window (100): "
                                       "MCP ends at 112; PACS ends at 106")


AGES = pd.DataFrame({"cohort": ["PACS", "PACS", REST, REST], "age_band": ["0-64", "85+", "0-64", "85+"],
                     "growth": [1.04, -2.0, 3.0, 6.25]})


def test_age_sentences_give_the_oldest_and_youngest_bands_or_say_there_are_no_ages():
    assert text.age_sentence(AGES, "Oct 2014 to Sep 2015") == (
        "Growth in admissions by age band (against Oct 2014 to Sep 2015): aged 85 and over, PACS -2.0%, Rest of "
        "England 6.2%; under 65, PACS 1.0%, Rest of England 3.0%.")
    assert text.age_sentence(None, "Oct 2014 to Sep 2015").startswith("The Monthly Activity Return has no ages")
    assert text.age_alt(AGES) == ("Growth in emergency admissions by age band and cohort: aged 85 and over, PACS -2.0%, "
                                  "Rest of England 6.2%.")
    assert text.records_age_alt(AGES.iloc[:2]) == ("From records, growth in emergency admissions by age band and "
                                                   "cohort: PACS 0-64 1.0%; PACS 85+ -2.0%")


def test_record_level_words_name_the_records():
    rows = growth_rows()
    sentence = text.records_growth_sentence("records", rows.iloc[:1], rows.iloc[1:2], LABELS["baseline"])
    assert sentence == ("From records, against Oct 2014 to Sep 2015, emergency admissions: MCP 4.5% (95% interval "
                        "2.7% to 6.5%). Emergency bed days: PACS 2.4% (95% interval -1.6% to 5.9%).")
    captions = text.records_captions("these artificial records (not real activity)", "growth in emergency admissions")
    assert captions["admissions"].startswith("From these artificial records (not real activity): growth in emergency "
                                             "admissions, emergency admissions (first episodes")
    assert captions["months"].startswith("From these artificial records (not real activity): emergency admissions by")
    shown = text.exclusions_display(pd.DataFrame({"reason": ["unknown CCG"], "episodes": [3], "left_out_of": ["x"]}))
    assert list(shown.columns) == ["Reason", "Episodes", "Left out of"]


def test_headline_results_give_each_vanguard_cohort_with_the_rest_of_england_beside_it():
    results = sections.headline_results(growth_rows(), LABELS, "growth in emergency admissions")
    assert [r.label for r in results] == [
        "growth in emergency admissions, MCP, Jan 2016 to Dec 2016 against Oct 2014 to Sep 2015",
        "growth in emergency admissions, PACS, Jan 2016 to Dec 2016 against Oct 2014 to Sep 2015"]
    assert [r.value for r in results] == [4.54, 2.37]
    assert results[1].standard_text == "95% interval -1.6% to 5.9%; rest of England 4.9%; no target set"
    assert results[0].met is None  # no standard: not judged
    without_rest = sections.headline_results(growth_rows().iloc[:2], LABELS, "growth")
    assert without_rest[0].standard_text == "95% interval 2.7% to 6.5%; rest of England nan%; no target set"


def test_spc_charts_one_per_cohort_named_and_described():
    months = pd.period_range("2014-04", "2016-03", freq="M")
    rising = np.r_[np.full(12, 9.0), np.full(12, 9.0) + np.linspace(0.5, 1.5, 12)]
    monthly = pd.DataFrame({"cohort": [REST] * 24 + ["MCP"] * 24, "month": list(months) * 2,
                            "per_1000": list(8 + 0.1 * np.sin(np.arange(24))) + list(rising)})
    charts = sections.spc_charts(monthly)
    assert [c.name for c in charts] == ["spc-mcp", "spc-rest-of-england"]
    assert charts[0].alt.startswith("MCP: The latest month shows special cause concern; the process has changed")
    assert charts[1].alt.startswith("Rest of England: The latest month shows common cause variation")
    assert charts[0].data["value"].tolist() == pytest.approx(rising)
    assert sections.spc_summary(charts) == f"{charts[0].alt} {charts[1].alt}"


def test_an_spc_panel_is_the_xmr_chart_lower_with_every_line_signal_and_subtitle():
    months = pd.period_range("2014-04", "2016-03", freq="M")
    control = xmr(pd.Series(np.r_[np.full(12, 9.0), 9.5 + np.linspace(0, 1, 12)], index=months), "decrease",
                  name="MCP", recalculate_at_shifts=True)
    panel = spc_panel(control, "MCP").to_dict()
    full = spc_chart(control, "MCP: emergency admissions", "Per 1,000 registered patients", ".2f").to_dict()
    assert panel["height"] == SPC_HEIGHT < full["height"]
    # the values, mean, limits, coloured signals and badges, and the subtitle's rules and choices: all kept
    assert panel["layer"] == full["layer"] and panel["title"] == full["title"]
    assert panel["title"]["text"] == "MCP: emergency admissions"
    assert panel["config"]["legend"]["columns"] == 2


def test_fold_summaries_count_the_rows_they_hold():
    flags = pd.DataFrame({"left_out": ["yes", "yes", "no (outside the windows)"]})
    assert text.flags_summary(flags) == ("Table of the 3 flagged CCGs (names, medians, vanguard types): 2 left out of "
                                         "both windows, 1 kept (flagged outside the windows).")
    assert text.flags_summary(flags.iloc[:1]) == ("Table of the 1 flagged CCG (names, medians, vanguard types): 1 left "
                                                  "out of both windows.")
    assert text.flags_summary(flags.iloc[:0]) == "The screening flagged no CCG: the table of flagged CCGs is empty."
    rows = growth_rows()
    four = pd.concat([rows.assign(screening=screening, partly_covered=partly)
                      for screening in (vanguards.HANDLED, vanguards.AS_REPORTED)
                      for partly in (vanguards.PARTIAL_IN, vanguards.PARTIAL_OUT)], ignore_index=True)
    assert text.variants_summary(four).startswith("All 12 figures: 3 groups against 1 baseline, each 4 ways (")
    assert text.variants_summary(rows).startswith("All 3 figures: 3 groups against 1 baseline, each 1 way (")
    assert text.records_counts_summary([8, 12]) == (
        "The records' counts, in 2 tables: episodes left out, by reason (8 reasons); emergency admissions and bed "
        "days by month and age band (12 months).")
    assert text.records_counts_summary([1]) == "The records' counts, in 1 table: episodes left out, by reason (1 reason)."
    assert text.records_counts_summary([]) == ""


def chapter_inputs():
    registry = load_registry()
    chapter = registry.chapter("vanguards")
    sources = resolve_all(chapter.datasets, registry.datasets, None)
    data = vanguards.load(sources)
    spans = vanguards.windows(chapter.parameters, set(data["admissions"]["month"]))
    return chapter, sources, data, spans


def test_chosen_cohorts_labels_and_main_variant():
    chapter, _, data, spans = chapter_inputs()
    assert vanguards.chosen_cohorts({"cohorts": "PACS,MCP"}) == ["PACS", "MCP"]
    assert vanguards.chosen_cohorts({"cohorts": ""}) == []
    labels = vanguards.labels_of(spans)
    assert labels == LABELS
    table = vanguards.variants(data, spans, ["PACS", "MCP"], labels)
    main = vanguards.main_variant(table)
    assert len(main) == 6 and len(table) == 24
    assert set(main["screening"]) == {vanguards.HANDLED} and set(main["partly_covered"]) == {vanguards.PARTIAL_IN}


def test_age_section_has_a_chart_only_with_ages():
    _, _, data, spans = chapter_inputs()
    cohorts = vanguards.cohorts_for(data, spans, ["PACS", "MCP"])
    labels = vanguards.labels_of(spans)
    with_ages = sections.age_section(data["ages"], cohorts, spans, labels)
    assert [c.name for c in with_ages.charts] == ["age-bands"]
    assert set(with_ages.charts[0].data["age_band"]) == {"0-64", "65-74", "75-84", "85+"}
    assert with_ages.sentence == text.age_sentence(with_ages.charts[0].data, labels["baseline"])
    without = sections.age_section(None, cohorts, spans, labels)
    assert without.charts == [] and without.sentence == text.NO_AGES


def test_record_section_without_records_says_only_where_its_figures_come_from():
    _, sources, data, spans = chapter_inputs()
    people, _ = vanguards.populations(data, spans)
    section = sections.record_section(sources, "", data, spans, ["PACS", "MCP"], vanguards.labels_of(spans), people,
                                      "growth in emergency admissions")
    assert "come from the Monthly Activity Return" in section.source
    assert (section.text, section.months, section.growth, section.counts, section.tables, section.charts) == (
        "", "", "", [], [], [])
    assert section.counts_summary == ""


def test_record_section_with_records_shows_exclusions_months_growth_and_ages(monkeypatch):
    """Records standing in for an extract (the bundled ages file, bed days three times admissions),
    read from a Spark table name: the two tables of counts (to fold), the two of growth, the age chart."""
    _, sources, data, spans = chapter_inputs()
    labels = vanguards.labels_of(spans)
    ages = data["ages"].assign(bed_days=lambda t: 3 * t["admissions"])
    records = {"admissions": ages, "kind": Kind.SYNTHETIC, "first": "2014-04", "last": "2017-03", "years": [],
               "by_month": ages.groupby(["month", "age_band"], as_index=False)[["admissions", "bed_days"]].sum(),
               "exclusions": pd.DataFrame({"reason": ["unknown CCG"], "episodes": [0],
                                           "left_out_of": ["the CCG and cohort figures"]}),
               "monthly": ages.pivot_table(index="month", columns="ccg_code", values="admissions", aggfunc="sum"),
               "bed_days": ages.pivot_table(index="month", columns="ccg_code", values="bed_days", aggfunc="sum")}
    monkeypatch.setattr(sections, "load_records", lambda *args, **kwargs: records)
    people, _ = vanguards.populations(data, spans)
    section = sections.record_section(sources, "hes.apc", data, spans, ["PACS", "MCP"], labels, people,
                                      "growth in emergency admissions")
    assert section.source.startswith("Record-level admissions: the Spark table hes.apc")
    words = "this synthetic extract (not real activity)"
    captions = list(text.records_captions(words, "growth in emergency admissions").values())
    assert [t.caption for t in section.counts + section.tables] == captions
    assert list(section.counts[0].table.columns) == ["Reason", "Episodes", "Left out of"]
    months = len(pd.period_range("2014-04", "2017-03", freq="M"))
    assert len(section.counts[1].table) == months
    assert section.counts_summary == text.records_counts_summary([1, months])
    growth = vanguards.record_growth(records, data, spans, ["PACS", "MCP"], labels, people)
    pd.testing.assert_frame_equal(section.tables[0].data, growth["admissions"])
    assert "Bed days, recent" in section.tables[1].table.columns and "bed_days_recent" in section.tables[1].data.columns
    assert section.growth == text.records_growth_sentence(words, growth["admissions"], growth["bed_days"],
                                                          labels["baseline"])
    assert section.growth.startswith(f"From {words}, against Oct 2014 to Sep 2015, emergency admissions: MCP ")
    assert [c.name for c in section.charts] == ["records-age-bands"]
    assert section.charts[0].alt.startswith("From records, growth in emergency admissions by age band and cohort: ")


def test_closing_notes_name_the_cohort_file_and_its_kind():
    _, _, data, _ = chapter_inputs()
    notes = vanguards.closing_notes(data)
    assert len(notes) == 1 and notes[0].startswith("The vanguard cohort file: data/bundled/mar/vanguard_cohort_SAMPLE"
                                                   ".csv (a synthetic file of fictional vanguards; ")
    assert len(notes[0].split("sha256 ")[1].rstrip(").")) == 16
