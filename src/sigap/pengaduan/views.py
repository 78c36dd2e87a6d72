"""Pengaduan: operators and citizens file grievances; Admin Dinas assigns and answers within the SLA.

Area: the kelurahan filter is inside every queryset (another area's ticket -> 404).  Kepala Dinas
sees the escalated tickets, Auditor reads, Pimpinan sees counts only.  The public pages (file a
grievance, check a ticket) need no login, are CSRF-protected and rate-limited per IP address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from sigap.accounts.roles import ADMIN_DINAS, KEPALA_DINAS, PIMPINAN
from sigap.accounts.scoping import area_prefix
from sigap.audit.actions import audit_record
from sigap.audit.models import AuditEvent
from sigap.errors import UserError
from sigap.pengaduan import actions
from sigap.pengaduan.forms import (
    AnswerForm,
    AssignForm,
    CitizenGrievanceForm,
    GrievanceForm,
    SlaForm,
    TicketForm,
)
from sigap.pengaduan.models import Grievance as G
from sigap.usulan.areas import kelurahan_choices, place
from sigap.usulan.errors import error_field
from sigap.web import ratelimit
from sigap.web.access import (
    GRIEVANCE_FILE_ROLES,
    GRIEVANCE_HANDLE_ROLES,
    GRIEVANCE_ROLES,
    SEARCH_ROLES,
    allowed,
    forbidden,
    role_of,
    role_required,
)

PAGE_SIZE = 50
#: ``?urut=`` value -> (label msgid, ordering)
SORTS = {
    "baru": (gettext_noop("terbaru"), ("-created_at", "-id")),
    "batas": (gettext_noop("batas waktu terdekat"), ("due_at", "id")),
    "status": (gettext_noop("status"), ("state", "due_at", "id")),
    "kategori": (gettext_noop("kategori"), ("category", "due_at", "id")),
}
PUBLIC_TICKETS_PER_PHONE_PER_DAY = 5


def _role(request: HttpRequest) -> str | None:
    return "superuser" if request.user.is_superuser else role_of(request.user)


def scoped(request: HttpRequest) -> QuerySet[G]:
    """Tickets in the user's area; the Kepala Dinas sees the escalated ones."""
    qs = G.objects.filter(kode_kelurahan__startswith=area_prefix(request.user))
    if _role(request) == KEPALA_DINAS:
        qs = qs.filter(escalated_at__isnull=False)
    return qs.select_related("assigned_to")


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "sigap/not_found.html", {"nav": "pengaduan"}, status=404)


def _file(d: dict[str, Any], *, channel: str, acting_user: Any) -> G:
    """File the grievance a form describes (operator page and public page alike)."""
    return actions.grievance_file(
        channel=channel,
        category=d["category"],
        text=d["text"],
        kode_kelurahan=d["kode_kelurahan"],
        nik=d["nik"],
        contact_name=d["contact_name"],
        contact_phone=d["contact_phone"],
        now=timezone.now(),
        acting_user=acting_user,
    )


def list_filters(params: Any) -> dict[str, str]:
    state, category = params.get("status", ""), params.get("kategori", "")
    return {
        "state": state if state in dict(G.STATES) else "",
        "category": category if category in dict(G.CATEGORIES) else "",
        "late": "1" if params.get("terlambat") == "1" else "",
        "escalated": "1" if params.get("eskalasi") == "1" else "",
        "sort": params.get("urut", "") if params.get("urut", "") in SORTS else "",
    }


def filtered(request: HttpRequest, f: dict[str, str], now: Any) -> QuerySet[G]:
    qs = scoped(request)
    if f["state"]:
        qs = qs.filter(state=f["state"])
    if f["category"]:
        qs = qs.filter(category=f["category"])
    if f["late"]:
        qs = qs.filter(G.late_q(now))
    if f["escalated"]:
        qs = qs.filter(escalated_at__isnull=False)
    sort = f["sort"] or ("batas" if f["late"] else "baru")
    return qs.order_by(*SORTS[sort][1])


