"""Leases and the clean-up after killed processes (sigap.jobs.lease, sigap.jobs.cleanup).

File ages are judged against ``now`` (a status change cannot be back-dated): "later" is ``now`` moved
past the lease, never a real wait.  The real kills are in test_faults.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sigap.audit.models import AuditEvent
from sigap.jobs.actions import LOST, job_expire, job_finish
from sigap.jobs.cleanup import data_cleanup, jobs_expire
from sigap.jobs.lease import Ticker, WorkdirKeeper, job_beat
from sigap.jobs.models import Job
from sigap.jobs.progress import JobProgress

pytestmark = pytest.mark.django_db

LEASE = dt.timedelta(seconds=120)
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _lease(settings: Any) -> None:
    settings.SIGAP_JOB_LEASE_SECONDS = LEASE.total_seconds()


def _later() -> dt.datetime:
    """A moment one lease and a minute from now: whatever exists now is older than the lease then."""
    return timezone.now() + LEASE + dt.timedelta(minutes=1)


def _write(path: Path, size: int = 1000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def _import_job(data_dir: Path, state: str = Job.RUNNING, folder: str = "a1", **fields: Any) -> Job:
    upload = _write(data_dir / "uploads" / folder / "besar.csv", 4096)
    return Job.objects.create(
        kind=Job.SNAPSHOT_IMPORT,
        state=state,
        params={
            "upload": str(upload.relative_to(data_dir)),
            "kind": "registry",
            "reference_date": "2026-01-01",
        },
        message="Memeriksa data / validating",
        progress_done=160,
        progress_total=500,
        area_code="3275",
        **fields,
    )


def _cleanups() -> list[dict[str, Any]]:
    return [e.after for e in AuditEvent.objects.filter(action="data.cleanup").order_by("id")]


# --------------------------------------------------------------------------- jobs


def test_a_job_whose_heartbeat_stopped_fails_with_the_message_and_its_upload_goes(data_dir: Path) -> None:
    now = timezone.now()
    job = _import_job(
        data_dir, started_at=now - LEASE * 3, heartbeat_at=now - LEASE - dt.timedelta(seconds=1)
    )
    report = data_cleanup(now=now)
    job.refresh_from_db()
    assert report.jobs_failed == [job.pk]
    assert job.state == Job.FAILED and job.error == LOST == "Proses terhenti (worker mati); mulai ulang"
    assert job.finished and job.finished_at == now
    assert "batas 120 detik" in job.error_details[0] and "unggah lagi" in job.error_details[1]
    assert not (data_dir / "uploads" / "a1").exists(), "the 446 MB upload does not stay forever"
    lost = AuditEvent.objects.get(action="job.lost", object_id=str(job.pk))
    assert lost.after["error"] == LOST and lost.after["lease_seconds"] == 120
    (cleanup,) = _cleanups()
    assert cleanup["jobs_failed"] == [job.pk]
    assert (cleanup["uploads"], cleanup["upload_bytes"]) == (1, 4096)


def test_a_beating_job_and_its_upload_are_left_alone(data_dir: Path) -> None:
    now = timezone.now()
    job = _import_job(data_dir, started_at=now - LEASE * 10, heartbeat_at=now - LEASE / 2)
    old = _import_job(data_dir, folder="b2", started_at=now - LEASE / 2, heartbeat_at=None)
    report = data_cleanup(now=now + LEASE / 4)
    assert report.jobs_failed == [] and report.removed == []
    for j in (job, old):
        j.refresh_from_db()
        assert j.state == Job.RUNNING
    assert (data_dir / "uploads" / "a1" / "besar.csv").exists()
    assert _cleanups() == [], "a pass that removed nothing writes no audit row"
    # a running job's upload is kept however old the file is; a job without heartbeat counts from its start
    assert data_cleanup(now=_later()).jobs_failed == [job.pk, old.pk]


def test_a_job_that_finishes_after_its_lease_ran_out_ends_done(data_dir: Path) -> None:
    now = timezone.now()
    job = _import_job(data_dir, started_at=now - LEASE * 2, heartbeat_at=now - LEASE * 2)
    assert job_expire(job_id=job.pk, now=now) is not None
    assert job_expire(job_id=job.pk, now=now) is None, "expired once"
    finished = job_finish(job_id=job.pk, result={"snapshot": 7})
    assert finished.state == Job.DONE and finished.error == "" and finished.error_details == []


def test_the_heartbeat_is_written_by_progress_and_by_the_beat(data_dir: Path) -> None:
    job = _import_job(data_dir, heartbeat_at=None)
    JobProgress(job.pk, ["A", "B"]).write(10, "A")
    job.refresh_from_db()
    first = job.heartbeat_at
    assert first is not None
    assert job_beat(job.pk) == 1
    job.refresh_from_db()
    assert job.heartbeat_at is not None and job.heartbeat_at >= first
    Job.objects.filter(pk=job.pk).update(state=Job.FAILED)
    assert job_beat(job.pk) == 0, "an ended job gets no heartbeat"


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_whose_task_died_fails_and_the_task_row_of_a_lost_job_fails_too(
    data_dir: Path, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from sigap.jobs.tasks import job_execute

    settings.TASKS = DB_BACKEND
    now = timezone.now()
    queued = _import_job(data_dir, state=Job.QUEUED, folder="q1")
    running = _import_job(data_dir, folder="r1", started_at=now - LEASE * 2, heartbeat_at=now - LEASE * 2)
    for job in (queued, running):
        Job.objects.filter(pk=job.pk).update(task_id=str(job_execute.enqueue(job.pk).id))
        job.refresh_from_db()
    DBTaskResult.objects.filter(id=queued.task_id).update(status="FAILED", finished_at=now)
    DBTaskResult.objects.filter(id=running.task_id).update(status="RUNNING", started_at=now - LEASE * 2)
    assert jobs_expire(now=now) == [queued.pk, running.pk]
    assert {j.state for j in Job.objects.filter(pk__in=[queued.pk, running.pk])} == {Job.FAILED}
    task = DBTaskResult.objects.get(id=running.task_id)
    assert str(task.status) == "FAILED" and task.exception_class_path.endswith("WorkerLost")


@pytest.mark.django_db(transaction=True)
def test_a_worker_cleans_up_when_it_starts(data_dir: Path, settings: Any) -> None:
    settings.TASKS = DB_BACKEND
    settings.SIGAP_JOB_LEASE_SECONDS = 0.2
    job = _import_job(data_dir, started_at=timezone.now(), heartbeat_at=timezone.now())
    leftover = _write(data_dir / "snapshots" / ".tmp-abc" / "registry.parquet")
    time.sleep(0.3)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.state == Job.FAILED and job.error == LOST
    assert not leftover.parent.exists()
    assert _cleanups()[-1]["scratch"] == 1


def test_the_job_page_shows_a_dead_job_as_failed(client: Any, world: Any, data_dir: Path) -> None:
    admin = world.users["admin_dinas"]
    now = timezone.now()
    job = _import_job(data_dir, started_at=now - LEASE * 3, heartbeat_at=now - LEASE * 2, created_by=admin)
    client.force_login(admin)
    page = client.get(reverse("ops:job-detail", args=[job.pk])).content.decode()
    assert "Proses terhenti (worker mati); mulai ulang" in page
    job.refresh_from_db()
    assert job.state == Job.FAILED


# --------------------------------------------------------------------------- files


def test_working_folders_go_once_older_than_the_lease(data_dir: Path) -> None:
    leftovers = [
        _write(data_dir / "snapshots" / ".tmp-k2j3" / ".work" / "scratch.duckdb", 2000).parents[1],
        _write(data_dir / "runs" / ".tmp-9e24" / "exports" / "selected.csv", 3000).parents[1],
        _write(data_dir / "runs" / "12" / ".tmp-annex-77" / "annex.pdf", 500).parent,
        _write(data_dir / "runs" / "12" / ".tmp-55.parquet", 100),
        _write(data_dir / "batches" / "3" / ".tmp-aa" / "X-B001.csv", 100).parent,
        _write(data_dir / "snapshots" / ".stale-4-0a1b2c3d" / "registry.parquet", 100).parent,
    ]
    run_file = _write(data_dir / "runs" / "12" / "decisions.parquet")
    stray_upload = _write(data_dir / "uploads" / "u1" / ".tmp-upload-named-so.csv")  # not scratch: an upload
    from sigap.programmes.models import TargetingRun

    assert not TargetingRun.objects.filter(pk=12).exists()
    young = data_cleanup()
    assert young.removed == [] and young.kept_young >= len(leftovers), "work in progress is never touched"
    assert all(p.exists() for p in leftovers)

    report = data_cleanup(now=_later())
    removed = {r.path for r in report.removed}
    assert "runs/12" in removed, "a run folder without its row goes (the leftovers inside with it)"
    assert {
        "snapshots/.tmp-k2j3",
        "runs/.tmp-9e24",
        "batches/3/.tmp-aa",
        "snapshots/.stale-4-0a1b2c3d",
    } <= removed
    assert not any(p.exists() for p in leftovers) and not run_file.exists()
    assert not stray_upload.parent.exists(), "an upload no job names goes once older than the lease"
    (audit,) = _cleanups()
    assert audit["scratch"] == 6 and audit["orphans"] == 1 and audit["uploads"] == 1
    assert audit["bytes"] == sum(r.bytes for r in report.removed) >= 2000 + 3000 + 500 + 100
    assert audit["lease_seconds"] == 120 and "runs/12" in audit["paths"]


def test_folders_with_their_row_stay_and_orphans_go(world: Any, data_dir: Path) -> None:
    run = world.run
    snapshot = run.snapshot
    run_folder = (data_dir / run.decisions_path).parent
    assert run_folder.is_dir()
    orphan_run = _write(data_dir / "runs" / str(run.pk + 40) / "exports" / "selected.xlsx", 62_000).parents[1]
    orphan_snapshot = _write(data_dir / "snapshots" / str(snapshot.pk + 40) / "registry.parquet").parent
    orphan_batch = _write(data_dir / "batches" / str(run.programme_id) / "SIGAP-2026-B001.csv", 700)
    other_file = _write(data_dir / "batches" / str(run.programme_id) / "catatan.txt")
    report = data_cleanup(now=_later())
    assert {r.path for r in report.removed} == {
        str(orphan_run.relative_to(data_dir)),
        str(orphan_snapshot.relative_to(data_dir)),
        str(orphan_batch.relative_to(data_dir)),
    }
    assert report.size("orphan") == 62_000 + 1000 + 700
    assert run_folder.is_dir() and (data_dir / snapshot.data_path).is_file() and other_file.exists()


def test_uploads_follow_their_job(data_dir: Path) -> None:
    now = timezone.now()
    done = _import_job(data_dir, state=Job.DONE, folder="done")
    failed = _import_job(data_dir, state=Job.FAILED, folder="failed")
    queued = _import_job(data_dir, state=Job.QUEUED, folder="queued")
    running = _import_job(data_dir, folder="running", heartbeat_at=now, started_at=now)
    stray = _write(data_dir / "uploads" / "stray" / "x.csv").parent
    report = data_cleanup(now=now)
    assert sorted(r.path for r in report.removed) == ["uploads/done", "uploads/failed"]
    assert stray.exists(), "an upload no job names yet may be a request storing it now"
    later = data_cleanup(now=now + LEASE / 2)
    assert later.removed == []
    assert (data_dir / "uploads" / "queued").exists() and (data_dir / "uploads" / "running").exists()
    assert {j.state for j in Job.objects.filter(pk__in=[queued.pk, running.pk])} == {Job.QUEUED, Job.RUNNING}
    assert {j.state for j in Job.objects.filter(pk__in=[done.pk, failed.pk])} == {Job.DONE, Job.FAILED}


def test_a_dry_run_changes_nothing(data_dir: Path) -> None:
    now = timezone.now()
    job = _import_job(data_dir, started_at=now - LEASE * 3, heartbeat_at=now - LEASE * 3)
    leftover = _write(data_dir / "runs" / ".tmp-x" / "a.parquet")
    report = data_cleanup(now=_later(), dry_run=True)
    assert [r.path for r in report.removed] == ["runs/.tmp-x"] and report.dry_run
    assert leftover.exists() and _cleanups() == []
    job.refresh_from_db()
    assert job.state == Job.RUNNING


def test_sigap_cleanup_and_manage_cleanup(data_dir: Path, capsys: Any) -> None:
    from sigap.cli import _register, cli

    _write(data_dir / "runs" / ".tmp-x" / "a.parquet", 10)
    _register()
    dry = CliRunner().invoke(cli, ["cleanup", "--dry-run", "--json"], catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["dry_run"] is True
    human = CliRunner().invoke(cli, ["cleanup"], catch_exceptions=False)
    assert human.exit_code == 0 and "dibiarkan 1" in human.output, human.output
    call_command("cleanup", "--json")
    assert json.loads(capsys.readouterr().out)["kept_young"] == 1


# --------------------------------------------------------------------------- keeping work fresh


def test_the_keeper_touches_only_working_folders_made_after_it(data_dir: Path) -> None:
    before = _write(data_dir / "snapshots" / ".tmp-before" / "a").parent
    keeper = WorkdirKeeper(data_dir)
    mine = _write(data_dir / "snapshots" / ".tmp-mine" / "a").parent
    nested = _write(data_dir / "runs" / "5" / ".tmp-annex-1" / "a").parent
    upload = _write(data_dir / "uploads" / "u" / ".tmp-x").parent
    past = time.time() - 3600
    for path in (before, mine, nested, upload):
        os.utime(path, (past, past))
    assert keeper.touch() == 2
    assert mine.stat().st_mtime > past + 3000 and nested.stat().st_mtime > past + 3000
    assert before.stat().st_mtime == pytest.approx(past) and upload.stat().st_mtime == pytest.approx(past)


def test_the_ticker_ticks_until_the_block_ends() -> None:
    ticks: list[float] = []
    seen = threading.Event()

    def tick() -> None:
        ticks.append(time.monotonic())
        if len(ticks) >= 3:
            seen.set()
        if len(ticks) == 2:
            raise RuntimeError("a failing tick is logged, the next one still comes")

    with Ticker(tick, interval=0.01):
        assert seen.wait(5)
    count = len(ticks)
    time.sleep(0.05)
    assert len(ticks) == count
