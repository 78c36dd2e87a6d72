"""The engine protocol: register inputs, run SQL, fetch small results, write Parquet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol


def sql_string(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


class Engine(Protocol):
    def register_parquet(self, name: str, path: Path | str) -> None:
        """Make the Parquet file at ``path`` queryable as relation ``name``."""

    def execute(self, sql: str) -> None:
        """Run a statement that returns nothing of interest."""

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query and return every row (small results only)."""

    def iter_rows(self, sql: str, *, batch_size: int = 50_000) -> Iterator[tuple[Any, ...]]:
        """Stream the rows of a query without holding them all in memory."""

    def copy_to_parquet(self, sql: str, path: Path | str, *, row_group_size: int | None = None) -> int:
        """Write the result of ``sql`` to a Parquet file; return the number of rows written
        (``row_group_size``: small groups for files read by point look-ups)."""

    def version(self) -> str:
        """Engine name and version (part of a run's reproducibility fingerprint)."""

    def close(self) -> None: ...
