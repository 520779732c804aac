"""New care models: cohort file, screening, bootstrap growth, comparison group, ledger, on bundled and real data."""

import html
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import glance, ledger, vanguards
from analysis.errors import DataError, ParameterError
from analysis.page import prepare_chapter
from analysis.periods import FinancialYear
from analysis.sources import DATA_DIR
from analysis.vanguards.metrics import OTHER, REST, assign, growth_table, read_cohort
from analysis.vanguards.screening import screen
from analysis.vanguards.text import flags_summary, records_counts_summary, variants_summary


def test_cohort_file_lists_every_vanguard_type_each_row_cited():
    cohort = read_cohort()
    assert cohort.groupby("type")["vanguard"].nunique().to_dict() == {"PACS": 9, "MCP": 14, "EHCH": 6, "UEC": 8,
                                                                       "ACC": 13}
    assert cohort["source"].str.match(r"NHS England, '[^']+', https://www\.england\.nhs\.uk/").all()
    assert set(cohort["part_of_ccg"]) == {"yes", "no"}
    named = cohort["notes"].str.contains("named by the source|per the source")
    assert (named | cohort["notes"].str.contains("inferred")).all()  # every footprint says where it comes from
    real = set(pd.read_csv(DATA_DIR / "reference" / "ccgs_2016-17.csv", dtype=str)["ccg_code"])
    assert set(cohort["ccg_code"]) <= real


def test_cohort_file_errors_name_the_row(tmp_path):
    text = read_cohort().to_csv(index=False)
    lines = text.splitlines()
    bad = tmp_path / "cohort.csv"
    bad.write_text(text + lines[1] + "\n")
    with pytest.raises(DataError, match=rf"row {len(lines) + 1}, column 'ccg_code': the CCG is listed twice"):
        read_cohort(bad)
    bad.write_text("\n".join([lines[0], lines[1].replace(",PACS,", ",ACO,")]) + "\n")
    with pytest.raises(DataError, match="row 2, column 'type': the type must be one of PACS, MCP, EHCH, UEC, ACC"):
        read_cohort(bad)


def test_assignment_takes_the_first_chosen_type_and_removes_other_vanguards_from_the_rest():
    cohort = pd.DataFrame({"vanguard": ["a", "b", "c", "d"], "type": ["PACS", "UEC", "MCP", "EHCH"],
                           "ccg_code": ["A", "A", "B", "C"], "part_of_ccg": ["no", "no", "yes", "no"]})
    codes = ["A", "B", "C", "D"]
    assert assign(codes, cohort, ["PACS", "MCP"]).to_dict() == {"A": "PACS", "B": "MCP", "C": OTHER, "D": REST}
    assert assign(codes, cohort, ["PACS", "MCP"], partial=False)["B"] == OTHER  # left out, never the rest
    assert assign(codes, cohort, ["UEC"])["A"] == "UEC"


def test_screening_flags_months_far_from_the_ccg_median_not_seasons():
    months = pd.period_range("2014-04", "2016-12", freq="M")
    season = 1 + 0.08 * np.sin(np.arange(len(months)) * 2 * np.pi / 12)
    hole = np.where((months >= pd.Period("2014-07", "M")) & (months <= pd.Period("2015-03", "M")), 0.4, 1.0)
    monthly = pd.DataFrame({"A": 7000 * season, "B": 7000 * season * hole}, index=months)
    flags = screen(monthly)
    assert set(flags["ccg_code"]) == {"B"}
    assert [str(m) for m in flags["month"]] == [str(m) for m in pd.period_range("2014-07", "2015-03", freq="M")]
    assert flags["ratio"].max() < 0.75
    monthly.loc[pd.Period("2016-02", "M"), "A"] = np.nan  # A is missing from one month's return
    missing = screen(monthly).query("ccg_code == 'A'")
    assert [str(m) for m in missing["month"]] == ["2016-02"] and missing["count"].isna().all()


