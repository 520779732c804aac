"""Chapter templates are MyST Markdown text (jupytext's `md:myst`); papermill runs notebooks.

A template in `notebooks/NAME.md` reads as a diff in review and opens as a notebook in
Jupyter with jupytext. At run time it becomes the notebook papermill executes: its cells,
their tags (`parameters`, `remove-input`, ...) and metadata, and the kernel spec, as written
in the text. Each cell gets an id from its position, so a template gives the same notebook
every time. A template that is not MyST text, or has no code cell tagged `parameters`,
stops the run with an error naming the file.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import HandbookError
from .tempfolders import prefix

FORMAT = "md:myst"


class TemplateError(HandbookError):
    """A chapter template cannot be turned into a notebook; names the file."""

    def __init__(self, path: Path, message: str):
        self.path = Path(path)
        super().__init__(f"{path}: {message}")


def notebook(template: Path):
    """The notebook (nbformat v4) a MyST Markdown template describes, checked."""
    import jupytext

    template = Path(template)
    try:
        text = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(template, f"cannot be read as UTF-8 text ({exc})") from None
    try:
        nb = jupytext.reads(text, fmt=FORMAT)
    except Exception as exc:  # jupytext and the YAML reader raise many types; all mean "not readable"
        first = next(iter(str(exc).strip().splitlines()), "")
        raise TemplateError(template, f"is not readable MyST Markdown ({type(exc).__name__}: {first})") from None
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not any("parameters" in cell.metadata.get("tags", []) for cell in code):
        raise TemplateError(template, "has no code cell tagged `parameters` (write `:tags: [parameters]` "
                                      "under the first ```{code-cell}```)")
    if "kernelspec" not in nb.metadata:
        raise TemplateError(template, "names no kernel (no `kernelspec` in the header between its `---` lines)")
    nb.metadata.pop("jupytext", None)  # how the text is laid out, not part of the notebook
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number}"
    return nb


@contextmanager
def papermill_input(template: Path) -> Iterator[Path]:
    """The notebook papermill executes for `template`, written as `<name>.ipynb` in a
    temporary folder (removed afterwards; one a killed build leaves is removed by the next)."""
    import nbformat

    nb = notebook(template)
    folder = Path(tempfile.mkdtemp(prefix=prefix("template")))
    try:
        path = folder / f"{Path(template).stem}.ipynb"
        nbformat.write(nb, path)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
