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
    assert statuses == [MonthStatus.UNPAID] * 4  # the window closed before the lapse: no longer payable
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


# --------------------------------------------------------------------------- dated payments, year end (ADR 0015)
# New names are imported inside the tests: these tests reproduce defects of the code before ADR 0015.

JAN_PAID_ON_TIME = {Month(2026, 1): dt.date(2026, 1, 10)}


def test_arrears_paid_after_the_window_do_not_prevent_the_lapse() -> None:
    # January paid; February..April paid by an SP2D dated 11 May, after the window closed on 30 April.
    paid = JAN_PAID_ON_TIME | dict.fromkeys(Month(2026, 2).through(Month(2026, 4)), dt.date(2026, 5, 11))
    found = lapse(periods=OPEN_2026, paid=paid, on=dt.date(2026, 5, 16))  # May due on Friday 15 May
    assert found is not None
    assert (found.first_unpaid, found.lapse_month, found.lapsed_on) == (
        Month(2026, 2),
        Month(2026, 5),
        dt.date(2026, 5, 16),
    )
    assert found.arrears_payable_until == dt.date(2026, 4, 30)
    # Seen on 10 May (the SP2D not dated yet) and on 12 May: no protection for February either way.
    assert month_status(Month(2026, 2), periods=OPEN_2026, paid=paid, on=dt.date(2026, 5, 10)) == "unpaid"
    assert month_status(Month(2026, 2), periods=OPEN_2026, paid=paid, on=dt.date(2026, 5, 12)) == "paid_late"
    # The same SP2D dated 30 April (the last day of the window) pays the arrears in time.
    in_time = JAN_PAID_ON_TIME | dict.fromkeys(Month(2026, 2).through(Month(2026, 4)), dt.date(2026, 4, 30))
    assert lapse(periods=OPEN_2026, paid=in_time, on=dt.date(2026, 5, 16)) is None
    assert month_status(Month(2026, 2), periods=OPEN_2026, paid=in_time, on=dt.date(2026, 5, 16)) == "paid"


def test_a_payment_after_the_lapse_does_not_revive_the_membership() -> None:
    unpaid = dict(JAN_PAID_ON_TIME)
    lapsed = lapse(periods=OPEN_2026, paid=unpaid, on=dt.date(2026, 5, 20))
    assert lapsed is not None and lapsed.lapsed_on == dt.date(2026, 5, 16)
    # The APBD money arrives on 25 May and pays February..May: the lapse stays, at the same month.
    late = unpaid | dict.fromkeys(Month(2026, 2).through(Month(2026, 5)), dt.date(2026, 5, 25))
    assert lapse(periods=OPEN_2026, paid=late, on=dt.date(2026, 6, 1)) == lapsed
    assert arrears_payable_until(periods=OPEN_2026, paid=late, on=dt.date(2026, 6, 1)) == dt.date(2026, 4, 30)


def test_months_after_the_fiscal_year_are_outside_the_programme() -> None:
    from sigap.core.coverage import within

    # January..November 2026 paid; December unpaid; the 2026 programme's period was never closed.
    paid = {m: dt.date(2026, m.month, 10) for m in Month(2026, 1).through(Month(2026, 11))}
    on = dt.date(2027, 3, 16)
    assert lapse(periods=OPEN_2026, paid=paid, on=on) is not None  # the defect: "unpaid" Jan..Mar 2027
    periods = within(OPEN_2026, first=Month(2026, 1), last=Month(2026, 12))
    assert periods == [Period(Month(2026, 1), Month(2026, 12))]
    assert lapse(periods=periods, paid=paid, on=on) is None
    assert consecutive_unpaid(periods=periods, paid=paid, on=on) == 1  # December, payable until February
    assert arrears_payable_until(periods=periods, paid=paid, on=on) == dt.date(2027, 2, 28)
    assert month_status(Month(2027, 1), periods=periods, paid=paid, on=on) == MonthStatus.NOT_COVERED
    # A period of another year, or ending before the programme starts, is cut away.
    assert within([Period(Month(2025, 6), Month(2025, 12))], first=Month(2026, 1), last=Month(2026, 12)) == []
    assert within([Period(Month(2025, 11))], first=Month(2026, 1), last=Month(2026, 12)) == periods


