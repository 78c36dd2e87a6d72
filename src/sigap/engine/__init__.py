"""The one adapter that runs SQL over Parquet: DuckDB on one machine, Apache Spark beyond it.

Callers build SQL text with :mod:`sigap.core.selection` (or other pure builders) and hand it to an
:class:`Engine`.  Nothing outside this package imports ``duckdb`` or ``pyspark``.

:func:`default_engine` is the local DuckDB engine every page, export and read model uses;
:func:`targeting_engine` is the engine of registry-sized targeting work, chosen by configuration:
``SIGAP_ENGINE=duckdb`` (default) or ``spark`` with ``SIGAP_SPARK_MASTER`` (``local[2]``,
``spark://host:7077``, ``yarn``, or a Spark Connect URL ``sc://host:15002``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sigap.engine.base import Engine, sql_string
from sigap.engine.duckdb_engine import MEMORY_LIMIT, DuckDBEngine

if TYPE_CHECKING:
    from sigap.engine.spark_engine import SparkEngine

__all__ = [
    "DuckDBEngine",
    "Engine",
    "default_engine",
    "default_memory_limit",
    "duckdb_settings",
    "engine_name",
    "make_spark_engine",
    "spark_settings",
    "sql_string",
    "targeting_engine",
]

ENGINES = ("duckdb", "spark")


def duckdb_settings() -> dict[str, Any]:
    """DuckDB settings from the environment for every DuckDB connection SIGAP opens (the engine and the
    import readers): ``SIGAP_ENGINE_MEMORY_LIMIT`` (e.g. ``4GB``: DuckDB spills to disk beyond it; unset:
    :func:`default_memory_limit`) and ``SIGAP_ENGINE_THREADS``."""
    found: dict[str, Any] = {}
    memory_limit = (os.environ.get("SIGAP_ENGINE_MEMORY_LIMIT") or "").strip()
    if memory_limit:
        if not MEMORY_LIMIT.match(memory_limit):
            raise ValueError(f"SIGAP_ENGINE_MEMORY_LIMIT='{memory_limit}' is not like 4GB or 512MB")
        found["memory_limit"] = memory_limit
    else:
        found["memory_limit"] = default_memory_limit()
    raw_threads = (os.environ.get("SIGAP_ENGINE_THREADS") or "").strip()
    if raw_threads:
        found["threads"] = int(raw_threads)
    return found


def default_memory_limit() -> str:
    """40% of the machine's memory: DuckDB's own default (80%) left no room for what it cannot spill,
    and a 50 M-person approval ran out of memory on a 24 GB machine; at 6 GB it finished (bench/README.md)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4GB"
    return f"{max(512, int(total * 0.4) // (1 << 20))}MB"


def default_engine() -> DuckDBEngine:
    """An engine configured from settings (:func:`duckdb_settings`)."""
    found = duckdb_settings()
    threads = found.get("threads")
    return DuckDBEngine(
        memory_limit=str(found["memory_limit"]) if "memory_limit" in found else None,
        threads=int(threads) if threads is not None else None,
    )


def engine_name() -> str:
    """``SIGAP_ENGINE`` (``duckdb`` unless set); anything else is a configuration error."""
    name = (os.environ.get("SIGAP_ENGINE") or "duckdb").strip().lower()
    if name not in ENGINES:
        raise ValueError(f"SIGAP_ENGINE='{name}' is not one of {', '.join(ENGINES)}")
    return name


def spark_settings(master: str | None = None) -> dict[str, Any]:
    """The Spark session's settings from the environment: ``master`` (default ``SIGAP_SPARK_MASTER``;
    None lets :func:`sigap.engine.spark_engine.session_builder` choose ``local[2]``, or spark-submit's
    ``--master``) and ``config`` from ``SIGAP_SPARK_CONF`` (``key=value`` pairs separated by ``;``,
    e.g. ``spark.sql.shuffle.partitions=2000;spark.executor.memory=8g``)."""
    conf = {}
    for item in (os.environ.get("SIGAP_SPARK_CONF") or "").split(";"):
        if item.strip():
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"SIGAP_SPARK_CONF: '{item.strip()}' is not key=value")
            conf[key.strip()] = value.strip()
    return {"master": master or os.environ.get("SIGAP_SPARK_MASTER") or None, "config": conf}


def make_spark_engine(master: str | None = None) -> SparkEngine:
    """A Spark engine on ``master`` (default ``SIGAP_SPARK_MASTER``, else ``local[2]``; ``sc://host:port``
    is Spark Connect) with the settings of :func:`spark_settings`."""
    from sigap.engine.spark_engine import SparkEngine

    return SparkEngine(**spark_settings(master))


def targeting_engine() -> Engine:
    """The engine of targeting runs: :func:`default_engine` or, with ``SIGAP_ENGINE=spark``, Spark."""
    if engine_name() == "spark":
        return make_spark_engine()
    return default_engine()
