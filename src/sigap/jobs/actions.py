"""Job actions: start a background job, and the worker's claim / finish / fail steps.

``job_start`` is the only one a view calls.  The others run in the worker
(:mod:`sigap.jobs.tasks`); each is one short transaction with an audit row, so the job page shows
a truthful state even when the worker dies: the row stays ``running`` until its heartbeat is older
than the lease, then ``job_expire`` marks it failed (:mod:`sigap.jobs.lease`, ADR 0010).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts.scoping import area_prefix
from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.errors import UserError
from sigap.jobs.models import Job

logger = logging.getLogger(__name__)

KINDS = {kind for kind, _label in Job.KINDS}
#: Shown from the claim until the action reports its first step (loading references can take seconds).
STARTING = "Memulai / starting"
#: The error of a job whose worker died (its heartbeat stopped for longer than the lease).
LOST = "Proses terhenti (worker mati); mulai ulang"


def job_start(*, kind: str, params: dict[str, Any], acting_user: Actor) -> Job:
    """Record a job and enqueue it on the default django-tasks backend; returns the job.

    The job row is committed before the task is enqueued, so a worker (another process) always
    finds it.  With the immediate backend (tests) the job has already finished on return.
    """
    from sigap.jobs.tasks import job_execute

    if kind not in KINDS:
        raise UserError(
            _("Jenis proses latar %(kind)r tidak dikenal; pilih salah satu: %(known)s")
            % {"kind": kind, "known": ", ".join(sorted(KINDS))}
        )
    user = stored_user(acting_user)
    area = area_prefix(acting_user) if user is not None else ""
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params, created_by=user, area_code=area)
        audit_record(
            acting_user=acting_user, action="job.start", obj=job, after={"kind": kind, "params": params}
        )
    try:
        result = job_execute.enqueue(job.pk)
    except Exception as e:  # noqa: BLE001 -- the queue is down: say so on the job, never half-start
        logger.exception("job #%s: could not enqueue", job.pk)
        job_fail(job_id=job.pk, message="the job could not be queued; try again or ask the administrator")
        raise UserError(
            _("Proses latar #%(id)s tidak dapat diantrekan (%(why)s); coba lagi atau hubungi administrator.")
            % {"id": job.pk, "why": type(e).__name__}
        ) from None
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def job_claim(*, job_id: int) -> Job | None:
    """Move a queued job to running (a conditional UPDATE: a job runs once); None if not queued."""
    with transaction.atomic():
        now = timezone.now()
        claimed = Job.objects.filter(pk=job_id, state=Job.QUEUED).update(
            state=Job.RUNNING, started_at=now, heartbeat_at=now, message=STARTING
        )
        if not claimed:
            return None
        job = Job.objects.select_related("created_by").get(pk=job_id)
        audit_record(acting_user=job.created_by, action="job.run", obj=job, note="worker claimed the job")
    return job


def job_finish(*, job_id: int, result: dict[str, Any]) -> Job:
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=job_id)
        job.state = Job.DONE
        job.result = result
        job.progress_done = job.progress_total or 1
        job.progress_total = job.progress_total or 1
        job.message = ""
        # the work did finish: a lease that ran out meanwhile (a worker too slow to beat) was wrong
        job.error, job.error_details = "", []
        job.finished_at = timezone.now()
        job.save()
        audit_record(acting_user=job.created_by, action="job.done", obj=job, after=result)
    return job


def job_fail(*, job_id: int, message: str, details: list[str] | None = None) -> Job:
    """Record the failure text meant for the user (a UserError message, never a traceback)."""
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=job_id)
        job.state = Job.FAILED
        job.error = message
        job.error_details = list(details or [])[:200]
        job.finished_at = timezone.now()
        job.save()
        audit_record(
            acting_user=job.created_by,
            action="job.fail",
            obj=job,
            after={"error": message, "details": job.error_details[:20]},
        )
    return job


def job_stale(job: Job, *, now: dt.datetime, lease: dt.timedelta) -> bool:
    """A running job whose last sign of life (heartbeat, else its start) is older than the lease."""
    if job.state != Job.RUNNING:
        return False
    seen = job.heartbeat_at or job.started_at or job.created_at
    return seen is not None and now - seen > lease


def job_expire(
    *,
    job_id: int,
    now: dt.datetime | None = None,
    lease: dt.timedelta | None = None,
    remove_upload: bool = True,
) -> Job | None:
    """Fail a job whose worker died: ``running`` with no heartbeat for longer than the lease, or
    ``queued`` while its task already ended or died (``task_lost``).  The job is not run again: an
    import that took its worker down (out of memory) would take the next one down too, and a run
    or a batch started twice is two runs or two batches; the officer starts it again (one click).
    Its upload is removed like any ended job's (``remove_upload=False``: the caller does it, as the
    clean-up does, which counts it).  Returns the job, or None when it is alive or ended.
    """
    from sigap.jobs.kinds import KINDS
    from sigap.jobs.lease import lease as default_lease

    now = now or timezone.now()
    lease = lease or default_lease()
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(of=("self",)).select_related("created_by").filter(pk=job_id).first()
        )
        if job is None:
            return None
        lost_task = job.state == Job.QUEUED and task_lost(job, now=now, lease=lease)
        if not (lost_task or job_stale(job, now=now, lease=lease)):
            return None
        seen = job.heartbeat_at or job.started_at
        job.state = Job.FAILED
        job.error = LOST
        job.error_details = [
            (
                f"Detak terakhir worker: {timezone.localtime(seen):%Y-%m-%d %H:%M:%S}; "
                if seen is not None
                else "Tugas di antrean sudah berakhir tanpa menjalankan proses ini; "
            )
            + f"batas {int(lease.total_seconds())} detik (SIGAP_JOB_LEASE_SECONDS).",
        ]
        if job.kind == Job.SNAPSHOT_IMPORT:
            job.error_details.append(
                "Berkas unggahan dihapus: unggah lagi untuk mengimpor "
                "(berkas yang sudah pernah diimpor tidak diimpor dua kali)."
            )
        job.finished_at = now
        job.save()
        audit_record(
            acting_user=job.created_by,
            action="job.lost",
            obj=job,
            after={
                "error": LOST,
                "heartbeat_at": seen.isoformat() if seen is not None else None,
                "lease_seconds": lease.total_seconds(),
                "task": job.task_id,
            },
        )
    _task_fail(job.task_id)
    if remove_upload and job.kind in KINDS:
        KINDS[job.kind].cleanup(job)
    logger.warning("job #%s (%s): %s", job.pk, job.kind, LOST)
    return job


class WorkerLost(Exception):
    """Recorded on the django-tasks result row of a job whose worker died."""


def task_lost(job: Job, *, now: dt.datetime, lease: dt.timedelta) -> bool:
    """The job's django-tasks row ended (failed, or done without claiming the job) or has been
    running without its job for longer than the lease: nobody will ever run this queued job."""
    from django_tasks_db.models import DBTaskResult

    if not job.task_id:
        return False
    task = DBTaskResult.objects.filter(id=job.task_id).only("status", "started_at").first()
    if task is None:
        return False  # another backend (immediate, tests), or the row was pruned: nothing to say
    status = str(task.status)
    if status in ("FAILED", "SUCCESSFUL"):
        return True
    return status == "RUNNING" and task.started_at is not None and now - task.started_at > lease


def _task_fail(task_id: str) -> None:
    """Mark the django-tasks row of a lost job failed too (the administrator's view of the queue)."""
    if not task_id:
        return
    try:
        from django_tasks_db.models import DBTaskResult

        task = DBTaskResult.objects.filter(id=task_id, status="RUNNING").first()
        if task is not None:
            task.set_failed(WorkerLost(LOST))
    except Exception:  # noqa: BLE001 -- not a database-backend id (tests), or a malformed one
        logger.info("task %s: not marked failed", task_id, exc_info=True)
