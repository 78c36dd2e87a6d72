"""Membership over the year: exits found in new data, replacement runs, fiscal-year renewal.

Every action is keyword-only, atomic, audited and takes the business date it works on (``on``)
instead of reading the clock inside a rule.

Decisions made here (tested in tests/lifecycle):

* **Not found in the newest registry snapshot** is *not* an exit.  A person missing from an extract
  may have moved away, but equally be a rejected row, a NIK correction or a partial extract; taking
  protection away on that evidence is worse than paying a few more months.  Such members are listed
  as ``missing`` in the :class:`ExitReport` for an officer to check and exit by hand
  (``sigap member exit NIK --reason moved --note ...``).  A domicile kelurahan *outside* the
  programme region is positive evidence: reason ``moved``.
* Precedence when several apply: died > moved > formal_job > aged_out.
* An exit found in data is dated ``on`` (the date the evidence is processed): the coverage period
  closes at that month.
* Budget of a replacement run: :func:`budget_available` (see there); the approval of a replacement
  list re-checks it under the programme lock (:func:`check_replacement_budget`, called from
  ``run_approve``), so two replacement runs prepared from the same figure cannot both spend it.
* Renewal: continuing members rank ahead of every newcomer (``continuing`` relation of
  :func:`sigap.core.selection.decisions_sql`); each must still pass every eligibility rule on the
  newest snapshot.  On approval (:func:`renewal_carry_over`, called from ``run_approve``) they keep
  their KPJ and become active members of the new programme from its first month; active members of
  the old programme who were not kept exit on 31 December with the reason of the rules; every old
  period is closed at December.  Members ended by :func:`programme_close` before the renewal was
  approved (reason ``fiscal_year_end``) are continuing members too: an approval after 31 December
  still carries them over.

Year end, reinstatement, selection again (ADR 0015):

* **Coverage ends with the fiscal year.**  A programme pays for its own year: a coverage period never
  runs past December (``sigap.billing.selectors.member_periods`` cuts an open one there), so months of
  the next year are never owed, in arrears or lapsed.  :func:`programme_close` (``sigap programme
  close``, from 31 December) first runs the lapse check, then ends every open member of the programme
  on 31 December with reason ``fiscal_year_end`` ("berakhir: akhir tahun anggaran"), except the members
  an approved renewal carried over (they continue in the new programme).
* **Reinstatement** (:func:`member_reinstate`, ``sigap member reinstate``): BPJS TK's procedure for
  coverage that ended because the APBD money came late.  Only a membership that ended by lapse; a
  new coverage period from the month BPJS TK accepts, after the lapsed one (the months between stay
  uncovered: a visible gap); the budget must still hold the new months.
* **Selected again**: a person whose membership *lapsed* may be selected again by a replacement run
  of the same programme (the lapse was the region's unpaid premium, not the person); on approval the
  same member row is approved again (:func:`readmit_lapsed`) and goes to BPJS TK in the next batch.
  Every other ended membership keeps the person out of the programme's replacement runs (``already a
  member of <CODE>``): a death, a move, a formal job or the age limit is evidence about the person
  (the rules would refuse them anyway until the data changes), a BPJS TK rejection needs the data
  fixed first, a manual exit is an officer's decision, and ``fiscal_year_end`` means the year is over.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sigap.audit.actions import Actor, audit_record
from sigap.core import selection
from sigap.core.money import Month, format_rupiah
from sigap.core.programme import ProgrammeSpec, SpecError
from sigap.core.selection import age_sql, literal
from sigap.engine import default_engine
from sigap.engine.base import sql_string
from sigap.enrolment.models import CoveragePeriod, Member, MemberExit, Reopening
from sigap.enrolment.selectors import OPEN_STATES, covered_by_other_programmes
from sigap.errors import UserError
from sigap.events import announce_members
from sigap.programmes.models import Programme, TargetingRun
from sigap.programmes.selectors import decisions_relation, list_in_force, stored_columns
from sigap.registry.models import Snapshot

FROZEN = TargetingRun.IN_FORCE
EXIT_SOURCES = {
    MemberExit.DIED: "snapshot",
    MemberExit.MOVED: "snapshot",
    MemberExit.AGED_OUT: "snapshot",
    MemberExit.FORMAL_JOB: "roster",
}
MISSING = "missing"  # not in the snapshot: reported, not exited


def _spec(programme: Programme) -> ProgrammeSpec:
    try:
        return programme.to_spec()
    except SpecError as e:
        raise UserError(
            _("Program %(code)s: definisi yang tersimpan tidak sah.") % {"code": programme.code},
            details=e.problems,
        ) from None


def _snapshot(kind: str, given: Snapshot | None, *, required: bool) -> Snapshot | None:
    snap = given if given is not None else Snapshot.objects.filter(kind=kind).order_by("-id").first()
    if snap is None:
        if required:
            raise UserError(
                _(
                    "Belum ada snapshot %(kind)s: impor dulu (Kelola data > Impor registri, atau sigap registry import BERKAS)."
                )
                % {"kind": dict(Snapshot.KINDS).get(kind, kind)}
            )
        return None
    if snap.kind != kind:
        raise UserError(
            _("Snapshot #%(id)s berjenis %(kind)s, bukan %(wanted)s.")
            % {"id": snap.pk, "kind": snap.get_kind_display(), "wanted": dict(Snapshot.KINDS).get(kind, kind)}
        )
    if not snap.data_file.is_file():
        raise UserError(
            _("Snapshot #%(id)s: berkas data %(file)s tidak ada.") % {"id": snap.pk, "file": snap.data_file}
        )
    return snap


def latest_list(programme: Programme) -> TargetingRun:
    """The programme's list in force (initial, replacement or renewal: ``list_in_force``, the one rule
    every screen uses), refused when there is none."""
    run = list_in_force(programme)
    if run is None:
        raise UserError(
            _("Program %(code)s belum punya daftar yang disetujui (menu Persetujuan).")
            % {"code": programme.code}
        )
    return run


# --------------------------------------------------------------------------- several programmes


# --------------------------------------------------------------------------- exits detection


@dataclass(frozen=True)
class ExitFinding:
    member_id: int
    nik: str
    nama: str
    state: str
    reason: str  # died | moved | formal_job | aged_out | missing
    detail: str


@dataclass
class ExitReport:
    programme: str
    on: dt.date
    snapshot: int
    roster: int | None
    checked: int
    dry_run: bool
    findings: list[ExitFinding] = field(default_factory=list)

    @property
    def exits(self) -> list[ExitFinding]:
        return [f for f in self.findings if f.reason != MISSING]

    @property
    def missing(self) -> list[ExitFinding]:
        return [f for f in self.findings if f.reason == MISSING]

    def counts(self) -> dict[str, int]:
        out = {reason: 0 for reason in (*EXIT_SOURCES, MISSING)}
        for f in self.findings:
            out[f.reason] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "on": self.on.isoformat(),
            "snapshot": self.snapshot,
            "roster": self.roster,
            "checked": self.checked,
            "dry_run": self.dry_run,
            "recorded": 0 if self.dry_run else len(self.exits),
            "counts": self.counts(),
            "findings": [dataclasses.asdict(f) for f in self.findings],
        }


def _find_exits(
    *, spec: ProgrammeSpec, members: pa.Table, snapshot: Snapshot, roster: Snapshot | None, on: dt.date
) -> list[tuple[int, str, str]]:
    """``(member_id, reason, detail)`` by one DuckDB query over the snapshot/roster Parquet files."""
    region = spec.region
    age_max = spec.eligibility.age_max
    roster_cte = (
        "pu AS (SELECT nik, min(kpj) AS kpj FROM read_parquet($roster) "
        "WHERE upper(trim(status)) = 'AKTIF' AND upper(trim(segmen)) = 'PU' AND nik IS NOT NULL GROUP BY nik)"
        if roster is not None
        else "pu AS (SELECT CAST(NULL AS VARCHAR) AS nik, CAST(NULL AS VARCHAR) AS kpj WHERE FALSE)"
    )
    in_region = f"kel LIKE {literal(region + '%')}"
    age = age_sql("COALESCE(s.tanggal_lahir, m.tanggal_lahir)", on)
    sql = f"""
    WITH snap AS (
      SELECT nik, kode_kelurahan, meninggal, tanggal_lahir FROM read_parquet($snapshot)
      QUALIFY row_number() OVER (PARTITION BY nik ORDER BY source_row) = 1
    ), {roster_cte},
    joined AS (
      SELECT m.id, s.nik IS NOT NULL AS found, COALESCE(s.meninggal, FALSE) AS died,
        s.kode_kelurahan AS kel, pu.kpj AS pu_kpj, {age} AS age
      FROM members AS m LEFT JOIN snap AS s ON s.nik = m.nik LEFT JOIN pu ON pu.nik = m.nik
    )
    SELECT id,
      CASE WHEN died THEN 'died'
        WHEN found AND kel IS NOT NULL AND NOT ({in_region}) THEN 'moved'
        WHEN pu_kpj IS NOT NULL THEN 'formal_job'
        WHEN age > {int(age_max)} THEN 'aged_out'
        WHEN NOT found OR kel IS NULL THEN '{MISSING}' END AS reason,
      CASE WHEN died THEN 'meninggal in snapshot #{snapshot.pk}'
        WHEN found AND kel IS NOT NULL AND NOT ({in_region})
          THEN 'domicile ' || kel || ' outside {region} in snapshot #{snapshot.pk}'
        WHEN pu_kpj IS NOT NULL THEN 'AKTIF PU (KPJ ' || pu_kpj || ') in roster #{roster.pk if roster else 0}'
        WHEN age > {int(age_max)} THEN 'age ' || CAST(age AS VARCHAR) || ' > {int(age_max)} on {on.isoformat()}'
        WHEN NOT found THEN 'not found in snapshot #{snapshot.pk}'
        ELSE 'domicile unknown in snapshot #{snapshot.pk}' END AS detail
    FROM joined
    WHERE died OR pu_kpj IS NOT NULL OR NOT found OR kel IS NULL OR NOT ({in_region})
      OR age > {int(age_max)}
    ORDER BY id
    """  # noqa: S608 -- literals quoted; parameters bound
    params: dict[str, str] = {"snapshot": str(snapshot.data_file)}
    if roster is not None:
        params["roster"] = str(roster.data_file)
    with default_engine() as engine:
        engine.register_arrow("members", members)
        rows = engine.fetch(sql, params)
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def exits_detect(
    *,
    programme: Programme,
    on: dt.date,
    snapshot: Snapshot | None = None,
    roster: Snapshot | None = None,
    acting_user: Actor = None,
    dry_run: bool = False,
) -> ExitReport:
    """Compare the programme's open members with the newest (or given) registry and roster snapshots.

    Reasons: ``died`` (``meninggal`` true), ``moved`` (domicile kelurahan outside the programme
    region), ``formal_job`` (an ``AKTIF`` ``PU`` row in the BPJS TK roster), ``aged_out`` (age on
    ``on`` above the spec's ``age_max``).  Members not found in the snapshot are reported as
    ``missing`` and not exited (module docstring).  Exits are recorded with ``members_exit`` (date
    ``on``, source ``snapshot`` or ``roster``) unless ``dry_run``; one ``exits.detect`` audit row.
    """
    from sigap.enrolment.exits import members_exit

    spec = _spec(programme)
    snap = _snapshot(Snapshot.REGISTRY, snapshot, required=True)
    assert snap is not None
    ros = _snapshot(Snapshot.ROSTER, roster, required=False)
    with transaction.atomic():
        rows = list(
            Member.objects.filter(programme=programme, state__in=OPEN_STATES).values_list(
                "id", "nik", "nama", "state", "tanggal_lahir"
            )
        )
        info = {r[0]: r for r in rows}
        members = pa.table(
            {
                "id": pa.array([r[0] for r in rows], pa.int64()),
                "nik": pa.array([r[1] for r in rows], pa.string()),
                "tanggal_lahir": pa.array([r[4] for r in rows], pa.date32()),
            }
        )
        found = _find_exits(spec=spec, members=members, snapshot=snap, roster=ros, on=on)
        report = ExitReport(
            programme=programme.code,
            on=on,
            snapshot=snap.pk,
            roster=ros.pk if ros else None,
            checked=len(rows),
            dry_run=dry_run,
            findings=[
                ExitFinding(mid, info[mid][1], info[mid][2], info[mid][3], reason, detail)
                for mid, reason, detail in found
            ],
        )
        if dry_run:
            return report
        by_reason: dict[str, list[ExitFinding]] = defaultdict(list)
        for f in report.exits:
            by_reason[f.reason].append(f)
        for reason, findings in by_reason.items():
            members_exit(
                members=list(Member.objects.filter(pk__in=[f.member_id for f in findings])),
                date=on,
                reason=reason,
                source=EXIT_SOURCES[reason],
                notes={f.member_id: f.detail for f in findings},
                acting_user=acting_user,
            )
        audit_record(
            acting_user=acting_user,
            action="exits.detect",
            obj=programme,
            after={
                "on": on.isoformat(),
                "snapshot": snap.pk,
                "roster": report.roster,
                "checked": report.checked,
                "counts": report.counts(),
                "missing": [f.nik for f in report.missing][:1000],
            },
        )
    return report


def member_exit_by_nik(
    *,
    programme: Programme,
    nik: str,
    reason: str,
    date: dt.date,
    note: str = "",
    acting_user: Actor = None,
) -> MemberExit:
    """A death report or a manual exit for one member (``sigap member exit``): source ``death_report``
    for ``died``, else ``manual``."""
    from sigap.enrolment.exits import member_exit

    nik = nik.strip()
    member = Member.objects.filter(programme=programme, nik=nik).first()
    if member is None:
        raise UserError(
            _("NIK %(nik)s bukan peserta program %(code)s.") % {"nik": nik, "code": programme.code}
        )
    if member.state not in OPEN_STATES:
        raise UserError(
            _(
                "NIK %(nik)s di %(code)s berstatus %(state)s; hanya kepesertaan yang masih berjalan yang dapat diakhiri."
            )
            % {"nik": nik, "code": programme.code, "state": member.get_state_display()}
        )
    source = "death_report" if reason == MemberExit.DIED else "manual"
    return member_exit(
        member=member, date=date, reason=reason, source=source, note=note, acting_user=acting_user
    )


# --------------------------------------------------------------------------- budget and replacement


@dataclass(frozen=True)
class Available:
    remaining: int  # realisation(on=...).remaining
    pending: int  # approved/sent members without coverage yet, at their list's cost per person
    available: int  # remaining - pending

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def budget_available(*, programme: Programme, on: dt.date) -> Available:
    """What a replacement may still spend: ``realisation(programme, on).remaining - pending``.

    ``remaining = allocated - invoiced - committed`` where ``committed`` already prices every
    not-yet-invoiced covered month to December of every member with a coverage period (active, or
    exited with a closed period).  Members of approved lists that BPJS TK has not answered yet
    (states ``approved``/``sent``) have no open coverage period and are not in ``committed``: they are
    subtracted as ``pending`` at their own list's cost per person (the most they can cost; a member
    selected again after a lapse, at the cost of the replacement run that selected it).  Rejected
    members and the unused months of exited members are therefore free again, and nothing already
    promised is counted as free.
    """
    from sigap.billing.selectors import realisation

    remaining = realisation(programme=programme, on=on).remaining
    pending = 0
    waiting = Member.objects.filter(programme=programme, state__in=[Member.APPROVED, Member.SENT]).exclude(
        pk__in=CoveragePeriod.objects.filter(end_month__isnull=True).values("member_id")
    )
    # A member selected again (its membership had lapsed) waits at the cost of the run that selected it.
    again = dict(
        Reopening.objects.filter(member__in=waiting, kind=Reopening.RESELECTION)
        .order_by("member_id", "id")
        .values_list("member_id", "run__cost_per_person")
    )
    for member_id, cost in waiting.values_list("id", "run__cost_per_person").iterator(chunk_size=20_000):
        pending += int(again.get(member_id, cost))
    return Available(remaining=remaining, pending=pending, available=remaining - pending)


def check_replacement_budget(*, run: TargetingRun, on: dt.date) -> Available:
    """Called by ``run_approve`` (programme row locked, the run's members just created): refuse a
    replacement list that no longer fits -- e.g. another replacement approved since it was made."""
    figures = budget_available(programme=run.programme, on=on)
    if figures.available < 0:
        raise UserError(
            _(
                "Penetapan pengganti #%(id)s tidak lagi muat dalam anggaran %(code)s: menyetujuinya akan memakai "
                "%(over)s lebih dari yang tersisa (sisa %(remaining)s, menunggu pendaftaran %(pending)s); buat "
                "penetapan pengganti baru."
            )
            % {
                "id": run.pk,
                "code": run.programme.code,
                "over": format_rupiah(-figures.available),
                "remaining": format_rupiah(figures.remaining),
                "pending": format_rupiah(figures.pending),
            }
        )
    return figures


def replacement_run(
    *,
    programme: Programme,
    start: Month,
    on: dt.date,
    acting_user: Actor = None,
    snapshot: Snapshot | None = None,
    roster: Snapshot | None = None,
    export: bool = True,
) -> TargetingRun:
    """A targeting run of kind ``replacement`` (parent: the latest approved list) for the places left.

    The selection is re-run on the newest (or given) snapshot and roster with the programme's rules and
    (a) cost per person = the tariff of every month from ``start`` to December (ages also taken at
    ``start``); (b) budget = :func:`budget_available` ``.available`` on ``on`` -- the realisation's
    ``remaining`` (allocation minus invoices minus every not-yet-invoiced covered month of current
    coverage) minus members approved but not yet enrolled.  It cannot double-spend: money of current
    coverage and of pending enrolments is never in it, and ``run_approve`` re-checks the figure under
    the programme lock, refusing a second replacement prepared from the same figure; (c) people who
    are or were members of this programme are ineligible (``already a member of <CODE>``) -- except
    those whose membership lapsed (:func:`not_selectable_again`) -- as are people covered by another
    APBD programme (``covered by programme <CODE> (...)``).
    The run then goes through ``run_submit``/``run_approve`` (members join the same programme) and
    ``batch_export``.
    """
    from sigap.programmes.actions import targeting_run

    spec = _spec(programme)
    if start.year != spec.fiscal_year or start < spec.coverage_start:
        raise UserError(
            _(
                "Mulai pengganti %(start)s di luar masa perlindungan program %(code)s (%(first)s s.d. %(last)s)."
            )
            % {
                "start": start,
                "code": programme.code,
                "first": spec.coverage_start,
                "last": spec.coverage_end,
            }
        )
    if start < Month.of(on):
        raise UserError(
            _("Mulai pengganti %(start)s sebelum %(on)s: perlindungan tidak dapat dimulai di masa lalu.")
            % {"start": start, "on": date_format(on, "j F Y")}
        )
    parent = latest_list(programme)
    figures = budget_available(programme=programme, on=on)
    replacement_spec = dataclasses.replace(spec, coverage_start=start, budget=max(0, figures.available))
    per_person = replacement_spec.cost_per_person()
    if figures.available < per_person:
        raise UserError(
            _(
                "Program %(code)s: tersisa %(left)s (sisa %(remaining)s, menunggu pendaftaran %(pending)s), kurang "
                "dari biaya satu pengganti mulai %(start)s (%(per_person)s)."
            )
            % {
                "code": programme.code,
                "left": format_rupiah(max(0, figures.available)),
                "remaining": format_rupiah(figures.remaining),
                "pending": format_rupiah(figures.pending),
                "start": start,
                "per_person": format_rupiah(per_person),
            }
        )
    reason = f"already a member of {programme.code}"
    excluded = [(nik, reason) for nik in not_selectable_again(programme)]
    with transaction.atomic():
        run = targeting_run(
            programme=programme,
            snapshot=snapshot,
            roster=roster,
            acting_user=acting_user,
            export=export,
            spec=replacement_spec,
            kind=TargetingRun.REPLACEMENT,
            parent=parent,
            excluded=excluded,
        )
        audit_record(
            acting_user=acting_user,
            action="replacement.run",
            obj=run,
            after={
                "programme": programme.code,
                "parent": parent.pk,
                "start": str(start),
                "on": on.isoformat(),
                "cost_per_person": per_person,
                **figures.as_dict(),
                "selected": run.selected,
                "cost": run.cost,
            },
        )
    return run


# --------------------------------------------------------------------------- selected again (ADR 0015)


def not_selectable_again(programme: Programme) -> list[str]:
    """NIKs a replacement run of ``programme`` leaves out as ``already a member of <CODE>``: every
    member, except those whose membership ended by lapse (they may be selected again; module
    docstring for the other exit reasons)."""
    return list(
        Member.objects.filter(programme=programme)
        .exclude(state=Member.EXITED, exit__reason=MemberExit.LAPSED)
        .values_list("nik", flat=True)
    )


def _reopen(member: Member, *, kind: str, acting_user: Actor, **fields: Any) -> Reopening:
    """Move ``member``'s exit into a :class:`Reopening` (a member exits once at a time)."""
    from sigap.audit.actions import stored_user

    ended = MemberExit.objects.get(member=member)
    record = Reopening.objects.create(
        member=member,
        kind=kind,
        exit_date=ended.date,
        exit_reason=ended.reason,
        exit_source=ended.source,
        exit_note=ended.note,
        exit_recorded_at=ended.created_at,
        exit_recorded_by=ended.created_by,
        created_by=stored_user(acting_user),
        **fields,
    )
    ended.delete()
    return record


def _exit_dict(record: Reopening) -> dict[str, Any]:
    return {
        "date": record.exit_date.isoformat(),
        "reason": record.exit_reason,
        "source": record.exit_source,
        "note": record.exit_note,
    }


def readmit_lapsed(*, run: TargetingRun, ranks: dict[str, int], acting_user: Actor) -> list[Member]:
    """Called by ``run_approve`` for a replacement run, in its transaction: the selected people whose
    membership of the programme had lapsed (``ranks``: NIK -> rank in ``run``) are approved again.

    The member row stays the one of the list that first selected the person (its frozen hash and annex
    do not change); its lapse moves into a :class:`Reopening` (kind ``reselection``, with the run);
    the state goes back to ``approved``, so the next ``batch_export`` sends it to BPJS TK, whose answer
    opens a new coverage period after the lapsed one.  One ``member.reselect`` audit row each.
    """
    members = list(
        Member.objects.select_for_update()
        .filter(programme=run.programme, state=Member.EXITED, exit__reason=MemberExit.LAPSED)
        .filter(nik__in=[n for n in ranks])
        .order_by("rank", "nik")
    )
    for member in members:
        record = _reopen(
            member,
            kind=Reopening.RESELECTION,
            acting_user=acting_user,
            run=run,
            note=f"selected again by replacement run #{run.pk} (rank {ranks[member.nik]})",
        )
        member.state = Member.APPROVED
        member.save(update_fields=["state"])
        audit_record(
            acting_user=acting_user,
            action="member.reselect",
            obj=member,
            before={"state": Member.EXITED, "exit": _exit_dict(record)},
            after={"state": member.state, "run": run.pk, "rank": ranks[member.nik], "reopening": record.pk},
            note=record.note,
        )
    return members


# --------------------------------------------------------------------------- reinstatement (ADR 0015)


@dataclass(frozen=True)
class Reinstated:
    programme: str
    start: Month
    accepted_on: dt.date
    reference: str
    cost: int  # the new months of every reinstated member, at the programme's tariff
    records: list[Reopening]

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "start": str(self.start),
            "accepted_on": self.accepted_on.isoformat(),
            "reference": self.reference,
            "reinstated": len(self.records),
            "cost": self.cost,
            "members": [
                {
                    "nik": r.member.nik,
                    "lapsed_on": r.exit_date.isoformat(),
                    "periods": [
                        {
                            "start": str(Month.of(p.start_month)),
                            "end": str(Month.of(p.end_month)) if p.end_month else None,
                            "end_reason": p.end_reason,
                        }
                        for p in r.member.periods.order_by("start_month")
                    ],
                }
                for r in self.records
            ],
        }


