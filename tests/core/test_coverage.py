from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.core.coverage import (
    MonthStatus,
    Period,
    arrears_payable_until,
    consecutive_unpaid,
    due_date,
    lapse,
    lapse_month,
    month_status,
)
from sigap.core.money import Month

OPEN_2026 = [Period(Month(2026, 1))]


# --------------------------------------------------------------------------- examples


def test_due_date_moves_past_weekends_and_holidays() -> None:
    assert due_date(Month(2026, 1)) == dt.date(2026, 1, 15)  # Thursday
    assert due_date(Month(2026, 2)) == dt.date(2026, 2, 16)  # Sunday -> Monday
    assert due_date(Month(2026, 8)) == dt.date(2026, 8, 17)  # Saturday -> Monday
    # Monday 17 August (Independence Day) is a holiday as well -> Tuesday.
    assert due_date(Month(2026, 8), frozenset({dt.date(2026, 8, 17)})) == dt.date(2026, 8, 18)


def test_month_status_on_and_after_the_due_date() -> None:
    paid = {Month(2026, 1)}
    kw = {"periods": OPEN_2026, "paid": paid}
    assert month_status(Month(2025, 12), on=dt.date(2026, 3, 1), **kw) == MonthStatus.NOT_COVERED
    assert month_status(Month(2026, 1), on=dt.date(2026, 3, 1), **kw) == MonthStatus.PAID
    assert month_status(Month(2026, 2), on=dt.date(2026, 2, 16), **kw) == MonthStatus.NOT_YET_DUE  # due day
    assert month_status(Month(2026, 2), on=dt.date(2026, 2, 17), **kw) == MonthStatus.ARREARS


def test_lapse_across_the_year_boundary() -> None:
    periods = [Period(Month(2025, 6))]
    paid = set(Month(2025, 6).through(Month(2025, 10)))  # Nov, Dec, Jan, Feb unpaid
    assert lapse_month(periods=periods, paid=paid, on=dt.date(2026, 2, 16)) is None  # 15 Feb is a Sunday
    assert consecutive_unpaid(periods=periods, paid=paid, on=dt.date(2026, 2, 16)) == 3
    assert arrears_payable_until(periods=periods, paid=paid, on=dt.date(2026, 1, 20)) == dt.date(2026, 1, 31)
    found = lapse(periods=periods, paid=paid, on=dt.date(2026, 2, 17))
    assert found is not None
    assert (found.last_paid, found.first_unpaid, found.lapse_month) == (
        Month(2025, 10),
        Month(2025, 11),
        Month(2026, 2),
    )
    assert found.lapsed_on == dt.date(2026, 2, 17)
    assert found.arrears_payable_until == dt.date(2026, 1, 31)


def test_never_paid_and_gaps_between_periods() -> None:
    on = dt.date(2026, 4, 16)
    assert lapse_month(periods=OPEN_2026, paid=set(), on=on) == Month(2026, 4)
    assert lapse(periods=OPEN_2026, paid=set(), on=on).last_paid == Month(2025, 12)  # type: ignore[union-attr]
    # A month without coverage breaks the run: Jan-Feb, then Apr-May unpaid.
    split = [Period(Month(2026, 1), Month(2026, 2)), Period(Month(2026, 4))]
    assert lapse_month(periods=split, paid=set(), on=dt.date(2026, 6, 30)) is None
    assert consecutive_unpaid(periods=split, paid=set(), on=dt.date(2026, 6, 30)) == 3  # Apr, May, Jun
    assert lapse_month(periods=split, paid=set(), on=dt.date(2026, 7, 16)) == Month(2026, 7)


def test_paid_months_and_nothing_due() -> None:
    assert consecutive_unpaid(periods=OPEN_2026, paid=set(), on=dt.date(2026, 1, 15)) == 0
    assert arrears_payable_until(periods=OPEN_2026, paid=set(), on=dt.date(2026, 1, 15)) is None
    assert arrears_payable_until(periods=OPEN_2026, paid={Month(2026, 1)}, on=dt.date(2026, 2, 1)) is None
    assert consecutive_unpaid(periods=[], paid=set(), on=dt.date(2030, 1, 1)) == 0


