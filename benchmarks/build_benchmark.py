"""Benchmark a clean `handbook build`: wall time, each chapter's time, peak memory, page weights.

A script, not a test: it prints figures to compare between runs on the same machine.
It builds a copy of book/ into a temporary folder, so the working book is untouched.

    python benchmarks/build_benchmark.py [--data DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from analysis import REPO_ROOT
from analysis.build import build

AIM_SECONDS = 60
AIM_PAGE_BYTES = 1_000_000


def page_weight(html: Path) -> tuple[int, int]:
    """Bytes of the page itself, and of the page with every local script and style it loads.

    Scripts and styles (the theme's and the one Vega bundle) are shared by every page and
    cached by the browser after the first, so the page's own bytes are what each new page costs.
    """
    import re

    text = html.read_text()
    assets = 0
    for ref in set(re.findall(r'(?:src|href)="([^"#?]+)', text)):
        asset = (html.parent / ref).resolve()
        if not ref.startswith(("http:", "https:", "data:")) and asset.is_file() \
                and asset.suffix in (".js", ".css"):
            assets += asset.stat().st_size
    own = html.stat().st_size
    return own, own + assets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(REPO_ROOT / "book", book, ignore=shutil.ignore_patterns("chapters"))
        start = time.perf_counter()
        index = build(data_dir=args.data, book_dir=book, build_dir=Path(tmp) / "_build",
                      progress=lambda message: None, jobs=args.jobs)
        wall = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        html = index.parent
        log = json.loads((html / "_static" / "handbook-run.json").read_text())
        print(f"clean build, wall time: {wall:.1f} s (aim: under {AIM_SECONDS} s)")
        for entry in log:
            print(f"  chapter {entry['chapter']:<12} {entry['seconds']:6.1f} s")
        print(f"peak memory: {own_peak:.0f} MB (this process), {peak:.0f} MB (largest child: kernel or Sphinx)")
        print(f"page weights (aim: each page under {AIM_PAGE_BYTES / 1e6:.0f} MB; shared scripts and styles, "
              "the Vega bundle among them, are fetched once and cached):")
        for page in sorted(p for p in html.rglob("*.html") if "_static" not in p.parts):
            own, everything = page_weight(page)
            print(f"  {str(page.relative_to(html)):<24} page {own / 1024:7.0f} KB   "
                  f"with shared assets {everything / 1024:7.0f} KB")


if __name__ == "__main__":
    main()
