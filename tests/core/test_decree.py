"""The decree (SK) entered at approval: checked once (sigap.core.decree), dates in Indonesian."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sigap.core.decree import Decree, DecreeError, make_decree, one_line
from sigap.core.money import Month, format_tanggal

TODAY = dt.date(2026, 1, 10)
GOOD: dict[str, Any] = {
    "number": "800/Kep.017-Disnaker/2026",
    "date": "2026-01-05",
    "place": "Bekasi",
    "signatory_name": "Drs. H. Ahmad Fauzi, M.Si.",
    "signatory_title": "Kepala Dinas Tenaga Kerja Kota Bekasi",
}


def _make(**changes: Any) -> Decree:
    return make_decree(**{**GOOD, **changes}, today=TODAY, fiscal_year=2026)


def _problems(**changes: Any) -> dict[str, str]:
    with pytest.raises(DecreeError) as refused:
        _make(**changes)
    return refused.value.problems


def test_a_good_decree() -> None:
    decree = _make()
    assert decree == Decree(
        number="800/Kep.017-Disnaker/2026",
        date=dt.date(2026, 1, 5),
        place="Bekasi",
        signatory_name="Drs. H. Ahmad Fauzi, M.Si.",
        signatory_title="Kepala Dinas Tenaga Kerja Kota Bekasi",
    )
    assert decree.tanggal == "5 Januari 2026"
    assert decree.as_dict()["date"] == "2026-01-05"


@pytest.mark.parametrize("day", ["05-01-2026", "05/01/2026", dt.date(2026, 1, 5)])
def test_dates_in_the_usual_forms(day: Any) -> None:
    assert _make(date=day).date == dt.date(2026, 1, 5)


def test_text_is_kept_on_one_line() -> None:
    decree = _make(signatory_title="  Kepala Dinas\n Tenaga Kerja\tKota Bekasi ", number=" 800/17 ")
    assert decree.signatory_title == "Kepala Dinas Tenaga Kerja Kota Bekasi" and decree.number == "800/17"
    assert one_line(None) == ""


def test_every_problem_is_named_with_its_field() -> None:
    assert _problems(number="", date="", place=" ", signatory_name=None, signatory_title="\n") == {
        "number": "wajib diisi",
        "date": "wajib diisi",
        "place": "wajib diisi",
        "signatory_name": "wajib diisi",
        "signatory_title": "wajib diisi",
    }


def test_the_number_holds_a_digit_and_nothing_hidden() -> None:
    assert _problems(number="SK Kepala Dinas") == {
        "number": "harus memuat angka, mis. 800/Kep.123-Disnaker/2026"
    }
    assert _problems(signatory_name="Ahmad\u202eizuaF") == {
        "signatory_name": "tidak boleh memuat karakter kendali"
    }
    assert _problems(number="800\x00/1") == {"number": "tidak boleh memuat karakter kendali"}
    assert "paling banyak 150 karakter" in _problems(signatory_name="A" * 151)["signatory_name"]


def test_the_date_is_not_after_today_nor_too_early() -> None:
    assert _make(date=TODAY).date == TODAY
    assert _problems(date="2026-01-11") == {"date": "11 Januari 2026 sesudah hari ini (10 Januari 2026)"}
    assert _make(date="2025-01-01").date == dt.date(2025, 1, 1)  # signed the year before: fine
    assert "terlalu awal untuk tahun anggaran 2026" in _problems(date="2024-12-31")["date"]
    assert "bukan tanggal" in _problems(date="31-02-2026")["date"]
    assert "bukan tanggal" in _problems(date="kemarin")["date"]


def test_indonesian_dates() -> None:
    assert format_tanggal(dt.date(2025, 11, 5)) == "5 November 2025"
    assert format_tanggal(dt.date(2026, 8, 17)) == "17 Agustus 2026"
    assert Month(2026, 2).nama() == "Februari 2026"
