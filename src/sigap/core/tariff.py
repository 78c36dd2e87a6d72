"""BPJS Ketenagakerjaan BPU premiums as versioned rules.

Each rule has an effective period, a legal reference and conditions on funding source and
segment.  The monthly premium for a person and month is the sum of the components of the
base rule in force (JKK + JKM, and JHT when the programme pays it), each after any discount
rule whose conditions hold and which covers that component.  All amounts are integer rupiah;
the components always add up to the premium.  Sources: DOMAIN.md section 2.

>>> monthly_components(Month(2026, 1), include_jht=True)
{'jkk': 10000, 'jkm': 6800, 'jht': 20000}
>>> monthly_premium(Month(2026, 1), include_jht=True)
36800
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sigap.core.money import Month, format_rupiah

DEFAULT_INCOME_BRACKET = 1_000_000

#: The BPJS TK programmes (jaminan) a BPU premium may pay for, in the order every document shows them.
JKK, JKM, JHT = "jkk", "jkm", "jht"
COMPONENTS: tuple[str, ...] = (JKK, JKM, JHT)
#: Short labels (column headers) and full Indonesian names.
COMPONENT_LABELS: dict[str, str] = {JKK: "JKK", JKM: "JKM", JHT: "JHT"}
COMPONENT_NAMES: dict[str, str] = {
    JKK: "Jaminan Kecelakaan Kerja",
    JKM: "Jaminan Kematian",
    JHT: "Jaminan Hari Tua",
}


@dataclass(frozen=True)
class Tariff:
    """A base tariff: JKK as per-mille of the declared income bracket plus a flat JKM; JHT, optional
    for BPU participants, as per-mille of the same declared income."""

    code: str
    effective_from: dt.date
    effective_to: dt.date | None
    legal_reference: str
    jkk_per_mille: int = 10  # 1% of the income bracket
    jkm_flat: int = 6_800
    jht_per_mille: int = 20  # 2% of the declared income, optional (DOMAIN.md section 2, reported)
    segment: str = "BPU"

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def components(
        self, income_bracket: int = DEFAULT_INCOME_BRACKET, *, include_jht: bool = False
    ) -> dict[str, int]:
        """Rupiah per person per month of each programme paid, in :data:`COMPONENTS` order."""
        parts = {JKK: income_bracket * self.jkk_per_mille // 1000, JKM: self.jkm_flat}
        if include_jht:
            parts[JHT] = income_bracket * self.jht_per_mille // 1000
        return parts


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
    #: The programmes the relief reduces (each component is reduced on its own, so they still add up).
    components: frozenset[str] = frozenset({JKK, JKM})

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


def monthly_components(
    month: Month,
    *,
    funding: str = "APBD",
    income_bracket: int = DEFAULT_INCOME_BRACKET,
    occupation: str | None = None,
    include_jht: bool = False,
    tariffs: Sequence[Tariff] = TARIFFS,
    discounts: Sequence[Discount] = DISCOUNTS,
) -> dict[str, int]:
    """Premium due for one person for one covered month, per programme (``jkk``, ``jkm``[, ``jht``]).

    A discount reduces each component it covers on its own (rounded down to the rupiah), so the
    components always add up to :func:`monthly_premium`.
    """
    day = month.first_day()
    parts = tariff_in_force(day, tariffs).components(income_bracket, include_jht=include_jht)
    for discount in discounts:
        if discount.applies(day, funding=funding, occupation=occupation):
            for code in parts:
                if code in discount.components:
                    parts[code] -= parts[code] * discount.percent_off // 100
    return parts


def monthly_premium(
    month: Month,
    *,
    funding: str = "APBD",
    income_bracket: int = DEFAULT_INCOME_BRACKET,
    occupation: str | None = None,
    include_jht: bool = False,
    tariffs: Sequence[Tariff] = TARIFFS,
    discounts: Sequence[Discount] = DISCOUNTS,
) -> int:
    """Premium due for one person for one covered month, in rupiah.

    >>> monthly_premium(Month(2026, 1))
    16800
    """
    return sum(
        monthly_components(
            month,
            funding=funding,
            income_bracket=income_bracket,
            occupation=occupation,
            include_jht=include_jht,
            tariffs=tariffs,
            discounts=discounts,
        ).values()
    )


def period_components(
    first: Month,
    last: Month,
    *,
    funding: str = "APBD",
    income_bracket: int = DEFAULT_INCOME_BRACKET,
    include_jht: bool = False,
    tariffs: Sequence[Tariff] = TARIFFS,
    discounts: Sequence[Discount] = DISCOUNTS,
) -> dict[str, int]:
    """Premium per programme for one person covered every month from ``first`` to ``last``."""
    total = dict.fromkeys(COMPONENTS[: 3 if include_jht else 2], 0)
    for month in first.through(last):
        parts = monthly_components(
            month,
            funding=funding,
            income_bracket=income_bracket,
            include_jht=include_jht,
            tariffs=tariffs,
            discounts=discounts,
        )
        for code, amount in parts.items():
            total[code] += amount
    return total


def period_cost(
    first: Month,
    last: Month,
    *,
    funding: str = "APBD",
    income_bracket: int = DEFAULT_INCOME_BRACKET,
    include_jht: bool = False,
    tariffs: Sequence[Tariff] = TARIFFS,
    discounts: Sequence[Discount] = DISCOUNTS,
) -> int:
    """Premium for one person covered every month from ``first`` to ``last`` inclusive."""
    return sum(
        period_components(
            first,
            last,
            funding=funding,
            income_bracket=income_bracket,
            include_jht=include_jht,
            tariffs=tariffs,
            discounts=discounts,
        ).values()
    )


def percent_text(per_mille: int) -> str:
    """A per-mille rate as Indonesian percent text: ``20`` -> ``2%``, ``25`` -> ``2,5%``."""
    whole, rest = divmod(per_mille, 10)
    return f"{whole}%" if rest == 0 else f"{whole},{rest}%"


def jht_percent_text(tariffs: Sequence[Tariff] = TARIFFS) -> str:
    """The JHT rate of the newest tariff, e.g. ``2%``."""
    return percent_text(max(tariffs, key=lambda t: t.effective_from).jht_per_mille)


def programmes_label(include_jht: bool) -> str:
    """The programmes a premium pays for, as BPJS TK's registration files name them: ``JKK+JKM[+JHT]``."""
    return "+".join(COMPONENT_LABELS[c] for c in COMPONENTS[: 3 if include_jht else 2])


def describe_components(parts: Mapping[str, int]) -> str:
    """``JKK Rp10.000 + JKM Rp6.800 + JHT Rp20.000 = Rp36.800`` (components in :data:`COMPONENTS` order).

    >>> describe_components({"jkk": 10_000, "jkm": 6_800})
    'JKK Rp10.000 + JKM Rp6.800 = Rp16.800'
    """
    ordered = [c for c in COMPONENTS if c in parts]
    terms = " + ".join(f"{COMPONENT_LABELS[c]} {format_rupiah(int(parts[c]))}" for c in ordered)
    return f"{terms} = {format_rupiah(sum(int(parts[c]) for c in ordered))}"
