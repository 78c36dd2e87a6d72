"""The holiday calendar as the pure rules want it (``sigap.core.coverage`` takes a frozenset)."""

from __future__ import annotations

import datetime as dt

from sigap.holidays.models import Holiday


def holiday_dates(first: dt.date | None = None, last: dt.date | None = None) -> frozenset[dt.date]:
    """Every listed holiday, or only those between ``first`` and ``last`` (inclusive)."""
    rows = Holiday.objects.all()
    if first is not None:
        rows = rows.filter(date__gte=first)
    if last is not None:
        rows = rows.filter(date__lte=last)
    return frozenset(rows.values_list("date", flat=True))
