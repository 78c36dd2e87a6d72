"""BPJS TK BPU coverage rules for one member: due dates, month status, arrears and lapse.

Pure functions of a member's coverage periods, the ledger of paid months (with the date each was paid)
and a date ``on``; nothing here reads the clock or a database.  Source: DOMAIN.md section 2 (Perdir
BPJS TK 22/PERDIR.02/072022).  Our reading: docs/decisions/0005-coverage-lapse.md, amended by
docs/decisions/0015-year-end-late-payment-reinstatement.md.

* A month is *covered* when one of the member's coverage periods includes it (the programme owes its
  premium).  Coverage never runs past the programme: callers bound the periods with :func:`within`
  (an open period ends in December of the programme's fiscal year).
* The premium for month ``M`` is due on :func:`due_date` (the 15th of ``M``, moved to the next working
  day when that is a Saturday, Sunday or a listed holiday).  An unpaid covered month is *in arrears*
  once its due date has passed (``on > due_date(M)``); until then it is *not yet due*.
* Protection ends after the last paid month ``L`` before a run of unpaid months (``L`` may be the month
  before coverage started when nothing was ever paid).
* Arrears may be paid at most 3 months after protection ends: until the last day of ``L + 3``
  (:func:`arrears_payable_until`).  Paid in time, the months count as paid and nothing lapses.
  **Paid later, they do not count**: the money was received but protection is not restored, so a
  payment dated after the window neither prevents nor cancels a lapse (``MonthStatus.PAID_LATE``).
  A month paid on or before its own due date always counts.
* Membership ends when MORE THAN 3 consecutive covered months are unpaid past their due dates: the
  due date of the 4th unpaid month ``L + 4`` passing ends it (:func:`lapse_month` returns ``L + 4``;
  :attr:`Lapse.lapsed_on` is the day after its due date).  That day always falls after the arrears
  window closed, so the two rules never contradict each other: a lapse is final, whatever is paid
  afterwards (only BPJS TK's reinstatement procedure opens a new coverage period).
* A month that is not covered breaks a run of unpaid months (the count starts again in the next
  coverage period).

``paid`` is a mapping ``month -> date paid`` (the date of the payment that completed the month's
invoice; dates after ``on`` are ignored), or a plain set of months when the dates do not matter (each
month then counts as paid on time).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass

from sigap.core.money import Month

DUE_DAY = 15
LAPSE_AFTER = 3  # more than this many consecutive unpaid months ends the membership
ARREARS_WINDOW = 3  # months after protection ends during which arrears may be paid

#: Paid months: ``month -> date paid`` or a set of months paid on time.
Paid = Mapping[Month, dt.date] | Set[Month]


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
    PAID = "paid"  # covered and paid (on time, or in arrears within the window)
    NOT_YET_DUE = "not_yet_due"  # covered, unpaid, due date not passed
    ARREARS = "arrears"  # covered, unpaid, due date passed, the arrears window still open on ``on``
    UNPAID = "unpaid"  # covered, unpaid, the arrears window closed: not protected, can no longer be paid
    PAID_LATE = "paid_late"  # covered, paid after the arrears window closed: not protected
    NOT_COVERED = "not_covered"


#: Months that were covered but are not protected and cannot become protected any more.
UNPROTECTED = frozenset({MonthStatus.UNPAID, MonthStatus.PAID_LATE})


@dataclass(frozen=True)
class Lapse:
    """Why and when a membership ended for non-payment."""

    last_paid: Month  # protection ended after this month (the month before coverage if never paid)
    first_unpaid: Month
    lapse_month: Month  # the 4th consecutive unpaid month: its due date passing ended the membership
    lapsed_on: dt.date  # the day after that due date
    arrears_payable_until: dt.date  # last day arrears could be paid (3 months after protection ended)


@dataclass(frozen=True)
class MonthDetail:
    """One covered or uncovered month as seen on ``on``."""

    month: Month
    status: MonthStatus
    arrears_payable_until: dt.date | None = None  # the window of the unpaid run holding the month
    lapse: Lapse | None = None  # the lapse that ended the membership, when the month is in its run

    @property
    def payable(self) -> bool:
        """The month's arrears may still be paid (only while its status is ``arrears``)."""
        return self.status is MonthStatus.ARREARS


