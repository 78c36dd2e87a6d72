"""Each persona's main flow in a real browser (Chromium), with screenshots of the main screens."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from sigap.audit.models import AuditEvent
from sigap.programmes.models import TargetingRun
from web.conftest import KK_A, KK_B, NIK_A, NIK_B, approve

from .conftest import NIK_PATTERN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_admin_dinas_sees_the_run_and_submits_it(
    open_as: Any, world: Any, live_server: Any, shots: Path
) -> None:
    page = open_as("admin_dinas")
    page.goto(f"{live_server.url}/program/")
    assert world.programme.name in page.inner_text("main")
    page.click(f"a[href='/runs/{world.run.pk}/']")
    assert f"#{world.run.pk}" in page.inner_text("main")
    page.goto(f"{live_server.url}/persetujuan/")
    page.get_by_role("button", name="Ajukan").click()
    page.wait_for_load_state()
    assert "diajukan" in page.inner_text("main").lower()
    page.screenshot(path=shots / "approvals.png")
    world.run.refresh_from_db()
    assert world.run.state == TargetingRun.SUBMITTED and world.run.submitted_by == world.users["admin_dinas"]


def test_kepala_dinas_approves_and_downloads_the_annex(open_as: Any, world: Any, live_server: Any) -> None:
    from sigap.enrolment.actions import run_submit

    run_submit(run=world.run, acting_user=world.users["admin_dinas"])
    page = open_as("kepala_dinas")
    page.goto(f"{live_server.url}/persetujuan/")
    # the decree (SK): date (today) and place are filled in; number and signatory are typed
    page.get_by_label("Nomor SK").fill("800/Kep.017-Disnaker/2026")
    page.get_by_label("Nama penanda tangan").fill("Drs. H. Ahmad Fauzi, M.Si.")
    page.get_by_label("Jabatan penanda tangan").fill("Kepala Dinas Tenaga Kerja Kota Bekasi")
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_load_state()
    world.run.refresh_from_db()
    assert world.run.state == TargetingRun.APPROVED and world.run.sk_number == "800/Kep.017-Disnaker/2026"
    # the annex is written by a background job: the page says it is being prepared, then offers it
    page.get_by_role("link", name="Lampiran PDF").click()
    page.wait_for_load_state()
    assert "Lampiran sedang disiapkan." in page.inner_text("main")
    from sigap.jobs.models import Job
    from sigap.jobs.tasks import job_execute

    job_execute.call(Job.objects.get(kind=Job.ANNEX_EXPORT).pk)  # what the worker process does
    page.reload()  # the page also refreshes itself every 2 s
    assert "Lampiran siap diunduh." in page.inner_text("main")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh daftar nominatif (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and AuditEvent.objects.filter(action="annex.export").exists()
    assert AuditEvent.objects.filter(action="annex.download").count() == 1


def test_operator_kelurahan_finds_own_area_only(
    open_as: Any, world: Any, live_server: Any, shots: Path
) -> None:
    approve(world)  # leaders and operators see the list in force
    page = open_as("operator_kelurahan")
    page.goto(f"{live_server.url}/penduduk/")
    page.get_by_label("NIK (16 digit) atau nama (minimal 3 huruf)").fill(NIK_A)
    page.get_by_role("button", name="Cari").click()
    page.wait_for_load_state()
    page.screenshot(path=shots / "person-search.png")
    page.click(f"a[href^='/penduduk/{NIK_A}/']")
    page.wait_for_load_state()
    assert "SITI AMINAH" in page.inner_text("main")
    page.goto(f"{live_server.url}/penduduk/")
    page.get_by_label("NIK (16 digit) atau nama (minimal 3 huruf)").fill(NIK_B)  # kelurahan B: another area
    page.get_by_role("button", name="Cari").click()
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "Tidak ada yang cocok di wilayah Anda." in text and "BUDI" not in text
    response = page.goto(f"{live_server.url}/penduduk/{NIK_B}/")
    assert response is not None and response.status == 404


def test_pimpinan_dashboard_has_the_map_and_no_nik(
    open_as: Any, world: Any, live_server: Any, shots: Path
) -> None:
    approve(world)  # leaders and operators see the list in force
    page = open_as("pimpinan")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector(".leaflet-interactive")  # the choropleth drew its kelurahan
    text = page.inner_text("body")
    html = page.content()
    assert "Perlindungan peserta dan anggaran" in text and "belum ada data klaim" in text
    assert not NIK_PATTERN.search(text) and NIK_A not in html and NIK_B not in html
    page.screenshot(path=shots / "dashboard.png", full_page=True)


def test_auditor_filters_and_exports_the_log(open_as: Any, world: Any, live_server: Any, shots: Path) -> None:
    page = open_as("auditor")
    page.goto(f"{live_server.url}/audit/")
    page.get_by_label("Aksi").select_option("targeting.run")
    page.get_by_role("button", name="Saring").click()
    page.wait_for_load_state()
    assert "aksi=targeting.run" in page.url and "menjalankan penetapan sasaran" in page.inner_text("main")
    page.screenshot(path=shots / "audit-log.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["at", "actor", "action"] and {r[2] for r in rows[1:]} == {"targeting.run"}
    assert AuditEvent.objects.filter(action="audit.export", actor=world.users["auditor"]).exists()


def test_citizen_checks_status(open_as: Any, world: Any, live_server: Any, shots: Path) -> None:
    approve(world)  # the citizen check answers from the list in force
    page = open_as(None)
    page.goto(f"{live_server.url}/cek-status/")
    page.get_by_label("NIK (16 digit, lihat KTP atau KK)").fill(NIK_A)
    page.get_by_label("Nomor KK (16 digit, di bagian atas Kartu Keluarga)").fill(KK_A)
    page.get_by_role("button", name="Periksa").click()
    page.wait_for_load_state()
    answer = page.inner_text("section.answer")
    assert "Terpilih sebagai calon peserta" in answer and NIK_A not in page.content()
    page.screenshot(path=shots / "citizen-check.png")
    page.get_by_label("NIK (16 digit, lihat KTP atau KK)").fill(NIK_A)
    page.get_by_label("Nomor KK (16 digit, di bagian atas Kartu Keluarga)").fill(KK_B)  # someone else's KK
    page.get_by_role("button", name="Periksa").click()
    page.wait_for_load_state()
    assert "Data tidak ditemukan" in page.inner_text("section.answer")
