"""A Sphinx extension: every page that shows the build date is read again at every HTML build.

A page shows the date with MyST's ``{sub-ref}`today``` (Sphinx's ``today``, written with
``today_fmt`` from `_config.yml`). Sphinx puts the date into a page when it reads the page's
source, and an incremental build reads only the sources that changed, so without this a page
whose source is unchanged would keep the date of the build that last read it. The date is
never in a notebook's outputs (nbval compares those on re-execution).
"""

from __future__ import annotations

from pathlib import Path

MARKER = "{sub-ref}`today`"


def pages_with_the_date(app, env, added, changed, removed) -> list[str]:
    """The pages whose source holds `MARKER`, to be read again (Sphinx's env-get-outdated event)."""
    out = []
    for name in sorted(env.found_docs - added - changed - removed):
        path = Path(env.doc2path(name))
        if path.is_file() and MARKER in path.read_text(encoding="utf-8", errors="replace"):
            out.append(name)
    return out


def setup(app):
    app.connect("env-get-outdated", pages_with_the_date)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
