"""NIK (Nomor Induk Kependudukan) parsing and validation.

Layout: ``PPKKCC DDMMYY SSSS`` -- province, kabupaten/kota and kecamatan where the NIK
was first issued, birth date (day + 40 for women), serial from 0001.  The region digits are
*not* the current domicile (see DOMAIN.md section 4).

The two-digit year is resolved by plausibility at a caller-supplied reference date: a
candidate century is plausible when the birth date is not after the reference date and the
age is at most ``max_age``.  When both centuries are plausible the younger one is taken and
the result is flagged ``century_ambiguous``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container
from dataclasses import dataclass, field

PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96".split()
)

DEFAULT_MAX_AGE = 100

_SEPARATORS = re.compile(r"[\s.\-]")
_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d+)?[eE]\+?\d+\s*$")


class NikError(ValueError):
    """A NIK that cannot be accepted. ``code`` is stable; ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Nik:
    value: str
    birth_date: dt.date
    sex: str  # "L" (laki-laki) or "P" (perempuan)
    century_ambiguous: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def province_code(self) -> str:
        return self.value[:2]

    @property
    def kabkota_code(self) -> str:
        return self.value[:4]

    @property
    def kecamatan_code(self) -> str:
        return self.value[:6]

    @property
    def serial(self) -> str:
        return self.value[12:]


def clean_nik(raw: object) -> str:
    """Strip spaces, dots and dashes; reject what cannot be a 16-digit NIK."""
    if raw is None:
        raise NikError("nik_missing", "NIK is empty")
    text = str(raw).strip()
    if not text:
        raise NikError("nik_missing", "NIK is empty")
    if _SCIENTIFIC.match(text):
        raise NikError(
            "nik_scientific",
            f"NIK '{text}' is in scientific notation (Excel dropped its last digits); "
            "re-export the column as text",
        )
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit() or not digits.isascii():
        raise NikError("nik_not_digits", f"NIK '{text}' contains characters other than digits")
    if len(digits) != 16:
        raise NikError("nik_length", f"NIK '{text}' has {len(digits)} digits, expected 16")
    return digits


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def birth_date_candidates(
    dd: int, mm: int, yy: int, *, reference_date: dt.date, max_age: int = DEFAULT_MAX_AGE
) -> list[dt.date]:
    """Plausible birth dates for a two-digit year, youngest first."""
    out = []
    for century in (2000, 1900):
        born = _safe_date(century + yy, mm, dd)
        if born is not None and born <= reference_date and _age(born, reference_date) <= max_age:
            out.append(born)
    return out


def parse_nik(
    raw: object,
    *,
    reference_date: dt.date,
    known_kecamatan: Container[str] | None = None,
    max_age: int = DEFAULT_MAX_AGE,
) -> Nik:
    """Parse and validate a NIK; raise :class:`NikError` with a stable code if invalid.

    >>> n = parse_nik("3275014507900001", reference_date=dt.date(2026, 1, 1))
    >>> (n.birth_date.isoformat(), n.sex)
    ('1990-07-05', 'P')
    """
    nik = clean_nik(raw)
    if nik[:2] not in PROVINCE_CODES:
        raise NikError("nik_province", f"NIK {nik}: province code {nik[:2]} does not exist")
    if nik[2:4] == "00":
        raise NikError("nik_kabkota", f"NIK {nik}: kabupaten/kota code 00 does not exist")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        sex, day = "P", day - 40
    if not (1 <= day <= 31) or not (1 <= month <= 12):
        raise NikError("nik_birth_date", f"NIK {nik}: digits {nik[6:12]} are not a birth date")
    candidates = birth_date_candidates(day, month, yy, reference_date=reference_date, max_age=max_age)
    if not candidates:
        if _safe_date(2000 + yy, month, day) is None and _safe_date(1900 + yy, month, day) is None:
            raise NikError("nik_birth_date", f"NIK {nik}: digits {nik[6:12]} are not a real date")
        raise NikError(
            "nik_birth_date",
            f"NIK {nik}: birth date {day:02d}-{month:02d}-{yy:02d} gives no plausible age "
            f"at {reference_date.isoformat()}",
        )
    if nik[12:] == "0000":
        raise NikError("nik_serial", f"NIK {nik}: serial 0000 is never issued")
    warnings: list[str] = []
    ambiguous = len(candidates) > 1
    if ambiguous:
        warnings.append(
            f"NIK {nik}: birth year {yy:02d} could be {candidates[0].year} or {candidates[1].year}"
        )
    if known_kecamatan is not None and nik[:6] not in known_kecamatan:
        warnings.append(f"NIK {nik}: kecamatan code {nik[:6]} is not in the region reference")
    return Nik(nik, candidates[0], sex, ambiguous, tuple(warnings))


def is_valid_nik(raw: object, *, reference_date: dt.date) -> bool:
    try:
        parse_nik(raw, reference_date=reference_date)
    except NikError:
        return False
    return True


def make_nik(kecamatan_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Compose a NIK (used by the synthetic generator and tests)."""
    if len(kecamatan_code) != 6 or not kecamatan_code.isdigit():
        raise ValueError(f"kecamatan code must be 6 digits, got {kecamatan_code!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial must be 1..9999, got {serial}")
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{kecamatan_code}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
