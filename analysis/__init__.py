"""NHS performance handbook: readers, metrics, charts and the book build."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The checkout the package runs from: bundled data, notebooks and book live here."""
