"""Usulan perubahan data: file, list, detail with history, verify/accept/reject, exports.

Area: every query filters ``kode_kelurahan`` by ``area_prefix`` inside the queryset; a request of
another area is answered 404 like one that does not exist.  Lists, views, downloads and exports
of personal data write audit rows.  Pimpinan and Kepala Dinas see counts only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from sigap.accounts.roles import ADMIN_DINAS, KEPALA_DINAS, OPERATOR_KECAMATAN, PIMPINAN
from sigap.accounts.scoping import area_prefix
from sigap.audit import labels
from sigap.audit.actions import audit_record
from sigap.audit.models import AuditEvent
from sigap.core.attachments import MAX_BYTES
from sigap.errors import UserError
from sigap.usulan import actions, exports
from sigap.usulan.areas import kelurahan_choices, place
from sigap.usulan.changes import change_text
from sigap.usulan.errors import error_field
from sigap.usulan.files import Upload
from sigap.usulan.forms import NoteForm, ReasonForm, UsulanForm
from sigap.usulan.models import Attachment
from sigap.usulan.models import DataUpdateRequest as R
from sigap.web.access import (
    USULAN_DINAS_ROLES,
    USULAN_FILE_ROLES,
    USULAN_ROLES,
    allowed,
    role_of,
    role_required,
)

PAGE_SIZE = 50
#: ``?urut=`` value -> (label msgid, ordering)
SORTS = {
    "baru": (gettext_noop("terbaru"), ("-created_at", "-id")),
    "lama": (gettext_noop("terlama"), ("created_at", "id")),
    "status": (gettext_noop("status"), ("state", "-created_at", "-id")),
    "jenis": (gettext_noop("jenis"), ("kind", "-created_at", "-id")),
    "kelurahan": (gettext_noop("kelurahan"), ("kode_kelurahan", "-created_at", "-id")),
}
COUNTS_ONLY_ROLES = frozenset({PIMPINAN, KEPALA_DINAS})


def _counts_only(request: HttpRequest) -> bool:
    return role_of(request.user) in COUNTS_ONLY_ROLES and not request.user.is_superuser


def scoped(request: HttpRequest) -> QuerySet[R]:
    """Requests inside the user's area (the filter is part of the query)."""
    return R.objects.filter(kode_kelurahan__startswith=area_prefix(request.user))


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "sigap/not_found.html", {"nav": "usulan"}, status=404)


def _get(request: HttpRequest, number: str) -> R | None:
    return scoped(request).filter(number=number).first()


def list_filters(params: Any) -> dict[str, str]:
    state = params.get("status", "")
    kind = params.get("jenis", "")
    return {
        "state": state if state in dict(R.STATES) else "",
        "kind": kind if kind in dict(R.KINDS) else "",
        "kelurahan": "".join(ch for ch in params.get("kelurahan", "") if ch.isdigit())[:10],
        "q": params.get("q", "").strip()[:40],
        "sort": params.get("urut", "") if params.get("urut", "") in SORTS else "baru",
    }


def filtered(request: HttpRequest, f: dict[str, str]) -> QuerySet[R]:
    qs = scoped(request)
    if f["state"]:
        qs = qs.filter(state=f["state"])
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    if f["kelurahan"]:
        qs = qs.filter(kode_kelurahan__startswith=f["kelurahan"])
    if f["q"]:
        q = f["q"]
        qs = (
            qs.filter(nik=q)
            if q.isdigit()
            else qs.filter(number__iexact=q)
            if q.upper().startswith("USL-")
            else qs.filter(nama__icontains=q)
        )
    return qs.order_by(*SORTS[f["sort"]][1])


def _counts(qs: QuerySet[R]) -> dict[str, Any]:
    rows = qs.values("state", "kind").annotate(n=Count("id"))
    table: dict[str, dict[str, int]] = {k: dict.fromkeys(dict(R.STATES), 0) for k in dict(R.KINDS)}
    for row in rows:
        table[row["kind"]][row["state"]] = row["n"]
    return {
        "states": R.STATES,
        "rows": [
            (label, [table[k][s] for s in dict(R.STATES)], sum(table[k].values())) for k, label in R.KINDS
        ],
        "total": sum(sum(v.values()) for v in table.values()),
    }


def _current(request: HttpRequest, rows: list[R]) -> dict[str, Any]:
    """What the list in force says today of the people on these requests (one query)."""
    from sigap.web.access import lists_in_force
    from sigap.web.selectors import people_in_force

    niks = [r.nik for r in rows if r.nik and r.kind in (R.DESIL, R.PEKERJAAN)]
    runs = lists_in_force(request.user)
    if not niks or not runs:
        return {}
    return people_in_force(runs=runs, area_prefix=area_prefix(request.user), niks=niks)


