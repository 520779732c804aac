"""Record-level admitted patient care (HES APC layout): reader, measures and a synthetic extract.

The measures are Ibis expressions, defined once, run on DuckDB (the default, embedded
engine) or unchanged on a PySpark session. Only aggregates leave the engine.
"""

from .measures import AGE_BANDS, EMERGENCY_METHODS, admissions_by_ccg_month_age, aggregate, run
from .reader import REQUIRED, Records, read_apc, read_table

__all__ = ["read_apc", "read_table", "Records", "REQUIRED", "aggregate", "run", "admissions_by_ccg_month_age",
           "EMERGENCY_METHODS", "AGE_BANDS"]
