"""The programme form on the Admin Dinas screens keeps [tariff] include_jht (an edit never drops JHT)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sigap.jobs.forms import ProgrammeForm
from sigap.programmes.models import Programme

pytestmark = pytest.mark.django_db

TOML = (
    b'[programme]\ncode = "SIGAP-2026"\nname = "SIGAP 2026"\nregion = "3275"\nfiscal_year = 2026\n'
    b'budget = 883_200\ncoverage_start = "2026-01"\n[tariff]\ninclude_jht = true\n'
)


@pytest.fixture
def admin(client: Any, world: Any) -> Any:
    client.force_login(world.users["admin_dinas"])
    return world.users["admin_dinas"]


def _fields(programme: Programme) -> dict[str, Any]:
    initial = ProgrammeForm.initial_from(programme.spec)
    return {k: ("on" if v is True else v) for k, v in initial.items() if v is not False and v is not None}


def test_jht_survives_an_edit_with_the_form_and_can_be_switched_off(client: Any, admin: Any) -> None:
    upload = {"form": "upload", "file": SimpleUploadedFile("p.toml", TOML)}
    assert client.post(reverse("ops:programmes"), upload).status_code == 302
    programme = Programme.objects.get(code="SIGAP-2026")
    assert programme.to_spec().include_jht and programme.to_spec().cost_per_person() == 441_600

    page = client.get(reverse("ops:programme-detail", args=[programme.pk])).content.decode()
    assert 'name="include_jht"' in page and "2% dari dasar upah" in page

    edit = {**_fields(programme), "budget": "1324800"}
    assert edit["include_jht"] == "on"
    assert client.post(reverse("ops:programme-detail", args=[programme.pk]), edit).status_code == 302
    programme.refresh_from_db()
    assert programme.budget == 1_324_800 and programme.to_spec().include_jht

    edit.pop("include_jht")  # an unticked box is not posted
    assert client.post(reverse("ops:programme-detail", args=[programme.pk]), edit).status_code == 302
    programme.refresh_from_db()
    assert not programme.to_spec().include_jht and "include_jht" not in programme.spec["tariff"]
    assert programme.to_spec().cost_per_person() == 201_600
