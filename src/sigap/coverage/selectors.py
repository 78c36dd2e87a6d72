"""Reads for the coverage of a region's informal workforce (ADR 0020).

:func:`workforce_coverage` counts, for a region and a day, the people active in BPJS TK as pekerja
rentan: each APBD programme's members covered now (programmes SIGAP targets, in code order), then each
segment's members covered in that month (segments the region funded before SIGAP), then the BPU in the
newest BPJS TK roster who live in the region (newest registry snapshot) and were not counted above --
each person once (:func:`sigap.core.workforce.count_once`'s rule, counted in the database) -- and divides
by the region's reference figure (:func:`reference_for`).  No member-sized set in Python per page; the
roster in DuckDB (its count cached).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from sigap.core.money import Month
from sigap.core.workforce import (
    BPU,
    PROGRAMME,
    SEGMENT,
    Line,
    WorkforceCoverage,
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


def _programme_sources(region: str, on: dt.date) -> list[tuple[str, Programme, Any]]:
    """``(kind, programme, queryset of NIKs)`` of the members covered on ``on`` living in ``region``, per
    programme: targeted programmes first (by code), then segments (by code)."""
    from sigap.enrolment.models import Member

    month = Month.of(on).first_day()
    segments = segment_programme_ids()
    programmes = Programme.objects.filter(funding="APBD", fiscal_year=on.year).order_by("code")
    targeted: list[tuple[str, Programme, Any]] = []
    segment: list[tuple[str, Programme, Any]] = []
    for programme in programmes:
        if programme.pk in segments:
            rows = SegmentMember.objects.filter(
                programme=programme, kode_kelurahan__startswith=region, start_month__lte=month
            ).filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
            segment.append((SEGMENT, programme, rows.order_by().values("nik")))
        else:
            members = Member.objects.filter(
                programme=programme, state=Member.ACTIVE, kode_kelurahan__startswith=region
            )
            targeted.append((PROGRAMME, programme, members.order_by().values("nik")))
    return targeted + segment


def _union(sources: list[tuple[str, Programme, Any]]) -> tuple[str, list[Any]]:
    """One ``(nik, rnk)`` relation of every source's NIKs, ``rnk`` the source's place in the order."""
    parts, params = [], []
    for rank, (_kind, _programme, rows) in enumerate(sources):
        sql, values = rows.query.sql_with_params()
        parts.append(f"SELECT s{rank}.nik AS nik, {rank} AS rnk FROM ({sql}) s{rank}")  # noqa: S608 -- ORM SQL
        params.extend(values)
    return " UNION ALL ".join(parts), params


def _counted_once(
    sources: list[tuple[str, Programme, Any]],
) -> tuple[list[tuple[str, str, int]], tuple[int, ...]]:
    """Each source's people not counted under an earlier source (:func:`sigap.core.workforce.count_once`,
    in the database: no member-sized set crosses into Python); a source is a line when it has anyone.
    Also what the people counted depend on, for the BPU cache key (see :func:`bpu_insured`)."""
    from sigap.enrolment.models import Member

    if not sources:
        return [], ()
    union, params = _union(sources)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'a', rnk, count(*) FROM ({union}) u GROUP BY rnk"  # noqa: S608 -- ORM SQL, numbers
            f" UNION ALL SELECT 'f', first, count(*) FROM (SELECT nik, min(rnk) AS first FROM ({union}) v"
            " WHERE nik <> '' GROUP BY nik) f GROUP BY first",
            params + params,
        )
        found = cursor.fetchall()
    anyone = {int(rank) for kind, rank, n in found if kind == "a" and n}
    first = {int(rank): int(n) for kind, rank, n in found if kind == "f"}
    lines = [
        (kind, programme.code, first.get(rank, 0))
        for rank, (kind, programme, _rows) in enumerate(sources)
        if rank in anyone
    ]
    newest = (
        Member.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        SegmentMember.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    )
    return lines, (*newest, *(n for _k, _c, n in lines))


def _counted_niks(sources: list[tuple[str, Programme, Any]]) -> list[str]:
    """Every NIK counted above (only when the BPU count is not in the cache)."""
    if not sources:
        return []
    union, params = _union(sources)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT nik FROM ({union}) u WHERE nik <> ''", params)  # noqa: S608
        return [str(nik) for (nik,) in cursor.fetchall()]


def bpu_insured(region: str, counted: tuple[int, ...], niks: Callable[[], list[str]]) -> tuple[int, Any, Any]:
    """BPU active in the newest BPJS TK roster (one AKTIF row per NIK, as the targeting reads it),
    living in ``region`` by the newest registry snapshot, not among the people counted above (``niks``,
    read only when the count is not cached): ``(count, roster, registry)``; ``(0, None, None)`` without
    a roster or a registry.

    The count is cached under the roster and registry files, the region and ``counted``: the newest
    member and segment-member ids and the count of each line -- people joining, leaving or moving make
    a new key.  (A swap that keeps all of these, e.g. one member's kelurahan corrected out of the region
    and another's into it between two renders with no one else joining, is served the previous count
    until it expires: ``BPU_CACHE_SECONDS``.)"""
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
    files = f"{roster.pk}:{roster.content_sha256}|{registry.pk}:{registry.content_sha256}"
    digest = hashlib.sha256(f"{files}|{region}|{counted}".encode())
    key = f"sigap:coverage:bpu:{digest.hexdigest()}"
    cached = cache.get(key)
    if cached is not None:
        return int(cached), roster, registry
    with default_engine() as engine:
        engine.register_parquet("insured", roster.data_file)
        engine.register_parquet("people", registry.data_file)
        engine.register_arrow("counted", pa.table({"nik": pa.array(sorted(niks()), pa.string())}))
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
    counts, counted = _counted_once(sources)
    lines = [Line(kind, code, n) for kind, code, n in counts]
    bpu, roster, registry = bpu_insured(region, counted, lambda: _counted_niks(sources))
    estimate = estimate_for(programme)
    figures = WorkforceCoverage.of(
        estimate=estimate.value if estimate else None, lines=[*lines, Line(BPU, "", bpu)]
    )
    names = {p.code: p.name for _k, p, _rows in sources}
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
