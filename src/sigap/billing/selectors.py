"""Read-only queries for billing: premiums, the paid ledger, coverage periods, budget realisation and a
member's month-by-month ledger (the actions in :mod:`sigap.billing.actions` build on them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from sigap.billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from sigap.core import coverage
from sigap.core.money import Month
from sigap.core.realisation import Enrolled, Realisation, realise
from sigap.enrolment.models import CoveragePeriod, Member
from sigap.holidays.selectors import holiday_dates
from sigap.programmes.models import Programme, TargetingRun

ISSUED_STATES = (Invoice.ISSUED, Invoice.PAID, Invoice.RECONCILED)
BILLED_STATES = (Member.ACTIVE, Member.EXITED)


def premium_components_for(programme: Programme, month: Month) -> dict[str, int]:
    """Premium per member for ``month`` per programme (``jkk``, ``jkm`` and ``jht`` when the programme
    pays it), from its definition and the tariff of the month: funding from the programme, so no BPU
    discount for APBD."""
    return programme.to_spec().monthly_components(month)


def premium_for(programme: Programme, month: Month) -> int:
    """Premium per member for ``month`` (the sum of :func:`premium_components_for`)."""
    return sum(premium_components_for(programme, month).values())


def paid_ledger(
    *, programme: Programme, on: dt.date | None = None, member: Member | None = None
) -> dict[int, dict[Month, dt.date]]:
    """member id -> {month paid: date paid} (few queries): premium lines not reversed on invoices fully
    paid by ``on``.

    The date a month was paid is the SP2D date of the payment that made its invoice fully paid (the
    last time its balance reached zero, reversals included); with ``on``, only payments (and
    reversals) dated on or before ``on`` count.  ``sigap.core.coverage`` needs the dates: arrears paid
    after their window do not restore protection (ADR 0015).
    """
    totals = dict(
        Invoice.objects.filter(
            programme=programme, state__in=[Invoice.ISSUED, Invoice.PAID, Invoice.RECONCILED]
        ).values_list("id", "total")
    )
    allocations = PaymentAllocation.objects.filter(invoice_id__in=list(totals))
    if on is not None:
        allocations = allocations.filter(payment__sp2d_date__lte=on)
    balance: dict[int, int] = defaultdict(int)
    paid_on: dict[int, dt.date] = {}
    for invoice_id, day, amount in (
        allocations.values_list("invoice_id", "payment__sp2d_date")
        .annotate(s=Sum("amount"))
        .order_by("invoice_id", "payment__sp2d_date")
    ):
        was_paid = invoice_id in paid_on
        balance[invoice_id] += int(amount)
        if balance[invoice_id] >= totals[invoice_id]:
            if not was_paid:
                paid_on[invoice_id] = day
        else:
            paid_on.pop(invoice_id, None)
    ledger: dict[int, dict[Month, dt.date]] = defaultdict(dict)
    rows = InvoiceLine.objects.filter(
        invoice_id__in=list(paid_on), kind=InvoiceLine.PREMIUM, reversed_by__isnull=True
    )
    if member is not None:
        rows = rows.filter(member=member)
    for member_id, month, invoice_id in rows.values_list("member_id", "month", "invoice_id").iterator(
        chunk_size=20_000
    ):
        key, day = Month.of(month), paid_on[invoice_id]
        months = ledger[member_id]
        if key not in months or day < months[key]:
            months[key] = day
    return ledger


def programme_months(programme: Programme) -> tuple[Month, Month]:
    """The months a programme pays for: its coverage start to December of its fiscal year."""
    return Month.parse(programme.coverage_start), Month(programme.fiscal_year, 12)


def member_periods(
    members: Sequence[int] | None, *, programme: Programme
) -> dict[int, list[coverage.Period]]:
    """member id -> coverage periods, cut to the programme's months (``coverage.within``): a period
    still open ends in December of the fiscal year; nothing after it is covered, owed or in arrears."""
    qs = CoveragePeriod.objects.filter(member__programme=programme)
    if members is not None:
        qs = qs.filter(member_id__in=members)
    stored: dict[int, list[coverage.Period]] = defaultdict(list)
    for member_id, start, end in qs.values_list("member_id", "start_month", "end_month"):
        stored[member_id].append(coverage.Period(Month.of(start), Month.of(end) if end else None))
    first, last = programme_months(programme)
    periods: dict[int, list[coverage.Period]] = defaultdict(list)
    for member_id, found in stored.items():
        periods[member_id] = coverage.within(found, first=first, last=last)
    return periods


def quota(programme: Programme) -> int:
    """The originally selected count: the first approved (or enrolled) initial run, else the member count."""
    run = (
        TargetingRun.objects.filter(
            programme=programme,
            kind=TargetingRun.INITIAL,
            state__in=TargetingRun.IN_FORCE,
        )
        .order_by("id")
        .first()
    )
    if run is not None:
        return int(run.selected)
    return Member.objects.filter(programme=programme).count()


def realisation(*, programme: Programme, on: dt.date, target: int | None = None) -> Realisation:
    """Budget realisation of ``programme``'s fiscal year; payments dated after ``on`` are not counted."""
    year = programme.fiscal_year
    invoices = Invoice.objects.filter(
        programme=programme,
        state__in=ISSUED_STATES,
        month__gte=dt.date(year, 1, 1),
        month__lte=dt.date(year, 12, 1),
    )
    invoiced = int(invoices.aggregate(s=Sum("total"))["s"] or 0)
    paid = int(
        PaymentAllocation.objects.filter(invoice__in=invoices, payment__sp2d_date__lte=on).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    months = [Month.of(d) for d in invoices.values_list("month", flat=True)]
    periods = CoveragePeriod.objects.filter(
        member__programme=programme, member__state__in=BILLED_STATES
    ).values_list("start_month", "end_month")
    members = [Enrolled(Month.of(s), Month.of(e) if e else None) for s, e in periods]
    spec = programme.to_spec()
    return realise(
        allocated=int(programme.budget),
        fiscal_year=year,
        members=members,
        invoiced=invoiced,
        paid=paid,
        invoiced_months=months,
        on=on,
        quota=quota(programme),
        target=target,
        funding=programme.funding,
        income_bracket=spec.income_bracket,
        include_jht=spec.include_jht,
        invoiced_components=invoiced_components(invoices),
    )


def invoiced_components(invoices: QuerySet[Invoice]) -> dict[str, int]:
    """The net total of ``invoices`` per programme (each invoice's frozen premium breakdown x its
    premium lines not reversed); invoices issued without a breakdown are left out (the caller
    reports the difference)."""
    parts: dict[str, int] = {}
    for line_count, components in invoices.values_list("line_count", "premium_components"):
        for code, amount in (components or {}).items():
            parts[code] = parts.get(code, 0) + int(line_count) * int(amount)
    return parts


@dataclass(frozen=True)
class MemberMonth:
    month: Month
    status: coverage.MonthStatus
    due_date: dt.date
    billed: int  # net amount on invoices for this member and month
    invoice: str | None


@dataclass(frozen=True)
class MemberLedger:
    member: Member
    on: dt.date
    months: tuple[MemberMonth, ...]
    consecutive_unpaid: int
    arrears_payable_until: dt.date | None
    lapse: coverage.Lapse | None

    @property
    def arrears_open(self) -> bool:
        """The arrears may still be paid on ``on`` (never after their window closed, ADR 0015)."""
        return self.arrears_payable_until is not None and self.on <= self.arrears_payable_until


def member_months(*, member: Member, on: dt.date) -> MemberLedger:
    """Every month of the member's fiscal year with its status on ``on`` (payments up to ``on``).

    ``lapse`` and ``arrears_payable_until`` are those of the member's current membership (from its
    latest coverage period): an earlier lapse, before a reinstatement, is history.
    """
    programme = member.programme
    periods = member_periods([member.pk], programme=programme).get(member.pk, [])
    paid = paid_ledger(programme=programme, on=on, member=member).get(member.pk, {})
    since = max((p.start for p in periods), default=None)
    billed: dict[Month, tuple[int, str | None]] = {}
    for day, line_amount, line_invoice in InvoiceLine.objects.filter(member=member).values_list(
        "month", "amount", "invoice__number"
    ):
        prev = billed.get(Month.of(day), (0, line_invoice))
        billed[Month.of(day)] = (prev[0] + line_amount, line_invoice)
    holidays = holiday_dates()
    year = list(Month(programme.fiscal_year, 1).through(Month(programme.fiscal_year, 12)))
    statuses = coverage.month_statuses(year, periods=periods, paid=paid, on=on, holidays=holidays)
    rows = []
    for month in year:
        amount, number = billed.get(month, (0, None))
        rows.append(
            MemberMonth(
                month=month,
                status=statuses[month],
                due_date=coverage.due_date(month, holidays),
                billed=amount,
                invoice=number,
            )
        )
    return MemberLedger(
        member=member,
        on=on,
        months=tuple(rows),
        consecutive_unpaid=coverage.consecutive_unpaid(periods=periods, paid=paid, on=on, holidays=holidays),
        arrears_payable_until=coverage.arrears_payable_until(
            periods=periods, paid=paid, on=on, holidays=holidays, since=since
        ),
        lapse=coverage.lapse(periods=periods, paid=paid, on=on, holidays=holidays, since=since),
    )


__all__ = ["MemberLedger", "MemberMonth", "member_months", "premium_for", "quota", "realisation"]


# --------------------------------------------------------------------------- SP2D replays


def sp2d_payment(sp2d_number: str) -> Payment | None:
    """The payment recorded under an SP2D number (a reversal carries the same number; this is the
    payment it reverses), with its programme; ``None`` if the number is unused."""
    return (
        Payment.objects.select_related("programme")
        .filter(sp2d_number=sp2d_number.strip(), kind=Payment.PAYMENT)
        .first()
    )


@dataclass(frozen=True)
class Sp2dDifference:
    """One way an SP2D sent again differs from the payment recorded under its number."""

    field: str  # programme | sp2d_date | amount
    recorded: str | int | dt.date
    sent: str | int | dt.date


def sp2d_differences(
    recorded: Payment, *, programme: str, sp2d_date: dt.date, amount: int
) -> list[Sp2dDifference]:
    """How an SP2D sent again differs from the payment recorded under its number: empty when it is the
    same payment (same programme, SP2D date and amount -- how it was allocated was decided when it was
    recorded), else each differing field in the order programme, SP2D date, amount."""
    return [
        Sp2dDifference(name, was, now)
        for name, was, now in (
            ("programme", recorded.programme.code, programme),
            ("sp2d_date", recorded.sp2d_date, sp2d_date),
            ("amount", recorded.amount, amount),
        )
        if was != now
    ]
