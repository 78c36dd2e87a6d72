"""The one adapter that runs SQL over Parquet (DuckDB today; Spark later).

Callers build SQL text with :mod:`sigap.core.selection` (or other pure builders) and hand it to an
:class:`Engine`.  Nothing outside this package imports ``duckdb`` for targeting.
"""

from __future__ import annotations

from sigap.engine.base import Engine, sql_string
from sigap.engine.duckdb_engine import DuckDBEngine

__all__ = ["DuckDBEngine", "Engine", "default_engine", "sql_string"]


def default_engine() -> DuckDBEngine:
    """An engine configured from settings (``SIGAP_ENGINE_MEMORY_LIMIT``, ``SIGAP_ENGINE_THREADS``)."""
    import os

    memory_limit = os.environ.get("SIGAP_ENGINE_MEMORY_LIMIT") or None
    raw_threads = os.environ.get("SIGAP_ENGINE_THREADS") or None
    threads = int(raw_threads) if raw_threads else None
    return DuckDBEngine(memory_limit=memory_limit, threads=threads)
