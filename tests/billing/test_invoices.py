from __future__ import annotations

import datetime as dt

import pytest

from sigap.audit.models import AuditEvent
from sigap.billing.actions import invoice_issue, invoice_line_reverse, invoice_reconcile, payment_record
from sigap.billing.models import Invoice, InvoiceLine
from sigap.core.money import Month
from sigap.core.tariff import monthly_premium
from sigap.enrolment.models import Member
from sigap.errors import UserError

from .factories import make_members, make_programme

pytestmark = pytest.mark.django_db
JAN, FEB = Month(2026, 1), Month(2026, 2)


def test_one_line_per_covered_member_and_month() -> None:
    programme = make_programme()
    make_members(programme, 12)
    make_members(programme, 3, start=Month(2026, 3), first_rank=100)  # covered from March only
    make_members(programme, 4, state=Member.SENT, first_rank=200)  # not accepted by BPJS TK: not billed
    make_members(programme, 2, state=Member.EXITED, end=JAN, first_rank=300)  # exited: billed through Jan

    jan = invoice_issue(programme=programme, month=JAN)
    assert jan.number == "SIGAP-2026/INV/2026-01"
    assert jan.state == Invoice.ISSUED
    assert jan.line_count == 14 == jan.lines.count()
    assert jan.total == 14 * 16_800 == sum(jan.lines.values_list("amount", flat=True))
    assert jan.due_date == dt.date(2026, 1, 15)
    assert set(jan.lines.values_list("month", flat=True)) == {dt.date(2026, 1, 1)}

    feb = invoice_issue(programme=programme, month=FEB)
    assert feb.line_count == 12
    assert feb.due_date == dt.date(2026, 2, 16)  # 15 Feb 2026 is a Sunday
    mar = invoice_issue(programme=programme, month=Month(2026, 3))
    assert mar.line_count == 15
    assert AuditEvent.objects.filter(action="invoice.issue").count() == 3


def test_apbd_never_gets_the_pp50_discount_but_the_bracket_counts() -> None:
    programme = make_programme(tariff={"income_bracket": 2_000_000})
    make_members(programme, 5)
    invoice = invoice_issue(programme=programme, month=JAN)
    # JKK 1% of Rp2.000.000 + JKM Rp6.800; PP 50/2025 excludes APBD-paid participants.
    assert invoice.total == 5 * 26_800 == 5 * monthly_premium(JAN, funding="APBD", income_bracket=2_000_000)


def test_reissuing_a_month_is_refused_and_names_the_invoice() -> None:
    programme = make_programme()
    make_members(programme, 3)
    invoice_issue(programme=programme, month=JAN)
    with pytest.raises(UserError, match="sudah diterbitkan sebagai SIGAP-2026/INV/2026-01"):
        invoice_issue(programme=programme, month=JAN)
    assert Invoice.objects.count() == 1
    assert InvoiceLine.objects.count() == 3


def test_month_outside_the_programme_and_empty_month_are_refused() -> None:
    programme = make_programme(coverage_start="2026-03")
    make_members(programme, 3)
    with pytest.raises(UserError, match="di luar masa perlindungan program"):
        invoice_issue(programme=programme, month=FEB)
    with pytest.raises(UserError, match="di luar"):
        invoice_issue(programme=programme, month=Month(2027, 1))
    other = make_programme(code="EMPTY")
    with pytest.raises(UserError, match="tidak ada peserta yang dilindungi"):
        invoice_issue(programme=other, month=JAN)
    assert not Invoice.objects.exists()  # nothing half-written


