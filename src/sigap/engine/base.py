"""The engine protocol: register inputs, run SQL, fetch small results, write Parquet."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

#: Bound parameters of a statement: positional (``?``) or named (``$name``).
Params = Sequence[Any] | Mapping[str, Any] | None


def sql_string(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


class Engine(Protocol):
    #: The SQL dialect the engine runs natively (``duckdb`` or ``spark``); callers hand it DuckDB SQL
    #: either way (a Spark engine transpiles it), and pass it to the few builders that spell a
    #: construct per dialect (``sigap.core.selection.digest_sql``).
    dialect: str

    def register_parquet(self, name: str, path: Path | str) -> None:
        """Make the Parquet file at ``path`` queryable as relation ``name``; a folder is read as a
        Hive-partitioned data set (``provinsi=32/kabupaten_kota=3275/...``, partition values as text)."""

    def register_arrow(self, name: str, table: Any) -> None:
        """Make an in-memory Arrow table (member-sized data from the Django database) queryable."""

    def execute(self, sql: str, params: Params = None) -> None:
        """Run a statement that returns nothing of interest."""

    def fetch(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Run a query and return every row (small results only)."""

    def iter_rows(
        self, sql: str, params: Params = None, *, batch_size: int = 50_000
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the rows of a query without holding them all in memory."""

    def copy_to_parquet(self, sql: str, path: Path | str, *, row_group_size: int | None = None) -> int:
        """Write the result of ``sql`` to a Parquet file; return the number of rows written
        (``row_group_size``: small groups for files read by point look-ups)."""

    def copy_to_partitioned_parquet(self, sql: str, path: Path | str, *, partition_by: Sequence[str]) -> int:
        """Write the result of ``sql`` as a Hive-partitioned Parquet folder (one sub-folder per value
        of the ``partition_by`` columns, which leave the files); return the number of rows written.
        ``path`` may be local or, on Spark, any URL the cluster can write (``s3a://``, ``gs://``)."""

    def columns(self, relation: str) -> list[str]:
        """The column names of a relation (a registered name)."""

    def version(self) -> str:
        """Engine name and version (part of a run's reproducibility fingerprint)."""

    def close(self) -> None: ...
