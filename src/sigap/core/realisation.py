"""Budget realisation of a programme for its fiscal year, in integer rupiah.

Pure: the caller supplies the figures (from the database) and the date ``on``; nothing here reads
the clock.  Definitions (they add up exactly)::

    invoiced    = net total of the fiscal year's issued invoices (premium lines minus reversal lines)
    paid        = net payments allocated to those invoices (payments minus reversals)
    outstanding = invoiced - paid                 (negative: a credit, e.g. after a line reversal)
    committed   = premiums still to invoice: for every member with coverage, every covered month
                  of the fiscal year that has no invoice yet, at the tariff of that month
    remaining   = allocated - invoiced - committed
    allocated   == paid + outstanding + committed + remaining

``runs_out`` is the first month whose cumulative not-yet-invoiced premiums at the current
membership exceed what is left after the invoices (None if the budget lasts to December, i.e.
exactly when ``remaining >= 0``).  When the invoices alone already exceed the allocation it is the
latest invoiced month (only invoice totals are known here).
``cost_to_fill`` and ``cost_to_target`` price the members missing from the quota (the originally
selected count) or from a coverage target, each covered from ``fill_from`` (the month after ``on``,
when a new registration can take effect at the earliest) to December.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sigap.core.money import Month
from sigap.core.tariff import DEFAULT_INCOME_BRACKET, monthly_premium, period_cost


@dataclass(frozen=True)
class Enrolled:
    """One member's coverage (start month, optional end month, inclusive)."""

    start: Month
    end: Month | None = None

    def covers(self, month: Month) -> bool:
        return self.start <= month and (self.end is None or month <= self.end)


@dataclass(frozen=True)
class Realisation:
    fiscal_year: int
    on: dt.date
    allocated: int
    invoiced: int
    paid: int
    outstanding: int
    committed: int
    remaining: int
    members: int  # members covered in some month from ``on``'s month to December
    runs_out: Month | None
    quota: int
    fill_from: Month | None  # None: no month of the fiscal year left to cover
    cost_per_new_member: int
    cost_to_fill: int  # (quota - members) new members from fill_from to December
    target: int | None
    cost_to_target: int | None
    monthly_committed: tuple[tuple[Month, int], ...]  # not-yet-invoiced premiums per month

    def adds_up(self) -> bool:
        return self.allocated == self.paid + self.outstanding + self.committed + self.remaining

    def as_dict(self) -> dict[str, object]:
        return {
            "fiscal_year": self.fiscal_year,
            "on": self.on.isoformat(),
            "allocated": self.allocated,
            "invoiced": self.invoiced,
            "paid": self.paid,
            "outstanding": self.outstanding,
            "committed": self.committed,
            "remaining": self.remaining,
            "members": self.members,
            "runs_out": str(self.runs_out) if self.runs_out else None,
            "quota": self.quota,
            "fill_from": str(self.fill_from) if self.fill_from else None,
            "cost_per_new_member": self.cost_per_new_member,
            "cost_to_fill": self.cost_to_fill,
            "target": self.target,
            "cost_to_target": self.cost_to_target,
            "monthly_committed": {str(m): v for m, v in self.monthly_committed},
        }


def realise(
    *,
    allocated: int,
    fiscal_year: int,
    members: Iterable[Enrolled],
    invoiced: int,
    paid: int,
    invoiced_months: Iterable[Month],
    on: dt.date,
    quota: int = 0,
    target: int | None = None,
    funding: str = "APBD",
    income_bracket: int = DEFAULT_INCOME_BRACKET,
) -> Realisation:
    """Compute the realisation; see the module docstring for the definitions."""
    for name, value in (("allocated", allocated), ("invoiced", invoiced), ("paid", paid)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be integer rupiah, got {type(value).__name__}")
    members = list(members)
    year = Month(fiscal_year, 1).through(Month(fiscal_year, 12))
    done = set(invoiced_months)
    premium = {m: monthly_premium(m, funding=funding, income_bracket=income_bracket) for m in year}

    monthly: list[tuple[Month, int]] = []
    for month in year:
        if month in done:
            continue
        count = sum(1 for e in members if e.covers(month))
        if count:
            monthly.append((month, count * premium[month]))
    committed = sum(v for _, v in monthly)
    remaining = allocated - invoiced - committed

    runs_out: Month | None = None
    left = allocated - invoiced
    if left < 0:  # already exhausted by the invoices (we only know their total: the latest month)
        runs_out = max((m for m in done if m.year == fiscal_year), default=Month(fiscal_year, 1))
    for month, cost in monthly:
        if runs_out is not None:
            break
        left -= cost
        if left < 0:
            runs_out = month

    current = Month.of(on)
    december = Month(fiscal_year, 12)
    active = sum(
        1 for e in members if e.start <= december and (e.end is None or e.end >= max(current, year[0]))
    )
    fill_from: Month | None = current + 1 if (current + 1).year <= fiscal_year else None
    if fill_from is not None and fill_from.year < fiscal_year:
        fill_from = Month(fiscal_year, 1)
    per_new = (
        period_cost(fill_from, Month(fiscal_year, 12), funding=funding, income_bracket=income_bracket)
        if fill_from is not None
        else 0
    )
    return Realisation(
        fiscal_year=fiscal_year,
        on=on,
        allocated=allocated,
        invoiced=invoiced,
        paid=paid,
        outstanding=invoiced - paid,
        committed=committed,
        remaining=remaining,
        members=active,
        runs_out=runs_out,
        quota=quota,
        fill_from=fill_from,
        cost_per_new_member=per_new,
        cost_to_fill=max(0, quota - active) * per_new,
        target=target,
        cost_to_target=None if target is None else max(0, target - active) * per_new,
        monthly_committed=tuple(monthly),
    )
