"""Download published files into a data folder, checked against recorded sha256 checksums.

Each file goes to a temporary name in the target folder and is renamed into place only
once complete and verified, so an interrupted or corrupted download never leaves a
half-written file. A file already present whose checksum matches the one recorded in the
folder's `sources.csv` is skipped. A download whose checksum differs from the recorded
one, or an HTTP error, is a clear error naming the URL and the file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import HandbookError
from .sources import read_sources_csv, record_files, sha256_of


class FetchError(HandbookError):
    """A download failed or did not match its checksum."""


@dataclass(frozen=True)
class Download:
    url: str
    file: str
    sha256: str | None = None


def fetch_files(items: list[Download], dest: Path, publisher: str, title: str,
                progress: Callable[[str], None] = print, timeout: float = 60) -> list[Path]:
    """Fetch each item into `dest`; return the paths now present and verified."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    recorded = read_sources_csv(dest)
    done = []
    for number, item in enumerate(items, 1):
        target = dest / item.file
        expected = item.sha256 or recorded.get(item.file, {}).get("sha256") or None
        prefix = f"[{number}/{len(items)}] {item.file}"
        if target.exists() and expected and sha256_of(target) == expected:
            progress(f"{prefix}: present and verified, skipped")
            done.append(target)
            continue
        progress(f"{prefix}: downloading {item.url}")
        _download(item.url, target, expected, timeout)
        record_files([target], publisher=publisher, title=title, url=item.url)
        done.append(target)
    return done


def _download(url: str, target: Path, expected: str | None, timeout: float) -> None:
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    for block in iter(lambda: response.read(1 << 16), b""):
                        digest.update(block)
                        out.write(block)
            except urllib.error.HTTPError as exc:
                raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}; "
                                 f"{target.name} was not downloaded") from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise FetchError(f"{url}: could not download ({reason}); {target.name} was not "
                                 "downloaded") from None
        if expected and digest.hexdigest() != expected:
            raise FetchError(f"{url}: checksum mismatch for {target.name} (expected sha256 {expected[:12]}..., "
                             f"got {digest.hexdigest()[:12]}...); the download was discarded")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