@transaction.atomic
def members_reinstate(
    *,
    programme: Programme,
    members: Sequence[Member],
    accepted_on: dt.date,
    reference: str,
    note: str,
    today: dt.date,
    start: Month | None = None,
    acting_user: Actor = None,
) -> Reinstated:
    """BPJS TK's special procedure for coverage that ended because the APBD money came late
    (DOMAIN.md section 2): lapsed memberships are reinstated from the month BPJS TK accepts.

    ``accepted_on``: the date of BPJS TK's acceptance (not after ``today``, not before a lapse);
    ``start``: the first covered month again (default: the month of ``accepted_on``).  All or nothing,
    refused unless: every member's membership ended by lapse; BPJS TK's ``reference`` and a ``note``
    are given; the new period starts after the lapsed one (the months between stay uncovered: the gap
    shows in the coverage periods) and inside the programme's year; nobody is covered by another APBD
    programme then; the budget left (``budget_available`` on ``today``) holds the new months.  Each
    lapse moves into a :class:`Reopening` (kind ``reinstatement``); the member is active again with its
    KPJ and an open coverage period from ``start``; one ``member.reinstate`` audit row per member and one
    ``reinstatement.record``.  Months already invoiced from ``start`` go on a supplementary invoice.
    """
    from sigap.billing.selectors import programme_months

    Programme.objects.select_for_update().get(pk=programme.pk)  # budget figures under the lock
    code = programme.code
    reference, note = reference.strip(), note.strip()
    if not members:
        raise UserError(f"{code}: no member to reinstate")
    if not reference:
        raise UserError(f"{code}: a reinstatement needs BPJS TK's reference (the letter accepting it)")
    if not note:
        raise UserError(f"{code}: a reinstatement needs a note saying why (e.g. the SP2D that came late)")
    if accepted_on > today:
        raise UserError(f"{code}: BPJS TK's acceptance ({accepted_on.isoformat()}) is after today")
    start = start or Month.of(accepted_on)
    first, last = programme_months(programme)
    if start > last or start < first:
        raise UserError(
            f"{code}: {start} is outside the programme's months ({first}..{last}); coverage in another "
            "year belongs to that year's programme"
        )
    ids = [m.pk for m in members]
    locked = {
        m.pk: m
        for m in Member.objects.select_for_update()
        .filter(pk__in=ids, programme=programme)
        .order_by("rank", "nik")
    }
    exits = {e.member_id: e for e in MemberExit.objects.filter(member_id__in=ids)}
    ends: dict[int, Month] = {}
    for member_id, end in CoveragePeriod.objects.filter(
        member_id__in=ids, end_month__isnull=False
    ).values_list("member_id", "end_month"):
        if end is not None:
            ends[member_id] = max(ends.get(member_id, first + -1), Month.of(end))
    elsewhere = dict(covered_by_other_programmes(programme, start, last))
    problems = []
    for pk in ids:
        m = locked.get(pk)
        if m is None:
            problems.append(f"member #{pk} is not a member of {code}")
            continue
        ended = exits.get(pk)
        if m.state != Member.EXITED or ended is None or ended.reason != MemberExit.LAPSED:
            found = m.state + (f" ({ended.reason})" if ended is not None else "")
            problems.append(
                f"NIK {m.nik} is {found}: only a membership that ended by lapse (iuran tidak dibayar > 3 "
                "bulan) can be reinstated"
            )
            continue
        if accepted_on < ended.date:
            problems.append(
                f"NIK {m.nik}: BPJS TK's acceptance ({accepted_on.isoformat()}) is before the membership "
                f"ended ({ended.date.isoformat()})"
            )
        lapsed_until = ends.get(pk, first + -1)
        if start <= lapsed_until:
            problems.append(
                f"NIK {m.nik}: the reinstated coverage must start after the lapsed coverage (which ended "
                f"in {lapsed_until}); the unpaid months stay uncovered"
            )
        if m.nik in elsewhere:
            problems.append(
                f"NIK {m.nik}: {elsewhere[m.nik]}; a person is covered by one APBD programme at a time"
            )
    if problems:
        raise UserError(
            problems[0] if len(problems) == 1 else f"{code}: {len(problems)} members cannot be reinstated",
            details=problems,
        )
    per_person = dataclasses.replace(_spec(programme), coverage_start=start).cost_per_person()
    cost = per_person * len(ids)
    figures = budget_available(programme=programme, on=today)
    if figures.available < cost:
        raise UserError(
            f"{code}: reinstating {len(ids)} member(s) from {start} costs {format_rupiah(cost)} to {last}, "
            f"more than the {format_rupiah(max(0, figures.available))} left (remaining "
            f"{format_rupiah(figures.remaining)}, pending enrolment {format_rupiah(figures.pending)})"
        )
    records = []
    for pk in ids:
        member = locked[pk]
        record = _reopen(
            member,
            kind=Reopening.REINSTATEMENT,
            acting_user=acting_user,
            start_month=start.first_day(),
            accepted_on=accepted_on,
            reference=reference[:100],
            note=note,
        )
        lapsed_until = ends.get(pk, first + -1)
        audit_record(
            acting_user=acting_user,
            action="member.reinstate",
            obj=member,
            before={"state": Member.EXITED, "exit": _exit_dict(record)},
            after={
                "state": Member.ACTIVE,
                "start": str(start),
                "gap": [str(lapsed_until + 1), str(start + -1)] if start > lapsed_until + 1 else None,
                "accepted_on": accepted_on.isoformat(),
                "reference": record.reference,
                "cost": per_person,
                "reopening": record.pk,
            },
            note=note,
        )
        records.append(record)
    CoveragePeriod.objects.bulk_create(
        [CoveragePeriod(member_id=pk, start_month=start.first_day()) for pk in ids], batch_size=2000
    )
    Member.objects.filter(pk__in=ids).update(state=Member.ACTIVE)
    for record in records:
        record.member.state = Member.ACTIVE
    audit_record(
        acting_user=acting_user,
        action="reinstatement.record",
        obj=programme,
        after={
            "start": str(start),
            "accepted_on": accepted_on.isoformat(),
            "reference": reference[:100],
            "members": len(ids),
            "cost": cost,
            **figures.as_dict(),
        },
        note=note,
    )
    announce_members([programme.pk])
    return Reinstated(
        programme=code,
        start=start,
        accepted_on=accepted_on,
        reference=reference[:100],
        cost=cost,
        records=records,
    )


