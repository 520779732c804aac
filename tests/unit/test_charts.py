import base64
import io
import re

import altair as alt
import pandas as pd
import pytest

from analysis.charts import Figure, chart_html, write_javascript_bundle


def example():
    data = pd.DataFrame({"month": pd.period_range("2016-04", periods=3, freq="M"),
                         "performance": [0.81, 0.83, 0.82]})
    drawn = data.assign(month=data["month"].dt.to_timestamp())
    chart = alt.Chart(drawn).mark_line().encode(x="month:T", y="performance:Q")
    return chart, data


def test_chart_html_is_deterministic_and_offline():
    chart, data = example()
    first = chart_html(chart, "demo", "Performance stayed near 82%.", data)
    again = chart_html(example()[0], "demo", "Performance stayed near 82%.", example()[1])
    assert first == again
    assert "<script src" not in first and "cdn." not in first.lower()
    assert re.search(r'id="chart-[0-9a-f]{12}"', first)


def test_data_link_downloads_exactly_the_rows_drawn():
    chart, data = example()
    html = chart_html(chart, "demo", "Performance stayed near 82%.", data)
    encoded = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', html).group(1)
    rows = pd.read_csv(io.StringIO(base64.b64decode(encoded).decode()))
    assert rows["month"].tolist() == ["2016-04", "2016-05", "2016-06"]
    assert rows["performance"].tolist() == [0.81, 0.83, 0.82]


def test_alt_text_is_required_and_shown():
    chart, data = example()
    with pytest.raises(ValueError, match="alt text"):
        Figure(chart, "demo", "  ", data)
    figure = Figure(chart, "demo", "Performance stayed near 82%.", data)
    assert 'aria-label="Performance stayed near 82%."' in figure._repr_html_()
    assert '"description":"Performance stayed near 82%."' in figure._repr_html_()


def test_bundle_is_written_once_in_a_function_scope(tmp_path):
    path = write_javascript_bundle(tmp_path)
    text = path.read_text()
    assert text.startswith("(function(){") and "window.vegaEmbed" in text
    modified = path.stat().st_mtime_ns
    write_javascript_bundle(tmp_path)
    assert path.stat().st_mtime_ns == modified


def test_monthly_axes_tick_once_a_month():
    import vl_convert

    data = pd.DataFrame({"month": pd.period_range("2016-04", periods=3, freq="M").to_timestamp(), "v": [1, 2, 3]})
    chart = alt.Chart(data).mark_line().encode(x=alt.X("month:T", axis=alt.Axis(format="%b %Y")), y="v:Q")
    svg = vl_convert.vegalite_to_svg(chart.properties(width=600).to_dict())
    labels = re.findall(r"<text[^>]*>([A-Z][a-z]{2} \d{4})</text>", svg)
    assert labels == ["Apr 2016", "May 2016", "Jun 2016"]


def test_chart_script_sizes_to_its_element_and_follows_resizes():
    chart, data = example()
    html = chart_html(chart, "demo", "Performance stayed near 82%.", data)
    assert '"width":"container"' in html and "ResizeObserver" in html and "view.width(now)" in html


def test_table_download_link_carries_the_table_formula_safe():
    from analysis.page import table_html

    table = pd.DataFrame({"name": ["=HYPERLINK(1)", "Alpha"], "count": [1200, -3]})
    html = table_html(table, "Two rows", download="demo-table-1")
    encoded = re.search(r'download="demo-table-1.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"', html)
    rows = pd.read_csv(io.StringIO(base64.b64decode(encoded.group(1)).decode()))
    assert rows["name"].tolist() == ["'=HYPERLINK(1)", "Alpha"] and rows["count"].tolist() == [1200, -3]
    assert "handbook-data-link" not in table_html(table, "No link")


def providers_example():
    return pd.DataFrame({"org_code": ["A1", "B2", "C3"], "org_name": ["Alpha", "", "Gamma"],
                         "attendances": [1e5, 2e5, 5e4], "performance": [90.1, 95.5, 88.0],
                         "has_type_1": [True, False, True]})


def test_selector_lists_every_organisation_by_name_and_rings_the_chosen_one():
    from analysis import ae

    spec = ae.provider_chart(providers_example().assign(org_name=["Alpha", "Beta", "Gamma"]), 95).to_dict()
    (param,) = [p for p in spec["params"]]
    assert param["bind"]["input"] == "select"
    assert param["bind"]["options"] == ["", "A1", "B2", "C3"]
    assert param["bind"]["labels"] == ["(none)", "Alpha (A1)", "Beta (B2)", "Gamma (C3)"]
    names = [layer.get("name") for layer in spec["layer"]]
    assert "chosen" in names and "chosen_row" in names


