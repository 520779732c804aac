"""Downloading the published A&E files, over a local HTTP server on 127.0.0.1."""

import functools
import hashlib
import http.server
import threading

import pytest

from analysis import ae
from analysis.cli import main
from analysis.errors import ParameterError
from analysis.fetch import Download, FetchError, fetch_files
from analysis.periods import FinancialYear
from analysis.sources import read_sources_csv


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/served on a random loopback port; stops by itself after the test."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()


def publish_year(served, year=FinancialYear(2017)):
    for month in year.months():
        (served / ae.monthly_file_name(month)).write_text(f"Period,Org Code\nMSitAE-{month},RF4\n")


def test_fetch_downloads_records_and_then_skips(server, tmp_path):
    served, url = server
    publish_year(served)
    data = tmp_path / "data"
    messages = []
    paths = ae.fetch("2017-18", data, url, progress=messages.append)
    assert len(paths) == 12 and all(p.is_file() for p in paths)
    listed = read_sources_csv(data / "ae")
    first = listed["Monthly-AE-April-2017.csv"]
    assert first["url"] == url + "Monthly-AE-April-2017.csv"
    assert first["sha256"] == hashlib.sha256((served / "Monthly-AE-April-2017.csv").read_bytes()).hexdigest()
    assert not list((data / "ae").glob("*.part"))
    messages.clear()
    ae.fetch("2017-18", data, url, progress=messages.append)
    assert all("present and verified, skipped" in m for m in messages)


def test_checksum_mismatch_is_an_error_and_leaves_nothing(server, tmp_path):
    served, url = server
    (served / "file.csv").write_text("corrupted bytes")
    dest = tmp_path / "data"
    with pytest.raises(FetchError, match=r"file.csv: checksum mismatch for file.csv .expected sha256 000000000000"):
        fetch_files([Download(url + "file.csv", "file.csv", "0" * 64)], dest, "p", "t", progress=lambda m: None)
    assert list(dest.iterdir()) == []


def test_a_changed_file_on_the_server_is_refused_against_the_recorded_checksum(server, tmp_path):
    served, url = server
    publish_year(served)
    data = tmp_path / "data"
    ae.fetch("2017-18", data, url, progress=lambda m: None)
    (data / "ae" / "Monthly-AE-May-2017.csv").unlink()
    (served / "Monthly-AE-May-2017.csv").write_text("tampered\n")
    with pytest.raises(FetchError, match="checksum mismatch for Monthly-AE-May-2017.csv"):
        ae.fetch("2017-18", data, url, progress=lambda m: None)
    assert not (data / "ae" / "Monthly-AE-May-2017.csv").exists()


def test_missing_file_is_a_clear_error(server, tmp_path, capsys):
    _, url = server
    data = tmp_path / "data"
    assert main(["fetch", "ae", "--period", "2017-18", "--data", str(data), "--base-url", url]) == 1
    err = capsys.readouterr().err
    assert f"{url}Monthly-AE-April-2017.csv: the server answered 404" in err
    assert not list((data / "ae").glob("*"))


def test_fetch_needs_a_base_url_and_a_valid_period(tmp_path, monkeypatch):
    monkeypatch.delenv("HANDBOOK_AE_BASE_URL", raising=False)
    with pytest.raises(ParameterError, match="parameter 'base-url'"):
        ae.fetch("2017-18", tmp_path)
    with pytest.raises(ParameterError, match="parameter 'period'"):
        ae.fetch("2017", tmp_path, "http://127.0.0.1:1/")
