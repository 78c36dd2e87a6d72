"""Background jobs: start, progress, result or the user's error; nothing half-written on failure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sigap.audit.models import AuditEvent
from sigap.jobs import kinds
from sigap.jobs.actions import job_claim, job_start
from sigap.jobs.models import Job
from sigap.jobs.progress import JobProgress
from sigap.registry.models import Snapshot

from .helpers import good_rows, person, registry_csv

pytestmark = pytest.mark.django_db


def _upload(data_dir: Path, name: str, content: bytes) -> str:
    relative = Path("uploads") / "t" / name
    (data_dir / relative).parent.mkdir(parents=True, exist_ok=True)
    (data_dir / relative).write_bytes(content)
    return str(relative)


def _import_params(relative: str, **extra: Any) -> dict[str, Any]:
    return {"upload": relative, "kind": "registry", "mapping": None, "reference_date": "2026-01-01", **extra}


def test_import_job_runs_to_done_with_result_and_progress(world: Any, data_dir: Path) -> None:
    admin = world.users["admin_dinas"]
    relative = _upload(data_dir, "dtsen.csv", registry_csv(good_rows()))
    job = job_start(kind=Job.SNAPSHOT_IMPORT, params=_import_params(relative), acting_user=admin)
    assert job.state == Job.DONE, job.error
    assert job.task_id and job.started_at and job.finished_at and job.area_code == "3275"
    assert job.percent == 100
    snapshot = Snapshot.objects.get(pk=job.result["snapshot"])
    assert (job.result["rows"], job.result["accepted"], job.result["rejected"]) == (8, 6, 2)
    assert snapshot.created_by == admin and snapshot.source_name == "dtsen.csv"
    assert not (data_dir / relative).exists(), "the upload is removed once imported"
    actions = list(AuditEvent.objects.filter(object_type="jobs.job").values_list("action", flat=True))
    assert sorted(actions) == ["job.done", "job.run", "job.start"]
    assert AuditEvent.objects.filter(action="snapshot.import", actor=admin).count() == 1


def test_bad_file_fails_with_the_clear_message_and_leaves_no_snapshot(world: Any, data_dir: Path) -> None:
    before = Snapshot.objects.count()
    columns = tuple(c for c in registry_csv([]).decode().strip().split("|") if c != "nomor_nik")
    relative = _upload(data_dir, "tanpa_nik.csv", registry_csv([person(1)], columns=columns))
    job = job_start(
        kind=Job.SNAPSHOT_IMPORT, params=_import_params(relative), acting_user=world.users["admin_dinas"]
    )
    assert job.state == Job.FAILED
    assert "tanpa_nik.csv" in job.error and "nomor_nik" in " ".join([job.error, *job.error_details])
    assert "Traceback" not in job.error
    assert Snapshot.objects.count() == before
    assert not list((data_dir / "snapshots").glob(".tmp-*")), "no half-written snapshot folder"
    assert not (data_dir / relative).exists()
    assert AuditEvent.objects.filter(action="job.fail", object_id=str(job.pk)).exists()


def test_a_row_level_problem_names_file_row_column(world: Any, data_dir: Path) -> None:
    """Only-header file: the importer refuses it, and the job says which file and why."""
    relative = _upload(data_dir, "kosong.csv", registry_csv([]))
    job = job_start(
        kind=Job.SNAPSHOT_IMPORT, params=_import_params(relative), acting_user=world.users["admin_dinas"]
    )
    assert job.state == Job.FAILED
    assert job.error == "kosong.csv: berkas hanya berisi judul kolom, tanpa baris data"


def test_an_unexpected_error_shows_no_traceback(world: Any, data_dir: Path, monkeypatch: Any) -> None:
    def boom(job: Job, user: Any, progress: Any) -> dict[str, Any]:
        progress("Memuat data / loading rows", None, None)
        raise RuntimeError("secret internals at /srv/x.py line 3")

    broken = kinds.JobKind(run=boom, phases=kinds.KINDS[Job.SNAPSHOT_IMPORT].phases)
    monkeypatch.setitem(kinds.KINDS, Job.SNAPSHOT_IMPORT, broken)
    job = job_start(
        kind=Job.SNAPSHOT_IMPORT,
        params=_import_params("uploads/x/y.csv"),
        acting_user=world.users["admin_dinas"],
    )
    assert job.state == Job.FAILED
    assert "internal error" in job.error and f"#{job.pk}" in job.error
    assert "secret" not in job.error and "Traceback" not in job.error


def test_targeting_job_reports_phases_and_links_the_run(world: Any) -> None:
    job = job_start(
        kind=Job.TARGETING_RUN,
        params={"programme": world.programme.pk, "snapshot": None, "roster": None},
        acting_user=world.users["admin_dinas"],
    )
    assert job.state == Job.DONE, job.error
    run = world.programme.runs.get(pk=job.result["run"])
    assert run.created_by == world.users["admin_dinas"] and run.pk != world.run.pk
    assert (job.result["selected"], job.result["waiting"]) == (2, 1)


def test_unknown_kind_is_refused_before_anything_is_written(world: Any) -> None:
    from sigap.errors import UserError

    with pytest.raises(UserError, match="Jenis proses latar .nuke. tidak dikenal"):
        job_start(kind="nuke", params={}, acting_user=world.users["admin_dinas"])
    assert not Job.objects.exists()


def test_a_job_is_claimed_once(world: Any) -> None:
    job = Job.objects.create(kind=Job.TARGETING_RUN, params={})
    assert job_claim(job_id=job.pk) is not None
    assert job_claim(job_id=job.pk) is None


def test_progress_moves_forward_through_phases_and_throttles_writes(db: Any) -> None:
    job = Job.objects.create(kind=Job.SNAPSHOT_IMPORT, state=Job.RUNNING)
    now = [0.0]
    progress = JobProgress(
        job.pk, ["read", "check", "write"], labels={"read": "Membaca"}, clock=lambda: now[0]
    )
    progress("read", 50, 100)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.message) == (50, 300, "Membaca (50 / 100)")
    progress("read", 60, 100)  # same phase, 0 s later: not written
    job.refresh_from_db()
    assert job.progress_done == 50
    now[0] = 1.0
    progress("read", 1_500, 2_000)
    job.refresh_from_db()
    assert (job.progress_done, job.message) == (75, "Membaca (1.500 / 2.000)")
    progress("write", None, None)  # a new phase is always written
    job.refresh_from_db()
    assert (job.progress_done, job.message, job.percent) == (200, "write", 66)
    progress("an unlisted step", 1, 10)  # stays in its phase, never goes back
    job.refresh_from_db()
    assert job.progress_done == 210
    now[0] = 5.0
    progress("check", 9, 10)  # an earlier phase reporting late changes nothing
    job.refresh_from_db()
    assert (job.progress_done, job.message) == (210, "an unlisted step (1 / 10)")


def test_a_claimed_job_says_it_is_starting(db: Any) -> None:
    job = Job.objects.create(kind=Job.TARGETING_RUN)
    claimed = job_claim(job_id=job.pk)
    assert claimed is not None and claimed.state == Job.RUNNING and claimed.message == "Memulai / starting"
    assert claimed.percent is None  # the page shows a moving bar until the first step is known


@pytest.mark.django_db(transaction=True)  # the worker commits and checks its connection, as in production
def test_database_backend_queues_and_the_worker_runs_the_job(
    world: Any, data_dir: Path, settings: Any
) -> None:
    """The default set-up: the job waits in the database until ``db_worker`` picks it up."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    relative = _upload(data_dir, "dtsen.csv", registry_csv(good_rows()))
    job = job_start(
        kind=Job.SNAPSHOT_IMPORT, params=_import_params(relative), acting_user=world.users["admin_dinas"]
    )
    assert job.state == Job.QUEUED
    assert DBTaskResult.objects.filter(id=job.task_id).exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    assert Snapshot.objects.filter(pk=job.result["snapshot"]).exists()
    assert str(DBTaskResult.objects.get(id=job.task_id).status) == "SUCCESSFUL"


def test_reference_date_is_passed_through(world: Any, data_dir: Path) -> None:
    relative = _upload(data_dir, "dtsen.csv", registry_csv(good_rows()))
    job = job_start(
        kind=Job.SNAPSHOT_IMPORT,
        params=_import_params(relative, reference_date="2025-12-31"),
        acting_user=world.users["admin_dinas"],
    )
    assert Snapshot.objects.get(pk=job.result["snapshot"]).reference_date == dt.date(2025, 12, 31)


def test_the_error_names_the_uploaded_file_not_the_server_path(world: Any, data_dir: Path) -> None:
    relative = _upload(data_dir, "dtsen.csv", b"\x00\x01\x02binary\x00" * 50)
    job = job_start(
        kind=Job.SNAPSHOT_IMPORT, params=_import_params(relative), acting_user=world.users["admin_dinas"]
    )
    assert job.state == Job.FAILED
    assert job.error == "dtsen.csv: bukan berkas CSV, XLSX atau Parquet (isi biner)"
    assert str(data_dir) not in job.error
