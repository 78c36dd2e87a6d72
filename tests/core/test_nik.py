"""NIK parsing: examples from DOMAIN.md section 4 and property-based round trips."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.core.nik import NikError, clean_nik, make_nik, parse_nik

REF = dt.date(2026, 1, 1)


def test_female_day_plus_40_and_fields():
    nik = parse_nik("3275014507900001", reference_date=REF)
    assert nik.sex == "P"
    assert nik.birth_date == dt.date(1990, 7, 5)
    assert (nik.province_code, nik.kabkota_code, nik.kecamatan_code, nik.serial) == (
        "32",
        "3275",
        "327501",
        "0001",
    )


def test_separators_are_stripped():
    assert clean_nik(" 3275.01-0507 90 0001 ") == "3275010507900001"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "nik_missing"),
        (None, "nik_missing"),
        ("3.27501E+15", "nik_scientific"),
        ("3,27501e15", "nik_scientific"),
        ("32750105079000O1", "nik_not_digits"),
        ("327501050790001", "nik_length"),
        ("32750105079000011", "nik_length"),
        ("9975010507900001", "nik_province"),
        ("3200010507900001", "nik_kabkota"),
        ("3275013207900001", "nik_birth_date"),  # day 32
        ("3275017207900001", "nik_birth_date"),  # day 72 - 40 = 32
        ("3275010513900001", "nik_birth_date"),  # month 13
        ("3275013102900001", "nik_birth_date"),  # 31 February
        ("3275010507900000", "nik_serial"),
    ],
)
def test_rejections_have_stable_codes(raw, code):
    with pytest.raises(NikError) as err:
        parse_nik(raw, reference_date=REF)
    assert err.value.code == code


def test_century_from_plausible_age():
    assert parse_nik("3275010507100001", reference_date=REF).birth_date.year == 2010
    assert parse_nik("3275010507500001", reference_date=REF).birth_date.year == 1950
    # born "01-01-26": a newborn at 2026-06-01 or 100 years old: ambiguous, youngest taken, flagged.
    nik = parse_nik("3275010101260001", reference_date=dt.date(2026, 6, 1))
    assert nik.birth_date.year == 2026 and nik.century_ambiguous and nik.warnings


def test_leap_day_only_valid_in_2000():
    nik = parse_nik("3275012902000001", reference_date=REF)
    assert nik.birth_date == dt.date(2000, 2, 29)
    with pytest.raises(NikError):
        parse_nik("3275012902010001", reference_date=REF)


def test_future_birth_date_rejected():
    # 2027-01-01 is after the reference date and 1927 is older than 100.
    with pytest.raises(NikError) as err:
        parse_nik("3275010101270001", reference_date=dt.date(2026, 12, 31), max_age=90)
    assert err.value.code == "nik_birth_date"


def test_unknown_kecamatan_is_a_warning_not_a_rejection():
    nik = parse_nik("3275990507900001", reference_date=REF, known_kecamatan={"327501"})
    assert nik.value == "3275990507900001"
    assert any("327599" in w for w in nik.warnings)


kecamatan = st.from_regex(r"^(11|32|35|51|96)[0-9][1-9][0-9]{2}$", fullmatch=True)
birth = st.dates(min_value=dt.date(1927, 1, 2), max_value=dt.date(2025, 12, 31))


@given(kec=kecamatan, born=birth, sex=st.sampled_from("LP"), serial=st.integers(1, 9999))
def test_round_trip(kec, born, sex, serial):
    nik = parse_nik(make_nik(kec, born, sex, serial), reference_date=REF)
    assert (nik.birth_date, nik.sex, nik.kecamatan_code, int(nik.serial)) == (born, sex, kec, serial)


@given(st.text(max_size=24))
def test_never_crashes_on_any_text(raw):
    try:
        nik = parse_nik(raw, reference_date=REF)
    except NikError as err:
        assert err.code.startswith("nik_") and err.message
    else:
        assert len(nik.value) == 16 and nik.value.isdigit()
