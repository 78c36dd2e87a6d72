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
``by_component`` splits ``invoiced`` and ``committed`` per programme (JKK, JKM and JHT when the
programme pays it): the invoices' frozen breakdown and the tariff of each month still to invoice;
the parts add up to ``invoiced`` and ``committed`` exactly (invoiced amounts of invoices issued
without a breakdown are their own row, :data:`UNSPLIT`).
``straight_line_plan`` is the even spending the leaders' dashboard draws the burn against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sigap.core.money import Month
from sigap.core.tariff import (
    COMPONENT_LABELS,
    COMPONENTS,
    DEFAULT_INCOME_BRACKET,
    monthly_components,
    period_cost,
)

#: The ``by_component`` key of invoiced amounts whose invoice carries no per-programme breakdown.
UNSPLIT = "tanpa_rincian"
COMPONENT_ROW_LABELS = {**COMPONENT_LABELS, UNSPLIT: "Tagihan tanpa rincian"}


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
    #: ``(component, invoiced, committed)`` per programme (``jkk``, ``jkm``[, ``jht``][, UNSPLIT]).
    by_component: tuple[tuple[str, int, int], ...] = ()

    def adds_up(self) -> bool:
        return self.allocated == self.paid + self.outstanding + self.committed + self.remaining

    def component_rows(self) -> list[tuple[str, int, int, int]]:
        """``(label, invoiced, committed, invoiced + committed)`` per programme, for pages."""
        return [(COMPONENT_ROW_LABELS.get(c, c), i, k, i + k) for c, i, k in self.by_component]

    def components_add_up(self) -> bool:
        """The per-programme split sums to ``invoiced`` and to ``committed``."""
        return (
            sum(i for _, i, _ in self.by_component) == self.invoiced
            and sum(c for _, _, c in self.by_component) == self.committed
        )

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
            "by_component": {c: {"invoiced": i, "committed": k} for c, i, k in self.by_component},
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
    include_jht: bool = False,
    invoiced_components: Mapping[str, int] | None = None,
) -> Realisation:
    """Compute the realisation; see the module docstring for the definitions.

    ``invoiced_components``: the part of ``invoiced`` per programme, from the invoices that carry a
    breakdown (the rest of ``invoiced`` is reported as :data:`UNSPLIT`).
    """
    for name, value in (("allocated", allocated), ("invoiced", invoiced), ("paid", paid)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be integer rupiah, got {type(value).__name__}")
    members = list(members)
    year = Month(fiscal_year, 1).through(Month(fiscal_year, 12))
    done = set(invoiced_months)
    premium = {
        m: monthly_components(m, funding=funding, income_bracket=income_bracket, include_jht=include_jht)
        for m in year
    }

    monthly: list[tuple[Month, int]] = []
    committed_parts: dict[str, int] = {}
    for month in year:
        if month in done:
            continue
        count = sum(1 for e in members if e.covers(month))
        if count:
            monthly.append((month, count * sum(premium[month].values())))
            for code, amount in premium[month].items():
                committed_parts[code] = committed_parts.get(code, 0) + count * amount
    committed = sum(v for _, v in monthly)
    invoiced_parts = {c: int(v) for c, v in (invoiced_components or {}).items() if v}
    if (unsplit := invoiced - sum(invoiced_parts.values())) != 0:
        invoiced_parts[UNSPLIT] = unsplit
    codes = [c for c in (*COMPONENTS, UNSPLIT) if c in invoiced_parts or c in committed_parts]
    by_component = tuple((c, invoiced_parts.get(c, 0), committed_parts.get(c, 0)) for c in codes)
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
        period_cost(
            fill_from,
            Month(fiscal_year, 12),
            funding=funding,
            income_bracket=income_bracket,
            include_jht=include_jht,
        )
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
        by_component=by_component,
    )


def straight_line_plan(allocated: int, months: Sequence[Month], start: Month) -> list[int]:
    """The budget plan as a straight line: cumulative spending the allocation evenly over the months
    from ``start`` to the last of ``months`` (0 before ``start``); integer rupiah, the last month is
    exactly ``allocated``.  ``start`` before the first month counts from the first month."""
    first = max(start, months[0]) if months else start
    span = sum(1 for m in months if m >= first)
    out = []
    done = 0
    for month in months:
        if month >= first:
            done += 1
        out.append(allocated * done // span if span else 0)
    return out
