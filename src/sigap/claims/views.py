"""Kejadian & klaim screens: register an incident, follow the claim, list, export, letter.

Thin views: parse a form, call one action from :mod:`sigap.claims.actions`, show a message and
redirect.  A refused action re-renders the page with the message next to the form (status 400) and
changes nothing.  Scoping: every object is fetched through the area-filtered querysets of
:mod:`sigap.claims.selectors`, so another area's object is a 404.  Every page or file that shows
personal data writes an audit row.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from sigap.accounts.scoping import area_prefix
from sigap.audit.actions import audit_record
from sigap.claims import actions, letter
from sigap.claims.forms import (
    DecideForm,
    DocumentForm,
    IncidentForm,
    OpenClaimForm,
    PayForm,
    RejectForm,
    ScholarshipForm,
    SubmitForm,
    UploadForm,
)
from sigap.claims.models import BENEFIT_KINDS, INCIDENT_KINDS, Claim, ClaimDocument, Scholarship
from sigap.claims.selectors import deadline_near, incident_premium, overdue, visible_claims
from sigap.core import claims as rules
from sigap.core.money import format_rupiah
from sigap.enrolment.models import Member
from sigap.errors import UserError
from sigap.reference import regions
from sigap.web.access import CLAIM_EDIT_ROLES, CLAIM_ROLES, allowed, role_required

PAGE_SIZE = 25
SORTS: dict[str, tuple[Any, ...]] = {
    "tenggat": (
        F("deadline").asc(nulls_last=True),
        "-id",
    ),  # claims without a deadline last, on every database
    "-tanggal": ("-incident__date", "-id"),
    "tanggal": ("incident__date", "id"),
    "status": ("state", "-id"),
    "-id": ("-id",),
}
CAP_LABELS = {
    "homecare": _lazy("Perawatan di rumah (paling lama 1 tahun)"),
    "transport_land": _lazy("Transportasi darat"),
    "transport_sea": _lazy("Transportasi laut"),
    "transport_air": _lazy("Transportasi udara"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> dt.date:
    return timezone.localdate()


def place_name(code: str) -> str:
    found = regions().get(code)
    return found.name if found is not None else code


# --------------------------------------------------------------------------- list and export


#: The member look-up for a new incident: a name needs this many letters; at most this many results.
LOOKUP_MIN_LETTERS = 3
LOOKUP_MAX_RESULTS = 50


def claim_filters(params: Any) -> dict[str, str]:
    def pick(name: str, allowed_values: Any) -> str:
        value = str(params.get(name, "")).strip()
        return value if value in allowed_values else ""

    return {
        "status": pick("status", dict(Claim.STATES)),
        "manfaat": pick("manfaat", dict(BENEFIT_KINDS)),
        "kejadian": pick("kejadian", dict(INCIDENT_KINDS)),
        "kelurahan": "".join(c for c in str(params.get("kelurahan", "")) if c.isdigit())[:10],
        "tenggat": pick("tenggat", ("lewat", "dekat")),
        "q": str(params.get("q", "")).strip()[:80],
        "urut": pick("urut", SORTS) or "-id",
    }


def filtered_claims(user: Any, filters: dict[str, str], *, today: dt.date) -> QuerySet[Claim]:
    claims = visible_claims(user)
    if filters["status"]:
        claims = claims.filter(state=filters["status"])
    if filters["manfaat"]:
        claims = claims.filter(benefit=filters["manfaat"])
    if filters["kejadian"]:
        claims = claims.filter(incident__kind=filters["kejadian"])
    if filters["kelurahan"]:
        claims = claims.filter(incident__kode_kelurahan__startswith=filters["kelurahan"])
    if filters["tenggat"] == "lewat":
        claims = overdue(claims, on=today)
    elif filters["tenggat"] == "dekat":
        claims = deadline_near(claims, on=today)
    if filters["q"]:
        q = filters["q"]
        claims = claims.filter(
            Q(incident__member__nik=q) | Q(incident__member__nama__icontains=q) | Q(incident__member__kpj=q)
        )
    return claims.annotate(
        docs_required=Count("documents", filter=Q(documents__required=True)),
        docs_received=Count("documents", filter=Q(documents__required=True, documents__received=True)),
    ).order_by(*SORTS[filters["urut"]])


def _row_extras(claim: Claim, today: dt.date) -> dict[str, Any]:
    status = rules.deadline_status(claim.deadline, today)
    if claim.state in (Claim.SUBMITTED, Claim.PAID, Claim.REJECTED):
        status = rules.DeadlineStatus.NONE if claim.deadline is None else rules.DeadlineStatus.OK
    return {
        "claim": claim,
        "deadline_status": status.value,
        "kelurahan": place_name(claim.incident.kode_kelurahan),
    }


@role_required(CLAIM_ROLES)
def claim_list(request: HttpRequest) -> HttpResponse:
    today = _today()
    filters = claim_filters(request.GET)
    claims = filtered_claims(request.user, filters, today=today)
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    prefix = area_prefix(request.user)
    codes = (
        visible_claims(request.user).order_by().values_list("incident__kode_kelurahan", flat=True).distinct()
    )
    audit_record(
        acting_user=request.user,
        action="claim.list",
        after={
            "area": prefix,
            "filters": {k: v for k, v in filters.items() if v},
            "results": page.paginator.count,
        },
    )
    context = {
        "nav": "claims",
        "filters": filters,
        "page": page,
        "rows": [_row_extras(c, today) for c in page],
        "query": query.urlencode(),
        "states": Claim.STATES,
        "benefits": BENEFIT_KINDS,
        "kinds": INCIDENT_KINDS,
        "kelurahan": sorted(((c, place_name(c)) for c in set(codes)), key=lambda x: x[1]),
        "can_edit": allowed(request.user, CLAIM_EDIT_ROLES),
        "near_days": rules.DEADLINE_NEAR_DAYS,
    }
    return render(request, "claims/list.html", context)


@role_required(CLAIM_ROLES)
def claim_export(request: HttpRequest) -> HttpResponse:
    import xlsxwriter

    today = _today()
    filters = claim_filters(request.GET)
    claims = list(filtered_claims(request.user, filters, today=today))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Klaim"))
    head = workbook.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    money = workbook.add_format({"num_format": "#,##0"})
    day = workbook.add_format({"num_format": "dd-mm-yyyy"})
    columns = [
        _("No"),
        _("Klaim"),
        "NIK",
        _("Nama"),
        "KPJ",
        _("Kelurahan"),
        _("Jenis kejadian"),
        _("Tanggal kejadian"),
        _("Manfaat"),
        _("Status"),
        _("Dokumen diterima"),
        _("Dokumen wajib"),
        _("Batas pengajuan"),
        _("Tanggal diajukan"),
        _("Perkiraan manfaat (Rp)"),
        _("Dibayar (Rp)"),
        _("Tanggal dibayar"),
        _("Referensi"),
    ]
    widths = [5, 8, 19, 28, 14, 22, 30, 14, 40, 22, 10, 10, 14, 14, 16, 16, 14, 20]
    for col, (name, width) in enumerate(zip(columns, widths, strict=True)):
        sheet.write_string(0, col, name, head)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for row, c in enumerate(claims, start=1):
        m = c.incident.member
        sheet.write_number(row, 0, row)
        sheet.write_number(row, 1, c.pk)
        sheet.write_string(row, 2, m.nik, text)
        sheet.write_string(row, 3, m.nama)
        sheet.write_string(row, 4, m.kpj, text)
        sheet.write_string(row, 5, place_name(c.incident.kode_kelurahan))
        sheet.write_string(row, 6, c.incident.get_kind_display())
        sheet.write_datetime(row, 7, dt.datetime.combine(c.incident.date, dt.time()), day)
        sheet.write_string(row, 8, c.get_benefit_display())
        sheet.write_string(row, 9, c.get_state_display())
        sheet.write_number(row, 10, c.docs_received)  # type: ignore[attr-defined]
        sheet.write_number(row, 11, c.docs_required)  # type: ignore[attr-defined]
        for col, value in ((12, c.deadline), (13, c.submitted_on), (16, c.paid_on)):
            if value is not None:
                sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), day)
        if c.expected_amount is not None:
            sheet.write_number(row, 14, c.expected_amount, money)
        if c.paid_amount is not None:
            sheet.write_number(row, 15, c.paid_amount, money)
        sheet.write_string(row, 17, c.payment_reference)
    sheet.autofilter(0, 0, max(len(claims), 1), len(columns) - 1)
    workbook.close()
    audit_record(
        acting_user=request.user,
        action="claim.export",
        after={
            "area": area_prefix(request.user),
            "filters": {k: v for k, v in filters.items() if v},
            "rows": len(claims),
        },
        note=request.GET.urlencode()[:500],
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="klaim-{today:%Y%m%d}.xlsx"'
    return response


# --------------------------------------------------------------------------- register an incident


def _member(request: HttpRequest, member_id: int) -> Member:
    members = Member.objects.filter(kode_kelurahan__startswith=area_prefix(request.user)).select_related(
        "programme"
    )
    return get_object_or_404(members, pk=member_id)


@role_required(CLAIM_EDIT_ROLES)
def member_lookup(request: HttpRequest) -> HttpResponse:
    """Find the member (by NIK, KPJ or name, in the user's area) for whom an incident is registered.

    Digits are a NIK or KPJ (exact); letters a name (contains, any case, at least 3 letters); too
    short a name says so instead of finding nothing silently."""
    raw = " ".join(str(request.GET.get("q") or request.GET.get("nik") or "").split())[:80]
    digits = "".join(c for c in raw if c.isdigit())
    letters = sum(c.isalpha() for c in raw)
    results = None
    problem = ""
    if raw and letters and letters < LOOKUP_MIN_LETTERS:
        problem = _("Ketik paling sedikit %(n)s huruf nama, atau NIK/KPJ.") % {"n": LOOKUP_MIN_LETTERS}
    elif raw:
        prefix = area_prefix(request.user)
        members = Member.objects.filter(kode_kelurahan__startswith=prefix)
        if letters:
            members = members.filter(nama__icontains=raw)
        else:
            members = members.filter(Q(nik=digits[:20]) | Q(kpj=digits[:20]))
        results = list(
            members.select_related("programme").order_by("nama", "-programme__fiscal_year", "-id")[
                :LOOKUP_MAX_RESULTS
            ]
        )
        audit_record(
            acting_user=request.user,
            action="claim.member_lookup",
            after={"area": prefix, "results": len(results), "by": "name" if letters else "number"},
            note=raw,
        )
    context = {
        "nav": "claims",
        "query": raw,
        "problem": problem,
        "results": [(m, place_name(m.kode_kelurahan)) for m in results or []],
        "searched": results is not None,
        "truncated": results is not None and len(results) >= LOOKUP_MAX_RESULTS,
        "max_results": LOOKUP_MAX_RESULTS,
    }
    return render(request, "claims/member_lookup.html", context)


@role_required(CLAIM_EDIT_ROLES)
def incident_new(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    if request.method == "POST":
        form = IncidentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = actions.incident_register(
                    member=member,
                    kind=data["kind"],
                    date=data["date"],
                    place=data["place"],
                    description=data["description"],
                    heir_relation=data["heir_relation"],
                    record_exit=data["record_exit"],
                    today=_today(),
                    acting_user=request.user,
                )
            except UserError as e:
                form.add_error(None, e.message)
            else:
                claim = incident.claims.order_by("id").first()
                assert claim is not None
                messages.success(
                    request,
                    _("Kejadian dicatat dan klaim #%(id)s dibuka. Lengkapi dokumennya.") % {"id": claim.pk},
                )
                return redirect("web:claims:detail", claim_id=claim.pk)
        status = 400
    else:
        form = IncidentForm()
        status = 200
        audit_record(acting_user=request.user, action="claim.member_view", obj=member)
    context = {
        "nav": "claims",
        "member": member,
        "kelurahan": place_name(member.kode_kelurahan),
        "periods": list(member.periods.all()),
        "exit": getattr(member, "exit", None),
        "form": form,
        "incidents": list(member.incidents.all()),
    }
    return render(request, "claims/incident_new.html", context, status=status)


# --------------------------------------------------------------------------- the claim page


def _claim(request: HttpRequest, claim_id: int) -> Claim:
    return get_object_or_404(visible_claims(request.user), pk=claim_id)


def _detail(
    request: HttpRequest, claim: Claim, bound: dict[str, django_forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    today = _today()
    incident = claim.incident
    member = incident.member
    documents = list(claim.documents.all())
    rows = []
    for doc in documents:
        rows.append(
            {
                "doc": doc,
                "mark": bound.get(f"doc{doc.pk}")
                or DocumentForm(
                    prefix=f"doc{doc.pk}",
                    initial={"received": "0" if doc.received else "1", "received_on": today},
                ),
                "upload": bound.get(f"up{doc.pk}") or UploadForm(prefix=f"up{doc.pk}"),
            }
        )
    scholarships = list(claim.scholarships.all())
    open_benefits = [
        (b.value, label)
        for b in rules.BENEFITS_FOR[rules.IncidentKind(incident.kind)]
        for value, label in BENEFIT_KINDS
        if value == b.value and not incident.claims.filter(benefit=b.value).exists()
    ]
    open_form = bound.get("open") or OpenClaimForm(prefix="open")
    benefit_field = open_form.fields["benefit"]
    assert isinstance(benefit_field, django_forms.ChoiceField)
    benefit_field.choices = open_benefits
    rule = next((r for r in rules.BENEFIT_RULES if r.code == claim.rule_code), None)
    premium = incident_premium(incident, on=today)
    audit_record(acting_user=request.user, action="claim.view", obj=claim)
    context = {
        "nav": "claims",
        "claim": claim,
        "incident": incident,
        "member": member,
        "kelurahan": place_name(incident.kode_kelurahan),
        "exit": getattr(member, "exit", None),
        "documents": rows,
        "missing": [d for d in documents if d.required and not d.received],
        "has_open_source": any(d.source == "open" for d in documents),
        "siblings": list(incident.claims.exclude(pk=claim.pk)),
        "expected": actions.describe_amount(claim.expected_amount),
        "rule": rule,
        "caps": [(CAP_LABELS.get(code, code), amount) for code, amount in rule.caps.items()] if rule else [],
        "deadline_status": rules.deadline_status(claim.deadline, today).value,
        "premium": premium,
        "premium_status": premium.status.value,
        "can_edit": allowed(request.user, CLAIM_EDIT_ROLES),
        "editable": claim.state in (Claim.DRAFT, Claim.COMPLETE),
        "submit_form": bound.get("submit") or SubmitForm(prefix="submit", initial={"submitted_on": today}),
        "pay_form": bound.get("pay") or PayForm(prefix="pay", initial={"paid_on": today}),
        "reject_form": bound.get("reject") or RejectForm(prefix="reject", initial={"rejected_on": today}),
        "scholarship_form": bound.get("scholarship")
        or ScholarshipForm(prefix="sch", initial={"school_year": today.year}),
        "scholarships": [
            (
                s,
                bound.get(f"decide{s.pk}")
                or DecideForm(prefix=f"decide{s.pk}", initial={"decided_on": today}),
            )
            for s in scholarships
        ],
        "scholarship_possible": claim.benefit_kind in rules.SCHOLARSHIP.benefits,
        "scholarship_rule": rules.SCHOLARSHIP,
        "open_form": open_form if open_benefits else None,
        "today": today,
    }
    return render(request, "claims/detail.html", context, status=status)


@role_required(CLAIM_ROLES)
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    return _detail(request, _claim(request, claim_id))


def _handle(
    request: HttpRequest,
    claim: Claim,
    form: django_forms.Form,
    key: str,
    run: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Validate ``form``, run the action; success -> message + redirect, refusal -> page with errors."""
    if form.is_valid():
        try:
            message = run(form.cleaned_data)
        except UserError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, message)
            return redirect("web:claims:detail", claim_id=claim.pk)
    return _detail(request, claim, {key: form}, status=400)


