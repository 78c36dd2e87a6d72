"""Cari penduduk: area scoping inside the query, the "why", and an audit row for every access."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sigap.audit.models import AuditEvent
from sigap.web.selectors import QueryError, parse_query, person_search

from .conftest import KEL_A, NIK_A, NIK_B, NIK_POOR_FIT, NIK_WAIT, approve

pytestmark = pytest.mark.django_db


def test_kelurahan_operator_finds_only_own_kelurahan(client: Any, world: Any) -> None:
    approve(world)
    client.force_login(world.users["operator_kelurahan"])
    page = client.get(reverse("web:person-search"), {"q": "SANTOSO"}).content.decode()
    assert "BUDI SANTOSO" not in page  # lives in another kecamatan
    page = client.get(reverse("web:person-search"), {"q": "siti"}).content.decode()
    assert "SITI AMINAH" in page and "SITI RAHAYU" in page and NIK_A in page
    page = client.get(reverse("web:person-search"), {"q": NIK_B}).content.decode()
    assert NIK_B not in page.split("Hasil")[-1] and "BUDI" not in page
    admin = world.users["admin_dinas"]
    client.force_login(admin)
    page = client.get(reverse("web:person-search"), {"q": "budi"}).content.decode()
    assert "BUDI SANTOSO" in page


def test_scoping_is_inside_the_query(world: Any) -> None:
    assert {p.nik for p in person_search(run=world.run, area_prefix=KEL_A, query="SiTi")} == {NIK_A, NIK_WAIT}
    assert person_search(run=world.run, area_prefix=KEL_A, query=NIK_B) == []
    assert person_search(run=world.run, area_prefix=KEL_A[:4], query="santoso")[0].nik == NIK_B
    assert [p.nik for p in person_search(run=world.run, area_prefix="", query=NIK_B)] == [NIK_B]
    assert person_search(run=world.run, area_prefix=KEL_A, query="kaya")[0].nik == NIK_POOR_FIT
    with pytest.raises(ValueError):
        person_search(run=world.run, area_prefix="3275' OR 1=1 --", query="siti")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3275 0145 0580 0001", ("nik", NIK_A)), ("  siti   aminah ", ("name", "siti aminah"))],
)
def test_query_parsing(raw: str, expected: tuple[str, str]) -> None:
    assert parse_query(raw) == expected


@pytest.mark.parametrize("raw", ["32750145", "ab", "a1 2"])
def test_bad_queries_are_refused(raw: str) -> None:
    with pytest.raises(QueryError):
        parse_query(raw)


def test_short_query_shows_message_and_is_still_logged(client: Any, world: Any) -> None:
    approve(world)
    client.force_login(world.users["operator_kecamatan"])
    response = client.get(reverse("web:person-search"), {"q": "si"})
    assert response.status_code == 200 and "minimal 3 huruf" in response.content.decode()
    event = AuditEvent.objects.get(action="person.search")
    assert event.note == "si" and event.actor == world.users["operator_kecamatan"]


def test_guessing_another_kelurahan_nik_in_the_url_gives_404_and_is_logged(client: Any, world: Any) -> None:
    client.force_login(world.users["operator_kelurahan"])
    other = client.get(reverse("web:person-detail", args=[NIK_B]))
    missing = client.get(reverse("web:person-detail", args=["3275019999999999"]))
    assert other.status_code == missing.status_code == 404
    assert "BUDI" not in other.content.decode()
    # the answer for "exists elsewhere" and "does not exist" is the same page
    assert other.content.decode().split("<main")[1] == missing.content.decode().split("<main")[1]
    views = AuditEvent.objects.filter(action="person.view").order_by("id")
    assert [(e.note, e.after["found"]) for e in views] == [(NIK_B, False), ("3275019999999999", False)]


def test_person_detail_shows_decision_and_reasons(client: Any, world: Any) -> None:
    approve(world)
    client.force_login(world.users["operator_kelurahan"])
    page = client.get(reverse("web:person-detail", args=[NIK_POOR_FIT])).content.decode()
    assert "AHMAD KAYA" in page and "Tidak memenuhi syarat" in page and "desil 7 &gt; 5" in page
    page = client.get(reverse("web:person-detail", args=[NIK_A])).content.decode()
    assert "SITI AMINAH" in page and "terpilih, peringkat 2" in page and "Rp201.600" in page
    page = client.get(reverse("web:person-detail", args=[NIK_WAIT])).content.decode()
    assert "Daftar tunggu" in page and "daftar tunggu nomor 1" in page
    # the reasons follow the language the officer chose
    client.cookies["django_language"] = "en"
    page = client.get(reverse("web:person-detail", args=[NIK_WAIT])).content.decode()
    assert "waiting rank 1" in page
    page = client.get(reverse("web:person-detail", args=[NIK_POOR_FIT])).content.decode()
    assert "desil 7 &gt; 5" in page
    views = AuditEvent.objects.filter(action="person.view", actor=world.users["operator_kelurahan"])
    assert sorted(e.note for e in views) == sorted([NIK_POOR_FIT, NIK_A, NIK_WAIT, NIK_WAIT, NIK_POOR_FIT])
    assert all(e.object_id == str(world.run.pk) for e in views)
