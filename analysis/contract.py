"""The contract between a chapter and the rest of the handbook.

A chapter is a package named by its `module` in `chapters.toml`. The build, the page helpers,
the yearly views and the front page reach a chapter only through the names below, and each
result they read is one of the typed results of this module:

- `validate_parameters(params, sources) -> dict` (required): the run's parameters, checked.
- `load(sources)`: the chapter's data, read and checked (its own type).
- `headline(sources, year) -> dict[str, Headline]` (optional): the results the front page shows,
  the first being the chapter's key figure; made with `entry`.
- `yearly_views(sources, params) -> list[Yearly]` (optional): the chapter's measures for every
  financial year its data cover (`analysis.yearly` shows them).
- `provider_names(paths) -> DataFrame` (optional, with `provider_names = "dataset"` in a dataset's
  registry entry): code, name and source of each provider a dataset's files name.
- `ledger_figures(sources, params) -> LedgerFigures` (optional, for a chapter with a ledger of printed
  figures in `data/published/`): the figures reproduced for the reproduction ledger, one value per printed
  figure of the chapter (`analysis.ledger.published`), with notes, alternatives and input tolerance; the
  page shows it with `ChapterPage.ledger`.
- `period_text(params) -> str` (optional): the chapter's period in words, when it is not `period`.
- `SECTION_DATASETS: tuple[str, ...]` (optional): datasets read only in a section of the page whose
  figures say their own kind; the page's results do not rest on them.
- `provider_results(sources, year) -> list[ProviderResult]` and `provider_years(sources) -> list[FinancialYear]`
  (optional, together): each provider's results for a year, computed by the chapter's own functions
  for its provider table, and the years they cover whole (the organisations page shows them).
- `COMMITMENT_MEASURES: dict[str, CommitmentMeasure]` (optional): the measures by which the
  commitments tables (`analysis.commitments`) judge a commitment from the chapter's data.

Shared code reads the optional names only through this module's accessors (`has_headline`,
`headlines`, `yearly_views`, `has_ledger`, `ledger_figures`, `period_text`, `section_datasets`,
`commitment_measures`, `has_provider_results`, `provider_results`), which give the default when a
chapter lacks a name and check the type of what it gives.

The front page (`analysis.glance`) and the organisations page (`analysis.organisations`) sit above
the chapters: they read them through this contract, and no chapter imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pandas as pd

from .page import Result
from .provenance import COMPUTED_FROM, Kind, kind_of
from .yearly import Measure, Yearly

__all__ = ["OPTIONAL_FUNCTIONS", "OPTIONAL_VALUES", "REQUIRED", "ChapterModule", "CommitmentFigure",
           "CommitmentMeasure", "Headline", "LedgerFigures", "Measure", "ProviderResult", "SYNTHETIC", "Yearly",
           "commitment_measures", "computed_from", "entry", "headlines", "has_headline", "has_ledger",
           "has_provider_results", "ledger_figures", "period_text", "provider_results", "section_datasets",
           "yearly_views"]

SYNTHETIC = COMPUTED_FROM[Kind.SYNTHETIC]  # what a result computed on the bundled samples rests on

REQUIRED = ("validate_parameters",)
"""The names every chapter module gives (functions)."""
OPTIONAL_FUNCTIONS = ("load", "headline", "yearly_views", "provider_names", "ledger_figures", "period_text",
                      "provider_results", "provider_years")
"""The functions a chapter module may give, as the docstring above describes them."""
OPTIONAL_VALUES = {"COMMITMENT_MEASURES": dict, "SECTION_DATASETS": tuple}
"""The values a chapter module may give, with their types."""


@dataclass(frozen=True)
class Headline:
    """One result of a chapter's `headline`: the figure (value, unit, standard), its text, met or not
    (None without a standard) and the data vintage (the latest period the chapter read)."""
    figure: Result
    result: str
    met: bool | None
    value: float | None
    vintage: str


def entry(figure: Result, vintage: str, result: str | None = None) -> Headline:
    """A `Headline` for `figure`; its text is the figure's value unless `result` says otherwise."""
    return Headline(figure=figure, result=result or figure.value_text(), met=figure.met, value=figure.value,
                    vintage=vintage)


@dataclass(frozen=True)
class LedgerFigures:
    """A chapter's reproduced figures for the ledger (see `analysis.ledger.compare`): value (None when
    not computable) by figure name, a note on how a figure was made, the alternatives weighed for a
    figure (other years or variants, by name), and how far the rounding of a figure's printed inputs
    can move it (`tolerance`, widening its range either side)."""
    values: dict[str, float | None]
    notes: dict[str, str] = field(default_factory=dict)
    alternatives: dict[str, dict[str, float | None]] = field(default_factory=dict)
    tolerance: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderResult:
    """One provider's result on one measure over one financial year, for the organisations page
    (`analysis.organisations`), as the chapter computes it for its own provider table.

    `measure` is a key stable across years ("gp_62"), `label` says it in words; `value` is
    100 x `numerator` / `denominator` for a percentage; `standard` the level in force (None: none);
    `position` where the provider lies in the chapter's funnel ("within the 95% limits", one of
    `analysis.funnel.POSITIONS`; None when the chapter's funnel does not hold this measure) and
    `funnel` what that funnel compares (with no position: why the measure is in no funnel, if the chapter says); `months` the provider's monthly values ("YYYY-MM", value);
    `section` the anchor of the chapter's provider section; `heading` the measure in a few words. `name` is "" when the chapter's files
    give none (the page names it from other files, or says it has no name)."""
    code: str
    name: str
    measure: str
    numerator: float
    denominator: float
    value: float | None
    standard: float | None = None
    label: str = ""
    year: str = ""
    position: str | None = None
    funnel: str = ""
    months: tuple[tuple[str, float], ...] = ()
    section: str = "providers"
    volume_noun: str = ""
    heading: str = ""  # the measure in a few words, for a column heading ("A&E, type 1"); else `label`


