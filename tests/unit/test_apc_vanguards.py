"""The vanguards chapter's record-level path: wiring of records into the chapter's own rules."""

import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import vanguards
from analysis.errors import DataError
from analysis.registry import load_registry
from analysis.sources import resolve_all
from analysis.vanguards.metrics import REST


def chapter_inputs(data_dir=None):
    registry = load_registry()
    chapter = registry.chapter("vanguards")
    sources = resolve_all(chapter.datasets, registry.datasets, data_dir)
    data = vanguards.load(sources)
    spans = vanguards.windows(chapter.parameters, set(data["admissions"]["month"]))
    labels = {name: vanguards.label_of(span) for name, span in spans.items()}
    return sources, data, spans, labels


def test_without_records_the_page_says_it_uses_the_mar():
    sources, *_ = chapter_inputs()
    assert not vanguards.has_records(sources)
    assert "come from the Monthly Activity Return" in vanguards.source_text(sources)


def test_record_growth_uses_the_records_counts_and_the_chapter_rules():
    sources, data, spans, labels = chapter_inputs()
    ages = data["ages"].assign(bed_days=lambda t: 3 * t["admissions"])  # the bundled ages file as records
    records = {"admissions": ages, "exclusions": None,
               "monthly": ages.pivot_table(index="month", columns="ccg_code", values="admissions", aggfunc="sum"),
               "bed_days": ages.pivot_table(index="month", columns="ccg_code", values="bed_days", aggfunc="sum")}
    people, _ = vanguards.populations(data, spans)
    out = vanguards.record_growth(records, data, spans, ["PACS", "MCP"], labels, people)
    table = out["admissions"]
    assert set(table["cohort"]) == {"PACS", "MCP", REST}
    cohorts = vanguards.cohorts_for({**data, "monthly": records["monthly"], "flags": out["flags"]}, spans,
                                    ["PACS", "MCP"])
    recent = ages[ages["month"].isin(list(spans["recent"]))]
    for row in table[table["baseline"] == labels["baseline"]].itertuples():
        members = cohorts[cohorts == row.cohort].index
        assert row.admissions_recent == recent.loc[recent["ccg_code"].isin(members), "admissions"].sum()
    # bed days three times admissions in every cell: the same growth, three times the days
    np.testing.assert_allclose(out["bed_days"]["growth"], table["growth"])
    np.testing.assert_allclose(out["bed_days"]["admissions_recent"], 3 * table["admissions_recent"])
    assert set(out["ages"]["age_band"]) == {"0-64", "65-74", "75-84", "85+"}


def test_artificial_hes_sample_gives_months_and_ages_and_says_why_no_cohort(real_data):
    """The artificial sample (2001/02, responsible CCG blank throughout): counts by month and age band
    over its own financial year, checked by hand in test_apc; no CCG, so no cohort and no growth."""
    sources, data, spans, labels = chapter_inputs(real_data)
    assert vanguards.has_records(sources)
    records = vanguards.load_records(sources, data, spans)
    people, _ = vanguards.populations(data, spans)
    assert records["admissions"].empty and records["years"] == ["2001-02"]
    assert vanguards.exclusions_text(records) == (
        "In these artificial records (not real activity), over the records' own financial year (2001/02: April "
        "2001 to March 2002), 715 emergency admissions counted; excluded and counted: admission date outside the period 24. None of them could be placed in a "
        "known CCG (responsible CCG blank 715), so no cohort can be assigned from these records: their counts by "
        "month and age band are all they can show.")
    table = vanguards.month_table(records)
    assert list(table.columns) == ["Month", "Aged 0-64", "Aged 65-74", "Aged 75-84", "Aged 85+", "All ages", "Bed days"]
    assert table["Month"].tolist() == [m.strftime("%b %Y") for m in pd.period_range("2001-04", "2002-03", freq="M")]
    assert table["All ages"].sum() == 715 and table.iloc[-1, 1:].tolist() == [0] * 6  # none in March 2002
    assert table.loc[table["Month"] == "Apr 2001", ["Aged 0-64", "Aged 85+", "Bed days"]].values.tolist() == [
        [147, 17, 636]]
    assert vanguards.months_text(records).startswith(
        "In these artificial records (not real activity), over the records' own financial year (2001/02: April "
        "2001 to March 2002): 715 emergency admissions and 3,291 emergency bed days")
    growth = vanguards.record_growth(records, data, spans, ["PACS", "MCP"], labels, people)
    assert growth["admissions"] is None
    assert growth["reason"].startswith("No admission in the records could be placed in a known CCG")


def test_artificial_sample_written_day_first_with_float_codes_gives_the_same_page(real_data, tmp_path):
    """A copy of the artificial sample as a spreadsheet re-saves it (dates 27/09/2001, methods and
    orders 28.0, a byte-order mark): the page says what it says on the file as published, not
    "0 emergency admissions counted"."""
    sources, data, spans, _ = chapter_inputs(real_data)
    published = vanguards.exclusions_text(vanguards.load_records(sources, data, spans))
    rows = pd.read_csv(sources["apc_records"].files[0], dtype=str, keep_default_na=False)
    rows["ADMIDATE"] = pd.to_datetime(rows["ADMIDATE"]).dt.strftime("%d/%m/%Y")
    for column in ("ADMIMETH", "EPIORDER"):
        rows[column] = rows[column].where(~rows[column].str.fullmatch(r"\d+"), rows[column] + ".0")
    copy = tmp_path / "artificial_hes_apc_0102.csv"
    rows.to_csv(copy, index=False, encoding="utf-8-sig")
    resaved = {**sources, "apc_records": SimpleNamespace(files=[copy], kinds=sources["apc_records"].kinds)}
    assert vanguards.exclusions_text(vanguards.load_records(resaved, data, spans)) == published
    assert "715 emergency admissions counted" in published


def test_artificial_sample_with_a_backup_copy_stops_the_chapter_naming_both_files(real_data, tmp_path):
    sources, data, spans, _ = chapter_inputs(real_data)
    published = sources["apc_records"].files[0]
    (tmp_path / "backup").mkdir()
    copy = tmp_path / "backup" / "artificial_hes_apc_0102_copy.csv"
    shutil.copy(published, copy)
    first, second = sorted([str(published), str(copy)])  # the file later in path order is the one named
    with pytest.raises(DataError, match=rf"^{second}, row \d+, column 'EPIKEY': episode key \d+ is also in {first} "
                                        r"\(row \d+\) \(739 episodes in all\)"):
        vanguards.load_records({**sources, "apc_records": SimpleNamespace(files=[published, copy])}, data, spans)
