"""The SQL NIK checks agree with the Python parser on many random and edge-case strings."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sigap.core import occupations
from sigap.core.nik import NikError, make_nik, parse_nik
from sigap.core.nik_sql import PY_WHITESPACE, nik_fields_sql, nik_issue_sql
from sigap.registry.ingest.checks import occupation_sql

CON = duckdb.connect()


def sql_results(values: list[str | None], reference_date: dt.date) -> list[tuple]:
    fields = nik_fields_sql("v", reference_date)
    return CON.execute(
        f"SELECT {nik_issue_sql('v', reference_date)}, {fields['nik']}, {fields['birth_date']}, {fields['sex']},"
        f" {fields['century_ambiguous']} FROM (SELECT unnest(?::VARCHAR[]) AS v, generate_subscripts(?, 1) AS i)"
        " ORDER BY i",
        [values, values],
    ).fetchall()


def python_result(value: str | None, reference_date: dt.date) -> tuple:
    try:
        nik = parse_nik(value, reference_date=reference_date)
    except NikError as e:
        return (e.code,)
    return (None, nik.value, nik.birth_date, nik.sex, nik.century_ambiguous)


def assert_parity(values: list[str | None], reference_date: dt.date) -> None:
    for value, got in zip(values, sql_results(values, reference_date), strict=True):
        expected = python_result(value, reference_date)
        assert got[: len(expected)] == expected, value


digits = st.text(alphabet="0123456789", min_size=16, max_size=16)
noise = st.sampled_from([" ", ".", "-", "\u00a0", "\t", "x", "٣", "E+", ",", "0"])


@st.composite
def nik_like(draw: st.DrawFn) -> str:
    """Mostly NIK-shaped strings with edge days/months/years, separators and junk."""
    prov = draw(st.sampled_from(["32", "31", "99", "00", "11", "96"]))
    kab = draw(st.sampled_from(["75", "00", "01"]))
    kec = draw(st.sampled_from(["01", "99"]))
    day = draw(st.sampled_from([0, 1, 5, 28, 29, 30, 31, 32, 40, 41, 45, 68, 69, 70, 71, 72, 80]))
    month = draw(st.integers(0, 13))
    yy = draw(st.sampled_from([0, 1, 4, 24, 25, 26, 27, 50, 90, 99]))
    serial = draw(st.sampled_from(["0000", "0001", "9999"]))
    text = f"{prov}{kab}{kec}{day:02d}{month:02d}{yy:02d}{serial}"
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(noise) + text[at:]
    return text


any_text = st.one_of(
    nik_like(),
    digits,
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
    st.sampled_from(["3.27501E+15", "3,2750E15", " 3275014507900001 ", "", " ", "٣٢٧٥٠١٤٥٠٧٩٠٠٠٠١"]),
    st.sampled_from([chr(c) + "3275014507900001" for c in PY_WHITESPACE]),
)
dates = st.sampled_from(
    [dt.date(2026, 1, 1), dt.date(2024, 2, 29), dt.date(2000, 3, 1), dt.date(2025, 12, 31)]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(any_text, min_size=1, max_size=60), reference_date=dates)
@example(
    values=["3275012902000001", "3275016902000001", "3275012902000001"], reference_date=dt.date(2026, 1, 1)
)
def test_nik_sql_matches_python(values: list[str], reference_date: dt.date) -> None:
    assert_parity(values, reference_date)


@pytest.mark.parametrize(
    "value",
    [
        "3275012902000001",  # 29 Feb 2000 (leap)
        "3275016902000001",  # woman, 29 Feb 2000
        "3275012902250001",  # 29 Feb 2025 / 1925: not a date
        "3275014002900001",  # day 40
        "3275014102900001",  # woman, day 1
        "3275017102900001",  # woman, day 31
        "3275017202900001",  # woman, day 32
        "3275010101260001",  # 2026-01-01 or 1926-01-01: ambiguous
        "3275010101900000",  # serial 0000
        "3.27501E+15",
        "3275-0145.0790 0001",
        None,
    ],
)
def test_nik_sql_edge_cases(value: str | None) -> None:
    assert_parity([value], dt.date(2026, 1, 1))


def test_feb_29_1900_is_not_a_date() -> None:
    # 1900 was not a leap year; with the reference in 2000 only the 1900 reading is plausible
    value = "3275012902000001"
    assert python_result(value, dt.date(1999, 12, 31)) == ("nik_birth_date",)
    assert_parity([value], dt.date(1999, 12, 31))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(sorted(occupations._ALIASES)),
            st.text(alphabet="abcXYZ /\t\u00a0", max_size=12),
            st.builds(
                lambda a, s: s + a.lower() + s,
                st.sampled_from(sorted(occupations._ALIASES)),
                st.sampled_from(["", " ", "  "]),
            ),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_occupation_sql_matches_python(values: list[str]) -> None:
    CON.execute("CREATE OR REPLACE TEMP TABLE occupation_alias (alias VARCHAR, name VARCHAR)")
    CON.executemany("INSERT INTO occupation_alias VALUES (?, ?)", sorted(occupations._ALIASES.items()))
    got = CON.execute(
        f"SELECT coalesce(o.name, {occupation_sql('t.v')}) FROM (SELECT unnest(?::VARCHAR[]) AS v,"
        f" generate_subscripts(?, 1) AS i) t LEFT JOIN occupation_alias o ON o.alias = {occupation_sql('t.v')}"
        " ORDER BY i",
        [values, values],
    ).fetchall()
    assert [g[0] for g in got] == [occupations.normalise_occupation(v) for v in values]


def test_make_nik_round_trip_in_sql() -> None:
    born = dt.date(1988, 12, 31)
    nik = make_nik("327508", born, "P", 17)
    ((issue, clean, birth, sex, _),) = sql_results([nik], dt.date(2026, 1, 1))
    assert (issue, clean, birth, sex) == (None, nik, born, "P")
