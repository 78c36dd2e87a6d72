"""Small factories for billing tests: Programme, TargetingRun, Member, CoveragePeriod rows made directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sigap.core.money import Month
from sigap.enrolment.models import CoveragePeriod, Member
from sigap.programmes.actions import programme_apply
from sigap.programmes.models import Programme, TargetingRun
from sigap.registry.models import Snapshot


def make_programme(
    *, code: str = "SIGAP-2026", budget: int = 2_000_000_000, coverage_start: str = "2026-01", **extra: Any
) -> Programme:
    doc = {
        "programme": {
            "code": code,
            "name": f"Programme {code}",
            "region": "3275",
            "fiscal_year": int(coverage_start[:4]),
            "budget": budget,
            "coverage_start": coverage_start,
            "funding": extra.pop("funding", "APBD"),
        },
        "tariff": extra.pop("tariff", {}),
    }
    programme, _, _ = programme_apply(document=doc, source_name="test.toml")
    return programme


def make_run(programme: Programme, *, selected: int, state: str = TargetingRun.APPROVED) -> TargetingRun:
    snapshot, _ = Snapshot.objects.get_or_create(
        kind=Snapshot.REGISTRY,
        content_sha256="0" * 64,
        mapping_sha256="0" * 64,
        defaults={
            "source_name": "test.csv",
            "reference_date": dt.date(2026, 1, 1),
            "rows": selected,
            "accepted": selected,
            "rejected": 0,
            "data_path": "snapshots/test.parquet",
        },
    )
    cost = programme.to_spec().cost_per_person()
    return TargetingRun.objects.create(
        programme=programme,
        snapshot=snapshot,
        state=state,
        spec=programme.spec,
        programme_version=programme.version,
        code_version="test",
        people=selected,
        eligible=selected,
        selected=selected,
        waiting=0,
        ineligible=0,
        cost_per_person=cost,
        cost=cost * selected,
        budget=programme.budget,
        remaining=programme.budget - cost * selected,
        decisions_path="runs/test.parquet",
        decisions_sha256="0" * 64,
    )


def make_members(
    programme: Programme,
    count: int,
    *,
    start: Month | None = None,
    end: Month | None = None,
    state: str = Member.ACTIVE,
    run: TargetingRun | None = None,
    first_rank: int = 1,
) -> list[Member]:
    """``count`` members (with one coverage period each, from ``start`` to ``end``)."""
    run = (
        run or TargetingRun.objects.filter(programme=programme).first() or make_run(programme, selected=count)
    )
    start = start or Month.parse(programme.coverage_start)
    members = Member.objects.bulk_create(
        Member(
            programme=programme,
            run=run,
            rank=first_rank + i,
            nik=f"3275{programme.pk % 100:02d}{first_rank + i:010d}",
            nama=f"PESERTA {first_rank + i}",
            tanggal_lahir=dt.date(1980, 1, 1),
            jenis_kelamin="L",
            kode_kelurahan="3275011001",
            pekerjaan="PEDAGANG",
            desil=1,
            state=state,
            kpj=f"K{first_rank + i:010d}" if state == Member.ACTIVE else "",
        )
        for i in range(count)
    )
    if state in (Member.ACTIVE, Member.EXITED):
        CoveragePeriod.objects.bulk_create(
            CoveragePeriod(
                member=m, start_month=start.first_day(), end_month=end.first_day() if end else None
            )
            for m in members
        )
    return members