def test_bootstrap_interval_collapses_when_every_ccg_grows_alike_and_is_seeded():
    totals = pd.DataFrame({"baseline": [100.0, 300.0, 50.0, 80.0], "recent": [110.0, 330.0, 52.0, 84.0]},
                          index=["A", "B", "C", "D"])
    cohorts = pd.Series({"A": "PACS", "B": "PACS", "C": REST, "D": REST})
    people = pd.Series(1000.0, index=totals.index)
    table = growth_table(totals, cohorts, {"baseline": people, "recent": people}, "baseline", "b").set_index("cohort")
    assert table.loc["PACS", ["growth", "growth_low", "growth_high"]].tolist() == pytest.approx([10.0] * 3)
    assert table.loc[REST, "growth"] == pytest.approx(100 * (136 / 130 - 1))
    assert table.loc["PACS", "difference"] == pytest.approx(10.0 - table.loc[REST, "growth"])
    assert table.loc["PACS", "rate_baseline"] == pytest.approx(1000 * 400 / 2000)


def test_growth_is_per_head_only_with_a_population_for_each_window():
    totals = pd.DataFrame({"baseline": [100.0, 200.0], "recent": [110.0, 200.0]}, index=["A", "B"])
    cohorts = pd.Series({"A": "PACS", "B": REST})
    people = {"baseline": pd.Series({"A": 1000.0, "B": 1000.0}), "recent": pd.Series({"A": 1100.0, "B": 1000.0})}
    table = growth_table(totals, cohorts, people, "baseline", "b").set_index("cohort")
    assert table.loc["PACS", "growth"] == pytest.approx(0.0)  # 10% more admissions, 10% more people
    assert vanguards.measure_name(True) == "growth in emergency admissions per head"
    assert vanguards.measure_name(False) == "growth in emergency admissions"


def test_windows_are_checked():
    with pytest.raises(ParameterError, match="parameter 'recent_first': the window 2016-12 to 2016-01 runs backwards"):
        prepare_chapter("vanguards", recent_first="2016-12", recent_last="2016-01")
    with pytest.raises(ParameterError, match=r"parameter 'recent_first': the window 2016-06 to 2017-05 is not all in "
                                             r"the data \(missing 2017-01"):
        prepare_chapter("vanguards", recent_first="2016-06", recent_last="2017-05")
    with pytest.raises(ParameterError, match="parameter 'cohorts': 'ACO' is not a vanguard type"):
        prepare_chapter("vanguards", cohorts="PACS,ACO")
    assert prepare_chapter("vanguards", cohorts="EHCH").parameters["cohorts"] == "EHCH"


def _analysed(page):
    data = vanguards.load(page.sources)
    spans = vanguards.windows(page.parameters, set(data["admissions"]["month"]))
    labels = {name: vanguards.label_of(span) for name, span in spans.items()}
    return data, spans, labels, vanguards.variants(data, spans, ["PACS", "MCP"], labels)


def _ledger(page):
    figures = vanguards.ledger_figures(page.sources, page.parameters)
    return figures.values, figures.notes


def _growth(table, cohort, label, screening=vanguards.HANDLED, partly=vanguards.PARTIAL_IN):
    rows = table[(table["cohort"] == cohort) & (table["baseline"] == label) & (table["screening"] == screening)
                 & (table["partly_covered"] == partly)]
    return rows.iloc[0]


@pytest.fixture(scope="module")
def bundled():
    return _analysed(prepare_chapter("vanguards"))


@pytest.fixture(scope="module")
def real(real_data):
    return _analysed(prepare_chapter("vanguards", data_dir=str(real_data)))


