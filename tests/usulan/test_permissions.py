"""The permission matrix of the usulan and pengaduan pages: every persona x page -> HTTP status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from sigap.pengaduan import actions as grievance_actions
from sigap.usulan import actions
from sigap.usulan.files import Upload
from web.conftest import NIK_A, NIK_B

from .conftest import KEL_A, KEL_B, PDF, World

pytestmark = pytest.mark.django_db

PAGES = [
    "usulan_list",
    "usulan_create",
    "usulan_own",
    "usulan_other",
    "usulan_attachment",
    "usulan_export",
    "usulan_accepted",
    "usulan_accepted_export",
    "grievance_list",
    "grievance_create",
    "grievance_own",
    "grievance_other",
    "grievance_sla",
    "grievance_public",
    "ticket_check",
    "grievance_export",
]
# Columns follow PAGES.  302 = sent to the login page.  Kepala Dinas sees escalated grievances only
# (the own-area one is escalated, the other one is not); Pimpinan (and Kepala Dinas for usulan) counts only.
MATRIX = {
    "anonymous": [302] * 13 + [200, 200, 302],
    "no_profile": [403] * 13 + [200, 200, 403],
    "admin_dinas": [200] * 16,
    "kepala_dinas": [200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 404, 403, 200, 200, 200],
    "pimpinan": [200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200, 200, 403],
    "auditor": [200, 403, 200, 200, 200, 200, 403, 403, 200, 403, 200, 200, 403, 200, 200, 200],
    "operator_kecamatan": [200, 200, 200, 404, 200, 200, 403, 403, 200, 200, 200, 404, 403, 200, 200, 200],
    "operator_kelurahan": [200, 200, 200, 404, 200, 200, 403, 403, 200, 200, 200, 404, 403, 200, 200, 200],
    "superuser": [200] * 16,
}


@pytest.fixture
def objects(kel: World) -> dict[str, Any]:
    own = actions.usulan_submit(
        kind="desil",
        kode_kelurahan=KEL_A,
        nik=NIK_A,
        proposed={"desil": 2},
        uploads=[Upload("ktp.pdf", PDF)],
        acting_user=kel.users["operator_kelurahan"],
    )
    other = actions.usulan_submit(
        kind="desil",
        kode_kelurahan=KEL_B,
        nik=NIK_B,
        proposed={"desil": 2},
        acting_user=kel.users["operator_kelurahan_b"],
    )
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    common = {"channel": "operator", "category": "data", "text": "Data alamat keliru di DTSEN.", "now": now}
    g_own = grievance_actions.grievance_file(
        kode_kelurahan=KEL_A, acting_user=kel.users["operator_kelurahan"], **common
    )
    g_other = grievance_actions.grievance_file(
        kode_kelurahan=KEL_B, acting_user=kel.users["operator_kelurahan_b"], **common
    )
    grievance_actions.grievances_escalate(now=g_own.due_at + dt.timedelta(seconds=1))
    g_other.refresh_from_db()
    assert g_other.escalated_at is not None  # both late; un-escalate the other one for the matrix
    g_other.escalated_at = None
    g_other.save(update_fields=["escalated_at"])
    return {"own": own, "other": other, "g_own": g_own, "g_other": g_other}


def _url(page: str, o: dict[str, Any]) -> str:
    own = o["own"]
    return {
        "usulan_list": reverse("web:usulan:list"),
        "usulan_create": reverse("web:usulan:create"),
        "usulan_own": reverse("web:usulan:detail", args=[own.number]),
        "usulan_other": reverse("web:usulan:detail", args=[o["other"].number]),
        "usulan_attachment": reverse("web:usulan:attachment", args=[own.number, own.attachments.get().pk]),
        "usulan_export": reverse("web:usulan:export"),
        "usulan_accepted": reverse("web:usulan:accepted"),
        "usulan_accepted_export": reverse("web:usulan:accepted-export", args=["xlsx"]),
        "grievance_list": reverse("web:pengaduan:list"),
        "grievance_create": reverse("web:pengaduan:create"),
        "grievance_own": reverse("web:pengaduan:detail", args=[o["g_own"].number]),
        "grievance_other": reverse("web:pengaduan:detail", args=[o["g_other"].number]),
        "grievance_sla": reverse("web:pengaduan:sla"),
        "grievance_public": reverse("web:pengaduan:citizen-file"),
        "ticket_check": reverse("web:pengaduan:ticket-check"),
        "grievance_export": reverse("web:pengaduan:export"),
    }[page]


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_permission_matrix(client: Any, kel: World, objects: dict[str, Any], persona: str) -> None:
    if persona != "anonymous":
        client.force_login(kel.users[persona])
    got = {}
    for page in PAGES:
        response = client.get(_url(page, objects))
        got[page] = response.status_code
        if persona == "anonymous" and response.status_code == 302:
            assert reverse("web:login") in response["Location"], page
    assert got == dict(zip(PAGES, MATRIX[persona], strict=True))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("operator_kelurahan", {"usulan", "pengaduan"}),
        ("pimpinan", {"usulan", "pengaduan"}),
        ("auditor", {"usulan", "pengaduan"}),
    ],
)
def test_menu_entries(client: Any, kel: World, persona: str, expected: set[str]) -> None:
    client.force_login(kel.users[persona])
    page = client.get(reverse("web:usulan:list")).content.decode()
    menu = page.split('<nav class="main"')[1].split("</nav>")[0]
    assert {key for key in ("usulan", "pengaduan") if f'href="/{key}/"' in menu} == expected


def test_write_actions_refused_for_read_only_roles(client: Any, kel: World, objects: dict[str, Any]) -> None:
    own = objects["own"]
    for persona in ("auditor", "pimpinan", "kepala_dinas", "operator_kelurahan"):
        client.force_login(kel.users[persona])
        for name in ("verify", "accept", "reject"):
            assert (
                client.post(reverse(f"web:usulan:{name}", args=[own.number]), {"reason": "x"}).status_code
                == 403
            )
        for name in ("assign", "answer", "close"):
            url = reverse(f"web:pengaduan:{name}", args=[objects["g_own"].number])
            assert client.post(url, {"answer": "x" * 20}).status_code == 403
    own.refresh_from_db()
    assert own.state == "diajukan"


def test_pages_are_translated_to_english(client: Any, kel: World, objects: dict[str, Any]) -> None:
    client.force_login(kel.users["admin_dinas"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("web:usulan:list")).content.decode()
    assert "Data-update requests" in page and "Data requests" in page and "Usulan perubahan data" not in page
    page = client.get(reverse("web:pengaduan:detail", args=[objects["g_own"].number])).content.decode()
    assert "Received at" in page and "Save answer" in page


def test_pages_have_no_inline_styles_or_scripts(client: Any, kel: World, objects: dict[str, Any]) -> None:
    """CSP (style-src/script-src 'self') would block them; the pages load usulan.css instead."""
    client.force_login(kel.users["admin_dinas"])
    for page in PAGES:
        response = client.get(_url(page, objects))
        if response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            assert 'style="' not in html and "<script>" not in html and " onclick=" not in html, page
            assert "sigap/usulan" in html and "usulan.css" in html, page


def test_help_texts_are_announced_with_their_fields(client: Any, kel: World) -> None:
    client.force_login(kel.users["operator_kelurahan"])
    for url in (reverse("web:usulan:create"), reverse("web:pengaduan:create")):
        html = client.get(url).content.decode()
        assert 'aria-describedby="id_nik_helptext"' in html and 'id="id_nik_helptext"' in html, url
