"""The handbook command: one-line errors and a non-zero exit, never a traceback."""

import pytest

from analysis.cli import main


@pytest.mark.parametrize("argv, message", [
    (["build", "--period", "2016"],
     "handbook: error: parameter 'period': '2016' is not an NHS financial year; write it like 2016-17"),
    (["run", "nope"], "handbook: error: parameter 'chapter': no chapter called 'nope' (chapters: scratch)"),
    (["run", "scratch", "-p", "colour", "blue"],
     "handbook: error: parameter 'colour': chapter 'scratch' has no such parameter (its parameters: period)"),
    (["build", "--data", "/no/such/folder"],
     "handbook: error: parameter 'data': the data folder /no/such/folder does not exist"),
])
def test_bad_input_is_one_line_and_exit_1(scratch, capsys, argv, message):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(message)
    assert "\n" not in err and "Traceback" not in err


def test_failing_chapter_exits_non_zero_naming_it(scratch, capsys, monkeypatch):
    from analysis import build as build_module
    from conftest import scratch_notebook

    monkeypatch.setattr(build_module, "BOOK_DIR", scratch["book"])
    monkeypatch.setattr(build_module, "BUILD_DIR", scratch["out"])
    scratch_notebook(scratch["template"], ["1 / 0"])
    assert main(["run", "scratch"]) == 1
    err = capsys.readouterr().err
    assert "chapter 'scratch' failed at cell [3] (1 / 0) raised ZeroDivisionError" in err