# --------------------------------------------------------------------------- properties

months = st.builds(Month, st.integers(2024, 2028), st.integers(1, 12))
holidays = st.frozensets(st.dates(dt.date(2024, 1, 1), dt.date(2029, 12, 31)), max_size=40)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[Period], set[Month], dt.date]:
    start = draw(st.builds(Month, st.integers(2024, 2026), st.sampled_from([1, 10, 11, 12])))
    length = draw(st.integers(1, 30))
    end = draw(st.one_of(st.none(), st.just(start + (length - 1))))
    periods = [Period(start, end)]
    span = start.through(start + (length + 3))
    paid = {m for m in span if draw(st.booleans())}
    on = draw(st.dates(start.first_day(), (start + (length + 6)).last_day()))
    return periods, paid, on


@given(months, holidays)
def test_due_date_is_a_working_day_in_the_month_from_the_15th(month: Month, hol: frozenset[dt.date]) -> None:
    day = due_date(month, hol)
    assert Month.of(day) == month and day.day >= 15
    assert day.weekday() < 5 and day not in hol
    between = [dt.date(month.year, month.month, 15) + dt.timedelta(n) for n in range(day.day - 15)]
    assert all(d.weekday() >= 5 or d in hol for d in between)


@given(ledgers())
@settings(max_examples=300)
def test_lapse_is_four_consecutive_months_in_arrears(case: tuple[list[Period], set[Month], dt.date]) -> None:
    periods, paid, on = case
    found = lapse(periods=periods, paid=paid, on=on)
    if found is None:
        assert consecutive_unpaid(periods=periods, paid=paid, on=on) <= 3
        return
    run = found.first_unpaid.through(found.lapse_month)
    assert len(run) == 4
    statuses = [month_status(m, periods=periods, paid=paid, on=on) for m in run]
    assert statuses == [MonthStatus.ARREARS] * 4
    assert found.last_paid == found.first_unpaid + -1
    assert found.last_paid in paid or found.last_paid < periods[0].start
    assert on >= found.lapsed_on == due_date(found.lapse_month) + dt.timedelta(days=1)
    # The arrears window closes (3 months after protection ended) before the lapse: a lapse is final.
    assert found.arrears_payable_until == (found.last_paid + 3).last_day() < found.lapsed_on
    # Paying any month of the run removes this lapse (a later one may still come).
    for m in run:
        later = lapse(periods=periods, paid=paid | {m}, on=on)
        assert later is None or later.first_unpaid > m


@given(ledgers(), st.integers(0, 400))
@settings(max_examples=200)
def test_lapse_is_monotone_in_time_and_in_payments(
    case: tuple[list[Period], set[Month], dt.date], days: int
) -> None:
    periods, paid, on = case
    now = lapse_month(periods=periods, paid=paid, on=on)
    later = lapse_month(periods=periods, paid=paid, on=on + dt.timedelta(days=days))
    if now is not None:
        assert later == now  # once lapsed, always lapsed, at the same month
    fewer = set(sorted(paid)[: len(paid) // 2])
    with_less_paid = lapse_month(periods=periods, paid=fewer, on=on)
    if now is not None:
        assert with_less_paid is not None and with_less_paid <= now


@given(ledgers())
@settings(max_examples=200)
def test_arrears_window_matches_the_current_run(case: tuple[list[Period], set[Month], dt.date]) -> None:
    periods, paid, on = case
    until = arrears_payable_until(periods=periods, paid=paid, on=on)
    count = consecutive_unpaid(periods=periods, paid=paid, on=on)
    if lapse(periods=periods, paid=paid, on=on) is None:
        assert (until is None) == (count == 0)
    if until is not None:
        assert until == Month.of(until).last_day()
        assert until.day >= 28
