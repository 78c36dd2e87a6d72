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
  period is closed at December.
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

from sigap.audit.actions import Actor, audit_record
from sigap.core import selection
from sigap.core.money import Month, format_rupiah
from sigap.core.programme import ProgrammeSpec, SpecError
from sigap.core.selection import age_sql, literal
from sigap.engine import default_engine
from sigap.engine.base import sql_string
from sigap.enrolment.models import CoveragePeriod, Member, MemberExit
from sigap.errors import UserError
from sigap.programmes.models import Programme, TargetingRun
from sigap.programmes.selectors import decisions_relation, stored_columns
from sigap.registry.models import Snapshot

#: Members who still count: approved (not yet sent), sent (waiting for BPJS TK), active.
OPEN_STATES = (Member.APPROVED, Member.SENT, Member.ACTIVE)
FROZEN = (TargetingRun.APPROVED, TargetingRun.ENROLLED)
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
            f"programme {programme.code}: stored definition is invalid", details=e.problems
        ) from None


def _snapshot(kind: str, given: Snapshot | None, *, required: bool) -> Snapshot | None:
    snap = given if given is not None else Snapshot.objects.filter(kind=kind).order_by("-id").first()
    if snap is None:
        if required:
            raise UserError(f"no {kind} snapshot: import one first (sigap registry import FILE)")
        return None
    if snap.kind != kind:
        raise UserError(f"snapshot #{snap.pk} is a {snap.kind} snapshot, not a {kind}")
    if not snap.data_file.is_file():
        raise UserError(f"snapshot #{snap.pk}: data file {snap.data_file} is missing")
    return snap


def latest_list(programme: Programme) -> TargetingRun:
    """The programme's most recently approved list (initial, replacement or renewal)."""
    run = (
        TargetingRun.objects.filter(programme=programme, state__in=FROZEN)
        .order_by("-decided_at", "-id")
        .first()
    )
    if run is None:
        raise UserError(f"programme {programme.code} has no approved list yet (sigap run approve RUN)")
    return run


# --------------------------------------------------------------------------- several programmes


def covered_by_other_programmes(programme: Programme, first: Month, last: Month) -> list[tuple[str, str]]:
    """``(nik, reason)`` for people who are members (approved, sent or active) of another APBD
    programme whose coverage overlaps ``first..last``: ``covered by programme <CODE> (<start>..<end>)``.

    All APBD programmes count, whatever their region: a person is covered by at most one at a time.
    """
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
        return []
    rows = Member.objects.filter(programme_id__in=list(overlapping), state__in=OPEN_STATES).values_list(
        "nik", "programme_id"
    )
    return [(nik, overlapping[pid]) for nik, pid in rows.iterator(chunk_size=20_000)]


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
    from sigap.enrolment.actions import members_exit

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
    from sigap.enrolment.actions import member_exit

    nik = nik.strip()
    member = Member.objects.filter(programme=programme, nik=nik).first()
    if member is None:
        raise UserError(f"NIK {nik} is not a member of programme {programme.code}")
    if member.state not in OPEN_STATES:
        raise UserError(f"NIK {nik} in {programme.code} is {member.state}; only an open membership can end")
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
    (states ``approved``/``sent``) have no coverage period and are not in ``committed``: they are
    subtracted as ``pending`` at their own list's cost per person (the most they can cost).  Rejected
    members and the unused months of exited members are therefore free again, and nothing already
    promised is counted as free.
    """
    from sigap.billing.selectors import realisation

    remaining = realisation(programme=programme, on=on).remaining
    pending = 0
    rows = (
        Member.objects.filter(programme=programme, state__in=[Member.APPROVED, Member.SENT])
        .exclude(periods__isnull=False)
        .values_list("run__cost_per_person", flat=True)
    )
    for cost in rows.iterator(chunk_size=20_000):
        pending += int(cost)
    return Available(remaining=remaining, pending=pending, available=remaining - pending)


def check_replacement_budget(*, run: TargetingRun, on: dt.date) -> Available:
    """Called by ``run_approve`` (programme row locked, the run's members just created): refuse a
    replacement list that no longer fits -- e.g. another replacement approved since it was made."""
    figures = budget_available(programme=run.programme, on=on)
    if figures.available < 0:
        raise UserError(
            f"replacement run #{run.pk} no longer fits the budget of {run.programme.code}: approving it "
            f"would commit {format_rupiah(-figures.available)} more than is left "
            f"(remaining {format_rupiah(figures.remaining)}, pending enrolment {format_rupiah(figures.pending)}); "
            "make a new replacement run"
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
    are or were members of this programme are ineligible (``already a member of <CODE>``), as are
    people covered by another APBD programme (``covered by programme <CODE> (...)``).
    The run then goes through ``run_submit``/``run_approve`` (members join the same programme) and
    ``batch_export``.
    """
    from sigap.programmes.actions import targeting_run

    spec = _spec(programme)
    if start.year != spec.fiscal_year or start < spec.coverage_start:
        raise UserError(
            f"replacement start {start} is outside programme {programme.code}'s coverage "
            f"({spec.coverage_start}..{spec.coverage_end})"
        )
    if start < Month.of(on):
        raise UserError(
            f"replacement start {start} is before {on.isoformat()}: coverage cannot start in the past"
        )
    parent = latest_list(programme)
    figures = budget_available(programme=programme, on=on)
    replacement_spec = dataclasses.replace(spec, coverage_start=start, budget=max(0, figures.available))
    per_person = replacement_spec.cost_per_person()
    if figures.available < per_person:
        raise UserError(
            f"programme {programme.code}: {format_rupiah(max(0, figures.available))} is left "
            f"(remaining {format_rupiah(figures.remaining)}, pending enrolment {format_rupiah(figures.pending)}), "
            f"less than one replacement from {start} ({format_rupiah(per_person)})"
        )
    reason = f"already a member of {programme.code}"
    excluded = [
        (nik, reason) for nik in Member.objects.filter(programme=programme).values_list("nik", flat=True)
    ]
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


# --------------------------------------------------------------------------- renewal


def renewal_code(old_code: str, fiscal_year: int, old_year: int) -> str:
    """``SIGAP-2026`` -> ``SIGAP-2027``; a code without its year gets ``-<fiscal_year>`` appended."""
    base = re.sub(rf"[-_/ ]?{old_year}$", "", old_code)
    return f"{base or old_code}-{fiscal_year}"


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
    continuing = list(
        Member.objects.filter(programme=programme, state=Member.ACTIVE).values_list("nik", "kpj")
    )
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

    Kept (continuing) members: active in the new programme with their old KPJ and an open coverage
    period from the new programme's first month (no new BPJS TK registration); their old period is
    closed at December.  Old active members not kept exit on 31 December of the old year with the
    reason of the rules (``manual`` with a note for budget or other rules).  Newcomers stay
    ``approved`` for ``batch_export``.  One ``renewal.carry_over`` audit row.
    """
    from sigap.enrolment.actions import members_exit

    new = run.programme
    assert run.parent is not None
    old = run.parent.programme
    start = _spec(new).coverage_start
    year_end = Month(old.fiscal_year, 12)
    old_active = {
        m.nik: m for m in Member.objects.filter(programme=old, state=Member.ACTIVE).select_for_update()
    }
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
    leaving = [m for nik, m in old_active.items() if nik not in kept_niks]
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
    "ExitFinding",
    "ExitReport",
    "budget_available",
    "check_replacement_budget",
    "covered_by_other_programmes",
    "exits_detect",
    "latest_list",
    "member_exit_by_nik",
    "programme_renew",
    "renewal_carry_over",
    "renewal_code",
    "replacement_run",
]
