"""Point look-ups in sorted Parquet files, for requests (the public status check).

A status file is sorted by its key and written in small row groups.  Each process keeps, per file, an
open reader and the row groups' key ranges (from the footer's min/max statistics, read once): a look-up
bisects those ranges and decodes the one row group that can hold the key (1,024 rows as SIGAP writes
them) -- no SQL to plan, no file to open per request.  The index is checked against the file's identity (inode, size,
modification time) on every look-up, so a file written anew is read anew.  A file whose footer has no
usable statistics is read with DuckDB instead (one in-memory database per process, a cursor per
thread).
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from sigap.engine.base import sql_string

_lock = threading.Lock()
_database: duckdb.DuckDBPyConnection | None = None
_local = threading.local()
_INDEX_MAX = 64  # files kept open per process (one per programme's list in force)


@dataclass
class _Index:
    """One Parquet file: its identity, an open reader and each row group's (min, max) key."""

    identity: tuple[int, int, int]
    reader: pq.ParquetFile | None
    mins: list[str] = field(default_factory=list)
    maxs: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_indexes: dict[tuple[str, str], _Index] = {}


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


def _open(path: str, key_column: str, identity: tuple[int, int, int]) -> _Index:
    """Read the footer once: the key's (min, max) per row group, or no reader (DuckDB reads the file)
    when a row group lacks them or the groups are not in key order."""
    # pre_buffer off: a look-up reads one small row group, and coalescing its reads costs more than it
    # saves (0.36 -> 0.26 ms per group of 2,048 rows)
    # The answer's columns (status, reasons, kelurahan) take a handful of values: read as dictionaries
    # they are not expanded into 1,024 strings each (0.29 -> 0.21 ms per group of 2,048 rows)
    values = [
        f.name
        for f in pq.read_schema(path)
        if f.name != key_column and (pa.types.is_string(f.type) or pa.types.is_binary(f.type))
    ]
    reader = pq.ParquetFile(path, pre_buffer=False, read_dictionary=values or None)
    meta = reader.metadata  # the ranges below and the rows read later: this one reader's
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    if key_column not in names:
        return _Index(identity, None)
    position = names.index(key_column)
    mins, maxs = [], []
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(position).statistics
        if stats is None or not stats.has_min_max or not isinstance(stats.min, str):
            return _Index(identity, None)
        mins.append(stats.min)
        maxs.append(stats.max)
    if any(maxs[i] > mins[i + 1] for i in range(len(mins) - 1)):
        return _Index(identity, None)  # not sorted by the key: no range to bisect
    return _Index(identity, reader, mins, maxs)


def _index(path: str, key_column: str) -> _Index | None:
    """The process's index of ``path``, (re)opened when the file changed; None when it is missing."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        _indexes.pop((path, key_column), None)
        return None
    identity = (st.st_ino, st.st_size, st.st_mtime_ns)
    found = _indexes.get((path, key_column))
    if found is None or found.identity != identity:
        found = _open(path, key_column, identity)
        with _lock:
            if len(_indexes) >= _INDEX_MAX:
                _indexes.clear()
            _indexes[(path, key_column)] = found
    return found


class _Keys(Sequence[str]):
    """An Arrow string array as a sequence bisect can search (a dozen values read, not 2,048)."""

    def __init__(self, array: Any) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: Any) -> Any:
        return self.array[i].as_py()


def _rows(index: _Index, key_column: str, key: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows whose key equals ``key``: only the row groups whose range holds it are decoded."""
    assert index.reader is not None
    out: list[tuple[Any, ...]] = []
    group = bisect.bisect_left(index.maxs, key)
    while group < len(index.mins) and index.mins[group] <= key:
        with index.lock:  # one reader per file and process: read one group at a time
            table = index.reader.read_row_group(group, columns=[key_column, *columns], use_threads=False)
        array = table.column(0).combine_chunks()
        if array.null_count == 0:
            keys = _Keys(array)
            start = row = bisect.bisect_left(keys, key)  # the group is sorted by the key, as the file
            while row < len(keys) and keys[row] == key:
                row += 1
            matches: Sequence[int] = range(start, row)
        else:  # nulls have no place in the order: every row is compared
            matches = [i for i, value in enumerate(array.to_pylist()) if value == key]
        for row in matches:
            out.append(tuple(table.column(c + 1)[row].as_py() for c in range(len(columns))))
        group += 1
    return out


def point_lookup(
    files: Sequence[tuple[Any, Path]], *, key_column: str, key: str, columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """``(tag, *columns)`` of every row whose ``key_column`` equals ``key``, in each ``(tag, file)``,
    in the order of ``files``.

    Names are trusted (written by SIGAP); the key is a value, never SQL.  A missing file answers nothing.
    """
    found: list[tuple[Any, ...]] = []
    for tag, path in files:
        index = _index(str(path), key_column)
        if index is None:
            continue
        if index.reader is not None:
            found.extend((tag, *row) for row in _rows(index, key_column, key, columns))
        else:
            found.extend((tag, *row) for row in _duckdb_rows(path, key_column, key, columns))
    return found


def _duckdb_rows(path: Path, key_column: str, key: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    names = ", ".join(columns)
    sql = f"SELECT {names} FROM read_parquet({sql_string(str(path))}) WHERE {key_column} = $key"  # noqa: S608 -- trusted names
    return [tuple(row) for row in _cursor().execute(sql, {"key": key}).fetchall()]
