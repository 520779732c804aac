"""The front page: every commitment the report lists is a row, counted and judged honestly."""

import re

import pandas as pd
import pytest

from analysis import REPO_ROOT, glance
from analysis.errors import DataError

REPORT = "000_5311d35d774c4b17.txt"
HEADING = re.compile(r"^Our (2016/17 commitments|commitments for 2016/17):$")
LIST_INTRO = re.compile(r"working together to deliver the following:$")  # the new care models list
# A paragraph that promises: a deadline ("By ..."), a time frame whose first sentence looks forward, or an instruction.
PROMISE = re.compile(r"^By\b|^(From|During|Over|In)\b[^.]*\b(will|should|maintain)\b|^Develop\b")


def seed_lines(real_data) -> list[str]:
    return (real_data.parent / "seeds" / REPORT).read_text(encoding="utf-8").splitlines()


def listed_commitments(lines: list[str]) -> dict[int, list[int]]:
    """Each list heading's line with the lines of its items: the promising paragraphs that follow it."""
    lists = {}
    for number, text in enumerate(lines, start=1):
        if HEADING.match(text.strip()) or LIST_INTRO.search(text.strip()):
            items = []
            for later in range(number + 1, len(lines) + 1):
                paragraph = lines[later - 1].strip()
                if not paragraph:
                    continue
                if not PROMISE.search(paragraph):
                    break
                items.append(later)
            lists[number] = items
    return lists


def test_the_report_has_the_lists_the_issue_names(real_data):
    lists = listed_commitments(seed_lines(real_data))
    assert sorted(lists) == [93, 149, 209, 255, 287, 333, 371, 435, 477, 544, 592, 614, 652, 703]
    assert lists[477][0] == 479 and lists[703] == [704, 705, 706, 707, 708, 709]
    assert all(len(items) >= 2 for items in lists.values())


def test_every_listed_commitment_is_a_row_and_every_row_is_listed(real_data):
    lists = listed_commitments(seed_lines(real_data))
    table = glance.commitments()
    rows = table[table["kind"] == "commitment"]
    assert (rows["promise_document"] == REPORT).all()
    listed = sorted(line for items in lists.values() for line in items)
    assert sorted(rows["promise_line"].astype(int)) == listed  # each item exactly once
    assert len(listed) == 68
    areas = rows.groupby("area", sort=False)["promise_line"].apply(lambda s: sorted(s.astype(int)))
    assert sorted(areas.tolist()) == sorted(lists.values())  # one area per heading, with its own items


def numbers(text: str) -> list[str]:
    return [n.replace(",", "").rstrip(".") for n in re.findall(r"\d[\d,.]*\d|\d", text)]


def test_transcribed_figures_are_on_the_lines_they_cite(real_data):
    lines = {REPORT: seed_lines(real_data)}
    table = glance.commitments()
    checked = 0
    for row in table.itertuples():
        for text, document, line in [(row.result, row.document, row.line),
                                     (row.target, row.target_document, row.target_line)]:
            if not line:
                continue
            if document not in lines:
                lines[document] = (real_data.parent / "seeds" / document).read_text(encoding="utf-8").splitlines()
            cited = lines[document][int(line) - 1].replace(",", "")
            for number in numbers(text):
                assert number in cited, f"{number} ({text}) is not on {document} line {line}"
                checked += 1
    assert checked > 60
    e_referral = table.set_index("promise_line").loc["705"]
    assert (e_referral["target"], e_referral["result"], e_referral["met"]) == ("80%", "54%", "no")
    assert "54%" in lines[REPORT][int(e_referral["line"]) - 1]


def test_no_row_is_judged_without_a_target_and_a_result(real_data):
    lines = seed_lines(real_data)
    table = glance.commitments()
    judged = table[table["met"].isin(glance.JUDGED)]
    assert len(judged) >= 10
    for row in judged.itertuples():
        assert not row.target.startswith("None set") and row.result and row.line, row.commitment
        if row.target_document == REPORT:
            level = lines[int(row.target_line) - 1]
            assert re.search(r"\d|\ball\b|\bevery\b|two-thirds|\bfive\b|\bseven\b|\bthree\b|target", level), row.commitment
    no_target = table[table["met"] == glance.NO_TARGET]
    assert no_target["target"].str.startswith("None set").all() and len(no_target) > 30
    assert set(table["met"]) <= set(glance.JUDGED + glance.NOT_JUDGED)