def member_reinstate(
    *,
    member: Member,
    accepted_on: dt.date,
    reference: str,
    note: str,
    today: dt.date,
    start: Month | None = None,
    acting_user: Actor = None,
) -> Reopening:
    """:func:`members_reinstate` for one member."""
    return members_reinstate(
        programme=member.programme,
        members=[member],
        accepted_on=accepted_on,
        reference=reference,
        note=note,
        today=today,
        start=start,
        acting_user=acting_user,
    ).records[0]


def lapsed_members(programme: Programme, niks: Sequence[str] = ()) -> list[Member]:
    """Members of ``programme`` whose membership ended by lapse (all, or those with ``niks``; a NIK that
    is not a member of the programme is refused)."""
    found = Member.objects.filter(programme=programme)
    if not niks:
        return list(found.filter(state=Member.EXITED, exit__reason=MemberExit.LAPSED).order_by("rank", "nik"))
    wanted = [n.strip() for n in niks]
    members = {m.nik: m for m in found.filter(nik__in=wanted)}
    unknown = [n for n in wanted if n not in members]
    if unknown:
        raise UserError(
            f"NIK {unknown[0]} is not a member of programme {programme.code}"
            if len(unknown) == 1
            else f"{len(unknown)} NIKs are not members of programme {programme.code}",
            details=unknown,
        )
    return [members[n] for n in dict.fromkeys(wanted)]


