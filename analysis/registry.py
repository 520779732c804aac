"""The chapter registry: `chapters.toml` names every dataset and chapter.

From it come the papermill runs, the table of contents and the tests. Adding a chapter
is one `[[chapters]]` entry, its package (meeting `analysis.contract`) and one notebook
template in `notebooks/`.
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from . import REPO_ROOT
from .errors import HandbookError, ParameterError

REGISTRY_FILE = REPO_ROOT / "chapters.toml"
RESERVED_PARAMETERS = ("data_dir",)
"""Injected by the build into every chapter; not declared in the registry."""


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    publisher: str
    url: str
    pattern: str
    sample: str | None = None
    group: str | None = None
    """Datasets in one group are taken together, all from the user's folder or all from the
    bundled sample, so real and synthetic rows never mix: from the user's folder when it holds
    every required member of the group and at least one member."""
    optional: bool = False
    """A group member the chapter can do without (an alternative layout, a complement)."""
    notes: str = ""
    names: str | None = None
    """"module:function" reading provider code, name and source from the dataset's files (analysis.names)."""


@dataclass(frozen=True)
class Chapter:
    name: str
    title: str
    template: Path
    module: str
    datasets: tuple[str, ...]
    parameters: dict = field(default_factory=dict)
    provider_names: bool = False  # names providers from the user's files (analysis.names), beyond its datasets
    labels: dict = field(default_factory=dict)  # parameter (or *_first/*_last stem) -> how it reads on the page
    fetch: str | None = None  # "module:function" downloading the chapter's published files (handbook fetch)
    reads_chapters: bool = False  # a page above the chapters: its inputs are theirs, as each resolves them

    def load_module(self) -> ModuleType:
        return importlib.import_module(self.module)

    def resolve_parameters(self, overrides: dict | None = None) -> dict:
        """Defaults from the registry with `overrides` on top; unknown names are an error."""
        overrides = dict(overrides or {})
        for reserved in RESERVED_PARAMETERS:
            if reserved in overrides:
                raise ParameterError(reserved, "is set by the build from --data DIR; give --data instead of "
                                               f"-p {reserved}")
        unknown = sorted(set(overrides) - set(self.parameters))
        if unknown:
            known = ", ".join(sorted(self.parameters)) or "none"
            raise ParameterError(unknown[0], f"chapter '{self.name}' has no such parameter "
                                             f"(its parameters: {known})")
        return {**self.parameters, **overrides}


@dataclass(frozen=True)
class Registry:
    datasets: dict[str, Dataset]
    chapters: tuple[Chapter, ...]

    def chapter(self, name: str) -> Chapter:
        for chapter in self.chapters:
            if chapter.name == name:
                return chapter
        names = ", ".join(c.name for c in self.chapters)
        raise ParameterError("chapter", f"no chapter called '{name}' (chapters: {names})")


def load_function(spec: str):
    """The function a registry entry names as "module:function"."""
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def _fail(message: str):
    raise HandbookError(f"{REGISTRY_FILE.name}: {message}")


@lru_cache(maxsize=None)
def load_registry(path: Path = REGISTRY_FILE) -> Registry:
    """Read and check the registry: every chapter's template, module and datasets exist."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as exc:
        _fail(f"not valid TOML: {exc}")
    datasets = {}
    for name, entry in raw.get("datasets", {}).items():
        try:
            datasets[name] = Dataset(name=name, **entry)
        except TypeError as exc:
            _fail(f"dataset '{name}': {exc}")
    chapters = []
    for entry in raw.get("chapters", []):
        name = entry.get("name", "?")
        try:
            chapter = Chapter(
                name=entry["name"], title=entry["title"], template=REPO_ROOT / entry["template"],
                module=entry["module"], datasets=tuple(entry.get("datasets", ())),
                parameters=dict(entry.get("parameters", {})), provider_names=bool(entry.get("provider_names")),
                labels=dict(entry.get("labels", {})), fetch=entry.get("fetch"),
                reads_chapters=bool(entry.get("reads_chapters")))
        except KeyError as exc:
            _fail(f"chapter '{name}' lacks {exc}")
        if not chapter.template.is_file():
            _fail(f"chapter '{name}': template {entry['template']} does not exist")
        for dataset in chapter.datasets:
            if dataset not in datasets:
                _fail(f"chapter '{name}' reads dataset '{dataset}', which is not declared")
        for reserved in RESERVED_PARAMETERS:
            if reserved in chapter.parameters:
                _fail(f"chapter '{name}': '{reserved}' is set by the build, not the registry")
        chapters.append(chapter)
    if len({c.name for c in chapters}) != len(chapters):
        _fail("two chapters share a name")
    return Registry(datasets=datasets, chapters=tuple(chapters))
