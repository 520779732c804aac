"""The organisations page (issue 30 item 4): each provider's figures are the chapters' own figures for it,
judged against their standards only on real data, and providers no file names are shown by code, saying so."""

from __future__ import annotations

import html as html_module
import re
from dataclasses import replace

import pytest

from analysis import contract, organisations
from analysis.errors import ParameterError
from analysis.names import NO_NAME
from analysis.periods import FinancialYear
from analysis.registry import load_registry

YEAR = FinancialYear(2016)


def chapter_sources(name: str, data_dir: str = "") -> dict:
    return organisations.sources_for(load_registry().chapter(name), data_dir)


def page(book, name: str) -> str:
    return (book / "_build" / "html" / "chapters" / f"{name}.html").read_text(encoding="utf-8")


def template_of(text: str, code: str) -> str:
    """The organisations page's hidden panel for one provider."""
    found = re.search(rf'<template id="handbook-org-{re.escape(code)}">(.*?)</template>', text, re.S)
    assert found, f"no panel for {code} on the organisations page"
    return found.group(1)


def org_figure(text: str, code: str, measure: str) -> str:
    """The result the organisations page shows for `code` on `measure` ("chapter:key"), as text."""
    found = re.search(rf'data-measure="{re.escape(measure)}" data-label="Result">([^<]*)<', template_of(text, code))
    assert found, f"no {measure} figure for {code}"
    return html_module.unescape(found.group(1))


def table_rows(text: str, marker: str) -> list[dict]:
    """The rows of the chapter page's table whose heading row holds `marker`, as {column: cell text}."""
    table = next(t for t in text.split("<table")[1:] if marker in t.split("</thead>")[0])
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    return [{html_module.unescape(label): html_module.unescape(re.sub(r"<[^>]+>", "", cell))
             for label, cell in re.findall(r'<td[^>]*data-label="([^"]*)"[^>]*>(.*?)</td>', row, re.S)}
            for row in body.split("</tr>") if "<td" in row]


def test_every_provider_result_is_typed_and_its_value_is_its_own_counts():
    """For every chapter that gives provider results: typed, and each percentage is 100 x numerator / denominator."""
    chapters = organisations.provider_chapters()
    assert {c.name for c in chapters} == {"ae", "cancer", "mental-health"}
    for chapter in chapters:
        module = chapter.load_module()
        sources = chapter_sources(chapter.name)
        years = module.provider_years(sources)
        assert YEAR in years
        found = contract.provider_results(module, sources, YEAR)
        assert found and all(isinstance(r, contract.ProviderResult) for r in found)
        for r in found:
            assert r.value == pytest.approx(100 * r.numerator / r.denominator)
            assert r.year == YEAR.label and len(r.months) == 12 and r.standard is not None
        assert contract.provider_results(module, sources, FinancialYear(2030)) == []
    collected = organisations.collect("", YEAR)
    assert [heading for _, _, heading in organisations.measure_columns(collected, YEAR)] == [
        "Cancer 62-day (%)", "Cancer 31-day (%)", "A&E, all types (%)", "A&E, type 1 (%)", "EIP within two weeks (%)"]


def test_the_ae_results_are_the_chapters_provider_table_rows():
    from analysis import ae

    sources = chapter_sources("ae")
    table = ae.load(sources)
    compared, spread = ae.provider_funnel(table, YEAR)
    shown = ae.provider_table(compared, spread).set_index("Provider")
    results = {(r.code, r.measure): r for r in ae.provider_results(sources, YEAR)}
    assert {code for code, measure in results if measure == "type_1"} == set(shown.index)
    for code, row in shown.iterrows():
        assert f"{results[(code, 'type_1')].value:.1f}%" == row["Type 1 performance"]
        assert f"{results[(code, 'all_types')].value:.1f}%" == row["All types performance"]
        assert results[(code, "type_1")].position == row["Against England's type 1 rate"]
    from analysis.organisations import _position_text

    all_types = next(r for (_, measure), r in results.items() if measure == "all_types")
    assert all_types.position is None
    assert _position_text(all_types) == "not in the chapter's funnel (it compares type 1 departments only)"
    assert _position_text(replace(all_types, funnel="")) == "not in a funnel"


def test_the_cancer_results_are_the_chapters_provider_table_rows_and_31_day_uses_its_own_threshold():
    from analysis import cancer

    sources = chapter_sources("cancer")
    data = cancer.load(sources)
    shown = cancer.provider_table(data.provider, YEAR).set_index("ODS code")
    results = {(r.code, r.measure): r for r in cancer.provider_results(sources, YEAR)}
    for code, row in shown.iterrows():
        assert f"{results[(code, 'gp_62')].value:.1f}%" == row["Performance"]
        assert results[(code, "gp_62")].position == row["Against England"]
    thirty_one = [r for r in results.values() if r.measure == "first_31"]
    assert thirty_one and {r.standard for r in thirty_one} == {96.0}
    assert len({r.code for r in thirty_one}) == len(cancer.provider_performance(data.provider, "first_31", YEAR)
                                                     .query("total > 0"))


