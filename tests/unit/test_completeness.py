"""Truncated and incomplete files, for every dataset: the shared check (`analysis.completeness`) refuses
them, naming the file and the period, or (for a cut that loses whole periods) the figures of every
period still covered are exactly the whole file's.

Real files are copied to tmp_path and damaged there (bundled samples where the real folder has no
file of the layout, or the file is a workbook the tests cannot rewrite: MAR and DTOC are .xls). Each
case is listed in tests/BAD_INPUT.md, section "Truncated and incomplete files".
"""

from __future__ import annotations

import shutil
import traceback
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis import ae, cancer, dtoc, finance, mental_health, phb, rtt, vanguards
from analysis.apc import read_apc
from analysis.errors import DataError
from analysis.mental_health import metrics as mh_metrics
from analysis.mental_health.readers import read_dementia, read_eip
from analysis.periods import FinancialYear
from analysis.population import read_population, read_snapshots
from analysis.registry import load_registry
from analysis.sources import BUNDLED_DIR, resolve_all

EIP = "eip/EIP-Timeseries-History-File-December-2015-to-September-2019-1.csv"
DEMENTIA = "dementia/dementia_diagnosis_rate_65plus_la_2017-2018.csv"
AE_LONG = "ae_attendances_2016-04_2019-03.csv"
GP62_APRIL = "cwt/provider_monthly/201604-11.-62-Day-Wait-for-first-treatment-All-Cancers-Provider-Data.csv"
CWT_NATIONAL = "cwt/cwt_national_time_series_2009-10_2023-09.xlsx"
RTT = "rtt/rtt_overview_time_series.xlsx"
POPULATION = "population/gp_registered_patients_ccg_2017-01.csv"
APC = "hes_artificial/artificial_hes_apc_0102.csv"
AE_OCTOBER = "ae/Monthly-AE-October-2016-SYNTHETIC-SAMPLE.csv"
PHB = "phb/phb_quarterly_sample.csv"
AGES = "mar/admissions_by_age_SAMPLE.csv"
MAR_JANUARY = "mar/mar_SAMPLE_commissioner_2016-01.xlsx"
DTOC = "dtoc/dtoc_england_SYNTHETIC_SAMPLE.xlsx"
FINANCE = "finance/finance_tables_transcribed.csv"
SAMPLE_POPULATION = "population/registered_patients_ccg_SAMPLE_2017-01.csv"

CUT_SHORT = r"cut short"  # every refusal of the shared check says the file looks or may be cut short


def copy(source: Path, tmp_path: Path, relative: str) -> Path:
    """A copy of `source` at `tmp_path/relative`, to damage."""
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, path)
    return path


def real(real_data, tmp_path, relative):
    return copy(real_data / relative, tmp_path, relative)


def bundled(tmp_path, relative):
    return copy(BUNDLED_DIR / relative, tmp_path, relative)


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write(path: Path, kept: list[bytes]) -> Path:
    path.write_bytes(b"".join(kept))
    return path


def cut_mid_row(path: Path) -> Path:
    """The file cut inside its last row: the line end and the row's last characters gone."""
    path.write_bytes(path.read_bytes().rstrip(b"\r\n")[:-3])
    return path


def raised_by_the_shared_check(info) -> bool:
    """Whether the refusal was raised inside analysis/completeness.py (not by a reader's own check)."""
    return Path(traceback.extract_tb(info.tb)[-1].filename).name == "completeness.py"


def refused(read, path, match: str):
    with pytest.raises(DataError, match=match) as info:
        read(path)
    assert str(path.name) in str(info.value)
    assert raised_by_the_shared_check(info), str(info.value)
    return str(info.value)


def delete_sheet_row(path: Path, sheet: str, row: int) -> Path:
    book = openpyxl.load_workbook(path)
    book[sheet].delete_rows(row)
    book.save(path)
    return path


def sheet_row(path: Path, sheet: str, test) -> int:
    """The first row (1-based) of `sheet` whose values pass `test`."""
    for number, values in enumerate(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True), 1):
        if test(values):
            return number
    raise AssertionError(f"no such row in {path.name}, sheet {sheet}")


# A file cut inside a row (part (a)): every text layout ------------------------------------------

