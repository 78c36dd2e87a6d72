"""A status file's row groups: small for a quick look-up, few enough for every process to keep the footer."""

from __future__ import annotations

from sigap.status.actions import _STATUS_GROUPS_MAX, status_row_group


def test_row_groups_are_small_until_the_footer_would_grow_too_large() -> None:
    assert status_row_group(0) == status_row_group(3_000_000) == 1024
    assert status_row_group(16_777_216) == 1024
    assert status_row_group(16_777_217) == 1025
    for people in (20_000_000, 50_000_000, 285_000_000):
        size = status_row_group(people)
        assert -(-people // size) <= _STATUS_GROUPS_MAX < -(-people // (size - 1))
