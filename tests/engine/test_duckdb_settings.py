"""Every DuckDB connection SIGAP opens takes SIGAP_ENGINE_MEMORY_LIMIT / SIGAP_ENGINE_THREADS: the engine
and the import readers (a province's 50 M-row import spills to disk instead of growing past the box)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sigap.engine import default_engine, default_memory_limit, duckdb_settings


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGAP_ENGINE_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("SIGAP_ENGINE_THREADS", raising=False)
    unset = duckdb_settings()
    assert list(unset) == ["memory_limit"] and unset["memory_limit"] == default_memory_limit()
    assert 512 <= int(str(default_memory_limit()).removesuffix("MB"))
    monkeypatch.setenv("SIGAP_ENGINE_MEMORY_LIMIT", "512MB")
    monkeypatch.setenv("SIGAP_ENGINE_THREADS", "1")
    assert duckdb_settings() == {"memory_limit": "512MB", "threads": 1}
    with default_engine() as engine:
        limit, threads = engine.fetch("SELECT current_setting('memory_limit'), current_setting('threads')")[0]
    assert str(limit).replace(" ", "").upper() in ("512.0MB", "488.2MIB", "512MB") and int(threads) == 1
    monkeypatch.setenv("SIGAP_ENGINE_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="SIGAP_ENGINE_MEMORY_LIMIT='lots'"):
        duckdb_settings()


def test_the_registry_import_connection_takes_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from sigap.registry.ingest import build

    seen: list[dict[str, Any]] = []

    def spy(*args: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        seen.append(dict(config or {}))
        raise RuntimeError("stop here")

    monkeypatch.setenv("SIGAP_ENGINE_MEMORY_LIMIT", "1GB")
    monkeypatch.setattr(build.duckdb, "connect", spy)
    with pytest.raises(RuntimeError, match="stop here"):
        build.build_snapshot(
            source=None,  # type: ignore[arg-type]
            kind="registry",
            mapping={},
            reference_date=dt.date(2026, 1, 1),
            outdir=tmp_path / "out",
            scratch=tmp_path / "scratch",
        )
    assert seen and seen[0]["memory_limit"] == "1GB" and "temp_directory" in seen[0]
