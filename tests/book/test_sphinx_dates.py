"""The build date on a page is that of the latest HTML build, even when Sphinx rebuilds incrementally."""

from __future__ import annotations

import re

import pytest


def build(source, out, monkeypatch, day: str) -> str:
    from sphinx.cmd.build import build_main

    import datetime as dt

    epoch = int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc).timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))  # Sphinx dates `today` from it when it is set
    assert build_main(["-q", "-b", "html", str(source), str(out)]) == 0
    return re.search(r"Built on ([^.]+)\.", (out / "dated.html").read_text(encoding="utf-8")).group(1)


@pytest.mark.parametrize("extension, second", [(True, "2 January 2021"), (False, "1 January 2020")])
def test_a_dated_page_is_read_again_at_every_build(tmp_path, monkeypatch, extension, second):
    source, out = tmp_path / "src", tmp_path / "html"
    source.mkdir()
    extensions = ["myst_parser"] + (["analysis.sphinx_dates"] if extension else [])
    (source / "conf.py").write_text(f"extensions = {extensions!r}\ntoday_fmt = '%-d %B %Y'\n"
                                    "html_theme = 'basic'\n")
    (source / "index.md").write_text("# Index\n\n```{toctree}\ndated\n```\n")
    (source / "dated.md").write_text("# Dated\n\nBuilt on {sub-ref}`today`.\n")
    assert build(source, out, monkeypatch, "2020-01-01") == "1 January 2020"
    (source / "index.md").write_text("# Index, changed\n\n```{toctree}\ndated\n```\n")  # another page changes
    # Without the extension Sphinx does not read the unchanged page again and its date is stale.
    assert build(source, out, monkeypatch, "2021-01-02") == second