def _document(claim: Claim, document_id: int) -> ClaimDocument:
    return get_object_or_404(ClaimDocument, pk=document_id, claim=claim)


@require_POST
@role_required(CLAIM_EDIT_ROLES)
def document_mark(request: HttpRequest, claim_id: int, document_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    doc = _document(claim, document_id)

    def run(data: dict[str, Any]) -> str:
        actions.claim_document_mark(
            document=doc,
            received=data["received"],
            received_on=data["received_on"],
            today=_today(),
            acting_user=request.user,
        )
        return (
            _("Dokumen diterima: %(label)s") if data["received"] else _("Tanda terima dibatalkan: %(label)s")
        ) % {"label": _(doc.label)}

    return _handle(request, claim, DocumentForm(request.POST, prefix=f"doc{doc.pk}"), f"doc{doc.pk}", run)


@require_POST
@role_required(CLAIM_EDIT_ROLES)
def document_upload(request: HttpRequest, claim_id: int, document_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    doc = _document(claim, document_id)

    def run(data: dict[str, Any]) -> str:
        actions.claim_document_attach(
            document=doc, upload=data["file"], today=_today(), acting_user=request.user
        )
        return _("Berkas disimpan untuk: %(label)s") % {"label": _(doc.label)}

    form = UploadForm(request.POST, request.FILES, prefix=f"up{doc.pk}")
    return _handle(request, claim, form, f"up{doc.pk}", run)


@role_required(CLAIM_ROLES)
def document_file(request: HttpRequest, claim_id: int, document_id: int) -> FileResponse:
    claim = _claim(request, claim_id)
    doc = _document(claim, document_id)
    if not doc.file_path:
        raise Http404("no file")
    path = Path(settings.DATA_DIR) / doc.file_path
    if not path.is_file():
        raise Http404("file missing")
    audit_record(
        acting_user=request.user,
        action="claim.file",
        obj=claim,
        after={"document": doc.code, "sha256": doc.sha256},
    )
    ext = path.suffix
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"klaim{claim.pk}-{doc.code}{ext}",
        content_type=doc.content_type,
    )


@require_POST
@role_required(CLAIM_EDIT_ROLES)
def claim_submit(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)

    def run(data: dict[str, Any]) -> str:
        actions.claim_submit(
            claim=claim, submitted_on=data["submitted_on"], today=_today(), acting_user=request.user
        )
        return _("Klaim #%(id)s dicatat diajukan ke BPJS TK") % {"id": claim.pk}

    return _handle(request, claim, SubmitForm(request.POST, prefix="submit"), "submit", run)


@require_POST
@role_required(CLAIM_EDIT_ROLES)
def claim_pay(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)

    def run(data: dict[str, Any]) -> str:
        actions.claim_pay(
            claim=claim,
            amount=data["amount"],
            paid_on=data["paid_on"],
            reference=data["reference"],
            today=_today(),
            acting_user=request.user,
        )
        return _("Pembayaran %(amount)s dicatat") % {"amount": format_rupiah(data["amount"])}

    return _handle(request, claim, PayForm(request.POST, prefix="pay"), "pay", run)


@require_POST
@role_required(CLAIM_EDIT_ROLES)
def claim_reject(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)

    def run(data: dict[str, Any]) -> str:
        actions.claim_reject(
            claim=claim,
            reason=data["reason"],
            rejected_on=data["rejected_on"],
            today=_today(),
            acting_user=request.user,
        )
        return _("Penolakan klaim #%(id)s dicatat") % {"id": claim.pk}

    return _handle(request, claim, RejectForm(request.POST, prefix="reject"), "reject", run)


@require_POST
@role_required(CLAIM_EDIT_ROLES)
def claim_open(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    form = OpenClaimForm(request.POST, prefix="open")
    if form.is_valid():
        try:
            new = actions.claim_open(
                incident=claim.incident,
                benefit=form.cleaned_data["benefit"],
                heir_relation=form.cleaned_data["heir_relation"],
                acting_user=request.user,
            )
        except UserError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Klaim #%(id)s dibuka") % {"id": new.pk})
            return redirect("web:claims:detail", claim_id=new.pk)
    return _detail(request, claim, {"open": form}, status=400)


@require_POST
@role_required(CLAIM_EDIT_ROLES)
def scholarship_add(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)

    def run(data: dict[str, Any]) -> str:
        s = actions.scholarship_add(
            claim=claim,
            child_name=data["child_name"],
            child_birth_date=data["child_birth_date"],
            level=data["level"],
            school_year=data["school_year"],
            married=data["married"],
            working=data["working"],
            declared_paid_months=data["declared_paid_months"],
            today=_today(),
            acting_user=request.user,
        )
        return _("Beasiswa %(name)s diajukan: %(amount)s") % {
            "name": s.child_name,
            "amount": format_rupiah(s.amount),
        }

    return _handle(request, claim, ScholarshipForm(request.POST, prefix="sch"), "scholarship", run)


@require_POST
@role_required(CLAIM_EDIT_ROLES)
def scholarship_decide(request: HttpRequest, claim_id: int, scholarship_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    scholarship = get_object_or_404(Scholarship, pk=scholarship_id, claim=claim)

    def run(data: dict[str, Any]) -> str:
        actions.scholarship_decide(
            scholarship=scholarship,
            paid=data["decision"] == "paid",
            decided_on=data["decided_on"],
            note=data["note"],
            today=_today(),
            acting_user=request.user,
        )
        return _("Keputusan beasiswa %(name)s dicatat") % {"name": scholarship.child_name}

    key = f"decide{scholarship.pk}"
    return _handle(request, claim, DecideForm(request.POST, prefix=key), key, run)


@role_required(CLAIM_ROLES)
def claim_letter(request: HttpRequest, claim_id: int) -> HttpResponse:
    """The claim follow-up letter (PDF) to BPJS TK or to the family, listing missing documents."""
    claim = _claim(request, claim_id)
    to = request.GET.get("untuk", "keluarga")
    if to not in letter.ADDRESSEES:
        raise Http404("unknown addressee")
    today = _today()
    with translation.override("id"):  # an official letter is in Bahasa Indonesia whatever the UI language
        pdf = letter.render_pdf(letter.letter_context(claim, to=to, today=today))
    audit_record(
        acting_user=request.user, action="claim.letter", obj=claim, after={"to": to, "bytes": len(pdf)}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="surat-klaim{claim.pk}-{to}-{today:%Y%m%d}.pdf"'
    return response
