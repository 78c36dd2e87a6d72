"""Job actions: start a background job, and the worker's claim / finish / fail steps.

``job_start`` is the only one a view calls.  The others run in the worker
(:mod:`sigap.jobs.tasks`); each is one short transaction with an audit row, so the job page shows
a truthful state even when the worker dies (the row stays ``running``; see ADR 0010).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from sigap.accounts.scoping import area_prefix
from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.errors import UserError
from sigap.jobs.models import Job

logger = logging.getLogger(__name__)

KINDS = {kind for kind, _label in Job.KINDS}
#: Shown from the claim until the action reports its first step (loading references can take seconds).
STARTING = "Memulai / starting"


def job_start(*, kind: str, params: dict[str, Any], acting_user: Actor) -> Job:
    """Record a job and enqueue it on the default django-tasks backend; returns the job.

    The job row is committed before the task is enqueued, so a worker (another process) always
    finds it.  With the immediate backend (tests) the job has already finished on return.
    """
    from sigap.jobs.tasks import job_execute

    if kind not in KINDS:
        raise UserError(f"unknown job kind {kind!r}; use one of: {', '.join(sorted(KINDS))}")
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
        raise UserError(f"job #{job.pk} could not be queued ({type(e).__name__})") from None
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def job_claim(*, job_id: int) -> Job | None:
    """Move a queued job to running (a conditional UPDATE: a job runs once); None if not queued."""
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job_id, state=Job.QUEUED).update(
            state=Job.RUNNING, started_at=timezone.now(), message=STARTING
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
