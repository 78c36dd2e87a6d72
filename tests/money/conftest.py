"""Money-page fixtures: the web ``world`` (Kota Bekasi, one user per role) taken through approval,
a BPJS TK batch and its answer, plus a programme in another region; the business date is pinned."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from programmes.helpers import programme_document
from web.conftest import (  # noqa: F401 -- fixtures re-exported for this folder
    BORN_A,
    KEL_A,
    KEL_B,
    NIK_A,
    NIK_B,
    NIK_WAIT,
    World,
    _fresh_cache,
    world,
)

EXPORTED_ON = dt.date(2025, 12, 10)
ANSWERED_ON = dt.date(2026, 1, 20)


class Today:
    """The pinned business date of the pages (``sigap.web.listing.today``)."""

    def __init__(self) -> None:
        self.value = EXPORTED_ON

    def __call__(self) -> dt.date:
        return self.value


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Today:
    pinned = Today()
    monkeypatch.setattr("sigap.web.listing.today", pinned)
    return pinned


@pytest.fixture
def login() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def write_response(directory: Path, rows: list[dict[str, str]], *, name: str = "jawaban.csv") -> Path:
    """A BPJS TK answer file (CSV) with the standard columns, like tests/enrolment builds it."""
    path = directory / name
    columns = ["NIK", "KPJ", "STATUS", "ALASAN", "TANGGAL_EFEKTIF"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


ACCEPT_BOTH = [
    {"NIK": NIK_A, "KPJ": "26000000001", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
    {"NIK": NIK_B, "KPJ": "26000000002", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
]


@pytest.fixture
def approved(world: World) -> World:  # noqa: F811 -- the imported fixture
    """The world's run submitted by the Admin Dinas and approved by the Kepala Dinas (2 members)."""
    from sigap.enrolment.actions import run_approve, run_submit

    run_submit(run=world.run, acting_user=world.users["admin_dinas"])
    run_approve(run=world.run, acting_user=world.users["kepala_dinas"])
    return world


@pytest.fixture
def batch(approved: World) -> Any:
    from sigap.enrolment.actions import batch_export

    return batch_export(
        programme=approved.programme, acting_user=approved.users["admin_dinas"], today=EXPORTED_ON
    )


@pytest.fixture
def enrolled(batch: Any, approved: World, tmp_path: Path) -> World:
    """Both members active with coverage from January 2026."""
    from sigap.enrolment.actions import response_import

    path = write_response(tmp_path, ACCEPT_BOTH)
    response_import(batch=batch, path=path, acting_user=approved.users["admin_dinas"], today=ANSWERED_ON)
    return approved


@pytest.fixture
def elsewhere(db: Any) -> Any:
    """A programme of Kabupaten Bekasi (3216): outside every non-superuser's area in the world."""
    from sigap.programmes.actions import programme_apply

    programme, _, _ = programme_apply(
        document=programme_document(code="LAIN-2026", name="Kabupaten 2026", region="3216"),
        source_name="lain.toml",
    )
    return programme
