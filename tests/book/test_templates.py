"""Chapter templates as MyST Markdown text: what they convert to, their size, and bad templates."""

import json
import re
import tempfile
from pathlib import Path

import pytest

from analysis import build as build_module
from analysis.registry import load_registry
from analysis.templates import TemplateError, notebook, papermill_input
from conftest import scratch_notebook

# The longest code cell of the templates when they became text (vanguards, 36 lines): code cells
# only call, glue and narrate, so none may grow past it; what more a cell needs goes in analysis/.
CODE_CELL_LINES = 36

HEADER = "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
PARAMETERS = '```{code-cell}\n:tags: [parameters]\n\nperiod = "2016-17"\n```\n'


@pytest.mark.parametrize("chapter", load_registry().chapters, ids=lambda c: c.name)
def test_no_code_cell_of_a_template_is_longer_than_the_cap(chapter):
    lengths = [len(cell.source.splitlines()) for cell in notebook(chapter.template).cells if cell.cell_type == "code"]
    assert max(lengths) <= CODE_CELL_LINES, (
        f"{chapter.template.name}: a code cell of {max(lengths)} lines (cap {CODE_CELL_LINES}); "
        "move sentences, renames and alt text into the chapter's package")


def test_the_notebook_keeps_tags_metadata_and_kernel_and_is_the_same_each_time(tmp_path):
    template = tmp_path / "t.md"
    template.write_text(HEADER + "# Title\n\n" + PARAMETERS + "\n```{code-cell}\n---\ntags: [remove-input]\n"
                        "mystnb:\n  number_source_lines: true\n---\nprint(period)\n```\n\nText after.\n")
    nb = notebook(template)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "markdown"]
    assert nb.cells[1].metadata["tags"] == ["parameters"] and nb.cells[1].source == 'period = "2016-17"'
    assert nb.cells[2].metadata == {"tags": ["remove-input"], "mystnb": {"number_source_lines": True}}
    assert nb.metadata == {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    assert [c.id for c in nb.cells] == ["cell-0", "cell-1", "cell-2", "cell-3"]
    with papermill_input(template) as path:
        first = path.read_bytes()
        assert path.name == "t.ipynb" and path.parent.name.startswith("handbook-template-")
        assert path.parent.parent == Path(tempfile.gettempdir())
    assert not path.parent.exists()
    with papermill_input(template) as path:
        assert path.read_bytes() == first
    assert json.loads(first)["cells"][2]["metadata"]["tags"] == ["remove-input"]


@pytest.mark.parametrize("text, reason", [
    (HEADER + "# No parameters\n\n```{code-cell}\nx = 1\n```\n", r"has no code cell tagged `parameters`"),
    (HEADER + "```{code-cell}\n:tags: [parameters\n\nx = 1\n```\n",
     r"is not readable MyST Markdown \(MystMetadataParsingError: Code cell 0 at line 8 could not be read"),
    ("---\nkernelspec: [unclosed\n---\n\n" + PARAMETERS, r"is not readable MyST Markdown \(\w*Error: "),
    ("# No header\n\n" + PARAMETERS, r"names no kernel"),
    (b"\xff\xfe not text", r"cannot be read as UTF-8 text"),
])
def test_a_bad_template_gets_an_error_naming_the_file(tmp_path, text, reason):
    template = tmp_path / "bad.md"
    template.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(TemplateError, match=f"^{re.escape(str(template))}: {reason}") as info:
        notebook(template)
    assert "\n" not in str(info.value)


def text_of(page: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.read_text()))


def run(scratch, messages):
    return build_module.build(book_dir=scratch["book"], build_dir=scratch["out"], progress=messages.append)


def test_an_edited_template_runs_again_and_a_bad_one_stops_the_build(scratch):
    """The run key holds the template's text: a changed sentence of narrative (no code changed)
    runs the chapter again. A template that does not convert stops the build with its error,
    and the book in place is kept."""
    run(scratch, [])
    messages = []
    run(scratch, messages)
    assert "Nothing changed: the book is up to date." in messages
    page = scratch["out"] / "html" / "chapters" / "scratch.html"
    scratch["template"].write_text(scratch["template"].read_text().replace("The answer is", "The answer, told, is"))
    messages = []
    run(scratch, messages)
    assert any(m.startswith("  [1/1] scratch") for m in messages)
    assert "The answer, told, is 42." in text_of(page)

    before = page.read_bytes()
    scratch["template"].write_text(scratch["template"].read_text().replace(":tags: [parameters]\n", ""))
    with pytest.raises(TemplateError, match=f"^{re.escape(str(scratch['template']))}: has no code cell tagged `parameters`"):
        run(scratch, [])
    assert page.read_bytes() == before
    scratch_notebook(scratch["template"], ['from myst_nb import glue\nglue("answer", 42, display=False)'])
    run(scratch, [])
