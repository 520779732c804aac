"""The `handbook` command: run chapters, build the book, regenerate bundled samples.

    handbook build [--period 2016-17] [--data DIR]
    handbook run CHAPTER [--period P] [--data DIR] [-p NAME VALUE ...]
    handbook samples
    handbook fetch ae --period 2017-18 --data DIR [--base-url URL]

Errors a user can act on (a bad parameter, a malformed file, a failed chapter) are
printed as one message without a traceback, and the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import sys

from .errors import HandbookError


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="handbook", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub):
        sub.add_argument("--period", help="NHS financial year, e.g. 2016-17 (or 2016/17)")
        sub.add_argument("--data", metavar="DIR",
                         help="folder of your own data files; datasets not found there come "
                              "from the bundled sample")
        sub.add_argument("--jobs", type=int, help="chapters run at once (default: CPU cores)")

    build = commands.add_parser("build", help="run every chapter and build the HTML book")
    common(build)
    run = commands.add_parser("run", help="run one chapter and rebuild the book")
    run.add_argument("chapter")
    common(run)
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), help="set a chapter parameter (repeatable)")
    commands.add_parser("samples", help="regenerate the bundled synthetic samples")
    fetch = commands.add_parser("fetch", help="download a dataset's published files into your data folder")
    fetch.add_argument("dataset", choices=["ae"])
    fetch.add_argument("--period", required=True, help="NHS financial year, e.g. 2017-18")
    fetch.add_argument("--data", metavar="DIR", required=True, help="your data folder")
    fetch.add_argument("--base-url", help="where the files are published (see `handbook fetch --help`)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            from . import ae

            for path in ae.fetch(args.period, args.data, args.base_url, progress=_progress):
                print(path)
            return 0
        if args.command == "samples":
            from .samples import write_all_samples

            for path in write_all_samples(progress=_progress):
                print(path)
            return 0
        from .build import build

        overrides = {}
        if args.period:
            overrides["period"] = args.period
        names = None
        if args.command == "run":
            names = [args.chapter]
            for name, value in args.parameter:
                overrides[name] = value
        index = build(names=names, data_dir=args.data, overrides=overrides,
                      progress=_progress, jobs=args.jobs)
    except HandbookError as exc:
        print(f"handbook: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("handbook: interrupted; the last good book is unchanged", file=sys.stderr)
        return 130
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
