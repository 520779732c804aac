"""Chapter templates as MyST Markdown text: what they convert to, their size, and bad templates."""

import ast
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


# A template's code cells only call, glue and narrate: every sentence, caption, alt text, rename and
# display format comes from the chapter's package (`analysis/<chapter>/text.py`).
TEXT_METHODS = {"rename", "join", "format"}


def written_words(node) -> bool:
    """Whether `node` is a glue(name, ...) or print(...) call given a string written in the cell."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return False
    args = {"glue": node.args[1:], "print": node.args}.get(node.func.id, [])
    return any(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in args)


def text_building(source: str) -> list[str]:
    """What in a code cell builds text, in words (line: what): f-strings, lambdas, comprehensions,
    `.rename(` / `.join(` / `.format(`, `+` with a string, a conditional expression, and an `if` whose
    branches glue or print a string written in the cell."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.JoinedStr):
            found.append(f"{line}: an f-string")
        elif isinstance(node, ast.Lambda):
            found.append(f"{line}: a lambda")
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            found.append(f"{line}: a comprehension")
        elif isinstance(node, ast.IfExp):
            found.append(f"{line}: a conditional expression")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TEXT_METHODS:
            found.append(f"{line}: .{node.func.attr}(")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and any(
                isinstance(side, ast.Constant) and isinstance(side.value, str) for side in (node.left, node.right)):
            found.append(f"{line}: + with a string")
        elif isinstance(node, ast.If):
            calls = ast.walk(ast.Module(body=node.body + node.orelse, type_ignores=[]))
            found += [f"{line}: an if choosing the words of {call.func.id}(" for call in calls if written_words(call)]
    return found


@pytest.mark.parametrize("chapter", load_registry().chapters, ids=lambda c: c.name)
def test_the_code_cells_of_a_template_build_no_text(chapter):
    template = chapter.template
    cells = [cell.source for cell in notebook(template).cells if cell.cell_type == "code"]
    found = [f"cell {i}, line {what}" for i, source in enumerate(cells) for what in text_building(source)]
    assert not found, f"{template.name}: text built in a code cell ({'; '.join(found)}); build it in the package"


@pytest.mark.parametrize("source, what", [
    ('glue("a", f"{x} months")', "1: an f-string"),
    ("t.assign(v=t.v.map(lambda v: v))", "1: a lambda"),
    ("ch.table(t.rename(columns={'a': 'A'}))", "1: .rename("),
    ('glue("a", "; ".join(names))', "1: .join("),
    ('glue("a", "{:,.0f}".format(n))', "1: .format("),
    ('glue("a", "Over " + words)', "1: + with a string"),
    ("glue_all({k: v for k, v in d.items()})", "1: a comprehension"),
    ('glue("a", "met" if ok else "not met")', "1: a conditional expression"),
    ('if ok:\n    glue("a", "met")\nelse:\n    glue("a", "not met")', "1: an if choosing the words of glue("),
    ('if t is None:\n    print("No table.")', "1: an if choosing the words of print("),
])
def test_each_way_of_building_text_in_a_cell_is_found(source, what):
    assert what in text_building(source)


def test_calls_glue_and_display_guards_build_no_text():
    source = ('x = ae.load(ch.sources)\nglue("n", len(x))\nglue_all(ae.figures(x), "ae_")\n'
              'if x is not None:\n    ch.table(x, caption="A plain caption.")\nelse:\n    print(ae.NO_TABLE)\n'
              'total = a + b')
    assert text_building(source) == []


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
