"""Admin Dinas screens: imports, programme definitions, targeting runs, users; job progress.

Views are thin: parse a form, call one action (long work through ``job_start``), show the
message or redirect.  Every page is Admin Dinas only (and superuser); objects of another area
are 404.  Downloads of rejection reports carry NIKs: each is audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sigap.accounts.actions import (
    pending_grant,
    user_create,
    user_deactivate,
    user_reactivate,
    user_role_change,
    user_role_confirm,
    user_role_refuse,
)
from sigap.accounts.roles import ROLES
from sigap.accounts.scoping import area_prefix
from sigap.accounts.selectors import pending_grants
from sigap.audit.actions import audit_record
from sigap.errors import UserError
from sigap.jobs.actions import job_expire, job_stale, job_start
from sigap.jobs.forms import (
    ImportForm,
    MappingForm,
    ProgrammeForm,
    ProgrammeUploadForm,
    RoleChangeForm,
    RunForm,
    UserForm,
    parse_document,
)
from sigap.jobs.importflow import peek_upload, pending_add, pending_drop, pending_get, preview
from sigap.jobs.kinds import upload_remove, upload_store
from sigap.jobs.lease import lease
from sigap.jobs.models import Job
from sigap.jobs.selectors import (
    visible_jobs,
    visible_programmes_qs,
    visible_snapshots,
    visible_users,
)
from sigap.programmes.actions import programme_apply
from sigap.programmes.models import Programme
from sigap.registry.actions import mapping_profile_for_header, mapping_profile_save, mapping_profiles
from sigap.registry.ingest.mapping import expected_columns
from sigap.registry.models import Snapshot
from sigap.registry.reasons import reason_label
from sigap.web.access import OPS_ROLES, role_required

PAGE_SIZE = 25
#: A job still queued after this long: no worker is taking jobs (say so instead of waiting silently).
NO_WORKER_AFTER = dt.timedelta(minutes=1)
SNAPSHOT_SORTS = ("id", "rows", "accepted", "rejected", "source_name")
REPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --------------------------------------------------------------------------- jobs


@role_required(OPS_ROLES)
def jobs(request: HttpRequest) -> HttpResponse:
    found = visible_jobs(request.user)
    state = request.GET.get("state", "")
    if state in dict(Job.STATES):
        found = found.filter(state=state)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": Job.STATES, "nav": "ops", "subnav": "jobs"}
    return render(request, "ops/jobs.html", context)


@role_required(OPS_ROLES)
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's state and progress; the page refreshes itself every 2 s until the job ends.  A job
    whose worker died (no heartbeat for a lease) is marked failed here too, not only by the next
    worker's clean-up: the page never shows a dead job as running."""
    job = get_object_or_404(visible_jobs(request.user), pk=job_id)
    if job_stale(job, now=timezone.now(), lease=lease()):
        job = job_expire(job_id=job.pk) or job
    result = job.result or {}
    context = {
        "job": job,
        "no_worker": job.state == Job.QUEUED and timezone.now() - job.created_at > NO_WORKER_AFTER,
        "snapshot_id": result.get("snapshot") if job.kind == Job.SNAPSHOT_IMPORT else None,
        "run_id": result.get("run") if job.kind == Job.TARGETING_RUN else None,
        "batch_id": result.get("batch") if job.kind == Job.BATCH_EXPORT else None,
        "annex_run_id": job.params.get("run") if job.kind == Job.ANNEX_EXPORT else None,
        # a large export's file is its asker's only (sigap.web.exportjobs): the link for them alone
        "export_mine": job.kind == Job.LIST_EXPORT and job.created_by_id == request.user.pk,
        "nav": "ops",
        "subnav": "jobs",
    }
    return render(request, "ops/job_detail.html", context)


# --------------------------------------------------------------------------- imports