def test_names_fill_blanks_and_say_where_each_came_from():
    from analysis.names import NO_NAME, with_names

    lookup = pd.DataFrame({"code": ["B2", "C3"], "name": ["BETA TRUST", "OTHER"],
                           "source": ["f.csv, column ACCOUNTABLE PROVIDER"] * 2})
    table = with_names(providers_example().assign(org_code=["A1", "B2", "Z9"], org_name=["Alpha", "", None]),
                       "org_code", "org_name", lookup)
    assert table["org_name"].tolist() == ["Alpha", "BETA TRUST", NO_NAME]
    assert table["name_source"].tolist() == ["the data's own file", "f.csv, column ACCOUNTABLE PROVIDER", "none"]


def test_real_provider_names_name_most_ae_providers(real_data):
    from analysis.names import provider_names, with_names

    ae = pd.read_csv(real_data / "ae_attendances_2016-04_2019-03.csv", dtype={"org_code": str})
    year = ae[(ae["period"] >= "2016-04-01") & (ae["period"] < "2017-04-01")]
    codes = pd.DataFrame({"org_code": sorted(set(year["org_code"])), "org_name": ""})
    named = with_names(codes, "org_code", "org_name", provider_names(real_data))
    found = named[named["name_source"] != "none"]
    assert len(codes) == 246 and len(found) >= 150
    assert named.set_index("org_code").loc["RXR", "org_name"] == "EAST LANCASHIRE HOSPITALS NHS TRUST"


def test_finance_chart_scales_the_underspend_not_the_totals():
    from analysis import finance

    perf = pd.DataFrame({"year": ["2016/17"] * 3, "item": ["ccgs", "direct", "total"],
                         "line": ["CCGs", "Direct commissioning", "Total"], "plan": [76630.0, 25610.0, 102240.0],
                         "actual": [76476.0, 25314.0, 101790.0], "variance": [154.0, 296.0, 450.0]})
    spec = finance.plan_actual_chart(perf).to_dict()
    assert spec["encoding"]["x"]["field"] == "variance" and "domain" not in spec["encoding"]["x"].get("scale", {})
    labels = [row["label"] for row in spec["datasets"][next(iter(spec["datasets"]))]]
    assert labels == ["CCGs|£154m (0.2% of plan)", "Direct commissioning|£296m (1.2% of plan)"]


def test_data_pack_collects_every_download_with_its_columns(tmp_path):
    import zipfile

    from analysis.datapack import write_data_pack
    from analysis.page import table_html

    chart, data = example()
    (tmp_path / "chapters").mkdir()
    table = pd.DataFrame({"org_code": ["A1"], "performance": [90.5]})
    (tmp_path / "chapters" / "ae.html").write_text(
        chart_html(chart, "ae-monthly", "Performance stayed near 82%.", data) + table_html(table, "T", download="ae-table-1"))
    archive = write_data_pack(tmp_path)
    assert (tmp_path / "data" / "chapters-ae" / "ae-monthly.csv").read_text().startswith("month,performance\n")
    columns = pd.read_csv(tmp_path / "data" / "columns.csv")
    assert columns[["file", "column", "type"]].values.tolist() == [
        ["chapters-ae/ae-monthly.csv", "month", "text"], ["chapters-ae/ae-monthly.csv", "performance", "number"],
        ["chapters-ae/ae-table-1.csv", "org_code", "text"], ["chapters-ae/ae-table-1.csv", "performance", "number"]]
    assert columns.loc[2, "meaning"] == "ODS code of the organisation."
    assert "data/chapters-ae/ae-table-1.csv" in zipfile.ZipFile(archive).namelist()


def test_long_titles_are_set_on_lines_but_tooltips_and_data_are_not():
    from analysis.charts import TITLE_CHARACTERS, spec_of

    long = "Incomplete pathways within 18 weeks as an XmR chart"
    data = pd.DataFrame({"a": [1], "title": [long]})
    chart = alt.Chart(data).mark_point().encode(
        x=alt.X("a:Q", title="Growth in emergency admissions (%)"), tooltip=[alt.Tooltip("a:Q", title=long)]
    ).properties(title=alt.Title(long, subtitle="Mean (solid) and process limits (dashed) from all months"))
    spec = spec_of(chart)
    assert spec["title"]["text"] == ["Incomplete pathways within 18", "weeks as an XmR chart"]
    assert all(len(line) <= TITLE_CHARACTERS for line in spec["title"]["subtitle"])
    assert spec["encoding"]["x"]["title"] == ["Growth in emergency admissions", "(%)"]
    assert spec["encoding"]["tooltip"][0]["title"] == long
    several = spec_of(chart.properties(title=alt.Title("Short", subtitle=[long, "Making Data Count rules, as in NHSRplotthedots"])))
    assert several["title"]["subtitle"] == ["Incomplete pathways within 18", "weeks as an XmR chart",
                                            "Making Data Count rules, as in", "NHSRplotthedots"]
    assert spec["datasets"][next(iter(spec["datasets"]))][0]["title"] == long