MID_ROW = {
    "ae_attendances": (lambda d, t: real(d, t, AE_LONG), ae.read_long),
    "ae_monthly": (lambda d, t: bundled(t, AE_OCTOBER), ae.read_monthly),
    "cwt_provider": (lambda d, t: real(d, t, GP62_APRIL), cancer.read_provider_csv),
    "eip_history": (lambda d, t: real(d, t, EIP), read_eip),
    "dementia_rate": (lambda d, t: real(d, t, DEMENTIA), read_dementia),
    "ccg_population": (lambda d, t: real(d, t, POPULATION), read_population),
    "phb_quarterly": (lambda d, t: bundled(t, PHB), phb.read_phb),
    "mar_ages": (lambda d, t: bundled(t, AGES), vanguards.read_ages),
    "finance_tables": (lambda d, t: bundled(t, FINANCE), finance.read_tables),
    "apc_records": (lambda d, t: real(d, t, APC), lambda p: read_apc(p)),
}


@pytest.mark.parametrize("dataset", sorted(MID_ROW))
def test_a_file_cut_inside_a_row_is_refused(dataset, real_data, tmp_path):
    make, read = MID_ROW[dataset]
    path = cut_mid_row(make(real_data, tmp_path))
    refused(read, path, r"row \d+: its last line has no line end, so the file looks cut short")


def test_a_note_without_its_line_end_below_a_cancer_table_is_read(real_data):
    """June 2015's 31-day file ends with a footnote and no line end (as published): the note is no
    figure, so the file reads; the same file cut inside its England row is refused."""
    name = "201506-5.-31-Day-Wait-for-first-treatment-All-Cancers-Provider-Data.csv"
    path = real_data / "cwt" / "provider_monthly" / name
    assert not path.read_bytes().endswith(b"\n")
    assert len(cancer.read_provider_csv(path)) > 100


# A file cut at a row boundary inside its last period (part (b), and (c) where there are national rows) --

def eip_cut_in_march_2017(d, t):
    """The cut that gave "486 of 629 ... 77.3%" for March 2017 (the whole file gives 920 of 1,248)."""
    path = real(d, t, EIP)
    kept = lines(path)[:12879]
    assert kept[-1].startswith(b"01/03/2017") and lines(path)[12879].startswith(b"01/03/2017")
    return write(path, kept)


def dementia_cut_in_2018(d, t):
    path = real(d, t, DEMENTIA)
    kept = lines(path)[:400]  # 2018 starts at line 330; its England row (line 331) is kept
    assert kept[-1].split(b",")[2] == b"2018"
    return write(path, kept)


def cut_last_period(relative, rows, source="bundled"):
    def make(d, t):
        path = real(d, t, relative) if source == "real" else bundled(t, relative)
        return write(path, lines(path)[:-rows])
    return make


def population_cut(d, t):
    """The population sample cut at a row boundary, read with the PHB sample that needs every CCG."""
    for relative in (PHB, SAMPLE_POPULATION):
        bundled(t, relative)
    path = t / SAMPLE_POPULATION
    write(path, lines(path)[:-20])
    return t


def phb_load(folder):
    registry = load_registry()
    return phb.load(resolve_all(["phb_quarterly", "ccg_population"], registry.datasets, folder))


LAST_PERIOD = {  # the last period in each file's own row order (the real A&E file ends with April 2018)
    "ae_attendances": (cut_last_period(AE_LONG, 80, "real"), lambda p: ae.read_files([p], []),
                       r"April 2018 has \d+ organisations against about 2\d\d in the months around it"),
    "ae_monthly": (cut_last_period(AE_OCTOBER, 10), ae.read_monthly,
                   r"October 2016, type 1 has no England row; the file may be cut short"),
    "cwt_provider": (cut_last_period(GP62_APRIL, 60, "real"), cancer.read_provider_csv,
                     r"PART C \(all care\) has no ALL ENGLISH PROVIDERS row; the file may be cut short"),
    "eip_history": (eip_cut_in_march_2017, read_eip,
                    r"has a row of (completed|incomplete) but none of (completed|incomplete); the publisher gives "
                    "them together, so the file looks cut short"),
    "dementia_rate": (dementia_cut_in_2018, read_dementia,
                      r"2018 has 71 areas against about 328 in the years around it; the file looks cut short"),
    "phb_quarterly": (cut_last_period(PHB, 100), phb.read_phb,
                      r"the quarter ending March 2017 has 109 CCGs against about 209 in the quarters around it"),
    "mar_ages": (cut_last_period(AGES, 400), vanguards.read_ages,
                 r"December 2016 has \d+ CCGs against about 209 in the months around it"),
    "ccg_population": (population_cut, phb_load, r"is not in the population file"),
}


