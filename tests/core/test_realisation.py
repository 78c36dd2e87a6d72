from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.core.money import Month
from sigap.core.realisation import Enrolled, realise
from sigap.core.tariff import monthly_premium

YEAR = Month(2026, 1).through(Month(2026, 12))


def test_bekasi_arithmetic() -> None:
    # Rp2.000.000.000 for 10.000 workers from January: Rp2.016.000.000 needed -> runs out in December.
    r = realise(
        allocated=2_000_000_000,
        fiscal_year=2026,
        members=[Enrolled(Month(2026, 1))] * 10_000,
        invoiced=0,
        paid=0,
        invoiced_months=[],
        on=dt.date(2026, 1, 1),
        quota=10_000,
    )
    assert r.committed == 2_016_000_000
    assert r.remaining == -16_000_000
    assert r.runs_out == Month(2026, 12)
    assert r.adds_up() and r.cost_to_fill == 0


def test_invoiced_months_move_from_committed_to_invoiced() -> None:
    members = [Enrolled(Month(2026, 1))] * 9 + [Enrolled(Month(2026, 3), Month(2026, 5))]
    r = realise(
        allocated=5_000_000,
        fiscal_year=2026,
        members=members,
        invoiced=2 * 9 * 16_800,  # January and February
        paid=9 * 16_800,
        invoiced_months=[Month(2026, 1), Month(2026, 2)],
        on=dt.date(2026, 2, 20),
        quota=12,
        target=20,
    )
    assert r.committed == 10 * 9 * 16_800 + 3 * 16_800
    assert r.outstanding == 9 * 16_800
    assert r.remaining == 5_000_000 - 2 * 9 * 16_800 - r.committed
    assert r.members == 10 and r.fill_from == Month(2026, 3)
    assert r.cost_per_new_member == 10 * 16_800
    assert r.cost_to_fill == 2 * 10 * 16_800 and r.cost_to_target == 10 * 10 * 16_800
    assert r.runs_out is None and r.adds_up()
    assert dict(r.monthly_committed)[Month(2026, 4)] == 10 * 16_800


def test_rupiah_are_integers() -> None:
    with pytest.raises(TypeError):
        realise(
            allocated=1.5,
            fiscal_year=2026,
            members=[],
            invoiced=0,
            paid=0,
            invoiced_months=[],
            on=dt.date(2026, 1, 1),
        )  # type: ignore[arg-type]


enrolments = st.builds(
    lambda s, n: Enrolled(Month(2026, s), None if n is None else Month(2026, min(12, s + n))),
    st.integers(1, 12),
    st.one_of(st.none(), st.integers(0, 11)),
)


@given(
    st.lists(enrolments, max_size=40),
    st.integers(0, 10_000_000),
    st.integers(0, 12),
    st.integers(0, 100),
    st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    st.sampled_from(["APBD", "APBN"]),
)
@settings(max_examples=200)
def test_everything_adds_up(
    members: list[Enrolled], budget: int, invoiced_through: int, paid_pct: int, on: dt.date, funding: str
) -> None:
    done = YEAR[:invoiced_through]
    invoiced = sum(monthly_premium(m, funding=funding) * sum(e.covers(m) for e in members) for m in done)
    paid = invoiced * paid_pct // 100
    r = realise(
        allocated=budget,
        fiscal_year=2026,
        members=members,
        invoiced=invoiced,
        paid=paid,
        invoiced_months=done,
        on=on,
        quota=30,
        funding=funding,
    )
    assert r.allocated == r.paid + r.outstanding + r.committed + r.remaining
    # Invoiced plus committed is the premium of every covered month of the year.
    assert r.invoiced + r.committed == sum(
        monthly_premium(m, funding=funding) * sum(e.covers(m) for e in members) for m in YEAR
    )
    assert (r.runs_out is None) == (r.remaining >= 0)
    if r.runs_out is not None and budget >= invoiced:
        spent_before = sum(v for m, v in r.monthly_committed if m < r.runs_out)
        assert (
            budget - invoiced - spent_before
            >= 0
            > budget - invoiced - spent_before - dict(r.monthly_committed)[r.runs_out]
        )
    assert r.cost_to_fill == max(0, 30 - r.members) * r.cost_per_new_member
