"""The django-tasks task that runs every job (the database backend by default; see ADR 0010)."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from sigap.errors import UserError
from sigap.jobs.actions import job_claim, job_fail, job_finish
from sigap.jobs.kinds import KINDS
from sigap.jobs.lease import job_lease
from sigap.jobs.progress import JobProgress

logger = logging.getLogger(__name__)

#: Shown for a failure that is not the user's input: the traceback goes to the log, not the page.
INTERNAL_ERROR = "internal error while running job #{job}: the administrator can find it in the server log"


@task()
def job_execute(job_id: int) -> dict[str, Any]:
    """Claim the job, run its action with progress and a heartbeat (its lease), record the result or
    the user's error."""
    job = job_claim(job_id=job_id)
    if job is None:  # already run (a task enqueued twice) or gone
        return {"job": job_id, "skipped": True}
    kind = KINDS[job.kind]
    progress = JobProgress(job.pk, kind.phases, labels=kind.labels)
    try:
        with job_lease(job.pk):
            result = kind.run(job, job.created_by, progress)
    except UserError as e:
        job_fail(
            job_id=job.pk,
            message=kind.tidy(job, e.message),
            details=[kind.tidy(job, line) for line in e.details],
        )
        return {"job": job.pk, "state": "failed"}
    except Exception:
        logger.exception("job #%s (%s) failed", job.pk, job.kind)
        job_fail(job_id=job.pk, message=INTERNAL_ERROR.format(job=job.pk))
        raise  # django-tasks keeps the traceback on its own result row, for the administrator
    finally:
        kind.cleanup(job)
    job_finish(job_id=job.pk, result=result)
    return {"job": job.pk, "state": "done", **result}
