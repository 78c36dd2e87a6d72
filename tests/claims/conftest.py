"""Claims fixtures: the web ``world`` (Kota Bekasi, one user per role) with its two selected people
approved as members, accepted by BPJS TK and covered from January 2026, their 2026 premiums paid in
advance by an SP2D of 10 January 2026 (protection needs premiums paid in time: ADR 0015).
``unpaid_members``: the same two members with no premium paid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from web.conftest import KEL_A, KEL_B, NIK_A, NIK_B, World, _fresh_cache, world  # noqa: F401 -- fixtures

COVERED_FROM = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today(clock: Any) -> None:
    """The claims pages judge dates against today (no incident after today): it is ``TODAY``."""
    clock(TODAY)


#: The SP2D that pays the members' twelve 2026 months in advance (``members``).
ADVANCE_SP2D = dt.date(2026, 1, 10)
ADVANCE_AMOUNT = 12 * 2 * 16_800


@pytest.fixture
def members(unpaid_members: dict[str, Any], world: World) -> dict[str, Any]:  # noqa: F811 -- the imported fixture
    from sigap.billing.actions import payment_record

    payment_record(
        programme=world.programme,
        sp2d_number="SP2D/2026/0001",
        sp2d_date=ADVANCE_SP2D,
        amount=ADVANCE_AMOUNT,
        months=12,
        exact=True,
    )
    return unpaid_members


@pytest.fixture
def unpaid_members(world: World) -> dict[str, Any]:  # noqa: F811 -- the imported fixture
    from sigap.accounts import roles
    from sigap.enrolment.actions import run_approve, run_submit
    from sigap.enrolment.models import CoveragePeriod, Member

    run_submit(run=world.run, acting_user=world.users[roles.ADMIN_DINAS])
    run_approve(run=world.run, acting_user=world.users[roles.KEPALA_DINAS])
    found = {}
    for i, member in enumerate(Member.objects.filter(run=world.run).order_by("nik")):
        member.state, member.kpj = Member.ACTIVE, f"26000000{i:03d}"
        member.save(update_fields=["state", "kpj"])
        CoveragePeriod.objects.create(member=member, start_month=COVERED_FROM)
        found[member.nik] = member
    return {"A": found[NIK_A], "B": found[NIK_B]}


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
