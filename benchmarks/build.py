"""Benchmark the build's speed against its aims, beside the floor it measures on this machine.

A script, not a test: the figures depend on the machine and its load. It builds copies of
book/ in a temporary folder, so the working book is untouched, and prints:

- floor: one kernel started as the build starts them (forked from the kernel server, once the
  server has done its imports) and `import pandas, altair, analysis.page` run in it (no chapter
  is faster); beside each timing, the floor of that build: the chapters it executed times the
  floor, shared by the cores, and where its time went (planning until the chapters start, the
  chapters, then the HTML and the swap);
- clean build of one edition (the report year's);
- rebuild with nothing changed (no notebook executed, no page rebuilt);
- one chapter re-run (`handbook run ae --force`);
- clean build of four editions (2015-16..2018-19);
- with `--tests`, also the README's test command (`python -m pytest`, which builds its own
  books) in this checkout: its wall time against its aim, and the busy CPU-seconds of the
  machine while it ran (so a slower machine and a heavier suite can be told apart), beside
  the floor measured again just before it.

    python benchmarks/build.py [--data DIR] [--jobs N] [--tests]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import REPO_ROOT
from analysis.build import build

AIMS = {"rebuild, nothing changed": 3, "one chapter re-run": 5, "clean build, one edition": 20,
        "clean build, four editions": 60}
TESTS_AIM = 120  # seconds, for `python -m pytest` on 2 cores


def floor_seconds() -> float:
    """Start a kernel as the build does (forked from the kernel server, over local sockets), import
    what every chapter imports, stop it. The first kernel waits for the server's imports, which a
    build overlaps with its planning: the second is timed."""
    from analysis.build.execute import _ipc_kernel_manager, start_kernel_server

    async def one_kernel(prefix: str) -> float:
        start = time.perf_counter()
        manager = _ipc_kernel_manager(prefix)(kernel_name="python3")
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            await client.execute_interactive("import pandas, altair, analysis.page", timeout=300)
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)
        return time.perf_counter() - start

    start_kernel_server()
    with tempfile.TemporaryDirectory() as sockets:
        asyncio.run(one_kernel(str(Path(sockets) / "first-")))
        return asyncio.run(one_kernel(str(Path(sockets) / "floor-")))


def fresh_copy(root: Path) -> tuple[Path, Path]:
    book = root / "book"
    shutil.copytree(REPO_ROOT / "book", book, ignore=shutil.ignore_patterns("chapters", "vega-bundle.js"))
    return book, root / "_build"


def timed(**kwargs) -> tuple[float, int, str]:
    """Seconds the build took, how many chapters it executed, and where the time went: until
    its chapters started (the data folder's checks and every chapter's plan), while they ran,
    and after the last one (the HTML, the swap)."""
    said: list[tuple[float, str]] = []
    start = time.perf_counter()
    build(progress=lambda message: said.append((time.perf_counter() - start, message)), **kwargs)
    seconds = time.perf_counter() - start
    running = [(at, m) for at, m in said if m.startswith("Running ")]
    done = [at for at, m in said if m.startswith("Chapters done in ")]
    if not running or not done:
        return seconds, 0, "no chapter run"
    began, ended = running[0][0], done[-1]
    phases = f"planning {began:.1f} s, chapters {ended - began:.1f} s, then {seconds - ended:.1f} s"
    return seconds, int(running[0][1].split()[1]), phases


def busy_cpu_seconds() -> float | None:
    """CPU-seconds this machine has spent busy since it started (user, nice, system and interrupts,
    from /proc/stat), or None where there is no /proc/stat: the processes a test run starts are
    not all its descendants when they end (kernels, Chromium), so their time is counted machine-wide."""
    try:
        ticks = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(t) for t in ticks[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def time_tests() -> tuple[float, float | None, str]:
    """Wall seconds of `python -m pytest` in this checkout, the machine's busy CPU-seconds meanwhile,
    and its summary line. A failing suite is not a timing: it stops the benchmark."""
    busy = busy_cpu_seconds()
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = result.stdout.strip().splitlines() or [""]
    if result.returncode != 0:
        raise SystemExit(f"python -m pytest failed (exit status {result.returncode}); no timing:\n"
                         + "\n".join(lines[-15:]) + result.stderr[-2000:])
    after = busy_cpu_seconds()
    return seconds, None if busy is None or after is None else after - busy, lines[-1].strip("= ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--tests", action="store_true", help="also time python -m pytest against its aim")
    args = parser.parse_args()
    common = {"data_dir": args.data, "jobs": args.jobs}
    figures = {}
    load_before = os.getloadavg()[0]
    floor = floor_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        book, out = fresh_copy(Path(tmp) / "one")
        figures["clean build, one edition"] = timed(book_dir=book, build_dir=out, **common)
        figures["rebuild, nothing changed"] = timed(book_dir=book, build_dir=out, **common)
        figures["one chapter re-run"] = timed(book_dir=book, build_dir=out, names=["ae"], force=True, **common)
        book, out = fresh_copy(Path(tmp) / "four")
        figures["clean build, four editions"] = timed(book_dir=book, build_dir=out,
                                                      overrides={"period": "2015-16..2018-19"}, **common)
    if args.tests:
        tests_floor = floor_seconds()
        tests = time_tests()
    cores = min(args.jobs or os.cpu_count() or 1, os.cpu_count() or 1)
    print(f"Build benchmark ({os.cpu_count()} cores, data: {args.data or 'bundled samples'}, "
          f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)")
    print(f"  {'floor: kernel start + imports':32} {floor:6.1f} s")
    for name in AIMS:
        seconds, chapters, phases = figures[name]
        verdict = "meets" if seconds < AIMS[name] else "misses"
        print(f"  {name:32} {seconds:6.1f} s   aim < {AIMS[name]} s ({verdict}); {chapters} chapter(s) executed, "
              f"floor {chapters * floor / min(cores, max(chapters, 1)):.1f} s; {phases}")

    if args.tests:
        seconds, cpu, summary = tests
        verdict = "meets" if seconds < TESTS_AIM else "misses"
        busy = "not measured (no /proc/stat)" if cpu is None else f"{cpu:.0f} CPU-s"
        print(f"  {'python -m pytest':32} {seconds:6.1f} s   aim < {TESTS_AIM} s ({verdict}); machine busy {busy} "
              f"({summary}), floor just before it {tests_floor:.1f} s")


if __name__ == "__main__":
    main()
