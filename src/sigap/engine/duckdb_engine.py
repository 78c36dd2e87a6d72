"""DuckDB in-process implementation of :class:`sigap.engine.base.Engine`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from sigap.engine.base import Params, sql_string

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"'{name}' is not a plain relation name")
    return name


class DuckDBEngine:
    """``DuckDBEngine(memory_limit="4GB", threads=2)``; use as a context manager or call ``close()``."""

    dialect = "duckdb"

    def __init__(
        self,
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: Path | str | None = None,
    ) -> None:
        self._con = duckdb.connect(database=":memory:")
        if memory_limit:
            if not MEMORY_LIMIT.match(memory_limit.strip()):
                raise ValueError(f"memory limit '{memory_limit}' is not like 4GB or 512MB")
            self._con.execute(f"SET memory_limit = {sql_string(memory_limit.strip())}")
        if threads:
            self._con.execute(f"SET threads = {int(threads)}")
        if temp_directory:
            self._con.execute(f"SET temp_directory = {sql_string(str(temp_directory))}")
        # Ordered output is part of the contract (deterministic Parquet files).
        self._con.execute("SET preserve_insertion_order = true")

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def register_parquet(self, name: str, path: Path | str) -> None:
        source = sql_string(str(path))
        if Path(path).is_dir():  # a Hive-partitioned folder: partition values stay text ('0032' is no 32)
            source = (
                f"{sql_string(str(Path(path) / '**' / '*.parquet'))}, hive_partitioning = true, "
                "hive_types_autocast = false"
            )
        self._con.execute(
            f"CREATE OR REPLACE VIEW {_check_name(name)} AS "  # noqa: S608 -- name checked, path quoted
            f"SELECT * FROM read_parquet({source})"
        )

    def register_arrow(self, name: str, table: Any) -> None:
        self._con.register(_check_name(name), table)

    def execute(self, sql: str, params: Params = None) -> None:
        self._con.execute(sql, params)

    def fetch(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self._con.execute(sql, params).fetchall()

    def iter_rows(
        self, sql: str, params: Params = None, *, batch_size: int = 50_000
    ) -> Iterator[tuple[Any, ...]]:
        cursor = self._con.cursor()
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(batch_size):
                yield from batch
        finally:
            cursor.close()

    def copy_to_parquet(self, sql: str, path: Path | str, *, row_group_size: int | None = None) -> int:
        groups = f", ROW_GROUP_SIZE {int(row_group_size)}" if row_group_size else ""
        result = self._con.execute(
            f"COPY ({sql}) TO {sql_string(str(path))} (FORMAT parquet, COMPRESSION zstd{groups})"
        ).fetchone()
        return int(result[0]) if result else 0

    def copy_to_partitioned_parquet(self, sql: str, path: Path | str, *, partition_by: Sequence[str]) -> int:
        columns = ", ".join(_check_name(c) for c in partition_by)
        result = self._con.execute(
            f"COPY ({sql}) TO {sql_string(str(path))} "
            f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({columns}), OVERWRITE true)"
        ).fetchone()
        return int(result[0]) if result else 0

    def columns(self, relation: str) -> list[str]:
        sql = f"DESCRIBE SELECT * FROM {_check_name(relation)}"  # noqa: S608 -- name checked
        return [str(r[0]) for r in self._con.execute(sql).fetchall()]

    def version(self) -> str:
        return f"duckdb {duckdb.__version__}"

    def close(self) -> None:
        self._con.close()
