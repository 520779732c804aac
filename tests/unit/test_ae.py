"""A&E: both layouts into one table, bad input, measures, ledger on bundled and real data."""

import pandas as pd
import pytest

from analysis import ae, ledger
from analysis.errors import DataError, ParameterError
from analysis.page import prepare_chapter
from analysis.periods import FinancialYear

Y2016 = FinancialYear(2016)
MONTHLY_HEADER = ("Period,Org Code,Parent Org,Org name,A&E attendances Type 1,A&E attendances Type 2,"
                  "A&E attendances Other A&E Department,Attendances over 4hrs Type 1,Attendances over 4hrs Type 2,"
                  "Attendances over 4hrs Other Department,Patients who have waited 4-12 hs from DTA to admission,"
                  "Patients who have waited 12+ hrs from DTA to admission,Emergency admissions via A&E - Type 1,"
                  "Emergency admissions via A&E - Type 2,Emergency admissions via A&E - Other A&E department,"
                  "Other emergency admissions")


def monthly_file(tmp_path, rows, header=MONTHLY_HEADER, name="Monthly-AE-March-2017.csv"):
    """A monthly provider CSV of `rows`, with the England total row the publisher adds (the providers'
    sums) unless `rows` has one."""
    if rows and not any(",TOTAL," in row for row in rows):
        fields = [row.split(",") for row in rows]
        total = fields[0][:1] + ["TOTAL", "-", "ENGLAND"]
        for cells in list(zip(*fields))[4:]:
            try:
                total.append(f"{sum(float(c) for c in cells):g}")
            except ValueError:
                total.append(cells[0])
        rows = rows + [",".join(total)]
    path = tmp_path / name
    path.write_text("\n".join([header] + rows) + "\n")
    return path


def long_file(tmp_path, rows):
    path = tmp_path / "ae_attendances_test.csv"
    path.write_text("period,org_code,type,attendances,breaches,admissions\n" + "\n".join(rows) + "\n")
    return path


def test_the_two_layouts_give_the_same_tidy_table(tmp_path):
    monthly = ae.read_monthly(monthly_file(tmp_path, [
        "MSitAE-MARCH-2017,RF4,LONDON,BARKING,21289,813,0,2879,22,0,1,0,5060,0,0,100",
        "MSitAE-MARCH-2017,TOTAL,-,ENGLAND,21289,813,0,2879,22,0,1,0,5060,0,0,100"]))
    long = ae.read_long(long_file(tmp_path, ["2017-03-01,RF4,1,21289,2879,5060", "2017-03-01,RF4,2,813,22,0"]))
    columns = ["month", "org_code", "type", "attendances", "breaches", "admissions"]
    pd.testing.assert_frame_equal(monthly[columns].reset_index(drop=True), long[columns].reset_index(drop=True),
                                  check_dtype=False)


def test_booked_appointments_are_added_to_their_type(tmp_path):
    header = MONTHLY_HEADER + ",A&E attendances Booked Appointments Type 1,Attendances over 4hrs Booked Appointments Type 1"
    table = ae.read_monthly(monthly_file(tmp_path, ["MSitAE-MARCH-2019,RF4,L,B,100,0,0,10,0,0,0,0,20,0,0,0,5,1"],
                                         header=header))
    assert table.loc[0, "attendances"] == 105 and table.loc[0, "breaches"] == 11


