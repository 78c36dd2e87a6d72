"""Persetujuan: Admin Dinas submits a run, Kepala Dinas approves or returns it; annex downloads.

Views are thin: each POST calls exactly one action from :mod:`sigap.enrolment.actions`.  A refused
action (:class:`~sigap.errors.UserError`, e.g. maker-checker) becomes an error message and changes
nothing; success redirects back with a success message.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sigap.audit.actions import audit_record
from sigap.enrolment.actions import annex_write, run_approve, run_return, run_submit
from sigap.errors import UserError
from sigap.programmes.models import TargetingRun
from sigap.web.access import APPROVAL_ROLES, DECIDE_ROLES, SUBMIT_ROLES, allowed, role_required, visible_runs

#: Decided runs stay on the page this long.
RECENT_DAYS = 30
RECENT_LIMIT = 20
ANNEX_FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ANNEX_MARKER = ".list_sha256"


def _rows(user: Any) -> dict[str, list[TargetingRun]]:
    runs = visible_runs(user).select_related("submitted_by", "decided_by")
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    return {
        "submitted": list(runs.filter(state=TargetingRun.SUBMITTED).order_by("submitted_at", "id")),
        "drafts": list(
            runs.filter(state__in=[TargetingRun.DRAFT, TargetingRun.RETURNED]).order_by("-id")[:RECENT_LIMIT]
        ),
        "decided": list(
            runs.filter(
                state__in=[TargetingRun.APPROVED, TargetingRun.ENROLLED, TargetingRun.RETURNED],
                decided_at__gte=since,
            ).order_by("-decided_at")[:RECENT_LIMIT]
        ),
    }


@role_required(APPROVAL_ROLES)
def approvals(request: HttpRequest) -> HttpResponse:
    """The list: runs waiting for a decision, drafts to submit, and recent decisions."""
    user = request.user
    context = {
        **_rows(user),
        "can_submit": allowed(user, SUBMIT_ROLES),
        "can_decide": allowed(user, DECIDE_ROLES),
        "nav": "approvals",
    }
    return render(request, "sigap/approval.html", context)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("web:approvals")


def _run(request: HttpRequest, run_id: int) -> TargetingRun:
    return get_object_or_404(visible_runs(request.user), pk=run_id)


@role_required(SUBMIT_ROLES)
@require_POST
def approval_submit(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    try:
        run_submit(run=run, acting_user=request.user)
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Penetapan #%(id)s diajukan untuk persetujuan.") % {"id": run.pk})
    return _back(request)


@role_required(DECIDE_ROLES)
@require_POST
def approval_approve(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    try:
        result = run_approve(run=run, acting_user=request.user)
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        text = _("Penetapan #%(id)s disetujui: %(members)s peserta ditetapkan.") % {
            "id": run.pk,
            "members": result.members,
        }
        if result.skipped:
            text += " " + _("%(n)s orang dilewati (sudah tercakup program lain).") % {
                "n": len(result.skipped)
            }
        messages.success(request, text)
    return _back(request)


@role_required(DECIDE_ROLES)
@require_POST
def approval_return(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    try:
        run_return(run=run, acting_user=request.user, reason=request.POST.get("reason", ""))
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Penetapan #%(id)s dikembalikan kepada pengaju.") % {"id": run.pk})
    return _back(request)


def _cached_annex(run: TargetingRun) -> dict[str, Path] | None:
    """The annex files already written for this run's frozen list, if any."""
    directory = Path(settings.DATA_DIR) / "runs" / str(run.pk) / "annex"
    marker = directory / ANNEX_MARKER
    try:
        if marker.read_text(encoding="ascii").strip() != run.list_sha256:
            return None
    except OSError:
        return None
    stem = f"daftar-nominatif-run{run.pk}"
    files = {fmt: directory / f"{stem}.{fmt}" for fmt in ANNEX_FORMATS}
    return files if all(path.is_file() for path in files.values()) else None


@role_required(APPROVAL_ROLES)
def annex_download(request: HttpRequest, run_id: int, fmt: str) -> FileResponse:
    """The daftar nominatif (PDF or XLSX) of an approved list.

    Freshly written files are audited by :func:`annex_write` itself; a download served from the
    cache is recorded once here (``annex.download``), so every disclosure is logged exactly once.
    """
    if fmt not in ANNEX_FORMATS:
        raise Http404("no such annex format")
    run = _run(request, run_id)
    if run.state not in (TargetingRun.APPROVED, TargetingRun.ENROLLED) or not run.list_sha256:
        raise Http404("only an approved list has an annex")
    files = _cached_annex(run)
    if files is None:
        try:
            files = annex_write(run=run, acting_user=request.user)
        except UserError as exc:
            raise Http404(exc.message) from exc
        (files["pdf"].parent / ANNEX_MARKER).write_text(run.list_sha256, encoding="ascii")
    else:
        audit_record(
            acting_user=request.user,
            action="annex.download",
            obj=run,
            note=f"{fmt}: {files[fmt].relative_to(settings.DATA_DIR)}",
        )
    path = files[fmt]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=ANNEX_FORMATS[fmt]
    )
