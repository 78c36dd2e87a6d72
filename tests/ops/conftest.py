"""Admin Dinas screens: jobs run on django-tasks' immediate backend (in the request)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from web.conftest import World, _fresh_cache, world  # noqa: F401 -- fixtures reused

from .helpers import good_rows, registry_csv

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture
def imported(world: World, data_dir: Path, tmp_path: Path) -> Any:  # noqa: F811
    """A snapshot imported from a real file (with a rejection report), by the Admin Dinas."""
    from sigap.registry.actions import snapshot_import

    path = tmp_path / "dtsen_bekasi.csv"
    path.write_bytes(registry_csv(good_rows()))
    result = snapshot_import(
        path=path, reference_date=dt.date(2026, 1, 1), acting_user=world.users["admin_dinas"]
    )
    assert (result.accepted, result.rejected) == (6, 2)
    return result.snapshot