@pytest.mark.parametrize("dataset", sorted(LAST_PERIOD))
def test_a_file_cut_at_a_row_boundary_inside_its_last_period_is_refused(dataset, real_data, tmp_path):
    make, read, match = LAST_PERIOD[dataset]
    path = make(real_data, tmp_path)
    if dataset == "ccg_population":  # one snapshot has no neighbours: the CCGs of the PHB file refuse it
        with pytest.raises(DataError, match=match):
            read(path)
        return
    message = refused(read, path, match)
    assert "77.3" not in message


def test_the_eip_march_2017_cut_never_gives_77_3_percent(real_data, tmp_path):
    path = eip_cut_in_march_2017(real_data, tmp_path)
    with pytest.raises(DataError, match=CUT_SHORT):
        read_eip(path)
    whole = read_eip(real_data / EIP)
    month = mh_metrics.eip_month(whole, pd.Period("2017-03", "M"))
    assert (month["within_two_weeks"], month["total"], round(month["percent"], 1)) == (920, 1248, 73.7)


# A period with rows missing (part (b); (c) where a national row would no longer add up) ---------

def without(relative, keep, source="bundled"):
    """A copy of `relative` without the lines `keep(line)` rejects (the header always kept)."""
    def make(d, t):
        path = real(d, t, relative) if source == "real" else bundled(t, relative)
        old = lines(path)
        return write(path, old[:1] + [line for line in old[1:] if keep(line)])
    return make


def eip_without_large_providers(d, t):
    path = real(d, t, EIP)
    table = read_eip(path)
    october = table[(table["month"] == pd.Period("2016-10", "M")) & (table["kind"] == "completed")]
    largest = october.groupby("provider_code")["total"].sum().nlargest(3).index
    marks = tuple(f"01/10/2016,{code},".encode() for code in largest)
    old = lines(path)
    return write(path, old[:1] + [line for line in old[1:] if not line.startswith(marks)])


def dementia_without_areas(d, t):
    path = real(d, t, DEMENTIA)
    old = lines(path)
    dropped = {i for i, line in enumerate(old) if line.startswith(b"E07") and b",2017," in line}
    return write(path, [line for i, line in enumerate(old) if i not in sorted(dropped)[:10]])


def phb_without_ccgs(d, t):
    path = bundled(t, PHB)
    old = lines(path)
    middle = [i for i, line in enumerate(old) if line.startswith(b"2015-16 Q3,")][:30]
    return write(path, [line for i, line in enumerate(old) if i not in middle])


