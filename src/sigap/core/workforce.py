"""Coverage of a region's informal workforce: who counts, counted once, and the share (pure).

DOMAIN.md section 3 ("what the seeds' 44% vs 34% means"): people of the region active in BPJS TK
as pekerja rentan -- every segment the region funds (each APBD programme's members covered now, the
segments it already paid for before SIGAP: RT/RW, kader Posyandu, honorer, Linmas...) plus the BPU
who are insured on their own -- divided by the estimated number of vulnerable/informal workers of the
region, an entered reference figure with its source and year.

A person is counted once, under the first source that has them, in the order the sources are given
(:func:`count_once`), so the lines of the table add up to the total the share is taken of.  The share
is exact decimal arithmetic, rounded half up to :data:`SHARE_PLACES` decimals -- the figure on the
screen, and the one :func:`format_share` prints.

>>> figures = WorkforceCoverage.of(
...     estimate=200_000,
...     lines=[Line("programme", "SIGAP-2026", 11_666), Line("segment", "RTRW-2026", 40_000),
...            Line("bpu", "", 36_334)])
>>> figures.covered, figures.share, format_share(figures.share)
(88000, Decimal('44.0'), '44,0')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: Decimals of the share shown (44,0%).
SHARE_PLACES = 1
#: The kinds of line, in the order a person is counted (a programme's member first, then a segment's,
#: then a BPU insured on their own).
PROGRAMME, SEGMENT, BPU = "programme", "segment", "bpu"
KINDS = (PROGRAMME, SEGMENT, BPU)


@dataclass(frozen=True)
class Line:
    """People counted under one source: ``kind`` (:data:`KINDS`), ``name`` (the programme's code; empty
    for the BPU line) and how many were counted there (not already counted above)."""

    kind: str
    name: str
    count: int


def count_once(sources: Iterable[tuple[str, str, Iterable[str]]]) -> tuple[list[Line], set[str]]:
    """``(kind, name, NIKs)`` per source -> one :class:`Line` per source counting the NIKs not counted
    under an earlier source, and every NIK counted (for the next step, e.g. the roster's BPU).

    >>> lines, seen = count_once([("programme", "A", ["1", "2"]), ("segment", "B", ["2", "3", "3"])])
    >>> [(line.name, line.count) for line in lines], sorted(seen)
    ([('A', 2), ('B', 1)], ['1', '2', '3'])
    """
    seen: set[str] = set()
    lines = []
    for kind, name, niks in sources:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of coverage line: {kind!r}")
        new = {n for n in niks if n} - seen
        seen |= new
        lines.append(Line(kind, name, len(new)))
    return lines, seen


def share(part: int, whole: int, places: int = SHARE_PLACES) -> Decimal | None:
    """``part / whole`` in percent, rounded half up to ``places`` decimals; None without a base.

    >>> share(88_000, 200_000), share(1, 3), share(2, 3), share(1, 0)
    (Decimal('44.0'), Decimal('33.3'), Decimal('66.7'), None)
    """
    if whole <= 0:
        return None
    exact = Decimal(int(part) * 100) / Decimal(int(whole))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_share(value: Decimal | None) -> str:
    """``Decimal('44.0')`` -> ``"44,0"`` (Indonesian decimal comma); ``"–"`` without a share."""
    if value is None:
        return "–"
    return f"{value:,}".replace(",", "_").replace(".", ",").replace("_", ".")


@dataclass(frozen=True)
class WorkforceCoverage:
    """The figures the dashboard shows: the lines, their total and the share of the estimate."""

    estimate: int | None
    lines: tuple[Line, ...]

    @classmethod
    def of(cls, *, estimate: int | None, lines: Sequence[Line]) -> WorkforceCoverage:
        if estimate is not None and estimate <= 0:
            raise ValueError("the estimate of informal workers must be more than 0")
        if any(line.count < 0 for line in lines):
            raise ValueError("a coverage line cannot count fewer than 0 people")
        return cls(estimate=estimate, lines=tuple(lines))

    @property
    def covered(self) -> int:
        """Everybody counted (each person once): the sum of the lines."""
        return sum(line.count for line in self.lines)

    def subtotal(self, kind: str) -> int:
        return sum(line.count for line in self.lines if line.kind == kind)

    @property
    def share(self) -> Decimal | None:
        """``covered / estimate`` in percent (:data:`SHARE_PLACES` decimals); None without an estimate."""
        return share(self.covered, self.estimate) if self.estimate else None

    @property
    def uncovered(self) -> int | None:
        """Estimated informal workers not counted (never below 0); None without an estimate."""
        return max(self.estimate - self.covered, 0) if self.estimate else None
