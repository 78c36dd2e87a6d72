"""National coverage targets and coverage arithmetic (pure, integer only).

RPJMN 2025-2029: employment social-security coverage from 32.15% (2025) to 43.92% (2029); shares
are kept in basis points (1/100 of a percent) so no float ever enters a figure.
"""

from __future__ import annotations

RPJMN_TARGET_BP = 4392  # 43.92% of workers covered by 2029 (RPJMN 2025-2029)
RPJMN_TARGET_YEAR = 2029


def share_bp(part: int, whole: int) -> int | None:
    """``part / whole`` in basis points, rounded half up; None without a base."""
    if whole <= 0:
        return None
    return (part * 10_000 + whole // 2) // whole


def members_for_share(whole: int, bp: int) -> int:
    """Members needed so that ``members / whole`` reaches ``bp`` basis points (rounded up)."""
    return -(-whole * bp // 10_000)


def format_bp(bp: int | None) -> str:
    """``4392`` -> ``"43,92"`` (Indonesian decimal comma); ``"–"`` for None."""
    if bp is None:
        return "–"
    return f"{bp // 100},{bp % 100:02d}"
