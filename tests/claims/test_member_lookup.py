"""Registering an incident starts by finding the member: by NIK, KPJ or name (a name used to find
nothing, silently)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.accounts import roles
from sigap.audit.models import AuditEvent

from .conftest import NIK_A, World

pytestmark = pytest.mark.django_db
URL = reverse("web:claims:member-lookup")


def _get(world: World, **params: str) -> str:
    client = Client()
    client.force_login(world.users[roles.OPERATOR_KECAMATAN])
    return client.get(URL, params).content.decode()


def test_a_member_is_found_by_name_nik_or_kpj(world: World, members: dict[str, Any]) -> None:
    by_name = _get(world, q="siti ami")
    assert "SITI AMINAH" in by_name and NIK_A in by_name
    assert NIK_A in _get(world, q=NIK_A) and NIK_A in _get(world, nik=NIK_A)  # the old parameter too
    assert NIK_A in _get(world, q=members["A"].kpj)
    # BUDI SANTOSO lives in another kecamatan: outside this operator's area, as if absent
    assert "BUDI SANTOSO" not in _get(world, q="budi")
    assert "Tidak ada peserta dengan NIK, KPJ, atau nama itu" in _get(world, q="budi")
    assert list(AuditEvent.objects.filter(action="claim.member_lookup").values_list("note", flat=True))[:1]


def test_too_short_a_name_says_so(world: World, members: dict[str, Any]) -> None:
    page = _get(world, q="si")
    assert "Ketik paling sedikit 3 huruf nama" in page and 'aria-invalid="true"' in page
    assert not AuditEvent.objects.filter(action="claim.member_lookup").exists()
