"""Downloading the published A&E files, over a local HTTP server on 127.0.0.1."""

import hashlib
import http.server
import os
import re
import signal
import subprocess
import sys
import time
import types

import pandas as pd
import pytest

from analysis import REPO_ROOT, ae
from analysis.ae.readers import month_from_period
from analysis.cli import main
from analysis.errors import ParameterError
from analysis.fetch import MAX_BYTES, Download, FetchError, fetch_files
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
        elif mode == "slowafterapril":  # April at once, then every later month a byte at a time
            self.path = self.path.replace("slowafterapril", "good" if "April" in name else "trickle")
            self.do_GET()
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
        elif mode in ("endless", "chunked", "huge", "overlong"):  # a body with no end (stops at 10x the cap)
            month = month_from_period(name.replace("Monthly-AE-", "").replace(".csv", "").replace("-", " "))
            body = monthly_csv(month)
            self.send_response(200)
            if mode == "chunked":
                self.send_header("Transfer-Encoding", "chunked")
            elif mode == "huge":
                self.send_header("Content-Length", str(10 ** 10))
            elif mode == "overlong":  # announces one month's CSV, then sends on after it
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            block = b"9" * (1 << 16)
            try:
                self.wfile.write(body if mode != "chunked" else b"%x\r\n%s\r\n" % (len(body), body))
                for _ in range(10 * MAX_BYTES // len(block)):
                    self.wfile.write(block if mode != "chunked" else b"%x\r\n%s\r\n" % (len(block), block))
                    self.sent = getattr(self, "sent", 0) + len(block)
            except OSError:
                pass
        elif mode in ("samehost", "otherhost", "ftp"):  # a redirect to /good/ here, on localhost, or to ftp
            where = {"samehost": f"/good/{name}",
                     "otherhost": f"http://localhost:{self.server.server_port}/good/{name}",
                     "ftp": f"ftp://127.0.0.1/{name}"}[mode]
            self.send_response(302)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()


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


@pytest.mark.parametrize("announced", [True, False])
@pytest.mark.parametrize("over", [0, 1])
def test_the_size_cap_keeps_a_file_of_exactly_its_size_and_refuses_one_byte_more(bad_server, tmp_path, announced,
                                                                                  over):
    """At the boundary, with and without a Content-Length (the good server announces it, the
    wrong-month one does not): a file the size of the cap is kept, a byte more is refused."""
    body = monthly_csv(pd.Period("2017-04", "M"))
    mode = "good" if announced else "wrongmonth"
    item = Download(f"{bad_server}{mode}/Monthly-AE-April-2017.csv", "Monthly-AE-April-2017.csv",
                    max_bytes=len(body) - over)
    dest = tmp_path / "d"
    if over:
        with pytest.raises(FetchError, match=rf"the server sent more than {len(body) - 1:,} bytes, the most one file "
                                             "may weigh"):
            fetch_files([item], dest, "p", "t", progress=lambda m: None)
        assert nothing_kept(dest)
    else:
        fetch_files([item], dest, "p", "t", progress=lambda m: None)
        assert (dest / "Monthly-AE-April-2017.csv").read_bytes() == body


@pytest.mark.parametrize("mode, message", [
    ("endless", r"the server sent more than 2,000,000 bytes, the most one file may weigh; the download was "
                r"stopped there and Monthly-AE-April-2017.csv was discarded"),
    ("chunked", r"the server sent more than 2,000,000 bytes, the most one file may weigh; the download was "
                r"stopped there and Monthly-AE-April-2017.csv was discarded"),
    ("huge", r"the server sent more than 2,000,000 bytes, the most one file may weigh \(it announced "
             r"10,000,000,000\); Monthly-AE-April-2017.csv was not downloaded"),
])
def test_a_body_beyond_the_size_cap_is_stopped_there_and_nothing_kept(bad_server, tmp_path, capsys, mode, message):
    data = tmp_path / "data"
    started = time.monotonic()
    assert main(["fetch", "ae", "--period", "2017-18", "--data", str(data), "--base-url", bad_server + mode + "/"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[0].startswith("[1/12] Monthly-AE-April-2017.csv: downloading")
    assert err[1].startswith(f"handbook: error: {bad_server}{mode}/Monthly-AE-April-2017.csv: ")
    assert re.search(message, err[1])
    assert time.monotonic() - started < 20
    assert nothing_kept(data)


def test_bytes_beyond_the_announced_length_are_never_read(bad_server, tmp_path):
    """A server that announces one month's CSV and then sends on: only the announced bytes are
    read (they are the whole response), so the month is kept as announced, and nothing more."""
    data = tmp_path / "data"
    started = time.monotonic()
    paths = ae.fetch("2017-18", data, bad_server + "overlong/", progress=lambda m: None)
    assert time.monotonic() - started < 20
    assert [p.read_bytes() for p in paths] == [monthly_csv(m) for m in FinancialYear(2017).months()]


@pytest.mark.parametrize("mode, allowed, final", [
    ("samehost", [], "{base}good/{name}"),
    ("otherhost", ["localhost"], "http://localhost:{port}/good/{name}"),
    ("otherhost", ["LocalHost"], "http://localhost:{port}/good/{name}"),
])
def test_a_redirect_is_followed_where_allowed_and_the_final_url_recorded(bad_server, tmp_path, mode, allowed, final):
    data = tmp_path / "data"
    messages = []
    ae.fetch("2017-18", data, bad_server + mode + "/", progress=messages.append, allow_hosts=allowed)
    listed = read_sources_csv(data / "ae")
    port = bad_server.rsplit(":", 1)[1].strip("/")
    for month in FinancialYear(2017).months():
        name = ae.monthly_file_name(month)
        assert listed[name]["url"] == f"{bad_server}{mode}/{name}"
        assert listed[name]["final_url"] == final.format(base=bad_server, port=port, name=name)
        assert (data / "ae" / name).read_bytes() == monthly_csv(month)
    assert f"[1/12] Monthly-AE-April-2017.csv: redirected; the file came from " \
           f"{final.format(base=bad_server, port=port, name='Monthly-AE-April-2017.csv')}" in messages
    header = (data / "ae" / "sources.csv").read_text().splitlines()[0]
    assert header == "file,publisher,title,url,final_url,date,sha256,synthetic,notes"


@pytest.mark.parametrize("mode, allowed, message", [
    ("otherhost", [], r"the server redirected from host 127.0.0.1 to another host, localhost "
                      r"\(http://localhost:\d+/good/Monthly-AE-April-2017.csv\), which is refused unless you allow "
                      r"it with --allow-redirect-host localhost; Monthly-AE-April-2017.csv was not downloaded"),
    ("otherhost", ["files.example.org"], r"from host 127.0.0.1 to another host, localhost"),
    ("ftp", [], r"the server redirected to ftp://127.0.0.1/Monthly-AE-April-2017.csv, which is not a web "
                r"address; Monthly-AE-April-2017.csv was not downloaded"),
])
def test_a_redirect_to_another_host_or_scheme_is_refused_in_one_sentence(bad_server, tmp_path, capsys, mode,
                                                                         allowed, message):
    data = tmp_path / "data"
    argv = ["fetch", "ae", "--period", "2017-18", "--data", str(data), "--base-url", bad_server + mode + "/"]
    for host in allowed:
        argv += ["--allow-redirect-host", host]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"handbook: error: {bad_server}{mode}/Monthly-AE-April-2017.csv: ")
    assert re.search(message, err)
    assert nothing_kept(data)


@pytest.mark.parametrize("before, after, followed", [
    ("http://files.example.org/a.csv", "https://files.example.org/b.csv", True),  # upgraded, same host
    ("https://files.example.org/a.csv", "https://FILES.example.org:8443/b.csv", True),  # same host, other port
    ("https://files.example.org/a.csv", "http://files.example.org/a.csv", False),  # downgraded
    ("http://files.example.org/a.csv", "https://mirror.example.net/a.csv", False),  # another host
])
def test_which_redirects_are_followed(before, after, followed):
    """The rule for each hop, as urllib asks it (an https server is not run here)."""
    import io
    import urllib.request

    from analysis.fetch import _Redirects

    handler = _Redirects(Download(before, "a.csv"), set())
    request = urllib.request.Request(before)
    if followed:
        assert handler.redirect_request(request, io.BytesIO(), 302, "Found", {}, after).full_url == after
    else:
        with pytest.raises(FetchError, match=r"a.csv: the server redirected .*; a.csv was not downloaded"):
            handler.redirect_request(request, io.BytesIO(), 302, "Found", {}, after)


@pytest.mark.parametrize("host", ["http://files.example.org", "files.example.org/data", "files.example.org:8080", ""])
def test_an_allowed_host_must_be_a_host_name(tmp_path, capsys, host):
    assert main(["fetch", "ae", "--period", "2017-18", "--data", str(tmp_path / "d"),
                 "--base-url", "http://127.0.0.1:1/", "--allow-redirect-host", host]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"handbook: error: parameter 'allow-redirect-host': '{host}' is not a host name; give one like "
                   "files.example.org, without http:// or a path")
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("stop_in, kept", [
    ("the download of file 1", 0),
    ("the download of file 3", 2),
    ("the recording of file 2", 2),  # Ctrl-C while file 2 is put in place waits until it is recorded
])
def test_ctrl_c_says_what_was_kept_and_recorded(server, tmp_path, monkeypatch, capsys, stop_in, kept):
    served, url = server
    publish_year(served)
    import analysis.fetch as fetch_module

    number = int(stop_in.rsplit(" ", 1)[1])
    if stop_in.startswith("the download"):
        real, opened = hashlib.sha256, []

        def counting():  # each download starts a digest
            opened.append(1)
            if len(opened) == number:
                raise KeyboardInterrupt
            return real()

        monkeypatch.setattr(fetch_module, "hashlib", types.SimpleNamespace(sha256=counting))
    else:
        real_record, recorded = fetch_module.record_files, []

        def record_then_ctrl_c(*args, **kwargs):
            recorded.append(1)
            if len(recorded) == number:
                os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, half way through keeping the file
            real_record(*args, **kwargs)

        monkeypatch.setattr(fetch_module, "record_files", record_then_ctrl_c)
    data = tmp_path / "data"
    assert main(["fetch", "ae", "--period", "2017-18", "--data", str(data), "--base-url", url]) == 130
    err = capsys.readouterr().err.strip().splitlines()[-1]
    months = [ae.monthly_file_name(m) for m in FinancialYear(2017).months()]
    stopped = months[kept]
    said = (f"the {kept} file(s) before it are kept, verified and recorded in {data / 'ae' / 'sources.csv'}"
            if kept else f"no file was kept or recorded in {data / 'ae'}")
    assert err == (f"handbook: interrupted while fetching {stopped} (file {kept + 1} of 12); {said}; no partial "
                   f"download is left, and {stopped} and the {11 - kept} file(s) after it were not fetched; run "
                   "the same command again to fetch them")
    assert "last good book" not in err
    on_disk = sorted(p.name for p in (data / "ae").iterdir())
    assert on_disk == sorted(months[:kept] + (["sources.csv"] if kept else []))
    assert sorted(read_sources_csv(data / "ae")) == sorted(months[:kept])


def test_a_real_ctrl_c_stops_the_command_with_status_130(bad_server, tmp_path):
    """The command run as a user runs it, sent SIGINT while the second file trickles in.

    It starts with Ctrl-C's default action, as from a terminal, whatever this run inherited (a
    shell's background job ignores SIGINT, and so would the command)."""
    data, err = tmp_path / "data", tmp_path / "stderr.txt"
    with open(err, "w") as written:
        inherited = signal.signal(signal.SIGINT, signal.default_int_handler)  # caught here, so not ignored there
        try:
            command = subprocess.Popen([sys.executable, "-m", "analysis.cli", "fetch", "ae", "--period", "2017-18",
                                        "--data", str(data), "--base-url", bad_server + "slowafterapril/"],
                                       stdout=subprocess.DEVNULL, stderr=written, cwd=REPO_ROOT)
        finally:
            signal.signal(signal.SIGINT, inherited)
        try:
            deadline = time.monotonic() + 30
            while "[2/12] Monthly-AE-May-2017.csv: downloading" not in err.read_text():
                assert time.monotonic() < deadline and command.poll() is None, err.read_text()
                time.sleep(0.05)
            time.sleep(0.3)  # into the download
            command.send_signal(signal.SIGINT)
            assert command.wait(timeout=30) == 130
        finally:
            command.kill()
            command.wait()
    last = err.read_text().strip().splitlines()[-1]
    assert last == (f"handbook: interrupted while fetching Monthly-AE-May-2017.csv (file 2 of 12); the 1 file(s) "
                    f"before it are kept, verified and recorded in {data / 'ae' / 'sources.csv'}; no partial download "
                    "is left, and Monthly-AE-May-2017.csv and the 10 file(s) after it were not fetched; run the same "
                    "command again to fetch them")
    assert sorted(p.name for p in (data / "ae").iterdir()) == ["Monthly-AE-April-2017.csv", "sources.csv"]
    assert list(read_sources_csv(data / "ae")) == ["Monthly-AE-April-2017.csv"]
