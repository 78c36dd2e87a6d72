"""Peserta, batch pendaftaran, jawaban BPJS TK, keluar & pengganti: thin views over the actions.

Access (decided in :mod:`sigap.web.access`): reads by ``MEMBER_ROLES`` (members; operators see only
their own area, filtered inside the query) or ``FINANCE_ROLES`` (batches); every write is a POST by
``MONEY_WRITE_ROLES`` (Admin Dinas) that calls exactly one action.  A programme, batch or member
outside the user's area answers 404.  Every list, view and download of personal data is audited.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sigap.accounts.scoping import area_prefix
from sigap.audit.actions import audit_record
from sigap.billing.selectors import member_months
from sigap.enrolment.actions import batch_export, default_coverage_start, response_import
from sigap.enrolment.figures import FIGURES, figure_rows, member_figures
from sigap.enrolment.lifecycle import (
    budget_available,
    exits_detect,
    member_exit_by_nik,
    replacement_run,
)
from sigap.enrolment.models import EnrolmentBatch, EnrolmentLine, Member
from sigap.enrolment.selectors import OPEN_STATES
from sigap.errors import UserError
from sigap.programmes.models import Programme
from sigap.registry.models import Snapshot
from sigap.web import exportfiles, exportjobs, listing
from sigap.web.access import (
    FINANCE_ROLES,
    MEMBER_ROLES,
    MONEY_ROLES,
    MONEY_WRITE_ROLES,
    REALISATION_ROLES,
    allowed,
    forbidden,
    role_required,
    visible_programmes,
)
from sigap.web.moneyforms import (
    BatchExportForm,
    ExitsDetectForm,
    LapseForm,
    MemberExitForm,
    MemberFilterForm,
    ReplacementForm,
    ResponseUploadForm,
)

MEMBER_SORTS = {
    "rank": ["rank", "id"],
    "nama": ["nama", "id"],
    "nik": ["nik"],
    "kelurahan": ["kode_kelurahan", "rank"],
    "state": ["state", "rank"],
}
BATCH_SORTS = {"number": ["id"], "created": ["created_at", "id"], "state": ["state", "id"]}
LINE_SORTS = {"rank": ["member__rank"], "nama": ["member__nama", "id"], "status": ["status", "member__rank"]}
FILE_TYPES = {"csv": "text/csv", "xlsx": listing.XLSX}


# --------------------------------------------------------------------------- shared helpers


def _covers(request: HttpRequest, programme: Programme) -> bool:
    """The user's area holds the programme's whole region (a province programme is not a kota's)."""
    return str(programme.region).startswith(area_prefix(request.user))


def programme_for(request: HttpRequest, programme_id: int, *, whole: bool = False) -> Programme:
    """The programme if the user's area overlaps its region, else 404.  ``whole``: programme-wide pages
    (batches, invoices, payments, exits: their files and lines name everybody) also need the user's
    area to hold the programme's whole region."""
    for programme in visible_programmes(request.user):
        if programme.pk == programme_id and (not whole or _covers(request, programme)):
            return programme
    raise Http404("no such programme")


def programme_ids(request: HttpRequest, *, whole: bool = False) -> list[int]:
    return [p.pk for p in visible_programmes(request.user) if not whole or _covers(request, p)]


def members_in_area(request: HttpRequest, programme: Programme) -> QuerySet[Member]:
    """The programme's members inside the user's area (the filter is part of the query)."""
    return exportfiles.members_in_area(request.user, programme)


def write_refused(request: HttpRequest) -> HttpResponse | None:
    """403 for a POST by a role that may only read."""
    if request.method == "POST" and not allowed(request.user, MONEY_WRITE_ROLES):
        return forbidden(request)
    return None


place = exportfiles.place


def error_text(exc: UserError) -> list[str]:
    return [exc.message, *exc.details[:50]]


# --------------------------------------------------------------------------- hub


@role_required(MONEY_ROLES)
def money_home(request: HttpRequest) -> HttpResponse:
    """The programmes the user may see, with the pages the user's role may open for each."""
    user = request.user
    rows = []
    for programme in visible_programmes(user):
        counts: list[dict[str, Any]] = []
        total = 0
        if allowed(user, MEMBER_ROLES):
            # the figures every page shows, defined once (sigap.enrolment.figures): "keluar" != rejected
            found = member_figures(members_in_area(request, programme))
            counts = figure_rows(found)
            total = sum(found[key] for key in FIGURES)
        rows.append({"programme": programme, "counts": counts, "total": total})
    context = {
        "nav": "money",
        "rows": rows,
        "can_members": allowed(user, MEMBER_ROLES),
        "can_finance": allowed(user, FINANCE_ROLES),
        "can_realisation": allowed(user, REALISATION_ROLES),
        "can_write": allowed(user, MONEY_WRITE_ROLES),
    }
    return render(request, "money/home.html", context)


# --------------------------------------------------------------------------- members


def _filtered_members(
    request: HttpRequest, programme: Programme
) -> tuple[QuerySet[Member], MemberFilterForm]:
    return exportfiles.filtered_members(request.user, programme, request.GET)


@role_required(MEMBER_ROLES)
def member_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(request, programme_id)
    members, form = _filtered_members(request, programme)
    page = listing.sorted_page(request, members, sorts=MEMBER_SORTS, default="rank")
    audit_record(
        acting_user=request.user,
        action="member.list",
        obj=programme,
        after={
            "area": area_prefix(request.user),
            "filters": dict(request.GET.items()),
            "shown": len(page.page),
        },
    )
    context = {
        "nav": "money",
        "programme": programme,
        "form": form,
        "listing": page,
        "rows": [(m, place(m.kode_kelurahan)) for m in page.page],
        "export_query": request.GET.urlencode(),
    }
    return render(request, "money/members.html", context)


@role_required(MEMBER_ROLES)
def member_export(request: HttpRequest, programme_id: int) -> HttpResponseBase:
    """The members list as Excel, with the list's filters; a long list is written by a job (ADR 0024)."""
    programme = programme_for(request, programme_id)
    members, _form = _filtered_members(request, programme)
    rows = members.count()
    audit_record(
        acting_user=request.user,
        action="member.export",
        obj=programme,
        after={"area": area_prefix(request.user), "filters": dict(request.GET.items()), "rows": rows},
    )
    filename = f"peserta-{programme.code}.xlsx"
    return exportjobs.export_or_job(
        request,
        export="members",
        fmt="xlsx",
        rows=rows,
        filename=filename,
        params={"programme": programme.pk, "query": request.GET.urlencode()},
        back=f"{reverse('web:member-list', args=[programme.pk])}?{request.GET.urlencode()}",
        inline=lambda: listing.xlsx_response(
            filename=filename,
            title=_("Peserta"),
            headers=exportfiles.member_headers(),
            rows=exportfiles.member_rows(members),
        ),
    )


@role_required(MEMBER_ROLES)
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(
        Member.objects.select_related("programme", "run").filter(
            programme_id__in=programme_ids(request), kode_kelurahan__startswith=area_prefix(request.user)
        ),
        pk=member_id,
    )
    if (refused := write_refused(request)) is not None:
        return refused
    form = MemberExitForm(
        request.POST if request.method == "POST" else None, initial={"date": listing.today()}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                member_exit_by_nik(
                    programme=member.programme,
                    nik=member.nik,
                    reason=data["reason"],
                    date=data["date"],
                    note=data["note"],
                    acting_user=request.user,
                )
            except UserError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Keluarnya peserta %(nama)s dicatat.") % {"nama": member.nama})
                return redirect("web:member-detail", member_id=member.pk)
        status = 400
    audit_record(acting_user=request.user, action="member.view", obj=member, note=member.nik)
    ledger = member_months(member=member, on=listing.today())
    context = {
        "nav": "money",
        "member": member,
        "programme": member.programme,
        "kelurahan": place(member.kode_kelurahan),
        "periods": list(member.periods.all()),
        "reopenings": list(member.reopenings.select_related("run")),
        "ledger": ledger,
        "exit": getattr(member, "exit", None),
        "lines": list(member.enrolment_lines.select_related("batch").order_by("batch_id")),
        "form": form,
        "can_exit": allowed(request.user, MONEY_WRITE_ROLES) and member.state in OPEN_STATES,
    }
    return render(request, "money/member_detail.html", context, status=status)


# --------------------------------------------------------------------------- batches


def _pending(programme: Programme) -> int:
    """Members approved and not yet sent: the size of the next batch."""
    return Member.objects.filter(programme=programme, state=Member.APPROVED).count()


@role_required(FINANCE_ROLES)
def batch_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(request, programme_id, whole=True)
    if (refused := write_refused(request)) is not None:
        return refused
    today = listing.today()
    try:
        suggested = default_coverage_start(programme, today=today)
    except Exception:  # noqa: BLE001 -- an invalid stored spec only loses the suggestion
        suggested = None
    form = BatchExportForm(
        request.POST if request.method == "POST" else None, initial={"coverage_start": suggested}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and _pending(programme) > settings.SIGAP_BATCH_INLINE_MAX:
            # a large batch is written by the background worker; its page links to the batch
            from sigap.jobs.actions import job_start
            from sigap.jobs.models import Job

            start = form.cleaned_data["coverage_start"]
            try:
                job = job_start(
                    kind=Job.BATCH_EXPORT,
                    params={
                        "programme": programme.pk,
                        "coverage_start": str(start) if start else "",
                        "today": today.isoformat(),
                    },
                    acting_user=request.user,
                )
            except UserError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("ops:job-detail", job_id=job.pk)
        elif form.is_valid():
            try:
                batch = batch_export(
                    programme=programme,
                    acting_user=request.user,
                    coverage_start=form.cleaned_data["coverage_start"],
                    today=today,
                )
            except UserError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Batch %(number)s diekspor: %(n)s peserta dikirim ke BPJS TK.")
                    % {"number": batch.number, "n": batch.member_count},
                )
                return redirect("web:batch-detail", batch_id=batch.pk)
        status = 400
    batches = EnrolmentBatch.objects.filter(programme=programme).annotate(
        accepted=Count("lines", filter=Q(lines__status=EnrolmentLine.ACCEPTED)),
        rejected=Count("lines", filter=Q(lines__status=EnrolmentLine.REJECTED)),
        pending=Count("lines", filter=Q(lines__status=EnrolmentLine.PENDING)),
    )
    if request.GET.get("state") in dict(EnrolmentBatch.STATES):
        batches = batches.filter(state=request.GET["state"])
    if request.GET.get("format") == "xlsx":
        audit_record(acting_user=request.user, action="batch.list_export", obj=programme)
        return listing.xlsx_response(
            filename=f"batch-{programme.code}.xlsx",
            title=_("Batch"),
            headers=[
                _("Nomor"),
                _("Status"),
                _("Mulai perlindungan"),
                _("Peserta"),
                _("Diterima"),
                _("Ditolak"),
                _("Menunggu"),
                _("Tanggal ekspor"),
            ],
            rows=(
                [
                    b.number,
                    b.get_state_display(),
                    b.coverage_start,
                    b.member_count,
                    b.accepted,
                    b.rejected,
                    b.pending,
                    b.exported_on,
                ]
                for b in batches.order_by("id")
            ),
        )
    page = listing.sorted_page(request, batches, sorts=BATCH_SORTS, default="-number")
    context = {
        "nav": "money",
        "programme": programme,
        "listing": page,
        "form": form,
        "waiting": Member.objects.filter(programme=programme, state=Member.APPROVED).count(),
        "can_write": allowed(request.user, MONEY_WRITE_ROLES),
        "states": EnrolmentBatch.STATES,
        "state": request.GET.get("state", ""),
    }
    return render(request, "money/batches.html", context, status=status)


def _batch(request: HttpRequest, batch_id: int) -> EnrolmentBatch:
    return get_object_or_404(
        EnrolmentBatch.objects.select_related("programme", "created_by").filter(
            programme_id__in=programme_ids(request, whole=True)
        ),
        pk=batch_id,
    )


@role_required(FINANCE_ROLES)
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    if (refused := write_refused(request)) is not None:
        return refused
    form = ResponseUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result = None
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            uploads = Path(settings.DATA_DIR) / "uploads"
            uploads.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=uploads) as tmp:
                # keep the user's file name (it appears in messages), without any path or odd characters
                name = re.sub(r"[^\w.\- ]", "_", Path(upload.name or "").name).strip(" .") or "jawaban.csv"
                path = Path(tmp) / name
                with path.open("wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                try:
                    result = response_import(
                        batch=batch, path=path, acting_user=request.user, today=listing.today()
                    )
                except UserError as exc:
                    problems = error_text(exc)
                    status = 400
            batch.refresh_from_db()
        else:
            status = 400
    lines = EnrolmentLine.objects.filter(batch=batch).select_related("member")
    wanted = request.GET.get("status", "")
    if wanted in dict(EnrolmentLine.STATES):
        lines = lines.filter(status=wanted)
    query = request.GET.get("q", "").strip()
    if query:
        lines = lines.filter(Q(member__nik=query) | Q(member__nama__icontains=query))
    page = listing.sorted_page(request, lines, sorts=LINE_SORTS, default="rank")
    audit_record(
        acting_user=request.user,
        action="batch.view",
        obj=batch,
        after={"filters": dict(request.GET.items()), "shown": len(page.page)},
    )
    counts = dict(
        EnrolmentLine.objects.filter(batch=batch)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    context = {
        "nav": "money",
        "batch": batch,
        "programme": batch.programme,
        "listing": page,
        "counts": counts,
        "line_states": EnrolmentLine.STATES,
        "status": wanted,
        "query": query,
        "form": form,
        "result": result,
        "problems": problems,
        "responses": list(batch.responses.select_related("created_by").order_by("id")),
        "can_write": allowed(request.user, MONEY_WRITE_ROLES),
    }
    return render(request, "money/batch_detail.html", context, status=status)


@role_required(FINANCE_ROLES)
def batch_download(request: HttpRequest, batch_id: int, kind: str) -> FileResponse:
    batch = _batch(request, batch_id)
    if kind not in FILE_TYPES or kind not in batch.files:
        raise Http404("no such batch file")
    path = Path(settings.DATA_DIR) / batch.files[kind]
    if not path.is_file():
        raise Http404("batch file missing")
    audit_record(acting_user=request.user, action="batch.download", obj=batch, note=batch.files[kind])
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=FILE_TYPES[kind]
    )


# --------------------------------------------------------------------------- exits, replacement, lapse


def _posted_snapshot(request: HttpRequest, field: str, kind: str) -> Snapshot | None:
    value = (request.POST if request.method == "POST" else request.GET).get(field, "")
    return Snapshot.objects.filter(pk=int(value), kind=kind).first() if value.isdigit() else None


#: Rows of an exits preview per page (a city-wide check finds thousands).
EXITS_PER_PAGE = 100


def _report_page(request: HttpRequest, report: Any) -> dict[str, Any]:
    """One page of the report's findings (``?alasan=`` narrows to one reason) with counts per reason."""
    from urllib.parse import urlencode

    from django.core.paginator import Paginator

    counts = [(reason, n) for reason, n in report.counts().items() if n]
    wanted = request.GET.get("alasan", "")
    if wanted not in dict(counts):
        wanted = ""
    findings = [f for f in report.findings if f.reason == wanted] if wanted else report.findings
    # the further pages read the same registry snapshot and roster as the first one
    base = {"pratinjau": "1", "on": report.on.isoformat(), "snapshot": str(report.snapshot)}
    if report.roster:
        base["roster"] = str(report.roster)
    return {
        "counts": counts,
        "reason": wanted,
        "page": Paginator(findings, EXITS_PER_PAGE).get_page(request.GET.get("halaman")),
        "query": urlencode({**base, "alasan": wanted} if wanted else base),
        "base_query": urlencode(base),
    }


@role_required(MONEY_WRITE_ROLES)
def exits_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Exits detection (preview, then confirm), replacement runs and the lapse check.

    A preview is read-only: a POST from the form or a GET (``?pratinjau=1&on=...&halaman=2``) for
    its further pages; it shows 100 findings a page with the count per reason."""
    from sigap.billing.actions import lapse_check

    programme = programme_for(request, programme_id, whole=True)
    today = listing.today()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    paging = request.method == "GET" and request.GET.get("pratinjau") == "1"
    if paging:
        action = "preview"
    detect = ExitsDetectForm(
        request.GET if paging else request.POST if action in ("preview", "confirm") else None,
        initial={"on": today},
    )
    replace = ReplacementForm(
        request.POST if action == "replacement" else None, initial={"on": today, "start": None}
    )
    lapse = LapseForm(request.POST if action == "lapse" else None, initial={"on": today})
    context: dict[str, Any] = {"nav": "money", "programme": programme, "problems": []}
    status = 200
    try:
        if action in ("preview", "confirm") and detect.is_valid():
            snapshot = roster = None
            if paging:
                snapshot = _posted_snapshot(request, "snapshot", Snapshot.REGISTRY)
                roster = _posted_snapshot(request, "roster", Snapshot.ROSTER)
            if action == "confirm":
                # Record exactly what the preview showed: the same registry snapshot and roster.
                snapshot = _posted_snapshot(request, "snapshot", Snapshot.REGISTRY)
                if snapshot is None:
                    raise UserError(_("Snapshot hasil pratinjau tidak ditemukan; ulangi pratinjau."))
                roster = _posted_snapshot(request, "roster", Snapshot.ROSTER)
            report = exits_detect(
                programme=programme,
                on=detect.cleaned_data["on"],
                snapshot=snapshot,
                roster=roster,
                acting_user=request.user,
                dry_run=action == "preview",
            )
            if action == "preview":
                audit_record(
                    acting_user=request.user,
                    action="exits.preview",
                    obj=programme,
                    after={
                        "on": report.on.isoformat(),
                        "snapshot": report.snapshot,
                        "counts": report.counts(),
                    },
                )
            context["report"] = report
            context["findings"] = _report_page(request, report)
        elif action == "replacement" and replace.is_valid():
            run = replacement_run(
                programme=programme,
                start=replace.cleaned_data["start"],
                on=replace.cleaned_data["on"],
                acting_user=request.user,
            )
            messages.success(
                request,
                _(
                    "Penetapan pengganti #%(id)s dibuat: %(n)s orang terpilih. Ajukan untuk persetujuan di "
                    "halaman Persetujuan."
                )
                % {"id": run.pk, "n": run.selected},
            )
            return redirect("web:approvals")
        elif action == "lapse" and lapse.is_valid():
            context["lapse"] = lapse_check(
                programme=programme, on=lapse.cleaned_data["on"], acting_user=request.user
            )
        elif action:
            status = 400
    except UserError as exc:
        context["problems"] = error_text(exc)
        status = 400
    try:
        context["available"] = budget_available(programme=programme, on=today)
    except UserError:
        context["available"] = None
    context.update({"detect": detect, "replace": replace, "lapse_form": lapse, "action": action})
    return render(request, "money/exits.html", context, status=status)
