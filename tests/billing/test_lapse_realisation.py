from __future__ import annotations

import datetime as dt

import pytest

from sigap.billing.actions import (
    invoice_issue,
    invoice_line_reverse,
    lapse_check,
    paid_ledger,
    payment_record,
    payment_reverse,
)
from sigap.billing.models import Invoice
from sigap.billing.selectors import member_months, realisation
from sigap.core import coverage
from sigap.core.money import Month
from sigap.core.tariff import period_cost
from sigap.enrolment.models import CoveragePeriod, Member, MemberExit

from .factories import make_members, make_programme, make_run

pytestmark = pytest.mark.django_db
JAN = Month(2026, 1)


def _issue_and_pay(programme, month: Month, *, paid_on: dt.date) -> Invoice:  # type: ignore[no-untyped-def]
    invoice = invoice_issue(programme=programme, month=month)
    payment_record(
        programme=programme, sp2d_number=f"SP2D-{month}", sp2d_date=paid_on, amount=invoice.total, exact=True
    )
    return invoice


def test_four_unpaid_months_lapse_everyone_but_arrears_paid_in_time_do_not() -> None:
    programme = make_programme()
    late = make_members(programme, 3)
    on_time = make_members(programme, 2, start=Month(2026, 3), first_rank=50)  # covered from March
    _issue_and_pay(programme, JAN, paid_on=dt.date(2026, 1, 10))
    for m in Month(2026, 2).through(Month(2026, 6)):
        invoice_issue(programme=programme, month=m)

    # 15 May: Feb, Mar, Apr in arrears (3 months) -> no lapse yet; window open until 30 April... closed,
    # but the membership only ends when May's due date passes.
    report = lapse_check(programme=programme, on=dt.date(2026, 5, 15))
    assert report.lapsed == []
    ledger = member_months(member=late[0], on=dt.date(2026, 4, 30))
    assert ledger.consecutive_unpaid == 3 and ledger.arrears_payable_until == dt.date(2026, 4, 30)
    assert ledger.months[0].status == coverage.MonthStatus.PAID
    assert ledger.months[1].status == coverage.MonthStatus.ARREARS
    assert ledger.months[4].status == coverage.MonthStatus.NOT_YET_DUE

    # 16 May: May's due date (15 May, a Friday) has passed -> the Jan-paid members lapse; the March
    # starters have only Mar, Apr, May unpaid (3) and stay.
    report = lapse_check(programme=programme, on=dt.date(2026, 5, 16))
    assert sorted(r["nik"] for r in report.lapsed) == sorted(m.nik for m in late)
    assert report.lapsed[0] | {"nik": ""} == {
        "nik": "",
        "last_paid": "2026-01",
        "first_unpaid": "2026-02",
        "lapse_month": "2026-05",
        "lapsed_on": "2026-05-16",
        "arrears_payable_until": "2026-04-30",
    }
    for m in late:
        m.refresh_from_db()
        assert m.state == Member.EXITED
        assert m.exit.reason == MemberExit.LAPSED and m.exit.source == "billing"
        assert CoveragePeriod.objects.get(member=m).end_month == dt.date(2026, 5, 1)
    assert all(Member.objects.get(pk=m.pk).state == Member.ACTIVE for m in on_time)
    # Running the check again changes nothing.
    assert lapse_check(programme=programme, on=dt.date(2026, 5, 16)).lapsed == []
    # June's invoice was issued before the lapse (5 lines); July's bills only the March starters.
    assert invoice_issue(programme=programme, month=Month(2026, 7)).line_count == 2


def test_arrears_paid_within_the_window_prevent_the_lapse() -> None:
    programme = make_programme()
    make_members(programme, 4)
    _issue_and_pay(programme, JAN, paid_on=dt.date(2026, 1, 10))
    for m in Month(2026, 2).through(Month(2026, 5)):
        invoice_issue(programme=programme, month=m)
    # APBD disbursed late, on 28 April: Feb-Apr arrears paid inside the window.
    payment_record(programme=programme, sp2d_number="LATE", sp2d_date=dt.date(2026, 4, 28), amount=3 * 67_200)
    assert lapse_check(programme=programme, on=dt.date(2026, 6, 1)).lapsed == []
    # As seen on 1 June, May is in arrears only (1 month).
    member = Member.objects.filter(programme=programme).first()
    assert member_months(member=member, on=dt.date(2026, 6, 1)).consecutive_unpaid == 1


