"""Download published files into a data folder, each validated before it is kept.

Each file goes to a temporary name in the target folder and is renamed into place only
once it is complete and verified: the server answered 200, the body is as long as its
Content-Length said, it is not a web page (an error page served with status 200), the
dataset's own check of the layout passes (for A&E, the file reads as that month's provider
CSV), and it matches any sha256 recorded in the folder's `sources.csv`. Only then is it
recorded there, with the URL asked for and the URL the bytes came from (after redirects).
A file already present is skipped only when it passes the same checks; otherwise it is
downloaded again. Partial files are removed on every exit, and those a killed fetch left
are removed by the next one. The whole fetch has an overall deadline, so a server that
trickles bytes cannot hold it for ever, and each file a size cap (`MAX_BYTES`), so a
server that never ends its body cannot fill the disk.

Redirects are followed on the host asked for (http to https too), never from https to
plain http, and to another host only when the caller names that host (`allow_hosts`;
`handbook fetch --allow-redirect-host HOST`). A Ctrl-C stops the fetch with the files
before it kept and recorded, and nothing of the file in progress left
(`FetchInterrupted` says which).
"""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .errors import DataError, HandbookError, ParameterError
from .sources import SOURCES_FILE, read_sources_csv, record_files, sha256_of

PART_SUFFIX = ".part"
WEB_PAGE_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")
# The most one file may weigh. A real month of A&E provider rows (226 to 237 providers a month,
# April 2016 to March 2019) written in the monthly CSV layout weighs 33-34 KB, so this is about
# 60 times the largest, room for many more providers or columns, yet small for a disk.
MAX_BYTES = 2_000_000


class FetchError(HandbookError):
    """A download failed, or what arrived is not the file it should be."""


class FetchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a fetch; the message says what was kept and recorded, and what was not."""


@dataclass(frozen=True)
class Download:
    """One file to fetch. `check(path)` raises DataError when the file is not what it should be."""

    url: str
    file: str
    sha256: str | None = None
    check: Callable[[Path], None] | None = None
    max_bytes: int = MAX_BYTES


def check_url(url: str, parameter: str = "base-url") -> None:
    """Only http and https addresses with a host are fetched."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ParameterError(parameter, f"'{url}' is not a web address; give one beginning http:// or https://")


def check_host(host: str, parameter: str = "allow-redirect-host") -> str:
    """A host name as given to allow redirects to it (no scheme, port or path), lower case."""
    name = host.strip().lower()
    if not name or urllib.parse.urlsplit(f"//{name}").hostname != name:
        raise ParameterError(parameter, f"'{host}' is not a host name; give one like files.example.org, "
                                        "without http:// or a path")
    return name


def data_folder(dest: Path) -> Path:
    """The folder files are fetched into: created if need be; a file in its place is an error."""
    dest = Path(dest)
    for part in [dest, *dest.parents]:
        if part.exists() and not part.is_dir():
            raise ParameterError("data", f"{part} is a file, not a folder; give a folder to download into")
    dest.mkdir(parents=True, exist_ok=True)
    listing = dest / SOURCES_FILE
    if listing.exists():
        from .build.plan import check_sources_listing

        check_sources_listing(listing)
    return dest


def fetch_files(items: list[Download], dest: Path, publisher: str, title: str,
                progress: Callable[[str], None] = print, timeout: float = 60,
                deadline: float = 1800, allow_hosts: Iterable[str] = ()) -> list[Path]:
    """Fetch each item into `dest`; return the paths now present and verified.

    `timeout` bounds each wait for the server; `deadline` (seconds) bounds the whole fetch;
    `allow_hosts` names hosts other than each URL's own that a redirect may lead to.
    """
    for item in items:
        check_url(item.url)
        if Path(item.file).name != item.file:
            raise ParameterError("file", f"'{item.file}' must be a plain file name")
    allowed = {check_host(host) for host in allow_hosts}
    dest = data_folder(dest)
    for stale in dest.glob(f".*{PART_SUFFIX}"):
        stale.unlink()
    recorded = read_sources_csv(dest)
    finish_by = time.monotonic() + deadline
    done = []
    try:
        for number, item in enumerate(items, 1):
            target = dest / item.file
            expected = item.sha256 or recorded.get(item.file, {}).get("sha256") or None
            prefix = f"[{number}/{len(items)}] {item.file}"
            if target.exists():
                problem = _problem(item, target, expected)
                if problem is None:
                    progress(f"{prefix}: present and verified, skipped")
                    done.append(target)
                    continue
                progress(f"{prefix}: present but {problem}; downloading it again")
                expected = item.sha256  # the recorded checksum was of a file that fails its checks
            progress(f"{prefix}: downloading {item.url}")

            def keep(final_url: str, item=item, target=target) -> None:
                record_files([target], publisher=publisher, title=title, url=item.url, final_url=final_url)
                done.append(target)

            final_url = _download(item, target, expected, timeout, finish_by, deadline, allowed, keep)
            if final_url != item.url:
                progress(f"{prefix}: redirected; the file came from {final_url}")
    except KeyboardInterrupt:
        raise FetchInterrupted(_interrupted(items, done, dest)) from None
    return done