@role_required(OPS_ROLES)
def imports(request: HttpRequest) -> HttpResponse:
    """Snapshot list (filter by kind, newest first, paginated) and the upload form -> import job.

    An upload whose header lacks required columns goes to the column-mapping step (unless a saved
    profile was made for exactly that header: then the import starts with it)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        relative = upload_store(upload)
        params = {
            "upload": relative,
            "kind": form.cleaned_data["kind"],
            "mapping": form.cleaned_data["mapping_doc"],
            "reference_date": form.cleaned_data["reference_date"].isoformat(),
        }
        try:
            if params["mapping"] is None:
                peek = peek_upload(relative, kind=params["kind"], name=Path(relative).name)
                known, required = expected_columns(params["kind"])
                if peek.missing(known=known, required=required, mapping={}):
                    profile = mapping_profile_for_header(request.user, params["kind"], peek.header)
                    if profile is None or peek.missing(
                        known=known, required=required, mapping=profile.mapping
                    ):
                        pending = pending_add(
                            user=request.user,
                            upload=relative,
                            kind=params["kind"],
                            reference_date=params["reference_date"],
                            name=Path(relative).name,
                        )
                        return redirect("ops:import-mapping", pending.token)
                    params.update(mapping=profile.mapping, profile=profile.name)
                    messages.info(
                        request,
                        _("Kolom berkas dikenali: profil pemetaan kolom '%(name)s' dipakai.")
                        % {"name": profile.name},
                    )
            job = job_start(kind=Job.SNAPSHOT_IMPORT, params=params, acting_user=request.user)
        except UserError as e:
            upload_remove(relative)
            form.add_error(None, "; ".join([e.message, *e.details]))
        else:
            return redirect("ops:job-detail", job.pk)
    snapshots = visible_snapshots(request.user)
    kind = request.GET.get("kind", "")
    if kind in dict(Snapshot.KINDS):
        snapshots = snapshots.filter(kind=kind)
    sort = request.GET.get("sort", "-id")
    if sort.lstrip("-") not in SNAPSHOT_SORTS:
        sort = "-id"
    page = Paginator(snapshots.order_by(sort, "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "kind": kind,
        "sort": sort,
        "recent_jobs": visible_jobs(request.user).filter(kind=Job.SNAPSHOT_IMPORT)[:5],
        "kinds": Snapshot.KINDS,
        "max_bytes": settings.SIGAP_UPLOAD_MAX_BYTES,
        "nav": "ops",
        "subnav": "imports",
    }
    return render(request, "ops/imports.html", context, status=400 if form.errors else 200)


@role_required(OPS_ROLES)
def import_mapping(request: HttpRequest, token: str) -> HttpResponse:
    """The column-mapping step: the file's header and first rows, one choice per SIGAP column
    (suggested from the names, or from a saved profile), a preview, then the import job."""
    from sigap.core.columnmatch import suggest

    pending = pending_get(token, user=request.user)
    if pending is None:
        messages.error(
            request,
            _("Unggahan ini tidak ada lagi (sudah diimpor, dibatalkan atau kedaluwarsa); unggah lagi."),
        )
        return redirect("ops:imports")
    if request.method == "POST" and "cancel" in request.POST:
        pending_drop(pending, remove=True)
        messages.info(request, _("Impor %(name)s dibatalkan; berkasnya dihapus.") % {"name": pending.name})
        return redirect("ops:imports")
    profiles = list(mapping_profiles(request.user, pending.kind))
    chosen = None
    if request.GET.get("profil", "").isdigit():
        chosen = next((p for p in profiles if p.pk == int(request.GET["profil"])), None)
    try:
        peek = peek_upload(pending.upload, kind=pending.kind, name=pending.name,
                           mapping=chosen.mapping if chosen else None)  # fmt: skip
    except UserError as e:
        pending_drop(pending, remove=True)
        messages.error(request, "; ".join([e.message, *e.details]))
        return redirect("ops:imports")
    known, required = expected_columns(pending.kind)
    present = {h for h in peek.header if str(h).strip()}
    if chosen is not None:
        initial = {ours: theirs for ours, theirs in chosen.columns.items() if theirs in present}
    else:
        initial = suggest(peek.header, known)
    form = MappingForm(
        request.POST or None,
        kind=pending.kind,
        header=peek.header,
        initial={
            **{f"col_{k}": v for k, v in initial.items()},
            "profile_name": chosen.name if chosen else "",
        },
    )
    shown = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            mapping = form.cleaned_data["mapping_doc"]
            if "start" in request.POST:
                try:
                    name = form.cleaned_data["profile_name"].strip()
                    if name:
                        mapping_profile_save(
                            name=name, kind=pending.kind, mapping=mapping, header=peek.header,
                            acting_user=request.user,
                        )  # fmt: skip
                    job = job_start(
                        kind=Job.SNAPSHOT_IMPORT,
                        params={
                            "upload": pending.upload,
                            "kind": pending.kind,
                            "mapping": mapping,
                            "reference_date": pending.reference_date,
                            **({"profile": name} if name else {}),
                        },
                        acting_user=request.user,
                    )
                except UserError as e:
                    form.add_error(None, "; ".join([e.message, *e.details]))
                else:
                    pending_drop(pending, remove=False)
                    return redirect("ops:job-detail", job.pk)
            shown = preview(peek, mapping)
        if form.errors:
            status = 400
    profile_rows = [
        (p, not peek.missing(known=known, required=required, mapping=p.mapping)) for p in profiles
    ]
    context = {
        "pending": pending,
        "peek": peek,
        "form": form,
        "preview": shown,
        "profiles": profile_rows,
        "chosen": chosen,
        "suggested": chosen is None and bool(initial),
        "kind_label": dict(Snapshot.KINDS).get(pending.kind, pending.kind),
        "nav": "ops",
        "subnav": "imports",
    }
    return render(request, "ops/import_mapping.html", context, status=status)


@role_required(OPS_ROLES)
def snapshot_detail(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    snapshot = get_object_or_404(visible_snapshots(request.user), pk=snapshot_id)
    stats = snapshot.stats or {}
    errors = [
        (reason_label(code), n)
        for code, n in sorted((stats.get("errors_by_code") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    warnings = [
        (reason_label(code), n)
        for code, n in sorted((stats.get("warnings_by_code") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    reports = [fmt for fmt in REPORT_TYPES if _report_file(snapshot, fmt) is not None]
    context = {
        "snapshot": snapshot,
        "errors": errors,
        "warnings": warnings,
        "reports": reports,
        "nav": "ops",
        "subnav": "imports",
    }
    return render(request, "ops/snapshot_detail.html", context)


def _report_file(snapshot: Snapshot, fmt: str) -> Path | None:
    report = snapshot.report_file
    if report is None:
        return None
    path = report.with_suffix(f".{fmt}").resolve()
    root = Path(settings.DATA_DIR).resolve()
    return path if path.is_file() and root in path.parents else None


@role_required(OPS_ROLES)
def snapshot_rejections(request: HttpRequest, snapshot_id: int, fmt: str) -> FileResponse:
    """The rejection report holds NIKs and names: every download is audited."""
    snapshot = get_object_or_404(visible_snapshots(request.user), pk=snapshot_id)
    if fmt not in REPORT_TYPES:
        raise Http404("no such format")
    path = _report_file(snapshot, fmt)
    if path is None:
        raise Http404("no rejection report in this format")
    audit_record(
        acting_user=request.user,
        action="snapshot.rejections.download",
        obj=snapshot,
        note=f"{fmt}: {path.name}",
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"snapshot{snapshot.pk}-rejections.{fmt}",
        content_type=REPORT_TYPES[fmt],
    )


# --------------------------------------------------------------------------- programmes


def _apply(request: HttpRequest, document: dict[str, Any], source_name: str) -> Programme:
    # the action refuses a region outside the officer's area and another area's programme code
    programme, created, changed = programme_apply(
        document=document, source_name=source_name, acting_user=request.user
    )
    if created:
        messages.success(request, _("Program %(code)s dibuat (versi 1).") % {"code": programme.code})
    elif changed:
        messages.success(
            request,
            _("Program %(code)s diperbarui ke versi %(v)s.")
            % {"code": programme.code, "v": programme.version},
        )
    else:
        messages.info(request, _("Tidak ada perubahan pada program %(code)s.") % {"code": programme.code})
    return programme


@role_required(OPS_ROLES)
def programmes(request: HttpRequest) -> HttpResponse:
    """Programme list, the definition form (new programme) and the TOML upload."""
    form = ProgrammeForm(request.POST if request.POST.get("form") == "fields" else None)
    upload = ProgrammeUploadForm(
        request.POST if request.POST.get("form") == "upload" else None, request.FILES or None
    )
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                programme = _apply(request, form.document(), source_name="web form")
                return redirect("ops:programme-detail", programme.pk)
            if upload.is_bound and upload.is_valid():
                file = upload.cleaned_data["file"]
                document = parse_document(file.read(), name=file.name)
                programme = _apply(request, document, source_name=file.name)
                return redirect("ops:programme-detail", programme.pk)
        except UserError as e:
            if form.is_bound:
                form.show_problems(e)
            else:
                upload.add_error("file", "; ".join([e.message, *e.details]))
    if not form.is_bound:
        form = ProgrammeForm(initial={"region": area_prefix(request.user)})
    context = {
        "programmes": visible_programmes_qs(request.user).order_by("-fiscal_year", "code"),
        "form": form,
        "upload": upload,
        "nav": "ops",
        "subnav": "programmes",
    }
    return render(request, "ops/programmes.html", context, status=400 if request.method == "POST" else 200)


@role_required(OPS_ROLES)
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Edit a programme (a new version) and start a targeting run for it."""
    programme = get_object_or_404(visible_programmes_qs(request.user), pk=programme_id)
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_from(programme.spec or {}))
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["code"].strip() != programme.code:
                raise UserError(
                    f"the programme code cannot change here ({programme.code}); define a new programme instead"
                )
            _apply(request, form.document(), source_name="web form")
            return redirect("ops:programme-detail", programme.pk)
        except UserError as e:
            form.show_problems(e)
    run_form = RunForm(snapshots=visible_snapshots(request.user))
    context = {
        "programme": programme,
        "form": form,
        "run_form": run_form,
        "runs": programme.runs.select_related("snapshot").order_by("-id")[:10],
        "jobs": visible_jobs(request.user).filter(kind=Job.TARGETING_RUN, params__programme=programme.pk)[
            :10
        ],
        "nav": "ops",
        "subnav": "programmes",
    }
    return render(request, "ops/programme_detail.html", context, status=400 if form.errors else 200)


