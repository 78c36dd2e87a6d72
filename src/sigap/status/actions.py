"""Refresh the read models (citizen status, dashboard aggregates) of one programme.

What they show is the programme's **list in force** (:func:`sigap.programmes.selectors.list_in_force`: its newest approved or
enrolled run) and its members -- never a draft, submitted or returned run (ADR 0013).  Hooks called
explicitly (no signals) by the actions that change that state:

- ``members_added`` (``run_approve``: a list comes into force): the citizen answers inside the
  approving transaction -- members' rows in the table, everyone else in the run's status file, written
  set-based by the engine -- so they switch when the approval commits;
- ``members_updated`` (BPJS TK answers, exits): nothing to rewrite for citizens -- a member's state,
  first covered month and exit are joined live at lookup time;
- every hook and ``invoice_issue``/``payment_record`` rebuild the dashboard aggregates after commit
  (``dashboard_after_commit``), so an action never waits for or rolls back with them.

A targeting run changes none of them.  Hooks write no audit row of their own (the calling action's
row records the change); :func:`status_refresh` is the stand-alone, audited action (management command
``status_refresh``).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from sigap.audit.actions import Actor, audit_record
from sigap.core.money import Month
from sigap.core.selection import INELIGIBLE, OUTSIDE, SELECTED, WAITING
from sigap.core.targets import RPJMN_TARGET_BP, members_for_share
from sigap.engine.base import sql_string
from sigap.enrolment.figures import COVERED, EXITED, FIGURE_OF_STATE, REJECTED
from sigap.enrolment.models import CoveragePeriod, Member
from sigap.jobs.lease import kept_fresh
from sigap.programmes.models import Programme, TargetingRun
from sigap.programmes.selectors import list_in_force
from sigap.reference import regions
from sigap.status.keys import fingerprint, hasher, lookup_sql
from sigap.status.models import AreaCell, CitizenStatus, MonthFigure, ProgrammeFigures

ESTIMATE_KEY = "estimated_vulnerable_workers"
_DELETE_CHUNK = 900  # values per ``IN`` (SQLite's historical limit)


def estimate_of(programme: Programme) -> int | None:
    """The programme file's ``estimated_vulnerable_workers`` (top level or under [programme])."""
    spec = programme.spec or {}
    for section in (spec, spec.get("programme", {})):
        value = section.get(ESTIMATE_KEY) if isinstance(section, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert plain rows into ``model``'s table (:func:`sigap.bulk.insert_rows`)."""
    from sigap.bulk import insert_rows

    return insert_rows(model, columns, rows)


def _decisions(run: TargetingRun, select: str, tail: str = "") -> list[tuple[Any, ...]]:
    from sigap.engine import default_engine
    from sigap.programmes.selectors import decisions_relation

    with default_engine() as engine:
        return engine.fetch(f"SELECT {select} FROM {decisions_relation(run)} AS d {tail}")  # noqa: S608


# --------------------------------------------------------------------------- citizen status

STATUS_COLUMNS = ("lookup", "programme_id", "programme_name", "status", "reasons", "office", "member_id")
#: Columns of a run's status file (non-members of the list in force), sorted by ``lookup``.
STATUS_FILE_COLUMNS = ("lookup", "status", "reasons", "kode_kelurahan")
# A look-up decodes one row group: 0.29 ms of CPU at 1,024 rows, 0.52 ms at 4,096 (3 M keys).  Each process
# keeps the file's footer (a few hundred bytes per group), so a province's file keeps to ~16,000 groups.
_STATUS_ROW_GROUP = 1024
_STATUS_GROUPS_MAX = 16_384


def status_row_group(people: int) -> int:
    """Rows per row group of a status file of ``people`` rows.

    >>> status_row_group(3_000_000), status_row_group(50_000_000)
    (1024, 3052)
    """
    return max(_STATUS_ROW_GROUP, -(-int(people) // _STATUS_GROUPS_MAX))


def office_of(code: str | None, cache: dict[str, str] | None = None) -> str:
    """The kelurahan office a citizen should contact ("Kelurahan X"), or "" when unknown."""
    cache = {} if cache is None else cache
    if not code:
        return ""
    if code not in cache:
        found = regions().get(code)
        cache[code] = f"Kelurahan {found.name}" if found is not None and len(code) == 10 else ""
    return cache[code]


def status_file_name(decisions_path: str) -> Path:
    """The status file beside a run's decisions file (named with the key's fingerprint: a new key, a
    new file)."""
    return (Path(settings.DATA_DIR) / decisions_path).parent / f"status-{fingerprint()}.parquet"


def status_file(run: TargetingRun) -> Path:
    return status_file_name(run.decisions_path)


def status_file_sql(run: TargetingRun) -> str:
    """Engine SQL: one row per person of ``run`` with a NIK and KK number -- keyed hash, decision,
    reasons (ineligible only), kelurahan -- sorted by the key.  Set-based: no Python per person."""
    from sigap.programmes.selectors import decisions_relation

    # the KK number comes with the one join of the registry that renders the reasons (a second join of
    # 50 M people for it was most of a province's approval)
    return (
        f"SELECT {lookup_sql('d.nik', 'd.no_kk')} AS lookup, d.decision AS status,"  # noqa: S608 -- fixed text
        f" CASE WHEN d.decision = '{INELIGIBLE}' THEN left(coalesce(d.reasons, ''), 500) ELSE '' END AS reasons,"
        " d.kode_kelurahan"
        f" FROM {decisions_relation(run, people_columns=('no_kk',))} AS d"
        f" WHERE d.decision IN ('{SELECTED}', '{WAITING}', '{INELIGIBLE}')"
        " AND d.nik IS NOT NULL AND d.no_kk IS NOT NULL AND d.no_kk <> ''"
        " ORDER BY lookup"
    )


def write_status_file(run: TargetingRun) -> int:
    """Write ``run``'s status file (temporary name, then renamed into place); returns its rows.
    Written once per run and key: the file of an approved run never changes."""
    from sigap.engine import default_engine

    target = status_file(run)
    if target.is_file():
        return -1
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".tmp-{uuid.uuid4().hex}.parquet")
    try:
        with default_engine() as engine, kept_fresh(tmp):  # inside the approving request
            rows = engine.copy_to_parquet(
                status_file_sql(run), tmp, row_group_size=status_row_group(run.people)
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return rows


def member_status_rows(programme: Programme) -> list[tuple[Any, ...]]:
    """``STATUS_COLUMNS`` rows of the programme's members (member-sized: a few tens of thousands).

    Read whole before the rows are written: on PostgreSQL the write is a ``COPY`` on the same
    connection, which cannot run while a server-side cursor (``.iterator()``) is still open on it."""
    key = hasher()
    offices: dict[str, str] = {}
    name = programme.name
    members = list(
        Member.objects.filter(programme=programme)
        .exclude(no_kk="")
        .values_list("pk", "nik", "no_kk", "kode_kelurahan")
    )
    return [
        (key(nik, kk), programme.pk, name, CitizenStatus.SELECTED, "", office_of(kelurahan, offices), pk)
        for pk, nik, kk, kelurahan in members
    ]


def citizen_status_refresh(*, programme: Programme, run: TargetingRun | None = None) -> int:
    """Rebuild what the public status check answers for ``programme``: the members' rows (their live
    state is joined at look-up time) and the status file of the list in force.  Returns the number of
    people the check can answer for.  Runs inside the approving transaction: the answers switch when
    the approval commits, never because someone made or returned a draft."""
    run = run if run is not None else list_in_force(programme)
    people = 0
    if run is not None and run.decisions_file.is_file():
        written = write_status_file(run)
        people = written if written >= 0 else _file_rows(status_file(run))
    with transaction.atomic():
        CitizenStatus.objects.filter(programme=programme).delete()
        return people + _insert(CitizenStatus, STATUS_COLUMNS, member_status_rows(programme))


def answerable(programme: Programme, run: TargetingRun | None) -> int:
    """How many people the public check can answer for (members + the status file of the list in force)."""
    members = CitizenStatus.objects.filter(programme=programme).count()
    path = status_file(run) if run is not None else None
    return members + (_file_rows(path) if path is not None and path.is_file() else 0)


def _file_rows(path: Path) -> int:
    from sigap.engine import default_engine

    with default_engine() as engine:
        found = engine.fetch(f"SELECT count(*) FROM read_parquet({sql_string(str(path))})")  # noqa: S608
    return int(found[0][0])


# --------------------------------------------------------------------------- dashboard aggregates

_CELL_COUNTS = ("people", "eligible", "selected", "waiting", "members", "covered", "exited", "rejected")


def _bucket(code: str | None, region: str) -> str:
    return code if code and code.startswith(region) else OUTSIDE


def area_cells(
    programme: Programme, run: TargetingRun | None
) -> dict[tuple[str, int | None, str], dict[str, int]]:
    cells: dict[tuple[str, int | None, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(_CELL_COUNTS, 0)
    )
    region = programme.region
    if run is not None and run.decisions_file.is_file():
        grouped = _decisions(
            run,
            "kode_kelurahan, desil, coalesce(pekerjaan, ''), count(*), "
            f"count(*) FILTER (WHERE decision = '{SELECTED}'), count(*) FILTER (WHERE decision = '{WAITING}')",
            # in the order of the table's (programme, kode_kelurahan) index: the cells are then written
            # to it in order (in hash order, a province's million cells inserted at random places
            # thrashed SQLite's page cache and spread PostgreSQL's index inserts)
            "GROUP BY ALL ORDER BY ALL",
        )
        for kelurahan, desil, pekerjaan, people, selected, waiting in grouped:
            cell = cells[(_bucket(kelurahan, region), desil, pekerjaan[:100])]
            cell["people"] += int(people)
            cell["selected"] += int(selected)
            cell["waiting"] += int(waiting)
            # + every member below: eligible = whoever the list in force took (still there or not) or waits
            cell["eligible"] += int(waiting)
    member_counts = (
        Member.objects.filter(programme=programme)
        .values_list("kode_kelurahan", "desil", "pekerjaan", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kelurahan, desil, pekerjaan, state, n in member_counts:
        cell = cells[(_bucket(kelurahan, region), desil, pekerjaan[:100])]
        cell["eligible"] += n
        # covered / pending (members = both) / exited / rejected: defined once in enrolment.figures
        figure = FIGURE_OF_STATE[state]
        if figure in (EXITED, REJECTED):
            cell[figure] += n
        else:
            cell["members"] += n
            if figure == COVERED:
                cell["covered"] += n
    return cells


def month_figures(programme: Programme, *, on: dt.date, committed: dict[str, int]) -> list[dict[str, Any]]:
    from sigap.billing.models import Invoice, PaymentAllocation
    from sigap.billing.selectors import ISSUED_STATES

    year = programme.fiscal_year
    months = list(Month(year, 1).through(Month(year, 12)))
    delta: dict[Month, int] = defaultdict(int)  # a running sum over month boundaries, not a scan per month
    grouped = (
        CoveragePeriod.objects.filter(member__programme=programme)
        .values_list("start_month", "end_month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for start, end, n in grouped:
        delta[Month.of(start)] += n
        if end is not None:
            delta[Month.of(end) + 1] -= n
    running = sum(n for m, n in delta.items() if m < months[0])
    invoices = Invoice.objects.filter(
        programme=programme,
        state__in=ISSUED_STATES,
        month__gte=months[0].first_day(),
        month__lte=months[-1].first_day(),
    )
    invoiced = {
        Month.of(m): int(total or 0)
        for m, total in invoices.values("month").annotate(t=Sum("total")).values_list("month", "t")
    }
    paid = {
        Month.of(m): int(total or 0)
        for m, total in PaymentAllocation.objects.filter(invoice__in=invoices, payment__sp2d_date__lte=on)
        .values("invoice__month")
        .annotate(t=Sum("amount"))
        .values_list("invoice__month", "t")
    }
    out = []
    for month in months:
        running += delta.get(month, 0)
        out.append(
            {
                "month": month.first_day(),
                "covered": running,
                "invoiced": invoiced.get(month, 0),
                "paid": paid.get(month, 0),
                "committed": int(committed.get(str(month), 0)),
            }
        )
    return out


def dashboard_refresh(
    *, programme: Programme, on: dt.date | None = None, run: TargetingRun | None = None
) -> None:
    """Rebuild the dashboard aggregates of ``programme`` (realisation computed for ``on``, default today)."""
    from sigap.billing.selectors import realisation

    on = on or timezone.localdate()
    run = run if run is not None else list_in_force(programme)
    cells = area_cells(programme, run)
    estimate = estimate_of(programme)
    target = members_for_share(estimate, RPJMN_TARGET_BP) if estimate else None
    real = realisation(programme=programme, on=on, target=target).as_dict()
    months = month_figures(programme, on=on, committed=real["monthly_committed"])  # type: ignore[arg-type]
    totals = {name: sum(c[name] for c in cells.values()) for name in _CELL_COUNTS}
    totals["estimate"] = estimate or 0
    totals["rpjmn_target_members"] = target or 0
    with transaction.atomic():
        AreaCell.objects.filter(programme=programme).delete()
        MonthFigure.objects.filter(programme=programme).delete()
        _insert(
            AreaCell,
            ("programme_id", "kode_kelurahan", "desil", "pekerjaan", *_CELL_COUNTS),
            (
                (programme.pk, kelurahan, desil, pekerjaan, *(c[name] for name in _CELL_COUNTS))
                for (kelurahan, desil, pekerjaan), c in cells.items()
            ),
        )
        MonthFigure.objects.bulk_create([MonthFigure(programme=programme, **m) for m in months])
        ProgrammeFigures.objects.update_or_create(
            programme=programme,
            defaults={
                "run": run,
                "computed_on": on,
                "computed_at": timezone.now(),
                "statuses": answerable(programme, run),
                "realisation": real,
                "totals": totals,
            },
        )


def programme_refresh(*, programme: Programme, on: dt.date | None = None) -> None:
    """Both read models of ``programme``, now (the stand-alone refresh)."""
    run = list_in_force(programme)
    citizen_status_refresh(programme=programme, run=run)
    dashboard_refresh(programme=programme, on=on, run=run)


def dashboard_after_commit(programme: Programme) -> None:
    """Rebuild the dashboard aggregates once the current transaction commits (a failure is logged and
    leaves the previous aggregates: the change itself is already committed)."""
    transaction.on_commit(lambda: dashboard_refresh(programme=programme), robust=True)


def members_added(programme_ids: Iterable[int]) -> None:
    """Hook for approvals (a list comes into force): the citizen answers now, inside the approving
    transaction (they switch when it commits); the dashboard after commit."""
    for programme in Programme.objects.filter(pk__in=sorted(set(programme_ids))):
        citizen_status_refresh(programme=programme)
        dashboard_after_commit(programme)


def on_members_changed(*, programme_ids: Iterable[int], added: bool = False, **_: Any) -> None:
    """Receiver of :data:`sigap.events.members_changed`."""
    (members_added if added else members_updated)(programme_ids)


def on_money_changed(*, programme: Programme, **_: Any) -> None:
    """Receiver of :data:`sigap.events.money_changed`."""
    dashboard_after_commit(programme)


def members_updated(programme_ids: Iterable[int]) -> None:
    """Hook for BPJS TK answers and exits: citizen rows join the members' state live, so only the
    dashboard is rebuilt (after commit)."""
    for programme in Programme.objects.filter(pk__in=sorted(set(programme_ids))):
        dashboard_after_commit(programme)


@transaction.atomic
def status_refresh(
    *, programme: Programme, on: dt.date | None = None, acting_user: Actor = None
) -> ProgrammeFigures:
    """Stand-alone refresh of ``programme``'s read models (e.g. after changing ``SIGAP_STATUS_KEY``)."""
    programme_refresh(programme=programme, on=on)
    figures = ProgrammeFigures.objects.get(programme=programme)
    audit_record(
        acting_user=acting_user,
        action="status.refresh",
        obj=programme,
        after={"statuses": figures.statuses, "on": figures.computed_on.isoformat(), **figures.totals},
    )
    return figures
