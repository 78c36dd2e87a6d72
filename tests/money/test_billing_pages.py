"""Invoices, payments and the realisation page, driven like a user through the real forms."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from sigap.audit.models import AuditEvent
from sigap.billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from sigap.core.money import format_rupiah

from .conftest import NIK_A, NIK_B

pytestmark = pytest.mark.django_db
PREMIUM = 16_800


def _money_rows() -> tuple[Any, ...]:
    return (
        sorted(Invoice.objects.values_list("number", "state", "total", "line_count")),
        InvoiceLine.objects.count(),
        sorted(Payment.objects.values_list("sp2d_number", "kind", "amount")),
        PaymentAllocation.objects.count(),
    )


def test_issue_pay_reverse_and_reconcile(enrolled: Any, login: Any, today: Any) -> None:
    admin = login(enrolled.users["admin_dinas"])
    programme = enrolled.programme
    invoices_url = reverse("web:invoice-list", args=[programme.pk])
    payments_url = reverse("web:payment-list", args=[programme.pk])
    today.value = dt.date(2026, 1, 25)

    issued = admin.post(invoices_url, {"month": "2026-01"})
    invoice = Invoice.objects.get()
    assert issued.status_code == 302 and issued["Location"] == reverse(
        "web:invoice-detail", args=[invoice.pk]
    )
    assert (invoice.number, invoice.line_count, invoice.total) == ("SIGAP-2026/INV/2026-01", 2, 2 * PREMIUM)
    detail = admin.get(issued["Location"])
    assert "Tagihan SIGAP-2026/INV/2026-01 diterbitkan: 2 peserta." in detail.text
    assert NIK_A in detail.text and NIK_B in detail.text and "Rp33.600" in detail.text
    assert AuditEvent.objects.filter(action="invoice.view", object_id=str(invoice.pk)).count() == 1

    state = _money_rows()
    twice = admin.post(invoices_url, {"month": "2026-01"})
    assert twice.status_code == 400 and "sudah diterbitkan sebagai SIGAP-2026/INV/2026-01" in twice.text
    bad_month = admin.post(invoices_url, {"month": "Januari"})
    assert bad_month.status_code == 400 and "Tulis bulan sebagai TTTT-BB" in bad_month.text
    outside = admin.post(invoices_url, {"month": "2027-01"})
    assert outside.status_code == 400 and "di luar masa perlindungan program" in outside.text
    nobody_new = admin.post(invoices_url, {"month": "2026-01", "action": "supplement"})
    assert nobody_new.status_code == 400 and "tagihan tambahan tidak diperlukan" in nobody_new.text
    assert _money_rows() == state

    listing = admin.get(invoices_url)
    assert "SIGAP-2026/INV/2026-01" in listing.text and "Januari 2026" in listing.text
    assert listing.context["sum_outstanding"] == 2 * PREMIUM

    # reverse NIK B's line (e.g. reported dead before January): total drops, a negative line appears
    reversed_ = admin.post(
        issued["Location"], {"action": "reverse", "nik": NIK_B, "reason": "meninggal Desember"}
    )
    assert reversed_.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.total, invoice.line_count) == (PREMIUM, 1)
    assert InvoiceLine.objects.get(kind="reversal").amount == -PREMIUM
    unknown = admin.post(issued["Location"], {"action": "reverse", "nik": "3275019999999999", "reason": "x"})
    assert unknown.status_code == 400 and "tidak ada di tagihan" in unknown.text
    no_reason = admin.post(issued["Location"], {"action": "reverse", "nik": NIK_A, "reason": ""})
    assert no_reason.status_code == 400 and InvoiceLine.objects.count() == 3

    # pay: a wrong amount, a good one, the same SP2D again
    too_much = admin.post(
        payments_url,
        {"action": "record", "sp2d_number": "900/SP2D/2026", "sp2d_date": "2026-01-12", "amount": "50.000"},
    )
    assert too_much.status_code == 400 and "kelebihan bayar Rp33.200 ditolak" in too_much.text
    not_money = admin.post(
        payments_url,
        {"action": "record", "sp2d_number": "900/SP2D/2026", "sp2d_date": "2026-01-12", "amount": "16,8"},
    )
    assert not_money.status_code == 400 and "Tulis jumlah rupiah bulat" in not_money.text
    assert not Payment.objects.exists()
    paid = admin.post(
        payments_url,
        {
            "action": "record",
            "sp2d_number": "900/SP2D/2026",
            "sp2d_date": "2026-01-12",
            "amount": "Rp16.800",
            "exact": "on",
        },
    )
    assert paid.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == Invoice.PAID
    page = admin.get(payments_url)
    assert "SP2D 900/SP2D/2026 dicatat dan dialokasikan ke SIGAP-2026/INV/2026-01." in page.text
    duplicate = admin.post(
        payments_url,
        {"action": "record", "sp2d_number": "900/SP2D/2026", "sp2d_date": "2026-01-13", "amount": "16800"},
    )
    assert duplicate.status_code == 400
    assert "SP2D 900/SP2D/2026 sudah dicatat sebagai pembayaran #" in duplicate.text
    assert "tidak ada yang dicatat" in duplicate.text and Payment.objects.count() == 1

    # reverse the payment (reason required), record it again, reconcile
    payment = Payment.objects.get()
    refused = admin.post(payments_url, {"action": "reverse", "payment": payment.pk, "reason": ""})
    assert refused.status_code == 400 and Payment.objects.count() == 1
    today.value = dt.date(2026, 1, 26)
    cancelled = admin.post(
        payments_url, {"action": "reverse", "payment": payment.pk, "reason": "salah rekening"}
    )
    assert cancelled.status_code == 302
    reversal = Payment.objects.get(kind="reversal")
    assert (reversal.amount, reversal.sp2d_date, reversal.reason) == (
        -PREMIUM,
        dt.date(2026, 1, 26),
        "salah rekening",
    )
    invoice.refresh_from_db()
    assert invoice.state == Invoice.ISSUED
    assert "Dibatalkan" in admin.get(payments_url).text
    admin.post(
        payments_url,
        {"action": "record", "sp2d_number": "901/SP2D/2026", "sp2d_date": "2026-01-26", "amount": "16800"},
    )
    invoice.refresh_from_db()
    assert invoice.state == Invoice.PAID
    done = admin.post(reverse("web:invoice-detail", args=[invoice.pk]), {"action": "reconcile"})
    assert done.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == Invoice.RECONCILED and invoice.reconciled_by == enrolled.users["admin_dinas"]
    frozen = admin.post(
        reverse("web:invoice-detail", args=[invoice.pk]), {"action": "reverse", "nik": NIK_A, "reason": "x"}
    )
    assert frozen.status_code == 400 and "sudah direkonsiliasi dan tidak dapat diubah" in frozen.text


def test_advance_payment_issues_missing_months(enrolled: Any, login: Any, today: Any) -> None:
    admin = login(enrolled.users["admin_dinas"])
    today.value = dt.date(2026, 1, 25)
    response = admin.post(
        reverse("web:payment-list", args=[enrolled.programme.pk]),
        {
            "action": "record",
            "sp2d_number": "ADV-1",
            "sp2d_date": "2026-01-10",
            "amount": str(3 * 2 * PREMIUM),
            "months": "3",
        },
    )
    assert response.status_code == 302
    assert list(Invoice.objects.order_by("month").values_list("state", flat=True)) == ["paid"] * 3


def test_invoice_list_sort_filter_and_exports(enrolled: Any, login: Any) -> None:
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.core.money import Month

    for month in (1, 2, 3):
        invoice_issue(programme=enrolled.programme, month=Month(2026, month))
    payment_record(
        programme=enrolled.programme, sp2d_number="A", sp2d_date=dt.date(2026, 1, 10), amount=2 * PREMIUM
    )
    auditor = login(enrolled.users["auditor"])
    url = reverse("web:invoice-list", args=[enrolled.programme.pk])
    page = auditor.get(url, {"sort": "-month"})
    assert [str(i.month) for i in page.context["listing"].page] == ["2026-03-01", "2026-02-01", "2026-01-01"]
    assert "Terbitkan tagihan bulan" not in page.text  # read-only role
    assert [i.state for i in auditor.get(url, {"state": "paid"}).context["listing"].page] == ["paid"]
    by_outstanding = auditor.get(url, {"sort": "outstanding"}).context["listing"].page
    assert [i.outstanding for i in by_outstanding] == [0, 2 * PREMIUM, 2 * PREMIUM]
    sheet = openpyxl.load_workbook(io.BytesIO(auditor.get(url, {"format": "xlsx"}).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:7] == ("SIGAP-2026/INV/2026-01", "2026-01", "Lunas", 2, 2 * PREMIUM, 2 * PREMIUM, 0)
    assert len(rows) == 4

    invoice = Invoice.objects.get(month=dt.date(2026, 2, 1))
    lines = auditor.get(reverse("web:invoice-detail", args=[invoice.pk]), {"format": "xlsx", "q": "siti"})
    line_rows = list(openpyxl.load_workbook(io.BytesIO(lines.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in line_rows[1:]] == [NIK_A]
    assert AuditEvent.objects.get(action="invoice.export").actor == enrolled.users["auditor"]
    payments = openpyxl.load_workbook(
        io.BytesIO(
            auditor.get(reverse("web:payment-list", args=[enrolled.programme.pk]), {"format": "xlsx"}).content
        )
    ).active
    assert list(payments.iter_rows(min_row=2, values_only=True))[0][3] == 2 * PREMIUM


def test_realisation_adds_up_and_pimpinan_sees_aggregates_only(enrolled: Any, login: Any, today: Any) -> None:
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.core.money import Month

    invoice_issue(programme=enrolled.programme, month=Month(2026, 1))
    invoice_issue(programme=enrolled.programme, month=Month(2026, 2))
    payment_record(
        programme=enrolled.programme, sp2d_number="A", sp2d_date=dt.date(2026, 1, 10), amount=2 * PREMIUM
    )
    today.value = dt.date(2026, 2, 20)
    page = login(enrolled.users["pimpinan"]).get(reverse("web:realisation", args=[enrolled.programme.pk]))
    r = page.context["r"]
    assert page.status_code == 200 and r.adds_up()
    assert (r.allocated, r.invoiced, r.paid, r.outstanding) == (
        403_200,
        4 * PREMIUM,
        2 * PREMIUM,
        2 * PREMIUM,
    )
    assert r.committed == 2 * 10 * PREMIUM and r.remaining == 0 and r.runs_out is None
    equation = f"{format_rupiah(403_200)} = {format_rupiah(2 * PREMIUM)} + {format_rupiah(2 * PREMIUM)} + {format_rupiah(20 * PREMIUM)} + Rp0"
    assert equation in page.text and "cocok" in page.text
    assert "cukup sampai Desember" in page.text
    assert NIK_A not in page.text and "SITI" not in page.text  # aggregates only

    target = login(enrolled.users["pimpinan"]).get(
        reverse("web:realisation", args=[enrolled.programme.pk]), {"on": "2026-02-20", "target": "10"}
    )
    # 8 more people from March to December: 8 x 10 x Rp16.800
    assert target.context["r"].cost_to_target == 8 * 10 * PREMIUM
    assert format_rupiah(8 * 10 * PREMIUM) in target.text and "Biaya mencapai 10 peserta" in target.text
    earlier = login(enrolled.users["pimpinan"]).get(
        reverse("web:realisation", args=[enrolled.programme.pk]), {"on": "2026-01-05"}
    )
    assert earlier.context["r"].paid == 0  # the SP2D of 10 January is not counted on 5 January
    bad = login(enrolled.users["pimpinan"]).get(
        reverse("web:realisation", args=[enrolled.programme.pk]), {"target": "-3", "on": "kemarin"}
    )
    assert bad.status_code == 400 and bad.text.count('class="errorlist"') == 2


def test_invoice_pdf_is_a_real_document_and_audited(enrolled: Any, login: Any) -> None:
    from pypdf import PdfReader

    from sigap.billing.actions import invoice_issue
    from sigap.core.money import Month

    invoice = invoice_issue(programme=enrolled.programme, month=Month(2026, 1))
    response = login(enrolled.users["kepala_dinas"]).get(
        reverse("web:invoice-detail", args=[invoice.pk]), {"format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "SIGAP-2026/INV/2026-01" in text and "Januari 2026" in text and NIK_A in text and NIK_B in text
    assert "Rp33.600" in text
    assert AuditEvent.objects.get(action="invoice.pdf").after == {"lines": 2}


def test_long_invoice_pdf_is_a_summary_pointing_to_the_excel(
    enrolled: Any, login: Any, monkeypatch: Any
) -> None:
    from pypdf import PdfReader

    from sigap.billing.actions import invoice_issue
    from sigap.core.money import Month

    monkeypatch.setattr("sigap.billing.document.PDF_MAX_LINES", 1)
    invoice = invoice_issue(programme=enrolled.programme, month=Month(2026, 1))
    response = login(enrolled.users["admin_dinas"]).get(
        reverse("web:invoice-detail", args=[invoice.pk]), {"format": "pdf"}
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rincian 2 baris tagihan terdapat pada lampiran Excel" in text and NIK_A not in text
    assert "Rp33.600" in text


def test_payment_list_filter_and_sort(enrolled: Any, login: Any) -> None:
    from sigap.billing.actions import invoice_issue, payment_record, payment_reverse
    from sigap.core.money import Month

    for month in (1, 2):
        invoice_issue(programme=enrolled.programme, month=Month(2026, month))
    first = payment_record(
        programme=enrolled.programme, sp2d_number="B-2", sp2d_date=dt.date(2026, 1, 10), amount=PREMIUM
    )
    payment_record(
        programme=enrolled.programme, sp2d_number="A-1", sp2d_date=dt.date(2026, 2, 10), amount=3 * PREMIUM
    )
    payment_reverse(payment=first, reason="salah", date=dt.date(2026, 2, 11))
    auditor = login(enrolled.users["auditor"])
    url = reverse("web:payment-list", args=[enrolled.programme.pk])
    page = auditor.get(url)
    assert [p.sp2d_number for p, _, _ in page.context["rows"]] == ["B-2", "A-1", "B-2"]  # newest first
    assert "Catat pembayaran SP2D" not in page.text and 'name="reason"' not in page.text  # read-only
    assert [p.amount for p, _, _ in auditor.get(url, {"sort": "amount"}).context["rows"]] == [
        -PREMIUM,
        PREMIUM,
        3 * PREMIUM,
    ]
    assert [p.kind for p, _, _ in auditor.get(url, {"kind": "reversal"}).context["rows"]] == ["reversal"]
    assert [p.sp2d_number for p, _, _ in auditor.get(url, {"sort": "number"}).context["rows"]][0] == "A-1"