def test_month_detail_says_whether_arrears_may_still_be_paid() -> None:
    from sigap.core.coverage import month_detail

    paid = dict(JAN_PAID_ON_TIME)
    open_ = month_detail(Month(2026, 2), periods=OPEN_2026, paid=paid, on=dt.date(2026, 4, 30))
    assert (open_.status, open_.arrears_payable_until, open_.payable, open_.lapse) == (
        MonthStatus.ARREARS,
        dt.date(2026, 4, 30),
        True,
        None,
    )
    closed = month_detail(Month(2026, 2), periods=OPEN_2026, paid=paid, on=dt.date(2026, 5, 1))
    assert (closed.status, closed.payable, closed.lapse) == (MonthStatus.UNPAID, False, None)
    ended = month_detail(Month(2026, 3), periods=OPEN_2026, paid=paid, on=dt.date(2026, 5, 16))
    assert ended.lapse is not None and ended.lapse.lapse_month == Month(2026, 5)
    # A later membership (a reinstatement from August) counts from zero: ``since`` skips the old lapse.
    periods = [Period(Month(2026, 1), Month(2026, 5)), Period(Month(2026, 8))]
    assert lapse(periods=periods, paid=paid, on=dt.date(2026, 12, 31), since=Month(2026, 8)) is not None
    paid_from_august = paid | {m: m.first_day() for m in Month(2026, 8).through(Month(2026, 12))}
    assert (
        lapse(periods=periods, paid=paid_from_august, on=dt.date(2026, 12, 31), since=Month(2026, 8)) is None
    )
    assert lapse(periods=periods, paid=paid_from_august, on=dt.date(2026, 12, 31)) == ended.lapse


@st.composite
def dated_ledgers(draw: st.DrawFn) -> tuple[list[Period], dict[Month, dt.date], dt.date]:
    periods, months, on = draw(ledgers())
    paid = {}
    for m in months:  # paid some day from a month before it to 6 months after it
        paid[m] = draw(st.dates(m.first_day() - dt.timedelta(days=31), (m + 6).last_day()))
    return periods, paid, on


@given(dated_ledgers(), st.integers(0, 400))
@settings(max_examples=300)
def test_a_lapse_is_final_whatever_is_paid_afterwards(
    case: tuple[list[Period], dict[Month, dt.date], dt.date], days: int
) -> None:
    periods, paid, on = case
    found = lapse(periods=periods, paid=paid, on=on)
    if found is None:
        return
    later = on + dt.timedelta(days=days)
    # Every month of the periods paid, all on or after the lapse date: nothing changes.
    everything = {**{m: found.lapsed_on for m in found.first_unpaid.through(found.lapse_month + 6)}, **paid}
    for m in found.first_unpaid.through(found.lapse_month):
        if m not in paid or paid[m] > on:
            everything[m] = max(found.lapsed_on, on)
    assert lapse(periods=periods, paid=everything, on=later) == found


@given(dated_ledgers())
@settings(max_examples=300)
def test_unprotected_months_are_never_payable_and_statuses_agree(
    case: tuple[list[Period], dict[Month, dt.date], dt.date],
) -> None:
    from sigap.core.coverage import UNPROTECTED, month_detail, month_statuses

    periods, paid, on = case
    months = periods[0].start.through(periods[0].start + 30)
    together = month_statuses(months, periods=periods, paid=paid, on=on)
    for m in months:
        detail = month_detail(m, periods=periods, paid=paid, on=on)
        assert together[m] == detail.status
        if detail.status in UNPROTECTED:
            assert detail.arrears_payable_until is not None and on > detail.arrears_payable_until
        if detail.status == MonthStatus.ARREARS:
            assert detail.arrears_payable_until is not None and on <= detail.arrears_payable_until
        if detail.lapse is not None:
            assert detail.status in UNPROTECTED and detail.lapse.lapsed_on <= on
