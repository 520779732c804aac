"""Every year a chapter's data cover: the yearly figures on the real files, part years named, and the
chart's axis and standard."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import ae, cancer, dtoc, mental_health as mh, phb, rtt, vanguards, yearly
from analysis.ae import years as ae_years
from analysis.cancer import years as cancer_years
from analysis.dtoc import years as dtoc_years
from analysis.mental_health import years as mh_years
from analysis.periods import FinancialYear
from analysis.phb import years as phb_years
from analysis.rtt import years as rtt_years
from analysis.vanguards import years as vanguards_years
from analysis.registry import load_registry
from analysis.sources import resolve_all

REPORT = FinancialYear(2016)


def sources(name: str, data_dir=None) -> dict:
    registry = load_registry()
    return resolve_all(registry.chapter(name).datasets, registry.datasets, data_dir)


def by_year(view: yearly.Yearly, series: str | None = None) -> pd.DataFrame:
    rows = view.rows if series is None else view.rows[view.rows["series"] == series]
    return rows.set_index("year")


def test_ae_years_match_a_sum_of_the_rows_by_hand(real_data):
    rows = pd.read_csv(real_data / "ae_attendances_2016-04_2019-03.csv", parse_dates=["period"])
    rows["year"] = [f"{d.year if d.month >= 4 else d.year - 1}-{(d.year + 1 if d.month >= 4 else d.year) % 100:02d}"
                    for d in rows["period"]]
    sums = rows.groupby("year")[["attendances", "breaches"]].sum()
    by_hand = (100 * (1 - sums["breaches"] / sums["attendances"])).round(1).to_dict()
    assert by_hand == {"2016-17": 89.1, "2017-18": 88.3, "2018-19": 88.0}  # 89.1% is the report's (000 line 353)
    view = by_year(ae_years.view(ae.load(sources("ae", real_data))))
    assert view["value"].round(1).to_dict() == by_hand
    assert view["whole"].all() and (view["met"] == "not met").all()


def test_cancer_years_come_from_the_annual_sheet_and_a_part_year_has_no_figure(real_data):
    view = by_year(cancer_years.view(cancer.load(sources("cancer", real_data))))
    assert list(view.index) == [FinancialYear(y).label for y in range(2009, 2024)]
    assert view.at["2016-17", "value"] == pytest.approx(100 * 119797.5 / 146080.5)  # 82.0%, annual sheet
    assert view.at["2016-17", "standards_met"] == "7 of 8" and view.at["2016-17", "met"] == "not met"
    assert view.at["2011-12", "value"] == pytest.approx(100 * 98796 / 113180)  # 87.3%, above 85%, but:
    assert view.at["2011-12", "met"].startswith("not judged: the documents here set it from 2014-15")
    assert view.at["2011-12", "standards_met"] == "" and view.at["2014-15", "standards_met"] == "7 of 8"
    part = view.loc["2023-24"]  # the series ends in September 2023
    assert not part["whole"] and pd.isna(part["value"]) and part["met"] == "no figure"
    assert part["covered"] == "part year: April 2023 to September 2023, 6 of 12 months"


def test_rtt_takes_each_march_and_names_the_part_years(real_data):
    view = by_year(rtt_years.view(rtt.load(sources("rtt", real_data))))
    assert round(view.at["2016-17", "value"], 1) == 90.3  # 000 line 379
    first = view.loc["2007-08"]  # the series starts in August 2007: a part year with its March figure
    assert not first["whole"] and first["covered"].startswith("part year: August 2007 to March 2008")
    assert first["value"] == pytest.approx(rtt.position(rtt.load(sources("rtt", real_data)), FinancialYear(2007))["percent"])
    last = view.iloc[-1]
    assert not last["whole"] and pd.isna(last["value"]) and "before the year's end" in last["note"]


def test_rtt_is_judged_against_92_only_from_the_year_the_documents_set_it(real_data):
    view = by_year(rtt_years.view(rtt.load(sources("rtt", real_data))))
    # 2011-12 to 2013-14 were above 92% and 2010-11 below; none is judged: the standard's documents here
    # (business plan 2014-15 to 2016-17, line 815, "throughout 2014/15") set it from 2014-15
    assert view.loc["2007-08":"2013-14", "met"].str.startswith("not judged: the documents here set it from "
                                                               "2014-15 (business plan, line 815)").all()
    assert view.at["2013-14", "value"] > 92 and view.at["2014-15", "met"] == "met"
    assert view.at["2015-16", "met"] == "not met"
    text = yearly.alt_text(rtt_years.view(rtt.load(sources("rtt", real_data))))
    judged = int((view["met"].isin(["met", "not met"])).sum())
    assert f"was met in 1 of the {judged} years judged" in text


def test_a_standard_judges_its_first_and_last_year_not_the_years_either_side():
    from analysis.in_force import InForce

    years = InForce("test", FinancialYear(2014), FinancialYear(2016), "002_fa8f6afd372e9328.txt", "815")
    measure = yearly.Measure("A measure", "Value (%)", "how", standard=50.0, standard_text="standard 50%",
                             in_force=years)
    verdicts = {y: measure.judge(FinancialYear(y), 60.0) for y in range(2013, 2018)}
    assert verdicts[2014] == verdicts[2015] == verdicts[2016] == "met"
    assert verdicts[2013] == "not judged: the documents here set it from 2014-15 (business plan, line 815)"
    assert verdicts[2017] == "not judged: the documents here set it until 2016-17 (business plan, line 815)"
    assert measure.judge(FinancialYear(2013), None) == "no figure"


def test_every_year_a_standard_applies_from_is_on_the_line_it_cites(real_data):
    from analysis.in_force import IN_FORCE_FILE, in_force

    table = pd.read_csv(IN_FORCE_FILE, dtype=str, keep_default_na=False)
    for row in table.itertuples():
        line = (real_data.parent / "seeds" / row.document).read_text(encoding="utf-8").splitlines()[int(row.line) - 1]
        assert row.quote in line, (row.key, line[:200])
        years = in_force(row.chapter, row.key)
        mentioned = {years.first.slash_label, years.first.label, *(f"{m:%B %Y}" for m in years.first.months())}
        assert any(text in row.quote or text in line for text in mentioned) or row.key == "standard_95", row.key
    # the A&E line sits under the business plan's heading for 2014-15 to 2016-17
    heading = (real_data.parent / "seeds" / "002_fa8f6afd372e9328.txt").read_text(encoding="utf-8").splitlines()[:8]
    assert "2014-15 to 2016-17" in " ".join(heading)
    cancer_keys = set(pd.read_csv(cancer.standards.CATALOGUE_FILE).dropna(subset=["threshold"])["key"])
    assert cancer_keys == set(table.loc[table["chapter"] == "cancer", "key"])  # every cancer threshold has its years


def test_eip_part_years_and_the_standard_from_april_2016(real_data):
    view = by_year(mh_years.eip(mh.load(sources("mental-health", real_data)).eip))
    assert list(view.index) == ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20"]
    assert view.at["2016-17", "value"] == pytest.approx(100 * 920 / 1248)  # March 2017, 000 line 169
    assert view.at["2015-16", "covered"] == "part year: December 2015 to March 2016, 4 of 12 months"
    assert view.at["2015-16", "met"] == ("not judged: the documents here set it from 2016-17 (annual report, "
                                         "line 153)")
    assert view.at["2019-20", "covered"] == "part year: April 2019 to September 2019, 6 of 12 months"
    assert pd.isna(view.at["2019-20", "value"])


def test_dementia_and_delayed_days_by_year(real_data):
    view = by_year(mh_years.dementia(mh.load(sources("mental-health", real_data)).dementia))
    assert view["value"].round(1).to_dict() == {"2016-17": 67.9, "2017-18": 67.5}
    delays = by_year(dtoc_years.view(dtoc.load(sources("ae", real_data)).monthly))
    assert delays.at["2016-17", "value"] == 2254821 and delays.at["2015-16", "value"] == 1809587
    assert not delays.at["2010-11", "whole"] and pd.isna(delays.at["2010-11", "value"])  # from August 2010


def test_vanguards_years_leave_out_the_screened_ccgs_in_every_year(real_data):
    data = vanguards.load(sources("vanguards", real_data))
    view = vanguards_years.view(data, ["PACS", "MCP"])
    assert {"13P", "04X", "05P", "05Q"} <= set(view.left_out)  # the West Midlands hole, July 2014 to March 2015
    for cohort in ("PACS", "MCP", vanguards.REST):
        rows = by_year(view, cohort)
        assert list(rows.index) == ["2014-15", "2015-16", "2016-17"] and rows["whole"].all()
        assert rows["ccgs"].nunique() == 1  # the same CCGs every year
        assert rows.at["2016-17", "value"] == pytest.approx(
            100 * (rows.at["2016-17", "admissions"] / rows.at["2015-16", "admissions"] - 1))
        assert pd.isna(rows.at["2014-15", "value"])


HEADLINE_KEYS = {"ae": ("four_hour", lambda s: ae_years.view(ae.load(s))),
                 "cancer": ("gp62", lambda s: cancer_years.view(cancer.load(s))),
                 "rtt": ("rtt_incomplete", lambda s: rtt_years.view(rtt.load(s))),
                 "mental-health": ("eip_two_weeks", lambda s: mh_years.eip(mh.load(s).eip)),
                 "phb": ("phb_count", lambda s: phb_years.view(phb.load(s)[0]))}
"""Each chapter's yearly view beside the headline result it repeats (the vanguards' headline is growth
over the chapter's own windows, not a financial year, so it has no yearly twin)."""


