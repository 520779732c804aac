"""The commitments in force each year, from the planning documents, judged from the data."""

import html
import re
import shutil
from unittest.mock import patch

import pandas as pd
import pytest

from analysis import ae, commitments
from analysis.ae import commitments as ae_commitments
from analysis.errors import DataError
from analysis.periods import FinancialYear
from analysis.provenance import Kind

YEARS = [FinancialYear.parse(y) for y in ("2015-16", "2016-17", "2017-18", "2018-19")]
MANDATE, BUSINESS_PLAN, NHS_IMPROVEMENT, EVERYONE_COUNTS = "001", "002", "003", "004"


def seed_lines(real_data, document: str) -> list[str]:
    return (real_data.parent / "seeds" / document).read_text(encoding="utf-8").splitlines()


def line_span(text: str) -> range:
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def test_each_quote_is_at_its_line_and_each_level_at_its_line(real_data):
    """Every commitment is quoted from its document's line (parts joined by ' ... '), and a measured row's
    threshold is printed at the line that sets its level."""
    table = commitments.load()
    for row in table.itertuples():
        lines = seed_lines(real_data, row.document)
        text = lines[int(row.line) - 1]
        assert all(part in text for part in row.commitment.split(" ... ")), (row.file, row.id, row.line)
        if row.measure and row.comparison != "each":
            where = seed_lines(real_data, row.level_document) if row.level_document else lines
            span = line_span(row.level_line) if row.level_line else [int(row.line)]
            printed = " ".join(where[n - 1] for n in span).replace(" percent", "%")
            threshold = float(row.threshold)
            shown = {f"{threshold:g}%", "two thirds"} if threshold != 0 else {"52 week", "Zero tolerance"}
            assert any(s in printed for s in shown) or (row.comparison == ">" and "majority" in printed), row.id


def test_the_mandate_rows_come_from_its_annex_and_its_year_only():
    mandate = commitments.load().query("document.str.startswith(@MANDATE)")
    assert all(171 <= int(n) <= 237 for n in mandate["line"])
    assert set(mandate["first_year"]) == set(mandate["last_year"]) == {"2017-18"}


def test_each_edition_counts_its_own_documents_rows():
    """Each year holds exactly the rows its documents set for it: the business plan to 2016-17, Everyone
    Counts to 2018-19, the mandate in 2017-18 alone, NHS Improvement's targets in 2016-17 (its seven-day
    services levels, due in April 2017 and April 2018, also in 2017-18)."""
    table = commitments.load()
    per_document = {d[:3]: len(rows) for d, rows in table.groupby("document")}
    for_2014_only = int(((table["document"].str[:3] == BUSINESS_PLAN) & (table["last_year"] == "2014-15")).sum())
    expected = {
        "2015-16": {BUSINESS_PLAN: per_document[BUSINESS_PLAN] - for_2014_only, EVERYONE_COUNTS: per_document[EVERYONE_COUNTS]},
        "2016-17": {BUSINESS_PLAN: per_document[BUSINESS_PLAN] - for_2014_only, EVERYONE_COUNTS: per_document[EVERYONE_COUNTS],
                    NHS_IMPROVEMENT: 5},
        "2017-18": {MANDATE: per_document[MANDATE], EVERYONE_COUNTS: per_document[EVERYONE_COUNTS], NHS_IMPROVEMENT: 2},
        "2018-19": {EVERYONE_COUNTS: per_document[EVERYONE_COUNTS]},
    }
    assert per_document[MANDATE] == 23 and per_document[EVERYONE_COUNTS] == 23 and for_2014_only == 3
    for year in YEARS:
        rows = commitments.in_force(year)
        assert rows["document"].str[:3].value_counts().to_dict() == expected[year.label], year


def test_no_edition_shows_a_commitment_of_another_year_as_its_own():
    for year in YEARS:
        for row in commitments.in_force(year).itertuples():
            assert FinancialYear.parse(row.first_year) <= year <= FinancialYear.parse(row.last_year)
        shown = set(commitments.in_force(year)["id"])
        assert ("ae_september" in shown) == (year.label == "2017-18")


def test_a_year_without_a_mandate_says_which_documents_it_uses_and_which_is_missing():
    text = commitments.documents_text(FinancialYear.parse("2018-19"))
    assert text.startswith("The commitments in force in 2018/19 come from: Everyone Counts.")
    assert "The mandate to NHS England for 2018/19 is not among the handbook's documents" in text
    assert "is not among" not in commitments.documents_text(FinancialYear.parse("2017-18"))  # it has its mandate