# --------------------------------------------------------------------------- year end (ADR 0015)


@dataclass
class CloseReport:
    programme: str
    on: dt.date
    ended_on: dt.date
    lapse: dict[str, Any]
    ended: list[dict[str, str]] = field(default_factory=list)
    carried: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "on": self.on.isoformat(),
            "ended_on": self.ended_on.isoformat(),
            "lapsed": len(self.lapse["lapsed"]),
            "ended": len(self.ended),
            "carried": self.carried,
            "lapse": self.lapse,
            "ended_members": self.ended,
        }


def programme_close(*, programme: Programme, on: dt.date, acting_user: Actor = None) -> CloseReport:
    """End the memberships of a programme whose fiscal year is over (``sigap programme close``).

    From 31 December of the fiscal year (``on``, the business date): (1) the lapse check as of ``on``
    (a membership that lapsed in the year ends as ``lapsed``, not as year end); (2) every open member
    (approved, sent or active) exits on 31 December with reason ``fiscal_year_end`` ("berakhir: akhir
    tahun anggaran", source ``programme_close``), its coverage period closed at December -- except the
    active members an approved renewal carried over (:func:`renewal_carry_over`): they continue in the
    new programme and are not ended.  A renewal approved later still carries the members ended here
    (:func:`continuing_members`).  Running it again ends nothing more.  One ``programme.close`` audit row.
    """
    from sigap.billing.actions import lapse_check
    from sigap.enrolment.exits import members_exit

    year_end = dt.date(programme.fiscal_year, 12, 31)
    if on < year_end:
        raise UserError(
            f"programme {programme.code} covers its fiscal year {programme.fiscal_year} until "
            f"{year_end.isoformat()}; it can be closed from that day"
        )
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=programme.pk)
        lapsed = lapse_check(programme=programme, on=on, acting_user=acting_user)
        renewals = TargetingRun.objects.filter(
            kind=TargetingRun.RENEWAL, parent__programme=programme, state__in=FROZEN
        )
        renewed = set(Member.objects.filter(run__in=renewals).values_list("nik", flat=True))
        members = list(
            Member.objects.filter(programme=programme, state__in=OPEN_STATES)
            .select_for_update()
            .order_by("rank", "nik")
        )
        carried = [m for m in members if m.state == Member.ACTIVE and m.nik in renewed]
        ending = [m for m in members if not (m.state == Member.ACTIVE and m.nik in renewed)]
        year = programme.fiscal_year
        notes = {
            m.pk: (
                f"{programme.code}: fiscal year {year} ended; no approved renewal carried the member over"
                if m.state == Member.ACTIVE
                else f"{programme.code}: fiscal year {year} ended before BPJS TK enrolled the member "
                f"(state {m.state}): never covered"
            )
            for m in ending
        }
        report = CloseReport(
            programme=programme.code,
            on=on,
            ended_on=year_end,
            lapse=lapsed.as_dict(),
            ended=[{"nik": m.nik, "state": m.state} for m in ending],
            carried=len(carried),
        )
        if ending:
            members_exit(
                members=ending,
                date=year_end,
                reason=MemberExit.FISCAL_YEAR_END,
                source="programme_close",
                notes=notes,
                acting_user=acting_user,
            )
        audit_record(
            acting_user=acting_user,
            action="programme.close",
            obj=programme,
            after={
                "on": on.isoformat(),
                "ended_on": year_end.isoformat(),
                "lapsed": len(lapsed.lapsed),
                "ended": len(ending),
                "ended_states": {s: sum(1 for m in report.ended if m["state"] == s) for s in OPEN_STATES},
                "carried": len(carried),
                "renewals": sorted(renewals.values_list("pk", flat=True)),
            },
        )
    return report


