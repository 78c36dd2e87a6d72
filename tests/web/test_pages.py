from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from sigap.accounts.actions import user_create
from sigap.accounts.roles import ADMIN_DINAS, PIMPINAN
from sigap.audit.models import AuditEvent
from sigap.programmes.models import Programme, TargetingRun
from sigap.registry.models import Snapshot

pytestmark = pytest.mark.django_db


def _run(data_dir) -> TargetingRun:
    snapshot = Snapshot.objects.create(
        source_name="dtsen.csv",
        content_sha256="a" * 64,
        mapping_sha256="b" * 64,
        reference_date="2026-01-01",
        rows=10,
        accepted=9,
        rejected=1,
        data_path="snapshots/1/people.parquet",
    )
    programme = Programme.objects.create(
        code="SIGAP-2026",
        name="SIGAP 2026",
        region="3275",
        fiscal_year=2026,
        budget=2_000_000_000,
        coverage_start="2026-01",
        spec={},
        spec_sha256="c" * 64,
    )
    export = data_dir / "runs" / "1" / "penerima.csv"
    export.parent.mkdir(parents=True)
    export.write_text("rank,nik\n1,3275014507900001\n")
    return TargetingRun.objects.create(
        programme=programme,
        snapshot=snapshot,
        spec={},
        programme_version=1,
        code_version="test",
        people=9,
        eligible=5,
        selected=3,
        waiting=2,
        ineligible=4,
        cost_per_person=201_600,
        cost=604_800,
        budget=700_000,
        remaining=95_200,
        decisions_path="runs/1/decisions.parquet",
        decisions_sha256="d" * 64,
        summary={"per_desil": [{"desil": 1, "selected": 3, "cost": 604_800}]},
        exports={"penerima_csv": "runs/1/penerima.csv"},
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_run_summary_adds_up_on_screen(client, data_dir):
    run = _run(data_dir)
    user = user_create(username="officer", password="x" * 12, role=ADMIN_DINAS, area_code="3275")
    client.force_login(user)
    page = client.get(reverse("web:run-detail", args=[run.pk])).content.decode()
    assert "Rp604.800" in page and "Rp95.200" in page and "Rp700.000" in page
    assert "3 × Rp201.600 = Rp604.800" in page
    home = client.get(reverse("web:home")).content.decode()
    assert "SIGAP-2026" not in home and "Belum ada daftar peserta yang disetujui" in home  # a draft
    run.state = TargetingRun.APPROVED
    run.save(update_fields=["state"])
    assert "SIGAP-2026" in client.get(reverse("web:home")).content.decode()


def test_export_download_needs_permission_and_is_audited(client, data_dir):
    run = _run(data_dir)
    user = get_user_model().objects.create_user("viewer", password="x" * 12)
    client.force_login(user)
    url = reverse("web:run-export", args=[run.pk, "penerima_csv"])
    assert client.get(url).status_code == 403
    admin = get_user_model().objects.create_superuser("boss", password="x" * 12)
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert b"3275014507900001" in b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="export.download")
    assert event.actor == admin and event.object_id == str(run.pk)
    assert client.get(reverse("web:run-export", args=[run.pk, "nothing"])).status_code == 404


def test_indonesian_first_english_on_request(client, data_dir):
    user = user_create(username="officer2", password="x" * 12, role=PIMPINAN, area_code="3275")
    client.force_login(user)
    page = client.get(reverse("web:programmes")).content.decode()
    assert "Penetapan sasaran" in page and "Keluar" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("web:programmes")).content.decode()
    assert "Targeting runs" in page and "Log out" in page


def test_favicon_is_served(client):
    """Every page names the packaged icon, and /favicon.ico (asked by browsers on their own) finds it."""
    page = client.get(reverse("web:citizen-check")).content.decode()
    assert 'rel="icon" href="/static/sigap/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/sigap/favicon.svg"
