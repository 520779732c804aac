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
    computed = ((table["kind"] == "commitment") & (table["chapter"] != "")).sum()
    assert expected_counts(table, computed) in text
    glance_tables = [part.split("</table>")[0] for part in html.split('class="handbook-table handbook-stack handbook-glance"')[1:]]
    assert sum(part.count("<tr><td") for part in glance_tables) == len(table)  # one table row per CSV row
    assert text.count("The report does not say.") == (table["line"] == "").sum()
    assert text.count("not judged (no target)") == (table["met"] == "not judged (no target)").sum()
    assert "After the commitments come 4 standards and goals the report sets elsewhere, 4 of them" in text
    assert ('54% <span class="handbook-how">transcribed, annual report, line 715</span></td>'
            '<td class="handbook-key" data-label="Met">no</td>') in html
    assert 'download="at-a-glance.csv"' in html and f"Download every row (CSV, {len(table)} rows)" in text


def test_methods_states_the_count_the_report_gives(real_data):
    lists = listed_commitments(seed_lines(real_data))
    methods = (REPO_ROOT / "book" / "methods.md").read_text(encoding="utf-8")
    total = sum(len(items) for items in lists.values())
    assert f"{total} commitments under {len(lists)} headings" in methods
