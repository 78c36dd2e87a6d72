from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from django.db import connection

from sigap.audit.models import AuditEvent
from sigap.billing.actions import (
    PaymentConflict,
    invoice_issue,
    invoice_reconcile,
    payment_post,
    payment_record,
    payment_reverse,
)
from sigap.billing.models import Invoice, Payment, PaymentAllocation
from sigap.core.money import Month
from sigap.errors import UserError

from .factories import make_members, make_programme

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = Month(2026, 1), Month(2026, 2), Month(2026, 3)
D = dt.date(2026, 1, 20)


@pytest.fixture
def programme():  # type: ignore[no-untyped-def]
    p = make_programme()
    make_members(p, 10)  # Rp168.000 a month
    return p


def _state(number: str) -> tuple[str, int]:
    inv = Invoice.objects.get(number=number)
    paid = sum(inv.allocations.values_list("amount", flat=True))
    return inv.state, inv.total - paid


def test_full_payment_marks_the_invoice_paid(programme) -> None:  # type: ignore[no-untyped-def]
    invoice_issue(programme=programme, month=JAN)
    payment = payment_record(
        programme=programme, sp2d_number="SP2D/001", sp2d_date=D, amount=168_000, exact=True
    )
    assert payment.amount == 168_000
    assert _state("SIGAP-2026/INV/2026-01") == (Invoice.PAID, 0)


def test_partial_payments_leave_a_balance_then_pay_oldest_first(programme) -> None:  # type: ignore[no-untyped-def]
    invoice_issue(programme=programme, month=JAN)
    invoice_issue(programme=programme, month=FEB)
    payment_record(programme=programme, sp2d_number="A", sp2d_date=D, amount=100_000)
    assert _state("SIGAP-2026/INV/2026-01") == (Invoice.ISSUED, 68_000)
    payment_record(programme=programme, sp2d_number="B", sp2d_date=D, amount=100_000)
    assert _state("SIGAP-2026/INV/2026-01") == (Invoice.PAID, 0)
    assert _state("SIGAP-2026/INV/2026-02") == (Invoice.ISSUED, 136_000)
    # Naming an invoice pays that one.
    payment_record(
        programme=programme, sp2d_number="C", sp2d_date=D, amount=136_000, invoices=["SIGAP-2026/INV/2026-02"]
    )
    assert _state("SIGAP-2026/INV/2026-02") == (Invoice.PAID, 0)


@pytest.mark.parametrize("months", [3, 6, 12])
def test_advance_payment_issues_future_invoices_and_allocates(programme, months: int) -> None:  # type: ignore[no-untyped-def]
    invoice_issue(programme=programme, month=JAN)  # already issued: reused, not issued twice
    payment_record(
        programme=programme,
        sp2d_number="ADV",
        sp2d_date=D,
        amount=months * 168_000,
        months=months,
        exact=True,
    )
    invoices = Invoice.objects.filter(programme=programme).order_by("month")
    assert [Month.of(i.month) for i in invoices] == JAN.through(JAN + (months - 1))
    assert {i.state for i in invoices} == {Invoice.PAID}


def test_advance_beyond_the_fiscal_year_is_refused(programme) -> None:  # type: ignore[no-untyped-def]
    for m in JAN.through(Month(2026, 8)):
        invoice_issue(programme=programme, month=m)
        payment_record(programme=programme, sp2d_number=f"P{m}", sp2d_date=D, amount=168_000)
    with pytest.raises(UserError, match="melewati tahun anggaran"):
        payment_record(programme=programme, sp2d_number="X", sp2d_date=D, amount=168_000 * 6, months=6)
    with pytest.raises(UserError, match="3, 6 atau 12"):
        payment_record(programme=programme, sp2d_number="X", sp2d_date=D, amount=168_000, months=2)
    assert Invoice.objects.count() == 8 and not Payment.objects.filter(sp2d_number="X").exists()


