"""Shared fixtures. Each test gets its own DATA_DIR; the database is pytest-django's."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# No per-example deadline (CI machines are shared); in CI the examples are derandomised so a run
# is repeatable -- the property tests still explore freely on developers' machines.
hypothesis_settings.register_profile("sigap", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "sigap")

os.environ.setdefault("SIGAP_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "sigap-test-data"))

REFERENCE_DATE = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language (Bahasa Indonesia).  A request through the test client
    activates its language in this thread and nothing resets it, so one test asking for English would
    otherwise change the messages every later test sees."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests hash with MD5 (never configured outside tests)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def data_dir(tmp_path: Path, settings: pytest.FixtureRequest) -> Path:
    """A fresh DATA_DIR for snapshots, runs and exports."""
    path = tmp_path / "data"
    path.mkdir()
    settings.DATA_DIR = path  # type: ignore[attr-defined]
    return path
