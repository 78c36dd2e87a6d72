"""Spark configuration without a JVM: the engine choice, Spark Connect URLs (a remote session builder,
never connected here) and object-storage paths handed to Spark exactly as given (ADR 0017,
docs/operations/spark.md).  Needs only the pyspark package, not Java."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import pytest

if importlib.util.find_spec("pyspark") is None:
    WHY = "pyspark is not installed (pip install -e '.[dev]' or '.[spark]')"
    if os.environ.get("SIGAP_REQUIRE_SPARK") == "1":  # CI proves it, it does not skip it (conftest)
        pytest.fail(f"Spark tests are required here (SIGAP_REQUIRE_SPARK=1) but {WHY}", pytrace=False)
    pytest.skip(f"Spark tests skipped: {WHY}", allow_module_level=True)

from sigap.engine import engine_name, make_spark_engine, spark_settings  # noqa: E402
from sigap.engine.many import partition_snapshot, snapshot_part  # noqa: E402
from sigap.engine.spark_engine import DEFAULT_CONFIG, SparkEngine, session_builder  # noqa: E402

CONNECT = "sc://spark-gw.internal:15002"


@pytest.fixture(autouse=True)
def _no_spark_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SIGAP_ENGINE", "SIGAP_SPARK_MASTER", "SIGAP_SPARK_CONF", "PYSPARK_GATEWAY_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_a_spark_connect_url_makes_a_remote_session_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGAP_ENGINE", "Spark")
    monkeypatch.setenv("SIGAP_SPARK_MASTER", CONNECT)
    monkeypatch.setenv("SIGAP_SPARK_CONF", "spark.sql.shuffle.partitions=4000; spark.executor.memory=16g;")
    assert engine_name() == "spark"
    settings = spark_settings()
    assert settings == {
        "master": CONNECT,
        "config": {"spark.sql.shuffle.partitions": "4000", "spark.executor.memory": "16g"},
    }
    options = session_builder(**settings, app_name="sigap-test")._options
    assert options["spark.remote"] == CONNECT and "spark.master" not in options
    assert options["spark.app.name"] == "sigap-test"
    assert options["spark.sql.shuffle.partitions"] == "4000" and options["spark.executor.memory"] == "16g"
    for key, value in DEFAULT_CONFIG.items():  # text partition values etc. on the server's session too
        assert options[key] == value


def test_a_master_url_makes_a_classic_builder_and_spark_submit_keeps_its_master(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = session_builder(**spark_settings())._options
    assert options["spark.master"] == "local[2]" and "spark.remote" not in options
    monkeypatch.setenv("SIGAP_SPARK_MASTER", "spark://master:7077")
    assert session_builder(**spark_settings())._options["spark.master"] == "spark://master:7077"
    monkeypatch.delenv("SIGAP_SPARK_MASTER")
    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "40000")  # under spark-submit: its --master decides
    assert "spark.master" not in session_builder(**spark_settings())._options
    monkeypatch.setenv("SIGAP_SPARK_CONF", "spark.executor.memory")
    with pytest.raises(ValueError, match="not key=value"):
        spark_settings()
    monkeypatch.setenv("SIGAP_ENGINE", "flink")
    with pytest.raises(ValueError, match="not one of duckdb, spark"):
        engine_name()


def test_make_spark_engine_hands_the_settings_to_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, Any]] = []

    def fake_build_session(**kwargs: Any) -> FakeSession:
        made.append(kwargs)
        return FakeSession()

    monkeypatch.setattr("sigap.engine.spark_engine.build_session", fake_build_session)
    monkeypatch.setenv("SIGAP_SPARK_MASTER", CONNECT)
    monkeypatch.setenv("SIGAP_SPARK_CONF", "spark.sql.shuffle.partitions=8")
    engine = make_spark_engine()
    assert made == [{"master": CONNECT, "app_name": "sigap", "config": {"spark.sql.shuffle.partitions": "8"}}]
    assert engine.dialect == "spark"


# --------------------------------------------------------------------------- object storage


class FakeFrame:
    """What the engine calls on a DataFrame and its writer; every path is recorded as given."""

    def __init__(self, session: FakeSession, origin: str) -> None:
        self.session, self.origin, self.columns = session, origin, ["nik", "kode_kelurahan"]

    # reader result
    def createOrReplaceTempView(self, name: str) -> None:  # noqa: N802 -- PySpark's name
        self.session.views[name] = self

    def count(self) -> int:
        return 3

    # writer
    @property
    def write(self) -> FakeFrame:
        return self

    def mode(self, mode: str) -> FakeFrame:
        self.session.calls.append(("mode", mode))
        return self

    def partitionBy(self, *columns: str) -> FakeFrame:  # noqa: N802 -- PySpark's name
        self.session.calls.append(("partitionBy", columns))
        return self

    def parquet(self, path: str) -> None:
        self.session.calls.append(("write", path))


class FakeReader:
    def __init__(self, session: FakeSession) -> None:
        self.session = session

    def option(self, key: str, value: str) -> FakeReader:
        self.session.calls.append(("option", (key, value)))
        return self

    def parquet(self, path: str) -> FakeFrame:
        self.session.calls.append(("read", path))
        return FakeFrame(self.session, path)


class FakeCatalog:
    def dropTempView(self, name: str) -> None:  # noqa: N802 -- PySpark's name
        pass


class FakeSession:
    """A SparkSession stand-in (no JVM): SQL is recorded after transpiling, paths as given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.views: dict[str, FakeFrame] = {}
        self.catalog = FakeCatalog()
        self.version = "4.3.0"

    @property
    def read(self) -> FakeReader:
        return FakeReader(self)

    def sql(self, statement: str, args: Any = None) -> FakeFrame:
        self.calls.append(("sql", statement))
        return FakeFrame(self, statement)

    def table(self, name: str) -> FakeFrame:
        return self.views[name]


