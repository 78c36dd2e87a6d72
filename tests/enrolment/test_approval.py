"""Maker-checker approval, return with a reason, and the frozen list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from factories import make_programme, make_run, make_snapshot, make_user
from sigap.audit.models import AuditEvent
from sigap.enrolment.actions import list_sha256, run_approve, run_return, run_submit
from sigap.enrolment.lists import selected_people
from sigap.enrolment.models import Member
from sigap.errors import UserError
from sigap.programmes.models import TargetingRun

from .conftest import PLACES

pytestmark = pytest.mark.django_db


def test_submit_then_approve_freezes_the_list(run: Any, officer: Any, head: Any) -> None:
    assert run.state == TargetingRun.DRAFT and run.selected == PLACES
    run_submit(run=run, acting_user=officer)
    run.refresh_from_db()
    assert run.state == "submitted" and run.submitted_by == officer and run.submitted_at is not None
    result = run_approve(run=run, acting_user=head)
    run.refresh_from_db()
    assert run.state == "approved" and run.decided_by == head and result.members == PLACES
    members = list(Member.objects.filter(run=run).order_by("rank"))
    assert len(members) == PLACES and {m.state for m in members} == {"approved"}
    people = {p.nik: p for p in selected_people(run)}
    first = members[0]
    source = people[first.nik]
    assert (first.rank, first.nama, first.tanggal_lahir, first.kode_kelurahan, first.alamat, first.desil) == (
        source.rank,
        source.nama,
        source.tanggal_lahir,
        source.kode_kelurahan,
        source.alamat,
        source.desil,
    )
    expected = list_sha256((m.rank, m.nik, m.nama, m.tanggal_lahir) for m in members)
    assert run.list_sha256 == result.list_sha256 == expected and len(expected) == 64
    event = AuditEvent.objects.get(action="run.approve", object_id=str(run.pk))
    assert event.actor == head and event.after["members"] == PLACES and event.before == {"state": "submitted"}


def test_maker_cannot_check_and_a_named_user_is_needed(run: Any, officer: Any) -> None:
    run_submit(run=run, acting_user=officer)
    with pytest.raises(UserError, match="maker-checker"):
        run_approve(run=run, acting_user=officer)
    with pytest.raises(UserError, match="pengguna bernama"):
        run_approve(run=run, acting_user=None)
    with pytest.raises(UserError, match="maker-checker"):
        run_return(run=run, acting_user=officer, reason="no")
    run.refresh_from_db()
    assert run.state == "submitted" and not Member.objects.exists()


def test_approve_needs_submission(run: Any, head: Any) -> None:
    with pytest.raises(UserError, match="ajukan dulu sebelum disetujui"):
        run_approve(run=run, acting_user=head)


def test_return_with_reason_then_resubmit(run: Any, officer: Any, head: Any) -> None:
    run_submit(run=run, acting_user=officer)
    with pytest.raises(UserError, match="perlu alasan"):
        run_return(run=run, acting_user=head, reason="  ")
    run_return(run=run, acting_user=head, reason="Kelurahan Jatimulya belum diverifikasi")
    run.refresh_from_db()
    assert run.state == "returned" and run.return_reason == "Kelurahan Jatimulya belum diverifikasi"
    assert AuditEvent.objects.get(action="run.return").note == run.return_reason
    with pytest.raises(UserError, match="ajukan dulu sebelum disetujui"):
        run_approve(run=run, acting_user=head)
    run_submit(run=run, acting_user=officer)
    assert run_approve(run=run, acting_user=head).members == PLACES


def test_approved_list_never_changes(approved: Any, officer: Any, head: Any) -> None:
    digest = approved.list_sha256
    other = make_user("sekdis")
    with pytest.raises(UserError, match="tidak pernah berubah"):
        run_approve(run=approved, acting_user=other)
    with pytest.raises(UserError, match="tidak pernah berubah"):
        run_submit(run=approved, acting_user=officer)
    with pytest.raises(UserError, match="tidak pernah berubah"):
        run_return(run=approved, acting_user=other, reason="ubah")
    approved.refresh_from_db()
    assert approved.state == "approved" and approved.list_sha256 == digest
    assert Member.objects.filter(run=approved).count() == PLACES


def test_same_list_gives_the_same_hash(data_dir: Path, officer: Any, head: Any) -> None:
    """Same people, same rules and the same tie-break seed (ADR 0014): the same list hash."""
    digests = []
    for code in ("A-2026", "B-2026"):
        programme = make_programme(code, budget=100 * 201_600, funding="APBN")
        run = make_run(programme, make_snapshot(data_dir, people=150), tie_break_seed="sk-2026-01")
        run_submit(run=run, acting_user=officer)
        digests.append(run_approve(run=run, acting_user=head).list_sha256)
    assert digests[0] == digests[1]


def test_a_second_initial_list_is_refused_up_front(approved: Any, snapshot: Any) -> None:
    """Once a list is approved, "run targeting again" is refused before anyone submits it, in Bahasa
    Indonesia, naming what to do instead."""
    with pytest.raises(UserError, match="sudah memiliki daftar yang disetujui") as refused:
        make_run(approved.programme, snapshot)
    assert "penggantian" in str(refused.value) and "perpanjangan" in str(refused.value)


def test_a_draft_made_before_another_approval_cannot_be_submitted_or_approved(
    run: Any, snapshot: Any, officer: Any, head: Any
) -> None:
    other = make_run(run.programme, snapshot)  # two drafts of the same programme
    run_submit(run=other, acting_user=officer)
    run_submit(run=run, acting_user=officer)
    run_approve(run=run, acting_user=head)
    with pytest.raises(UserError, match="sudah memiliki daftar yang disetujui"):
        run_approve(run=other, acting_user=head)


def test_person_covered_by_another_apbd_programme_is_skipped(
    data_dir: Path, run: Any, officer: Any, head: Any
) -> None:
    # A second city programme in the same year (another segment) over the same registry, targeted
    # before SIGAP-2026's list was approved (a run made afterwards already excludes those people).
    other = make_programme("RTRW-2026", budget=300 * 201_600)
    later_run = make_run(other, make_snapshot(data_dir, people=300))
    run_submit(run=run, acting_user=officer)
    approved = run_approve(run=run, acting_user=head).run
    run = later_run
    run_submit(run=run, acting_user=officer)
    result = run_approve(run=run, acting_user=head)
    assert result.members == 300 - PLACES and len(result.skipped) == PLACES
    assert {s.reason for s in result.skipped} == {"covered by programme SIGAP-2026 (2026-01..2026-12)"}
    first = Member.objects.filter(run=approved).values_list("nik", flat=True)
    assert {s.nik for s in result.skipped} == set(first)
    event = AuditEvent.objects.get(action="run.approve", object_id=str(run.pk))
    assert event.after["skipped"] == PLACES and "covered by programme SIGAP-2026" in event.note
    # Another year does not overlap: nobody is skipped.
    later = make_programme("SIGAP-2027", budget=300 * 201_600, coverage_start="2027-01")
    run = make_run(later, make_snapshot(data_dir, people=300))
    run_submit(run=run, acting_user=officer)
    assert run_approve(run=run, acting_user=head).skipped == []


def test_replacement_run_amends_the_programme(data_dir: Path, approved: Any, officer: Any, head: Any) -> None:
    # Room for 20 more (approving a replacement re-checks the budget: sigap.enrolment.lifecycle).
    make_programme("SIGAP-2026", budget=(PLACES + 20) * 201_600)
    fresh = make_snapshot(data_dir, people=20, offset=10_000)
    replacement = make_run(approved.programme, fresh, kind="replacement", parent=approved)
    run_submit(run=replacement, acting_user=officer)
    result = run_approve(run=replacement, acting_user=head)
    assert result.members == 20 and result.skipped == []
    assert Member.objects.filter(programme=approved.programme).count() == PLACES + 20
    orphan = make_run(approved.programme, fresh, kind="replacement")
    run_submit(run=orphan, acting_user=officer)
    with pytest.raises(UserError, match="harus mengubah daftar yang sudah disetujui"):
        run_approve(run=orphan, acting_user=head)
