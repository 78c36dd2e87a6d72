"""The audit log is scoped to the viewer's area: page, CSV and XLSX (review finding: a Kota Bekasi
auditor downloading /audit/unduh.csv saw a Kota Bandung operator's person look-ups)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.accounts import roles
from sigap.accounts.actions import user_create
from sigap.audit.actions import audit_record, event_area
from sigap.audit.models import AuditEvent
from sigap.programmes.models import Programme
from web.conftest import KEL_A, NIK_A, approve

pytestmark = pytest.mark.django_db

BANDUNG = "3273"
KEL_BANDUNG = "3273010001"
NIK_BANDUNG = "3273014101900007"
NAME_BANDUNG = "NENG BANDUNG"


def _user(name: str, role: str, area: str) -> Any:
    return user_create(username=name, password="sandi-rahasia-1", role=role, area_code=area)


@pytest.fixture
def two_cities(world: Any) -> dict[str, Any]:
    """Kota Bekasi (the world) and Kota Bandung: an operator of each looks a person up."""
    approve(world)
    users = {
        "op.bekasi": world.users[roles.OPERATOR_KELURAHAN],
        "auditor.bekasi": world.users[roles.AUDITOR],
        "op.bandung": _user("op.bandung", roles.OPERATOR_KELURAHAN, KEL_BANDUNG),
        "auditor.bandung": _user("auditor.bandung", roles.AUDITOR, BANDUNG),
        "auditor.jabar": _user("auditor.jabar", roles.AUDITOR, "32"),  # Provinsi Jawa Barat
        "root": world.users["superuser"],
    }
    client = Client()
    client.force_login(users["op.bekasi"])
    client.get(reverse("web:person-detail", args=[NIK_A]))
    client.force_login(users["op.bandung"])
    client.get(reverse("web:person-detail", args=[NIK_BANDUNG]))  # no Bandung list here: still audited
    # a Bandung name search, recorded the way the search page records it (against Bandung's programme)
    bandung = Programme.objects.create(
        code="BDG-2026", name="Kota Bandung", region=BANDUNG, fiscal_year=2026, budget=1,
        coverage_start="2026-01", spec=world.programme.spec,
    )  # fmt: skip
    audit_record(acting_user=users["op.bandung"], action="person.search", obj=bandung, note=NAME_BANDUNG)
    audit_record(acting_user=None, action="holidays.import", object_type="holidays.holiday")  # national
    return users


def _page(user: Any, **params: str) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("web:audit-log"), params).content.decode()


def _csv(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("web:audit-export"))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def _xlsx(user: Any) -> list[tuple[Any, ...]]:
    import openpyxl

    client = Client()
    client.force_login(user)
    response = client.get(reverse("web:audit-export-xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


def _seen(user: Any) -> dict[str, bool]:
    """What each view of the log shows ``user`` of the two cities' look-ups."""
    page, text, sheet = _page(user), _csv(user), _xlsx(user)
    cells = " ".join(str(c) for row in sheet for c in row if c is not None)
    seen = {}
    for label, needle in (("bekasi", NIK_A), ("bandung", NIK_BANDUNG), ("bandung_name", NAME_BANDUNG)):
        found = [needle in page, needle in text, needle in cells]
        assert len(set(found)) == 1, f"page, CSV and XLSX disagree on {label}: {found}"
        seen[label] = found[0]
    return seen


def test_each_city_auditor_sees_only_their_citys_events(two_cities: dict[str, Any]) -> None:
    assert _seen(two_cities["auditor.bekasi"]) == {"bekasi": True, "bandung": False, "bandung_name": False}
    assert _seen(two_cities["auditor.bandung"]) == {"bekasi": False, "bandung": True, "bandung_name": True}


def test_a_provincial_auditor_sees_both_cities_and_a_superuser_everything(two_cities: dict[str, Any]) -> None:
    assert _seen(two_cities["auditor.jabar"]) == {"bekasi": True, "bandung": True, "bandung_name": True}
    assert "holidays.import" not in _page(two_cities["auditor.jabar"])  # the installation's own events
    root = two_cities["root"]
    assert _seen(root) == {"bekasi": True, "bandung": True, "bandung_name": True}
    assert "holidays.import" in _page(root)


def test_filters_counts_and_the_action_list_stay_inside_the_area(two_cities: dict[str, Any]) -> None:
    bekasi = two_cities["auditor.bekasi"]
    page = _page(bekasi, aksi="person.")
    assert "1 catatan" in page and NIK_A in page
    # the action choices are the area's: Bandung's person.search is not offered to Bekasi
    assert '<option value="person.search"' not in _page(bekasi)
    assert '<option value="person.search"' in _page(two_cities["auditor.bandung"])
    # the export rows of each auditor are recorded in their own area
    _csv(bekasi)
    _csv(two_cities["auditor.bandung"])
    exports = dict(AuditEvent.objects.filter(action="audit.export").values_list("actor_label", "area_code"))
    assert exports == {"auditor": "3275", "auditor.bandung": BANDUNG}
    assert "auditor.bandung" not in _page(bekasi, aksi="audit.export")


def test_the_event_area_is_the_objects_region_narrowed_to_the_actors_area(world: Any) -> None:
    op = world.users[roles.OPERATOR_KELURAHAN]
    admin = world.users[roles.ADMIN_DINAS]
    view = AuditEvent.objects.filter(action="person.view")
    Client().get("/")  # nothing recorded by the public page
    client = Client()
    client.force_login(op)
    approve(world)
    client.get(reverse("web:person-detail", args=[NIK_A]))
    assert view.get().area_code == KEL_A  # the kota's list, looked at by a kelurahan operator
    assert event_area(obj=world.programme, acting_user=admin) == "3275"
    assert event_area(obj=world.run, acting_user=None) == "3275"  # the console: the object's region
    assert event_area(obj=None, acting_user=op) == KEL_A  # no object: the actor's area
    assert event_area(obj=None, acting_user=None) == ""  # the whole installation: superusers only
    assert event_area(obj=admin, acting_user=None) == "3275"  # a user: the area of its profile
