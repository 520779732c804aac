"""Downloading the published A&E files, over a local HTTP server on 127.0.0.1."""

import hashlib
import http.server
import time

import pandas as pd
import pytest

from analysis import REPO_ROOT, ae
from analysis.ae.readers import month_from_period
from analysis.cli import main
from analysis.errors import ParameterError
from analysis.fetch import Download, FetchError, fetch_files
from analysis.periods import FinancialYear
from analysis.sources import read_sources_csv
from conftest import serving


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/served on a random loopback port; stops by itself after the test."""
    served = tmp_path / "served"
    served.mkdir()
    with serving(folder=served) as (base, _):
        yield served, base


SAMPLE_MONTH = REPO_ROOT / "data" / "bundled" / "ae" / "Monthly-AE-April-2016-SYNTHETIC-SAMPLE.csv"


def monthly_csv(month) -> bytes:
    """A provider CSV for `month`: the bundled (synthetic) April 2016 file relabelled."""
    label = f"MSitAE-{month.strftime('%B').upper()}-{month.year}"
    return SAMPLE_MONTH.read_bytes().replace(b"MSitAE-APRIL-2016", label.encode())


def publish_year(served, year=FinancialYear(2017)):
    for month in year.months():
        (served / ae.monthly_file_name(month)).write_bytes(monthly_csv(month))


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
    header, body = monthly_csv(pd.Period("2017-05", "M")).split(b"\n", 1)
    # changed, yet a valid file (a provider renamed; changed counts would no longer add up to the England row)
    (served / "Monthly-AE-May-2017.csv").write_bytes(header + b"\n" + body.replace(b"NORTHBROOK", b"NORTHBRIDGE"))
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


class MisbehavingHandler(http.server.BaseHTTPRequestHandler):
    """Answers as a broken or hostile server would, by the path asked for."""

    body = b""

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        mode = self.path.strip("/").split("/")[0]
        if mode == "html":  # an error page served with status 200
            page = b"<!DOCTYPE html><html><body>Sorry, page not found</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
        elif mode == "htmlastext":  # the same, mislabelled as CSV
            page = b"\n  <html><body>Service unavailable</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(page)
        elif mode == "short":  # promises more bytes than it sends
            month = month_from_period(name.replace("Monthly-AE-", "").replace(".csv", "").replace("-", " "))
            body = monthly_csv(month)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 5000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif mode == "trickle":  # a byte at a time, for ever
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"P")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        elif mode == "good":
            month = month_from_period(name.replace("Monthly-AE-", "").replace(".csv", "").replace("-", " "))
            body = monthly_csv(month)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif mode == "wrongmonth":  # every file is April 2017's
            body = monthly_csv(pd.Period("2017-04", "M"))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture
def bad_server():
    with serving(MisbehavingHandler) as (base, _):
        yield base


def nothing_kept(folder):
    """No data file, partial file or record was left in `folder`."""
    return not [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("mode, message", [
    ("html", r"the server sent a web page \(text/html\), not Monthly-AE-April-2017.csv"),
    ("htmlastext", "the server sent a web page, not Monthly-AE-April-2017.csv"),
    ("short", r"the download stopped at [\d,]+ of [\d,]+ bytes|the download broke off"),
    ("wrongmonth", r"what arrived is not a valid Monthly-AE-May-2017.csv \(Monthly-AE-May-2017.csv: holds "
                   r"April 2017, not May 2017\)"),
])
def test_what_arrives_is_validated_before_it_is_kept_or_recorded(bad_server, tmp_path, mode, message):
    data = tmp_path / "data"
    with pytest.raises(FetchError, match=message):
        ae.fetch("2017-18", data, bad_server + mode + "/", progress=lambda m: None)
    kept = sorted(p.name for p in (data / "ae").iterdir())
    if mode == "wrongmonth":  # April itself was right, and only April was kept and recorded
        assert kept == ["Monthly-AE-April-2017.csv", "sources.csv"]
        assert list(read_sources_csv(data / "ae")) == ["Monthly-AE-April-2017.csv"]
    else:
        assert kept == []


def test_a_trickling_server_meets_the_overall_deadline(bad_server, tmp_path):
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than its overall limit of 1 s"):
        fetch_files([Download(bad_server + "trickle/x.csv", "x.csv")], tmp_path / "d", "p", "t",
                    progress=lambda m: None, timeout=5, deadline=1)
    assert time.monotonic() - started < 5
    assert nothing_kept(tmp_path / "d")


def test_a_later_fetch_replaces_a_file_that_fails_validation(bad_server, tmp_path):
    """An HTML page saved and recorded by an older handbook is fetched again, not skipped."""
    from analysis.sources import record_files

    folder = tmp_path / "data" / "ae"
    folder.mkdir(parents=True)
    saved = folder / "Monthly-AE-April-2017.csv"
    saved.write_text("<!DOCTYPE html><html>error</html>")
    record_files([saved], publisher="p", title="t")
    (folder / ".Monthly-AE-May-2017.csv.abc.part").write_bytes(b"half a file")  # left by a killed fetch
    messages = []
    ae.fetch("2017-18", tmp_path / "data", bad_server + "good/", progress=messages.append)
    assert "present but not a valid file" in messages[0] and "downloading it again" in messages[0]
    assert ae.read_monthly(saved)["month"].iloc[0] == pd.Period("2017-04", "M")
    assert not list(folder.glob("*.part")) and not list(folder.glob(".*.part"))
    listed = read_sources_csv(folder)
    assert listed["Monthly-AE-April-2017.csv"]["sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()


def test_an_interrupted_download_leaves_no_partial_file(server, tmp_path, monkeypatch):
    served, url = server
    publish_year(served)
    import analysis.fetch as fetch_module

    real = fetch_module.hashlib.sha256

    class Interrupting:
        def __init__(self):
            self.inner = real()

        def update(self, block):
            raise KeyboardInterrupt

    monkeypatch.setattr(fetch_module.hashlib, "sha256", Interrupting)
    with pytest.raises(KeyboardInterrupt):
        ae.fetch("2017-18", tmp_path / "data", url, progress=lambda m: None)
    assert nothing_kept(tmp_path / "data")


@pytest.mark.parametrize("argv, message", [
    (["--base-url", "notaurl"], "parameter 'base-url': 'notaurl' is not a web address"),
    (["--base-url", "ftp://host/x/"], "parameter 'base-url': 'ftp://host/x/' is not a web address"),
])
def test_fetch_arguments_are_checked_in_one_sentence(tmp_path, capsys, argv, message):
    assert main(["fetch", "ae", "--period", "2017-18", "--data", str(tmp_path / "d")] + argv) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"handbook: error: {message}; give one beginning http:// or https://"


def test_fetch_data_naming_a_file_is_one_sentence(tmp_path, capsys):
    target = tmp_path / "afile.csv"
    target.write_text("x\n")
    assert main(["fetch", "ae", "--period", "2017-18", "--data", str(target),
                 "--base-url", "http://127.0.0.1:1/"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"handbook: error: parameter 'data': {target} is a file, not a folder; give a folder to download into"