def test_bundled_sample_reproduces_the_six_printed_figures_by_construction(bundled):
    data, spans, labels, table = bundled
    assert data["synthetic"] and data["cohort_file"].name == "vanguard_cohort_SAMPLE.csv"
    figures, notes = _ledger(prepare_chapter("vanguards"))
    assert ledger.compare("vanguards", figures)["agrees"].all()
    assert all(note.startswith("Holds by construction") for note in notes.values())
    assert "F011" in notes["mcp_on_sep_2015"] and "F011" not in notes["pacs_on_sep_2015"]
    per_ccg = data["monthly"].sum() / data["population"]
    assert per_ccg.std() / per_ccg.mean() > 0.1  # areas differ from each other


def test_bundled_screening_finds_the_sample_holes_and_the_handling_matters(bundled):
    data, spans, labels, table = bundled
    flags = vanguards.flag_table(data, spans)
    assert flags[["ccg_code", "months", "left_out"]].values.tolist() == [
        ["F011", "Jul 2014 to Mar 2015", "yes"], ["F100", "Jul 2014 to Mar 2015", "yes"]]
    handled = _growth(table, "MCP", labels["baseline"])
    reported = _growth(table, "MCP", labels["baseline"], vanguards.AS_REPORTED)
    assert round(handled["growth"], 1) == 1.9 and reported["growth"] > 4
    assert reported["growth_high"] - reported["growth_low"] > 3 * (handled["growth_high"] - handled["growth_low"])


def test_bundled_ages_show_the_benefit_greatest_for_older_people(bundled):
    data, spans, labels, _ = bundled
    cohorts = vanguards.cohorts_for(data, spans, ["PACS", "MCP"])
    ages = vanguards.age_growth(data["ages"], cohorts, spans["baseline"], spans["recent"], "b")
    gap = ages.pivot(index="age_band", columns="cohort", values="growth")
    gap = gap[REST] - gap[["PACS", "MCP"]].mean(axis=1)
    assert gap["85+"] > gap["0-64"]


def test_real_screening_flags_the_west_midlands_hole(real):
    data, spans, labels, _ = real
    flags = vanguards.flag_table(data, spans).set_index("ccg_code")
    for code in ("13P", "04X", "05P", "05Q"):
        assert flags.loc[code, "months"] == "Jul 2014 to Mar 2015" and flags.loc[code, "left_out"] == "yes"
    assert flags.loc["13P", "highest"] < 45  # about 2,500 a month against a median near 6,900
    assert flags.loc["03L", "left_out"] == "no (outside the windows)"  # November 2015 is in no window
    assert len(flags) == 18


def test_real_growth_with_and_without_handling_and_partial_ccgs(real):
    data, spans, labels, table = real
    label = labels["baseline"]
    mcp, mcp_reported = _growth(table, "MCP", label), _growth(table, "MCP", label, vanguards.AS_REPORTED)
    assert round(mcp["growth"], 1) == 4.5 and round(mcp_reported["growth"], 1) == 9.7
    # Resampling CCGs: 13P's hole makes the as-reported interval wide; screened, it narrows.
    assert mcp_reported["growth_low"] < 4 and mcp_reported["growth_high"] > 15
    assert 2 < mcp["growth_low"] < mcp["growth"] < mcp["growth_high"] < 7
    pacs = _growth(table, "PACS", label)
    assert round(pacs["growth"], 1) == 2.4
    assert round(_growth(table, "PACS", label, partly=vanguards.PARTIAL_OUT)["growth"], 1) == 0.8
    rest = _growth(table, REST, label)
    assert round(rest["growth"], 1) == 4.9 and rest["ccgs"] == 118


def test_real_comparison_group_holds_no_ccg_of_any_vanguard(real):
    data, spans, _, _ = real
    cohorts = vanguards.cohorts_for(data, spans, ["PACS", "MCP"], handled=False)
    rest = set(cohorts[cohorts == REST].index)
    assert rest.isdisjoint(set(data["cohort"]["ccg_code"]))
    assert {"06K", "08T", "99Q", "11J"} <= set(cohorts[cohorts == OTHER].index)  # care homes, UEC, ACC
    assert len(rest) == 131