def test_overpayment_and_inexact_amounts_are_refused_with_nothing_recorded(programme) -> None:  # type: ignore[no-untyped-def]
    invoice_issue(programme=programme, month=JAN)
    with pytest.raises(UserError, match=r"kelebihan bayar Rp1\.000 ditolak"):
        payment_record(programme=programme, sp2d_number="O", sp2d_date=D, amount=169_000)
    with pytest.raises(UserError, match=r"tidak sama dengan sisa tagihan Rp168\.000"):
        payment_record(programme=programme, sp2d_number="O", sp2d_date=D, amount=160_000, exact=True)
    with pytest.raises(UserError, match="di atas 0"):
        payment_record(programme=programme, sp2d_number="O", sp2d_date=D, amount=0)
    with pytest.raises(UserError, match="tidak ada"):
        payment_record(programme=programme, sp2d_number="O", sp2d_date=D, amount=1, invoices=["NOPE"])
    assert not Payment.objects.exists() and not PaymentAllocation.objects.exists()


def test_same_sp2d_twice_names_the_earlier_payment(programme) -> None:  # type: ignore[no-untyped-def]
    invoice_issue(programme=programme, month=JAN)
    first = payment_record(programme=programme, sp2d_number="SP2D/77", sp2d_date=D, amount=50_000)
    with pytest.raises(
        UserError,
        match=rf"sudah dicatat sebagai pembayaran #{first.pk} \(SIGAP-2026, tanggal SP2D 20 Januari 2026",
    ):
        payment_record(programme=programme, sp2d_number="SP2D/77", sp2d_date=D, amount=50_000)
    assert Payment.objects.count() == 1


def test_an_sp2d_posted_again_is_the_same_payment_or_a_conflict(programme) -> None:  # type: ignore[no-untyped-def]
    invoice_issue(programme=programme, month=JAN)
    first = payment_post(programme=programme, sp2d_number="SP2D/88", sp2d_date=D, amount=50_000)
    assert first.created and first.payment.amount == 50_000

    def money() -> tuple[object, ...]:
        return (
            list(Payment.objects.values_list("sp2d_number", "amount")),
            list(PaymentAllocation.objects.values_list("invoice__number", "amount")),
            AuditEvent.objects.filter(action__in=["payment.record", "invoice.state"]).count(),
            _state("SIGAP-2026/INV/2026-01"),
        )

    recorded = money()
    assert recorded[:2] == ([("SP2D/88", 50_000)], [("SIGAP-2026/INV/2026-01", 50_000)])
    again = payment_post(programme=programme, sp2d_number=" SP2D/88 ", sp2d_date=D, amount=50_000, exact=True)
    assert (again.created, again.payment) == (False, first.payment)
    assert money() == recorded  # no second payment, allocation or audit row

    with pytest.raises(PaymentConflict) as refused:
        payment_post(
            programme=programme, sp2d_number="SP2D/88", sp2d_date=dt.date(2026, 1, 21), amount=50_001
        )
    conflict = refused.value
    assert conflict.payment == first.payment
    assert [(d.field, d.recorded, d.sent) for d in conflict.differences] == [
        ("sp2d_date", D, dt.date(2026, 1, 21)),
        ("amount", 50_000, 50_001),
    ]
    assert f"SP2D SP2D/88 sudah dicatat sebagai pembayaran #{first.payment.pk}" in conflict.message
    assert "berbeda dengan yang dikirim (tanggal SP2D, jumlah)" in conflict.message
    assert "batalkan lalu catat SP2D yang benar" in conflict.message
    assert conflict.details == [
        "tanggal SP2D: tercatat 20 Januari 2026, dikirim 21 Januari 2026",
        "jumlah: tercatat Rp50.000, dikirim Rp50.001",
    ]
    assert money() == recorded
    # An officer recording the number by hand is still told it is taken, even for the same payment.
    with pytest.raises(UserError, match="sudah dicatat sebagai") as typed:
        payment_record(programme=programme, sp2d_number="SP2D/88", sp2d_date=D, amount=50_000)
    assert not isinstance(typed.value, PaymentConflict)
    assert money() == recorded


