"""Service-level arithmetic for grievances (pengaduan): due times and lateness.

Pure: the caller passes the moment a grievance was registered and the moment "now"; no clock is
read here.  Two ways of counting, chosen per category by the Admin Dinas:

* calendar days: ``due = opened + days`` (same time of day);
* business days (hari kerja): Monday to Friday, minus listed holidays.  The due moment is the
  same time of day on the ``days``-th working day *after* the day the grievance was opened, so a
  grievance opened on Friday afternoon with a 1-business-day SLA is due Monday afternoon, and so
  is one opened on Saturday (Monday is the first working day after either day).

>>> import datetime as dt
>>> due_at(dt.datetime(2026, 1, 2, 15, 0), days=1, business_days=True)  # a Friday
datetime.datetime(2026, 1, 5, 15, 0)
>>> due_at(dt.datetime(2026, 1, 2, 15, 0), days=3, business_days=False)
datetime.datetime(2026, 1, 5, 15, 0)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

MAX_SLA_DAYS = 365

#: Default SLA in days per grievance category (open question in the field: configurable).
DEFAULT_SLA_DAYS: dict[str, int] = {
    "sanggahan": 10,
    "data": 14,
    "layanan": 5,
    "klaim": 14,
    "lainnya": 14,
}
DEFAULT_BUSINESS_DAYS = True


def is_working_day(day: dt.date, holidays: frozenset[dt.date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, days: int, holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts; 0 -> ``start``)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays: frozenset[dt.date] = frozenset()) -> int:
    """Working days in the half-open interval ``(start, end]`` (0 when ``end <= start``)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            count += 1
    return count


def due_at(
    opened: dt.datetime,
    *,
    days: int,
    business_days: bool,
    holidays: Iterable[dt.date] = (),
) -> dt.datetime:
    """When a grievance opened at ``opened`` must be answered (keeps ``opened``'s tzinfo)."""
    if not 1 <= days <= MAX_SLA_DAYS:
        raise ValueError(f"an SLA must be between 1 and {MAX_SLA_DAYS} days")
    if not business_days:
        return opened + dt.timedelta(days=days)
    day = add_working_days(opened.date(), days, frozenset(holidays))
    return dt.datetime.combine(day, opened.timetz())


def is_late(*, due: dt.datetime, now: dt.datetime, answered: bool) -> bool:
    """Late = not answered and the due moment has passed."""
    return not answered and now > due


def parse_holidays(values: Iterable[str]) -> frozenset[dt.date]:
    """ISO dates (``2026-03-20``) to a set; raises ValueError naming the bad one."""
    out = set()
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            out.add(dt.date.fromisoformat(text))
        except ValueError:
            raise ValueError(f"holiday {text!r} is not a date like 2026-03-20") from None
    return frozenset(out)