@pytest.fixture(scope="module")
def judged_2017(real_data):
    return commitments.judged(FinancialYear.parse("2017-18"), str(real_data)).set_index("id")


def test_2017_18_judges_the_mandates_deliverables_from_the_data(judged_2017):
    rows = judged_2017
    september = rows.loc["ae_september"]
    assert (september["period_measured"], september["result"], september["verdict"]) == (
        "September 2017", "89.7% in September 2017", "not met")
    assert "all A&E department types" in september["definition"]
    march = rows.loc["ae_trusts_march"]
    assert (march["period_measured"], march["result"], march["verdict"]) == (
        "March 2018", "9 of 137 trusts (7%) in March 2018", "not met")
    assert "type 1" in march["definition"] and "all its department types together" in march["definition"]
    assert rows.loc["ae_2018", "verdict"] == "not judged: due later (within 2018)"
    for key in ("cancer_62", "cancer_others", "standards_rtt", "standards_rtt_52", "eip", "dementia"):
        assert rows.loc[key, "verdict"] in ("met", "not met", "partly met"), key
        assert rows.loc[key, "basis"] == "the data" and rows.loc[key, "definition"], key
    assert rows.loc["cancer_62", "result"] == "82.3% in 2017/18" and rows.loc["cancer_62", "verdict"] == "not met"
    assert rows.loc["cancer_others", "result"] == "6 of 7 standards met in 2017/18"
    assert rows.loc["cancer_others", "verdict"] == "partly met"
    assert rows.loc["standards_rtt_52", "period_measured"] == "each month of 2017/18"
    assert rows.loc["dementia", "result"] == "67.5% (the file's value for 2018)"


def test_each_judged_row_is_measured_in_the_edition_year(judged_2017):
    year = FinancialYear.parse("2017-18")
    judged = judged_2017[judged_2017["verdict"].isin(["met", "not met", "partly met"])]
    assert len(judged) == 19
    for key, row in judged.iterrows():
        assert row["level"] and row["result"] and row["definition"], key
        period = row["period_measured"]
        if period not in (year.slash_label, f"each month of {year.slash_label}"):
            month = pd.Period(pd.Timestamp(period), freq="M")  # "September 2017"
            assert year.first_month <= month <= year.last_month and row["period"] == str(month), key
    unjudged = judged_2017[~judged_2017.index.isin(judged.index)]
    assert unjudged["verdict"].str.startswith("not judged: ").all() and (unjudged["result"] == "").all()


def test_figures_from_the_bundled_samples_are_shown_saying_so_and_never_judged():
    rows = commitments.judged(FinancialYear.parse("2016-17")).set_index("id")
    shown = rows[rows["result"] != ""]
    assert len(shown) >= 3  # the samples do give figures for the year
    assert set(shown["verdict"]) == {"not judged: computed from a synthetic sample"}
    assert set(shown["basis"]) == {"a synthetic sample"}
    assert not rows["verdict"].isin(["met", "not met", "partly met"]).any()


def test_each_document_is_folded_under_a_line_counting_its_rows_and_verdicts(judged_2017):
    page = commitments.table_html(judged_2017.reset_index())
    folds = re.findall(r'<details class="handbook-commitments-document"><summary><strong>(.+?)</strong>: (.+?)</summary>'
                       r'(.*?)</details>', page, flags=re.S)
    assert len(folds) == judged_2017["document"].nunique()
    mandate = judged_2017[judged_2017["document"].str.startswith(MANDATE)]
    title, line, inside = next(f for f in folds if f[0].startswith("mandate"))
    n = commitments.counts(mandate)
    assert line == (f"{n['rows']} in force; judged from the data: {n['met']} met, {n['not_met']} not met, "
                    f"{n['partly']} partly met; {n['not_judged']} not judged")
    assert n["met"] + n["not_met"] + n["partly"] > 0 and inside.count("<tr>") == n["rows"] + mandate["group"].nunique()


def test_verdicts_follow_the_comparison():
    assert commitments.verdict([89.67], ">", "90") == "not met"
    assert commitments.verdict([90.01], ">", "90") == "met"
    assert commitments.verdict([90.0], ">", "90") == "not met"
    assert commitments.verdict([92.5, 91.0], ">=", "92") == "partly met"
    assert commitments.verdict([0.0, 0.0], "<=", "0") == "met"
    assert commitments.verdict([True, False], "each", "") == "partly met"
    with pytest.raises(ValueError, match="at least one value"):
        commitments.verdict([], ">=", "92")  # all([]) would be met: nothing measured meets nothing


