"""The decree annex as a background job: the request never waits for the ~30 s PDF.

Asking for the annex starts one job per run (a second request follows the same job) and shows
"sedang disiapkan" with the job's progress; once a worker has written it, the page offers the
downloads, each audited.  The files are kept per run and written again when the run changes state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.audit.models import AuditEvent
from sigap.jobs.models import Job
from sigap.programmes.models import TargetingRun

from .conftest import World, approve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queue(settings: Any, clock: Any) -> None:
    clock(dt.date(2026, 1, 10))
    # the default: the database queue, served by a separate worker (none runs in these tests)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _work(job: Job) -> None:
    """What the worker process does with a queued job."""
    from sigap.jobs.tasks import job_execute

    job_execute.call(job.pk)


def test_the_annex_is_prepared_in_the_background_then_downloaded(world: World) -> None:
    approve(world)
    kepala = _client(world.users["kepala_dinas"])
    pdf_url = reverse("web:approval-annex", args=[world.run.pk, "pdf"])
    status_url = reverse("web:approval-annex-status", args=[world.run.pk])

    response = kepala.get(pdf_url)
    assert response.status_code == 302 and response["Location"] == status_url + "?unduh=pdf"
    job = Job.objects.get(kind=Job.ANNEX_EXPORT)
    assert job.state == Job.QUEUED and job.params == {"run": world.run.pk}
    assert job.created_by == world.users["kepala_dinas"] and job.area_code == "3275"
    page = kepala.get(response["Location"]).content.decode()
    assert "Lampiran sedang disiapkan." in page and 'http-equiv="refresh"' in page and "<progress" in page
    assert 'data-annex="pdf"' not in page and "db_worker" not in page
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=2))
    assert "Belum ada pekerja latar" in kepala.get(response["Location"]).content.decode()
    # asking again (another tab, another person) follows the same job
    assert kepala.get(pdf_url).status_code == 302
    _client(world.users["admin_dinas"]).get(reverse("web:approval-annex", args=[world.run.pk, "xlsx"]))
    assert Job.objects.filter(kind=Job.ANNEX_EXPORT).count() == 1
    assert not AuditEvent.objects.filter(action__startswith="annex.").exists()

    _work(job)
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    assert job.percent == 100 and job.result["written"] is True
    page = kepala.get(status_url).content.decode()
    assert "Lampiran siap diunduh." in page and 'http-equiv="refresh"' not in page
    assert 'data-annex="pdf"' in page and 'data-annex="xlsx"' in page
    export = AuditEvent.objects.get(action="annex.export")
    assert export.actor == world.users["kepala_dinas"] and export.object_id == str(world.run.pk)

    response = kepala.get(pdf_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    response = kepala.get(reverse("web:approval-annex", args=[world.run.pk, "xlsx"]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")
    downloads = AuditEvent.objects.filter(action="annex.download")
    assert [e.note.split(":")[0] for e in downloads.order_by("pk")] == ["pdf", "xlsx"]
    assert Job.objects.filter(kind=Job.ANNEX_EXPORT).count() == 1  # served from the files kept

    # the job is listed under Proses latar and links back to the annex
    ops = _client(world.users["admin_dinas"]).get(reverse("ops:job-detail", args=[job.pk])).content.decode()
    assert status_url in ops and "Lampiran keputusan (daftar nominatif)" in ops


def test_the_kept_annex_is_written_again_when_the_run_changes_state(world: World) -> None:
    approve(world)
    kepala = _client(world.users["kepala_dinas"])
    kepala.get(reverse("web:approval-annex", args=[world.run.pk, "pdf"]))
    _work(Job.objects.get(kind=Job.ANNEX_EXPORT))
    assert kepala.get(reverse("web:approval-annex", args=[world.run.pk, "pdf"])).status_code == 200

    TargetingRun.objects.filter(pk=world.run.pk).update(state=TargetingRun.ENROLLED)
    response = kepala.get(reverse("web:approval-annex", args=[world.run.pk, "pdf"]))
    assert response.status_code == 302, "the files were written for the approved state"
    second = Job.objects.filter(kind=Job.ANNEX_EXPORT).latest("pk")
    assert second.state == Job.QUEUED and Job.objects.filter(kind=Job.ANNEX_EXPORT).count() == 2
    _work(second)
    assert kepala.get(reverse("web:approval-annex", args=[world.run.pk, "pdf"])).status_code == 200
    assert AuditEvent.objects.filter(action="annex.export").count() == 2


def test_a_failed_job_says_why_and_can_be_tried_again(world: World, monkeypatch: Any) -> None:
    from sigap.enrolment import actions
    from sigap.errors import UserError

    approve(world)
    kepala = _client(world.users["kepala_dinas"])
    kepala.get(reverse("web:approval-annex", args=[world.run.pk, "pdf"]))

    def refuse(**kwargs: Any) -> None:
        raise UserError(f"Penetapan #{world.run.pk}: peserta tidak lagi cocok dengan hash daftar")

    monkeypatch.setattr(actions, "annex_write", refuse)
    _work(Job.objects.get(kind=Job.ANNEX_EXPORT))
    page = kepala.get(reverse("web:approval-annex-status", args=[world.run.pk])).content.decode()
    assert "Lampiran gagal disiapkan" in page and "tidak lagi cocok" in page and "Siapkan lampiran" in page
    kepala.post(reverse("web:approval-annex-status", args=[world.run.pk]))
    assert Job.objects.filter(kind=Job.ANNEX_EXPORT, state=Job.QUEUED).count() == 1


def test_who_may_ask_for_the_annex(world: World) -> None:
    approve(world)
    status_url = reverse("web:approval-annex-status", args=[world.run.pk])
    for role in ("operator_kelurahan", "operator_kecamatan"):
        assert _client(world.users[role]).get(status_url).status_code == 403
        assert (
            _client(world.users[role])
            .get(reverse("web:approval-annex", args=[world.run.pk, "pdf"]))
            .status_code
            == 403
        )
    assert not Job.objects.exists()
    anonymous = Client().get(status_url)
    assert anonymous.status_code == 302 and "/masuk/" in anonymous["Location"]


def test_a_draft_has_no_annex_and_starts_no_job(world: World) -> None:
    kepala = _client(world.users["kepala_dinas"])
    assert kepala.get(reverse("web:approval-annex-status", args=[world.run.pk])).status_code == 404
    assert kepala.get(reverse("web:approval-annex", args=[world.run.pk, "pdf"])).status_code == 404
    assert not Job.objects.exists()
