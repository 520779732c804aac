"""Download published files into a data folder, each validated before it is kept.

Each file goes to a temporary name in the target folder and is renamed into place only
once it is complete and verified: the server answered 200, the body is as long as its
Content-Length said, it is not a web page (an error page served with status 200), the
dataset's own check of the layout passes (for A&E, the file reads as that month's provider
CSV), and it matches any sha256 recorded in the folder's `sources.csv`. Only then is it
recorded there. A file already present is skipped only when it passes the same checks;
otherwise it is downloaded again. Partial files are removed on every exit, and those a
killed fetch left are removed by the next one. The whole fetch has an overall deadline,
so a server that trickles bytes cannot hold it for ever.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import DataError, HandbookError, ParameterError
from .sources import SOURCES_FILE, read_sources_csv, record_files, sha256_of

PART_SUFFIX = ".part"
WEB_PAGE_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")


class FetchError(HandbookError):
    """A download failed, or what arrived is not the file it should be."""


@dataclass(frozen=True)
class Download:
    """One file to fetch. `check(path)` raises DataError when the file is not what it should be."""

    url: str
    file: str
    sha256: str | None = None
    check: Callable[[Path], None] | None = None


def check_url(url: str, parameter: str = "base-url") -> None:
    """Only http and https addresses with a host are fetched."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ParameterError(parameter, f"'{url}' is not a web address; give one beginning http:// or https://")


def data_folder(dest: Path) -> Path:
    """The folder files are fetched into: created if need be; a file in its place is an error."""
    dest = Path(dest)
    for part in [dest, *dest.parents]:
        if part.exists() and not part.is_dir():
            raise ParameterError("data", f"{part} is a file, not a folder; give a folder to download into")
    dest.mkdir(parents=True, exist_ok=True)
    listing = dest / SOURCES_FILE
    if listing.exists():
        from .build import check_sources_listing

        check_sources_listing(listing)
    return dest


def fetch_files(items: list[Download], dest: Path, publisher: str, title: str,
                progress: Callable[[str], None] = print, timeout: float = 60,
                deadline: float = 1800) -> list[Path]:
    """Fetch each item into `dest`; return the paths now present and verified.

    `timeout` bounds each wait for the server; `deadline` (seconds) bounds the whole fetch.
    """
    for item in items:
        check_url(item.url)
        if Path(item.file).name != item.file:
            raise ParameterError("file", f"'{item.file}' must be a plain file name")
    dest = data_folder(dest)
    for stale in dest.glob(f".*{PART_SUFFIX}"):
        stale.unlink()
    recorded = read_sources_csv(dest)
    finish_by = time.monotonic() + deadline
    done = []
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
        _download(item, target, expected, timeout, finish_by, deadline)
        record_files([target], publisher=publisher, title=title, url=item.url)
        done.append(target)
    return done


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


def _download(item: Download, target: Path, expected: str | None, timeout: float,
              finish_by: float, deadline: float) -> None:
    url = item.url
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PART_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    if response.status != 200:
                        raise FetchError(f"{url}: the server answered {response.status} {response.reason}, "
                                         f"not 200 OK; {target.name} was not downloaded")
                    kind = (response.headers.get("Content-Type") or "").lower()
                    if kind.startswith(("text/html", "application/xhtml")):
                        raise FetchError(f"{url}: the server sent a web page ({kind.split(';')[0]}), "
                                         f"not {target.name}; the download was discarded")
                    length = response.headers.get("Content-Length")
                    received = 0
                    for block in iter(lambda: response.read1(1 << 16), b""):
                        if time.monotonic() > finish_by:
                            raise FetchError(f"{url}: the fetch took longer than its overall limit of "
                                             f"{deadline:.0f} s; {target.name} was not downloaded")
                        digest.update(block)
                        out.write(block)
                        received += len(block)
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
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