@require_POST
@role_required(OPS_ROLES)
def programme_run(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Start a targeting run (a background job) and follow it on the job page."""
    programme = get_object_or_404(visible_programmes_qs(request.user), pk=programme_id)
    form = RunForm(request.POST, snapshots=visible_snapshots(request.user))
    if not form.is_valid():
        messages.error(request, _("Pilihan snapshot tidak sah."))
        return redirect("ops:programme-detail", programme.pk)
    snapshot, roster = form.cleaned_data["snapshot"], form.cleaned_data["roster"]
    try:
        job = job_start(
            kind=Job.TARGETING_RUN,
            params={
                "programme": programme.pk,
                "snapshot": snapshot.pk if snapshot else None,
                "roster": roster.pk if roster else None,
            },
            acting_user=request.user,
        )
    except UserError as e:
        messages.error(request, e.message)
        return redirect("ops:programme-detail", programme.pk)
    return redirect("ops:job-detail", job.pk)


# --------------------------------------------------------------------------- users


def _role_label(role: str) -> str:
    return str(dict(ROLES).get(role, role))


@role_required(OPS_ROLES)
def users(request: HttpRequest) -> HttpResponse:
    """Accounts of the user's area (role, area, active), role requests waiting for a second person,
    the form to create an account and the form to change an account's role."""
    prefix = area_prefix(request.user)
    posted = request.POST.get("form", "create") if request.method == "POST" else ""
    form = UserForm(request.POST if posted == "create" else None, area_prefix=prefix)
    role_form = RoleChangeForm(
        request.POST if posted == "role" else None, area_prefix=prefix, accounts=visible_users(request.user)
    )
    if posted == "create" and form.is_valid():
        d = form.cleaned_data
        try:
            created = user_create(
                username=d["username"],
                password=d["password"],
                role=d["role"],
                area_code=d["area_code"],
                acting_user=request.user,
            )
        except ValidationError as e:
            form.add_error(None, e)
        except UserError as e:
            form.add_error(None, e.message)
        else:
            if pending_grant(created) is not None:
                messages.warning(
                    request,
                    _(
                        "Pengguna %(u)s dibuat tanpa peran dan belum aktif: peran %(role)s berlaku setelah "
                        "dikonfirmasi Admin Dinas lain."
                    )
                    % {"u": created.get_username(), "role": _role_label(d["role"])},
                )
            else:
                messages.success(request, _("Pengguna %(u)s dibuat.") % {"u": created.get_username()})
            return redirect("ops:users")
    if posted == "role" and role_form.is_valid():
        d = role_form.cleaned_data
        try:
            grant = user_role_change(
                user=d["username"], role=d["role"], area_code=d["area_code"], acting_user=request.user
            )
        except ValidationError as e:
            role_form.add_error(None, e)
        except UserError as e:
            role_form.add_error(None, e.message)
        else:
            name = d["username"].get_username()
            if grant is not None:
                messages.warning(
                    request,
                    _("Peran %(role)s untuk %(u)s berlaku setelah dikonfirmasi Admin Dinas lain.")
                    % {"u": name, "role": _role_label(d["role"])},
                )
            else:
                messages.success(request, _("Peran %(u)s diubah.") % {"u": name})
            return redirect("ops:users")
    accounts = visible_users(request.user)
    role = request.GET.get("role", "")
    if role in dict(ROLES):
        accounts = accounts.filter(profile__role=role)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "role_form": role_form,
        "grants": pending_grants(request.user),
        "page": page,
        "role": role,
        "roles": ROLES,
        "nav": "ops",
        "subnav": "users",
    }
    bad = form.errors or role_form.errors
    return render(request, "ops/users.html", context, status=400 if bad else 200)


