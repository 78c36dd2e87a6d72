"""Batches and BPJS TK answers, driven like a user: export a batch, download it, upload answer files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sigap.audit.models import AuditEvent
from sigap.enrolment.models import BpjsResponse, EnrolmentBatch, EnrolmentLine, Member

from .conftest import ACCEPT_BOTH, ANSWERED_ON, EXPORTED_ON, NIK_A, NIK_B, write_response

pytestmark = pytest.mark.django_db


def _upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def _state() -> tuple[Any, ...]:
    return (
        sorted(Member.objects.values_list("nik", "state", "kpj")),
        sorted(EnrolmentLine.objects.values_list("id", "status", "kpj")),
        BpjsResponse.objects.count(),
    )


def test_export_batch_download_and_answer(approved: Any, login: Any, today: Any, tmp_path: Path) -> None:
    admin = login(approved.users["admin_dinas"])
    page = reverse("web:batch-list", args=[approved.programme.pk])
    today.value = EXPORTED_ON
    shown = admin.get(page)
    assert "2 peserta disetujui menunggu didaftarkan" in shown.text
    assert 'value="2026-01"' in shown.text  # the suggested first covered month

    response = admin.post(page, {"coverage_start": "2026-01"})
    batch = EnrolmentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:batch-detail", args=[batch.pk]
    )
    assert set(Member.objects.values_list("state", flat=True)) == {Member.SENT}
    assert AuditEvent.objects.filter(action="batch.export", actor=approved.users["admin_dinas"]).exists()
    detail = admin.get(response["Location"])
    assert batch.number in detail.text and NIK_A in detail.text and NIK_B in detail.text
    assert f"Batch {batch.number} diekspor: 2 peserta" in detail.text

    download = admin.get(reverse("web:batch-download", args=[batch.pk, "csv"]))
    assert download.status_code == 200 and NIK_A.encode() in b"".join(download.streaming_content)
    assert AuditEvent.objects.filter(action="batch.download", object_id=str(batch.pk)).count() == 1
    assert admin.get(reverse("web:batch-download", args=[batch.pk, "pdf"])).status_code == 404

    # a second export has nobody left to send: the message says so, nothing is written
    again = admin.post(page, {"coverage_start": "2026-01"})
    assert again.status_code == 400 and "tidak memiliki peserta disetujui yang menunggu dikirim" in again.text
    assert EnrolmentBatch.objects.count() == 1

    today.value = ANSWERED_ON
    rows = [ACCEPT_BOTH[0], {"NIK": NIK_B, "STATUS": "DITOLAK", "ALASAN": "NIK tidak ditemukan di Dukcapil"}]
    answer = write_response(tmp_path, rows)
    result = admin.post(response["Location"], {"file": _upload(answer)})
    assert result.status_code == 200
    assert result.context["result"].accepted == 1 and result.context["result"].rejected == 1
    assert "Hasil impor jawaban" in result.text and "jawaban.csv" in result.text
    a, b = Member.objects.get(nik=NIK_A), Member.objects.get(nik=NIK_B)
    assert (a.state, a.kpj, b.state) == (Member.ACTIVE, "26000000001", Member.REJECTED)
    assert b.exit.reason == "rejected" and "Dukcapil" in b.exit.note

    state = _state()
    duplicate = admin.post(response["Location"], {"file": _upload(answer)})
    assert duplicate.status_code == 200 and "sudah pernah diimpor" in duplicate.text
    assert _state() == state


def test_bad_answer_file_names_row_and_column_and_changes_nothing(
    batch: Any, approved: Any, login: Any, today: Any, tmp_path: Path
) -> None:
    admin = login(approved.users["admin_dinas"])
    url = reverse("web:batch-detail", args=[batch.pk])
    today.value = ANSWERED_ON
    state = _state()
    rows = [
        dict(ACCEPT_BOTH[0], TANGGAL_EFEKTIF="2026-03-01"),  # in the future
        {
            "NIK": "3275019999999999",
            "KPJ": "26000000009",
            "STATUS": "DITERIMA",
            "TANGGAL_EFEKTIF": "2026-01-05",
        },
    ]
    response = admin.post(url, {"file": _upload(write_response(tmp_path, rows, name="salah.csv"))})
    assert response.status_code == 400
    assert "2 masalah ditemukan; tidak ada yang diterapkan" in response.text
    assert "baris 2, kolom TANGGAL_EFEKTIF: 2026-03-01 masih di masa depan" in response.text
    assert "baris 3, kolom NIK: NIK 3275019999999999 tidak dikenal" in response.text
    assert _state() == state

    garbage = SimpleUploadedFile("kosong.xlsx", b"not a spreadsheet", content_type="application/octet-stream")
    response = admin.post(url, {"file": garbage})
    assert response.status_code == 400 and "kosong.xlsx" in response.text
    assert _state() == state

    missing = admin.post(url, {})
    assert missing.status_code == 400 and 'aria-invalid="true"' in missing.text
    assert _state() == state


def test_batch_list_filters_sorts_and_exports(enrolled: Any, login: Any) -> None:
    auditor = login(enrolled.users["auditor"])
    page = reverse("web:batch-list", args=[enrolled.programme.pk])
    listing = auditor.get(page, {"state": "answered", "sort": "-created"})
    assert "SIGAP-2026/B001" in listing.text and "Ekspor batch baru" not in listing.text  # read-only
    assert "SIGAP-2026/B001" not in auditor.get(page, {"state": "exported"}).text
    export = auditor.get(page, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[2]][:7] == [
        "SIGAP-2026/B001",
        "Dijawab BPJS TK",
        sheet[2][2].value,
        2,
        2,
        0,
        0,
    ]


def test_xlsx_answer_upload_then_line_filters(
    batch: Any, approved: Any, login: Any, today: Any, tmp_path: Path
) -> None:
    """An XLSX answer as BPJS TK sends it (NIK typed as a number, dates as Excel dates, other headers)."""
    import datetime as dt

    import xlsxwriter

    path = tmp_path / "jawaban BPJS.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["NIK", "No KPJ", "Status", "Keterangan", "Tgl Efektif"])
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_number(1, 0, int(NIK_A))
    sheet.write_string(1, 1, "26000000001")
    sheet.write_string(1, 2, "diterima")
    sheet.write_datetime(1, 4, dt.datetime(2026, 1, 9), date_format)
    workbook.close()
    admin = login(approved.users["admin_dinas"])
    url = reverse("web:batch-detail", args=[batch.pk])
    today.value = ANSWERED_ON
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/vnd.ms-excel")
    response = admin.post(url, {"file": upload})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.accepted, result.rejected, result.pending, result.source) == (1, 0, 1, "jawaban BPJS.xlsx")
    assert Member.objects.get(nik=NIK_A).periods.get().start_month == dt.date(2026, 1, 1)

    kepala = login(approved.users["kepala_dinas"])  # read-only: no upload form, lines filterable
    page = kepala.get(url, {"status": "pending"})
    assert "Unggah jawaban BPJS TK" not in page.text
    assert [line.member.nik for line in page.context["listing"].page] == [NIK_B]
    assert [line.member.nik for line in kepala.get(url, {"q": "siti"}).context["listing"].page] == [NIK_A]
    assert AuditEvent.objects.filter(action="batch.view", actor=approved.users["kepala_dinas"]).count() == 2


def test_a_large_batch_is_written_in_the_background(
    approved: Any, login: Any, today: Any, settings: Any
) -> None:
    settings.SIGAP_BATCH_INLINE_MAX = 1  # two members waiting: "large"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    admin = login(approved.users["admin_dinas"])
    today.value = EXPORTED_ON
    response = admin.post(
        reverse("web:batch-list", args=[approved.programme.pk]), {"coverage_start": "2026-01"}
    )
    assert response.status_code == 302 and "/kelola/proses/" in response["Location"]
    batch = EnrolmentBatch.objects.get()
    assert batch.member_count == 2 and set(Member.objects.values_list("state", flat=True)) == {Member.SENT}
    job_page = admin.get(response["Location"])
    assert f"Batch {batch.number}: 2 peserta dikirim ke BPJS TK." in job_page.text
    assert reverse("web:batch-detail", args=[batch.pk]) in job_page.text
