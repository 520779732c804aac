"""The `handbook` command: run chapters, build the book, regenerate bundled samples.

    handbook build [--period 2016-17 | --period 2015-16..2018-19] [--force] [--data DIR [--real-only]]
    handbook run CHAPTER [--period P] [--force] [--data DIR [--real-only]] [-p NAME VALUE ...]
    handbook samples
    handbook fetch ae --period 2017-18 --data DIR [--base-url URL] [--allow-redirect-host HOST ...]

Errors a user can act on (a bad parameter, a malformed file, a failed chapter) are
printed as one message without a traceback, and the exit status is non-zero. Any other
error is printed as one sentence too, with the file where its full trace was written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

from .errors import HandbookError
from .registry import load_function, load_registry

TRACE_NAME = "handbook-error-{stamp}.txt"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line (no usage block), pointing at --help; exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _fetchable() -> list[str]:
    """The chapters with a downloader (`fetch` in the registry); none when the registry cannot be read
    (the command that needs it then says why)."""
    try:
        return [chapter.name for chapter in load_registry().chapters if chapter.fetch]
    except HandbookError:
        return []


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="handbook", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub):
        sub.add_argument("--period", help="the edition: an NHS financial year, e.g. 2016-17 (or 2016/17); "
                                          "for build also a range, e.g. 2015-16..2018-19 (one edition each)")
        sub.add_argument("--force", action="store_true",
                         help="execute chapters again even when nothing they depend on changed")
        sub.add_argument("--data", metavar="DIR",
                         help="folder of your own data files; datasets not found there come "
                              "from the bundled sample")
        sub.add_argument("--jobs", type=int, help="chapters run at once (default: CPU cores)")
        sub.add_argument("--real-only", action="store_true",
                         help="stop with an error if any dataset would come from a bundled synthetic sample")

    build = commands.add_parser("build", help="run every chapter and build the HTML book")
    common(build)
    run = commands.add_parser("run", help="run one chapter and rebuild the book")
    run.add_argument("chapter")
    common(run)
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), help="set a chapter parameter (repeatable)")
    commands.add_parser("samples", help="regenerate the bundled synthetic samples")
    fetch = commands.add_parser("fetch", help="download a dataset's published files into your data folder")
    fetch.add_argument("dataset", choices=_fetchable())
    fetch.add_argument("--period", required=True, help="NHS financial year, e.g. 2017-18")
    fetch.add_argument("--data", metavar="DIR", required=True, help="your data folder")
    fetch.add_argument("--base-url", help="where the files are published (see `handbook fetch --help`)")
    fetch.add_argument("--allow-redirect-host", metavar="HOST", action="append", default=[],
                       help="follow a redirect to this host too (repeatable); redirects to any host other "
                            "than the base URL's are refused otherwise")
    return parser


def write_trace(exc: BaseException) -> Path | None:
    """Write the full trace of an unexpected error to a file: _build/ if writable, else the
    temporary folder. Returns its path (None if nowhere could be written)."""
    from . import build as build_module

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    for folder in (Path(build_module.BUILD_DIR) / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / TRACE_NAME.format(stamp=stamp)
            path.write_text(text)
            return path
        except OSError:
            continue
    return None


def unexpected_sentence(exc: BaseException, trace: Path | None) -> str:
    """One sentence for an error the handbook did not foresee, naming the file when there is one."""
    where = f"the full trace is in {trace}" if trace else "no trace file could be written"
    if isinstance(exc, OSError) and exc.filename:
        reason = exc.strerror or type(exc).__name__
        return f"{exc.filename}: {reason.lower()} (the handbook could not read or write it); {where}"
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    detail = f" ({first})" if first else ""
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__.lstrip('_')}.{kind.__qualname__}"
    return f"an unexpected {name}{detail} stopped the command; {where}"


def interrupted_sentence(command: str, exc: KeyboardInterrupt) -> str:
    """What a Ctrl-C left, in the terms of the command it stopped."""
    from .fetch import FetchInterrupted

    if isinstance(exc, FetchInterrupted):
        return str(exc)
    if command == "fetch":
        return "interrupted before any download began; nothing was downloaded or recorded"
    return "interrupted; the last good book is unchanged"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            fetch = load_function(load_registry().chapter(args.dataset).fetch)
            for path in fetch(args.period, args.data, args.base_url, progress=_progress,
                                 allow_hosts=args.allow_redirect_host):
                print(path)
            return 0
        if args.command == "samples":
            from .samples import write_all_samples

            for path in write_all_samples(progress=_progress):
                print(path)
            return 0
        from .build import build

        overrides = {}
        if args.period is not None:  # an empty --period is an error, not the default
            overrides["period"] = args.period
        names = None
        if args.command == "run":
            names = [args.chapter]
            for name, value in args.parameter:
                overrides[name] = value
        index = build(names=names, data_dir=args.data, overrides=overrides,
                      progress=_progress, jobs=args.jobs, real_only=args.real_only, force=args.force)
    except HandbookError as exc:
        print(f"handbook: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        print(f"handbook: {interrupted_sentence(args.command, exc)}", file=sys.stderr)
        return 130
    except Exception as exc:  # anything unforeseen: one sentence here, the trace in a file
        print(f"handbook: error: {unexpected_sentence(exc, write_trace(exc))}", file=sys.stderr)
        return 1
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
