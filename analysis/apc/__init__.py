"""Record-level admitted patient care (HES APC layout): reader, measures and a synthetic extract.

The measures are Ibis expressions, defined once, run on DuckDB (the default, embedded
engine) or unchanged on a PySpark session. Only aggregates leave the engine.
"""

from .measures import AGE_BANDS, CCG_REASONS, EMERGENCY_METHODS, REASONS, aggregate, expressions, run
from .reader import REQUIRED, Records, read_apc, read_table

__all__ = ["read_apc", "read_table", "Records", "REQUIRED", "aggregate", "run", "expressions", "REASONS", "CCG_REASONS",
           "EMERGENCY_METHODS", "AGE_BANDS"]