def test_real_ledger_notes_name_each_rows_reasons_with_sizes(real_data):
    figures, notes = _ledger(prepare_chapter("vanguards", data_dir=str(real_data)))
    assert {k: round(v, 1) for k, v in figures.items()} == {
        "pacs_on_sep_2015": 2.4, "pacs_on_2014_15": 3.0, "mcp_on_sep_2015": 4.5, "mcp_on_2014_15": 5.0,
        "rest_on_sep_2015": 4.9, "rest_on_2014_15": 5.3}
    assert len(set(notes.values())) == 6
    mcp = notes["mcp_on_sep_2015"]
    assert "13P" in mcp and "as reported the figure is 9.7% (+5.1 points)" in mcp
    assert "13P" not in notes["pacs_on_sep_2015"] and "without them the figure is 0.8%" in notes["pacs_on_sep_2015"]
    assert "118 CCGs in no vanguard of any type" in notes["rest_on_sep_2015"]
    assert not any("growth in admissions, not per head" in note for note in notes.values())  # said once, above
    page = prepare_chapter("vanguards", data_dir=str(real_data))
    data = vanguards.load(page.sources)
    shared = vanguards.ledger_caveats(data, vanguards.windows(page.parameters, set(data["admissions"]["month"])))
    assert "growth in admissions, not per head" in shared and "finished consultant episodes" in shared


def _with_monthly(data, monthly):
    """`data` with other monthly counts, screened again as `vanguards.load` screens them."""
    return {**data, "monthly": monthly, "flags": screen(monthly)}


def _pooled(data, spans, codes, baseline="baseline"):
    """Growth in admissions of `codes` together, summed here from the monthly counts."""
    inside = {name: data["monthly"].loc[data["monthly"].index.isin(list(span)), list(codes)].sum().sum()
              for name, span in spans.items()}
    return 100 * (inside["recent"] / inside[baseline] - 1)


def test_real_all_ccgs_for_scale_are_screened_as_the_cohorts_are(real):
    """On the real MAR: all CCGs together grew 4.2% screened (MCP 4.5% is above it), 5.3% as reported."""
    data, spans, labels, table = real
    sentence = vanguards.scale_sentence(data, spans, labels)
    assert sentence == ("For scale, growth in emergency admissions for all CCGs together, screened as the cohorts "
                        "are (192 CCGs: the 17 with breaks left out of both windows, and the same months), was 4.2% "
                        "on Oct 2014 to Sep 2015 and 4.5% on Apr 2014 to Mar 2015; without the screening, all 209 "
                        "CCGs as reported give 5.3% and 6.1%.")
    kept = vanguards.cohorts_for(data, spans, ["PACS", "MCP"]).index  # every CCG of every group, after screening
    growth, ccgs = vanguards.all_ccg_growth(data, spans)["baseline"]
    assert ccgs == len(kept) == 192 and growth == pytest.approx(_pooled(data, spans, kept), abs=1e-9)
    assert _growth(table, "MCP", labels["baseline"])["growth"] > growth


