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