# --------------------------------------------------------------------------- renewal


def renewal_code(old_code: str, fiscal_year: int, old_year: int) -> str:
    """``SIGAP-2026`` -> ``SIGAP-2027``; a code without its year gets ``-<fiscal_year>`` appended."""
    base = re.sub(rf"[-_/ ]?{old_year}$", "", old_code)
    return f"{base or old_code}-{fiscal_year}"


def continuing_members(programme: Programme) -> Any:
    """Members a renewal of ``programme`` continues: active ones, and those the year-end close ended
    (reason ``fiscal_year_end``: their membership ended only because the year did)."""
    return Member.objects.filter(
        Q(state=Member.ACTIVE) | Q(state=Member.EXITED, exit__reason=MemberExit.FISCAL_YEAR_END),
        programme=programme,
    )


def programme_renew(
    *,
    programme: Programme,
    fiscal_year: int,
    budget: int,
    acting_user: Actor = None,
    code: str | None = None,
    coverage_start: Month | None = None,
    snapshot: Snapshot | None = None,
    roster: Snapshot | None = None,
    export: bool = True,
) -> tuple[Programme, TargetingRun]:
    """Open next year's programme from this one and make its renewal run (kind ``renewal``).

    The new programme copies the rules with the new code (default :func:`renewal_code`), fiscal
    year, ``budget`` and coverage start (default January); its cost per person follows the tariff
    rules in force in the new year.  The run (parent: the old programme's latest approved list)
    ranks the old programme's *active* members first (continuing member rule) when they pass every
    rule on the newest snapshot, then newcomers, cut to the budget.  Approval
    (:func:`renewal_carry_over`) carries kept members over and exits the others.
    """
    from sigap.programmes.actions import programme_apply, spec_document, targeting_run

    old_spec = _spec(programme)
    if fiscal_year <= programme.fiscal_year:
        raise UserError(f"renewal of {programme.code} needs a fiscal year after {programme.fiscal_year}")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0:
        raise UserError("the budget of the renewed programme must be a whole number of rupiah above 0")
    parent = latest_list(programme)
    new_code = (code or renewal_code(programme.code, fiscal_year, programme.fiscal_year)).strip()
    if Programme.objects.filter(code=new_code).exists():
        raise UserError(f"programme {new_code} already exists; give another code (--code)")
    earlier = TargetingRun.objects.filter(kind=TargetingRun.RENEWAL, parent__programme=programme).first()
    if earlier is not None:
        raise UserError(
            f"{programme.code} was already renewed as {earlier.programme.code} (run #{earlier.pk})"
        )
    start = coverage_start or Month(fiscal_year, 1)
    document = spec_document(old_spec)
    name = str(document["programme"]["name"]).replace(str(programme.fiscal_year), str(fiscal_year))
    document["programme"] = {
        **document["programme"],
        "code": new_code,
        "name": name,
        "fiscal_year": fiscal_year,
        "budget": budget,
        "coverage_start": str(start),
    }
    continuing = list(continuing_members(programme).values_list("nik", "kpj"))
    with transaction.atomic():
        new, _, _ = programme_apply(
            document=document, source_name=f"renewal of {programme.code}", acting_user=acting_user
        )
        run = targeting_run(
            programme=new,
            snapshot=snapshot,
            roster=roster,
            acting_user=acting_user,
            export=export,
            kind=TargetingRun.RENEWAL,
            parent=parent,
            continuing=continuing,
        )
        audit_record(
            acting_user=acting_user,
            action="programme.renew",
            obj=new,
            before={
                "programme": programme.code,
                "fiscal_year": programme.fiscal_year,
                "budget": programme.budget,
            },
            after={
                "programme": new.code,
                "fiscal_year": fiscal_year,
                "budget": budget,
                "cost_per_person": run.cost_per_person,
                "run": run.pk,
                "parent": parent.pk,
                "continuing": len(continuing),
                "selected": run.selected,
            },
        )
    return new, run


