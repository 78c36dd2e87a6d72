"""Integer rupiah and calendar months. No floats anywhere."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def format_rupiah(amount: int) -> str:
    """Indonesian style: ``Rp2.016.000.000``; negatives as ``-Rp128.000``.

    >>> format_rupiah(2016000000)
    'Rp2.016.000.000'
    """
    if not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are integers, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


#: No amount SIGAP handles comes near this (the whole national budget is about Rp3,600 trillion); a
#: larger figure is a typing error, and it would not fit a 64-bit database column.
MAX_RUPIAH = 10**16


def parse_rupiah(text: str | int) -> int:
    """Parse ``2000000000``, ``"Rp2.000.000.000"``, ``"2_000_000_000"`` or ``"2,000,000,000"``.

    Decimal fractions are refused: budgets are whole rupiah; so is anything above :data:`MAX_RUPIAH`.
    """
    if isinstance(text, bool):
        raise ValueError("a rupiah amount cannot be true/false")
    if isinstance(text, int):
        if abs(text) > MAX_RUPIAH:
            raise ValueError(f"{text} is more than Rp{MAX_RUPIAH:,} (a typing error?)")
        return text
    cleaned = str(text).strip().lower().removeprefix("rp").strip()
    cleaned = cleaned.replace("_", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "").replace(",", "")
    if not cleaned.isdigit():
        raise ValueError(f"'{text}' is not a whole rupiah amount")
    if len(cleaned) > 20 or int(cleaned) > MAX_RUPIAH:
        raise ValueError(f"'{text}' is more than Rp{MAX_RUPIAH:,} (a typing error?)")
    return int(cleaned)


#: Indonesian month names (documents are in Bahasa Indonesia whatever the reader's language).
BULAN: tuple[str, ...] = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def format_tanggal(day: dt.date) -> str:
    """A date as Indonesian official documents write it: ``5 November 2025``.

    >>> format_tanggal(dt.date(2025, 11, 5))
    '5 November 2025'
    """
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. ``Month(2026, 1)`` or ``Month.parse("2026-01")``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH.match(str(text).strip())
        if not m:
            raise ValueError(f"'{text}' is not a month in YYYY-MM form")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def nama(self) -> str:
        """``Januari 2026``."""
        return f"{BULAN[self.month - 1]} {self.year}"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        return (self + 1).first_day() - dt.timedelta(days=1)

    def __add__(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def __sub__(self, other: Month) -> int:
        return (self.year * 12 + self.month) - (other.year * 12 + other.month)

    def through(self, last: Month) -> list[Month]:
        """Months from self to ``last`` inclusive (empty if last < self)."""
        return [self + i for i in range(last - self + 1)]
