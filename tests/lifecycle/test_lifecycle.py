"""Exits from new data, replacement runs, several programmes per region, renewal (small programme)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from factories import make_programme, make_run, make_snapshot
from sigap.audit.models import AuditEvent
from sigap.billing.actions import invoice_issue
from sigap.billing.selectors import realisation
from sigap.cli import _register, cli
from sigap.core.money import Month
from sigap.enrolment.actions import batch_export, run_approve, run_submit
from sigap.enrolment.lifecycle import (
    budget_available,
    exits_detect,
    programme_renew,
    renewal_code,
    replacement_run,
)
from sigap.enrolment.models import CoveragePeriod, Member, MemberExit
from sigap.errors import UserError
from sigap.programmes.models import Programme, TargetingRun

from .conftest import COST, PLACES, make_roster, nik_of, snapshot_sql

pytestmark = pytest.mark.django_db


def _member_index(programme: Any, state: str = "active") -> list[int]:
    return sorted(
        int(n[4:])
        for n in Member.objects.filter(programme=programme, state=state).values_list("nik", flat=True)
    )


def _decisions(run: Any) -> dict[str, tuple[str, str]]:
    from sigap.programmes.selectors import decisions_relation

    rows = duckdb.sql(f"SELECT nik, decision, reasons FROM {decisions_relation(run)} AS d").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_exits_detect_dry_run_then_record(data_dir: Path, enrolled: Any, officer: Any) -> None:
    active = _member_index(enrolled)
    dead, moved, missing, old, formal = active[0], active[1], active[2], active[3], active[4]
    make_snapshot(
        data_dir, sql=snapshot_sql(120, dead=(dead,), moved=(moved,), missing=(missing,), old=(old,))
    )
    make_roster(
        data_dir,
        [
            (nik_of(formal), "11000000001", "PU", "AKTIF"),
            (nik_of(active[5]), "11000000002", "PU", "NONAKTIF"),
            (nik_of(active[6]), "26000000099", "BPU", "AKTIF"),
        ],
    )
    on = dt.date(2026, 5, 20)
    preview = exits_detect(programme=enrolled, on=on, acting_user=officer, dry_run=True)
    expected = {
        nik_of(dead): "died",
        nik_of(moved): "moved",
        nik_of(formal): "formal_job",
        nik_of(old): "aged_out",
        nik_of(missing): "missing",
    }
    assert {f.nik: f.reason for f in preview.findings} == expected
    assert preview.counts() == {"died": 1, "moved": 1, "aged_out": 1, "formal_job": 1, "missing": 1}
    assert (
        MemberExit.objects.filter(source__in=["snapshot", "roster"]).count() == 0
    )  # dry run records nothing

    report = exits_detect(programme=enrolled, on=on, acting_user=officer)
    assert report.counts() == preview.counts()
    exits = {
        e.member.nik: (e.reason, e.source, e.date) for e in MemberExit.objects.exclude(reason="rejected")
    }
    assert exits == {
        nik_of(dead): ("died", "snapshot", on),
        nik_of(moved): ("moved", "snapshot", on),
        nik_of(old): ("aged_out", "snapshot", on),
        nik_of(formal): ("formal_job", "roster", on),
    }
    # The missing member is reported, not exited; coverage of the exited closes in May.
    assert Member.objects.get(programme=enrolled, nik=nik_of(missing)).state == "active"
    assert set(
        CoveragePeriod.objects.filter(member__nik__in=list(exits)).values_list("end_month", flat=True)
    ) == {dt.date(2026, 5, 1)}
    assert AuditEvent.objects.filter(action="exits.detect").count() == 1
    assert AuditEvent.objects.filter(action="member.exit", after__source="snapshot").count() == 3
    # Running again finds only the missing member: exits are recorded once.
    again = exits_detect(programme=enrolled, on=on, acting_user=officer)
    assert again.counts()["missing"] == 1 and len(again.exits) == 0


def test_member_exit_by_hand_through_the_cli(data_dir: Path, enrolled: Any, officer: Any) -> None:
    _register()
    nik = nik_of(_member_index(enrolled)[0])
    args = [
        "member",
        "exit",
        nik,
        "--programme",
        "SIGAP-2026",
        "--reason",
        "died",
        "--date",
        "2026-03-04",
        "--note",
        "akta kematian 123",
        "--as",
        "petugas",
        "--json",
    ]
    out = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) | {} == {
        "nik": nik,
        "programme": "SIGAP-2026",
        "state": "exited",
        "date": "2026-03-04",
        "reason": "died",
        "source": "death_report",
        "note": "akta kematian 123",
    }
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "hanya kepesertaan yang masih berjalan" in again.output
    unknown = CliRunner().invoke(
        cli,
        [
            "member",
            "exit",
            "3275000000009999",
            "--programme",
            "SIGAP-2026",
            "--reason",
            "moved",
            "--date",
            "2026-03-04",
            "--json",
        ],
    )
    assert unknown.exit_code == 2 and "bukan peserta program" in json.loads(unknown.output)["error"]


def test_replacement_fits_what_is_left_and_cannot_double_spend(
    data_dir: Path, enrolled: Any, officer: Any, head: Any
) -> None:
    for month in range(1, 6):
        invoice_issue(programme=enrolled, month=Month(2026, month), acting_user=officer)
    active = _member_index(enrolled)
    make_snapshot(data_dir, sql=snapshot_sql(120, dead=(active[0], active[1])))
    on = dt.date(2026, 5, 20)
    exits_detect(programme=enrolled, on=on, acting_user=officer)
    # 5 rejected (never covered) + 2 dead from June: 5 x 201,600 + 2 x 7 x 16,800 left.
    figures = budget_available(programme=enrolled, on=on)
    assert figures.pending == 0 and figures.remaining == 5 * COST + 2 * 7 * 16_800 == 1_243_200
    real = realisation(programme=enrolled, on=on)
    assert real.adds_up() and real.remaining == figures.available

    run = replacement_run(programme=enrolled, start=Month(2026, 7), on=on, acting_user=officer, export=False)
    assert (run.kind, run.parent.programme_id, run.cost_per_person) == (
        "replacement",
        enrolled.pk,
        6 * 16_800,
    )
    assert run.budget == 1_243_200 and run.selected == 1_243_200 // 100_800 == 12
    # The replacement keeps the tie order of the list it fills places in (ADR 0014).
    assert (run.tie_break_seed, run.tie_break_seed_source) == (run.parent.tie_break_seed, "parent")
    decisions = _decisions(run)
    members = set(Member.objects.filter(programme=enrolled).values_list("nik", flat=True))
    assert all(
        decisions[n][0] == "ineligible" and "already a member of SIGAP-2026" in decisions[n][1]
        for n in members
    )
    selected = {n for n, (d, _) in decisions.items() if d == "selected"}
    assert not selected & members
    # A second proposal made from the same figure before the first is approved (other people).
    other_people = make_snapshot(data_dir, people=20, offset=10_000)
    second = replacement_run(
        programme=enrolled, start=Month(2026, 7), on=on, snapshot=other_people, export=False
    )
    assert second.selected == 12
    run_submit(run=run, acting_user=officer)
    result = run_approve(run=run, acting_user=head)
    assert result.members == 12 and Member.objects.filter(run=run, state="approved").count() == 12
    assert budget_available(programme=enrolled, on=on).available == 1_243_200 - 12 * 100_800
    run_submit(run=second, acting_user=officer)
    with pytest.raises(UserError, match="tidak lagi muat dalam anggaran"):
        run_approve(run=second, acting_user=head)
    assert Member.objects.filter(run=second).count() == 0  # nothing half-written
    batch = batch_export(programme=enrolled, acting_user=officer, coverage_start=Month(2026, 7), today=on)
    assert batch.member_count == 12
    with pytest.raises(UserError, match="kurang dari biaya satu pengganti"):
        replacement_run(programme=enrolled, start=Month(2026, 7), on=on, export=False)


def test_a_person_is_selected_by_one_apbd_programme_only(data_dir: Path, enrolled: Any) -> None:
    other = make_programme("RTRW-2026", budget=300 * COST)
    run = make_run(other, make_snapshot(data_dir, sql=snapshot_sql(120)))
    decisions = _decisions(run)
    open_members = Member.objects.filter(programme=enrolled, state="active").values_list("nik", flat=True)
    assert len(open_members) == PLACES - 5
    for nik in open_members:
        assert decisions[nik] == ("ineligible", "covered by programme SIGAP-2026 (2026-01..2026-12)")
    # The 5 rejected by BPJS TK are not covered: they can be selected by the other programme.
    rejected = Member.objects.filter(programme=enrolled, state="rejected").values_list("nik", flat=True)
    assert {decisions[n][0] for n in rejected} == {"selected"}
    # An APBN programme or another year does not conflict.
    later = make_programme("RTRW-2027", budget=300 * COST, coverage_start="2027-01")
    assert {d for d, _ in _decisions(make_run(later, run.snapshot)).values()} == {"selected"}


def test_renewal_keeps_eligible_members_first(
    data_dir: Path, tmp_path: Path, enrolled: Any, officer: Any, head: Any
) -> None:
    active = _member_index(enrolled)
    dead = active[0]
    roster = [
        (m.nik, m.kpj, "BPU", "AKTIF") for m in Member.objects.filter(programme=enrolled, state="active")
    ]
    make_roster(data_dir, roster)  # our own members appear as BPU: not "already insured" for a renewal
    make_snapshot(data_dir, sql=snapshot_sql(300, dead=(dead,)))
    assert renewal_code("SIGAP-2026", 2027, 2026) == "SIGAP-2027"
    budget = 150 * COST
    new, run = programme_renew(
        programme=enrolled, fiscal_year=2027, budget=budget, acting_user=officer, export=False
    )
    assert (new.code, new.fiscal_year, new.budget, new.coverage_start) == (
        "SIGAP-2027",
        2027,
        budget,
        "2027-01",
    )
    assert (run.kind, run.parent.programme.code, run.selected) == ("renewal", "SIGAP-2026", 150)
    decisions = _decisions(run)
    kept = [n for n, (d, r) in decisions.items() if d == "selected" and "continuing member" in r]
    assert len(kept) == PLACES - 5 - 1
    ranks = duckdb.sql(
        f"SELECT nik, rank FROM read_parquet('{run.decisions_file}') WHERE decision = 'selected'"
    ).fetchall()
    assert max(r for n, r in ranks if n in kept) < min(r for n, r in ranks if n not in kept)
    assert decisions[nik_of(dead)][0] == "ineligible"
    with pytest.raises(UserError, match="already renewed|already exists"):
        programme_renew(programme=enrolled, fiscal_year=2027, budget=budget, export=False)

    run_submit(run=run, acting_user=officer)
    result = run_approve(run=run, acting_user=head)
    assert result.members == 150
    old_kpj = dict(Member.objects.filter(programme=enrolled).values_list("nik", "kpj"))
    carried = Member.objects.filter(programme=new, state="active")
    assert carried.count() == len(kept) and all(m.kpj == old_kpj[m.nik] and m.kpj for m in carried)
    assert set(
        CoveragePeriod.objects.filter(member__programme=new).values_list("start_month", "end_month")
    ) == {(dt.date(2027, 1, 1), None)}
    # Old periods closed at December; the dead member exited on 31 December (reason from the rules).
    old_periods = CoveragePeriod.objects.filter(member__programme=enrolled)
    assert set(old_periods.values_list("end_month", flat=True)) == {dt.date(2026, 12, 1)}
    gone = MemberExit.objects.get(member__programme=enrolled, member__nik=nik_of(dead))
    assert (gone.reason, gone.date) == ("died", dt.date(2026, 12, 31))
    assert Member.objects.filter(programme=new, state="approved").count() == 150 - len(kept)
    batch = batch_export(programme=new, acting_user=officer, today=dt.date(2026, 12, 10))
    assert batch.member_count == 150 - len(kept)
    assert AuditEvent.objects.filter(action__in=["programme.renew", "renewal.carry_over"]).count() == 2
    assert Programme.objects.get(code="SIGAP-2026").members.filter(state="active").count() == len(kept)


def test_cli_replacement_and_renew(data_dir: Path, enrolled: Any, officer: Any, head: Any) -> None:
    _register()
    make_snapshot(data_dir, sql=snapshot_sql(150))
    out = CliRunner().invoke(
        cli,
        [
            "replacement",
            "run",
            "--programme",
            "SIGAP-2026",
            "--start",
            "2026-07",
            "--on",
            "2026-06-20",
            "--no-export",
            "--as",
            "petugas",
            "--json",
        ],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    r = json.loads(out.output)
    assert (r["kind"], r["cost_per_person"], r["budget"], r["selected"]) == (
        "replacement",
        100_800,
        5 * COST,
        10,
    )
    bad = CliRunner().invoke(
        cli,
        [
            "replacement",
            "run",
            "--programme",
            "SIGAP-2026",
            "--start",
            "2026-13",
            "--on",
            "2026-06-20",
            "--json",
        ],
    )
    assert bad.exit_code == 2 and "--start" in json.loads(bad.output)["error"]
    out = CliRunner().invoke(
        cli,
        [
            "programme",
            "renew",
            "--programme",
            "SIGAP-2026",
            "--fiscal-year",
            "2027",
            "--budget",
            "Rp20.160.000",
            "--no-export",
            "--as",
            "petugas",
            "--json",
        ],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    r = json.loads(out.output)
    assert (r["new_programme"], r["kind"], r["selected"], r["state"]) == (
        "SIGAP-2027",
        "renewal",
        100,
        "draft",
    )
    assert TargetingRun.objects.filter(kind="renewal").count() == 1
