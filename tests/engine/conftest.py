"""The Spark engine's tests: one local[2] session for the whole run (a JVM takes seconds to start).

They need Java (17+) and ``pyspark`` (``pip install -e '.[dev]'`` brings it).  Without either they
are skipped with the reason, unless ``SIGAP_REQUIRE_SPARK=1`` (set by ``.ci/run``), which makes a
missing Java or pyspark a failure: CI proves the parity, it does not skip it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[dev]' or '.[spark]')"
    java = shutil.which("java") or (
        os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else None
    )
    if not java or not os.path.exists(java):
        return "no Java runtime (apt-get install default-jre-headless)"
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError) as e:
        return f"java -version failed: {e}"
    if out.returncode != 0:
        return f"java -version failed: {out.stderr.strip()[:200]}"
    return None


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    reason = spark_missing()
    if reason is not None:
        if os.environ.get("SIGAP_REQUIRE_SPARK") == "1":
            pytest.fail(f"Spark tests are required here (SIGAP_REQUIRE_SPARK=1) but {reason}")
        pytest.skip(f"Spark tests skipped: {reason}")
    from sigap.engine.spark_engine import build_session

    session = build_session(
        master="local[2]",
        app_name="sigap-tests",
        config={"spark.sql.shuffle.partitions": "8", "spark.driver.memory": "1g"},
    )
    yield session
    session.stop()


@pytest.fixture
def spark(spark_session: Any) -> Iterator[Any]:
    """A SparkEngine on the shared session (its views dropped after the test)."""
    from sigap.engine.spark_engine import SparkEngine

    with SparkEngine(session=spark_session) as engine:
        yield engine
