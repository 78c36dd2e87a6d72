"""A run is decided and exported by the office of its programme's whole region (review of wave 2).

A Kota Bekasi officer's area lies inside a Jawa Barat programme's region, so the officer sees that
programme's figures for Bekasi; before this rule the same overlap let the city's Admin Dinas submit the
province's run, its Kepala Dinas return or approve it (putting a province list in force) and its staff
download the province-wide list with NIK and names.  And operators' person search answers from the list
in force only: ``?run=<a draft>`` is not a way around ADR 0013.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programmes.helpers import programme_document
from sigap.errors import UserError
from web.conftest import NIK_A, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_run(world: World) -> Any:
    from sigap.programmes.actions import programme_apply, targeting_run

    doc = programme_document(budget=403_200)
    doc["programme"].update(code="JABAR-2026", name="Jaminan Pekerja Rentan Jawa Barat", region="32")
    programme, _, _ = programme_apply(document=doc, source_name="jabar.toml")
    return targeting_run(programme=programme)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["admin_dinas", "kepala_dinas", "auditor", "pimpinan"])
def test_city_staff_do_not_open_or_export_a_province_run(world: World, province_run: Any, role: str) -> None:
    client = _client(world.users[role])
    assert client.get(reverse("web:run-detail", args=[province_run.pk])).status_code == 404
    for name in province_run.exports or {"beneficiaries": ""}:
        assert client.get(reverse("web:run-export", args=[province_run.pk, name])).status_code in (403, 404)
    # Their own city's run stays theirs.
    assert client.get(reverse("web:run-detail", args=[world.run.pk])).status_code == 200


def test_city_officials_cannot_submit_return_or_approve_a_province_run(
    world: World, province_run: Any
) -> None:
    from sigap.enrolment.actions import run_approve, run_return, run_submit

    admin, kadis = world.users["admin_dinas"], world.users["kepala_dinas"]
    for url in ("web:approval-submit", "web:approval-approve", "web:approval-return"):
        assert (
            _client(admin if "submit" in url else kadis)
            .post(reverse(url, args=[province_run.pk]))
            .status_code
            == 404
        )
    with pytest.raises(UserError, match="di luar wilayah Anda"):
        run_submit(run=province_run, acting_user=admin)
    run_submit(run=province_run, acting_user=world.users["superuser"])
    with pytest.raises(UserError, match="di luar wilayah Anda"):
        run_return(run=province_run, acting_user=kadis, reason="bukan wewenang kota")
    with pytest.raises(UserError, match="di luar wilayah Anda"):
        run_approve(run=province_run, acting_user=kadis)
    province_run.refresh_from_db()
    assert province_run.state == province_run.SUBMITTED


def test_a_city_officer_starts_no_run_of_a_province_programme(world: World, province_run: Any) -> None:
    from sigap.programmes.actions import targeting_run

    with pytest.raises(UserError, match="di luar wilayah Anda"):
        targeting_run(programme=province_run.programme, acting_user=world.users["admin_dinas"])


def test_person_search_ignores_a_draft_run_asked_for_by_id(world: World) -> None:
    """``world.run`` is still a draft: nothing is in force, so a search finds nobody, whatever ``?run=``."""
    operator = _client(world.users["operator_kelurahan"])
    page = operator.get(reverse("web:person-search"), {"q": NIK_A, "run": world.run.pk})
    assert page.status_code == 200
    assert page.context["run"] is None
    assert "SITI AMINAH" not in page.content.decode()


def test_a_person_is_read_from_the_list_of_their_own_programme(world: World) -> None:
    """An officer over a province sees two kota programmes: a Bekasi person's page comes from the
    Bekasi list in force, not from the newest list (Kota Bandung's, where the person is not)."""
    from sigap.accounts.actions import user_create
    from sigap.programmes.actions import programme_apply, targeting_run
    from web.conftest import approve

    approve(world)
    doc = programme_document(budget=403_200)
    doc["programme"].update(code="BANDUNG-2026", name="Program Kota Bandung", region="3273")
    bandung, _, _ = programme_apply(document=doc, source_name="bandung.toml")
    newer = targeting_run(programme=bandung)
    type(newer).objects.filter(pk=newer.pk).update(state=newer.APPROVED)  # a newer list in force elsewhere
    officer = user_create(
        username="admin.jabar", password="sandi-rahasia-1", role="admin_dinas", area_code="32"
    )
    page = _client(officer).get(reverse("web:person-detail", args=[NIK_A]))
    assert page.status_code == 200
    assert page.context["run"].pk == world.run.pk and "SITI AMINAH" in page.content.decode()