@pytest.mark.parametrize("factor, flagged", [(0.76, False), (0.74, True), (1.24, False), (1.26, True)])
def test_a_ccg_at_the_screening_boundary_moves_england_as_it_moves_its_cohort(real, factor, flagged):
    """One MCP CCG's January 2015 (a baseline month) set just inside or just beyond 25% of its own
    median: flagged, it leaves the England figure exactly as it leaves MCP; not flagged, it stays in both."""
    data, spans, labels, _ = real
    cohorts = vanguards.cohorts_for(data, spans, ["PACS", "MCP"])
    ccg = next(c for c in cohorts[cohorts == "MCP"].index
               if (data["monthly"][c] < data["monthly"][c].median()).sum() > 1)
    monthly = data["monthly"].copy()
    median = monthly[ccg].median()
    month = next(m for m in spans["baseline"] if (monthly.at[m, ccg] < median) == (factor < 1))
    monthly.at[month, ccg] = factor * median  # on the same side of the median, so the median stays
    damaged = _with_monthly(data, monthly)
    assert monthly[ccg].median() == median
    now = vanguards.cohorts_for(damaged, spans, ["PACS", "MCP"])
    assert (ccg not in now.index) is flagged
    growth, ccgs = vanguards.all_ccg_growth(damaged, spans)["baseline"]
    assert ccgs == len(now) and growth == pytest.approx(_pooled(damaged, spans, now.index), abs=1e-9)
    england_without = _pooled(damaged, spans, now.index.drop(ccg, errors="ignore"))
    assert bool(growth == pytest.approx(england_without, abs=1e-9)) is flagged
    mcp = vanguards.analyse(damaged, spans, ["PACS", "MCP"], labels)
    mcp = mcp[(mcp["cohort"] == "MCP") & (mcp["baseline"] == labels["baseline"])].iloc[0]
    assert mcp["ccgs"] == (now == "MCP").sum() == (cohorts == "MCP").sum() - flagged


def test_with_one_mar_row_missing_all_ccgs_for_scale_leave_that_ccg_out(real):
    """A CCG's row missing from one month's return: the screening flags that month, and the figure
    for scale leaves the CCG out as the cohorts do; only the as-reported figure beside it moves."""
    data, spans, labels, _ = real
    admissions = data["admissions"]
    missing = (admissions["ccg_code"] == "00C") & (admissions["month"] == pd.Period("2015-06", "M"))
    assert missing.sum() == 1
    damaged = _with_monthly(data, vanguards.metrics.monthly_by_ccg(admissions[~missing], data["population"]))
    assert "00C" in vanguards.excluded_ccgs(damaged, spans)
    screened = vanguards.all_ccg_growth(damaged, spans)
    before = vanguards.all_ccg_growth(data, spans)
    kept = vanguards.cohorts_for(data, spans, ["PACS", "MCP"]).index.drop("00C")
    for name in ("baseline", "second baseline"):
        assert screened[name][1] == 191
        assert screened[name][0] == pytest.approx(_pooled(data, spans, kept, name), abs=1e-9)
    reported = vanguards.all_ccg_growth(damaged, spans, handled=False)
    assert reported["baseline"][0] > vanguards.all_ccg_growth(data, spans, handled=False)["baseline"][0]
    assert before["baseline"][1] == 192
    assert "(191 CCGs: the 18 with breaks left out of both windows" in vanguards.scale_sentence(damaged, spans, labels)


