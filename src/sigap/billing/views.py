"""Tagihan, pembayaran (SP2D) and realisasi anggaran: thin views over the billing actions.

Reads: invoices and payments by ``FINANCE_ROLES``; the realisation (aggregates only, no personal
data) also by Pimpinan.  Writes: POSTs by ``MONEY_WRITE_ROLES`` (Admin Dinas), one action each; a
refused action shows its message next to the form and changes nothing.  Invoice lines name members:
the invoice page and its export are audited.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import BigIntegerField, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse as url_reverse
from django.utils.translation import gettext as _

from sigap.audit.actions import audit_record
from sigap.billing.actions import (
    invoice_issue,
    invoice_line_reverse,
    invoice_reconcile,
    invoice_supplement,
    paid_amount,
    payment_record,
    payment_reverse,
)
from sigap.billing.models import Invoice, InvoiceLine, Payment
from sigap.billing.selectors import realisation
from sigap.core.money import Month
from sigap.core.tariff import COMPONENT_LABELS
from sigap.enrolment.figures import figure_rows, member_figures
from sigap.enrolment.models import Member
from sigap.enrolment.views import error_text, programme_for, programme_ids, write_refused
from sigap.errors import UserError
from sigap.web import exportfiles, exportjobs, listing
from sigap.web.access import FINANCE_ROLES, MONEY_WRITE_ROLES, REALISATION_ROLES, allowed, role_required
from sigap.web.moneyforms import (
    InvoiceFilterForm,
    InvoiceIssueForm,
    LineReverseForm,
    PaymentForm,
    PaymentReverseForm,
    RealisationForm,
)

INVOICE_SORTS = {
    "month": ["month"],
    "state": ["state", "month"],
    "total": ["total", "month"],
    "paid": ["paid", "month"],
    "outstanding": ["outstanding", "month"],
}
LINE_SORTS = {"nama": ["member__nama", "id"], "nik": ["member__nik", "id"], "kind": ["kind", "id"]}
PAYMENT_SORTS = {"date": ["sp2d_date", "id"], "number": ["sp2d_number", "id"], "amount": ["amount", "id"]}


def _with_balance(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return invoices.annotate(
        paid=Coalesce(Sum("allocations__amount"), Value(0, output_field=BigIntegerField()))
    ).annotate(outstanding=F("total") - F("paid"))


# --------------------------------------------------------------------------- invoices


@role_required(FINANCE_ROLES)
def invoice_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(request, programme_id, whole=True)
    if (refused := write_refused(request)) is not None:
        return refused
    form = InvoiceIssueForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            # "tambahan": a supplementary invoice for members accepted after the month was invoiced
            action = invoice_supplement if request.POST.get("action") == "supplement" else invoice_issue
            try:
                invoice = action(
                    programme=programme, month=form.cleaned_data["month"], acting_user=request.user
                )
            except UserError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Tagihan %(number)s diterbitkan: %(n)s peserta.")
                    % {"number": invoice.number, "n": invoice.line_count},
                )
                return redirect("web:invoice-detail", invoice_id=invoice.pk)
        status = 400
    filters = InvoiceFilterForm(request.GET or None)
    invoices = _with_balance(Invoice.objects.filter(programme=programme))
    if filters.is_valid() and filters.cleaned_data["state"]:
        invoices = invoices.filter(state=filters.cleaned_data["state"])
    if request.GET.get("format") == "xlsx":
        audit_record(acting_user=request.user, action="invoice.list_export", obj=programme)
        return listing.xlsx_response(
            filename=f"tagihan-{programme.code}.xlsx",
            title=_("Tagihan"),
            headers=[
                _("Nomor"),
                _("Bulan"),
                _("Status"),
                _("Peserta"),
                _("Jumlah"),
                _("Dibayar"),
                _("Sisa"),
                _("Jatuh tempo"),
                *COMPONENT_LABELS.values(),  # Jumlah per programme (JKK, JKM, JHT): they add up to it
            ],
            rows=(
                [
                    i.number,
                    str(Month.of(i.month)),
                    i.get_state_display(),
                    i.line_count,
                    i.total,
                    int(i.paid),  # type: ignore[attr-defined]
                    int(i.outstanding),  # type: ignore[attr-defined]
                    i.due_date,
                    *_component_cells(i.component_totals()),
                ]
                for i in invoices.order_by("month")
            ),
        )
    page = listing.sorted_page(request, invoices, sorts=INVOICE_SORTS, default="month")
    everything = list(invoices)  # at most twelve a year
    total = sum(i.total for i in everything)
    paid: int = sum(int(getattr(i, "paid", 0)) for i in everything)
    context = {
        "nav": "money",
        "programme": programme,
        "listing": page,
        "filters": filters,
        "form": form,
        "sum_total": total,
        "sum_paid": paid,
        "sum_outstanding": total - paid,
        "can_write": allowed(request.user, MONEY_WRITE_ROLES),
    }
    return render(request, "money/invoices.html", context, status=status)


def _invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("programme", "issued_by", "reconciled_by").filter(
            programme_id__in=programme_ids(request, whole=True)
        ),
        pk=invoice_id,
    )


_lines = exportfiles.invoice_lines


@role_required(FINANCE_ROLES)
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponseBase:
    invoice = _invoice(request, invoice_id)
    if (refused := write_refused(request)) is not None:
        return refused
    action = request.POST.get("action", "") if request.method == "POST" else ""
    reverse = LineReverseForm(request.POST if action == "reverse" else None)
    problems: list[str] = []
    status = 200
    if action:
        try:
            if action == "reconcile":
                invoice_reconcile(invoice=invoice, acting_user=request.user)
                messages.success(
                    request, _("Tagihan %(number)s direkonsiliasi.") % {"number": invoice.number}
                )
                return redirect("web:invoice-detail", invoice_id=invoice.pk)
            if action == "reverse" and reverse.is_valid():
                line = InvoiceLine.objects.filter(
                    invoice=invoice, kind=InvoiceLine.PREMIUM, member__nik=reverse.cleaned_data["nik"]
                ).first()
                if line is None:
                    raise UserError(
                        _("NIK %(nik)s tidak ada di tagihan %(number)s.")
                        % {"nik": reverse.cleaned_data["nik"], "number": invoice.number}
                    )
                invoice_line_reverse(
                    line=line, reason=reverse.cleaned_data["reason"], acting_user=request.user
                )
                messages.success(
                    request,
                    _("Baris NIK %(nik)s dibatalkan dengan baris koreksi.")
                    % {"nik": reverse.cleaned_data["nik"]},
                )
                return redirect("web:invoice-detail", invoice_id=invoice.pk)
            status = 400
        except UserError as exc:
            problems = error_text(exc)
            status = 400
        invoice.refresh_from_db()
    query = request.GET.get("q", "").strip()
    lines = _lines(invoice, query)
    if request.GET.get("format") == "xlsx":
        return _lines_export(request, invoice, lines, query)
    if request.GET.get("format") == "pdf":
        return _invoice_pdf(request, invoice, lines)
    page = listing.sorted_page(request, lines, sorts=LINE_SORTS, default="nama")
    audit_record(
        acting_user=request.user,
        action="invoice.view",
        obj=invoice,
        after={"q": query, "shown": len(page.page)},
    )
    paid = paid_amount(invoice)
    context = {
        "nav": "money",
        "invoice": invoice,
        "components": [
            (COMPONENT_LABELS.get(code, code), invoice.premium_components[code], amount)
            for code, amount in invoice.component_totals().items()
        ],
        "programme": invoice.programme,
        "listing": page,
        "query": query,
        "paid": paid,
        "outstanding": invoice.total - paid,
        "allocations": list(invoice.allocations.select_related("payment").order_by("id")),
        "reverse": reverse,
        "problems": problems,
        "can_write": allowed(request.user, MONEY_WRITE_ROLES),
    }
    return render(request, "money/invoice_detail.html", context, status=status)


_component_cells = exportfiles.component_cells
_line_components = exportfiles.line_components


def _lines_export(
    request: HttpRequest, invoice: Invoice, lines: QuerySet[InvoiceLine], query: str
) -> HttpResponseBase:
    """The invoice's lines as Excel (one per member billed): above ``SIGAP_EXPORT_INLINE_ROWS`` lines a
    ``list_export`` job writes them for the account that asked (ADR 0024)."""
    rows = lines.count()
    audit_record(
        acting_user=request.user, action="invoice.export", obj=invoice, after={"q": query, "rows": rows}
    )
    filename = f"{invoice.number.replace('/', '-')}.xlsx"
    back = url_reverse("web:invoice-detail", args=[invoice.pk])
    return exportjobs.export_or_job(
        request,
        export="invoice_lines",
        fmt="xlsx",
        rows=rows,
        filename=filename,
        params={"invoice": invoice.pk, "q": query},
        back=f"{back}?{urlencode({'q': query})}" if query else back,
        inline=lambda: listing.xlsx_response(
            filename=filename,
            title=_("Tagihan"),
            headers=exportfiles.invoice_line_headers(),
            rows=exportfiles.invoice_line_rows(invoice, lines),
        ),
    )


def _invoice_pdf(request: HttpRequest, invoice: Invoice, lines: QuerySet[InvoiceLine]) -> HttpResponse:
    from sigap.billing import document
    from sigap.enrolment.templatetags.money import bulan

    rows = [
        document.InvoiceRow(ln.member.nik, ln.member.nama, ln.member.kpj, ln.get_kind_display(), ln.amount)
        for ln in lines.order_by("member__nama", "id")
    ]
    from django.utils import timezone

    from sigap.core.money import format_tanggal

    allocations = [
        (a.payment.sp2d_number, format_tanggal(a.payment.sp2d_date), a.amount)
        for a in invoice.allocations.select_related("payment").order_by("id")
    ]
    # an official document: Indonesian dates, local time (the invoice PDF reads the same in any language)
    local = timezone.localtime(invoice.issued_at) if invoice.issued_at else None
    issued = f"{format_tanggal(local.date())} pukul {local:%H.%M}" if local else "-"
    doc = document.InvoiceDocument(
        number=invoice.number,
        programme=f"{invoice.programme.code} - {invoice.programme.name}",
        month=bulan(invoice.month),
        state=str(invoice.get_state_display()),
        due_date=invoice.due_date,
        line_count=invoice.line_count,
        total=invoice.total,
        paid=paid_amount(invoice),
        allocations=allocations,
        issued=issued,
        components=invoice.premium_components or {},
    )
    pdf = document.write_pdf(doc, rows)
    audit_record(acting_user=request.user, action="invoice.pdf", obj=invoice, after={"lines": len(rows)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number.replace("/", "-")}.pdf"'
    return response


# --------------------------------------------------------------------------- payments


@role_required(FINANCE_ROLES)
def payment_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(request, programme_id, whole=True)
    if (refused := write_refused(request)) is not None:
        return refused
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = PaymentForm(request.POST if action == "record" else None, initial={"sp2d_date": listing.today()})
    reverse = PaymentReverseForm(request.POST if action == "reverse" else None)
    reverse_problems: list[str] = []
    status = 200
    if action == "record":
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = payment_record(
                    programme=programme,
                    sp2d_number=data["sp2d_number"],
                    sp2d_date=data["sp2d_date"],
                    amount=data["amount"],
                    months=int(data["months"]) if data["months"] else None,
                    exact=data["exact"],
                    acting_user=request.user,
                )
            except UserError as exc:
                form.add_error(None, exc.message)
            else:
                allocated = ", ".join(
                    a.invoice.number for a in payment.allocations.select_related("invoice").order_by("id")
                )
                messages.success(
                    request,
                    _("SP2D %(number)s dicatat dan dialokasikan ke %(invoices)s.")
                    % {"number": payment.sp2d_number, "invoices": allocated or "-"},
                )
                return redirect("web:payment-list", programme_id=programme.pk)
        status = 400
    elif action == "reverse":
        if reverse.is_valid():
            found = Payment.objects.filter(programme=programme, pk=reverse.cleaned_data["payment"]).first()
            try:
                if found is None:
                    raise UserError(_("Pembayaran tidak ditemukan."))
                payment_reverse(
                    payment=found,
                    reason=reverse.cleaned_data["reason"],
                    date=listing.today(),
                    acting_user=request.user,
                )
            except UserError as exc:
                reverse_problems = error_text(exc)
            else:
                messages.success(request, _("SP2D %(number)s dibatalkan.") % {"number": found.sp2d_number})
                return redirect("web:payment-list", programme_id=programme.pk)
        else:
            reverse_problems = [_("Pembatalan memerlukan alasan.")]
        status = 400
    elif action:
        status = 400
    payments = Payment.objects.filter(programme=programme).select_related("recorded_by", "reverses")
    if request.GET.get("kind") in dict(Payment.KINDS):
        payments = payments.filter(kind=request.GET["kind"])
    if request.GET.get("format") == "xlsx":
        audit_record(acting_user=request.user, action="payment.list_export", obj=programme)
        return listing.xlsx_response(
            filename=f"pembayaran-{programme.code}.xlsx",
            title=_("Pembayaran"),
            headers=[_("Nomor SP2D"), _("Tanggal"), _("Jenis"), _("Jumlah"), _("Alokasi"), _("Alasan")],
            rows=(
                [
                    p.sp2d_number,
                    p.sp2d_date,
                    p.get_kind_display(),
                    p.amount,
                    "; ".join(
                        f"{a.invoice.number}: {a.amount}" for a in p.allocations.select_related("invoice")
                    ),
                    p.reason,
                ]
                for p in payments.order_by("sp2d_date", "id")
            ),
        )
    page = listing.sorted_page(request, payments, sorts=PAYMENT_SORTS, default="-date")
    reversed_ids = set(
        Payment.objects.filter(programme=programme, reverses__isnull=False).values_list(
            "reverses_id", flat=True
        )
    )
    rows = [
        (p, list(p.allocations.select_related("invoice").order_by("id")), p.pk in reversed_ids)
        for p in page.page
    ]
    context = {
        "nav": "money",
        "programme": programme,
        "listing": page,
        "rows": rows,
        "form": form,
        "reverse_problems": reverse_problems,
        "reverse_id": reverse.data.get("payment", "") if action == "reverse" else "",
        "kinds": Payment.KINDS,
        "kind": request.GET.get("kind", ""),
        "can_write": allowed(request.user, MONEY_WRITE_ROLES),
    }
    return render(request, "money/payments.html", context, status=status)


# --------------------------------------------------------------------------- realisation


@role_required(REALISATION_ROLES)
def realisation_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Aggregates only: no NIK, no names (Pimpinan may open it)."""
    programme = programme_for(request, programme_id)
    form = RealisationForm(request.GET or None, initial={"on": listing.today()})
    on = listing.today()
    target: int | None = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            on = form.cleaned_data["on"] or on
            target = form.cleaned_data["target"]
        else:
            status = 400
    figures = realisation(programme=programme, on=on, target=target)
    # the members as every page counts them (sigap.enrolment.figures: "keluar" never counts the rejected)
    members = member_figures(Member.objects.filter(programme=programme))
    context: dict[str, Any] = {
        "nav": "money",
        "programme": programme,
        "form": form,
        "r": figures,
        "members": members,
        "member_figures": figure_rows(members),
        "on": on,
        "monthly": [(str(m), v) for m, v in figures.monthly_committed],
        "can_finance": allowed(request.user, FINANCE_ROLES),
    }
    return render(request, "money/realisation.html", context, status=status)