def _interrupted(items: list[Download], done: list[Path], dest: Path) -> str:
    """What a Ctrl-C left: the files kept and recorded, and those not fetched."""
    if len(done) == len(items):
        return f"interrupted after the last file; all {len(items)} files are kept, verified and recorded"
    current, after = items[len(done)].file, len(items) - len(done) - 1
    kept = (f"the {len(done)} file(s) before it are kept, verified and recorded in {dest / SOURCES_FILE}" if done
            else f"no file was kept or recorded in {dest}")
    return (f"interrupted while fetching {current} (file {len(done) + 1} of {len(items)}); {kept}; no partial "
            f"download is left, and {current} and the {after} file(s) after it were not fetched; run the same "
            "command again to fetch them")


@contextmanager
def _ctrl_c_deferred():
    """Ctrl-C inside the block takes effect when it ends, so a file is either in place and recorded,
    or neither (only the main thread receives signals; elsewhere the block runs as is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    if pressed:
        raise KeyboardInterrupt


def _problem(item: Download, path: Path, expected: str | None) -> str | None:
    """Why a file present is not verified, or None when it is."""
    if not expected:
        return "not recorded with a checksum"
    if sha256_of(path) != expected:
        return "different from its recorded checksum"
    try:
        _validate(item, path, item.url)
    except FetchError as exc:
        return f"not a valid file ({exc})"
    return None


def _validate(item: Download, path: Path, url: str) -> None:
    """Refuse a web page and any file that fails the dataset's own check."""
    with open(path, "rb") as handle:
        head = handle.read(512).lstrip().lower()
    if head.startswith(WEB_PAGE_STARTS):
        raise FetchError(f"{url}: the server sent a web page, not {item.file}; the download was discarded")
    if item.check is not None:
        try:
            item.check(path)
        except DataError as exc:
            reason = str(exc).replace(str(path), item.file)
            raise FetchError(f"{url}: what arrived is not a valid {item.file} ({reason}); "
                             "the download was discarded") from None


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect on the same host (http to https too) or to a host in `allowed`; refuses
    one to any other host, from https to plain http, or to another scheme, in one sentence."""

    def __init__(self, item: Download, allowed: set[str]):
        self.item, self.allowed = item, allowed | {urllib.parse.urlsplit(item.url).hostname}

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        before, after = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        url, name = self.item.url, self.item.file
        problem = None
        if after.scheme not in ("http", "https"):
            problem = f"the server redirected to {newurl}, which is not a web address"
        elif before.scheme == "https" and after.scheme == "http":
            problem = (f"the server redirected from https to plain http ({newurl}), where the file could be "
                       "altered on the way")
        elif after.hostname not in self.allowed:
            problem = (f"the server redirected from host {before.hostname} to another host, {after.hostname} "
                       f"({newurl}), which is refused unless you allow it with --allow-redirect-host "
                       f"{after.hostname}")
        if problem:
            fp.close()
            raise FetchError(f"{url}: {problem}; {name} was not downloaded")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(item: Download, target: Path, expected: str | None, timeout: float, finish_by: float,
              deadline: float, allowed: set[str], record: Callable[[str], None]) -> str:
    """Download `item` into `target` and `record` it (given the URL the bytes came from), which it returns."""
    url = item.url
    cap = f"{url}: the server sent more than {item.max_bytes:,} bytes, the most one file may weigh"
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PART_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                opener = urllib.request.build_opener(_Redirects(item, allowed))
                with opener.open(url, timeout=timeout) as response:
                    if response.status != 200:
                        raise FetchError(f"{url}: the server answered {response.status} {response.reason}, "
                                         f"not 200 OK; {target.name} was not downloaded")
                    final_url = response.url
                    kind = (response.headers.get("Content-Type") or "").lower()
                    if kind.startswith(("text/html", "application/xhtml")):
                        raise FetchError(f"{url}: the server sent a web page ({kind.split(';')[0]}), "
                                         f"not {target.name}; the download was discarded")
                    length = response.headers.get("Content-Length")
                    if length is not None and length.isdigit() and int(length) > item.max_bytes:
                        raise FetchError(f"{cap} (it announced {int(length):,}); {target.name} was not downloaded")
                    received = 0
                    # Bytes beyond an announced Content-Length are not part of the response and are not read.
                    for block in iter(lambda: response.read1(1 << 16), b""):
                        if time.monotonic() > finish_by:
                            raise FetchError(f"{url}: the fetch took longer than its overall limit of "
                                             f"{deadline:.0f} s; {target.name} was not downloaded")
                        received += len(block)
                        if received > item.max_bytes:
                            raise FetchError(f"{cap}; the download was stopped there and {target.name} "
                                             "was discarded")
                        digest.update(block)
                        out.write(block)
                    if length is not None and length.isdigit() and received != int(length):
                        raise FetchError(f"{url}: the download stopped at {received:,} of {int(length):,} bytes; "
                                         f"{target.name} was discarded")
            except FetchError:
                raise
            except urllib.error.HTTPError as exc:
                raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}; "
                                 f"{target.name} was not downloaded") from None
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", None) or exc
                raise FetchError(f"{url}: could not download ({reason}); {target.name} was not "
                                 "downloaded") from None
            except Exception as exc:  # http.client.IncompleteRead and other protocol faults
                raise FetchError(f"{url}: the download broke off ({type(exc).__name__}); "
                                 f"{target.name} was not downloaded") from None
        _validate(item, Path(temporary), url)
        if expected and digest.hexdigest() != expected:
            raise FetchError(f"{url}: checksum mismatch for {target.name} (expected sha256 {expected[:12]}..., "
                             f"got {digest.hexdigest()[:12]}...); the download was discarded")
        with _ctrl_c_deferred():  # in place and recorded, or neither
            os.replace(temporary, target)
            record(final_url)
        return final_url
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