def test_real_analysis_raises_no_warning(real_data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _analysed(prepare_chapter("vanguards", data_dir=str(real_data)))


def test_front_page_does_not_judge_the_vanguard_commitment(real_data):
    row = glance.commitments().set_index("chapter").loc["vanguards"]
    assert row["target_line"] == "479" and row["met"] == "not judged (no target)"
    line = (real_data.parent / "seeds" / "000_5311d35d774c4b17.txt").read_text(encoding="utf-8").splitlines()[478]
    assert line.startswith("During 2016/17 we will track progress in the vanguards")
    for data_dir in ("", str(real_data)):
        year = FinancialYear.parse("2016-17")
        table = glance.results(glance.chapter_results(data_dir, year)).set_index("promise_source")
        row = table.loc["annual report, line 479"]  # the vanguards' commitment
        # on the bundled sample the chapter's figure is synthetic, so the row keeps the report's words
        assert row["met"] == "not judged (no target)" and row["how"] == ("computed" if data_dir else "transcribed")
    assert "MCP 4.5%" in row["result"]


def test_front_page_judges_only_rows_whose_target_line_sets_a_target(real_data):
    rows = glance.commitments()
    documents = {}
    for row in rows.itertuples():
        if row.met not in ("yes", "no"):
            continue
        path = real_data.parent / "seeds" / row.target_document
        lines = documents.setdefault(path, open(path, encoding="utf-8").read().splitlines())
        target_line = lines[int(row.target_line) - 1]
        assert re.search(r"\d|all |every |target|standard", target_line, re.I), row.commitment  # a level to judge


def test_real_and_bundled_pages_show_screening_and_handling(bundled_book, real_book):
    real_page = (real_book / "_build" / "html" / "chapters" / "vanguards.html").read_text(encoding="utf-8")
    for text in ("13P", "NHS BIRMINGHAM CROSSCITY CCG", "Jul 2014 to Mar 2015", "as reported",
                 "bootstrap", "not per head", "vanguard_cohort.csv (the cited file of real vanguards",
                 "screened as the cohorts are (192 CCGs", "was 4.2% on Oct 2014 to Sep 2015"):
        assert text in real_page
    assert "per capita" not in real_page.split("Reproduction ledger")[0].lower()
    bundled_page = (bundled_book / "_build" / "html" / "chapters" / "vanguards.html").read_text(encoding="utf-8")
    assert "F011" in bundled_page
    assert "vanguard_cohort_SAMPLE.csv (a synthetic file of fictional vanguards" in bundled_page
    real_codes = set(pd.read_csv(DATA_DIR / "reference" / "ccgs_2016-17.csv", dtype=str)["ccg_code"])
    assert not {c for c in real_codes if re.search(rf"\b{c}\b", bundled_page)}
    front = (real_book / "_build" / "html" / "chapters" / "at-a-glance.html").read_text(encoding="utf-8")
    assert "not judged (no target)" in front


def folds(page: str) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """Each fold of a page: its summary, and the rows of each table it holds as (column, cell) pairs."""
    found = []
    for summary, inside in re.findall(r'<details class="handbook-fold"><summary>(.*?)</summary>(.*?)</details>', page,
                                      re.S):
        tables = [[re.findall(r'data-label="([^"]*)">([^<]*)</td>', row) for row in re.findall(r"<tr>(.*?)</tr>", body)]
                  for body in re.findall(r"<tbody>(.*?)</tbody>", inside, re.S)]
        found.append((html.unescape(summary), [[[(html.unescape(c), html.unescape(v)) for c, v in row]
                                                for row in table] for table in tables]))
    return found


def column(table, name: str) -> list[str]:
    return [dict(row)[name] for row in table]


def test_detail_tables_are_folded_under_lines_counting_the_rows_they_hold(bundled_book, real_book):
    """The flagged CCGs, the 24 variants and the records' counts: each table one click away, under a
    summary computed from the rows inside it (on the real data, the artificial records' counts)."""
    pages = {name: (book / "_build" / "html" / "chapters" / "vanguards.html").read_text(encoding="utf-8")
             for name, book in (("bundled", bundled_book), ("real", real_book))}
    real = folds(pages["real"])
    assert len(real) == 3
    (flagged, [ccgs]), (variants, [growth]), (counts, [reasons, months]) = real
    assert len(ccgs) == 18 and flagged == flags_summary(pd.DataFrame({"left_out": column(ccgs, "Left out of both windows")}))
    assert flagged.startswith("Table of the 18 flagged CCGs") and "17 left out of both windows, 1 kept" in flagged
    shown = pd.DataFrame({"screening": column(growth, "Breaks"), "partly_covered": column(growth, "Partly covered CCGs"),
                          "cohort": column(growth, "Cohort"), "baseline": column(growth, "Compared with")})
    assert len(growth) == 24 and variants == variants_summary(shown)
    assert variants.startswith("All 24 figures: 3 groups against 2 baselines, each 4 ways")
    assert (len(reasons), len(months)) == (8, 12) and counts == records_counts_summary([8, 12])
    bundled = folds(pages["bundled"])  # no records in the bundled sample: no fold of their counts
    assert [summary[:30] for summary, _ in bundled] == ["Table of the 2 flagged CCGs (n", "All 24 figures: 3 groups again"]