@role_required(GRIEVANCE_ROLES)
def grievance_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    if _role(request) == PIMPINAN:
        qs = G.objects.filter(kode_kelurahan__startswith=area_prefix(request.user))
        rows = {r["state"]: r["n"] for r in qs.values("state").annotate(n=Count("id"))}
        context = {
            "nav": "pengaduan",
            "states": [(label, rows.get(code, 0)) for code, label in G.STATES],
            "late": qs.filter(G.late_q(now)).count(),
            "escalated": qs.filter(escalated_at__isnull=False).count(),
            "total": qs.count(),
        }
        return render(request, "pengaduan/counts.html", context)
    f = list_filters(request.GET)
    page = Paginator(filtered(request, f, now), PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    audit_record(
        acting_user=request.user,
        action="grievance.list",
        after={"area": area_prefix(request.user), **{k: v for k, v in f.items() if v}, "page": page.number},
    )
    context = {
        "nav": "pengaduan",
        "filters": f,
        "page": page,
        "query": query.urlencode(),
        "states": G.STATES,
        "categories": G.CATEGORIES,
        "sorts": [(key, _(label)) for key, (label, _order) in SORTS.items()],
        "now": now,
        "may_file": allowed(request.user, GRIEVANCE_FILE_ROLES),
        "may_handle": allowed(request.user, GRIEVANCE_HANDLE_ROLES),
        "late_count": scoped(request).filter(G.late_q(now)).count(),
    }
    return render(request, "pengaduan/list.html", context)


@role_required(GRIEVANCE_FILE_ROLES)
def grievance_create(request: HttpRequest) -> HttpResponse:
    choices = kelurahan_choices(area_prefix(request.user))
    if request.method == "POST":
        form = GrievanceForm(request.POST, kelurahan=choices)
        if form.is_valid():
            d = form.cleaned_data
            try:
                g = _file(d, channel=G.OPERATOR, acting_user=request.user)
            except UserError as e:
                form.add_error(error_field(e, form.fields), e.message)
            else:
                messages.success(request, _("Pengaduan dicatat dengan nomor tiket %(n)s.") % {"n": g.number})
                return redirect("web:pengaduan:detail", number=g.number)
    else:
        form = GrievanceForm(kelurahan=choices, initial={"nik": request.GET.get("nik", "")[:16]})
    return render(request, "pengaduan/form.html", {"nav": "pengaduan", "form": form, "public": False})


def _officers() -> list[tuple[str, str]]:
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(profile__role=ADMIN_DINAS) | Q(is_superuser=True))
        .order_by("username")
    )
    return [(str(u.pk), u.get_username()) for u in users]


def _get(request: HttpRequest, number: str) -> G | None:
    return scoped(request).filter(number=number).first()


@role_required(GRIEVANCE_ROLES)
def grievance_detail(request: HttpRequest, number: str) -> HttpResponse:
    if _role(request) == PIMPINAN:
        return forbidden(request)
    g = _get(request, number)
    audit_record(
        acting_user=request.user,
        action="grievance.view",
        object_type="pengaduan.grievance",
        object_id=g.pk if g else "",
        after={"found": g is not None},
        note=number[:40],
    )
    if g is None:
        return _not_found(request)
    from sigap.usulan.views import history

    handle = allowed(request.user, GRIEVANCE_HANDLE_ROLES)
    context = {
        "nav": "pengaduan",
        "g": g,
        "place": place(g.kode_kelurahan),
        "late": g.is_late(timezone.now()),
        "history": history(g),
        "may_assign": handle and g.is_pending,
        "may_answer": handle and g.is_pending,
        "may_close": handle and g.state == G.ANSWERED,
        "may_search": allowed(request.user, SEARCH_ROLES),
        "assign_form": AssignForm(officers=_officers(), initial={"assignee": str(request.user.pk)}),
        "answer_form": AnswerForm(),
    }
    return render(request, "pengaduan/detail.html", context)


@require_POST
@role_required(GRIEVANCE_HANDLE_ROLES)
def grievance_assign(request: HttpRequest, number: str) -> HttpResponse:
    g = _get(request, number)
    if g is None:
        return _not_found(request)
    form = AssignForm(request.POST, officers=_officers())
    if not form.is_valid():
        messages.error(request, _("Pilih petugas dari daftar."))
    else:
        try:
            assignee = get_user_model().objects.get(pk=int(form.cleaned_data["assignee"]))
            actions.grievance_assign(grievance=g, assignee=assignee, acting_user=request.user)
        except UserError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Pengaduan ditugaskan ke %(u)s.") % {"u": assignee.get_username()})
    return redirect("web:pengaduan:detail", number=g.number)