@pytest.mark.parametrize("root", ["s3a://sigap/snapshots/2026-11", "gs://sigap/snapshots/2026-11/"])
def test_object_storage_paths_are_passed_to_spark_as_given(root: str) -> None:
    session = FakeSession()
    engine = SparkEngine(session=session)
    written = partition_snapshot(engine, "s3a://sigap/imports/dtsen.parquet", root)
    assert written == 3
    paths = [(kind, value) for kind, value in session.calls if kind in ("read", "write", "option")]
    assert paths == [
        ("read", "s3a://sigap/imports/dtsen.parquet"),  # no local basePath for a URL
        ("write", root),
        ("read", root),
    ]
    assert ("partitionBy", ("provinsi", "kabupaten_kota")) in session.calls
    # a city's part of a snapshot on object storage, and a run's file there: Spark's folder of parts
    assert snapshot_part(root, "3275") == f"{root.rstrip('/')}/provinsi=32/kabupaten_kota=3275"
    assert snapshot_part(root, "32") == f"{root.rstrip('/')}/provinsi=32"
    session.calls.clear()
    engine.register_parquet("city", snapshot_part(root, "3275"))
    assert engine.copy_to_parquet("SELECT nik FROM city", f"{root}/out/decisions.parquet") == 3
    assert [c for c in session.calls if c[0] in ("read", "write", "option")] == [
        ("read", snapshot_part(root, "3275")),
        ("write", f"{root}/out/decisions.parquet"),
        ("read", f"{root}/out/decisions.parquet"),
    ]


def test_a_local_folder_is_read_with_its_base_path(tmp_path: Any) -> None:
    session = FakeSession()
    (tmp_path / "provinsi=32").mkdir()
    SparkEngine(session=session).register_parquet("people", tmp_path)
    assert session.calls == [("option", ("basePath", str(tmp_path))), ("read", str(tmp_path))]
