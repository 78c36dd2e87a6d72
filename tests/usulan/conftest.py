"""Fixtures for usulan/pengaduan: the web ``world`` plus operators of neighbouring areas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from programmes.helpers import BEKASI_KELURAHAN
from web.conftest import KEL_A, KEL_B, World, _fresh_cache, approve, world  # noqa: F401 -- fixtures

#: A second kelurahan in the same kecamatan as KEL_A.
KEL_A2 = next(code for code in BEKASI_KELURAHAN if code[:6] == KEL_A[:6] and code != KEL_A)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _today(clock: Any) -> None:
    """Requests judge dates against today (a death date must not be in the future): 5 December 2026."""
    clock(dt.date(2026, 12, 5))


@pytest.fixture
def kel(world: World) -> World:  # noqa: F811 -- the imported fixture
    """``world`` with an operator of KEL_A2 (same kecamatan) and of KEL_B and its kecamatan."""
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create

    extra = {
        "operator_kelurahan_a2": (roles.OPERATOR_KELURAHAN, KEL_A2),
        "operator_kelurahan_b": (roles.OPERATOR_KELURAHAN, KEL_B),
        "operator_kecamatan_b": (roles.OPERATOR_KECAMATAN, KEL_B[:6]),
        "admin_dinas_2": (roles.ADMIN_DINAS, "3275"),
    }
    for name, (role, area) in extra.items():
        world.users[name] = user_create(username=name, password="sandi-rahasia-1", role=role, area_code=area)
    approve(world)  # operators work from the list in force
    return world


def login(client: Any, w: World, persona: str) -> Any:
    client.force_login(w.users[persona])
    return client