@pytest.mark.parametrize("rows, message", [
    (["MSitAE-MARCH-2017,RF4,L,B,100,0,0,120,0,0,0,0,20,0,0,0"],
     "row 2, column 'breaches': value 120.0 is more than the attendances"),
    (["MSitAE-MARCH-2017,RF4,L,B,lots,0,0,1,0,0,0,0,20,0,0,0"],
     "row 2, column 'A&E attendances Type 1': value 'lots' is not a number"),
    (["MSitAE-MARCH-2017,RF4,L,B,-5,0,0,0,0,0,0,0,20,0,0,0"], "row 2, column 'attendances': value -5.0 is negative"),
    (["March,RF4,L,B,5,0,0,0,0,0,0,0,20,0,0,0"], "row 2, column 'Period': value 'March' is not a month"),
])
def test_bad_monthly_rows_are_named(tmp_path, rows, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ae.read_monthly(monthly_file(tmp_path, rows))


def test_missing_column_and_bad_long_rows(tmp_path):
    with pytest.raises(DataError, match="row 1, column 'Attendances over 4hrs Type 1': lacks column"):
        ae.read_monthly(monthly_file(tmp_path, [], header=MONTHLY_HEADER.replace("Attendances over 4hrs Type 1,", "")))
    with pytest.raises(DataError, match="row 3, column 'type': value '4' is not one of"):
        ae.read_long(long_file(tmp_path, ["2017-03-01,RF4,1,10,1,2", "2017-03-01,RF4,4,10,1,2"]))
    with pytest.raises(DataError, match="RF4 type 1 appears twice for March 2017"):
        ae.read_long(long_file(tmp_path, ["2017-03-01,RF4,1,10,1,2", "2017-03-01,RF4,1,10,1,2"]))
    with pytest.raises(DataError, match="row 2, column 'period': value '03/2017' is not a date"):
        ae.read_long(long_file(tmp_path, ["03/2017,RF4,1,10,1,2"]))


def test_performance_sums_before_dividing():
    table = pd.DataFrame({"month": pd.PeriodIndex(["2016-04"] * 2, freq="M"), "org_code": ["A", "B"],
                          "type": ["1", "other"], "attendances": [1000.0, 10.0], "breaches": [200.0, 0.0],
                          "admissions": [100.0, 0.0], "org_name": ["", ""]})
    assert ae.metrics.performance(table) == pytest.approx(100 * (1 - 200 / 1010))


@pytest.fixture(scope="module")
def bundled():
    return ae.load(prepare_chapter("ae").sources)


def test_bundled_sample_reproduces_89_1_and_has_a_previous_year(bundled):
    year = ae.england(bundled, Y2016)
    result = ledger.compare("ae", {"four_hour_performance": year["all_types"], "delayed_days_growth": None})
    assert result.set_index("figure").at["four_hour_performance", "agrees"]
    assert ae.growth(bundled, Y2016) is not None
    providers = ae.providers(bundled, Y2016)
    assert providers["performance"].std() > 3  # providers differ, as real ones do
    assert ae.coverage(bundled) == [FinancialYear(2015), Y2016]


def test_real_data_back_test(real_data):
    page = prepare_chapter("ae", data_dir=str(real_data))
    assert not page.synthetic and page.sources["ae_monthly"].files == []
    table = ae.load(page.sources)
    assert round(ae.england(table, Y2016)["all_types"], 1) == 89.1
    assert ae.growth(table, Y2016) is None  # the file starts in April 2016
    later = ae.growth(table, FinancialYear(2017))
    assert later is not None and round(later["previous_all_types"], 1) == 89.1
    assert round(ae.england(table, FinancialYear(2018))["all_types"], 1) == 88.0
    with pytest.raises(ParameterError, match="2019-20 is not covered by the A&E data"):
        prepare_chapter("ae", data_dir=str(real_data), period="2019-20")


def test_providers_are_compared_in_a_funnel_and_ranked_only_above_the_threshold(bundled):
    compared, summary = ae.provider_funnel(bundled, Y2016)
    assert summary["england"] == pytest.approx(ae.england(bundled, Y2016)["type_1"])  # like with like: type 1 only
    assert list(compared["volume"]) == sorted(compared["volume"], reverse=True)
    with_type_1 = ae.providers(bundled, Y2016)["has_type_1"]
    assert sum(summary["positions"].values()) == summary["providers"] == with_type_1.sum() < len(with_type_1)
    table = ae.provider_table(compared, summary)
    assert list(table.columns[:4]) == ["Rank", "Provider", "Name", "Type 1 attendances"]
    assert table.columns[-1] == "Met 95% (all types)"
    # a walk-in centre (type 3 only) is not in the funnel; a tiny type 1 department is shown but not ranked
    first = bundled[bundled["org_code"] == bundled["org_code"].iloc[0]].head(1)
    walk_in = first.assign(org_code="WALKIN", org_name="WALK-IN CENTRE (FICTIONAL)", type="3", attendances=5000,
                           breaches=0, month=Y2016.first_month)
    tiny = first.assign(org_code="TINY", org_name="TINY A&E (FICTIONAL)", type="1", attendances=20, breaches=0,
                        month=Y2016.first_month)
    compared, summary = ae.provider_funnel(pd.concat([bundled, walk_in, tiny]), Y2016)
    assert "WALKIN" not in set(compared["org_code"])
    row = ae.provider_table(compared, summary).set_index("Provider").loc["TINY"]
    assert row["Rank"] == f"not ranked (fewer than {summary['threshold']} type 1 attendances)"
    assert summary["threshold"] > 20
    assert row["Type 1 performance"] == "100.0%" and row["Against England's type 1 rate"] == "within the 95% limits"


def test_real_providers_in_the_funnel(real_data):
    """Type 1 departments only, with limits widened for over-dispersion: on the exact binomial limits
    alone 128 of the 139 lie outside 99.8% (244 of 246 when every provider's types were pooled);
    against the widened limits 1 does, and 11 lie outside the 95% limits."""
    table = ae.load(prepare_chapter("ae", data_dir=str(real_data)).sources)
    compared, summary = ae.provider_funnel(table, Y2016)
    assert round(summary["england"], 1) == 83.7 == round(ae.england(table, Y2016)["type_1"], 1)
    assert summary["providers"] == 139 and summary["threshold"] == 68 and summary["ranked"] == 139
    binomial, widened = summary["binomial_positions"], summary["positions"]
    assert binomial["above the 99.8% limit"] + binomial["below the 99.8% limit"] == 128
    assert summary["phi"] > 1000 and round(summary["tau"], 1) == 5.9
    assert widened["above the 99.8% limit"] + widened["below the 99.8% limit"] == 1
    assert sum(widened[p] for p in widened if p != "within the 95% limits") == 11