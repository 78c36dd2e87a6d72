"""Reads for the coverage of a region's informal workforce (ADR 0020).

:func:`workforce_coverage` counts, for a region and a day, the people active in BPJS TK as pekerja
rentan: each APBD programme's members covered now (programmes SIGAP targets, in code order), then each
segment's members covered in that month (segments the region funded before SIGAP), then the BPU in the
newest BPJS TK roster who live in the region (newest registry snapshot) and were not counted above --
each person once (:func:`sigap.core.workforce.count_once`) -- and divides by the region's reference
figure (:func:`reference_for`).  Member-sized sets in Python; the roster in DuckDB.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Q

from sigap.core.money import Month
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
from sigap.coverage.models import ReferenceFigure, SegmentList, SegmentMember
from sigap.programmes.models import Programme

#: How long a BPU count is kept (its key changes with the roster, the registry and the people counted).
BPU_CACHE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Estimate:
    """The estimate a share is taken of, and where it comes from."""

    value: int
    year: int
    source: str  # who made it (DPRD Kota Bekasi, BPS...)
    note: str = ""
    figure: ReferenceFigure | None = None  # None: the programme file's ``estimated_vulnerable_workers``
    programme_code: str = ""


def reference_for(region: str, year: int) -> ReferenceFigure | None:
    """The region's reference figure for ``year``: that year's, else the newest before it, else the
    newest there is."""
    figures = ReferenceFigure.objects.filter(region=region)
    return figures.filter(year__lte=year).order_by("-year").first() or figures.order_by("-year").first()


def estimate_for(programme: Programme) -> Estimate | None:
    """The estimate for ``programme``'s region: the Dinas' reference figure, else the programme file's
    ``estimated_vulnerable_workers`` (older programme files carry it), else None."""
    figure = reference_for(programme.region, programme.fiscal_year)
    if figure is not None:
        return Estimate(figure.estimate, figure.year, figure.source, figure.note, figure)
    spec = programme.spec or {}
    for section in (spec, spec.get("programme", {})):
        value = section.get("estimated_vulnerable_workers") if isinstance(section, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return Estimate(value, programme.fiscal_year, "", programme_code=programme.code)
    return None


def segment_programme_ids() -> set[int]:
    return set(SegmentList.objects.values_list("programme_id", flat=True))


def _segment_end(programme: Programme) -> Month:
    return Month(programme.fiscal_year, 12)


def segment_exclusions(programme: Programme, first: Month, last: Month) -> list[tuple[str, str]]:
    """``(nik, reason)`` for people covered by a segment of the region's (another APBD programme)
    during ``first..last``: ``covered by programme <CODE> (<start>..<end>)``, the reason the targeting
    gives for every APBD programme (a person is covered by one APBD programme at a time)."""
    out: list[tuple[str, str]] = []
    others = Programme.objects.filter(pk__in=segment_programme_ids(), funding="APBD").exclude(pk=programme.pk)
    for other in others:
        start, end = Month.parse(other.coverage_start), _segment_end(other)
        if not (start <= last and first <= end):
            continue
        reason = f"covered by programme {other.code} ({start}..{end})"
        rows = SegmentMember.objects.filter(programme=other, start_month__lte=last.first_day()).filter(
            Q(end_month__isnull=True) | Q(end_month__gte=first.first_day())
        )
        out.extend((nik, reason) for nik in rows.values_list("nik", flat=True).iterator(chunk_size=20_000))
    return out


def _programme_sources(region: str, on: dt.date) -> list[tuple[str, str, list[str], Programme]]:
    """Members covered on ``on`` living in ``region``, per programme: targeted programmes first (by
    code), then segments (by code)."""
    from sigap.enrolment.models import Member

    month = Month.of(on).first_day()
    segments = segment_programme_ids()
    programmes = Programme.objects.filter(funding="APBD", fiscal_year=on.year).order_by("code")
    targeted, segment = [], []
    for programme in programmes:
        if programme.pk in segments:
            niks = list(
                SegmentMember.objects.filter(
                    programme=programme, kode_kelurahan__startswith=region, start_month__lte=month
                )
                .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
                .values_list("nik", flat=True)
            )
            if niks:
                segment.append((SEGMENT, programme.code, niks, programme))
        else:
            niks = list(
                Member.objects.filter(
                    programme=programme, state=Member.ACTIVE, kode_kelurahan__startswith=region
                ).values_list("nik", flat=True)
            )
            if niks:
                targeted.append((PROGRAMME, programme.code, niks, programme))
    return targeted + segment


def bpu_insured(region: str, counted: set[str]) -> tuple[int, Any, Any]:
    """BPU active in the newest BPJS TK roster (one AKTIF row per NIK, as the targeting reads it),
    living in ``region`` by the newest registry snapshot, not in ``counted``: ``(count, roster,
    registry)``; ``(0, None, None)`` without a roster or a registry."""
    import pyarrow as pa

    from sigap.core.selection import active_roster_cte, literal
    from sigap.engine import default_engine
    from sigap.registry.models import Snapshot

    roster = Snapshot.objects.filter(kind=Snapshot.ROSTER).order_by("-id").first()
    registry = Snapshot.objects.filter(kind=Snapshot.REGISTRY).order_by("-id").first()
    if (
        roster is None
        or registry is None
        or not roster.data_file.is_file()
        or not registry.data_file.is_file()
    ):
        return 0, roster, registry
    # the same roster, registry, region and people counted above give the same count: keep it (a
    # 1,000,000-row roster takes seconds, once per page-cache miss of each leader otherwise)
    files = f"{roster.pk}:{roster.content_sha256}|{registry.pk}:{registry.content_sha256}"
    digest = hashlib.sha256(f"{files}|{region}|".encode())
    for nik in sorted(counted):
        digest.update(nik.encode() + b"\n")
    key = f"sigap:coverage:bpu:{digest.hexdigest()}"
    cached = cache.get(key)
    if cached is not None:
        return int(cached), roster, registry
    with default_engine() as engine:
        engine.register_parquet("insured", roster.data_file)
        engine.register_parquet("people", registry.data_file)
        engine.register_arrow("counted", pa.table({"nik": pa.array(sorted(counted), pa.string())}))
        found = engine.fetch(
            f"WITH {active_roster_cte('insured')}\n"  # noqa: S608 -- literals quoted, names fixed
            "SELECT count(*) FROM active_roster AS r JOIN people AS p ON p.nik = r.nik"
            f" WHERE upper(trim(r.segmen)) = 'BPU' AND p.kode_kelurahan LIKE {literal(region + '%')}"
            " AND NOT EXISTS (SELECT 1 FROM counted AS c WHERE c.nik = r.nik)"
        )
    count = int(found[0][0])
    cache.set(key, count, BPU_CACHE_SECONDS)
    return count, roster, registry


def workforce_coverage(programme: Programme, on: dt.date, run: Any = None) -> dict[str, Any]:
    """The coverage of ``programme``'s region's informal workforce on ``on``, for a page: the lines
    (each person once), their total, the estimate with its source and the share; beside it the
    list in force's ``selected ÷ eligible`` (``run``, default the programme's list in force)."""
    from sigap.programmes.models import TargetingRun

    if run is None:  # the list in force (a selector below programmes.selectors: no import of it)
        run = (
            TargetingRun.objects.filter(programme=programme, state__in=TargetingRun.IN_FORCE)
            .order_by("-id")
            .first()
        )
    selected, eligible = (int(run.selected), int(run.eligible)) if run is not None else (0, 0)
    region = programme.region
    sources = _programme_sources(region, on)
    lines, counted = count_once((kind, code, niks) for kind, code, niks, _p in sources)
    bpu, roster, registry = bpu_insured(region, counted)
    estimate = estimate_for(programme)
    figures = WorkforceCoverage.of(
        estimate=estimate.value if estimate else None, lines=[*lines, Line(BPU, "", bpu)]
    )
    names = {code: p.name for _k, code, _n, p in sources}
    rows = [
        {"kind": line.kind, "code": line.name, "name": names.get(line.name, ""), "count": line.count}
        for line in figures.lines
    ]
    return {
        "region": region,
        "on": on,
        "estimate": estimate,
        "lines": rows,
        "programmes": figures.subtotal(PROGRAMME),
        "segments": figures.subtotal(SEGMENT),
        "bpu": figures.subtotal(BPU),
        "covered": figures.covered,
        "share": format_share(figures.share),
        "share_value": figures.share,
        "uncovered": figures.uncovered,
        "selected": selected,
        "eligible": eligible,
        "selected_share": format_share(share(selected, eligible)),
        "roster": roster,
        "registry": registry,
    }


def is_segment(programme: Programme) -> bool:
    """A programme whose members were imported as an existing segment (never targeted by SIGAP)."""
    return SegmentList.objects.filter(programme=programme).exists()