def test_a_provider_no_file_names_is_shown_by_code_and_says_so():
    result = contract.ProviderResult("ZZ9", "", "eip", 5.0, 10.0, 50.0, 50.0, "a measure", YEAR.label)
    found = organisations.ChapterProviders("mental-health", "Mental health", contract.Kind.PUBLISHED, {}, [YEAR],
                                           {YEAR.label: [result]})
    (provider,) = organisations.providers([found], YEAR, "")
    assert provider.name == "" and provider.shown_name == f"ZZ9 {NO_NAME}"
    panel = organisations.provider_html(provider, [found], YEAR)
    assert "ZZ9 (no name in the published files read)" in panel and "shown by its ODS code" in panel
    assert 'data-label="Against the standard">met<' in panel


def test_a_year_no_chapters_provider_data_cover_is_refused_naming_the_years_covered():
    with pytest.raises(ParameterError) as caught:
        organisations.validate_parameters({"period": "2030-31"}, chapter_sources("ae"))
    assert caught.value.parameter == "period" and "2016-17" in str(caught.value)


def test_an_unknown_cancer_organisation_says_where_the_valid_codes_are():
    from analysis import cancer

    with pytest.raises(ParameterError, match="organisations page's search box") as caught:
        cancer.validate_parameters({"period": "2016-17", "organisation": "nope1"}, chapter_sources("cancer"))
    assert caught.value.parameter == "organisation" and "'NOPE1'" in str(caught.value)


def test_on_the_bundled_book_every_figure_says_it_is_synthetic_and_none_is_judged(bundled_book):
    text = page(bundled_book, "organisations")
    assert "computed from a synthetic sample: they show how the page works and are not results" in text
    results = re.findall(r'data-label="Result">([^<]*)<', text)
    assert results and all("synthetic sample, not a result" in r for r in results)
    verdicts = re.findall(r'data-label="Against the standard">([^<]*)<', text)
    assert len(verdicts) == len(results) and set(verdicts) == {"not judged (synthetic sample)"}


def middle_provider(ae_rows: list[dict], cancer_codes: set[str]) -> dict:
    """The A&E table's row nearest its middle whose provider the cancer table also holds."""
    middle = len(ae_rows) // 2
    for step in range(len(ae_rows)):
        for place in (middle - step, middle + step):
            if 0 <= place < len(ae_rows) and ae_rows[place]["Provider"] in cancer_codes:
                return ae_rows[place]
    raise AssertionError("no provider is in both tables")


def test_a_provider_from_the_middle_of_the_ae_table_has_the_chapters_figures(real_book, real_data, tmp_path):
    """On the real data: the page's A&E and cancer figures for a provider are the chapter pages' own, and
    the cancer chapter run for that provider alone (`-p organisation CODE`) gives the same figure."""
    from conftest import run_chapter_alone

    orgs = page(real_book, "organisations")
    ae_rows = table_rows(page(real_book, "ae"), "Type 1 performance")
    cancer_rows = {r["ODS code"]: r for r in table_rows(page(real_book, "cancer"), "Within 62 days")}
    row = middle_provider(ae_rows, set(cancer_rows))
    code = row["Provider"]
    assert org_figure(orgs, code, "ae:type_1") == row["Type 1 performance"]
    assert org_figure(orgs, code, "ae:all_types") == row["All types performance"]
    assert org_figure(orgs, code, "cancer:gp_62") == cancer_rows[code]["Performance"]
    assert row["Against England's type 1 rate"] in template_of(orgs, code)
    assert cancer_rows[code]["Against England"] in template_of(orgs, code)
    _, alone = run_chapter_alone(tmp_path, "cancer", data_dir=str(real_data), organisation=code)
    (only,) = table_rows(alone, "Within 62 days")
    assert only["ODS code"] == code and only["Performance"] == org_figure(orgs, code, "cancer:gp_62")
    panel = template_of(orgs, code)
    assert 'href="ae.html#providers"' in panel and 'href="cancer.html#providers"' in panel
    assert re.search(r'data-label="Against the standard">(met|not met)<', panel)
    assert "2017/18: " in panel  # the A&E data hold three years: they are shown side by side


def test_on_the_real_data_unnamed_providers_are_counted_and_shown_by_code(real_book):
    text = page(real_book, "organisations")
    panels = re.findall(r'<template id="handbook-org-([^"]+)">(.*?)</template>', text, re.S)
    unnamed = [code for code, panel in panels if f"{code} {NO_NAME}" in html_module.unescape(panel)]
    said = re.search(r"(\d+) of them are named in no file read", text)
    assert said and int(said.group(1)) == len(unnamed) > 0
    assert not re.search(r"synthetic sample, not a result", text)
