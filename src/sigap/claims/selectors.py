"""Read-only queries for claims: area-scoped lists and aggregates for the leaders' dashboard.

The aggregates carry no personal data (Pimpinan may see them); the lists are scoped by
``accounts.scoping.area_prefix`` inside the query, so an object of another area is simply absent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum

from sigap.accounts.scoping import area_prefix
from sigap.billing.models import Payment
from sigap.billing.selectors import paid_ledger
from sigap.claims.models import Claim, Incident, Scholarship
from sigap.core import coverage
from sigap.core.claims import DEADLINE_NEAR_DAYS
from sigap.core.money import Month
from sigap.programmes.models import Programme


def visible_incidents(user: Any) -> QuerySet[Incident]:
    return Incident.objects.filter(kode_kelurahan__startswith=area_prefix(user)).select_related(
        "member__programme"
    )


def visible_claims(user: Any) -> QuerySet[Claim]:
    return Claim.objects.filter(incident__kode_kelurahan__startswith=area_prefix(user)).select_related(
        "incident__member__programme"
    )


def open_with_deadline(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return claims.filter(state__in=Claim.OPEN_STATES, deadline__isnull=False).exclude(state=Claim.SUBMITTED)


def overdue(claims: QuerySet[Claim], *, on: dt.date) -> QuerySet[Claim]:
    """Not yet submitted and past the last day to submit (the claim right has lapsed)."""
    return open_with_deadline(claims).filter(deadline__lt=on)


def deadline_near(claims: QuerySet[Claim], *, on: dt.date, days: int = DEADLINE_NEAR_DAYS) -> QuerySet[Claim]:
    """Not yet submitted, deadline between ``on`` and ``on + days`` inclusive."""
    return open_with_deadline(claims).filter(deadline__gte=on, deadline__lte=on + dt.timedelta(days=days))


def scholarships_paid_total(programme: Programme, until: dt.date) -> int:
    paid = Scholarship.objects.filter(
        claim__incident__member__programme=programme, state=Scholarship.PAID, decided_on__lte=until
    ).aggregate(s=Sum("amount"))["s"]
    return int(paid or 0)


def incident_premium(incident: Incident, *, on: dt.date) -> coverage.MonthDetail:
    """The premium of the incident month as of ``on``: paid, not yet due, in arrears (payable until a
    date: a warning, BPJS TK may hold the claim until it is paid), or unprotected -- not paid within
    the arrears window, paid after it, or in the months that ended the membership by lapse (ADR 0015).
    """
    from sigap.claims.actions import member_coverage_periods
    from sigap.holidays.selectors import holiday_dates

    member = incident.member
    paid = paid_ledger(programme=member.programme, on=on, member=member).get(member.pk, {})
    return coverage.month_detail(
        Month.of(incident.date),
        periods=member_coverage_periods(member),
        paid=paid,
        on=on,
        holidays=holiday_dates(),
    )


def incident_premium_status(incident: Incident, *, on: dt.date) -> coverage.MonthStatus:
    """:func:`incident_premium` ``.status``."""
    return incident_premium(incident, on=on).status


def claims_paid_total(programme: Programme, until: dt.date) -> int:
    """What BPJS TK paid to members and families for ``programme`` on or before ``until`` (rupiah):
    benefits of paid claims plus paid scholarship years."""
    paid = Claim.objects.filter(
        incident__member__programme=programme, state=Claim.PAID, paid_on__lte=until
    ).aggregate(s=Sum("paid_amount"))["s"]
    return int(paid or 0) + scholarships_paid_total(programme, until)


def premiums_paid_total(programme: Programme, until: dt.date) -> int:
    """Premiums the region paid (SP2D, net of reversals) for ``programme`` on or before ``until``."""
    paid = Payment.objects.filter(programme=programme, sp2d_date__lte=until).aggregate(s=Sum("amount"))["s"]
    return int(paid or 0)


@dataclass(frozen=True)
class ClaimCounts:
    """Aggregates for one programme as of ``on`` (no personal data).

    Incidents dated on or before ``on``; claim states are their current states; money paid on or
    before ``on``.  ``paid_total`` includes ``scholarships_paid``.
    """

    on: dt.date
    incidents: dict[str, int] = field(default_factory=dict)  # incident kind -> count
    claims: dict[str, int] = field(default_factory=dict)  # claim state -> count
    overdue: int = 0
    deadline_near: int = 0
    paid_total: int = 0
    premiums_paid: int = 0
    scholarships_paid: int = 0

    @property
    def claims_total(self) -> int:
        return sum(self.claims.values())


def claim_counts(programme: Programme, on: dt.date) -> ClaimCounts:
    """Incidents and claims registered by ``on``, payments up to ``on``, for the dashboard."""
    incidents = Incident.objects.filter(member__programme=programme, date__lte=on)
    claims = Claim.objects.filter(incident__in=incidents)
    by_kind = dict(incidents.values_list("kind").annotate(n=Count("id")).order_by())
    states = dict(claims.values_list("state").annotate(n=Count("id")).order_by())
    scholarships = scholarships_paid_total(programme, on)
    return ClaimCounts(
        on=on,
        incidents={str(k): int(v) for k, v in by_kind.items()},
        claims={str(k): int(v) for k, v in states.items()},
        overdue=overdue(claims, on=on).count(),
        deadline_near=deadline_near(claims, on=on).count(),
        paid_total=claims_paid_total(programme, on),
        premiums_paid=premiums_paid_total(programme, on),
        scholarships_paid=scholarships,
    )


__all__ = [
    "ClaimCounts",
    "claim_counts",
    "claims_paid_total",
    "deadline_near",
    "incident_premium",
    "incident_premium_status",
    "overdue",
    "premiums_paid_total",
    "scholarships_paid_total",
    "visible_claims",
    "visible_incidents",
]
