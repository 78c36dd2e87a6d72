"""Apache Spark implementation of :class:`sigap.engine.base.Engine` (``pip install 'sigap[spark]'``).

The SQL handed to it is the same DuckDB SQL the core generates for :class:`DuckDBEngine`; it is
transpiled to Spark SQL with ``sqlglot`` (ADR 0002, 0017) with three adjustments made on the tree:
CTE materialisation hints are dropped (Spark has none), ``CREATE VIEW`` becomes a temporary view
and ``CREATE TABLE ... AS`` a cached temporary view (nothing is written to a catalogue).

``SparkEngine(master="local[2]")`` starts (or joins) a local session; ``master="sc://host:15002"``
connects to a Spark Connect server; ``session=`` takes a session the caller made.  Paths are passed
through to Spark as they are, so ``s3a://`` and ``gs://`` work where the cluster has the connector.

``copy_to_parquet`` to a local ``*.parquet`` path leaves ONE file there, as DuckDB does (Spark
writes a folder of parts, which are then joined row group by row group), so every reader of a
run's decisions file is unchanged; any other path gets Spark's folder of parts.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlglot
from sqlglot import exp

from sigap.engine.base import Params

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

#: Session settings every SIGAP Spark session gets (the caller's ``config`` wins).
DEFAULT_CONFIG: dict[str, str] = {
    # Partition folders such as provinsi=32 stay text: '3201' and '0032' are codes, not numbers.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
    # Hive-style folder names without the _SUCCESS marker files DuckDB would read as data.
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
}


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"'{name}' is not a plain relation name")
    return name


def _is_local(path: Path | str) -> bool:
    text = str(path)
    return not _URL.match(text) or text.startswith("file://")


def _local_path(path: Path | str) -> Path:
    text = str(path)
    return Path(text[len("file://") :] if text.startswith("file://") else text)


@functools.lru_cache(maxsize=256)
def to_spark_sql(sql: str) -> tuple[str, ...]:
    """The Spark SQL statements of DuckDB ``sql`` (``sqlglot``; unsupported constructs raise)."""
    statements = []
    for tree in sqlglot.parse(sql, read="duckdb"):
        if tree is None:
            continue
        for cte in tree.find_all(exp.CTE):
            cte.set("materialized", None)
        if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() in ("VIEW", "TABLE"):
            properties = tree.args.get("properties") or exp.Properties(expressions=[])
            if not any(isinstance(p, exp.TemporaryProperty) for p in properties.expressions):
                properties.append("expressions", exp.TemporaryProperty())
            tree.set("properties", properties)
            tree.set("kind", "VIEW")
        statements.append(tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE))
    return tuple(statements)


def _spark_args(params: Params) -> Any:
    if params is None:
        return None
    if isinstance(params, Mapping):
        return dict(params)
    return list(params)


class SparkEngine:
    """``SparkEngine(master="local[2]")``; use as a context manager or call ``close()``.

    ``close()`` drops the views this engine registered; it stops the session only when this
    engine started it and ``stop_session`` is true (a process that runs several engines, such as
    the test suite, keeps one JVM).
    """

    dialect = "spark"

    def __init__(
        self,
        *,
        master: str | None = None,
        app_name: str = "sigap",
        config: Mapping[str, str] | None = None,
        session: Any = None,
        stop_session: bool = False,
    ) -> None:
        if session is None:
            session = build_session(master=master, app_name=app_name, config=config)
        self._spark = session
        self._views: set[str] = set()
        self._stop_session = stop_session

    @property
    def session(self) -> Any:
        """The ``pyspark.sql.SparkSession`` (plans, status tracker)."""
        return self._spark

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- inputs

    def register_parquet(self, name: str, path: Path | str) -> None:
        reader = self._spark.read
        if _is_local(path) and _local_path(path).is_dir():
            reader = reader.option("basePath", str(path))
        reader.parquet(str(path)).createOrReplaceTempView(_check_name(name))
        self._views.add(name)

    def register_arrow(self, name: str, table: Any) -> None:
        self._spark.createDataFrame(table).createOrReplaceTempView(_check_name(name))
        self._views.add(name)

    # -- statements

    def dataframe(self, sql: str, params: Params = None) -> Any:
        """The DataFrame of a DuckDB-dialect query (for plans and writers)."""
        *before, last = to_spark_sql(sql)
        for statement in before:
            self._spark.sql(statement, args=_spark_args(params))
        return self._spark.sql(last, args=_spark_args(params))

    def execute(self, sql: str, params: Params = None) -> None:
        for statement in to_spark_sql(sql):
            tree = sqlglot.parse_one(statement, read="spark")
            self._spark.sql(statement, args=_spark_args(params))
            if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Table):
                self._views.add(tree.this.name)

    def fetch(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.dataframe(sql, params).collect()]

    def iter_rows(
        self, sql: str, params: Params = None, *, batch_size: int = 50_000
    ) -> Iterator[tuple[Any, ...]]:
        for row in self.dataframe(sql, params).toLocalIterator(prefetchPartitions=True):
            yield tuple(row)

    # -- outputs

    def copy_to_parquet(self, sql: str, path: Path | str, *, row_group_size: int | None = None) -> int:
        frame = self.dataframe(sql)
        if not (_is_local(path) and str(path).endswith(".parquet")):
            frame.write.mode("overwrite").parquet(str(path))
            return int(self._spark.read.parquet(str(path)).count())
        target = _local_path(path)
        parts = target.with_name(f".{target.name}.parts-{uuid.uuid4().hex[:8]}")
        try:
            frame.write.mode("overwrite").parquet(str(parts))
            return _join_parts(parts, target, frame.schema, row_group_size=row_group_size)
        finally:
            shutil.rmtree(parts, ignore_errors=True)

    def copy_to_partitioned_parquet(self, sql: str, path: Path | str, *, partition_by: Sequence[str]) -> int:
        columns = [_check_name(c) for c in partition_by]
        context = getattr(self._spark, "sparkContext", None) if not _is_connect(self._spark) else None
        if context is not None:  # names the jobs of the write in the event log and the UI
            context.setJobDescription(f"sigap: write {path} partitioned by {', '.join(columns)}")
        try:
            self.dataframe(sql).write.mode("overwrite").partitionBy(*columns).parquet(str(path))
        finally:
            if context is not None:
                context.setJobDescription(None)
        return int(self._spark.read.parquet(str(path)).count())

    def columns(self, relation: str) -> list[str]:
        return list(self._spark.table(_check_name(relation)).columns)

    def version(self) -> str:
        return f"spark {self._spark.version}"

    def close(self) -> None:
        for name in sorted(self._views):
            try:
                self._spark.catalog.dropTempView(name)
            except Exception:  # noqa: BLE001 -- a stopped session has nothing left to drop
                pass
        self._views.clear()
        if self._stop_session:
            self._spark.stop()


def _is_connect(session: Any) -> bool:
    """A Spark Connect session (no SparkContext on the client)."""
    return "connect" in type(session).__module__


def session_builder(
    *, master: str | None = None, app_name: str = "sigap", config: Mapping[str, str] | None = None
) -> Any:
    """The ``SparkSession.Builder`` of :func:`build_session`, not yet connected or started:
    ``sc://...`` is Spark Connect (``builder.remote``), anything else a master URL (default
    ``local[2]``); :data:`DEFAULT_CONFIG` then ``config`` on top."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master and master.startswith("sc://"):
        builder = builder.remote(master)
    elif master or not os.environ.get("PYSPARK_GATEWAY_PORT"):
        # under spark-submit (PYSPARK_GATEWAY_PORT set) without a master of ours, --master decides
        builder = builder.master(master or "local[2]").config("spark.ui.enabled", "false")
    for key, value in {**DEFAULT_CONFIG, **(config or {})}.items():
        builder = builder.config(key, value)
    return builder