@require_POST
@role_required(OPS_ROLES)
def user_grant_decide(request: HttpRequest, grant_id: int, decision: str) -> HttpResponse:
    """Confirm or refuse a role request (the action refuses the requester and anyone linked to them)."""
    grant = get_object_or_404(pending_grants(request.user), pk=grant_id)
    name, role = grant.user.get_username(), _role_label(grant.role)
    try:
        if decision == "konfirmasi":
            user_role_confirm(grant=grant, acting_user=request.user)
            messages.success(
                request, _("Peran %(role)s untuk %(u)s dikonfirmasi.") % {"u": name, "role": role}
            )
        elif decision == "tolak":
            user_role_refuse(
                grant=grant, acting_user=request.user, reason=request.POST.get("reason", "")[:500]
            )
            messages.success(
                request, _("Permintaan peran %(role)s untuk %(u)s ditolak.") % {"u": name, "role": role}
            )
        else:
            raise Http404("no such decision")
    except UserError as e:
        messages.error(request, e.message)
    return redirect("ops:users")


@require_POST
@role_required(OPS_ROLES)
def user_active(request: HttpRequest, user_id: int, active: int) -> HttpResponse:
    target = get_object_or_404(visible_users(request.user), pk=user_id)
    try:
        if active:
            user_reactivate(user=target, acting_user=request.user)
            messages.success(request, _("Pengguna %(u)s diaktifkan.") % {"u": target.get_username()})
        else:
            user_deactivate(user=target, acting_user=request.user)
            messages.success(request, _("Pengguna %(u)s dinonaktifkan.") % {"u": target.get_username()})
    except UserError as e:
        messages.error(request, e.message)
    return redirect("ops:users")


