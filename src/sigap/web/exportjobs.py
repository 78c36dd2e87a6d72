"""Large exports as background jobs, the decree annex's way (ADR 0023, 0024).

An export view counts its rows first.  Up to ``SIGAP_EXPORT_INLINE_ROWS`` (default 2,000 rows, about
half a second) the request writes the file as before (like ``SIGAP_BATCH_INLINE_MAX`` for batches);
above it, :func:`export_or_job` starts a ``list_export`` job with the export's name, format, filters
(the query string) and file name, and the request goes to
``/unduhan/<job>/``: *sedang disiapkan* with the job's progress, refreshed every 2 s, then the link.
With a worker in the same process (the immediate backend: tests, small sites) the job is done on
return and the file is served at once, as the annex does.

The file holds personal data chosen by one person's filters, so only **the account that asked**
opens the page and downloads the file (another account, even of the same role and area, gets
404), and only while it still has the export's role.  The export itself is audited by the view as
before (``audit.export``, ``member.export``: who, which filters, how many rows) when it is asked
for; each download of a job's file is audited too (``job.download``).  Files are removed a day
after the job ends (``sigap cleanup``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from sigap.audit.actions import audit_record
from sigap.errors import UserError
from sigap.jobs.actions import job_expire, job_stale, job_start
from sigap.jobs.lease import lease
from sigap.jobs.models import Job
from sigap.web import exportfiles
from sigap.web.access import allowed

#: A job still queued after this long: no worker is taking jobs (the page says so).
NO_WORKER_AFTER = dt.timedelta(minutes=1)


def inline_rows() -> int:
    return int(getattr(settings, "SIGAP_EXPORT_INLINE_ROWS", 2000))


def export_or_job(
    request: HttpRequest,
    *,
    export: str,
    fmt: str,
    rows: int,
    filename: str,
    params: dict[str, Any],
    back: str,
    inline: Callable[[], HttpResponseBase],
) -> HttpResponseBase:
    """``inline()`` for an export of at most ``SIGAP_EXPORT_INLINE_ROWS`` rows; else a job writes it
    and the request goes to the job's page (or gets the file, when the job is already done)."""
    if rows <= inline_rows():
        return inline()
    try:
        job = job_start(
            kind=Job.LIST_EXPORT,
            params={"export": export, "fmt": fmt, "rows": rows, "filename": filename, "back": back, **params},
            acting_user=request.user,
        )
    except UserError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if job.state == Job.DONE and exportfiles.export_file(job) is not None:
        return _serve(request, job)
    return redirect("web:export-status", job.pk)


def _job(request: HttpRequest, job_id: int) -> tuple[Job, exportfiles.Export]:
    """The user's own export job (another account's is 404, whatever its role and area), while the
    user still has the export's role."""
    job = Job.objects.filter(pk=job_id, kind=Job.LIST_EXPORT, created_by_id=request.user.pk).first()
    if job is None:
        raise Http404("no such export")
    try:
        export = exportfiles.export_of(job.params)
    except UserError:
        raise Http404("no such export") from None
    if not allowed(request.user, export.roles):
        raise Http404("no such export")
    if job_stale(job, now=timezone.now(), lease=lease()):
        job = job_expire(job_id=job.pk) or job
    return job, export


def _serve(request: HttpRequest, job: Job) -> FileResponse:
    path = exportfiles.export_file(job)
    if path is None:
        raise Http404("the file is no longer here")
    audit_record(
        acting_user=request.user,
        action="job.download",
        obj=job,
        after={
            "export": job.params.get("export"),
            "format": job.params.get("fmt"),
            "rows": (job.result or {}).get("rows"),
        },
        note=path.name,
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type=exportfiles.CONTENT_TYPES[str(job.params["fmt"])],
    )


@login_required
def export_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """ "Unduhan sedang disiapkan": the job's progress, refreshed every 2 s; the link once written."""
    job, export = _job(request, job_id)
    ready = job.state == Job.DONE and exportfiles.export_file(job) is not None
    context = {
        "job": job,
        "title": export.title,
        "fmt": "Excel" if job.params.get("fmt") == "xlsx" else "CSV",
        "ready": ready,
        "gone": job.state == Job.DONE and not ready,
        "working": not job.finished,
        "failed": job.state == Job.FAILED,
        "back": job.params.get("back") or "/",
        "no_worker": job.state == Job.QUEUED and timezone.now() - job.created_at > NO_WORKER_AFTER,
    }
    return render(request, "sigap/export_status.html", context)


@login_required
def export_download(request: HttpRequest, job_id: int) -> HttpResponseBase:
    job, _export = _job(request, job_id)
    if job.state != Job.DONE:
        return redirect("web:export-status", job.pk)
    return _serve(request, job)