@pytest.mark.parametrize("name", sorted(HEADLINE_KEYS))
def test_each_yearly_figure_for_2016_17_is_the_chapters_own_headline(real_data, name):
    key, view_of = HEADLINE_KEYS[name]
    found = sources(name, real_data)
    headline = load_registry().chapter(name).load_module().headline(found, REPORT)[key]
    assert by_year(view_of(found)).at[REPORT.label, "value"] == pytest.approx(headline.value)
    dementia = mh.headline(sources("mental-health", real_data), REPORT)["dementia_diagnosis"].value
    assert by_year(mh_years.dementia(mh.load(sources("mental-health", real_data)).dementia)).at[
        REPORT.label, "value"] == pytest.approx(dementia)


def test_the_chart_shows_each_year_once_the_standard_and_met_by_shape():
    view = mh_years.eip(mh.load(sources("mental-health")).eip)  # bundled: 2015-16 is a part year
    spec = yearly.chart(view).to_dict()
    points = yearly.chart_data(view)
    assert points["label"].is_unique and "2015-16 (part)" in set(points["label"])
    layers = spec["layer"]
    x = layers[1]["encoding"]["x"]
    assert x["sort"] == list(points["label"])  # the financial years in order, each once
    assert layers[1]["encoding"]["shape"]["field"] == "status"  # met or not by shape, not colour alone
    assert {"met the standard", "not judged"} <= set(points["status"])
    rules = [layer for layer in layers if layer.get("mark", {}).get("type") == "rule"]
    assert len(rules) == 1 and "standard 50%" in yearly.alt_text(view)
    table = yearly.display_table(view)
    assert list(table.columns) == ["Year", "Data", "Treated within two weeks in March", "Met (standard 50%)"]
    assert table.at[0, "Data"] == ("part year: December 2015 to March 2016, 4 of 12 months; the figure is for March "
                                   "2016, as in every year")


def test_a_measure_with_no_standard_judges_no_year():
    view = phb_years.view(phb.load(sources("phb"))[0])
    assert (view.rows["met"] == "").all() and not any(c.startswith("Met") for c in yearly.display_table(view).columns)
    spec = yearly.chart(view).to_dict()
    assert not [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "rule"]
