"""Web fixtures: a small Kota Bekasi run (two kelurahan in two kecamatan) and one user per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from programmes.helpers import BEKASI_KELURAHAN, person, programme_document, write_people

KEL_A = "3275011001"  # Bekasijaya, kecamatan Bekasi Timur (327501)
KEL_B = next(code for code in BEKASI_KELURAHAN if code[:6] != KEL_A[:6])  # another kecamatan
NIK_A = "3275014505800001"  # SITI AMINAH, kelurahan A, selected
NIK_B = "3275020101800002"  # BUDI SANTOSO, kelurahan B, selected
NIK_WAIT = "3275010202800003"  # kelurahan A, waiting list
NIK_POOR_FIT = "3275010303800004"  # kelurahan A, desil 7: not eligible
BORN_A = dt.date(1980, 5, 5)
# Each person's family card (KK) number: the second factor of the public status check.
KK_A, KK_B, KK_WAIT, KK_POOR_FIT = (f"32750117069{n:05d}" for n in (11, 22, 33, 44))
KK = {NIK_A: KK_A, NIK_B: KK_B, NIK_WAIT: KK_WAIT, NIK_POOR_FIT: KK_POOR_FIT}


def approve(world: Any) -> None:
    """Submit and approve the world's run: its list comes into force (what citizens and leaders see)."""
    from sigap.enrolment.actions import run_approve, run_submit

    run_submit(run=world.run, acting_user=world.users["admin_dinas"])
    run_approve(run=world.run, acting_user=world.users["kepala_dinas"])
    world.run.refresh_from_db()


@dataclass
class World:
    run: Any
    programme: Any
    users: dict[str, Any]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # rate-limit counters live in the cache


@pytest.fixture
def world(data_dir: Path, db: Any) -> World:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.programmes.actions import programme_apply, targeting_run

    write_people(
        data_dir,
        [
            person(
                NIK_A,
                no_kk=KK_A,
                nama="SITI AMINAH",
                jenis_kelamin="P",
                tanggal_lahir=BORN_A,
                kode_kelurahan=KEL_A,
            ),
            person(
                NIK_B,
                no_kk=KK_B,
                nama="BUDI SANTOSO",
                kode_kelurahan=KEL_B,
                tanggal_lahir=dt.date(1980, 1, 1),
            ),
            person(
                NIK_WAIT,
                no_kk=KK_WAIT,
                nama="SITI RAHAYU",
                desil=3,
                kode_kelurahan=KEL_A,
                tanggal_lahir=dt.date(1980, 2, 2),
            ),
            person(
                NIK_POOR_FIT,
                no_kk=KK_POOR_FIT,
                nama="AHMAD KAYA",
                desil=7,
                kode_kelurahan=KEL_A,
                tanggal_lahir=dt.date(1980, 3, 3),
            ),
        ],
    )
    # Budget for exactly two people for twelve months (2 x Rp201.600).
    programme, _, _ = programme_apply(document=programme_document(budget=403_200), source_name="t.toml")
    run = targeting_run(programme=programme)
    assert (run.selected, run.waiting, run.ineligible) == (2, 1, 1)
    areas = {
        roles.ADMIN_DINAS: "3275",
        roles.KEPALA_DINAS: "3275",
        roles.PIMPINAN: "3275",
        roles.AUDITOR: "3275",
        roles.OPERATOR_KECAMATAN: KEL_A[:6],
        roles.OPERATOR_KELURAHAN: KEL_A,
    }
    users: dict[str, Any] = {
        role: user_create(username=role, password="sandi-rahasia-1", role=role, area_code=area)
        for role, area in areas.items()
    }
    users["no_profile"] = get_user_model().objects.create_user("tanpa.peran", password="sandi-rahasia-1")
    users["superuser"] = get_user_model().objects.create_superuser("root", password="sandi-rahasia-1")
    return World(run=run, programme=programme, users=users)
