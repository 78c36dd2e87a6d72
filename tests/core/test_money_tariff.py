from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.core.money import Month, format_rupiah, parse_rupiah
from sigap.core.tariff import DISCOUNTS, monthly_premium, period_cost, tariff_in_force


def test_domain_arithmetic():
    assert monthly_premium(Month(2026, 1)) == 16_800
    assert period_cost(Month(2026, 1), Month(2026, 12)) == 201_600
    assert 2_000_000_000 // 201_600 == 9_920
    assert 10_000 * 201_600 == 2_016_000_000
    assert 11_666 * 201_600 == 2_351_865_600
    assert period_cost(Month(2026, 11), Month(2026, 12)) == 33_600


def test_pp50_discount_never_applies_to_apbd():
    month = Month(2026, 6)
    assert monthly_premium(month, funding="APBD", occupation="SOPIR") == 16_800
    assert monthly_premium(month, funding="MANDIRI", occupation="SOPIR") == 8_400
    assert monthly_premium(Month(2027, 4), funding="MANDIRI", occupation="SOPIR") == 16_800
    assert DISCOUNTS[0].legal_reference.startswith("PP 50/2025")


def test_no_tariff_before_2021():
    with pytest.raises(LookupError):
        tariff_in_force(dt.date(2020, 1, 1))


def test_format_and_parse_rupiah():
    assert format_rupiah(2_016_000_000) == "Rp2.016.000.000"
    assert format_rupiah(-128_000) == "-Rp128.000"
    assert format_rupiah(0) == "Rp0"
    with pytest.raises(TypeError):
        format_rupiah(1.5)  # type: ignore[arg-type]
    for text in ("Rp2.000.000.000", "2_000_000_000", "2,000,000,000", "2000000000", 2_000_000_000):
        assert parse_rupiah(text) == 2_000_000_000
    for bad in ("2.5", "Rp", "dua milyar", True):
        with pytest.raises(ValueError):
            parse_rupiah(bad)  # type: ignore[arg-type]


@given(st.integers(0, 10**15))
def test_rupiah_round_trip(amount):
    assert parse_rupiah(format_rupiah(amount)) == amount


@given(st.integers(1990, 2100), st.integers(1, 12), st.integers(-300, 300))
def test_month_arithmetic(year, month, delta):
    m = Month(year, month)
    assert (m + delta) - m == delta
    assert Month.parse(str(m)) == m
    assert m.last_day() + dt.timedelta(days=1) == (m + 1).first_day()


def test_month_through_crosses_years():
    months = Month(2025, 11).through(Month(2026, 2))
    assert [str(m) for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert Month(2026, 3).through(Month(2026, 2)) == []


def test_parse_rupiah_refuses_figures_no_programme_could_have() -> None:
    import pytest

    from sigap.core.money import MAX_RUPIAH, parse_rupiah

    assert parse_rupiah(str(MAX_RUPIAH)) == MAX_RUPIAH
    for bad in ("99999999999999999999", str(MAX_RUPIAH + 1), MAX_RUPIAH + 1, "9" * 400):
        with pytest.raises(ValueError, match="more than"):
            parse_rupiah(bad)
