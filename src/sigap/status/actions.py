"""Refresh the read models (citizen status, dashboard aggregates) of one programme.

Hooks called explicitly (no signals) by the actions that change what they show:

- ``run_created`` (``targeting_run``): every citizen row of the programme, inside the transaction;
- ``members_added`` (``run_approve``): the members' citizen rows, inside the transaction;
- ``members_updated`` (BPJS TK answers, exits): nothing to rewrite for citizens -- a member's state,
  first covered month and exit are joined live at lookup time;
- every hook and ``invoice_issue``/``payment_record`` rebuild the dashboard aggregates after commit
  (``dashboard_after_commit``), so an action never waits for or rolls back with them.

Hooks write no audit row of their own (the calling action's row records the change);
:func:`status_refresh` is the stand-alone, audited action (management command ``status_refresh``).
Rows are rebuilt by delete + bulk insert (``COPY`` on PostgreSQL); the newest run's decisions are
read once with DuckDB, members, periods and invoices with a few grouped queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
from django.db import connection, models, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from sigap.audit.actions import Actor, audit_record
from sigap.core.money import Month
from sigap.core.selection import INELIGIBLE, OUTSIDE, SELECTED, WAITING
from sigap.core.targets import RPJMN_TARGET_BP, members_for_share
from sigap.enrolment.models import CoveragePeriod, Member
from sigap.programmes.models import Programme, TargetingRun
from sigap.reference import regions
from sigap.status.keys import hasher
from sigap.status.models import AreaCell, CitizenStatus, MonthFigure, ProgrammeFigures

ESTIMATE_KEY = "estimated_vulnerable_workers"
_INSERT_CHUNK = 5000
_DELETE_CHUNK = 900  # values per ``IN`` (SQLite's historical limit)


def latest_run(programme: Programme) -> TargetingRun | None:
    return TargetingRun.objects.filter(programme=programme).select_related("snapshot").order_by("-id").first()


def estimate_of(programme: Programme) -> int | None:
    """The programme file's ``estimated_vulnerable_workers`` (top level or under [programme])."""
    spec = programme.spec or {}
    for section in (spec, spec.get("programme", {})):
        value = section.get(ESTIMATE_KEY) if isinstance(section, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert plain rows into ``model``'s table: ``COPY`` on PostgreSQL, ``executemany`` elsewhere."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 -- quoted names
        chunk: list[Sequence[Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= _INSERT_CHUNK:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _decisions(run: TargetingRun, select: str, tail: str = "") -> list[tuple[Any, ...]]:
    from sigap.programmes.selectors import decisions_relation

    sql = f"SELECT {select} FROM {decisions_relation(run)} AS d {tail}"  # noqa: S608 -- fixed text
    con = duckdb.connect(database=":memory:")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --------------------------------------------------------------------------- citizen status

STATUS_COLUMNS = ("lookup", "programme_id", "programme_name", "status", "reasons", "office", "member_id")


def _office(code: str | None, cache: dict[str, str]) -> str:
    if not code:
        return ""
    if code not in cache:
        found = regions().get(code)
        cache[code] = f"Kelurahan {found.name}" if found is not None and len(code) == 10 else ""
    return cache[code]


def status_rows(
    programme: Programme, run: TargetingRun | None, *, members_only: bool = False
) -> dict[str, tuple[Any, ...]]:
    """lookup key -> row (``STATUS_COLUMNS``) for everyone of the newest run and every member
    (``members_only``: the members alone)."""
    key = hasher()
    offices: dict[str, str] = {}
    rows: dict[str, tuple[Any, ...]] = {}
    name = programme.name
    if not members_only and run is not None and run.decisions_file.is_file():
        enrolled = run.state == TargetingRun.ENROLLED
        found = _decisions(
            run,
            "nik, tanggal_lahir, decision, reasons, kode_kelurahan",
            "WHERE tanggal_lahir IS NOT NULL AND nik IS NOT NULL",
        )
        for nik, born, decision, reasons, kelurahan in found:
            if decision == SELECTED:
                status = CitizenStatus.REGISTERED if enrolled else CitizenStatus.SELECTED
            elif decision == WAITING:
                status = CitizenStatus.WAITING
            elif decision == INELIGIBLE:
                status = CitizenStatus.INELIGIBLE
            else:
                continue
            lookup = key(nik, born)
            rows[lookup] = (
                lookup,
                programme.pk,
                name,
                status,
                (reasons or "")[:500] if status == CitizenStatus.INELIGIBLE else "",
                _office(kelurahan, offices),
                None,
            )
    # Members override the run's decision: they are on an approved list (maybe of an older run).  Their
    # state (registered since, ended) is read live through ``member_id`` at lookup time.
    members = Member.objects.filter(programme=programme).values_list(
        "pk", "nik", "tanggal_lahir", "kode_kelurahan"
    )
    for pk, nik, born, kelurahan in members.iterator(chunk_size=20_000):
        lookup = key(nik, born)
        rows[lookup] = (
            lookup,
            programme.pk,
            name,
            CitizenStatus.SELECTED,
            "",
            _office(kelurahan, offices),
            pk,
        )
    return rows


def citizen_status_refresh(
    *, programme: Programme, run: TargetingRun | None = None, members_only: bool = False
) -> int:
    """Rebuild the citizen-status rows of ``programme``; returns the number of rows written.

    ``members_only``: rewrite only the members' rows (after an approval the run's decisions are
    unchanged, so they are not read again).
    """
    run = run if run is not None else latest_run(programme)
    rows = status_rows(programme, run, members_only=members_only)
    with transaction.atomic():
        if members_only:
            keys = list(rows)
            for start in range(0, len(keys), _DELETE_CHUNK):
                CitizenStatus.objects.filter(
                    programme=programme, lookup__in=keys[start : start + _DELETE_CHUNK]
                ).delete()
        else:
            CitizenStatus.objects.filter(programme=programme).delete()
        return _insert(CitizenStatus, STATUS_COLUMNS, rows.values())


# --------------------------------------------------------------------------- dashboard aggregates

_CELL_COUNTS = ("people", "eligible", "selected", "waiting", "members", "covered", "exited")


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
            "GROUP BY ALL",
        )
        for kelurahan, desil, pekerjaan, people, selected, waiting in grouped:
            cell = cells[(_bucket(kelurahan, region), desil, pekerjaan[:100])]
            cell["people"] += int(people)
            cell["selected"] += int(selected)
            cell["waiting"] += int(waiting)
            cell["eligible"] += int(selected) + int(waiting)
    member_counts = (
        Member.objects.filter(programme=programme)
        .values_list("kode_kelurahan", "desil", "pekerjaan", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kelurahan, desil, pekerjaan, state, n in member_counts:
        cell = cells[(_bucket(kelurahan, region), desil, pekerjaan[:100])]
        if state in (Member.EXITED, Member.REJECTED):
            cell["exited"] += n
        else:
            cell["members"] += n
            if state == Member.ACTIVE:
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
    run = run if run is not None else latest_run(programme)
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
                "statuses": CitizenStatus.objects.filter(programme=programme).count(),
                "realisation": real,
                "totals": totals,
            },
        )


def programme_refresh(*, programme: Programme, on: dt.date | None = None) -> None:
    """Both read models of ``programme``, now (the stand-alone refresh)."""
    run = latest_run(programme)
    citizen_status_refresh(programme=programme, run=run)
    dashboard_refresh(programme=programme, on=on, run=run)


def dashboard_after_commit(programme: Programme) -> None:
    """Rebuild the dashboard aggregates once the current transaction commits (a failure is logged and
    leaves the previous aggregates: the change itself is already committed)."""
    transaction.on_commit(lambda: dashboard_refresh(programme=programme), robust=True)


def run_created(*, programme: Programme) -> None:
    """Hook for ``targeting_run``: every citizen row of the programme now, the dashboard after commit."""
    citizen_status_refresh(programme=programme)
    dashboard_after_commit(programme)


def members_added(programme_ids: Iterable[int]) -> None:
    """Hook for approvals (new members): their citizen rows now, inside the action's transaction; the
    dashboard after commit."""
    for programme in Programme.objects.filter(pk__in=sorted(set(programme_ids))):
        citizen_status_refresh(programme=programme, members_only=True)
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