# --------------------------------------------------------------------------- roster linkage review


def _linkage_queue(request: HttpRequest) -> tuple[Any, list[Any]]:
    """The newest roster linkage and its pairs waiting for the officer, in the officer's area."""
    from sigap.programmes.linkage import review_queue
    from sigap.programmes.models import RosterLinkage

    linkage = RosterLinkage.objects.select_related("roster", "registry").order_by("-id").first()
    if linkage is None:
        return None, []
    prefix = area_prefix(request.user)
    queue = review_queue(linkage=linkage, acting_user=request.user)
    return linkage, [c for c in queue if (c.kode_kelurahan or "").startswith(prefix)]


def _nik_problem(raw: str, today: dt.date) -> str:
    """Why a roster's NIK is not a NIK, in the import's words (``nik_scientific`` -> "NIK tertulis dalam
    notasi ilmiah ..."); "" for a valid or empty one. The raw value is still shown, labelled."""
    from sigap.core.nik import NikError, parse_nik

    if not raw:
        return ""
    try:
        parse_nik(raw, reference_date=today)
    except NikError as e:
        return reason_label(e.code)
    return ""


@role_required(OPS_ROLES)
def linkage_review(request: HttpRequest) -> HttpResponse:
    """The officer's queue of the roster linkage (ADR 0022): each uncertain pair with its probability and
    evidence in words; "orang yang sama" or "bukan" is remembered for the next import."""
    from sigap.programmes.linkage import link_decide
    from sigap.programmes.linkage_labels import evidence_words

    linkage, queue = _linkage_queue(request)
    if request.method == "POST" and linkage is not None:
        wanted = (request.POST.get("source_row", ""), request.POST.get("nik", ""))
        decision = request.POST.get("decision", "")
        if not any((str(c.source_row), c.nik) == wanted for c in queue):
            messages.error(request, _("Pasangan itu tidak ada dalam antrean wilayah Anda."))
        else:
            try:
                link_decide(
                    linkage=linkage,
                    source_row=int(wanted[0]),
                    nik=wanted[1],
                    decision=decision,
                    note=request.POST.get("note", "")[:255],
                    acting_user=request.user,
                )
                messages.success(request, _("Keputusan disimpan dan diingat untuk impor berikutnya."))
            except UserError as e:
                messages.error(request, str(e))
        return redirect("ops:linkage-review")
    today = timezone.localdate()
    rows = [
        (c, evidence_words(c.evidence), round(c.probability * 100, 1), _nik_problem(c.roster_nik, today))
        for c in queue
    ]
    return render(
        request,
        "ops/linkage_review.html",
        {"nav": "ops", "subnav": "linkage", "linkage": linkage, "rows": rows},
    )