@pytest.mark.parametrize("change, column", [
    ({"met": "yes", "target": "None set: an action, not a level"}, "met"),  # judged without a target
    ({"met": "yes", "result": "", "document": "", "line": ""}, "met"),  # judged without a result
    ({"met": "met, more or less"}, "met"),
    ({"line": ""}, "line"),  # a result with no line
    ({"kind": "wish"}, "kind"),
])
def test_a_bad_row_is_refused_with_its_row_and_column(tmp_path, monkeypatch, change, column):
    table = pd.read_csv(glance.GLANCE_FILE, dtype=str, keep_default_na=False)
    position = int(table.index[table["promise_line"] == "97"][0])  # Cancer Alliances: not judged, with a result
    for key, value in change.items():
        table.loc[position, key] = value
    bad = tmp_path / "at_a_glance.csv"
    table.to_csv(bad, index=False)
    monkeypatch.setattr(glance, "GLANCE_FILE", bad)
    with pytest.raises(DataError, match=rf"row {position + 2}, column '{column}'"):
        glance.commitments()


def page_figures(book) -> tuple[str, str]:
    html = (book / "_build" / "html" / "chapters" / "at-a-glance.html").read_text(encoding="utf-8")
    return html, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def expected_counts(table: pd.DataFrame, computed: int) -> str:
    """The page's counting sentence, recounted from the CSV itself."""
    rows = table[table["kind"] == "commitment"]
    judged = rows["met"].isin(["yes", "no", "partly"])
    return (f"The report lists {len(rows)} commitments for 2016/17 under {rows['area'].nunique()} headings. "
            f"It says what happened for {(rows['line'] != '').sum()} of them (for the others it says nothing), "
            f"and {computed} of those results are computed here from data by a chapter; the rest are "
            f"transcribed. {judged.sum()} can be judged, because the report gives both a target level and a "
            f"result: {(rows['met'] == 'yes').sum()} met, {(rows['met'] == 'no').sum()} not met and "
            f"{(rows['met'] == 'partly').sum()} partly met.")


@pytest.mark.parametrize("which", ["bundled_book", "real_book"])
def test_the_page_counts_what_its_table_shows(request, which):
    book = request.getfixturevalue(which)
    html, text = page_figures(book)
    table = glance.commitments()
    # a chapter on a synthetic sample gives no result (on the bundled book, every chapter but finance)
    computed = ((table["kind"] == "commitment") & (table["chapter"] != "")
                & ((which == "real_book") | (table["chapter"] == "finance"))).sum()
    assert expected_counts(table, computed) in text
    glance_tables = [part.split("</table>")[0] for part in html.split('class="handbook-table handbook-stack handbook-glance"')[1:]]
    assert sum(part.count("<tr><td") for part in glance_tables) == len(table)  # one table row per CSV row
    assert text.count("The report does not say.") == (table["line"] == "").sum()
    assert text.count("not judged (no target)") == (table["met"] == "not judged (no target)").sum()
    standards = ((table["kind"] == "standard") & (table["chapter"] != "")
                 & ((which == "real_book") | (table["chapter"] == "finance"))).sum()
    assert f"After the commitments come 4 standards and goals the report sets elsewhere, {standards} of them" in text
    assert ('54% <span class="handbook-how">transcribed, annual report, line 715</span></div></td>'
            '<td class="handbook-key" data-label="Met"><div>no</div></td>') in html
    assert 'download="at-a-glance.csv"' in html and f"Download every row (CSV, {len(table)} rows)" in text


def test_methods_states_the_count_the_report_gives(real_data):
    """The methods page reads the count from the front page's table (glued), which the report's text recounts."""
    lists = listed_commitments(seed_lines(real_data))
    promised = glance.commitments().query("kind == 'commitment'")
    assert (len(promised), promised["area"].nunique()) == (sum(len(items) for items in lists.values()), len(lists))
    methods = (REPO_ROOT / "book" / "methods.md").read_text(encoding="utf-8")
    assert ("{glue:text}`chapters/at-a-glance.ipynb::glance_commitments:d`\ncommitments under "
            "{glue:text}`chapters/at-a-glance.ipynb::glance_areas:d` headings") in methods


# The results box and other years' front pages (issues 14 and 17).

def test_the_front_page_takes_any_year_some_chapter_covers(real_data):
    from analysis.errors import ParameterError
    from analysis.periods import FinancialYear
    from analysis.sources import chapter_sources
    from analysis.registry import load_registry

    registry = load_registry()
    found = chapter_sources(registry.chapter("at-a-glance"), registry, real_data)
    assert glance.data_dir_of(found) == str(real_data)
    assert glance.validate_parameters({"period": "2018/19"}, found)["period"] == "2018-19"
    with pytest.raises(ParameterError, match=r"no chapter's data cover 2031-32 \(.*A&E four-hour waits: 2031-32 is "
                                             r"not covered by the A&E data \(whole years available: 2016-17 to 2018-19\)"):
        glance.validate_parameters({"period": "2031-32"}, found)
    assert glance.not_covered(registry.chapter("vanguards"), FinancialYear(2017),
                              glance.sources_for(registry.chapter("vanguards"), str(real_data))).startswith(
        "it measures the fixed months")


