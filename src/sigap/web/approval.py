"""Persetujuan: Admin Dinas submits a run, Kepala Dinas approves or returns it; annex downloads.

Views are thin: each POST calls exactly one action from :mod:`sigap.enrolment.actions`.  A refused
action (:class:`~sigap.errors.UserError`, e.g. maker-checker) becomes an error message and changes
nothing; success redirects back with a success message.  Approving asks for the decree (SK) that
fixes the list (:class:`DecreeForm`: number, date, place, signatory name and title; all required and
checked by :mod:`sigap.core.decree`); a form with a problem shows the page again with the typed
values and the reason next to each field (status 400), and nothing is approved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sigap.audit.actions import audit_record
from sigap.core import decree as sk
from sigap.enrolment import annexfiles
from sigap.enrolment.actions import (
    decree_place_default,
    run_approve,
    run_approve_check,
    run_return,
    run_submit,
)
from sigap.errors import UserError
from sigap.jobs.actions import job_start
from sigap.jobs.models import Job
from sigap.programmes.models import TargetingRun
from sigap.web import listing
from sigap.web.access import APPROVAL_ROLES, DECIDE_ROLES, SUBMIT_ROLES, allowed, role_required, visible_runs

#: Decided runs stay on the page this long.
RECENT_DAYS = 30
RECENT_LIMIT = 20
ANNEX_FORMATS = annexfiles.FORMATS


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


class DecreeDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class DecreeForm(forms.Form):
    """The decree (SK) the Kepala Dinas enters to approve a run; checked by :mod:`sigap.core.decree`.

    Field ids carry the run (``sk<id>_sk_number``) so that several forms fit on one page.
    """

    sk_number = forms.CharField(
        label=gettext_lazy("Nomor SK"),
        max_length=sk.MAX_LENGTHS[sk.NUMBER],
        help_text=gettext_lazy("mis. 800/Kep.123-Disnaker/2026"),
    )
    sk_date = forms.DateField(
        label=gettext_lazy("Tanggal SK"), input_formats=list(sk.DATE_FORMATS), widget=DecreeDateInput()
    )
    sk_place = forms.CharField(label=gettext_lazy("Ditetapkan di"), max_length=sk.MAX_LENGTHS[sk.PLACE])
    signatory_name = forms.CharField(
        label=gettext_lazy("Nama penanda tangan"), max_length=sk.MAX_LENGTHS[sk.SIGNATORY_NAME]
    )
    signatory_title = forms.CharField(
        label=gettext_lazy("Jabatan penanda tangan"),
        max_length=sk.MAX_LENGTHS[sk.SIGNATORY_TITLE],
        help_text=gettext_lazy("mis. Kepala Dinas Tenaga Kerja Kota Bekasi"),
    )

    #: sigap.core.decree field -> form field.
    FIELDS = {
        sk.NUMBER: "sk_number",
        sk.DATE: "sk_date",
        sk.PLACE: "sk_place",
        sk.SIGNATORY_NAME: "signatory_name",
        sk.SIGNATORY_TITLE: "signatory_title",
    }

    def __init__(self, *args: Any, run: TargetingRun, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"sk{run.pk}_%s")
        super().__init__(*args, **kwargs)
        self.run = run
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(name in data for name in self.FIELDS.values()):
            try:
                sk.make_decree(
                    **{key: data[name] for key, name in self.FIELDS.items()},
                    today=self.today,
                    fiscal_year=self.run.programme.fiscal_year,
                )
            except sk.DecreeError as e:
                for key, reason in e.problems.items():
                    self.add_error(self.FIELDS[key], reason)
        return data

    def decree(self) -> dict[str, Any]:
        """The fields as :func:`sigap.enrolment.actions.run_approve` takes them."""
        return {key: self.cleaned_data[name] for key, name in self.FIELDS.items()}


def _decree_initial(run: TargetingRun, today: dt.date) -> dict[str, Any]:
    """Today's date, the region's name as the place, and the signatory of the programme's last decree."""
    initial: dict[str, Any] = {"sk_date": today, "sk_place": decree_place_default(run.programme)}
    last = (
        TargetingRun.objects.filter(programme__region=run.programme.region)
        .exclude(sk_number="")
        .order_by("-decided_at", "-id")
        .first()
    )
    if last is not None:
        initial.update(
            sk_place=last.sk_place or initial["sk_place"],
            signatory_name=last.sk_signatory_name,
            signatory_title=last.sk_signatory_title,
        )
    return initial


