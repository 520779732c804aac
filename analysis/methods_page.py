"""The methods page as each edition shows it: every result it states is read, at build time, from
the edition's executed chapters, never typed.

In `book/methods.md` a result is a MyST glue role naming a chapter notebook and a glued value,
with a format, ``{glue:text}`chapters/ae.ipynb::funnel_outside:d` ``, inside a span marked
``<!--results-->`` ... ``<!--/results-->`` (the markers are HTML comments, so the page also
reads as it is). `fill` puts each value in as text, formatted as myst-nb's own role would; a
span any of whose values this edition's chapters do not give (a chapter that does not cover
the year, or is in the report year's edition only) becomes one sentence saying so, so the page
never states a figure from another build.

A span may also hold a glued HTML output, as myst-nb's glue directive naming the notebook
(```` ```{glue} KEY ```` then ``:doc: chapters/NAME.ipynb``): `fill` puts the HTML in
as a raw block. The home page (`book/index.md`) shows the front page's tiles this way. Every static
page with a span is filled so (`analysis.build.html.book_sources`); the syntax is myst-nb's own, so
`jupyter-book build .` shows the same values from the executed chapters.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import HandbookError

ROLE = re.compile(r"\{glue:text\}`chapters/(?P<chapter>[a-z0-9-]+)\.ipynb::(?P<key>\w+):(?P<spec>[^`]*)`")
DIRECTIVE = re.compile(r"```\{glue\} (?P<key>\w+)\n:doc: chapters/(?P<chapter>[a-z0-9-]+)\.ipynb\n```")
RESULTS_MARK = "<!--results-->"
SPAN = re.compile(r"<!--results-->(?P<body>.*?)<!--/results-->", re.S)
NOT_HERE = "(This edition's {page} page does not give these figures.)"


def glued(notebook: Path, mime: str = "text/plain") -> dict[str, str]:
    """The values an executed notebook glued, by name, as their text/plain reprs (or `mime` outputs)."""
    if not notebook.is_file():
        return {}
    values = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8")).get("cells", []):
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                text = output.get("data", {}).get(scrap.get("mime_prefix", "") + mime)
                if text is not None:
                    values[scrap["name"]] = text
    return values


def fill(text: str, chapters: Path, page: str = "methods page") -> str:
    """`text` with each results span's glue roles and directives replaced by the values of the notebooks
    in `chapters` (`page` names the page in errors)."""
    from myst_nb.core.variables import format_plain_text

    notebooks: dict[str, dict[str, str]] = {}
    outputs: dict[str, dict[str, str]] = {}

    def block(directive: re.Match) -> str:
        found = outputs.setdefault(directive["chapter"], glued(chapters / f"{directive['chapter']}.ipynb", "text/html"))
        if directive["key"] not in found:
            raise KeyError(directive["chapter"])
        content = found[directive["key"]]
        if "`" * 4 in content:
            raise HandbookError(f"{page}: the glued output {directive['key']} of chapters/{directive['chapter']}"
                                ".ipynb holds a fence of four backticks, which would end its raw block")
        return f"````{{raw}} html\n{content.strip()}\n````"

    def value(role: re.Match) -> str:
        found = notebooks.setdefault(role["chapter"], glued(chapters / f"{role['chapter']}.ipynb"))
        if role["key"] not in found:
            raise KeyError(role["chapter"])
        return format_plain_text(found[role["key"]], role["spec"])

    def span(match: re.Match) -> str:
        try:
            return ROLE.sub(value, DIRECTIVE.sub(block, match["body"]))
        except KeyError as missing:
            return NOT_HERE.format(page=_title(missing.args[0]))

    out = SPAN.sub(span, text)
    for title in {_title(role["chapter"]) for pattern in (ROLE, DIRECTIVE) for role in pattern.finditer(text)}:  # one such sentence in a row is enough
        sentence = NOT_HERE.format(page=title)
        out = re.sub(rf"{re.escape(sentence)}(\s+{re.escape(sentence)})+", lambda _: sentence, out)
    stray = ROLE.search(out) or DIRECTIVE.search(out)
    if stray:
        line = out[:stray.start()].count("\n") + 1
        raise HandbookError(f"{page}, line {line}: the result {stray.group(0)} is outside a "
                            "<!--results--> ... <!--/results--> span")
    return out


def _title(chapter: str) -> str:
    """A chapter's title as a page name ("A&E four-hour waits")."""
    from .errors import ParameterError
    from .registry import load_registry

    try:
        return load_registry().chapter(chapter).title
    except ParameterError:
        return chapter


def methods_page(source: Path, chapters: Path) -> bytes:
    """The methods page (or another static page with results spans) of an edition whose executed chapters
    are in `chapters`."""
    page = "methods page" if source.stem == "methods" else f"{source.name}"
    return fill(source.read_text(encoding="utf-8"), chapters, page).encode("utf-8")