@role_required(USULAN_ROLES)
def usulan_list(request: HttpRequest) -> HttpResponse:
    if _counts_only(request):
        return render(request, "usulan/counts.html", {"nav": "usulan", "counts": _counts(scoped(request))})
    f = list_filters(request.GET)
    qs = filtered(request, f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    audit_record(
        acting_user=request.user,
        action="usulan.list",
        after={
            "area": area_prefix(request.user),
            **{k: v for k, v in f.items() if v and k != "sort"},
            "page": page.number,
        },
    )
    current = _current(request, list(page.object_list))
    context = {
        "nav": "usulan",
        "filters": f,
        "page": page,
        "rows": [(r, change_text(r, current.get(r.nik))) for r in page.object_list],
        "query": query.urlencode(),
        "states": R.STATES,
        "kinds": R.KINDS,
        "sorts": [(key, _(label)) for key, (label, _order) in SORTS.items()],
        "may_file": allowed(request.user, USULAN_FILE_ROLES),
        "may_apply": allowed(request.user, USULAN_DINAS_ROLES),
    }
    return render(request, "usulan/list.html", context)


@role_required(USULAN_ROLES)
def usulan_export(request: HttpRequest) -> HttpResponse:
    if _counts_only(request):
        return render(request, "sigap/forbidden.html", {"role": role_of(request.user)}, status=403)
    f = list_filters(request.GET)
    qs = list(filtered(request, f)[:50_000])
    audit_record(
        acting_user=request.user,
        action="usulan.export",
        after={
            "area": area_prefix(request.user),
            "rows": len(qs),
            **{k: v for k, v in f.items() if v and k != "sort"},
        },
    )
    response = HttpResponse(
        exports.list_xlsx(qs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="usulan-{stamp}.xlsx"'
    return response


def _uploads(request: HttpRequest) -> list[Upload]:
    # Read at most one byte more than the limit: enough to refuse, never the whole of a huge file.
    return [Upload(name=f.name or "", data=f.read(MAX_BYTES + 1)) for f in request.FILES.getlist("lampiran")]


@role_required(USULAN_FILE_ROLES)
def usulan_create(request: HttpRequest) -> HttpResponse:
    prefix = area_prefix(request.user)
    choices = kelurahan_choices(prefix)
    initial: dict[str, Any] = {}
    person = None
    nik = request.GET.get("nik", "").strip()
    if request.method != "POST" and nik:
        person = _person(request, nik)
        audit_record(
            acting_user=request.user,
            action="person.view",
            after={"area": prefix, "found": person is not None, "page": "usulan.create"},
            note=nik[:32],
        )
        if person is None:
            return _not_found(request)
        initial = {
            "nik": person.nik,
            "nama": person.nama,
            "kode_kelurahan": person.kode_kelurahan,
            "kind": R.DESIL,
        }
    if request.method == "POST":
        form = UsulanForm(request.POST, request.FILES, kelurahan=choices)
        if form.is_valid():
            d = form.cleaned_data
            try:
                created = actions.usulan_submit(
                    kind=d["kind"],
                    kode_kelurahan=d["kode_kelurahan"],
                    nik=d["nik"],
                    nama=d["nama"],
                    proposed=form.proposed(),
                    note=d["note"],
                    uploads=_uploads(request),
                    acting_user=request.user,
                )
            except UserError as e:
                form.add_error(error_field(e, form.fields), e.message)
            else:
                messages.success(request, _("Usulan %(n)s diajukan.") % {"n": created.number})
                return redirect("web:usulan:detail", number=created.number)
    else:
        form = UsulanForm(initial=initial, kelurahan=choices)
    return render(request, "usulan/form.html", {"nav": "usulan", "form": form, "person": person})


def _person(request: HttpRequest, nik: str) -> Any:
    """The person on the user's lists in force (same scoped read as the person detail page)."""
    from sigap.web.access import lists_in_force
    from sigap.web.selectors import person_in_force

    return person_in_force(runs=lists_in_force(request.user), area_prefix=area_prefix(request.user), nik=nik)[
        1
    ]


def history(obj: Any) -> list[Any]:
    """The object's audit rows without the disclosure rows (views, public checks), in the sentences
    of the audit log (:mod:`sigap.audit.labels`): "Budi (Operator kelurahan) mengajukan usulan ..."."""
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    events = events.exclude(action__endswith=".view").exclude(action__endswith=".public_check")
    return labels.describe(events.select_related("actor__profile").order_by("at", "id"))


@role_required(USULAN_ROLES)
def usulan_detail(request: HttpRequest, number: str) -> HttpResponse:
    if _counts_only(request):
        return render(request, "sigap/forbidden.html", {"role": role_of(request.user)}, status=403)
    found = _get(request, number)
    audit_record(
        acting_user=request.user,
        action="usulan.view",
        object_type="usulan.dataupdaterequest",
        object_id=found.pk if found else "",
        after={"found": found is not None},
        note=number[:40],
    )
    if found is None:
        return _not_found(request)
    role = "superuser" if request.user.is_superuser else role_of(request.user)
    dinas = role in (ADMIN_DINAS, "superuser")
    context = {
        "nav": "usulan",
        "r": found,
        "place": place(found.kode_kelurahan),
        "proposed": [(actions.FIELD_LABELS.get(k, k), v) for k, v in (found.proposed or {}).items()],
        "change": change_text(found, _current(request, [found]).get(found.nik)),
        "attachments": found.attachments.all(),
        "history": history(found),
        "may_verify": found.state == R.DIAJUKAN and (role == OPERATOR_KECAMATAN or dinas),
        "may_accept": found.state == R.DIVERIFIKASI and dinas,
        "may_reject": (found.state == R.DIAJUKAN and (role == OPERATOR_KECAMATAN or dinas))
        or (found.state == R.DIVERIFIKASI and dinas),
        "may_attach": found.state in (R.DIAJUKAN, R.DIVERIFIKASI)
        and allowed(request.user, USULAN_FILE_ROLES),
        "reason_form": ReasonForm(),
        "note_form": NoteForm(),
    }
    return render(request, "usulan/detail.html", context)


def _transition(request: HttpRequest, number: str, run: Any) -> HttpResponse:
    found = _get(request, number)
    if found is None:
        return _not_found(request)
    try:
        run(found)
    except UserError as e:
        messages.error(request, e.message)
    return redirect("web:usulan:detail", number=found.number)


@require_POST
@role_required(frozenset({OPERATOR_KECAMATAN, ADMIN_DINAS}))
def usulan_verify(request: HttpRequest, number: str) -> HttpResponse:
    def run(r: R) -> None:
        actions.usulan_verify(request=r, note=request.POST.get("note", ""), acting_user=request.user)
        messages.success(request, _("Usulan %(n)s diverifikasi.") % {"n": r.number})

    return _transition(request, number, run)


@require_POST
@role_required(USULAN_DINAS_ROLES)
def usulan_accept(request: HttpRequest, number: str) -> HttpResponse:
    def run(r: R) -> None:
        actions.usulan_accept(request=r, note=request.POST.get("note", ""), acting_user=request.user)
        messages.success(request, _("Usulan %(n)s diterima.") % {"n": r.number})

    return _transition(request, number, run)


@require_POST
@role_required(frozenset({OPERATOR_KECAMATAN, ADMIN_DINAS}))
def usulan_reject(request: HttpRequest, number: str) -> HttpResponse:
    def run(r: R) -> None:
        actions.usulan_reject(request=r, reason=request.POST.get("reason", ""), acting_user=request.user)
        messages.success(request, _("Usulan %(n)s ditolak.") % {"n": r.number})

    return _transition(request, number, run)


@require_POST
@role_required(USULAN_FILE_ROLES)
def usulan_attach(request: HttpRequest, number: str) -> HttpResponse:
    def run(r: R) -> None:
        added = actions.usulan_attachments_add(request=r, uploads=_uploads(request), acting_user=request.user)
        messages.success(request, _("%(n)s lampiran ditambahkan.") % {"n": len(added)})

    return _transition(request, number, run)


@role_required(USULAN_ROLES)
def attachment_download(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse | FileResponse:
    if _counts_only(request):
        return render(request, "sigap/forbidden.html", {"role": role_of(request.user)}, status=403)
    from pathlib import Path

    from django.conf import settings

    found = _get(request, number)
    attachment = (
        Attachment.objects.filter(pk=attachment_id, request=found).first() if found is not None else None
    )
    audit_record(
        acting_user=request.user,
        action="usulan.attachment.download",
        object_type="usulan.attachment",
        object_id=attachment_id,
        after={"found": attachment is not None},
        note=number[:40],
    )
    if attachment is None:
        return _not_found(request)
    root = Path(settings.DATA_DIR).resolve()
    path = (root / attachment.path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return _not_found(request)
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 -- FileResponse closes it
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


def _accepted(request: HttpRequest) -> QuerySet[R]:
    return scoped(request).filter(state=R.DITERIMA, applied_at__isnull=True).order_by("decided_at", "id")


@role_required(USULAN_DINAS_ROLES)
def accepted_list(request: HttpRequest) -> HttpResponse:
    rows = list(_accepted(request)[:1000])
    audit_record(acting_user=request.user, action="usulan.list", after={"accepted_not_applied": len(rows)})
    return render(request, "usulan/accepted.html", {"nav": "usulan", "rows": rows})


@role_required(USULAN_DINAS_ROLES)
def accepted_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        return _not_found(request)
    rows = list(_accepted(request))
    audit_record(
        acting_user=request.user,
        action="usulan.export",
        after={"accepted_not_applied": len(rows), "format": fmt, "numbers": [r.number for r in rows][:500]},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        response = HttpResponse(exports.registry_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.registry_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="usulan-diterima-{stamp}.{fmt}"'
    return response


@require_POST
@role_required(USULAN_DINAS_ROLES)
def accepted_apply(request: HttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    chosen = list(_accepted(request).filter(pk__in=ids))
    if len(chosen) != len(set(ids)):
        messages.error(
            request, _("Sebagian usulan yang dipilih tidak ada, sudah diterapkan, atau di luar wilayah Anda.")
        )
        return redirect("web:usulan:accepted")
    try:
        n = actions.usulan_mark_applied(requests=chosen, acting_user=request.user)
    except UserError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(n)s usulan ditandai sudah diterapkan.") % {"n": n})
    return redirect("web:usulan:accepted")
