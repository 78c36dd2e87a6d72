"""Every persona x every Admin Dinas page: Admin Dinas (own area) and superuser only; other area -> 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from sigap.jobs.models import Job
from sigap.registry.models import Snapshot

pytestmark = pytest.mark.django_db

PAGES = [
    "jobs",
    "job_own",
    "job_other_area",
    "imports",
    "snapshot_own",
    "snapshot_other_area",
    "rejections_own",
    "programmes",
    "programme_own",
    "programme_other_area",
    "users",
]
STAFF_ONLY = [403] * len(PAGES)
MATRIX = {
    "anonymous": [302] * len(PAGES),
    "no_profile": STAFF_ONLY,
    "admin_dinas": [200, 200, 404, 200, 200, 404, 200, 200, 200, 404, 200],
    "kepala_dinas": STAFF_ONLY,
    "pimpinan": STAFF_ONLY,
    "auditor": STAFF_ONLY,
    "operator_kecamatan": STAFF_ONLY,
    "operator_kelurahan": STAFF_ONLY,
    "superuser": [200] * len(PAGES),
}


@pytest.fixture
def objects(world: Any, imported: Any) -> dict[str, Any]:
    from programmes.helpers import programme_document
    from sigap.accounts.actions import user_create
    from sigap.programmes.actions import programme_apply

    other_snapshot = Snapshot.objects.create(
        kind=Snapshot.REGISTRY, source_name="kab_bekasi.csv", content_sha256="f" * 64, mapping_sha256="0" * 64,
        reference_date=dt.date(2026, 1, 1), rows=1, accepted=1, rejected=0, region_codes=["3216"],
        data_path="snapshots/none.parquet",
    )  # fmt: skip
    other_programme, _, _ = programme_apply(
        document=programme_document(code="KAB-BEKASI", region="3216"), source_name="t.toml"
    )
    other_user = user_create(username="pimpinan.kab", password="x" * 12, role="pimpinan", area_code="3216")
    return {
        "job_own": Job.objects.create(kind=Job.SNAPSHOT_IMPORT, area_code="3275"),
        "job_other": Job.objects.create(kind=Job.SNAPSHOT_IMPORT, area_code="3216"),
        "snapshot_own": imported,
        "snapshot_other": other_snapshot,
        "programme_other": other_programme,
        "user_other": other_user,
    }


def _url(page: str, world: Any, o: dict[str, Any]) -> str:
    return {
        "jobs": reverse("ops:jobs"),
        "job_own": reverse("ops:job-detail", args=[o["job_own"].pk]),
        "job_other_area": reverse("ops:job-detail", args=[o["job_other"].pk]),
        "imports": reverse("ops:imports"),
        "snapshot_own": reverse("ops:snapshot-detail", args=[o["snapshot_own"].pk]),
        "snapshot_other_area": reverse("ops:snapshot-detail", args=[o["snapshot_other"].pk]),
        "rejections_own": reverse("ops:snapshot-rejections", args=[o["snapshot_own"].pk, "csv"]),
        "programmes": reverse("ops:programmes"),
        "programme_own": reverse("ops:programme-detail", args=[world.programme.pk]),
        "programme_other_area": reverse("ops:programme-detail", args=[o["programme_other"].pk]),
        "users": reverse("ops:users"),
    }[page]


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_permission_matrix(client: Any, world: Any, objects: dict[str, Any], persona: str) -> None:
    if persona != "anonymous":
        client.force_login(world.users[persona])
    got = {}
    for page in PAGES:
        response = client.get(_url(page, world, objects))
        got[page] = response.status_code
        if response.status_code == 302:
            assert reverse("web:login") in response["Location"], page
    assert got == dict(zip(PAGES, MATRIX[persona], strict=True))


@pytest.mark.parametrize("persona", sorted(set(MATRIX) - {"admin_dinas", "superuser"}))
def test_actions_are_refused_to_every_other_persona(
    client: Any, world: Any, objects: dict[str, Any], persona: str
) -> None:
    if persona != "anonymous":
        client.force_login(world.users[persona])
    expected = 302 if persona == "anonymous" else 403
    target = world.users["operator_kelurahan"]
    posts = [
        (reverse("ops:programme-run", args=[world.programme.pk]), {}),
        (reverse("ops:user-active", args=[target.pk, 0]), {}),
        (
            reverse("ops:users"),
            {"username": "x.y", "password": "p" * 12, "role": "auditor", "area_code": "3275"},
        ),
        (reverse("ops:programmes"), {"form": "fields", "code": "X"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == expected, url
    target.refresh_from_db()
    assert target.is_active and not Job.objects.filter(kind=Job.TARGETING_RUN).exists()


def test_admin_cannot_act_on_another_areas_objects(client: Any, world: Any, objects: dict[str, Any]) -> None:
    client.force_login(world.users["admin_dinas"])
    assert client.post(reverse("ops:programme-run", args=[objects["programme_other"].pk])).status_code == 404
    assert client.post(reverse("ops:user-active", args=[objects["user_other"].pk, 0])).status_code == 404
    objects["user_other"].refresh_from_db()
    assert objects["user_other"].is_active
    assert "pimpinan.kab" not in client.get(reverse("ops:users")).content.decode()
    listing = client.get(reverse("ops:imports")).content.decode()
    assert "kab_bekasi.csv" not in listing and "dtsen_bekasi.csv" in listing


def test_menu_entry_only_for_admin_dinas(client: Any, world: Any) -> None:
    client.force_login(world.users["admin_dinas"])
    assert reverse("ops:imports") in client.get(reverse("web:home")).content.decode()
    client.force_login(world.users["kepala_dinas"])
    assert reverse("ops:imports") not in client.get(reverse("web:home")).content.decode()


def test_admin_cannot_take_over_another_areas_programme_by_its_code(
    client: Any, world: Any, objects: dict[str, Any]
) -> None:
    from .test_screens import FIELDS

    client.force_login(world.users["admin_dinas"])
    response = client.post(reverse("ops:programmes"), {**FIELDS, "code": "KAB-BEKASI", "fiscal_year": "2026",
                                                       "coverage_start": "2026-01"})  # fmt: skip
    assert response.status_code == 400
    assert "Kode program KAB-BEKASI sudah dipakai wilayah lain" in response.content.decode()
    objects["programme_other"].refresh_from_db()
    assert (objects["programme_other"].region, objects["programme_other"].version) == ("3216", 1)