@require_POST
@role_required(GRIEVANCE_HANDLE_ROLES)
def grievance_answer(request: HttpRequest, number: str) -> HttpResponse:
    g = _get(request, number)
    if g is None:
        return _not_found(request)
    try:
        actions.grievance_answer(
            grievance=g, answer=request.POST.get("answer", ""), now=timezone.now(), acting_user=request.user
        )
    except UserError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Jawaban disimpan."))
    return redirect("web:pengaduan:detail", number=g.number)


@require_POST
@role_required(GRIEVANCE_HANDLE_ROLES)
def grievance_close(request: HttpRequest, number: str) -> HttpResponse:
    g = _get(request, number)
    if g is None:
        return _not_found(request)
    try:
        actions.grievance_close(grievance=g, now=timezone.now(), acting_user=request.user)
    except UserError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Pengaduan ditutup."))
    return redirect("web:pengaduan:detail", number=g.number)


@role_required(GRIEVANCE_HANDLE_ROLES)
def sla_settings(request: HttpRequest) -> HttpResponse:
    current = {code: actions.policy_for(code) for code, _label in G.CATEGORIES}
    if request.method == "POST":
        form = SlaForm(request.POST, current=current)
        if form.is_valid():
            changed = 0
            try:
                for code, _label in G.CATEGORIES:
                    days, business = form.cleaned_data[f"days_{code}"], form.cleaned_data[f"business_{code}"]
                    if (days, business) != current[code]:
                        actions.sla_policy_set(
                            category=code, days=days, business_days=business, acting_user=request.user
                        )
                        changed += 1
            except UserError as e:
                form.add_error(error_field(e, form.fields), e.message)
            else:
                messages.success(request, _("%(n)s batas waktu diubah.") % {"n": changed})
                return redirect("web:pengaduan:sla")
    else:
        form = SlaForm(current=current)
    rows = [(form[f"days_{code}"], form[f"business_{code}"]) for code, _label in G.CATEGORIES]
    return render(request, "pengaduan/sla.html", {"nav": "pengaduan", "form": form, "rows": rows})


# ---------------------------------------------------------------------------------- public pages


def _limited(request: HttpRequest) -> HttpResponse:
    response = render(request, "sigap/citizen_limited.html", {"nav": "citizen"}, status=429)
    response["Retry-After"] = str(settings.SIGAP_CITIZEN_CHECK_WINDOW)
    return response


def _allowed_ip(request: HttpRequest, scope: str, limit: int) -> bool:
    return ratelimit.hit(
        scope=scope,
        value=ratelimit.client_bucket(request),
        limit=limit,
        window=settings.SIGAP_CITIZEN_CHECK_WINDOW,
    )


#: the ticket just filed in this browser: the page after filing shows it (post/redirect/get)
FILED_SESSION_KEY = "sigap_filed_ticket"


