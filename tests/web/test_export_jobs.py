"""Large exports (the audit log, a programme's members) as background jobs with progress (issue 9,
ADR 0024): above SIGAP_EXPORT_INLINE_ROWS the request starts a job and shows "sedang disiapkan";
the worker writes exactly what the request would have sent (same area, same filters); only the
account that asked opens the page and the file; asking and each download are audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from sigap.audit.actions import audit_record
from sigap.audit.models import AuditEvent
from sigap.jobs.models import Job

from .conftest import KEL_A, NIK_A, NIK_B, World, approve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}  # no worker runs
    settings.SIGAP_EXPORT_INLINE_ROWS = 3


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _work(job: Job) -> Job:
    """What the worker process does with a queued job."""
    from sigap.jobs.tasks import job_execute

    job_execute.call(job.pk)
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    return job


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _events(n: int, *, area: str, action: str = "test.bulk") -> None:
    for i in range(n):
        audit_record(acting_user=None, action=action, note=f"baris {i}", area_code=area)


def test_a_long_audit_log_csv_is_written_by_a_job_for_the_auditor_who_asked(world: World) -> None:
    _events(5, area="3275")
    _events(2, area="3273")  # Kota Bandung: not the Bekasi auditor's
    auditor = _client(world.users["auditor"])
    query = {"aksi": "test.bulk"}
    response = auditor.get(reverse("web:audit-export"), query)
    job = Job.objects.get(kind=Job.LIST_EXPORT)
    status_url = reverse("web:export-status", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    assert job.state == Job.QUEUED and job.created_by == world.users["auditor"]
    assert job.params["export"] == "audit" and job.params["query"] == "aksi=test.bulk"
    # the export is audited when asked for, exactly as when the request writes it
    asked = AuditEvent.objects.get(action="audit.export")
    assert asked.after == {"format": "csv", "action": "test.bulk"} and asked.area_code == "3275"

    page = auditor.get(status_url).content.decode()
    assert "Berkas sedang disiapkan." in page and 'http-equiv="refresh"' in page and "<progress" in page
    assert "data-export" not in page
    assert auditor.get(reverse("web:export-download", args=[job.pk]))["Location"] == status_url

    job = _work(job)
    assert job.percent == 100 and job.result["rows"] == 5
    page = auditor.get(status_url).content.decode()
    assert "Berkas siap diunduh." in page and "5 baris." in page and 'http-equiv="refresh"' not in page
    response = auditor.get(reverse("web:export-download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="log-audit-')
    rows = list(csv.reader(io.StringIO(_body(response).decode())))
    assert rows[0] == ["at", "actor", "action", "object_type", "object_id", "note", "before", "after", "area"]
    assert sorted(r[5] for r in rows[1:]) == [f"baris {i}" for i in range(5)]  # Bekasi's only
    download = AuditEvent.objects.get(action="job.download")
    assert download.actor == world.users["auditor"] and download.object_id == str(job.pk)
    assert download.after == {"export": "audit", "format": "csv", "rows": 5}


def test_the_job_file_holds_what_the_request_would_have_sent(world: World, settings: Any) -> None:
    _events(5, area="3275")
    _events(1, area="3275", action="test.other")
    auditor = _client(world.users["auditor"])
    url, query = reverse("web:audit-export-xlsx"), {"aksi": "test.bulk"}
    settings.SIGAP_EXPORT_INLINE_ROWS = 10_000
    inline = openpyxl.load_workbook(io.BytesIO(_body(auditor.get(url, query))))
    settings.SIGAP_EXPORT_INLINE_ROWS = 0
    auditor.get(url, query)
    job = _work(Job.objects.get(kind=Job.LIST_EXPORT))
    in_job = openpyxl.load_workbook(
        io.BytesIO(_body(auditor.get(reverse("web:export-download", args=[job.pk]))))
    )
    rows = list(in_job.active.iter_rows(values_only=True))
    assert rows == list(inline.active.iter_rows(values_only=True))
    assert len(rows) == 6 and rows[0][-1] == "Apa yang terjadi" and {r[2] for r in rows[1:]} == {"test.bulk"}


def test_only_the_account_that_asked_opens_the_page_and_the_file(world: World) -> None:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create

    _events(5, area="3275")
    _client(world.users["auditor"]).get(reverse("web:audit-export"))
    job = _work(Job.objects.get(kind=Job.LIST_EXPORT))
    colleague = user_create(
        username="auditor.dua", password="sandi-rahasia-1", role=roles.AUDITOR, area_code="3275"
    )
    for user in (colleague, world.users["admin_dinas"], world.users["superuser"]):
        other = _client(user)
        assert other.get(reverse("web:export-status", args=[job.pk])).status_code == 404
        assert other.get(reverse("web:export-download", args=[job.pk])).status_code == 404
    anonymous = Client().get(reverse("web:export-download", args=[job.pk]))
    assert anonymous.status_code == 302 and reverse("web:login") in anonymous["Location"]
    assert not AuditEvent.objects.filter(action="job.download").exists()
    # the Admin Dinas sees the job among the area's background work, without the download link
    page = _client(world.users["admin_dinas"]).get(reverse("ops:job-detail", args=[job.pk])).content.decode()
    assert "Unduhan daftar besar" in page and reverse("web:export-status", args=[job.pk]) not in page


def test_a_long_members_list_is_written_by_a_job_in_the_operators_area(world: World, settings: Any) -> None:
    approve(world)
    settings.SIGAP_EXPORT_INLINE_ROWS = 0
    operator = _client(world.users["operator_kelurahan"])
    url = reverse("web:member-export", args=[world.programme.pk])
    response = operator.get(url, {"q": "SITI"})
    job = Job.objects.get(kind=Job.LIST_EXPORT)
    assert response["Location"] == reverse("web:export-status", args=[job.pk])
    asked = AuditEvent.objects.get(action="member.export")
    assert asked.after == {"area": KEL_A, "filters": {"q": "SITI"}, "rows": 1}
    _work(job)
    book = openpyxl.load_workbook(
        io.BytesIO(_body(operator.get(reverse("web:export-download", args=[job.pk]))))
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Peringkat", "NIK", "Nama")
    assert [r[1] for r in rows[1:]] == [NIK_A]  # kelurahan A only; NIK_B lives in another kecamatan
    # the Admin Dinas's export of the whole city: both members
    admin = _client(world.users["admin_dinas"])
    admin.get(url)
    job = _work(Job.objects.filter(kind=Job.LIST_EXPORT).latest("pk"))
    book = openpyxl.load_workbook(io.BytesIO(_body(admin.get(reverse("web:export-download", args=[job.pk])))))
    assert sorted(r[1] for r in list(book.active.iter_rows(values_only=True))[1:]) == sorted([NIK_A, NIK_B])


def test_a_short_list_is_still_sent_by_the_request(world: World) -> None:
    _events(2, area="3275")
    response = _client(world.users["auditor"]).get(reverse("web:audit-export"), {"aksi": "test.bulk"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not Job.objects.exists()


def test_with_a_worker_in_the_process_the_file_comes_at_once(world: World, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _events(5, area="3275")
    response = _client(world.users["auditor"]).get(reverse("web:audit-export"))
    assert response.status_code == 200 and _body(response).startswith(b"at,actor,action")
    assert Job.objects.get(kind=Job.LIST_EXPORT).state == Job.DONE
    assert AuditEvent.objects.filter(action="job.download").count() == 1


def test_the_file_is_removed_a_day_after_its_job_ended(world: World, data_dir: Any) -> None:
    from django.utils import timezone

    from sigap.jobs.cleanup import data_cleanup

    _events(5, area="3275")
    auditor = _client(world.users["auditor"])
    auditor.get(reverse("web:audit-export"))
    job = _work(Job.objects.get(kind=Job.LIST_EXPORT))
    folder = data_dir / "exports" / str(job.pk)
    assert folder.is_dir()
    assert data_cleanup(now=timezone.now() + dt.timedelta(hours=23)).count("export") == 0
    report = data_cleanup(now=timezone.now() + dt.timedelta(hours=25))
    assert report.count("export") == 1 and not folder.exists()
    page = auditor.get(reverse("web:export-status", args=[job.pk])).content.decode()
    assert "sudah dihapus" in page
    assert auditor.get(reverse("web:export-download", args=[job.pk])).status_code == 404
