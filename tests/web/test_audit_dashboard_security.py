"""Audit log viewer and export, dashboard and map data, security headers, login throttling."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from csv_hostile import HOSTILE, defused
from sigap.audit.actions import audit_record
from sigap.audit.models import AuditEvent
from sigap.reference import regions
from sigap.web import geo
from web.conftest import approve

from .conftest import KEL_A, NIK_A, NIK_B

pytestmark = pytest.mark.django_db


def test_audit_log_filters_and_pages(client: Any, world: Any) -> None:
    op = world.users["operator_kelurahan"]
    client.force_login(op)
    client.get(reverse("web:person-detail", args=[NIK_A]))
    for i in range(60):
        audit_record(acting_user=None, action="test.bulk", object_type="x.y", object_id=i, area_code="3275")
    client.force_login(world.users["auditor"])
    page = client.get(reverse("web:audit-log"), {"aksi": "person.view"}).content.decode()
    assert "1 catatan" in page and NIK_A in page
    page = client.get(reverse("web:audit-log"), {"pengguna": "operator_kelurahan"}).content.decode()
    body = page.split("<tbody>")[1]
    assert "person.view" in body and "test.bulk" not in body
    page = client.get(reverse("web:audit-log"), {"objek": "x.y#7"}).content.decode()
    assert "1 catatan" in page
    first = client.get(reverse("web:audit-log"), {"aksi": "test.bulk"}).content.decode()
    assert "60 catatan" in first and "Halaman 1 dari 2" in first
    second = client.get(reverse("web:audit-log"), {"aksi": "test.bulk", "halaman": 2}).content.decode()
    assert "Halaman 2 dari 2" in second
    future = client.get(reverse("web:audit-log"), {"dari": "2999-01-01"}).content.decode()
    assert "0 catatan" in future
    bad = client.get(reverse("web:audit-log"), {"dari": "kemarin"}).content.decode()
    assert "tidak dikenali" in bad


def test_audit_export_is_itself_audited(client: Any, world: Any) -> None:
    audit_record(acting_user=None, action="test.formula", note='=HYPERLINK("x")', area_code="3275")
    auditor = world.users["auditor"]
    client.force_login(auditor)
    response = client.get(reverse("web:audit-export"), {"aksi": "test"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["at", "actor", "action"]
    assert [r[2] for r in rows[1:]] == ["test.formula"]
    assert rows[1][5].startswith("'=")  # formula injection neutralised
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor == auditor and "aksi=test" in event.note


def test_dashboard_figures_and_no_personal_data(client: Any, world: Any) -> None:
    from sigap.status.actions import dashboard_refresh

    approve(world)
    dashboard_refresh(programme=world.programme)
    client.force_login(world.users["pimpinan"])
    page = client.get(reverse("web:home")).content.decode()
    assert "2 terpilih × Rp201.600 = Rp403.200" in page  # the list in force
    assert "dari pagu Rp403.200 (0,00%)" in page and 'data-figure="budget-used">Rp0<' in page
    # approved, not yet answered by BPJS TK: 2 waiting for the answer, nobody covered yet (0 of 3 eligible)
    assert 'data-figure="pending">2<' in page and 'data-figure="covered-share">0,00%' in page
    assert regions().get(KEL_A).name in page
    for secret in (NIK_A, NIK_B, "SITI", "BUDI"):
        assert secret not in page
    assert 'data-geojson="/beranda/' in page and "vendor/leaflet/leaflet.js" in page
    assert "vendor/chart.js/chart.umd.min.js" in page and 'type="application/json"' in page


def test_map_data_is_the_region_with_counts(client: Any, world: Any) -> None:
    client.force_login(world.users["kepala_dinas"])
    response = client.get(reverse("web:run-geojson", args=[world.run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    features = {f["properties"]["kode"]: f["properties"] for f in data["features"]}
    assert len(features) == len(regions().descendants("3275", "desa_kelurahan")) == 56
    assert features[KEL_A]["selected"] == 1 and features[KEL_A]["waiting"] == 1
    assert sum(p["selected"] for p in features.values()) == world.run.selected
    assert "nik" not in response.content.decode().lower()
    lng, lat = data["features"][0]["geometry"]["coordinates"][0][0][:2]
    assert 106.5 < lng < 107.5 and -6.6 < lat < -6.0  # GeoJSON order, Bekasi


def test_region_outside_jawa_barat_has_table_but_no_map(client: Any, world: Any) -> None:
    from sigap.status.actions import dashboard_refresh

    approve(world)
    world.programme.region = "3171"
    world.programme.save(update_fields=["region"])
    dashboard_refresh(programme=world.programme)
    assert geo.region_features("3171") == [] and not geo.has_boundaries("3171")
    client.force_login(world.users["superuser"])
    page = client.get(reverse("web:home")).content.decode()
    assert "Peta belum tersedia" in page and 'class="map"' not in page
    assert "Peserta per kelurahan" in page  # the table is still there
    assert client.get(reverse("web:run-geojson", args=[world.run.pk])).status_code == 404
    assert client.get(reverse("web:dashboard-geojson", args=[world.programme.pk])).status_code == 404


def test_security_headers_and_no_inline_script(client: Any, world: Any) -> None:
    client.force_login(world.users["admin_dinas"])
    for url in (reverse("web:home"), reverse("web:person-search"), reverse("web:citizen-check")):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response["Referrer-Policy"] == "same-origin" and "camera=()" in response["Permissions-Policy"]
        page = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\son[a-z]+=", page), url
        assert " style=" not in page, url


def test_login_form_works_and_locks_after_five_failures() -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("petugas", password="sandi-rahasia-1")
    client = Client(REMOTE_ADDR="10.2.2.2")
    url = reverse("web:login")
    ok = client.post(url, {"username": "petugas", "password": "sandi-rahasia-1"})
    assert ok.status_code == 302
    client.logout()
    codes = [client.post(url, {"username": "petugas", "password": "salah"}).status_code for _ in range(5)]
    assert codes[:4] == [200] * 4 and codes[4] == 429
    locked = client.post(url, {"username": "petugas", "password": "sandi-rahasia-1"})
    assert locked.status_code == 429 and "dikunci sementara" in locked.content.decode()


def test_audit_export_as_excel(client: Any, world: Any) -> None:
    import openpyxl

    audit_record(
        acting_user=None,
        action="test.excel",
        note="=1+1",
        after={"nik": "3275014505800001"},
        area_code="3275",
    )
    client.force_login(world.users["auditor"])
    response = client.get(reverse("web:audit-export-xlsx"), {"aksi": "test"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="log-audit-')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    # for people: Indonesian headings and what happened in words; the action code kept for filters
    assert rows[0][:3] == ("Waktu", "Pengguna", "Kode aksi") and rows[0][-1] == "Apa yang terjadi"
    assert [r[2] for r in rows[1:]] == ["test.excel"]
    assert rows[1][5] == "'=1+1" and "3275014505800001" in rows[1][7]  # text, never a formula
    event = AuditEvent.objects.get(action="audit.export")
    assert event.after["format"] == "xlsx"
    page = client.get(reverse("web:audit-log")).content.decode()
    assert reverse("web:audit-export-xlsx") in page


def test_audit_export_too_big_for_excel_says_so(client: Any, world: Any, monkeypatch: Any) -> None:
    from sigap.web import auditlog

    monkeypatch.setattr(auditlog, "XLSX_MAX_EVENTS", 1)
    for i in range(3):
        audit_record(acting_user=None, action="test.many", note=str(i), area_code="3275")
    client.force_login(world.users["auditor"])
    response = client.get(reverse("web:audit-export-xlsx"), {"aksi": "test.many"}, follow=True)
    page = response.content.decode()
    assert "Terlalu banyak baris" in page and "unduh CSV" in page
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_only_the_auditor_exports_the_audit_log_as_excel(client: Any, world: Any) -> None:
    url = reverse("web:audit-export-xlsx")
    assert reverse("web:login") in client.get(url)["Location"]
    expected = {role: 403 for role in world.users} | {"auditor": 200, "superuser": 200}
    got = {}
    for role, user in world.users.items():
        client.force_login(user)
        got[role] = client.get(url).status_code
    assert got == expected


def test_audit_csv_defuses_every_formula_start(client: Any, world: Any) -> None:
    for i, value in enumerate(HOSTILE):
        audit_record(
            acting_user=None,
            action=f"test.csv{i}",
            object_type=value,
            object_id=value,
            note=value,
            area_code="3275",
        )
    client.force_login(world.users["auditor"])
    response = client.get(reverse("web:audit-export"), {"aksi": "test.csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
    assert rows[0] == ["at", "actor", "action", "object_type", "object_id", "note", "before", "after", "area"]
    got = {r[2]: r for r in rows[1:]}
    assert len(got) == len(HOSTILE)
    for i, value in enumerate(HOSTILE):
        assert got[f"test.csv{i}"][3:6] == [defused(value)] * 3
