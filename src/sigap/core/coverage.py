"""BPJS TK BPU coverage rules for one member: due dates, month status, arrears and lapse.

Pure functions of a member's coverage periods, the ledger of paid months and a date ``on``; nothing
here reads the clock or a database.  Source: DOMAIN.md section 2 (Perdir BPJS TK 22/PERDIR.02/072022).

Our reading of the rules (see docs/decisions/0005-coverage-lapse.md):

* A month is *covered* when one of the member's coverage periods includes it (the programme owes its
  premium).  A covered month is *paid* when it is in the ledger of paid months (net of reversals).
* The premium for month ``M`` is due on :func:`due_date` (the 15th of ``M``, moved to the next working
  day when that is a Saturday, Sunday or a listed holiday).  An unpaid covered month is *in arrears*
  once its due date has passed (``on > due_date(M)``); until then it is *not yet due*.
* Protection ends after the last paid month ``L`` before a run of unpaid months (``L`` may be the month
  before coverage started when nothing was ever paid).
* Arrears may be paid at most 3 months after protection ends: until the last day of ``L + 3``
  (:func:`arrears_payable_until`).  Paying them in time closes the gap and nothing lapses.
* Membership ends when MORE THAN 3 consecutive covered months are unpaid past their due dates: the
  due date of the 4th unpaid month ``L + 4`` passing ends it (:func:`lapse_month` returns ``L + 4``;
  :attr:`Lapse.lapsed_on` is the day after its due date).  That day always falls after the arrears
  window closed, so the two rules never contradict each other: a lapse is final.
* A month that is not covered breaks a run of unpaid months (the count starts again in the next
  coverage period).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sigap.core.money import Month

DUE_DAY = 15
LAPSE_AFTER = 3  # more than this many consecutive unpaid months ends the membership
ARREARS_WINDOW = 3  # months after protection ends during which arrears may be paid


@dataclass(frozen=True, order=True)
class Period:
    """A coverage period: from ``start`` to ``end`` inclusive, or open-ended when ``end`` is None."""

    start: Month
    end: Month | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"coverage period ends ({self.end}) before it starts ({self.start})")

    def includes(self, month: Month) -> bool:
        return self.start <= month and (self.end is None or month <= self.end)


class MonthStatus(enum.StrEnum):
    PAID = "paid"  # covered and paid
    NOT_YET_DUE = "not_yet_due"  # covered, unpaid, due date not passed
    ARREARS = "arrears"  # covered, unpaid, due date passed
    NOT_COVERED = "not_covered"


@dataclass(frozen=True)
class Lapse:
    """Why and when a membership ended for non-payment."""

    last_paid: Month  # protection ended after this month (the month before coverage if never paid)
    first_unpaid: Month
    lapse_month: Month  # the 4th consecutive unpaid month: its due date passing ended the membership
    lapsed_on: dt.date  # the day after that due date
    arrears_payable_until: dt.date  # last day arrears could be paid (3 months after protection ended)


def due_date(month: Month, holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The 15th of ``month``, or the next working day if that is a weekend or holiday.

    >>> due_date(Month(2026, 2))  # 15 Feb 2026 is a Sunday
    datetime.date(2026, 2, 16)
    """
    day = dt.date(month.year, month.month, DUE_DAY)
    while day.weekday() >= 5 or day in holidays:
        day += dt.timedelta(days=1)
    return day


def is_covered(month: Month, periods: Iterable[Period]) -> bool:
    return any(p.includes(month) for p in periods)


def month_status(
    month: Month,
    *,
    periods: Iterable[Period],
    paid: frozenset[Month] | set[Month],
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> MonthStatus:
    """Status of one month for one member as seen on ``on``."""
    if not is_covered(month, periods):
        return MonthStatus.NOT_COVERED
    if month in paid:
        return MonthStatus.PAID
    if on > due_date(month, holidays):
        return MonthStatus.ARREARS
    return MonthStatus.NOT_YET_DUE


def _due_months(periods: Iterable[Period], on: dt.date, holidays: frozenset[dt.date]) -> Iterator[Month]:
    """Every month from the first coverage start whose due date has passed on ``on``, in order."""
    periods = list(periods)
    if not periods:
        return
    month = min(p.start for p in periods)
    while on > due_date(month, holidays):
        yield month
        month = month + 1


def _unpaid_runs(
    periods: list[Period], paid: frozenset[Month] | set[Month], on: dt.date, holidays: frozenset[dt.date]
) -> Iterator[tuple[Month, int]]:
    """``(first_unpaid, length)`` of every run of consecutive covered months in arrears so far."""
    first: Month | None = None
    length = 0
    for month in _due_months(periods, on, holidays):
        if is_covered(month, periods) and month not in paid:
            if first is None:
                first = month
            length += 1
        else:
            if first is not None:
                yield first, length
            first, length = None, 0
    if first is not None:
        yield first, length


def consecutive_unpaid(
    *,
    periods: Iterable[Period],
    paid: frozenset[Month] | set[Month],
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> int:
    """How many consecutive covered months are in arrears, counting back from the latest due month.

    0 when the latest covered month whose due date has passed is paid (or nothing is due yet).
    """
    periods = list(periods)
    last = 0
    for month in _due_months(periods, on, holidays):
        if is_covered(month, periods) and month not in paid:
            last += 1
        else:
            last = 0
    return last


def lapse(
    *,
    periods: Iterable[Period],
    paid: frozenset[Month] | set[Month],
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> Lapse | None:
    """The first lapse (more than 3 consecutive unpaid covered months past due) by ``on``, or None."""
    periods = list(periods)
    for first, length in _unpaid_runs(periods, paid, on, holidays):
        if length > LAPSE_AFTER:
            fourth = first + LAPSE_AFTER
            return Lapse(
                last_paid=first + -1,
                first_unpaid=first,
                lapse_month=fourth,
                lapsed_on=due_date(fourth, holidays) + dt.timedelta(days=1),
                arrears_payable_until=(first + -1 + ARREARS_WINDOW).last_day(),
            )
    return None


def lapse_month(
    *,
    periods: Iterable[Period],
    paid: frozenset[Month] | set[Month],
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> Month | None:
    """The month whose due date passing ended the membership (the 4th consecutive unpaid one), or None."""
    found = lapse(periods=periods, paid=paid, on=on, holidays=holidays)
    return found.lapse_month if found else None


def arrears_payable_until(
    *,
    periods: Iterable[Period],
    paid: frozenset[Month] | set[Month],
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> dt.date | None:
    """Last day the current arrears may still be paid: 3 months after protection ended.

    Protection ends after the last paid month ``L`` before the current run of months in arrears, so the
    answer is the last day of ``L + 3``.  None when nothing is in arrears on ``on``.  After a lapse this
    is the window of the run that caused it (already closed).
    """
    periods = list(periods)
    found = lapse(periods=periods, paid=paid, on=on, holidays=holidays)
    if found is not None:
        return found.arrears_payable_until
    runs = list(_unpaid_runs(periods, paid, on, holidays))
    if not runs or consecutive_unpaid(periods=periods, paid=paid, on=on, holidays=holidays) == 0:
        return None
    first, _ = runs[-1]
    return (first + -1 + ARREARS_WINDOW).last_day()


def protected(
    month: Month,
    *,
    periods: Iterable[Period],
    paid: frozenset[Month] | set[Month],
) -> bool:
    """A month is protected when it is covered and paid."""
    return month in paid and is_covered(month, periods)