def test_a_measure_giving_no_values_is_not_judged():
    from analysis.contract import CommitmentFigure, CommitmentMeasure

    row = pd.Series({"level": "95%", "due_by": "", "measure": "ae_months", "period": "months", "chapter": "ae",
                     "comparison": ">=", "threshold": "95", "due": "", "not_judged": ""})
    empty = {"ae_months": ("ae", CommitmentMeasure(load=lambda sources: None,
                                                    figure=lambda *args: CommitmentFigure([], "", "")))}
    with patch.object(commitments, "measures", lambda: empty):
        judged = commitments.judge(row, FinancialYear(2016), lambda name: (object(), Kind.PUBLISHED))
    assert judged["verdict"] == "not judged: no data here for each month of 2016/17"


def test_trusts_are_providers_with_a_type_1_department_all_their_types_together():
    month = pd.Period("2018-03", freq="M")
    rows = pd.DataFrame({"month": [month] * 5, "org_code": ["A", "A", "B", "C", "D"], "type": ["1", "3", "1", "3", "1"],
                         "attendances": [100.0, 900.0, 100.0, 100.0, 0.0], "breaches": [10.0, 0.0, 10.0, 0.0, 0.0]})
    # A: 99% over both types (90% in type 1 alone); B: 90%; C has no type 1 department; D saw no one in type 1
    assert ae_commitments.trusts_meeting_95(rows, month) == {"met": 1, "trusts": 2, "share": 50.0}
    assert ae_commitments.trusts_meeting_95(rows, pd.Period("2018-02", freq="M")) is None


def test_the_ae_reference_lines_are_those_in_force_in_the_year():
    assert list(ae.reference_lines(FinancialYear.parse("2017-18"))["key"]) == ["standard_95", "ambition_90"]
    for label in ("2016-17", "2018-19"):
        assert list(ae.reference_lines(FinancialYear.parse(label))["key"]) == ["standard_95"]


def page_text(path) -> str:
    page = re.sub(r"<script.*?</script>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_report_year_pages_hold_their_own_years_commitments(real_book):
    front = page_text(real_book / "_build" / "html" / "chapters" / "at-a-glance.html")
    assert "Commitments in force in 2016/17, from the planning documents" in front
    assert ("come from: business plan, Everyone Counts, NHS Improvement's first year. The mandate to NHS England "
            "for 2016/17 is not among") in front
    assert ("Maximum two month (62-day) wait from urgent GP referral to first definitive treatment for cancer "
            "(Everyone Counts, line 1059) 85%") in front
    assert "(mandate, line 205)" not in front
    page = page_text(real_book / "_build" / "html" / "chapters" / "ae.html")
    assert "over 90% by September 2017" not in page and "September 2017" not in page.split("Reproduction ledger")[0]
    assert "The dashed line marks: Standard 95%." in page


BAD_ROWS = [
    ("measure", "cancer_year:gp_62", "ae_weekly", "'ae_weekly' is not one of"),
    ("measure", "ae_england_month", "eip_year", "'eip_year' is not one of ae's measures (ae_england_month, "),
    ("first_year", "2017-18", "2017", "are not financial years"),
    ("not_judged", "no data here: the handbook has no diagnostic waiting times", "", "must say why it is not judged"),
    ("period", "2017-09", "2019-09", "is outside the years the row is in force"),
    ("line", "205", "two hundred", "is not a line number or range"),
]


@pytest.mark.parametrize("column, good, bad, message", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_bad_row_is_named_by_file_row_and_column(tmp_path, column, good, bad, message):
    folder = tmp_path / "commitments"
    shutil.copytree(commitments.COMMITMENTS_DIR, folder)
    path = folder / "mandate_2017-18.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    number = int(table.index[table[column] == good][0])
    table.loc[number, column] = bad
    table.to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        commitments.load(folder)
    assert str(caught.value).startswith(f"{path}, row {number + 2}, column '{column}': ")
    assert message in str(caught.value)


def test_two_chapters_giving_one_measure_name_stop_with_a_sentence(monkeypatch):
    from analysis import cancer
    from analysis.errors import HandbookError

    monkeypatch.setattr(cancer, "COMMITMENT_MEASURES", {**cancer.COMMITMENT_MEASURES,
                                                        "ae_england_month": ae.COMMITMENT_MEASURES["ae_england_month"]})
    commitments.measures.cache_clear()
    try:
        with pytest.raises(HandbookError, match=r"'ae_england_month' is given by two chapters, (cancer and ae|ae and cancer)"):
            commitments.measures()
    finally:
        commitments.measures.cache_clear()
