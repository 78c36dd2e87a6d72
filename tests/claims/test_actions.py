"""Claims actions: incident registration, checklist, submission, payment, uploads, scholarships."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sigap.accounts import roles
from sigap.audit.models import AuditEvent
from sigap.claims import actions
from sigap.claims.models import Claim, ClaimDocument, Incident, Scholarship
from sigap.claims.selectors import claim_counts, claims_paid_total, deadline_near, overdue
from sigap.enrolment.models import CoveragePeriod, Member, MemberExit
from sigap.errors import UserError

from .conftest import ADVANCE_AMOUNT, PDF, PNG, TODAY, World

pytestmark = pytest.mark.django_db


def _operator(world: World) -> Any:
    return world.users[roles.OPERATOR_KELURAHAN]


def _register(world: World, member: Member, **kw: Any) -> Incident:
    args: dict[str, Any] = {
        "member": member,
        "kind": "work_accident",
        "date": dt.date(2026, 3, 10),
        "place": "Pasar Baru",
        "today": TODAY,
        "acting_user": _operator(world),
    }
    args.update(kw)
    return actions.incident_register(**args)


def _tick_all(world: World, claim: Claim) -> None:
    for doc in claim.documents.all():
        actions.claim_document_mark(
            document=doc,
            received=True,
            received_on=dt.date(2026, 4, 1),
            today=TODAY,
            acting_user=_operator(world),
        )


def test_a_work_accident_opens_a_jkk_claim_with_checklist_and_deadline(
    world: World, members: dict[str, Any]
) -> None:
    incident = _register(world, members["A"])
    claim = incident.claims.get()
    assert claim.benefit == "jkk_medical" and claim.state == Claim.DRAFT
    assert claim.deadline == dt.date(2031, 3, 9)  # the day before the 5th anniversary
    assert claim.expected_amount is None  # medical care as needed
    assert list(claim.documents.values_list("code", flat=True)) == [
        "kartu_bpjs",
        "ektp_peserta",
        "kk",
        "kronologi",
        "keterangan_dokter",
        "buku_tabungan",
    ]
    assert incident.kode_kelurahan == members["A"].kode_kelurahan
    assert AuditEvent.objects.filter(action="incident.register", object_id=str(incident.pk)).count() == 1
    assert AuditEvent.objects.filter(action="claim.open", object_id=str(claim.pk)).count() == 1
    members["A"].refresh_from_db()
    assert members["A"].state == Member.ACTIVE  # an accident does not end the membership
    with pytest.raises(UserError, match="sudah dicatat"):  # the form sent twice
        _register(world, members["A"])
    assert Incident.objects.count() == 1


def test_ticking_every_document_completes_the_claim_then_submit_and_pay(
    world: World, members: dict[str, Any]
) -> None:
    claim = _register(world, members["A"]).claims.get()
    first = claim.documents.first()
    assert first is not None
    actions.claim_document_mark(document=first, received=True, today=TODAY, acting_user=_operator(world))
    claim.refresh_from_db()
    assert claim.state == Claim.DRAFT
    with pytest.raises(UserError, match="Dokumen belum lengkap") as err:
        actions.claim_submit(claim=claim, submitted_on=TODAY, today=TODAY, acting_user=_operator(world))
    assert "Buku tabungan" in err.value.message and "Kartu peserta" not in err.value.message

    _tick_all(world, claim)
    claim.refresh_from_db()
    assert claim.state == Claim.COMPLETE
    # Unticking one goes back to draft; ticking again completes.
    doc = claim.documents.last()
    assert doc is not None
    actions.claim_document_mark(document=doc, received=False, today=TODAY, acting_user=_operator(world))
    claim.refresh_from_db()
    assert claim.state == Claim.DRAFT
    actions.claim_document_mark(document=doc, received=True, today=TODAY, acting_user=_operator(world))

    actions.claim_submit(
        claim=claim, submitted_on=dt.date(2026, 4, 2), today=TODAY, acting_user=_operator(world)
    )
    claim.refresh_from_db()
    assert (claim.state, claim.submitted_on) == (Claim.SUBMITTED, dt.date(2026, 4, 2))
    with pytest.raises(UserError, match="tidak dapat diubah"):
        actions.claim_document_mark(document=doc, received=False, today=TODAY, acting_user=_operator(world))

    with pytest.raises(UserError, match="sebelum tanggal pengajuan"):
        actions.claim_pay(
            claim=claim,
            amount=5_000_000,
            paid_on=dt.date(2026, 4, 1),
            reference="X",
            today=TODAY,
            acting_user=None,
        )
    with pytest.raises(UserError, match="rupiah bulat"):
        actions.claim_pay(claim=claim, amount=0, paid_on=TODAY, reference="X", today=TODAY, acting_user=None)
    actions.claim_pay(
        claim=claim,
        amount=7_250_000,
        paid_on=dt.date(2026, 5, 5),
        reference="BPJS-123",
        today=TODAY,
        acting_user=None,
    )
    claim.refresh_from_db()
    assert (claim.state, claim.paid_amount, claim.payment_reference) == (Claim.PAID, 7_250_000, "BPJS-123")
    assert claims_paid_total(world.programme, dt.date(2026, 5, 4)) == 0
    assert claims_paid_total(world.programme, dt.date(2026, 5, 5)) == 7_250_000
    with pytest.raises(UserError):
        actions.claim_reject(claim=claim, reason="x", rejected_on=TODAY, today=TODAY, acting_user=None)


def test_a_death_ends_the_membership_and_opens_jkm(world: World, members: dict[str, Any]) -> None:
    member = members["A"]
    incident = _register(world, member, kind="death", date=dt.date(2026, 6, 12), heir_relation="spouse")
    member.refresh_from_db()
    assert member.state == Member.EXITED
    assert member.exit.reason == MemberExit.DIED and member.exit.date == dt.date(2026, 6, 12)
    assert member.exit.source == "death_report"
    period = CoveragePeriod.objects.get(member=member)
    assert period.end_month == dt.date(2026, 6, 1) and period.end_reason == "died"
    claim = incident.claims.get()
    assert (claim.benefit, claim.expected_amount, claim.deadline) == ("jkm_death", 42_000_000, None)
    codes = set(claim.documents.values_list("code", flat=True))
    assert {"akta_kematian", "surat_ahli_waris", "buku_nikah"} <= codes and "npwp" not in codes
    # A member dies once.
    with pytest.raises(UserError, match="sudah dicatat"):
        _register(world, member, kind="work_death", date=dt.date(2026, 6, 12), heir_relation="child")


def test_a_work_death_needs_the_heir_and_pays_about_70_juta(world: World, members: dict[str, Any]) -> None:
    with pytest.raises(UserError, match="ahli waris"):
        _register(world, members["B"], kind="work_death")
    assert not Incident.objects.exists()  # nothing half-written: no incident, no exit
    members["B"].refresh_from_db()
    assert members["B"].state == Member.ACTIVE
    claim = _register(world, members["B"], kind="work_death", heir_relation="child").claims.get()
    assert claim.expected_amount == 70_000_000
    assert "npwp" in set(claim.documents.values_list("code", flat=True))  # above Rp50 juta


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2025, 12, 31), "sebelum perlindungan dimulai"),
        (TODAY + dt.timedelta(days=1), "tidak boleh setelah hari ini"),
    ],
)
def test_an_incident_outside_coverage_is_refused(
    world: World, members: dict[str, Any], day: dt.date, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        _register(world, members["A"], date=day)
    assert not Incident.objects.exists() and not Claim.objects.exists()


def test_an_incident_after_coverage_ended_is_refused(world: World, members: dict[str, Any]) -> None:
    from sigap.enrolment.exits import member_exit

    member_exit(member=members["A"], date=dt.date(2026, 4, 20), reason="moved", acting_user=None)
    with pytest.raises(UserError, match="setelah perlindungan berakhir"):
        _register(world, members["A"], date=dt.date(2026, 5, 2))
    _register(world, members["A"], date=dt.date(2026, 4, 2))  # still inside April


def test_a_member_never_accepted_cannot_claim(world: World, members: dict[str, Any]) -> None:
    CoveragePeriod.objects.filter(member=members["A"]).delete()
    with pytest.raises(UserError, match="belum pernah terlindungi"):
        _register(world, members["A"])


def test_submission_after_the_jkk_deadline_is_refused(world: World, members: dict[str, Any]) -> None:
    claim = _register(world, members["A"]).claims.get()
    _tick_all(world, claim)
    later = dt.date(2031, 3, 10)
    claim.refresh_from_db()
    assert overdue(Claim.objects.all(), on=later).get() == claim
    assert deadline_near(Claim.objects.all(), on=dt.date(2031, 1, 1)).get() == claim
    with pytest.raises(UserError, match="PP 82/2019 pasal 26"):
        actions.claim_submit(claim=claim, submitted_on=later, today=later, acting_user=None)
    actions.claim_submit(claim=claim, submitted_on=dt.date(2031, 3, 9), today=later, acting_user=None)


# --------------------------------------------------------------------------- uploads


def _doc(world: World, members: dict[str, Any]) -> ClaimDocument:
    claim = _register(world, members["A"]).claims.get()
    doc = claim.documents.get(code="kronologi")
    return doc


def test_a_pdf_is_stored_under_data_dir_and_ticks_the_item(
    world: World, members: dict[str, Any], data_dir: Path
) -> None:
    doc = _doc(world, members)
    upload = SimpleUploadedFile("kronologi saya.pdf", PDF, content_type="application/pdf")
    stored = actions.claim_document_attach(
        document=doc, upload=upload, today=TODAY, acting_user=_operator(world)
    )
    assert stored.received and stored.received_on == TODAY
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    path = data_dir / stored.file_path
    assert path.read_bytes() == PDF and path.parent == data_dir / "claims" / str(doc.claim_id)
    assert not list(path.parent.glob(".tmp-*"))
    assert AuditEvent.objects.filter(action="claim.attach", object_id=str(doc.claim_id)).count() == 1
    # A PNG disguised with a .pdf name is recognised by content.
    png = actions.claim_document_attach(
        document=doc, upload=SimpleUploadedFile("scan.pdf", PNG), today=TODAY, acting_user=None
    )
    assert png.content_type == "image/png" and png.file_path.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00 this is an exe", "bukan PDF, JPG atau PNG"),
        ("page.html", b"<html><script>alert(1)</script>", "bukan PDF, JPG atau PNG"),
        ("kosong.pdf", b"", "kosong"),
        ("besar.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "terlalu besar"),
    ],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored(
    world: World, members: dict[str, Any], data_dir: Path, name: str, content: bytes, message: str
) -> None:
    doc = _doc(world, members)
    before = AuditEvent.objects.count()
    with pytest.raises(UserError, match=message):
        actions.claim_document_attach(
            document=doc, upload=SimpleUploadedFile(name, content), today=TODAY, acting_user=None
        )
    doc.refresh_from_db()
    assert not doc.received and not doc.file_path
    folder = data_dir / "claims" / str(doc.claim_id)
    assert not folder.exists() or not any(folder.iterdir())
    assert AuditEvent.objects.count() == before


def test_a_failure_after_writing_leaves_no_file(
    world: World, members: dict[str, Any], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _doc(world, members)

    def broken(**kw: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "audit_record", broken)
    with pytest.raises(RuntimeError):
        actions.claim_document_attach(
            document=doc, upload=SimpleUploadedFile("a.pdf", PDF), today=TODAY, acting_user=None
        )
    doc.refresh_from_db()
    assert not doc.file_path and not doc.received
    assert not any((data_dir / "claims" / str(doc.claim_id)).iterdir())


# --------------------------------------------------------------------------- scholarships


def _scholarship(world: World, claim: Claim, name: str, **kw: Any) -> Scholarship:
    args: dict[str, Any] = {
        "claim": claim,
        "child_name": name,
        "child_birth_date": dt.date(2015, 1, 1),
        "level": "sd",
        "school_year": 2026,
        "today": TODAY,
        "acting_user": _operator(world),
    }
    args.update(kw)
    return actions.scholarship_add(**args)


def test_jkk_death_scholarships_for_at_most_two_children(world: World, members: dict[str, Any]) -> None:
    claim = _register(world, members["A"], kind="work_death", heir_relation="spouse").claims.get()
    first = _scholarship(world, claim, "  anak   pertama ")
    assert (first.child_name, first.amount) == ("ANAK PERTAMA", 1_500_000)
    _scholarship(world, claim, "ANAK PERTAMA", school_year=2025)  # claimed yearly
    second = _scholarship(world, claim, "Anak Kedua", level="pt", child_birth_date=dt.date(2006, 1, 1))
    assert second.amount == 12_000_000
    with pytest.raises(UserError, match="paling banyak untuk 2 anak"):
        _scholarship(world, claim, "Anak Ketiga")
    with pytest.raises(UserError, match="sudah diajukan"):
        _scholarship(world, claim, "Anak Pertama")
    with pytest.raises(UserError, match="di bawah 23 tahun"):
        _scholarship(world, claim, "Anak Kedua", child_birth_date=dt.date(2000, 1, 1), school_year=2025)
    actions.scholarship_decide(scholarship=first, paid=True, decided_on=TODAY, today=TODAY, acting_user=None)
    with pytest.raises(UserError, match="Alasan"):
        actions.scholarship_decide(
            scholarship=second, paid=False, decided_on=TODAY, today=TODAY, acting_user=None
        )
    assert claims_paid_total(world.programme, TODAY) == 1_500_000
    counts = claim_counts(world.programme, TODAY)
    assert counts.scholarships_paid == 1_500_000 and counts.paid_total == 1_500_000


def test_jkm_scholarship_needs_three_years_of_paid_premiums(world: World, members: dict[str, Any]) -> None:
    claim = _register(world, members["A"], kind="death", heir_relation="spouse").claims.get()
    with pytest.raises(UserError, match="minimal 3 tahun"):
        _scholarship(world, claim, "Anak")
    with pytest.raises(UserError, match="minimal 3 tahun"):
        _scholarship(world, claim, "Anak", declared_paid_months=35)
    assert not Scholarship.objects.exists()
    # BPJS TK reports 36 months (e.g. earlier self-paid premiums): the officer declares them, audited.
    granted = _scholarship(world, claim, "Anak", declared_paid_months=36)
    assert granted.amount == 1_500_000
    event = AuditEvent.objects.get(action="scholarship.add")
    assert (event.after["paid_months_sigap"], event.after["paid_months_declared"]) == (12, 36)


def test_claim_counts_for_the_dashboard(world: World, members: dict[str, Any]) -> None:
    accident = _register(world, members["A"]).claims.get()
    _register(world, members["B"], kind="death", heir_relation="child", date=dt.date(2026, 8, 1))
    _tick_all(world, accident)
    actions.claim_submit(claim=accident, submitted_on=dt.date(2026, 4, 2), today=TODAY, acting_user=None)
    actions.claim_pay(
        claim=accident,
        amount=3_000_000,
        paid_on=dt.date(2026, 5, 1),
        reference="R",
        today=TODAY,
        acting_user=None,
    )
    counts = claim_counts(world.programme, TODAY)
    assert counts.incidents == {"work_accident": 1, "death": 1}
    assert counts.claims == {"paid": 1, "draft": 1} and counts.claims_total == 2
    assert counts.paid_total == 3_000_000 and counts.premiums_paid == ADVANCE_AMOUNT
    assert (counts.overdue, counts.deadline_near) == (0, 0)
    early = claim_counts(world.programme, dt.date(2026, 4, 30))
    assert early.incidents == {"work_accident": 1} and early.paid_total == 0


def test_an_incident_in_months_that_ended_the_membership_is_refused(
    world: World, unpaid_members: dict[str, Any], clock: Any
) -> None:
    """ADR 0015: a day in the unpaid months that ended the membership is not covered, even when the APBD
    money for them arrives later; a month in arrears is covered while its window is open."""
    from sigap.billing.actions import invoice_issue, lapse_check, payment_record
    from sigap.core.money import Month

    programme = world.programme
    january = invoice_issue(programme=programme, month=Month(2026, 1))
    payment_record(
        programme=programme, sp2d_number="SP2D-01", sp2d_date=dt.date(2026, 1, 10), amount=january.total
    )
    for month in range(2, 6):
        invoice_issue(programme=programme, month=Month(2026, month))
    # 20 April: February..April in arrears, payable until 30 April: the accident is registered.
    clock(dt.date(2026, 4, 20))
    _register(world, unpaid_members["A"], date=dt.date(2026, 3, 10), today=dt.date(2026, 4, 20))
    # Reported on 20 November: the membership ended on 16 May (May's due date passed); not covered.
    clock(TODAY)
    with pytest.raises(UserError, match="kepesertaan berakhir 16 Mei 2026") as refused:
        _register(world, unpaid_members["B"], date=dt.date(2026, 3, 10))
    assert "setelah Januari 2026" in str(refused.value) and "30 April 2026" in str(refused.value)
    # The lapse check ends the membership; the APBD money for February..May comes on 1 June: still not.
    lapse_check(programme=programme, on=dt.date(2026, 5, 20))
    payment_record(
        programme=programme, sp2d_number="SP2D-LATE", sp2d_date=dt.date(2026, 6, 1), amount=4 * 33_600
    )
    decision = actions.member_coverage_on(unpaid_members["B"], dt.date(2026, 5, 20), today=TODAY)
    assert (decision.covered, decision.reason) == (False, "lapsed")
    with pytest.raises(UserError, match="tidak dibayar"):
        _register(world, unpaid_members["B"], date=dt.date(2026, 5, 20))
    assert Incident.objects.count() == 1
    # January was paid in time: covered.
    assert actions.member_coverage_on(unpaid_members["B"], dt.date(2026, 1, 20), today=TODAY).covered
