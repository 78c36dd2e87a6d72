"""BPJS Ketenagakerjaan BPU premiums as versioned rules.

Each rule has an effective period, a legal reference and conditions on funding source and
segment.  The monthly premium for a person and month is the sum of the components of the
base rule in force, after any discount rule whose conditions hold.  All amounts are integer
rupiah.  Sources: DOMAIN.md section 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sigap.core.money import Month

DEFAULT_INCOME_BRACKET = 1_000_000


@dataclass(frozen=True)
class Tariff:
    """A base tariff: JKK as per-mille of the declared income bracket plus a flat JKM."""

    code: str
    effective_from: dt.date
    effective_to: dt.date | None
    legal_reference: str
    jkk_per_mille: int = 10  # 1% of the income bracket
    jkm_flat: int = 6_800
    segment: str = "BPU"

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def components(self, income_bracket: int = DEFAULT_INCOME_BRACKET) -> dict[str, int]:
        jkk = income_bracket * self.jkk_per_mille // 1000
        return {"jkk": jkk, "jkm": self.jkm_flat}


@dataclass(frozen=True)
class Discount:
    """A temporary premium relief (percent off), with conditions on who receives it."""

    code: str
    effective_from: dt.date
    effective_to: dt.date | None
    legal_reference: str
    percent_off: int
    excluded_funding: frozenset[str] = field(default_factory=frozenset)
    occupations: frozenset[str] | None = None  # None: every occupation

    def applies(self, day: dt.date, *, funding: str, occupation: str | None = None) -> bool:
        if day < self.effective_from or (self.effective_to is not None and day > self.effective_to):
            return False
        if funding.upper() in self.excluded_funding:
            return False
        return self.occupations is None or (occupation or "").upper() in self.occupations


TARIFFS: tuple[Tariff, ...] = (
    Tariff(
        code="BPU-2021",
        effective_from=dt.date(2021, 4, 1),
        effective_to=None,
        legal_reference="PP 44/2015 jo. PP 82/2019; Permenaker 5/2021",
    ),
)

DISCOUNTS: tuple[Discount, ...] = (
    Discount(
        code="PP50-2025",
        effective_from=dt.date(2026, 1, 1),
        effective_to=dt.date(2027, 3, 31),
        legal_reference="PP 50/2025 (50% JKK+JKM relief for BPU transport workers)",
        percent_off=50,
        excluded_funding=frozenset({"APBN", "APBD"}),
        occupations=frozenset({"SOPIR", "TRANSPORTASI"}),
    ),
)


def tariff_in_force(day: dt.date, tariffs: Iterable[Tariff] = TARIFFS, segment: str = "BPU") -> Tariff:
    matches = [t for t in tariffs if t.segment == segment and t.in_force(day)]
    if not matches:
        raise LookupError(f"no {segment} tariff in force on {day.isoformat()}")
    return max(matches, key=lambda t: t.effective_from)


def monthly_premium(
    month: Month,
    *,
    funding: str = "APBD",
    income_bracket: int = DEFAULT_INCOME_BRACKET,
    occupation: str | None = None,
    tariffs: Sequence[Tariff] = TARIFFS,
    discounts: Sequence[Discount] = DISCOUNTS,
) -> int:
    """Premium due for one person for one covered month, in rupiah.

    >>> monthly_premium(Month(2026, 1))
    16800
    """
    day = month.first_day()
    base = sum(tariff_in_force(day, tariffs).components(income_bracket).values())
    for discount in discounts:
        if discount.applies(day, funding=funding, occupation=occupation):
            base -= base * discount.percent_off // 100
    return base


def period_cost(
    first: Month,
    last: Month,
    *,
    funding: str = "APBD",
    income_bracket: int = DEFAULT_INCOME_BRACKET,
    tariffs: Sequence[Tariff] = TARIFFS,
    discounts: Sequence[Discount] = DISCOUNTS,
) -> int:
    """Premium for one person covered every month from ``first`` to ``last`` inclusive."""
    return sum(
        monthly_premium(
            m, funding=funding, income_bracket=income_bracket, tariffs=tariffs, discounts=discounts
        )
        for m in first.through(last)
    )
