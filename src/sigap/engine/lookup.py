"""Point look-ups in sorted Parquet files, for requests (the public status check).

A status file is sorted by its key and written in small row groups, so a look-up reads the footer
(cached per process) and one row group.  One in-memory DuckDB database per process; each thread gets
its own cursor (DuckDB connections are not shared between threads).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from sigap.engine.base import sql_string

_lock = threading.Lock()
_database: duckdb.DuckDBPyConnection | None = None
_local = threading.local()


def _cursor() -> duckdb.DuckDBPyConnection:
    global _database
    cursor = getattr(_local, "cursor", None)
    if cursor is None:
        with _lock:
            if _database is None:
                _database = duckdb.connect(database=":memory:", config={"threads": 1})
                _database.execute("SET parquet_metadata_cache = true")
            cursor = _database.cursor()
        _local.cursor = cursor
    return cursor


def point_lookup(
    files: Sequence[tuple[Any, Path]], *, key_column: str, key: str, columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """``(tag, *columns)`` of every row whose ``key_column`` equals ``key``, in each ``(tag, file)``.

    Names are trusted (written by SIGAP); the key is a bound parameter.  A missing file answers nothing.
    """
    present = [(tag, path) for tag, path in files if Path(path).is_file()]
    if not present:
        return []
    names = ", ".join(columns)
    parts = [
        f"SELECT {i} AS tag_index, {names} FROM read_parquet({sql_string(str(path))})"  # noqa: S608 -- trusted names
        f" WHERE {key_column} = $key"
        for i, (_, path) in enumerate(present)
    ]
    sql = " UNION ALL ".join(parts) + " ORDER BY tag_index"
    rows = _cursor().execute(sql, {"key": key}).fetchall()
    return [(present[row[0]][0], *row[1:]) for row in rows]
