"""The permission matrix: every persona x every page -> the expected HTTP status."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from .conftest import NIK_A, NIK_B, approve

pytestmark = pytest.mark.django_db

PAGES = [
    "dashboard",
    "programmes",
    "run_detail",
    "run_map",
    "export",
    "search",
    "person_own_area",
    "person_other_area",
    "audit_log",
    "audit_export",
    "citizen_check",
]

# Columns follow PAGES.  302 = sent to the login page (anonymous) or to the role's own first page.
MATRIX = {
    "anonymous": [302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 200],
    "no_profile": [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200],
    "admin_dinas": [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 200],
    "kepala_dinas": [200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 200],
    "pimpinan": [200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 200],
    "auditor": [302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "operator_kecamatan": [302, 403, 403, 403, 403, 200, 200, 404, 403, 403, 200],
    "operator_kelurahan": [302, 403, 403, 403, 403, 200, 200, 404, 403, 403, 200],
    "superuser": [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
}


def _url(page: str, run: Any) -> str:
    export_name = sorted(run.exports)[0]
    return {
        "dashboard": reverse("web:home"),
        "programmes": reverse("web:programmes"),
        "run_detail": reverse("web:run-detail", args=[run.pk]),
        "run_map": reverse("web:run-geojson", args=[run.pk]),
        "export": reverse("web:run-export", args=[run.pk, export_name]),
        "search": reverse("web:person-search") + "?q=siti",
        "person_own_area": reverse("web:person-detail", args=[NIK_A]),
        "person_other_area": reverse("web:person-detail", args=[NIK_B]),
        "audit_log": reverse("web:audit-log"),
        "audit_export": reverse("web:audit-export"),
        "citizen_check": reverse("web:citizen-check"),
    }[page]


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_permission_matrix(client: Any, world: Any, persona: str) -> None:
    approve(world)
    if persona != "anonymous":
        client.force_login(world.users[persona])
    got = {}
    for page in PAGES:
        response = client.get(_url(page, world.run))
        got[page] = response.status_code
        if persona == "anonymous" and response.status_code == 302:
            assert reverse("web:login") in response["Location"], page
    assert got == dict(zip(PAGES, MATRIX[persona], strict=True))


def test_landing_pages_follow_the_role(client: Any, world: Any) -> None:
    client.force_login(world.users["operator_kelurahan"])
    assert client.get(reverse("web:home"))["Location"] == reverse("web:person-search")
    client.force_login(world.users["auditor"])
    assert client.get(reverse("web:home"))["Location"] == reverse("web:audit-log")


def test_menu_shows_only_the_pages_of_the_role(client: Any, world: Any) -> None:
    client.force_login(world.users["operator_kelurahan"])
    page = client.get(reverse("web:person-search")).content.decode()
    assert 'href="/penduduk/"' in page and 'href="/cek-status/"' in page
    assert 'href="/audit/"' not in page and 'href="/program/"' not in page
    client.force_login(world.users["pimpinan"])
    page = client.get(reverse("web:home")).content.decode()
    assert 'href="/program/"' in page and 'href="/penduduk/"' not in page and 'href="/audit/"' not in page


def test_a_programme_outside_the_area_is_invisible(client: Any, world: Any) -> None:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create

    other = user_create(
        username="pimpinan.kabbekasi", password="x" * 12, role=roles.PIMPINAN, area_code="3216"
    )
    client.force_login(other)
    assert client.get(reverse("web:run-detail", args=[world.run.pk])).status_code == 404
    assert client.get(reverse("web:run-geojson", args=[world.run.pk])).status_code == 404
    assert world.programme.code not in client.get(reverse("web:home")).content.decode()