def has_provider_results(module) -> bool:
    """Whether a chapter gives provider-level results (`provider_results` and `provider_years`)."""
    return callable(getattr(module, "provider_results", None)) and callable(getattr(module, "provider_years", None))


def provider_results(module, sources: dict, year) -> list[ProviderResult]:
    """A chapter's provider results for `year` (none when its data do not cover the year whole),
    checked to be `ProviderResult`s with a numeric value."""
    found = list(module.provider_results(sources, year))
    for item in found:
        if not isinstance(item, ProviderResult):
            raise TypeError(f"{module.__name__}.provider_results gave a {type(item).__name__}, not a ProviderResult")
        if item.value is not None and not isinstance(item.value, float):
            raise TypeError(f"{module.__name__}.provider_results gave {item.code} a {type(item.value).__name__}")
    return found


@dataclass(frozen=True)
class CommitmentFigure:
    """A figure a commitment is judged by: `values` are compared with its threshold (one, or one per
    month or standard), `text` is the result in words and `definition` how it was made."""
    values: list
    text: str
    definition: str


@dataclass(frozen=True)
class CommitmentMeasure:
    """How a chapter judges commitments: `load(sources)` reads its data once, then
    `figure(data, year, month, argument)` gives a CommitmentFigure for the year (or the month a
    commitment names), or None when the data do not cover that period."""
    load: Callable
    figure: Callable


def commitment_measures(module) -> dict[str, CommitmentMeasure]:
    """A chapter's commitment measures by name (none when it has none), checked to be CommitmentMeasures."""
    found = getattr(module, "COMMITMENT_MEASURES", {})
    for name, value in found.items():
        if not isinstance(value, CommitmentMeasure):
            raise TypeError(f"{module.__name__}.COMMITMENT_MEASURES['{name}'] is a {type(value).__name__}, "
                            "not a CommitmentMeasure")
    return found


@runtime_checkable
class ChapterModule(Protocol):
    """What every chapter module provides (the optional names are checked with `has_headline`,
    `yearly_views` and the registry)."""

    def validate_parameters(self, params: dict, sources: dict) -> dict: ...


def has_headline(module) -> bool:
    """Whether a chapter gives the front page results."""
    return callable(getattr(module, "headline", None))


def headlines(module, sources: dict, year) -> dict[str, Headline]:
    """A chapter's front-page results for `year`, checked to be `Headline`s."""
    found = module.headline(sources, year)
    for key, value in found.items():
        if not isinstance(value, Headline):
            raise TypeError(f"{module.__name__}.headline gave {type(value).__name__} for '{key}', not a Headline")
    return found


def has_ledger(module) -> bool:
    """Whether a chapter reproduces printed figures for the ledger."""
    return callable(getattr(module, "ledger_figures", None))


def ledger_figures(module, sources: dict, params: dict) -> LedgerFigures:
    """A chapter's reproduced figures for the ledger, checked to be `LedgerFigures`."""
    found = module.ledger_figures(sources, params)
    if not isinstance(found, LedgerFigures):
        raise TypeError(f"{module.__name__}.ledger_figures gave {type(found).__name__}, not LedgerFigures")
    return found


def period_text(module, params: dict) -> str:
    """A chapter's period in words from its own `period_text` ("" when it has none)."""
    make = getattr(module, "period_text", None)
    return make(params) if make else ""


def section_datasets(module) -> tuple[str, ...]:
    """The datasets a chapter reads only in a section of its own (none when it names none)."""
    return tuple(getattr(module, "SECTION_DATASETS", ()))


def yearly_views(module, sources: dict, params: dict) -> list[Yearly]:
    """A chapter's yearly views (none when it has no `yearly_views`)."""
    make = getattr(module, "yearly_views", None)
    return list(make(sources, params)) if make else []


def computed_from(sources) -> str:
    """What results computed from `sources` rest on, from their kinds (see analysis.provenance)."""
    return COMPUTED_FROM[kind_of(sources) or Kind.PUBLISHED]


def as_frame(results: list[ProviderResult]) -> pd.DataFrame:
    """Provider results as one table, a column per field."""
    columns = list(ProviderResult.__dataclass_fields__)
    return pd.DataFrame([[getattr(r, c) for c in columns] for r in results], columns=columns)