def test_the_box_has_one_row_per_chapter_with_its_key_figure_for_each_year(real_data):
    from analysis.periods import FinancialYear

    report = glance.chapter_results(str(real_data), FinancialYear(2016))
    rows = glance.box_rows(report, FinancialYear(2016)).set_index("chapter")
    assert list(rows.index) == ["cancer", "finance", "ae", "phb", "vanguards", "rtt", "mental-health"]
    assert rows.at["ae", "Key figure"].startswith("89.1% seen within four hours")
    assert (rows.at["ae", "Standard"], rows.at["ae", "Met"]) == ("at least 95%", "not met")
    assert rows.at["ae", "Data"] == "real data (published files)"
    assert rows.at["ae", "Data vintage"] == "A&E monthly returns to March 2019"
    assert rows.at["cancer", "Key figure"].startswith("82.0% of patients treated for cancer after an urgent GP "
                                                      "referral")
    assert rows.at["cancer", "Data vintage"] == "national time series to September 2023"
    assert rows.at["mental-health", "Met"] == "met" and rows.at["rtt", "Data vintage"].startswith("RTT overview")
    assert rows.at["phb", "Data"] == "synthetic sample"  # no PHB file in the real data folder
    assert rows.at["finance", "Data"] == "the report's own tables (transcribed)"

    later = glance.chapter_results(str(real_data), FinancialYear(2017))
    rows = glance.box_rows(later, FinancialYear(2017)).set_index("chapter")
    assert rows.at["ae", "Key figure"].startswith("88.3% ")  # the rows of 2017-18, summed (tests/unit/test_yearly.py)
    assert rows.at["rtt", "Key figure"].startswith("87.2% ") and rows.at["rtt", "Key figure"].endswith("March 2018")
    assert rows.at["cancer", "Key figure"].startswith("82.3% ")
    for name in ("finance", "phb", "vanguards"):
        assert rows.at[name, "Met"] == "not covered" and rows.at[name, "Key figure"] == "No figure for 2017/18"
    assert "2017-18 is not covered" in rows.at["finance", "Data vintage"]
    html = glance.year_html(later, FinancialYear(2017))
    assert "Every result computed for 2017/18" in html and "printed" not in html.lower()
    assert "commitment" not in html.lower()  # no 2016/17 commitments in another year's edition
    shown = glance.standard_rows(later)
    assert set(shown["chapter"]) == {"cancer", "ae", "rtt", "mental-health"}
    assert set(shown["Met"]) <= {"met", "not met"}


def test_the_built_front_page_opens_with_the_box_and_the_build_date(bundled_book):
    import datetime as dt

    html, text = page_figures(bundled_book)
    assert "<title>2016/17 at a glance" in html
    assert html.index("handbook-glance-results") < html.index("The report's commitments for 2016/17")
    box = html.split("handbook-glance-results")[1].split("</table>")[0]
    assert box.count("<tr><td") == 7 and box.count('data-label="Met"><div>not judged (synthetic sample)<') >= 5
    assert 'data-label="Data"><div>synthetic sample<' in box
    date = re.search(r"This book was built on (\d{1,2} [A-Z][a-z]+ \d{4})\.", text)
    assert date, "the build date is not on the front page"
    built = dt.datetime.strptime(date.group(1), "%d %B %Y").date()
    assert abs((dt.date.today() - built).days) <= 1
    notebook = (bundled_book / "book" / "chapters" / "at-a-glance.ipynb").read_text(encoding="utf-8")
    assert date.group(1) not in notebook  # the date is Sphinx's, never an executed output (nbval)


def test_each_area_is_folded_under_a_line_counting_its_rows_and_verdicts():
    rows = pd.DataFrame({"met": ["yes", "no", "partly", "not judged (no target)", "yes"]})
    assert glance.met_counts(rows) == "5 commitments: 2 met, 1 not met, 1 partly met, 1 not judged"
    assert glance.met_counts(rows.iloc[3:4], "standards and goals") == "1 standard or goal: 1 not judged"
    assert glance.met_counts(rows.iloc[:1]) == "1 commitment: 1 met"
