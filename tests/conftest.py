"""Shared fixtures. Each test gets its own DATA_DIR; the database is pytest-django's."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

# No per-example deadline (CI machines are shared); in CI the examples are derandomised so a run
# is repeatable -- the property tests still explore freely on developers' machines.
hypothesis_settings.register_profile("sigap", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "sigap")

os.environ.setdefault("SIGAP_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "sigap-test-data"))

REFERENCE_DATE = dt.date(2026, 1, 1)
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def travel_to(day: dt.date) -> time_machine.travel:
    """A ``time_machine`` traveller to 10:00 in Jakarta on ``day`` (the clock keeps ticking)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=JAKARTA), tick=True)


@pytest.fixture
def clock() -> Iterator[Callable[[dt.date], None]]:
    """``clock(day)`` moves "today" to ``day`` for the rest of the test (Python's clock only: what
    ``timezone.now()``/``date.today()`` answer)."""
    travellers: list[time_machine.travel] = []

    def move(day: dt.date) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = travel_to(day)
        traveller.start()
        travellers.append(traveller)

    yield move
    for traveller in travellers:
        traveller.stop()


@pytest.fixture(autouse=True)
def _today_from_environment(request: pytest.FixtureRequest) -> Iterator[None]:
    """``SIGAP_TEST_TODAY=2026-12-31 make test`` runs the suite as if it were that day: the way to
    find a test that reads the real date (no test may).  Browser tests keep the real clock (the
    browser's cookies would expire)."""
    day = os.environ.get("SIGAP_TEST_TODAY")
    if not day or request.node.get_closest_marker("browser"):
        yield
        return
    with travel_to(dt.date.fromisoformat(day)):
        yield


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