def build_session(
    *, master: str | None = None, app_name: str = "sigap", config: Mapping[str, str] | None = None
) -> Any:
    """A SparkSession: ``sc://...`` is Spark Connect, anything else a master URL (default ``local[2]``).

    A local master runs Python functions (the roster linkage's UDFs) in this very interpreter unless
    ``PYSPARK_PYTHON`` says otherwise (PySpark's default, ``python3`` on the PATH, may lack SIGAP)."""
    if (master or "local").startswith("local") and not os.environ.get("PYSPARK_GATEWAY_PORT"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = session_builder(master=master, app_name=app_name, config=config).getOrCreate()
    if not (master or "").startswith("sc://"):
        session.sparkContext.setLogLevel("ERROR")
    return session


def _join_parts(parts: Path, target: Path, schema: Any, *, row_group_size: int | None) -> int:
    """Join Spark's part files into one Parquet file at ``target``; return the rows written."""
    import pyarrow.parquet as pq

    files = sorted(p for p in parts.glob("*.parquet") if p.stat().st_size > 0)
    rows = 0
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    writer = None
    try:
        for file in files:
            source = pq.ParquetFile(file)
            if writer is None:
                writer = pq.ParquetWriter(tmp, source.schema_arrow, compression="zstd")
            for batch in source.iter_batches(batch_size=row_group_size or 122_880):
                writer.write_batch(batch, row_group_size=row_group_size)
                rows += batch.num_rows
        if writer is None:
            from pyspark.sql.pandas.types import to_arrow_schema

            writer = pq.ParquetWriter(tmp, to_arrow_schema(schema), compression="zstd")
        writer.close()
        writer = None
        tmp.replace(target)
    finally:
        if writer is not None:
            writer.close()
        if tmp.exists():
            tmp.unlink()
    return rows
