"""ADR 0015: coverage ends with the fiscal year (``sigap programme close``), a renewal continues it,
reinstatement after late APBD money (``sigap member reinstate``), a lapsed person selected again.

Each test reproduces a defect of the code before ADR 0015 (the command or the behaviour was missing)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db.models import Count

from factories import DAYS_OF_THE_YEAR, make_snapshot
from sigap.audit.models import AuditEvent
from sigap.billing.actions import invoice_issue, invoice_line_reverse, lapse_check, payment_record
from sigap.claims.actions import member_coverage_on
from sigap.cli import _register, cli
from sigap.core.money import Month
from sigap.engine import default_engine
from sigap.enrolment.actions import annex_write, batch_export, response_import, run_approve, run_submit
from sigap.enrolment.lifecycle import (
    budget_available,
    member_exit_by_nik,
    programme_close,
    programme_renew,
    replacement_run,
)
from sigap.enrolment.models import CoveragePeriod, Member, MemberExit, Reopening
from sigap.programmes.models import Programme
from sigap.programmes.selectors import decisions_relation

from .conftest import COST, answer_all, make_roster, snapshot_sql, write_response

pytestmark = pytest.mark.django_db
PREMIUM = 16_800
ACTIVE = 95  # the ``enrolled`` fixture: 100 approved, 5 rejected by BPJS TK


def sigap(*args: str) -> Any:
    return CliRunner().invoke(cli, [*args, "--json"])


def _pay_the_year_in_advance(programme: Programme, officer: Any) -> None:
    payment_record(
        programme=programme,
        sp2d_number="SP2D/2026/ADV",
        sp2d_date=dt.date(2026, 1, 10),
        amount=12 * ACTIVE * PREMIUM,
        months=12,
        exact=True,
        acting_user=officer,
    )


def _pay_month(programme: Programme, month: int, officer: Any, *, withheld: Member | None = None) -> None:
    invoice = invoice_issue(programme=programme, month=Month(2026, month), acting_user=officer)
    if withheld is not None:
        line = invoice.lines.get(member=withheld, kind="premium")
        invoice_line_reverse(line=line, reason="iuran ditahan", acting_user=officer)
        invoice.refresh_from_db()
    payment_record(
        programme=programme,
        sp2d_number=f"SP2D/{month:02d}",
        sp2d_date=dt.date(2026, month, 10),
        amount=invoice.total,
        invoices=[invoice.number],
        acting_user=officer,
    )


def _active(programme: Programme) -> list[Member]:
    return list(Member.objects.filter(programme=programme, state="active").order_by("rank", "nik"))


def _periods(member: Member) -> list[tuple[str, str | None, str]]:
    return [
        (str(Month.of(s)), str(Month.of(e)) if e else None, why)
        for s, e, why in CoveragePeriod.objects.filter(member=member)
        .order_by("start_month")
        .values_list("start_month", "end_month", "end_reason")
    ]


# --------------------------------------------------------------------------- year end


@pytest.mark.parametrize("day", DAYS_OF_THE_YEAR, ids=str)
def test_programme_close_ends_the_members_on_31_december(
    enrolled: Programme, officer: Any, clock: Any, day: dt.date
) -> None:
    _register()
    _pay_the_year_in_advance(enrolled, officer)
    withheld = _active(enrolled)[0]
    for month in range(9, 13):  # September..December withheld for one member: a lapse in December
        invoice = enrolled.invoices.get(month=dt.date(2026, month, 1))
        invoice_line_reverse(
            line=invoice.lines.get(member=withheld), reason="iuran ditahan", acting_user=officer
        )
    clock(day)
    out = sigap("programme", "close", "--programme", "SIGAP-2026", "--as", "petugas")
    if day < dt.date(2026, 12, 31):
        assert out.exit_code == 2, out.output
        assert "until 2026-12-31; it can be closed from that day" in json.loads(out.output)["error"]
        assert len(_active(enrolled)) == ACTIVE and not AuditEvent.objects.filter(action="programme.close")
        return
    assert out.exit_code == 0, out.output
    r = json.loads(out.output)
    assert (r["on"], r["ended_on"], r["lapsed"], r["ended"], r["carried"]) == (
        "2026-12-31",
        "2026-12-31",
        1,
        ACTIVE - 1,
        0,
    )
    withheld.refresh_from_db()
    assert (withheld.exit.reason, withheld.exit.date) == ("lapsed", dt.date(2026, 12, 16))
    ended = MemberExit.objects.filter(member__programme=enrolled, reason="fiscal_year_end")
    assert ended.count() == ACTIVE - 1
    assert {(e.date, e.source) for e in ended} == {(dt.date(2026, 12, 31), "programme_close")}
    assert ended.first().get_reason_display() == "berakhir: akhir tahun anggaran"  # type: ignore[union-attr]
    assert set(
        CoveragePeriod.objects.filter(member__exit__in=ended).values_list("end_month", "end_reason")
    ) == {(dt.date(2026, 12, 1), "fiscal_year_end")}
    states = dict(enrolled.members.values_list("state").annotate(n=Count("id")))
    assert states == {"exited": ACTIVE, "rejected": 5}
    assert AuditEvent.objects.filter(action="programme.close").count() == 1
    # Again: nothing more to end; a later lapse check has nobody left to check.
    again = json.loads(sigap("programme", "close", "--programme", "SIGAP-2026", "--on", "2027-01-05").output)
    assert (again["ended"], again["lapsed"]) == (0, 0)
    assert lapse_check(programme=enrolled, on=dt.date(2027, 3, 16)).checked == 0


def test_lapse_check_after_the_year_never_counts_next_years_months(enrolled: Programme, officer: Any) -> None:
    """The defect: without a renewal, ``sigap lapse check --on 2027-03-16`` ended every member for
    "unpaid" January..March 2027 (December unpaid too) while a 2027-01 invoice was refused."""
    _register()
    for month in range(1, 12):
        _pay_month(enrolled, month, officer)
    invoice_issue(programme=enrolled, month=Month(2026, 12), acting_user=officer)
    out = sigap("lapse", "check", "--programme", "SIGAP-2026", "--on", "2027-03-16", "--as", "petugas")
    assert out.exit_code == 0, out.output
    r = json.loads(out.output)
    assert (r["checked"], r["lapsed"]) == (ACTIVE, [])
    refused = sigap("invoice", "issue", "--programme", "SIGAP-2026", "--month", "2027-01")
    assert refused.exit_code == 2 and "di luar masa perlindungan program" in refused.output


def test_members_carried_into_a_renewal_are_not_ended(
    data_dir: Path, enrolled: Programme, officer: Any, head: Any
) -> None:
    _pay_the_year_in_advance(enrolled, officer)
    dead = _active(enrolled)[0]
    make_roster(data_dir, [(m.nik, m.kpj, "BPU", "AKTIF") for m in _active(enrolled)])
    make_snapshot(data_dir, sql=snapshot_sql(300, dead=(int(dead.nik[4:]),)))
    new, run = programme_renew(
        programme=enrolled, fiscal_year=2027, budget=150 * COST, acting_user=officer, export=False
    )
    run_submit(run=run, acting_user=officer)
    run_approve(run=run, acting_user=head)
    kept = set(Member.objects.filter(programme=new, state="active").values_list("nik", flat=True))
    assert len(kept) == ACTIVE - 1
    report = programme_close(programme=enrolled, on=dt.date(2026, 12, 31), acting_user=officer)
    assert (report.carried, len(report.ended), len(report.lapse["lapsed"])) == (ACTIVE - 1, 0, 0)
    assert set(m.nik for m in _active(enrolled)) == kept  # not ended in the old programme either
    assert not MemberExit.objects.filter(reason="fiscal_year_end").exists()
    assert set(
        CoveragePeriod.objects.filter(member__programme=enrolled, member__nik__in=kept).values_list(
            "end_month", "end_reason"
        )
    ) == {(dt.date(2026, 12, 1), "renewed in SIGAP-2027")}


def test_a_renewal_approved_after_the_close_still_carries_the_members_over(
    data_dir: Path, enrolled: Programme, officer: Any, head: Any, clock: Any
) -> None:
    """The APBD of the new year is approved late: the old programme is closed on 31 December first."""
    _pay_the_year_in_advance(enrolled, officer)
    old_kpj = {m.nik: m.kpj for m in _active(enrolled)}
    clock(dt.date(2026, 12, 31))
    assert (
        len(programme_close(programme=enrolled, on=dt.date(2026, 12, 31), acting_user=officer).ended)
        == ACTIVE
    )
    clock(dt.date(2027, 1, 8))
    make_roster(data_dir, [(nik, kpj, "BPU", "AKTIF") for nik, kpj in old_kpj.items()])
    make_snapshot(data_dir, sql=snapshot_sql(300))
    new, run = programme_renew(
        programme=enrolled, fiscal_year=2027, budget=150 * COST, acting_user=officer, export=False
    )
    run_submit(run=run, acting_user=officer)
    run_approve(run=run, acting_user=head)
    carried = Member.objects.filter(programme=new, state="active")
    assert {m.nik: m.kpj for m in carried} == old_kpj  # kept their KPJ: no new BPJS TK registration
    assert set(
        CoveragePeriod.objects.filter(member__programme=new).values_list("start_month", "end_month")
    ) == {(dt.date(2027, 1, 1), None)}
    assert MemberExit.objects.filter(member__programme=enrolled, reason="fiscal_year_end").count() == ACTIVE


# --------------------------------------------------------------------------- reinstatement


def test_reinstatement_after_the_apbd_money_came_late(enrolled: Programme, officer: Any, clock: Any) -> None:
    _register()
    _pay_month(enrolled, 1, officer)
    for month in range(2, 6):
        invoice_issue(programme=enrolled, month=Month(2026, month), acting_user=officer)
    assert len(lapse_check(programme=enrolled, on=dt.date(2026, 5, 20), acting_user=officer).lapsed) == ACTIVE
    # The APBD money for February..May is disbursed on 20 June: too late, nobody is revived.
    payment_record(
        programme=enrolled,
        sp2d_number="SP2D/LATE",
        sp2d_date=dt.date(2026, 6, 20),
        amount=4 * ACTIVE * PREMIUM,
        acting_user=officer,
    )
    assert lapse_check(programme=enrolled, on=dt.date(2026, 6, 21)).checked == 0
    member = Member.objects.filter(programme=enrolled, state="exited").order_by("rank").first()
    assert member is not None
    rejected = Member.objects.filter(programme=enrolled, state="rejected").first()
    assert rejected is not None
    clock(dt.date(2026, 7, 6))
    base = ["member", "reinstate", "--programme", "SIGAP-2026", "--reference", "BPJS TK KC Bekasi 123/2026"]
    note = ["--note", "SP2D Februari-Mei terlambat cair (dana APBD)", "--as", "petugas"]
    # Refused, nothing written: a rejection is not a lapse; the gap cannot be covered; not in the future.
    for args, message in (
        ([rejected.nik, "--accepted-on", "2026-07-03"], "only a membership that ended by lapse"),
        ([member.nik, "--accepted-on", "2026-07-03", "--start", "2026-05"], "must start after the lapsed"),
        ([member.nik, "--accepted-on", "2026-07-10"], "after today"),
        ([member.nik, "--accepted-on", "2026-07-03", "--start", "2027-01"], "outside the programme's months"),
    ):
        out = sigap(*base, *args, *note)
        assert out.exit_code == 2 and message in out.output, out.output
    assert not Reopening.objects.exists()

    out = sigap(*base, "--all-lapsed", "--accepted-on", "2026-07-03", *note)
    assert out.exit_code == 0, out.output
    r = json.loads(out.output)
    assert (r["reinstated"], r["start"], r["cost"]) == (ACTIVE, "2026-07", ACTIVE * 6 * PREMIUM)
    member.refresh_from_db()
    assert member.state == "active" and member.kpj and not MemberExit.objects.filter(member=member).exists()
    # The gap (June) shows between the lapsed period and the new one.
    assert _periods(member) == [("2026-01", "2026-05", "lapsed"), ("2026-07", None, "")]
    record = Reopening.objects.get(member=member)
    assert (record.kind, record.exit_reason, record.exit_date, record.reference) == (
        "reinstatement",
        "lapsed",
        dt.date(2026, 5, 16),
        "BPJS TK KC Bekasi 123/2026",
    )
    assert AuditEvent.objects.filter(action="member.reinstate").count() == ACTIVE
    event = AuditEvent.objects.get(action="member.reinstate", object_id=str(member.pk))
    assert event.after["gap"] == ["2026-06", "2026-06"] and event.before["exit"]["reason"] == "lapsed"
    assert MemberExit.objects.filter(member__programme=enrolled).count() == 5  # the rejected only
    # Claims: May (lapsed) and June (gap) are not covered; July is.
    today = dt.date(2026, 7, 6)
    assert member_coverage_on(member, dt.date(2026, 5, 10), today=today).reason == "lapsed"
    assert member_coverage_on(member, dt.date(2026, 6, 10), today=today).reason == "gap"
    assert member_coverage_on(member, dt.date(2026, 7, 6), today=today).covered
    # Billing: July bills the reinstated; paid on time, the old lapse is history, not a new one.
    for month in range(7, 13):
        _pay_month(enrolled, month, officer)
    assert enrolled.invoices.get(month=dt.date(2026, 7, 1)).line_count == ACTIVE
    assert lapse_check(programme=enrolled, on=dt.date(2026, 12, 31)).lapsed == []
    # Reinstated again? It is active: refused.
    out = sigap(*base, member.nik, "--accepted-on", "2026-07-03", *note)
    assert out.exit_code == 2 and "is active" in out.output


# --------------------------------------------------------------------------- selected again


def test_a_lapsed_person_may_be_selected_again_in_the_same_programme(
    data_dir: Path, tmp_path: Path, enrolled: Programme, officer: Any, head: Any, clock: Any
) -> None:
    first_list = enrolled.runs.get(kind="initial")
    lapsed, died = _active(enrolled)[:2]
    _pay_month(enrolled, 1, officer)
    for month in range(2, 6):
        _pay_month(enrolled, month, officer, withheld=lapsed)
    assert [r["nik"] for r in lapse_check(programme=enrolled, on=dt.date(2026, 5, 20)).lapsed] == [lapsed.nik]
    member_exit_by_nik(
        programme=enrolled, nik=died.nik, reason="died", date=dt.date(2026, 5, 2), acting_user=officer
    )
    make_snapshot(data_dir, sql=snapshot_sql(150))
    clock(dt.date(2026, 6, 20))
    run = replacement_run(programme=enrolled, start=Month(2026, 7), on=dt.date(2026, 6, 20), export=False)
    with default_engine() as engine:
        rows = engine.fetch(f"SELECT nik, decision, reasons FROM {decisions_relation(run)} AS d")
    decisions = {nik: (decision, reasons) for nik, decision, reasons in rows}
    assert decisions[lapsed.nik][0] == "selected"
    already = "already a member of SIGAP-2026"
    assert decisions[died.nik][0] == "ineligible" and already in decisions[died.nik][1]
    for nik in Member.objects.filter(programme=enrolled, state="rejected").values_list("nik", flat=True):
        assert already in decisions[nik][1]  # rejected by BPJS TK: the data must be fixed first

    run_submit(run=run, acting_user=officer)
    result = run_approve(run=run, acting_user=head)
    assert result.readmitted == [lapsed.nik] and result.skipped == []
    assert result.members == run.selected
    lapsed.refresh_from_db()
    assert (lapsed.state, lapsed.run_id) == ("approved", first_list.pk)  # the row of the first list
    assert Member.objects.filter(programme=enrolled, nik=lapsed.nik).count() == 1
    reopened = Reopening.objects.get(member=lapsed)
    assert (reopened.kind, reopened.run_id, reopened.exit_reason) == ("reselection", run.pk, "lapsed")
    assert not MemberExit.objects.filter(member=lapsed).exists()
    assert AuditEvent.objects.filter(action="member.reselect", object_id=str(lapsed.pk)).count() == 1
    # Waiting for BPJS TK at the replacement's cost (July..December), not the first list's.
    figures = budget_available(programme=enrolled, on=dt.date(2026, 6, 20))
    assert figures.pending == run.selected * 6 * PREMIUM
    # Both frozen lists still match their hash (the annexes print).
    assert annex_write(run=first_list, acting_user=officer)["pdf"].is_file()
    assert annex_write(run=run, acting_user=officer)["pdf"].is_file()

    batch = batch_export(
        programme=enrolled, acting_user=officer, coverage_start=Month(2026, 7), today=dt.date(2026, 6, 22)
    )
    assert lapsed.nik in set(batch.lines.values_list("member__nik", flat=True))
    answer = write_response(
        tmp_path, answer_all(batch, effective="2026-07-01", kpj_base=26_500_000_001), "b2.csv"
    )
    response_import(batch=batch, path=answer, acting_user=officer, today=dt.date(2026, 7, 3))
    lapsed.refresh_from_db()
    assert lapsed.state == "active"
    assert _periods(lapsed) == [("2026-01", "2026-05", "lapsed"), ("2026-07", None, "")]