def test_payments_dated_after_the_check_and_reversed_payments_do_not_count() -> None:
    programme = make_programme()
    make_members(programme, 2)
    for m in JAN.through(Month(2026, 4)):
        invoice_issue(programme=programme, month=m)
    payment = payment_record(
        programme=programme, sp2d_number="P", sp2d_date=dt.date(2026, 1, 5), amount=33_600
    )
    assert len(next(iter(paid_ledger(programme=programme, on=dt.date(2026, 1, 5)).values()))) == 1
    assert paid_ledger(programme=programme, on=dt.date(2026, 1, 4)) == {}
    payment_reverse(payment=payment, reason="bounced", date=dt.date(2026, 2, 1))
    assert paid_ledger(programme=programme, on=dt.date(2026, 1, 31)) != {}
    assert paid_ledger(programme=programme, on=dt.date(2026, 2, 1)) == {}
    report = lapse_check(programme=programme, on=dt.date(2026, 4, 16))  # Jan..Apr unpaid, 15 Apr passed
    assert len(report.lapsed) == 2 and report.lapsed[0]["last_paid"] == "2025-12"


def test_realisation_adds_up_to_the_rupiah_across_a_year() -> None:
    budget = 40_000_000
    programme = make_programme(budget=budget)
    make_run(programme, selected=20)
    members = make_members(programme, 20)
    per_month = 20 * 16_800
    r0 = realisation(programme=programme, on=dt.date(2026, 1, 1))
    assert r0.committed == 20 * period_cost(JAN, Month(2026, 12)) == 4_032_000
    assert r0.remaining == budget - 4_032_000 and r0.runs_out is None and r0.adds_up()

    for i, month in enumerate(JAN.through(Month(2026, 12))):
        on = dt.date(2026, month.month, 10)
        invoice = invoice_issue(programme=programme, month=month)
        if month.month != 4:  # April paid late, in May, in two parts
            payment_record(programme=programme, sp2d_number=f"S{i}", sp2d_date=on, amount=invoice.total)
        if month.month == 5:
            payment_record(programme=programme, sp2d_number="S-APR-1", sp2d_date=on, amount=100_000)
            payment_record(
                programme=programme, sp2d_number="S-APR-2", sp2d_date=on, amount=per_month - 100_000
            )
        if month.month == 6:  # a member died in May: June line reversed, exit recorded
            invoice_line_reverse(line=invoice.lines.get(member=members[0]), reason="meninggal 20 Mei")
            CoveragePeriod.objects.filter(member=members[0]).update(end_month=dt.date(2026, 5, 1))
            Member.objects.filter(pk=members[0].pk).update(state=Member.EXITED)
        r = realisation(programme=programme, on=on)
        assert r.adds_up(), r
        billed = sum(Invoice.objects.filter(programme=programme).values_list("total", flat=True))
        assert r.invoiced == billed
        months_left = 12 - month.month
        active = 19 if month.month >= 6 else 20
        assert r.committed == active * months_left * 16_800
        assert r.remaining == budget - billed - r.committed
        assert r.members == active
        assert r.cost_to_fill == (20 - active) * months_left * 16_800
        if month.month == 4:
            assert r.outstanding == per_month
    final = realisation(programme=programme, on=dt.date(2026, 12, 31))
    # 20 members x 5 months + 19 x 7 months, minus nothing else; June paid in full then its line reversed.
    assert final.invoiced == (20 * 5 + 19 * 7) * 16_800
    assert final.paid == 6 * per_month + 6 * 19 * 16_800  # July-December bill 19 members
    assert final.outstanding == -16_800  # the credit left by the June reversal
    assert final.committed == 0 and final.remaining == budget - final.invoiced
    assert final.allocated == final.paid + final.outstanding + final.committed + final.remaining


def test_runs_out_month_and_target_cost() -> None:
    programme = make_programme(budget=1_000_000)  # 10 members at Rp168.000 a month: lasts 5 months
    make_run(programme, selected=12)
    make_members(programme, 10)
    r = realisation(programme=programme, on=dt.date(2026, 1, 5), target=15)
    assert r.runs_out == Month(2026, 6)
    assert r.remaining == 1_000_000 - 12 * 168_000 < 0
    assert r.quota == 12 and r.cost_to_fill == 2 * 11 * 16_800  # February..December
    assert r.cost_to_target == 5 * 11 * 16_800
    assert r.adds_up()
