"""Probable roster matches: NIK typos and name variants on the same birth date."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sigap.core.matching import Candidate, edit_distance, match_rule, name_similarity

BORN = dt.date(1980, 5, 5)
NIK = "3275014505800001"


def who(nik: str = NIK, nama: str = "SITI AMINAH", born: dt.date | None = BORN) -> Candidate:
    return Candidate(nik, nama, born)


def test_edit_distance_counts_swaps_as_one() -> None:
    assert edit_distance("1234", "1234") == 0
    assert edit_distance("1234", "1243") == 1  # adjacent swap
    assert edit_distance("1234", "1235") == 1
    assert edit_distance("1234", "4231") == 2
    assert edit_distance("1234", "123") == 1


@given(st.text(alphabet="0123456789", min_size=1, max_size=16), st.text(alphabet="0123456789", max_size=16))
def test_edit_distance_is_a_symmetric_bound(a: str, b: str) -> None:
    d = edit_distance(a, b)
    assert d == edit_distance(b, a)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)


def test_nik_typo_with_similar_name() -> None:
    assert match_rule(who(), who(nik="3275014505800010", nama="Hj. Siti Aminah")) == "nik_typo"
    assert match_rule(who(), who(nik="3275014505800009", nama="SITI AMINA")) == "nik_typo"


def test_twins_are_not_a_match() -> None:
    # consecutive NIKs, same birth date, different names: twins, not a typo
    assert match_rule(who(), who(nik="3275014505800002", nama="SITI RAHMAWATI")) is None


def test_same_name_and_birth_date_under_another_nik() -> None:
    other = "3216015505800123"
    assert (
        match_rule(who(nama="Moch. Djoko Soetjipto"), who(nik=other, nama="MUHAMMAD JOKO SUCIPTO"))
        == "same_name"
    )
    assert match_rule(who(nama="YUSUF"), who(nik=other, nama="JUSUF")) == "spelling_variant"


def test_no_match_without_the_same_birth_date_or_with_the_same_nik() -> None:
    assert match_rule(who(), who(nik="3275014505800010", born=dt.date(1980, 5, 6))) is None
    assert match_rule(who(born=None), who(nik="3275014505800010", born=None)) is None
    assert match_rule(who(), who()) is None  # same NIK: targeting already excludes it


def test_name_similarity() -> None:
    assert name_similarity("Nur Hasanah", "NURHASANAH") == 1.0
    assert name_similarity("", "SITI") == 0.0
    assert 0.8 <= name_similarity("SITI AMINAH", "SITI AMINA") < 1.0


@given(st.text(alphabet="0123", max_size=8), st.text(alphabet="0123", max_size=8))
def test_one_edit_apart_agrees_with_edit_distance(a: str, b: str) -> None:
    from sigap.core.matching import one_edit_apart

    assert one_edit_apart(a, b) == (edit_distance(a, b) == 1)


def test_shared_family_name_is_not_enough() -> None:
    from sigap.core.matching import names_alike

    assert not names_alike("TASNIM TAMPUBOLON", "IVAN TAMPUBOLON")
    assert names_alike("ADIKARA, S.KOM", "ADIKA")
    assert (
        match_rule(who(nama="TASNIM TAMPUBOLON"), who(nik="3275014505800002", nama="IVAN TAMPUBOLON")) is None
    )
