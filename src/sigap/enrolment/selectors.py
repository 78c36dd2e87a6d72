"""Read-only queries about members that lower layers need (targeting excludes people covered elsewhere;
approval re-admits lapsed members): no writes, no imports of actions, so every stage may use them."""

from __future__ import annotations

from sigap.core.money import Month
from sigap.core.programme import SpecError
from sigap.enrolment.models import Member, MemberExit
from sigap.programmes.models import Programme

#: Members who still count: approved (not yet sent), sent (waiting for BPJS TK), active.
OPEN_STATES = (Member.APPROVED, Member.SENT, Member.ACTIVE)


def covered_by_other_programmes(programme: Programme, first: Month, last: Month) -> list[tuple[str, str]]:
    """``(nik, reason)`` for people who are members (approved, sent or active) of another APBD
    programme whose coverage overlaps ``first..last``: ``covered by programme <CODE> (<start>..<end>)``.

    All APBD programmes count, whatever their region: a person is covered by at most one at a time.
    The segments a region already funds count too, with the same reason
    (:func:`sigap.coverage.selectors.segment_exclusions`, ADR 0020).
    """
    from sigap.coverage.selectors import segment_exclusions

    segments = segment_exclusions(programme, first, last)
    overlapping: dict[int, str] = {}
    for other in Programme.objects.filter(funding="APBD").exclude(pk=programme.pk):
        try:
            spec = other.to_spec()
        except SpecError:
            continue
        if spec.coverage_start <= last and first <= spec.coverage_end:
            overlapping[other.pk] = (
                f"covered by programme {other.code} ({spec.coverage_start}..{spec.coverage_end})"
            )
    if not overlapping:
        return segments
    rows = Member.objects.filter(programme_id__in=list(overlapping), state__in=OPEN_STATES).values_list(
        "nik", "programme_id"
    )
    return [(nik, overlapping[pid]) for nik, pid in rows.iterator(chunk_size=20_000)] + segments


def lapsed_niks(programme: Programme) -> set[str]:
    """NIKs of ``programme``'s members whose membership ended by lapse (few: one query)."""
    return set(
        Member.objects.filter(
            programme=programme, state=Member.EXITED, exit__reason=MemberExit.LAPSED
        ).values_list("nik", flat=True)
    )