def ages_without_rows(d, t):
    path = bundled(t, AGES)
    old = lines(path)
    june = [i for i, line in enumerate(old) if line.startswith(b"2015-06,")]
    return write(path, [line for i, line in enumerate(old) if i not in june[: len(june) // 3]])


def mar_without_ccgs(d, t):
    """A month's workbook without 30 CCGs, its England row made their sum again: a consistent
    workbook, so only the months around it show the rows are gone."""
    folder = t / "mar"
    for source in sorted((BUNDLED_DIR / "mar").glob("mar_SAMPLE_commissioner_*.xlsx")):
        copy(source, t, f"mar/{source.name}")
    path = t / MAR_JANUARY
    book = openpyxl.load_workbook(path)
    sheet = book["Commissioner"]
    first = sheet_row(path, "Commissioner", lambda v: v[5] == "F001")
    sheet.delete_rows(first, 30)
    england = sheet_row(path, "Commissioner", lambda v: v[6] == "England")
    sheet.cell(row=england, column=8).value = sum(
        v[7] for v in sheet.iter_rows(min_row=england + 1, values_only=True) if v[5])
    book.save(path)
    return folder


def snapshots_with_one_short(d, t):
    old = lines(bundled(t, SAMPLE_POPULATION))
    for month, kept in (("2016-01", old), ("2017-01", old[:1] + old[31:]), ("2018-01", old)):
        write(t / "population" / f"registered_patients_ccg_SAMPLE_{month}.csv", kept)
    return sorted((t / "population").glob("*_20??-01.csv"))


def delete_month_row(relative, sheet, month, source="real"):
    def make(d, t):
        path = real(d, t, relative) if source == "real" else bundled(t, relative)
        return delete_sheet_row(path, sheet, sheet_row(path, sheet, lambda v: month(v)))
    return make


def is_date(value, year, month):
    return hasattr(value, "year") and (value.year, value.month) == (year, month)


ROWS_MISSING = {
    "ae_attendances": (without(AE_LONG, lambda line: not line.startswith(b"2016-09-01,R"), "real"),
                       lambda p: ae.read_files([p], []),
                       r"September 2016 has \d+ organisations against about 23\d in the months around it"),
    "ae_monthly": (without(AE_OCTOBER, lambda line: not line.startswith((b"MSitAE-OCTOBER-2016,S01,",
                                                                           b"MSitAE-OCTOBER-2016,S02,"))),
                   ae.read_monthly, r"October 2016, type 1: the providers' A&E attendances Type 1 add up to [\d,.]+ "
                                    r"but the England row gives [\d,.]+; the file may be cut short"),
    "cwt_provider": (without(GP62_APRIL, lambda line: not line.startswith(b",RXR,"), "real"),
                     cancer.read_provider_csv, r"PART A \(admitted care\): the providers' TOTAL add up to"),
    "eip_history": (eip_without_large_providers, read_eip,
                    r"October 2016 lacks 3 of the providers present in the months around it .*% of the month's "
                    "pathways; the file looks cut short"),
    "dementia_rate": (dementia_without_areas, read_dementia,
                      r"2017 lacks 10 of the areas present in the years around it"),
    "phb_quarterly": (phb_without_ccgs, phb.read_phb,
                      r"the quarter ending December 2015 has 179 CCGs against about 209 in the quarters around it"),
    "mar_ages": (ages_without_rows, vanguards.read_ages,
                 r"June 2015 has \d+ CCGs against about 209 in the months around it"),
    "mar_monthly": (mar_without_ccgs, lambda folder: vanguards.read_mar_files(sorted(folder.glob("*.xlsx"))),
                    r"January 2016 has 179 CCGs against about 209 in the months around it"),
    "ccg_population": (snapshots_with_one_short, read_snapshots,
                       r"January 2017 has 179 CCGs against about 209 in the snapshots around it"),
    "cwt_national": (delete_month_row(CWT_NATIONAL, "Monthly Data", lambda v: is_date(v[1], 2016, 6)),
                     cancer.read_national_series, r"July 2016 follows May 2016; months must run on without gaps"),
    "rtt_overview": (delete_month_row(RTT, "Full Time Series", lambda v: any(is_date(c, 2016, 6) for c in v)),
                     rtt.read_overview, r"July 2016 follows May 2016; months must run on without gaps"),
    "dtoc_england": (delete_month_row(DTOC, "Delayed Days by type", lambda v: v[2] == "June", "bundled"),
                     dtoc.read_dtoc, r"sheet 'Delayed Days by type': July \d{4} follows May \d{4}; months must run on"),
}


@pytest.mark.parametrize("dataset", sorted(ROWS_MISSING))
def test_a_period_with_rows_missing_is_refused(dataset, real_data, tmp_path):
    make, read, match = ROWS_MISSING[dataset]
    damaged = make(real_data, tmp_path)
    with pytest.raises(DataError, match=match) as info:
        read(damaged)
    assert raised_by_the_shared_check(info), str(info.value)


# A missing or blank national row (part (c)) ------------------------------------------------------

def ae_total(change):
    def make(d, t):
        path = bundled(t, AE_OCTOBER)
        return write(path, [change(line) if b",TOTAL," in line else line for line in lines(path)])
    return make


def blank_ae_total(line: bytes) -> bytes:
    cells = line.split(b",")
    cells[4] = b""  # A&E attendances Type 1
    return b",".join(cells)


def dementia_england(change):
    def make(d, t):
        path = real(d, t, DEMENTIA)
        return write(path, [change(line) if line.startswith(b"E92000001,England,2018,") else line
                            for line in lines(path)])
    return make


def mar_england(value, delete=False):
    def make(d, t):
        path = bundled(t, MAR_JANUARY)
        row = sheet_row(path, "Commissioner", lambda v: v[6] == "England")
        if delete:
            return delete_sheet_row(path, "Commissioner", row)
        book = openpyxl.load_workbook(path)
        book["Commissioner"].cell(row=row, column=8).value = value
        book.save(path)
        return path
    return make


def rtt_completed_changed(d, t):
    path = real(d, t, RTT)
    book = openpyxl.load_workbook(path)
    sheet = book["Full Time Series"]
    row = sheet_row(path, "Full Time Series", lambda v: any(is_date(c, 2017, 3) for c in v))
    header = sheet_row(path, "Full Time Series", lambda v: "Total completed pathways" in v)
    column = [c.value for c in sheet[header]].index("Total completed pathways") + 1
    sheet.cell(row=row, column=column).value = sheet.cell(row=row, column=column).value - 1000
    book.save(path)
    return path


NATIONAL = {
    "ae_monthly missing": (ae_total(lambda line: b""), ae.read_monthly,
                           r"October 2016, type 1 has no England row; the file may be cut short"),
    "ae_monthly blank": (ae_total(blank_ae_total), ae.read_monthly,
                         r"column 'A&E attendances Type 1': the England row of October 2016, type 1 is blank"),
    "cwt_provider missing": (without(GP62_APRIL, lambda line: b"ALL ENGLISH PROVIDERS,ADMITTED" not in line, "real"),
                             cancer.read_provider_csv,
                             r"PART A \(admitted care\) has no ALL ENGLISH PROVIDERS row; the file may be cut short"),
    "dementia_rate missing": (dementia_england(lambda line: b""), read_dementia,
                              r"2018 has no England row; the file may be cut short"),
    "dementia_rate blank": (dementia_england(lambda line: line.replace(b",67.5,", b",,")), read_dementia,
                            r"row 331, column 'value': the England row of 2018 is blank; the publisher gives a value"),
    "mar_monthly missing": (mar_england(None, delete=True), vanguards.read_mar,
                            r"January 2016 has no England row; the file may be cut short"),
    "mar_monthly blank": (mar_england(None), vanguards.read_mar,
                          r"the England row of January 2016 is blank, so the CCGs and NHS England \(X24\) cannot be "
                          "checked against it"),
    "mar_monthly short": (mar_england(1), vanguards.read_mar,
                          r"January 2016: the CCGs and NHS England \(X24\)' Total Non-elective G&A Admissions "
                          r"\(FFCEs\) add up to [\d,.]+ but the England row gives 1.0"),
    "rtt_overview parts": (rtt_completed_changed, rtt.read_overview,
                           r"Completed admitted .* does not add up to the total [\d,]+ for March 2017"),
}


@pytest.mark.parametrize("case", sorted(NATIONAL))
def test_a_missing_blank_or_wrong_national_row_is_refused_naming_the_period(case, real_data, tmp_path):
    make, read, match = NATIONAL[case]
    refused(read, make(real_data, tmp_path), match)


# Cut at every Nth row boundary: refused, or exactly the whole file's figures --------------------

def eip_figures(table) -> dict:
    months = sorted(set(mh_metrics.completed(table)["month"]))
    return {m: mh_metrics.eip_month(table, m) for m in months}


def dementia_figures(table) -> dict:
    out = {}
    for year in sorted(set(table["year"])):
        areas, summary = mh_metrics.dementia_areas(table, year)
        out[year] = (mh_metrics.dementia_england(table, year), summary["areas"], summary["median"],
                     summary["at_or_above_ambition"])
    return out


@pytest.mark.parametrize("relative, read, figures, cuts", [
    (EIP, read_eip, eip_figures, 60),
    (DEMENTIA, read_dementia, dementia_figures, 60),
])
def test_a_real_file_cut_at_every_nth_row_boundary_never_gives_a_wrong_figure(relative, read, figures, cuts,
                                                                            real_data, tmp_path):
    """Every figure the page computes for a period still in the cut file equals the whole file's, or
    the cut file is refused (for these two files every cut is refused: the EIP file is in no order and
    the dementia file's name states both its years)."""
    path = real(real_data, tmp_path, relative)
    old = lines(path)
    truth = figures(read(real_data / relative))
    refusals = 0
    for cut in range(2, len(old), max(1, len(old) // cuts)):
        write(path, old[:cut])
        try:
            table = read(path)
        except DataError as exc:
            assert "cut short" in str(exc), str(exc)
            refusals += 1
            continue
        for period, value in figures(table).items():
            assert value == truth[period], (cut, period)
    assert refusals == len(range(2, len(old), max(1, len(old) // cuts)))


# Every registered reader calls the shared check -----------------------------------------------

REGISTRY = load_registry()


def _chapter_load(module, function="load"):
    return lambda sources: getattr(module, function)(sources)


def _text_cut(relative, source="bundled", notes=0):
    """Cut inside the file's last row of data (`notes`: lines below the table, which no figure uses
    and which are dropped first)."""
    def damage(d, folder):
        path = folder / relative
        if source == "real":
            copy(d / relative, folder, relative)
        if notes:
            write(path, lines(path)[:-notes])
        cut_mid_row(path)
    return damage


def _workbook(make):
    def damage(d, folder):
        make(d, folder)
    return damage


EVERY_READER = {
    # dataset: (damage to a data folder holding the bundled samples, what the chapter calls to read it)
    "cwt_provider": (_text_cut("cwt/provider_monthly/201603-11.-62-Day-Wait-for-first-treatment-All-Cancers-"
                               "Provider-Data-SAMPLE.csv", notes=1), _chapter_load(cancer)),
    "cwt_national": (_workbook(delete_month_row("cwt/cwt_national_series_SAMPLE.xlsx", "Monthly Data",
                                                lambda v: is_date(v[1], 2016, 6), "bundled")), _chapter_load(cancer)),
    "finance_tables": (_text_cut(FINANCE), _chapter_load(finance)),
    "ae_attendances": (_text_cut(AE_LONG, "real"), _chapter_load(ae)),
    "ae_monthly": (_text_cut(AE_OCTOBER), _chapter_load(ae)),
    "dtoc_england": (_workbook(delete_month_row(DTOC, "Delayed Days by type", lambda v: v[2] == "June", "bundled")),
                     _chapter_load(dtoc)),
    "phb_quarterly": (_text_cut(PHB), _chapter_load(phb)),
    "ccg_population": (_text_cut(SAMPLE_POPULATION), _chapter_load(phb)),
    "mar_monthly": (_workbook(mar_england(None)), _chapter_load(vanguards)),
    "mar_ages": (_text_cut(AGES), _chapter_load(vanguards)),
    "apc_records": (_text_cut(APC, "real"), lambda sources: read_apc(sources["apc_records"].files)),
    "rtt_overview": (_workbook(delete_month_row("rtt/rtt_SYNTHETIC_SAMPLE.xlsx", "Full Time Series",
                                                lambda v: any(is_date(c, 2016, 6) for c in v), "bundled")),
                     _chapter_load(rtt)),
    "eip_history": (_text_cut("eip/eip_SYNTHETIC_SAMPLE.csv"), _chapter_load(mental_health)),
    "dementia_rate": (_text_cut("dementia/dementia_rate_SYNTHETIC_SAMPLE.csv"),
                      _chapter_load(mental_health)),
}


def test_every_registered_dataset_is_covered_here():
    assert set(EVERY_READER) == set(REGISTRY.datasets)


@pytest.mark.parametrize("dataset", sorted(EVERY_READER))
def test_every_registered_reader_calls_the_shared_check(dataset, real_data, tmp_path):
    """The chapter's own loader, given a data folder of the bundled samples with this dataset's file
    damaged (a text file cut inside its last row; a workbook with a month deleted or its England
    value blanked), is refused by analysis/completeness.py."""
    folder = tmp_path / "data"
    shutil.copytree(BUNDLED_DIR, folder, ignore=shutil.ignore_patterns("sources.csv"))
    if dataset == "ae_attendances":  # the long layout alone (the bundled monthly files would overlap it)
        shutil.rmtree(folder / "ae")
    damage, load = EVERY_READER[dataset]
    damage(real_data, folder)
    sources = resolve_all(list(REGISTRY.datasets), REGISTRY.datasets, folder)
    assert sources[dataset].origin == "your data folder"
    with pytest.raises(DataError, match=CUT_SHORT) as info:
        load(sources)
    assert raised_by_the_shared_check(info), str(info.value)


def test_the_real_files_read_with_their_gaps_said(real_data):
    """Every real file passes the check; the real gaps it lets through are said on the pages
    (A&E: RFR in November 2016, ...; EIP: R1C in December 2015)."""
    table = read_eip(real_data / EIP)
    sentence = mental_health.eip_gap_sentence(table, pd.period_range("2015-12", "2017-03", freq="M"))
    assert "R1C in December 2015" in sentence
    assert mental_health.eip_gap_sentence(table, FinancialYear(2016).months()).startswith("Every provider")
    assert len(read_dementia(real_data / DEMENTIA)) == 656
    assert len(vanguards.read_mar_files(sorted((real_data / "mar").glob("*.xls")))) == 7548
    assert len(rtt.read_overview(real_data / RTT)) > 200
    assert len(dtoc.read_dtoc(real_data / "dtoc" / "DTOC-England-Data_Set.xls").monthly) > 50
    assert len(cancer.read_provider_files(sorted((real_data / "cwt" / "provider_monthly").glob("*.csv")))) == 28698