def test_line_reversal_adjusts_total_and_is_refused_twice_or_when_reconciled() -> None:
    programme = make_programme()
    members = make_members(programme, 4)
    invoice = invoice_issue(programme=programme, month=JAN)
    line = invoice.lines.get(member=members[0])
    reversal = invoice_line_reverse(line=line, reason="meninggal 28 Des 2025")
    invoice.refresh_from_db()
    assert reversal.amount == -16_800 and reversal.reverses == line
    assert invoice.total == 3 * 16_800 and invoice.line_count == 3
    assert line.amount == 16_800  # the original line is never edited
    with pytest.raises(UserError, match="sudah dibatalkan"):
        invoice_line_reverse(line=line, reason="again")
    with pytest.raises(UserError, match="hanya baris iuran"):
        invoice_line_reverse(line=reversal, reason="x")
    with pytest.raises(UserError, match="perlu alasan"):
        invoice_line_reverse(line=invoice.lines.get(member=members[1]), reason=" ")

    payment_record(
        programme=programme, sp2d_number="SP2D-1", sp2d_date=dt.date(2026, 1, 10), amount=invoice.total
    )
    invoice.refresh_from_db()
    assert invoice.state == Invoice.PAID
    invoice_reconcile(invoice=invoice)
    with pytest.raises(UserError, match="sudah direkonsiliasi dan tidak dapat diubah"):
        invoice_line_reverse(line=invoice.lines.get(member=members[1]), reason="late death report")


def test_reversal_on_a_paid_invoice_leaves_a_credit_that_blocks_reconciliation() -> None:
    programme = make_programme()
    members = make_members(programme, 2)
    invoice = invoice_issue(programme=programme, month=JAN)
    payment_record(programme=programme, sp2d_number="S1", sp2d_date=dt.date(2026, 1, 10), amount=33_600)
    invoice_line_reverse(line=invoice.lines.get(member=members[1]), reason="died in December")
    invoice.refresh_from_db()
    assert invoice.state == Invoice.PAID and invoice.total == 16_800
    with pytest.raises(UserError, match=r"kelebihan Rp16\.800"):
        invoice_reconcile(invoice=invoice)


def test_reconcile_needs_a_paid_invoice() -> None:
    programme = make_programme()
    make_members(programme, 2)
    invoice = invoice_issue(programme=programme, month=JAN)
    with pytest.raises(UserError, match="hanya tagihan lunas"):
        invoice_reconcile(invoice=invoice)


def test_members_accepted_after_the_invoice_go_on_a_supplementary_invoice() -> None:
    from sigap.billing.actions import invoice_supplement
    from sigap.billing.selectors import realisation

    programme = make_programme()
    make_members(programme, 10)
    feb = invoice_issue(programme=programme, month=FEB)
    with pytest.raises(UserError, match="sudah ada di tagihan; tagihan tambahan tidak diperlukan"):
        invoice_supplement(programme=programme, month=FEB)
    with pytest.raises(UserError, match="belum punya tagihan"):
        invoice_supplement(programme=programme, month=Month(2026, 3))

    # BPJS TK's answer for a second batch arrives in March, effective 10 February
    late = make_members(programme, 3, start=FEB, first_rank=500)
    with pytest.raises(UserError, match="tagihan tambahan"):
        invoice_issue(programme=programme, month=FEB)
    extra = invoice_supplement(programme=programme, month=FEB)
    assert extra.number == "SIGAP-2026/INV/2026-02/T1" and extra.supplement == 1
    assert extra.line_count == 3 and extra.total == 3 * 16_800
    assert set(extra.lines.values_list("member_id", flat=True)) == {m.pk for m in late}
    assert feb.lines.count() == 10  # the first invoice never changes

    # a reversed line (billed by mistake, then cancelled) is billed again only if still covered
    line = feb.lines.first()
    invoice_line_reverse(line=line, reason="double entry test")
    again = invoice_supplement(programme=programme, month=FEB)
    assert again.number.endswith("/T2") and list(again.lines.values_list("member_id", flat=True)) == [
        line.member_id
    ]

    # oldest first: the default payment pays the month's invoice, then its supplements
    payment_record(
        programme=programme, sp2d_number="SP2D-1", sp2d_date=dt.date(2026, 3, 20), amount=14 * 16_800 - 16_800
    )
    feb.refresh_from_db()
    extra.refresh_from_db()
    again.refresh_from_db()
    assert (feb.state, extra.state, again.state) == (Invoice.PAID, Invoice.PAID, Invoice.PAID)
    figures = realisation(programme=programme, on=dt.date(2026, 3, 31))
    assert figures.invoiced == 13 * 16_800