def _page(request: HttpRequest, *, bound: DecreeForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    rows = _rows(user)
    can_decide = allowed(user, DECIDE_ROLES)
    if can_decide:
        today = listing.today()
        for run in rows["submitted"]:
            form = bound if bound is not None and bound.run.pk == run.pk else None
            run.decree_form = form or DecreeForm(  # type: ignore[attr-defined]
                run=run, today=today, initial=_decree_initial(run, today)
            )
    context = {
        **rows,
        "can_submit": allowed(user, SUBMIT_ROLES),
        "can_decide": can_decide,
        "nav": "approvals",
    }
    return render(request, "sigap/approval.html", context, status=status)


@role_required(APPROVAL_ROLES)
def approvals(request: HttpRequest) -> HttpResponse:
    """The list: runs waiting for a decision, drafts to submit, and recent decisions."""
    return _page(request)


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
    try:  # a refused approver or a run in the wrong state is told so before the decree is checked
        run_approve_check(run=run, acting_user=request.user)
    except UserError as exc:
        messages.error(request, exc.message)
        return _back(request)
    form = DecreeForm(request.POST, run=run, today=listing.today())
    if not form.is_valid():
        messages.error(
            request,
            _("Penetapan #%(id)s belum disetujui: lengkapi dan periksa data Surat Keputusan (SK).")
            % {"id": run.pk},
        )
        return _page(request, bound=form, status=400)
    try:
        result = run_approve(run=run, acting_user=request.user, decree=form.decree())
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        text = _("Penetapan #%(id)s disetujui dengan SK %(sk)s: %(members)s peserta ditetapkan.") % {
            "id": run.pk,
            "sk": result.run.sk_number,
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


def _annex_job(request: HttpRequest, run: TargetingRun, *, start: bool) -> Job | None:
    """The newest annex job of this run the user may follow; a new one when none is under way
    (``start``).  One job per run at a time: a second request follows the first one's."""
    from sigap.jobs.actions import job_expire, job_stale
    from sigap.jobs.lease import lease

    jobs = Job.objects.filter(kind=Job.ANNEX_EXPORT, params__run=run.pk).order_by("-pk")
    job = jobs.filter(state__in=(Job.QUEUED, Job.RUNNING)).first()
    if job is not None and job_stale(job, now=timezone.now(), lease=lease()):
        job_expire(job_id=job.pk)
        job = None
    if job is None and start:
        job = job_start(kind=Job.ANNEX_EXPORT, params={"run": run.pk}, acting_user=request.user)
    return job or jobs.first()


def _annex_run(request: HttpRequest, run_id: int) -> TargetingRun:
    run = _run(request, run_id)
    if run.state not in TargetingRun.IN_FORCE or not run.list_sha256:
        raise Http404("only an approved list has an annex")
    return run


@role_required(APPROVAL_ROLES)
def annex_download(request: HttpRequest, run_id: int, fmt: str) -> HttpResponseBase:
    """The daftar nominatif (PDF or XLSX) of an approved list, once written.

    Writing it takes about 30 s for 245 pages: a background job does it (``Proses latar``) and this
    request goes to the page that follows it (:func:`annex_status`).  The files are kept per run
    until the run changes state.  Writing is audited by :func:`annex_write` (``annex.export``); each
    download here is audited too (``annex.download``).
    """
    if fmt not in ANNEX_FORMATS:
        raise Http404("no such annex format")
    run = _annex_run(request, run_id)
    files = annexfiles.cached(run)
    if files is None:
        try:
            _annex_job(request, run, start=True)
        except UserError as exc:
            messages.error(request, exc.message)
        files = annexfiles.cached(run)  # a worker in this process (tests, small sites) may be done
        if files is None:
            return redirect(reverse("web:approval-annex-status", args=[run.pk]) + f"?unduh={fmt}")
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


@role_required(APPROVAL_ROLES)
def annex_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """ "Lampiran sedang disiapkan": the annex job's progress, refreshed every 2 s; the download links
    once the files are written (a failed job says why and offers to try again)."""
    run = _annex_run(request, run_id)
    files = annexfiles.cached(run)
    if request.method == "POST" and files is None:
        try:
            _annex_job(request, run, start=True)
        except UserError as exc:
            messages.error(request, exc.message)
        return redirect("web:approval-annex-status", run.pk)
    job = _annex_job(request, run, start=False)
    fmt = request.GET.get("unduh", "")
    context = {
        "run": run,
        "job": job,
        "ready": files is not None,
        "working": files is None and job is not None and not job.finished,
        "failed": files is None and job is not None and job.state == Job.FAILED,
        "wanted": fmt if fmt in ANNEX_FORMATS else "",
        # still queued after a minute: no worker is taking jobs (say so instead of waiting silently)
        "no_worker": job is not None
        and job.state == Job.QUEUED
        and timezone.now() - job.created_at > dt.timedelta(minutes=1),
        "nav": "approvals",
    }
    return render(request, "sigap/annex_status.html", context)
