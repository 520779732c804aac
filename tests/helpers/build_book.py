"""Build the whole book into a folder, as the `bundled_book` and `real_book` fixtures do (tests/conftest.py).

Usage: python tests/helpers/build_book.py ROOT DATA DONE FAILED

Copies book/ (without its executed chapters) into ROOT, starts from what this checkout's own
builds kept (chapters run, by run key; files parsed, by checksum; both for this version of the
code only), builds on the bundled samples (DATA empty) or on DATA, then writes DONE; on any
failure it writes the trace to FAILED.
"""

import shutil
import sys
import traceback
from pathlib import Path


def main(root: Path, data: str | None, done: Path, failed: Path) -> None:
    try:
        from analysis import REPO_ROOT
        from analysis.build import build

        shutil.copytree(REPO_ROOT / "book", root / "book", ignore=shutil.ignore_patterns("chapters"))
        for kind in ("runs", "reads"):
            kept = REPO_ROOT / "_build" / "cache" / kind
            if kept.is_dir():
                shutil.copytree(kept, root / "_build" / "cache" / kind, ignore=shutil.ignore_patterns(".tmp-*"))
        build(data_dir=data, book_dir=root / "book", build_dir=root / "_build", progress=print)
    except BaseException:
        failed.write_text(traceback.format_exc())
        raise
    done.touch()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] or None, Path(sys.argv[3]), Path(sys.argv[4]))