#: Failed rule -> exit reason, strongest first (a deceased person who also moved died).
_EXIT_FOR_RULE = (
    (selection.RULE_DECEASED, MemberExit.DIED),
    (selection.RULE_DOMICILE, MemberExit.MOVED),
    (selection.RULE_INSURED, MemberExit.FORMAL_JOB),  # only when the roster segment is PU
    (selection.RULE_AGE, MemberExit.AGED_OUT),
)


def _renewal_exit_reason(
    decision: str | None, reasons: str | None, new_code: str, *, failed: Sequence[str] = (), segmen: str = ""
) -> tuple[str, str]:
    """``(MemberExit reason, note)`` for an old member not kept by the renewal run.

    The reason comes from the codes of the failed rules (``failed``; the roster ``segmen`` tells a
    formal job, PU, from another payer); the note repeats the rules in plain words.
    """
    if decision is None:
        return MemberExit.MANUAL, f"not renewed in {new_code}: not found in the renewal snapshot"
    if decision == "waiting":
        return MemberExit.MANUAL, f"not renewed in {new_code}: budget ({reasons})"
    note = f"not renewed in {new_code}: {reasons or decision}"
    for rule, reason in _EXIT_FOR_RULE:
        if rule not in failed:
            continue
        if rule == selection.RULE_INSURED and segmen.strip().upper() != "PU":
            continue
        return reason, note
    return MemberExit.MANUAL, note


