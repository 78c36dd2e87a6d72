"""ADR 0015 at the billing level: arrears paid after their window do not count; months after the
fiscal year are never owed.  Each test reproduces a defect of the code before ADR 0015."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from factories import DAYS_OF_THE_YEAR
from sigap.billing.actions import invoice_issue, lapse_check, payment_record, payment_reverse
from sigap.billing.selectors import member_months, paid_ledger
from sigap.core.money import Month
from sigap.enrolment.models import CoveragePeriod, Member, MemberExit
from sigap.errors import UserError

from .factories import make_members, make_programme

pytestmark = pytest.mark.django_db
PREMIUM = 16_800


def _pay(programme: Any, months: list[int], *, on: dt.date, number: str) -> None:
    invoices = [invoice_issue(programme=programme, month=Month(2026, m)) for m in months]
    payment_record(
        programme=programme,
        sp2d_number=number,
        sp2d_date=on,
        amount=sum(i.total for i in invoices),
        invoices=[i.number for i in invoices],
        exact=True,
    )


@pytest.mark.parametrize("day", DAYS_OF_THE_YEAR, ids=str)
def test_arrears_paid_after_the_window_do_not_prevent_the_lapse(clock: Any, day: dt.date) -> None:
    """January paid on 10 January; the APBD money for February..April comes on 11 May, after the arrears
    window closed on 30 April; May is never paid.  The membership ends on 16 May (May's due date,
    Friday 15 May, passed).  Before ADR 0015 the late SP2D counted and nobody lapsed."""
    clock(day)
    programme = make_programme()
    members = make_members(programme, 3)
    _pay(programme, [1], on=dt.date(2026, 1, 10), number="SP2D-01")
    _pay(programme, [2, 3, 4], on=dt.date(2026, 5, 11), number="SP2D-LATE")
    invoice_issue(programme=programme, month=Month(2026, 5))
    report = lapse_check(programme=programme, on=day)
    if day < dt.date(2026, 5, 16):  # 1 January: nothing is due yet
        assert report.lapsed == [] and report.checked == 3
        return
    assert sorted(r["nik"] for r in report.lapsed) == sorted(m.nik for m in members)
    assert {(r["lapsed_on"], r["last_paid"], r["arrears_payable_until"]) for r in report.lapsed} == {
        ("2026-05-16", "2026-01", "2026-04-30")
    }
    ledger = member_months(member=members[0], on=day)
    assert [row.status for row in ledger.months[:5]] == [
        "paid",
        "paid_late",
        "paid_late",
        "paid_late",
        "unpaid",
    ]
    assert not ledger.arrears_open and ledger.lapse is not None
    assert CoveragePeriod.objects.get(member=members[0]).end_month == dt.date(2026, 5, 1)


def test_a_payment_after_the_lapse_does_not_revive_the_membership() -> None:
    programme = make_programme()
    members = make_members(programme, 2)
    _pay(programme, [1], on=dt.date(2026, 1, 10), number="SP2D-01")
    for m in range(2, 6):
        invoice_issue(programme=programme, month=Month(2026, m))
    assert len(lapse_check(programme=programme, on=dt.date(2026, 5, 20)).lapsed) == 2
    # The APBD money for February..May arrives on 1 June.
    numbers = [f"SIGAP-2026/INV/2026-{m:02d}" for m in range(2, 6)]
    payment_record(
        programme=programme,
        sp2d_number="SP2D-LATE",
        sp2d_date=dt.date(2026, 6, 1),
        amount=4 * 2 * PREMIUM,
        invoices=numbers,
    )
    ledger = member_months(member=members[0], on=dt.date(2026, 6, 2))
    assert ledger.lapse is not None and ledger.lapse.lapsed_on == dt.date(2026, 5, 16)  # still lapsed
    assert {row.status for row in ledger.months[1:5]} == {"paid_late"}
    assert ledger.months[5].status == "not_covered"  # the period closed at the lapse month
    assert lapse_check(programme=programme, on=dt.date(2026, 6, 2)).lapsed == []
    assert set(Member.objects.filter(programme=programme).values_list("state", flat=True)) == {"exited"}
    assert set(MemberExit.objects.values_list("reason", flat=True)) == {"lapsed"}


def test_the_date_a_month_was_paid_is_the_payment_completing_its_invoice() -> None:
    programme = make_programme()
    member = make_members(programme, 2)[0]
    january = invoice_issue(programme=programme, month=Month(2026, 1))
    part = payment_record(programme=programme, sp2d_number="A", sp2d_date=dt.date(2026, 1, 5), amount=PREMIUM)
    payment_record(programme=programme, sp2d_number="B", sp2d_date=dt.date(2026, 1, 12), amount=PREMIUM)
    assert paid_ledger(programme=programme, on=dt.date(2026, 1, 11)) == {}
    assert paid_ledger(programme=programme)[member.pk] == {Month(2026, 1): dt.date(2026, 1, 12)}
    # The first part bounces on 20 January and is paid again on 2 May: paid from 2 May.
    payment_reverse(payment=part, reason="ditolak bank", date=dt.date(2026, 1, 20))
    assert paid_ledger(programme=programme, on=dt.date(2026, 4, 30)) == {}
    payment_record(
        programme=programme,
        sp2d_number="C",
        sp2d_date=dt.date(2026, 5, 2),
        amount=PREMIUM,
        invoices=[january.number],
    )
    assert paid_ledger(programme=programme)[member.pk] == {Month(2026, 1): dt.date(2026, 5, 2)}
    # ...too late for January (window of a run starting in January: until 31 March).
    assert member_months(member=member, on=dt.date(2026, 5, 3)).months[0].status == "paid_late"


def test_months_after_the_fiscal_year_are_never_owed() -> None:
    """January..November paid, December not (the year's last SP2D not recorded); nobody renewed the
    programme.  Before ADR 0015 ``lapse check --on 2027-03-16`` ended every member for "unpaid"
    January..March 2027 while invoicing January 2027 was refused as outside the programme."""
    programme = make_programme()
    members = make_members(programme, 4)
    for m in range(1, 12):
        _pay(programme, [m], on=dt.date(2026, m, 10), number=f"SP2D-{m:02d}")
    invoice_issue(programme=programme, month=Month(2026, 12))
    report = lapse_check(programme=programme, on=dt.date(2027, 3, 16))
    assert (report.checked, report.lapsed) == (4, [])
    ledger = member_months(member=members[0], on=dt.date(2027, 3, 16))
    assert ledger.consecutive_unpaid == 1 and ledger.lapse is None  # December only
    assert ledger.arrears_payable_until == dt.date(2027, 2, 28) and not ledger.arrears_open
    with pytest.raises(UserError, match="di luar masa perlindungan program"):
        invoice_issue(programme=programme, month=Month(2027, 1))
    # A lapse inside the year is still found after it: September..December unpaid.
    other = make_programme(code="RTRW-2026")
    late = make_members(other, 1, first_rank=500)
    for m in range(1, 9):
        _pay(other, [m], on=dt.date(2026, m, 10), number=f"RTRW-{m:02d}")
    found = lapse_check(programme=other, on=dt.date(2027, 3, 16)).lapsed
    assert [(r["nik"], r["lapse_month"], r["lapsed_on"]) for r in found] == [
        (late[0].nik, "2026-12", "2026-12-16")
    ]
