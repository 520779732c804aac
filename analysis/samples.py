"""Regenerate the bundled synthetic samples from their generators in the registry."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from .registry import load_registry
from .sources import BUNDLED_DIR


def generator(spec: str) -> Callable[[Path], list[Path]]:
    """The function named by "module:function"."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def write_all_samples(out_dir: Path = BUNDLED_DIR, progress: Callable[[str], None] = print) -> list[Path]:
    """Write every dataset's bundled sample (each generator once) under `out_dir`."""
    written = []
    for spec in sorted({d.sample for d in load_registry().datasets.values() if d.sample}):
        progress(f"Writing sample: {spec}")
        written += generator(spec)(Path(out_dir))
    return written
