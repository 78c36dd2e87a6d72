"""An invoice's lines (one per member billed) as Excel: above SIGAP_EXPORT_INLINE_ROWS lines a
``list_export`` job writes them, the audit log's and members' way (issue 9, ADR 0024): the same
lines as the request would have sent, the account that asked only, asking and downloading audited."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from sigap.audit.models import AuditEvent
from sigap.billing.actions import invoice_issue
from sigap.billing.models import Invoice
from sigap.core.money import Month
from sigap.jobs.models import Job

from .conftest import NIK_A, NIK_B

pytestmark = pytest.mark.django_db
PREMIUM = 16_800


@pytest.fixture(autouse=True)
def _queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}  # no worker runs
    settings.SIGAP_EXPORT_INLINE_ROWS = 1


@pytest.fixture
def invoice(enrolled: Any) -> Invoice:
    return invoice_issue(programme=enrolled.programme, month=Month(2026, 1))


def _work(job: Job) -> Job:
    """What the worker process does with a queued job."""
    from sigap.jobs.tasks import job_execute

    job_execute.call(job.pk)
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    return job


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def _download(client: Client, job: Job) -> bytes:
    response = client.get(reverse("web:export-download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_long_invoice_is_written_by_a_job_for_the_account_that_asked(
    enrolled: Any, invoice: Invoice, login: Any
) -> None:
    auditor = login(enrolled.users["auditor"])
    url = reverse("web:invoice-detail", args=[invoice.pk])
    response = auditor.get(url, {"format": "xlsx"})
    job = Job.objects.get(kind=Job.LIST_EXPORT)
    status_url = reverse("web:export-status", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    assert job.params["export"] == "invoice_lines" and job.params["invoice"] == invoice.pk
    assert job.params["filename"] == "SIGAP-2026-INV-2026-01.xlsx" and job.params["rows"] == 2
    asked = AuditEvent.objects.get(action="invoice.export")
    assert asked.actor == enrolled.users["auditor"] and asked.after == {"q": "", "rows": 2}

    page = auditor.get(status_url).content.decode()
    assert "Unduhan Rincian tagihan (Excel)" in page and "Berkas sedang disiapkan." in page
    assert f'href="{url}"' in page  # back to the invoice

    job = _work(job)
    assert job.result["rows"] == 2 and job.percent == 100
    rows = _rows(_download(auditor, job))
    assert rows[0][:7] == ("NIK", "Nama", "Nomor KPJ", "Bulan", "Jenis", "Jumlah", "Alasan")
    assert sorted(r[0] for r in rows[1:]) == sorted([NIK_A, NIK_B])
    assert {r[5] for r in rows[1:]} == {PREMIUM}
    download = AuditEvent.objects.get(action="job.download")
    assert download.actor == enrolled.users["auditor"]
    assert download.after == {"export": "invoice_lines", "format": "xlsx", "rows": 2}

    # nobody else opens the page or the file: not the Admin Dinas of the same area, not the Kepala Dinas
    for role in ("admin_dinas", "kepala_dinas", "superuser"):
        other = login(enrolled.users[role])
        assert other.get(status_url).status_code == 404
        assert other.get(reverse("web:export-download", args=[job.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="job.download").count() == 1


def test_the_job_file_holds_what_the_request_would_have_sent(
    enrolled: Any, invoice: Invoice, login: Any, settings: Any
) -> None:
    admin = login(enrolled.users["admin_dinas"])
    url = reverse("web:invoice-detail", args=[invoice.pk])
    settings.SIGAP_EXPORT_INLINE_ROWS = 10_000
    inline = admin.get(url, {"format": "xlsx"})
    assert inline.status_code == 200 and not Job.objects.exists()
    settings.SIGAP_EXPORT_INLINE_ROWS = 0
    admin.get(url, {"format": "xlsx"})
    job = _work(Job.objects.get(kind=Job.LIST_EXPORT))
    assert _rows(_download(admin, job)) == _rows(inline.content)

    # the page's search is kept: one member's line only, and the way back keeps it too
    admin.get(url, {"format": "xlsx", "q": "siti"})
    job = Job.objects.filter(kind=Job.LIST_EXPORT).latest("pk")
    assert job.params["q"] == "siti" and job.params["back"] == f"{url}?q=siti"
    assert [r[0] for r in _rows(_download(admin, _work(job)))[1:]] == [NIK_A]


def test_an_invoice_outside_the_askers_area_is_not_written(enrolled: Any, invoice: Invoice) -> None:
    """The worker looks the invoice up again in the asker's area: a job naming another invoice (or an
    area changed since) gets no file."""
    from sigap.accounts.models import Profile

    auditor = enrolled.users["auditor"]
    job = Job.objects.create(
        kind=Job.LIST_EXPORT,
        created_by=auditor,
        params={"export": "invoice_lines", "fmt": "xlsx", "rows": 2, "invoice": invoice.pk, "q": ""},
    )
    Profile.objects.filter(user=auditor).update(area_code="3273")  # moved to Kota Bandung
    from sigap.jobs.tasks import job_execute

    job_execute.call(job.pk)
    job.refresh_from_db()
    assert job.state == Job.FAILED and f"Tagihan #{invoice.pk} tidak ada." in job.error