@never_cache
@csrf_protect
def citizen_file(request: HttpRequest) -> HttpResponse:
    """The public form; once filed, the citizen is sent to the ticket page (a reload files nothing)."""
    choices = kelurahan_choices("")
    if request.method == "POST":
        # Filing writes a row: stricter than the status check (a third of its per-IP limit).
        if not _allowed_ip(request, "grievance-ip", max(1, settings.SIGAP_CITIZEN_CHECK_PER_IP // 3)):
            return _limited(request)
        form = CitizenGrievanceForm(request.POST, kelurahan=choices)
        if form.is_valid():
            d = form.cleaned_data
            if not ratelimit.hit(
                scope="grievance-phone",
                value=actions.clean_phone(d["contact_phone"]),
                limit=PUBLIC_TICKETS_PER_PHONE_PER_DAY,
                window=24 * 3600,
            ):
                return _limited(request)
            try:
                g = _file(d, channel=G.CITIZEN, acting_user=None)
            except UserError as e:
                form.add_error(error_field(e, form.fields), e.message)
            else:
                request.session[FILED_SESSION_KEY] = g.number
                return redirect("web:pengaduan:citizen-ticket")
    else:
        form = CitizenGrievanceForm(kelurahan=choices)
    context = {"nav": "citizen", "form": form, "public": True}
    return render(request, "pengaduan/citizen_file.html", context)


@never_cache
def citizen_ticket(request: HttpRequest) -> HttpResponse:
    """The ticket just filed from this browser: its number, what happens next and how to check.

    Only the browser that filed it sees this page (the number is kept in its session); it shows no
    personal data -- the number, the category and the dates.  Without a ticket: back to the form."""
    number = request.session.get(FILED_SESSION_KEY)
    ticket = G.objects.filter(number=number).first() if number else None
    if ticket is None:
        return redirect("web:pengaduan:citizen-file")
    context = {"nav": "citizen", "ticket": ticket}
    return render(request, "pengaduan/citizen_ticket.html", context)


def ticket_lookup(*, number: str, secret: str) -> G | None:
    """The ticket when ``secret`` is its NIK or its phone number; None otherwise (same answer)."""
    digits = actions.clean_phone(secret)
    if not number or len(digits) < 9:
        return None
    return (
        G.objects.filter(number=number.strip().upper())
        .filter(Q(nik=digits) | Q(contact_phone=digits))
        .exclude(nik="", contact_phone="")
        .first()
    )


@never_cache
@csrf_protect
def ticket_check(request: HttpRequest) -> HttpResponse:
    found: G | None = None
    checked = False
    if request.method == "POST":
        if not _allowed_ip(request, "ticket-ip", settings.SIGAP_CITIZEN_CHECK_PER_IP):
            return _limited(request)
        form = TicketForm(request.POST)
        if form.is_valid() and not ratelimit.hit(
            # per ticket number, from any address: guessing a ticket's NIK or phone number stops here
            scope="ticket-number",
            value=form.cleaned_data["number"].strip().upper(),
            limit=settings.SIGAP_CITIZEN_CHECK_PER_NIK,
            window=settings.SIGAP_CITIZEN_CHECK_WINDOW,
        ):
            return _limited(request)
        if form.is_valid():
            checked = True
            found = ticket_lookup(number=form.cleaned_data["number"], secret=form.cleaned_data["secret"])
            # The answer may hold personal data: a disclosure, so it is logged (no NIK/phone in the row).
            AuditEvent.objects.create(
                actor=None,
                actor_label=actions.PUBLIC_ACTOR,
                action="grievance.public_check",
                object_type="pengaduan.grievance",
                object_id=str(found.pk) if found else "",
                after={"found": found is not None},
                note=form.cleaned_data["number"][:20],
                area_code=found.kode_kelurahan if found else "",
            )
            form = TicketForm(initial={"number": form.cleaned_data["number"]})
    else:
        # the ticket page links here with the number filled in
        form = TicketForm(initial={"number": request.GET.get("nomor", "")[:20]})
    context = {"nav": "citizen", "form": form, "checked": checked, "ticket": found}
    return render(request, "pengaduan/ticket_check.html", context)


EXPORT_COLUMNS = (
    gettext_lazy("Tiket"),
    gettext_lazy("Kategori"),
    gettext_lazy("Saluran"),
    gettext_lazy("Status"),
    "NIK",
    gettext_lazy("Pelapor"),
    gettext_lazy("Telepon"),
    gettext_lazy("Kode kelurahan"),
    gettext_lazy("Kelurahan"),
    gettext_lazy("Diterima"),
    gettext_lazy("Batas waktu"),
    gettext_lazy("Terlambat"),
    gettext_lazy("Dieskalasi"),
    gettext_lazy("Petugas"),
    gettext_lazy("Dijawab"),
)


def _stamp(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@role_required(GRIEVANCE_ROLES)
def grievance_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel (personal data: NIK, contact) -- audited."""
    from sigap.usulan.exports import xlsx_bytes

    if _role(request) == PIMPINAN:
        return forbidden(request)
    now = timezone.now()
    f = list_filters(request.GET)
    rows = list(filtered(request, f, now)[:50_000])
    audit_record(
        acting_user=request.user,
        action="grievance.export",
        after={"area": area_prefix(request.user), "rows": len(rows), **{k: v for k, v in f.items() if v}},
    )
    from sigap.web.labels import place_name

    data = xlsx_bytes(
        tuple(str(c) for c in EXPORT_COLUMNS),
        (
            [
                g.number,
                g.get_category_display(),
                g.get_channel_display(),
                g.get_state_display(),
                g.nik,
                g.contact_name,
                g.contact_phone,
                g.kode_kelurahan,
                place_name(g.kode_kelurahan),
                _stamp(g.created_at),
                _stamp(g.due_at),
                _("ya") if g.is_late(now) else "",
                _stamp(g.escalated_at),
                g.assigned_to.get_username() if g.assigned_to else "",
                _stamp(g.answered_at),
            ]
            for g in rows
        ),
        str(_("pengaduan")),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="pengaduan-{now:%Y%m%d-%H%M%S}.xlsx"'
    return response
