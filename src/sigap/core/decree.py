"""The decree (Surat Keputusan, SK) that fixes an approved list: number, date, place, signatory.

The Kepala Dinas enters it when approving a list (web form or ``sigap run approve --sk-...``); the
run keeps it and the decree annex prints it (header lines and the signature block).  Pure: the caller
passes ``today`` and the programme's fiscal year; every problem is reported with the field it
belongs to, in Bahasa Indonesia (the officer reads it next to the field).

Rules (the same for the web form, the command line and the action):

* number, signatory name and title: required text on one line (runs of spaces, tabs and line
  breaks become one space), no control characters, at most :data:`MAX_LENGTHS` characters; the
  number holds at least one digit (``800/Kep.123-Disnaker/2026``);
* place (``Ditetapkan di``): the same, required;
* date: a calendar date (``2026-01-05``, ``05-01-2026`` or ``05/01/2026``), not after ``today``
  (the decree is signed before the list is approved in SIGAP) and not before 1 January of the year
  before the fiscal year (a decree for fiscal year 2026 may be signed in 2025).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sigap.core.money import format_tanggal

NUMBER, DATE, PLACE, SIGNATORY_NAME, SIGNATORY_TITLE = (
    "number",
    "date",
    "place",
    "signatory_name",
    "signatory_title",
)
FIELDS = (NUMBER, DATE, PLACE, SIGNATORY_NAME, SIGNATORY_TITLE)
LABELS = {
    NUMBER: "Nomor SK",
    DATE: "Tanggal SK",
    PLACE: "Ditetapkan di",
    SIGNATORY_NAME: "Nama penanda tangan",
    SIGNATORY_TITLE: "Jabatan penanda tangan",
}
MAX_LENGTHS = {NUMBER: 100, PLACE: 100, SIGNATORY_NAME: 150, SIGNATORY_TITLE: 200}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
_SPACES = re.compile(r"\s+")


class DecreeError(ValueError):
    """``problems``: field -> reason (Bahasa Indonesia)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{LABELS[k]}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Decree:
    number: str
    date: dt.date
    place: str
    signatory_name: str
    signatory_title: str

    @property
    def tanggal(self) -> str:
        """The date as the decree writes it: ``5 Januari 2026``."""
        return format_tanggal(self.date)

    def as_dict(self) -> dict[str, str]:
        return {
            NUMBER: self.number,
            DATE: self.date.isoformat(),
            PLACE: self.place,
            SIGNATORY_NAME: self.signatory_name,
            SIGNATORY_TITLE: self.signatory_title,
        }


def one_line(value: Any) -> str:
    """Text on one line: surrounding space removed, every run of white space made one space."""
    return _SPACES.sub(" ", str(value if value is not None else "")).strip()


def parse_date(value: Any) -> dt.date | None:
    """A date, or text in one of :data:`DATE_FORMATS`; None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = one_line(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _text_problem(field: str, text: str) -> str | None:
    if not text:
        return "wajib diisi"
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        return "tidak boleh memuat karakter kendali"
    if len(text) > MAX_LENGTHS[field]:
        return f"paling banyak {MAX_LENGTHS[field]} karakter (sekarang {len(text)})"
    if field == NUMBER and not any(ch.isdigit() for ch in text):
        return "harus memuat angka, mis. 800/Kep.123-Disnaker/2026"
    return None


def make_decree(
    *,
    number: Any,
    date: Any,
    place: Any,
    signatory_name: Any,
    signatory_title: Any,
    today: dt.date,
    fiscal_year: int,
) -> Decree:
    """A checked :class:`Decree`; :class:`DecreeError` names every field with a problem."""
    texts = {
        NUMBER: one_line(number),
        PLACE: one_line(place),
        SIGNATORY_NAME: one_line(signatory_name),
        SIGNATORY_TITLE: one_line(signatory_title),
    }
    problems: dict[str, str] = {}
    for field in FIELDS:
        if field == DATE:
            day = parse_date(date)
            earliest = dt.date(fiscal_year - 1, 1, 1)
            if date in (None, ""):
                problems[DATE] = "wajib diisi"
            elif day is None:
                problems[DATE] = f"'{one_line(date)}' bukan tanggal (TTTT-BB-HH atau HH-BB-TTTT)"
            elif day > today:
                problems[DATE] = f"{format_tanggal(day)} sesudah hari ini ({format_tanggal(today)})"
            elif day < earliest:
                problems[DATE] = (
                    f"{format_tanggal(day)} sebelum {format_tanggal(earliest)}: terlalu awal untuk "
                    f"tahun anggaran {fiscal_year}"
                )
        elif (problem := _text_problem(field, texts[field])) is not None:
            problems[field] = problem
    if problems:
        raise DecreeError(problems)
    day = parse_date(date)
    assert day is not None
    return Decree(
        number=texts[NUMBER],
        date=day,
        place=texts[PLACE],
        signatory_name=texts[SIGNATORY_NAME],
        signatory_title=texts[SIGNATORY_TITLE],
    )