def due_date(month: Month, holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The 15th of ``month``, or the next working day if that is a weekend or holiday.

    >>> due_date(Month(2026, 2))  # 15 Feb 2026 is a Sunday
    datetime.date(2026, 2, 16)
    """
    day = dt.date(month.year, month.month, DUE_DAY)
    while day.weekday() >= 5 or day in holidays:
        day += dt.timedelta(days=1)
    return day


def within(periods: Iterable[Period], *, first: Month, last: Month) -> list[Period]:
    """The periods cut to a programme's months ``first..last``: an open period ends at ``last``.

    A programme pays for its own fiscal year only, so coverage (and therefore arrears and lapse) never
    runs past it: months after December belong to the next year's programme, if any.

    >>> within([Period(Month(2026, 3))], first=Month(2026, 1), last=Month(2026, 12))
    [Period(start=Month(year=2026, month=3), end=Month(year=2026, month=12))]
    """
    out = []
    for p in periods:
        start = max(p.start, first)
        end = min(p.end if p.end is not None else last, last)
        if start <= end:
            out.append(Period(start, end))
    return sorted(out)


def is_covered(month: Month, periods: Iterable[Period]) -> bool:
    return any(p.includes(month) for p in periods)


def _window(first_unpaid: Month) -> dt.date:
    """Last day arrears of a run starting at ``first_unpaid`` may be paid: 3 months after ``L``."""
    return (first_unpaid + -1 + ARREARS_WINDOW).last_day()


def _dates(paid: Paid, on: dt.date) -> dict[Month, dt.date]:
    """``month -> date paid`` as known on ``on`` (a plain set: every month paid on time)."""
    if isinstance(paid, Mapping):
        return {m: d for m, d in paid.items() if d <= on}
    return dict.fromkeys(paid, dt.date.min)


def _due_months(periods: list[Period], on: dt.date, holidays: frozenset[dt.date]) -> Iterator[Month]:
    """Every month from the first coverage start to the last covered one (when every period is closed)
    whose due date has passed on ``on``, in order: after coverage ended, arrears stay where they were."""
    if not periods:
        return
    month = min(p.start for p in periods)
    ends = [p.end for p in periods]
    last = None if None in ends else max(e for e in ends if e is not None)
    while on > due_date(month, holidays) and (last is None or month <= last):
        yield month
        month = month + 1


@dataclass(frozen=True)
class _Run:
    """A run of consecutive covered months not counted as paid."""

    first: Month
    length: int
    payable_until: dt.date
    lapse: Lapse | None


@dataclass(frozen=True)
class _Ledger:
    """One walk over the due months: each month's status and the runs of unpaid months."""

    statuses: dict[Month, MonthStatus]
    runs: list[_Run]
    run_of: dict[Month, int]  # month -> index in ``runs``
    open_run: int | None  # the run reaching the latest due month, if any


def _walk(periods: list[Period], paid: Paid, on: dt.date, holidays: frozenset[dt.date]) -> _Ledger:
    dates = _dates(paid, on)
    statuses: dict[Month, MonthStatus] = {}
    run_of: dict[Month, int] = {}
    runs: list[_Run] = []
    first: Month | None = None
    length = 0

    def close() -> None:
        nonlocal first, length
        if first is not None:
            lapse = None
            if length > LAPSE_AFTER:
                fourth = first + LAPSE_AFTER
                lapse = Lapse(
                    last_paid=first + -1,
                    first_unpaid=first,
                    lapse_month=fourth,
                    lapsed_on=due_date(fourth, holidays) + dt.timedelta(days=1),
                    arrears_payable_until=_window(first),
                )
            runs.append(_Run(first, length, _window(first), lapse))
        first, length = None, 0

    for month in _due_months(periods, on, holidays):
        if not is_covered(month, periods):
            statuses[month] = MonthStatus.NOT_COVERED
            close()
            continue
        day = dates.get(month)
        window = _window(first if first is not None else month)
        if day is not None and day <= max(due_date(month, holidays), window):
            statuses[month] = MonthStatus.PAID
            close()
            continue
        if first is None:
            first = month
        length += 1
        run_of[month] = len(runs)
        if day is not None:
            statuses[month] = MonthStatus.PAID_LATE
        else:
            statuses[month] = MonthStatus.ARREARS if on <= window else MonthStatus.UNPAID
    open_run = len(runs) if first is not None else None
    close()
    return _Ledger(statuses=statuses, runs=runs, run_of=run_of, open_run=open_run)


def month_detail(
    month: Month,
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> MonthDetail:
    """Status of one month for one member as seen on ``on``, with its arrears window and lapse."""
    periods = list(periods)
    if not is_covered(month, periods):
        return MonthDetail(month, MonthStatus.NOT_COVERED)
    if on <= due_date(month, holidays):
        dates = _dates(paid, on)
        return MonthDetail(month, MonthStatus.PAID if month in dates else MonthStatus.NOT_YET_DUE)
    ledger = _walk(periods, paid, on, holidays)
    status = ledger.statuses[month]
    index = ledger.run_of.get(month)
    if index is None:
        return MonthDetail(month, status)
    run = ledger.runs[index]
    return MonthDetail(month, status, arrears_payable_until=run.payable_until, lapse=run.lapse)


def month_status(
    month: Month,
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> MonthStatus:
    """Status of one month for one member as seen on ``on``."""
    return month_detail(month, periods=periods, paid=paid, on=on, holidays=holidays).status


def month_statuses(
    months: Iterable[Month],
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> dict[Month, MonthStatus]:
    """:func:`month_status` of several months from one walk over the ledger."""
    periods = list(periods)
    ledger = _walk(periods, paid, on, holidays)
    dates = _dates(paid, on)
    out = {}
    for month in months:
        if not is_covered(month, periods):
            out[month] = MonthStatus.NOT_COVERED
        elif month in ledger.statuses:
            out[month] = ledger.statuses[month]
        else:  # not yet due
            out[month] = MonthStatus.PAID if month in dates else MonthStatus.NOT_YET_DUE
    return out


def consecutive_unpaid(
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> int:
    """How many consecutive covered months are in arrears, counting back from the latest due month.

    0 when the latest covered month whose due date has passed is paid (or nothing is due yet).
    """
    ledger = _walk(list(periods), paid, on, holidays)
    return ledger.runs[ledger.open_run].length if ledger.open_run is not None else 0


def lapses(
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> list[Lapse]:
    """Every run of more than 3 consecutive unpaid covered months past due by ``on``, in order.

    A member has at most one per membership: the first ends it (its coverage period closes at the
    lapse month); a later one can only follow a reinstatement or a new selection (a new period).
    """
    return [run.lapse for run in _walk(list(periods), paid, on, holidays).runs if run.lapse is not None]


def lapse(
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
    since: Month | None = None,
) -> Lapse | None:
    """The first lapse (more than 3 consecutive unpaid covered months past due) by ``on``, or None.

    ``since``: only a run of unpaid months starting in or after that month counts (the start of the
    member's current coverage period: an earlier lapse is the end of an earlier membership).
    """
    for found in lapses(periods=periods, paid=paid, on=on, holidays=holidays):
        if since is None or found.first_unpaid >= since:
            return found
    return None


def lapse_month(
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> Month | None:
    """The month whose due date passing ended the membership (the 4th consecutive unpaid one), or None."""
    found = lapse(periods=periods, paid=paid, on=on, holidays=holidays)
    return found.lapse_month if found else None


def arrears_payable_until(
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
    since: Month | None = None,
) -> dt.date | None:
    """Last day the current arrears may be (or could have been) paid: 3 months after protection ended.

    Protection ends after the last paid month ``L`` before the current run of months in arrears, so the
    answer is the last day of ``L + 3``.  None when nothing is in arrears on ``on``.  After a lapse this
    is the window of the run that caused it (already closed).  The window is open while ``on`` is on or
    before the answer: see :func:`arrears_open`.  ``since`` as for :func:`lapse`.
    """
    ledger = _walk(list(periods), paid, on, holidays)
    for run in ledger.runs:
        if run.lapse is not None and (since is None or run.first >= since):
            return run.payable_until
    if ledger.open_run is None:
        return None
    return ledger.runs[ledger.open_run].payable_until


def arrears_open(
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
    since: Month | None = None,
) -> bool:
    """True when there are arrears on ``on`` and they may still be paid (their window is open)."""
    until = arrears_payable_until(periods=periods, paid=paid, on=on, holidays=holidays, since=since)
    return until is not None and on <= until


def protected(
    month: Month,
    *,
    periods: Iterable[Period],
    paid: Paid,
    on: dt.date | None = None,
    holidays: frozenset[dt.date] = frozenset(),
) -> bool:
    """A month is protected when it is covered and paid (with ``on``: paid in time, as seen on ``on``)."""
    if on is None:
        return month in paid and is_covered(month, periods)
    return month_status(month, periods=periods, paid=paid, on=on, holidays=holidays) is MonthStatus.PAID
