"""The coverage share's arithmetic (sigap.core.workforce): each person once, exact decimals, rounded
half up as shown, and lines that add up to the total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.core.workforce import (
    BPU,
    PROGRAMME,
    SEGMENT,
    Line,
    WorkforceCoverage,
    count_once,
    format_share,
    share,
)


def test_the_seeds_kota_bekasi_share() -> None:
    lines = [
        Line(PROGRAMME, "SIGAP-2026", 11_666),
        Line(SEGMENT, "SEGMEN-2026", 40_000),
        Line(BPU, "", 36_334),
    ]
    figures = WorkforceCoverage.of(estimate=200_000, lines=lines)
    assert (figures.covered, figures.uncovered) == (88_000, 112_000)
    assert figures.share == Decimal("44.0") and format_share(figures.share) == "44,0"
    # 40,000 + 11,666 alone is 25.8% of the DPRD's 200,000: the BPU insured on their own make the 44%
    assert format_share(share(51_666, 200_000)) == "25,8"


def test_rounding_is_half_up_on_the_shown_decimal() -> None:
    assert share(87_900, 200_000) == Decimal("44.0")  # 43.95 exactly: half up
    assert share(87_899, 200_000) == Decimal("43.9")  # 43.9495
    assert share(1, 8) == Decimal("12.5") and share(1, 16) == Decimal("6.3")  # 6.25 -> 6.3
    assert share(5, 0) is None and format_share(None) == "–"
    assert format_share(Decimal("1234.5")) == "1.234,5"


def test_each_person_is_counted_once_under_the_first_source() -> None:
    lines, seen = count_once(
        [
            (PROGRAMME, "SIGAP-2026", ["A", "B"]),
            (PROGRAMME, "PROV-2026", ["B", "C", ""]),  # B is SIGAP's already; an empty NIK is nobody
            (SEGMENT, "RTRW-2026", ["C", "D", "D"]),
        ]
    )
    assert [(line.name, line.count) for line in lines] == [
        ("SIGAP-2026", 2),
        ("PROV-2026", 1),
        ("RTRW-2026", 1),
    ]
    assert seen == {"A", "B", "C", "D"}
    with pytest.raises(ValueError):
        count_once([("roster", "X", ["A"])])


def test_no_estimate_no_share_and_no_negative_figures() -> None:
    figures = WorkforceCoverage.of(estimate=None, lines=[Line(BPU, "", 3)])
    assert figures.share is None and figures.uncovered is None and figures.covered == 3
    with pytest.raises(ValueError):
        WorkforceCoverage.of(estimate=0, lines=[])
    with pytest.raises(ValueError):
        WorkforceCoverage.of(estimate=10, lines=[Line(BPU, "", -1)])


@given(
    st.lists(st.lists(st.sampled_from("ABCDEFGHIJ"), max_size=8), min_size=1, max_size=5),
    st.integers(min_value=1, max_value=10**9),
)
def test_lines_add_up_to_the_people_counted(sources: list[list[str]], estimate: int) -> None:
    lines, seen = count_once((SEGMENT, str(i), niks) for i, niks in enumerate(sources))
    figures = WorkforceCoverage.of(estimate=estimate, lines=lines)
    assert figures.covered == len(seen) == len(set().union(*map(set, sources)))
    assert figures.share is not None
    exact = Decimal(figures.covered * 100) / Decimal(estimate)
    assert abs(figures.share - exact) <= Decimal("0.05")