def test_payment_for_a_reconciled_invoice_is_refused(programme) -> None:  # type: ignore[no-untyped-def]
    inv = invoice_issue(programme=programme, month=JAN)
    payment_record(programme=programme, sp2d_number="S1", sp2d_date=D, amount=168_000)
    invoice_reconcile(invoice=inv)
    with pytest.raises(UserError, match="sudah direkonsiliasi"):
        payment_record(programme=programme, sp2d_number="S2", sp2d_date=D, amount=1, invoices=[inv.number])
    with pytest.raises(UserError, match="tidak ada tagihan belum lunas"):
        payment_record(programme=programme, sp2d_number="S2", sp2d_date=D, amount=1)


def test_payment_reversal_reopens_invoices_and_is_an_entry_not_an_edit(programme) -> None:  # type: ignore[no-untyped-def]
    invoice_issue(programme=programme, month=JAN)
    invoice_issue(programme=programme, month=FEB)
    payment = payment_record(programme=programme, sp2d_number="S1", sp2d_date=D, amount=200_000)
    reversal = payment_reverse(payment=payment, reason="wrong SP2D amount", date=dt.date(2026, 1, 22))
    assert reversal.amount == -200_000 and reversal.kind == Payment.REVERSAL
    payment.refresh_from_db()
    assert payment.amount == 200_000 and payment.reversed_by == reversal
    assert _state("SIGAP-2026/INV/2026-01") == (Invoice.ISSUED, 168_000)
    assert _state("SIGAP-2026/INV/2026-02") == (Invoice.ISSUED, 168_000)
    with pytest.raises(UserError, match="sudah dibatalkan"):
        payment_reverse(payment=payment, reason="again")
    with pytest.raises(UserError, match="sudah dicatat"):  # the number stays used
        payment_record(programme=programme, sp2d_number="S1", sp2d_date=D, amount=168_000)
    payment_record(programme=programme, sp2d_number="S1-B", sp2d_date=D, amount=336_000, exact=True)
    assert _state("SIGAP-2026/INV/2026-02") == (Invoice.PAID, 0)


def test_reversal_touching_a_reconciled_invoice_is_refused(programme) -> None:  # type: ignore[no-untyped-def]
    inv = invoice_issue(programme=programme, month=JAN)
    payment = payment_record(programme=programme, sp2d_number="S1", sp2d_date=D, amount=168_000)
    invoice_reconcile(invoice=inv)
    with pytest.raises(UserError, match="tidak dapat dibatalkan"):
        payment_reverse(payment=payment, reason="x")
    assert Payment.objects.count() == 1


POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.skipif(not POSTGRES, reason="concurrency guarantee is checked on PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_sp2d_record_one_payment() -> None:
    programme = make_programme()
    make_members(programme, 10)
    invoice_issue(programme=programme, month=JAN)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            payment_record(programme=programme, sp2d_number="RACE", sp2d_date=D, amount=100_000)
            outcomes.append("ok")
        except UserError as e:
            outcomes.append(e.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[:2] for o in outcomes) == ["SP", "ok"]
    assert Payment.objects.filter(sp2d_number="RACE").count() == 1
    assert sum(PaymentAllocation.objects.values_list("amount", flat=True)) == 100_000


@pytest.mark.skipif(not POSTGRES, reason="concurrency guarantee is checked on PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_sp2d_are_one_payment_and_one_replay() -> None:
    programme = make_programme()
    make_members(programme, 10)
    invoice_issue(programme=programme, month=JAN)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def post() -> None:
        try:
            barrier.wait()
            outcomes.append(
                payment_post(programme=programme, sp2d_number="RACE", sp2d_date=D, amount=100_000).created
            )
        except UserError as e:
            outcomes.append(e.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [False, True]
    assert Payment.objects.filter(sp2d_number="RACE").count() == 1
    assert sum(PaymentAllocation.objects.values_list("amount", flat=True)) == 100_000
