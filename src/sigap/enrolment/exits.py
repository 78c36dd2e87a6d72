"""Members leave: :func:`member_exit` / :func:`members_exit` (bulk writes, one audit row each), and the
chunked ``__in`` helpers the enrolment writers share.  Below every other enrolment stage: the actions,
the lifecycle (exits detection, year-end close) and the billing lapse check all use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from sigap.audit.actions import Actor, actor_label, event_area, stored_user
from sigap.audit.models import AuditEvent
from sigap.core.money import Month
from sigap.enrolment.models import CoveragePeriod, Member, MemberExit
from sigap.errors import UserError
from sigap.events import announce_members

BATCH_SIZE = 2000  # rows per bulk INSERT/UPDATE statement
_IN_CHUNK = 900  # values per ``__in`` lookup (SQLite's historical 999-variable limit)
T = TypeVar("T")


def chunks(values: Sequence[T], size: int = _IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def chunked_in(query: Callable[[Sequence[Any]], Iterable[T]], values: Sequence[Any]) -> Iterator[T]:
    for chunk in chunks(values):
        yield from query(chunk)


def chunked_values(
    filter_: Callable[..., Any], lookup: str, values: Sequence[Any], field: str
) -> Iterator[Any]:
    for chunk in chunks(values):
        yield from filter_(**{lookup: chunk}).values_list(field, flat=True)


@transaction.atomic
def member_exit(
    *,
    member: Member,
    date: dt.date,
    reason: str,
    source: str = "manual",
    note: str = "",
    acting_user: Actor = None,
) -> MemberExit:
    """Record that ``member`` left on ``date``; closes the open coverage period at that month.

    A member exits once. A manual exit needs a note.  A member rejected by BPJS TK ends in state
    ``rejected`` (never covered), every other exit in state ``exited``.
    """
    return members_exit(
        members=[member], date=date, reason=reason, source=source, note=note, acting_user=acting_user
    )[0]


@transaction.atomic
def members_exit(
    *,
    members: Sequence[Member],
    date: dt.date,
    reason: str,
    source: str = "manual",
    note: str = "",
    notes: Mapping[int, str] | None = None,
    acting_user: Actor = None,
    refresh_read_models: bool = True,
) -> list[MemberExit]:
    """:func:`member_exit` for many members at once (bulk writes; one ``member.exit`` audit row each).

    ``notes`` (member pk -> note) overrides ``note`` per member.  ``refresh_read_models=False``: the
    caller refreshes the citizen status and dashboard itself (once, at its end).
    """
    notes = notes or {}
    if reason not in dict(MemberExit.REASONS):
        raise UserError(
            _("Alasan keluar '%(reason)s' tidak dikenal (yang dikenal: %(known)s).")
            % {"reason": reason, "known": ", ".join(dict(MemberExit.REASONS))}
        )
    if source not in dict(MemberExit.SOURCES):
        raise UserError(
            _("Sumber keluar '%(source)s' tidak dikenal (yang dikenal: %(known)s).")
            % {"source": source, "known": ", ".join(dict(MemberExit.SOURCES))}
        )
    if reason == MemberExit.MANUAL and any(not notes.get(m.pk, note).strip() for m in members):
        raise UserError(_("Keluar karena alasan lain perlu catatan yang menjelaskan sebabnya."))
    ids = [m.pk for m in members]
    locked = {
        m.pk: m
        for m in chunked_in(
            lambda chunk: Member.objects.select_for_update().select_related("programme").filter(pk__in=chunk),
            ids,
        )
    }
    exited = set(chunked_values(MemberExit.objects.filter, "member_id__in", ids, "member_id"))
    done = [m for m in locked.values() if m.state == Member.EXITED or m.pk in exited]
    if done:
        niks = ", ".join(f"{m.nik} ({m.programme.code})" for m in done[:20])
        raise UserError(
            _("Peserta %(niks)s sudah keluar.") % {"niks": niks}
            if len(done) == 1
            else _("%(n)s peserta sudah keluar.") % {"n": len(done)},
            details=[f"{m.nik} ({m.programme.code})" for m in done],
        )
    ordered = [locked[pk] for pk in ids]
    user = stored_user(acting_user)
    records = MemberExit.objects.bulk_create(
        [
            MemberExit(
                member=m, date=date, reason=reason, source=source, note=notes.get(m.pk, note), created_by=user
            )
            for m in ordered
        ],
        batch_size=BATCH_SIZE,
    )
    end = Month.of(date).first_day()
    open_periods = list(
        chunked_in(
            lambda chunk: CoveragePeriod.objects.filter(member_id__in=chunk, end_month__isnull=True), ids
        )
    )
    for period in open_periods:
        period.end_month = max(end, period.start_month)
        period.end_reason = reason
    CoveragePeriod.objects.bulk_update(open_periods, ["end_month", "end_reason"], batch_size=BATCH_SIZE)
    state = Member.REJECTED if reason == MemberExit.REJECTED else Member.EXITED
    befores = {m.pk: m.state for m in ordered}
    for chunk in chunks(ids):
        Member.objects.filter(pk__in=chunk).update(state=state)
    # One ``member.exit`` audit row per member, written in one statement (same fields as audit_record).
    label = actor_label(acting_user)
    object_type = Member._meta.label_lower
    events = []
    for m in ordered:
        m.state = state
        events.append(
            AuditEvent(
                actor=user,
                actor_label=label,
                action="member.exit",
                object_type=object_type,
                object_id=str(m.pk),
                before={"state": befores[m.pk]},
                after={"state": state, "date": date.isoformat(), "reason": reason, "source": source},
                note=notes.get(m.pk, note),
                area_code=event_area(obj=m, acting_user=acting_user),
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    if refresh_read_models:
        announce_members(m.programme_id for m in ordered)
    return records
