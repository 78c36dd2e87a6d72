"""The model's blocking rules keep the comparisons linear: no rule pairs the registry with the roster
wholesale (Splink counts the pairs each rule adds; issue 10: national scale)."""

from __future__ import annotations

from pathlib import Path

from linkage.files import linkage_files
from sigap.engine.linkage import BLOCKING_RULES_SQL, blocking_counts


def test_blocking_pairs_grow_with_the_data_not_with_its_square(tmp_path: Path) -> None:
    per_size = {}
    for people in (2_000, 8_000):
        folder = tmp_path / str(people)
        folder.mkdir()
        linkage_files(folder, people=people)
        counts = blocking_counts(people=folder / "people.parquet", roster=folder / "roster.parquet")
        assert [c["blocking_rule"] for c in counts] == list(BLOCKING_RULES_SQL)
        per_size[people] = counts
    small, large = per_size[2_000][-1], per_size[8_000][-1]
    # a few pairs per roster row entering the model, a vanishing share of registry x roster
    assert large["cumulative"] < large["cartesian"] / 500
    # four times the people: the cartesian product grows about 16 times, the compared pairs about 4 times
    assert large["cartesian"] > 12 * small["cartesian"]
    assert large["cumulative"] < 8 * small["cumulative"]