def renewal_carry_over(*, run: TargetingRun, acting_user: Actor) -> dict[str, int]:
    """Called by ``run_approve`` for a renewal run, in its transaction, after the members were created.

    Kept (continuing) members -- active in the old programme, or ended there by the year-end close
    (:func:`continuing_members`) -- are active in the new programme with their old KPJ and an open
    coverage period from the new programme's first month (no new BPJS TK registration); their old
    period is closed at December.  Old active members not kept exit on 31 December of the old year with the
    reason of the rules (``manual`` with a note for budget or other rules).  Newcomers stay
    ``approved`` for ``batch_export``.  One ``renewal.carry_over`` audit row.
    """
    from sigap.enrolment.exits import members_exit

    new = run.programme
    assert run.parent is not None
    old = run.parent.programme
    start = _spec(new).coverage_start
    year_end = Month(old.fiscal_year, 12)
    # OF self: continuing_members joins the exit (nullable side), which PostgreSQL cannot lock
    old_active = {m.nik: m for m in continuing_members(old).select_for_update(of=("self",))}
    kept = list(Member.objects.filter(run=run, nik__in=list(old_active)).select_for_update())
    for m in kept:
        m.state = Member.ACTIVE
        m.kpj = old_active[m.nik].kpj
    Member.objects.bulk_update(kept, ["state", "kpj"], batch_size=2000)
    CoveragePeriod.objects.bulk_create(
        [CoveragePeriod(member=m, start_month=start.first_day()) for m in kept], batch_size=2000
    )
    kept_niks = {m.nik for m in kept}
    CoveragePeriod.objects.filter(
        Q(end_month__isnull=True) | Q(end_month__gt=year_end.first_day()),
        member__programme=old,
        member__nik__in=list(kept_niks),
    ).update(end_month=year_end.first_day(), end_reason=f"renewed in {new.code}")
    # Members the year-end close already ended (fiscal_year_end) and the renewal did not keep stay ended.
    leaving = [m for nik, m in old_active.items() if nik not in kept_niks and m.state == Member.ACTIVE]
    decisions: dict[str, tuple[str, str, int, str]] = {}
    if leaving:
        stored = set(stored_columns(run))
        insured = "s.insured" if "insured" in stored else "NULL"
        with default_engine() as engine:
            rows = engine.fetch(
                f"SELECT d.nik, d.decision, d.reasons, s.fails, {insured} FROM {decisions_relation(run)} AS d"  # noqa: S608 -- generated
                f" JOIN read_parquet({sql_string(str(run.decisions_file))}) AS s ON s.nik = d.nik"
            )
        decisions = {r[0]: (r[1], r[2], r[3], r[4] or "") for r in rows}
    spec = ProgrammeSpec.from_dict(run.spec)
    groups: dict[str, list[tuple[Member, str]]] = defaultdict(list)
    for m in leaving:
        decision, reasons, fails, insured_text = decisions.get(m.nik, (None, None, 0, ""))
        reason, note = _renewal_exit_reason(
            decision,
            reasons,
            new.code,
            failed=selection.failed_rules(spec, fails),
            segmen=insured_text.rpartition(", ")[2],
        )
        groups[reason].append((m, note))
    for reason, items in groups.items():
        members_exit(
            members=[m for m, _ in items],
            date=year_end.last_day(),
            reason=reason,
            source="snapshot",
            notes={m.pk: note for m, note in items},
            acting_user=acting_user,
        )
    newcomers = Member.objects.filter(run=run, state=Member.APPROVED).count()
    counts = {
        "kept": len(kept),
        "exited": len(leaving),
        "newcomers": newcomers,
        **{f"exited_{reason}": len(items) for reason, items in groups.items()},
    }
    audit_record(
        acting_user=acting_user,
        action="renewal.carry_over",
        obj=run,
        after={"from": old.code, "to": new.code, "coverage_start": str(start), **counts},
    )
    if newcomers == 0:
        run.state = TargetingRun.ENROLLED
        run.save(update_fields=["state"])
        audit_record(
            acting_user=acting_user,
            action="run.enrolled",
            obj=run,
            before={"state": TargetingRun.APPROVED},
            after={"state": run.state, "note": "every member carried over"},
        )
    return counts


__all__ = [
    "Available",
    "CloseReport",
    "ExitFinding",
    "ExitReport",
    "Reinstated",
    "budget_available",
    "check_replacement_budget",
    "continuing_members",
    "exits_detect",
    "lapsed_members",
    "latest_list",
    "member_exit_by_nik",
    "member_reinstate",
    "members_reinstate",
    "not_selectable_again",
    "programme_close",
    "programme_renew",
    "readmit_lapsed",
    "renewal_carry_over",
    "renewal_code",
    "replacement_run",
]
