"""SLA arithmetic: properties over many dates plus a few hand-checked cases."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.core import sla

WIB = dt.timezone(dt.timedelta(hours=7))
moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda d: d.replace(tzinfo=WIB)
)
sla_days = st.integers(min_value=1, max_value=60)
holiday_sets = st.frozensets(
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2031, 6, 30)), max_size=30
)


@given(opened=moments, days=sla_days, holidays=holiday_sets)
def test_business_due_lands_on_a_working_day_after_exactly_n_working_days(
    opened: dt.datetime, days: int, holidays: frozenset[dt.date]
) -> None:
    due = sla.due_at(opened, days=days, business_days=True, holidays=holidays)
    assert sla.is_working_day(due.date(), holidays)
    assert sla.working_days_between(opened.date(), due.date(), holidays) == days
    # No earlier day would do: the day before the due day has one working day fewer.
    assert sla.working_days_between(opened.date(), due.date() - dt.timedelta(days=1), holidays) == days - 1
    assert due.timetz() == opened.timetz()
    assert due - opened >= dt.timedelta(days=days)


@given(opened=moments, days=sla_days, holidays=holiday_sets)
def test_more_days_never_means_an_earlier_due_time(
    opened: dt.datetime, days: int, holidays: frozenset[dt.date]
) -> None:
    for business in (True, False):
        a = sla.due_at(opened, days=days, business_days=business, holidays=holidays)
        b = sla.due_at(opened, days=days + 1, business_days=business, holidays=holidays)
        assert b > a


@given(opened=moments, days=sla_days)
def test_calendar_days_ignore_weekends(opened: dt.datetime, days: int) -> None:
    assert sla.due_at(opened, days=days, business_days=False) - opened == dt.timedelta(days=days)


@given(opened=moments, days=sla_days, holidays=holiday_sets)
def test_business_days_are_never_shorter_than_calendar_days(
    opened: dt.datetime, days: int, holidays: frozenset[dt.date]
) -> None:
    business = sla.due_at(opened, days=days, business_days=True, holidays=holidays)
    assert business >= sla.due_at(opened, days=days, business_days=False)


@given(opened=moments, days=sla_days, delta=st.integers(min_value=-(10**6), max_value=10**6))
def test_late_only_after_the_due_moment_and_never_once_answered(
    opened: dt.datetime, days: int, delta: int
) -> None:
    due = sla.due_at(opened, days=days, business_days=True)
    now = due + dt.timedelta(seconds=delta)
    assert sla.is_late(due=due, now=now, answered=False) == (delta > 0)
    assert not sla.is_late(due=due, now=now, answered=True)


def test_hand_checked_cases() -> None:
    friday = dt.datetime(2026, 1, 2, 15, 30, tzinfo=WIB)
    assert sla.due_at(friday, days=1, business_days=True) == dt.datetime(2026, 1, 5, 15, 30, tzinfo=WIB)
    assert sla.due_at(friday, days=5, business_days=True) == dt.datetime(2026, 1, 9, 15, 30, tzinfo=WIB)
    saturday = dt.datetime(2026, 1, 3, 8, 0, tzinfo=WIB)
    assert sla.due_at(saturday, days=1, business_days=True).date() == dt.date(2026, 1, 5)
    # A holiday on Monday 5 January pushes a 1-day SLA from Friday to Tuesday.
    holiday = {dt.date(2026, 1, 5)}
    assert sla.due_at(friday, days=1, business_days=True, holidays=holiday).date() == dt.date(2026, 1, 6)
    assert sla.due_at(friday, days=10, business_days=False).date() == dt.date(2026, 1, 12)


@pytest.mark.parametrize("days", [0, -1, sla.MAX_SLA_DAYS + 1])
def test_out_of_range_sla_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        sla.due_at(dt.datetime(2026, 1, 1, tzinfo=WIB), days=days, business_days=True)


def test_holidays_parse_and_name_the_bad_one() -> None:
    assert sla.parse_holidays(["2026-03-20", " ", "2026-03-31"]) == {
        dt.date(2026, 3, 20),
        dt.date(2026, 3, 31),
    }
    with pytest.raises(ValueError, match="20-03-2026"):
        sla.parse_holidays(["20-03-2026"])
