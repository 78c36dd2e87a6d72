"""Claims actions: register an incident, open claims, tick and attach documents, submit, record the
payment or the rejection, propose and decide scholarships.

Every action is keyword-only, atomic, takes ``acting_user`` and writes one audit row; ``today`` is
passed in (views pass the local date).  A refused action raises :class:`~sigap.errors.UserError`
with a message for the operator (Indonesian msgid, translated) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.billing.selectors import member_periods, paid_ledger
from sigap.claims.models import Claim, ClaimDocument, Incident, Scholarship
from sigap.core import attachments
from sigap.core import claims as rules
from sigap.core.coverage import Period
from sigap.core.money import Month, format_rupiah
from sigap.core.tariff import DEFAULT_INCOME_BRACKET
from sigap.enrolment.exits import member_exit
from sigap.enrolment.models import Member, MemberExit
from sigap.errors import UserError
from sigap.holidays.selectors import holiday_dates

MAX_UPLOAD_BYTES = attachments.MAX_BYTES  # accepted kinds and limit: sigap.core.attachments


class Upload(Protocol):
    """What an uploaded file offers (Django's ``UploadedFile`` or any test double)."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


def _date(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


def _month(month: Month) -> str:
    return formats.date_format(month.first_day(), "F Y")


def _not_future(day: dt.date | None, today: dt.date, what: str) -> dt.date:
    if day is None:
        raise UserError(_("%(what)s wajib diisi") % {"what": what})
    if day > today:
        raise UserError(
            _("%(what)s (%(day)s) tidak boleh setelah hari ini") % {"what": what, "day": _date(day)}
        )
    return day


def _wage(member: Member) -> int:
    bracket = (member.programme.spec or {}).get("tariff", {}).get("income_bracket", DEFAULT_INCOME_BRACKET)
    return int(bracket)


def member_coverage_periods(member: Member) -> list[Period]:
    """The member's coverage periods, cut to its programme's months (an open period ends in December
    of the fiscal year: ``sigap.billing.selectors.member_periods``)."""
    return member_periods([member.pk], programme=member.programme).get(member.pk, [])


def member_coverage_on(member: Member, day: dt.date, *, today: dt.date) -> rules.CoverageDecision:
    """Was ``member`` protected on ``day``, as known ``today``: its periods and its premiums paid in
    time (payments dated up to ``today``; ADR 0015)."""
    paid = paid_ledger(programme=member.programme, on=today, member=member).get(member.pk, {})
    return rules.coverage_on(
        day, periods=member_coverage_periods(member), paid=paid, today=today, holidays=holiday_dates()
    )


def coverage_refusal(decision: rules.CoverageDecision, day: dt.date) -> str:
    """Why a date is not covered, for the operator."""
    reason = decision.reason
    period = decision.period
    if reason is rules.CoverageReason.FUTURE:
        return _("Tanggal kejadian (%(day)s) tidak boleh setelah hari ini.") % {"day": _date(day)}
    if reason is rules.CoverageReason.NEVER_COVERED:
        return _(
            "Peserta belum pernah terlindungi: belum ada masa perlindungan dari BPJS TK, "
            "sehingga kejadian %(day)s tidak dapat diklaim."
        ) % {"day": _date(day)}
    assert period is not None
    if reason is rules.CoverageReason.BEFORE_START:
        return _(
            "Kejadian %(day)s terjadi sebelum perlindungan dimulai (%(start)s): tidak dapat diklaim."
        ) % {"day": _date(day), "start": _date(period.start.first_day())}
    end = _date(period.end.last_day()) if period.end else "-"
    if reason is rules.CoverageReason.LAPSED:
        assert decision.lapse is not None
        return _(
            "Kejadian %(day)s terjadi pada bulan yang iurannya tidak dibayar: perlindungan berhenti setelah "
            "%(last)s, tunggakan tidak dibayar sampai %(until)s dan kepesertaan berakhir %(lapsed)s. "
            "Tidak dapat diklaim."
        ) % {
            "day": _date(day),
            "last": _month(decision.lapse.last_paid),
            "until": _date(decision.lapse.arrears_payable_until),
            "lapsed": _date(decision.lapse.lapsed_on),
        }
    if reason is rules.CoverageReason.UNPAID:
        return _(
            "Kejadian %(day)s terjadi pada bulan yang iurannya tidak dibayar sampai batas pembayaran "
            "tunggakan (%(until)s): bulan itu tidak terlindungi. Tidak dapat diklaim."
        ) % {
            "day": _date(day),
            "until": _date(decision.arrears_payable_until) if decision.arrears_payable_until else "-",
        }
    if reason is rules.CoverageReason.GAP:
        return _(
            "Kejadian %(day)s terjadi saat peserta tidak terlindungi (perlindungan berakhir %(end)s "
            "dan belum dimulai lagi): tidak dapat diklaim."
        ) % {"day": _date(day), "end": end}
    return _("Kejadian %(day)s terjadi setelah perlindungan berakhir (%(end)s): tidak dapat diklaim.") % {
        "day": _date(day),
        "end": end,
    }


def _open_claim(
    *,
    incident: Incident,
    benefit: rules.BenefitKind,
    heir_relation: str,
    wage: int,
    acting_user: Actor,
) -> Claim:
    if benefit not in rules.BENEFITS_FOR[rules.IncidentKind(incident.kind)]:
        raise UserError(
            _("Manfaat %(benefit)s tidak berlaku untuk kejadian %(kind)s")
            % {"benefit": benefit.value, "kind": incident.get_kind_display()}
        )
    if Claim.objects.filter(incident=incident, benefit=benefit.value).exists():
        raise UserError(_("Klaim untuk manfaat ini sudah ada pada kejadian ini"))
    death = benefit in (rules.BenefitKind.JKM_DEATH, rules.BenefitKind.JKK_DEATH)
    heir = rules.HeirRelation(heir_relation) if heir_relation else None
    if death and heir is None:
        raise UserError(_("Pilih hubungan ahli waris dengan peserta (untuk daftar dokumen klaim kematian)"))
    try:
        rule = rules.benefit_rule(benefit, incident.date)
    except LookupError as e:
        raise UserError(
            _("Tidak ada aturan manfaat yang berlaku pada tanggal kejadian %(day)s")
            % {"day": _date(incident.date)}
        ) from e
    amount = rule.amount(wage)
    claim = Claim.objects.create(
        incident=incident,
        benefit=benefit.value,
        heir_relation=heir.value if heir else "",
        wage=wage,
        expected_amount=amount,
        rule_code=rule.code,
        deadline=rules.claim_deadline(benefit, incident.date),
        created_by=stored_user(acting_user),
    )
    ClaimDocument.objects.bulk_create(
        ClaimDocument(claim=claim, position=i, code=d.code, label=d.label, source=d.source)
        for i, d in enumerate(rules.required_documents(benefit, heir=heir, amount=amount), start=1)
    )
    audit_record(
        acting_user=acting_user,
        action="claim.open",
        obj=claim,
        after={
            "incident": incident.pk,
            "benefit": benefit.value,
            "rule": rule.code,
            "expected_amount": amount,
            "deadline": claim.deadline.isoformat() if claim.deadline else None,
        },
    )
    return claim


@transaction.atomic
def incident_register(
    *,
    member: Member,
    kind: str,
    date: dt.date | None,
    place: str,
    description: str = "",
    heir_relation: str = "",
    record_exit: bool = True,
    today: dt.date,
    acting_user: Actor,
) -> Incident:
    """Register a work accident or a death of ``member`` and open its first claim.

    Refused when the member was not protected on the incident date.  A death ends the membership
    (``member_exit`` with reason ``died``) unless ``record_exit`` is false or it already ended.
    """
    try:
        incident_kind = rules.IncidentKind(kind)
    except ValueError as e:
        raise UserError(_("Pilih jenis kejadian")) from e
    day = _not_future(date, today, _("Tanggal kejadian"))
    place = place.strip()
    if not place:
        raise UserError(_("Tempat kejadian wajib diisi"))
    member = Member.objects.select_for_update().select_related("programme").get(pk=member.pk)
    decision = member_coverage_on(member, day, today=today)
    if not decision.covered:
        raise UserError(coverage_refusal(decision, day))
    same = Incident.objects.filter(member=member, kind=incident_kind.value, date=day).first()
    if same is not None:  # a double submission of the form, or the same event reported twice
        raise UserError(
            _("Kejadian ini sudah dicatat untuk peserta ini (kejadian #%(id)s, %(day)s)")
            % {"id": same.pk, "day": _date(day)}
        )
    if incident_kind.is_death:
        earlier = Incident.objects.filter(
            member=member, kind__in=[k.value for k in rules.IncidentKind if k.is_death]
        )
        if earlier.exists():
            raise UserError(
                _("Kematian peserta ini sudah dicatat (kejadian #%(id)s)") % {"id": earlier[0].pk}
            )
    incident = Incident.objects.create(
        member=member,
        kind=incident_kind.value,
        date=day,
        place=place[:200],
        description=description.strip(),
        kode_kelurahan=member.kode_kelurahan,
        reported_by=stored_user(acting_user),
    )
    exited = False
    if incident_kind.is_death and record_exit and not MemberExit.objects.filter(member=member).exists():
        member_exit(
            member=member,
            date=day,
            reason=MemberExit.DIED,
            source="death_report",
            note=_("Kejadian #%(id)s") % {"id": incident.pk},
            acting_user=acting_user,
        )
        exited = True
    audit_record(
        acting_user=acting_user,
        action="incident.register",
        obj=incident,
        after={
            "member": member.pk,
            "kind": incident_kind.value,
            "date": day.isoformat(),
            "kelurahan": member.kode_kelurahan,
            "member_exit": exited,
        },
    )
    _open_claim(
        incident=incident,
        benefit=rules.BENEFITS_FOR[incident_kind][0],
        heir_relation=heir_relation,
        wage=_wage(member),
        acting_user=acting_user,
    )
    return incident


@transaction.atomic
def claim_open(*, incident: Incident, benefit: str, heir_relation: str = "", acting_user: Actor) -> Claim:
    """Open a further claim (another benefit) for an incident, e.g. STMB after medical care."""
    try:
        kind = rules.BenefitKind(benefit)
    except ValueError as e:
        raise UserError(_("Pilih jenis manfaat")) from e
    incident = Incident.objects.select_for_update().select_related("member__programme").get(pk=incident.pk)
    return _open_claim(
        incident=incident,
        benefit=kind,
        heir_relation=heir_relation,
        wage=_wage(incident.member),
        acting_user=acting_user,
    )


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("incident__member").get(pk=claim.pk)


def _refresh_state(claim: Claim) -> None:
    """Draft <-> documents complete, from the checklist (only before submission)."""
    if claim.state not in (Claim.DRAFT, Claim.COMPLETE):
        return
    missing = claim.documents.filter(required=True, received=False).exists()
    state = Claim.DRAFT if missing else Claim.COMPLETE
    if state != claim.state:
        claim.state = state
        claim.save(update_fields=["state"])


def _editable(claim: Claim) -> None:
    if claim.state not in (Claim.DRAFT, Claim.COMPLETE):
        raise UserError(
            _("Klaim sudah %(state)s: daftar dokumen tidak dapat diubah lagi")
            % {"state": claim.get_state_display()}
        )


@transaction.atomic
def claim_document_mark(
    *,
    document: ClaimDocument,
    received: bool,
    received_on: dt.date | None = None,
    today: dt.date,
    acting_user: Actor,
) -> ClaimDocument:
    """Tick (received, on a date) or untick one checklist item; the claim becomes complete or draft."""
    claim = _lock(document.claim)
    _editable(claim)
    document = ClaimDocument.objects.get(pk=document.pk, claim=claim)
    before = {"received": document.received, "received_on": str(document.received_on or "")}
    if received:
        day = _not_future(received_on or today, today, _("Tanggal diterima"))
        document.received, document.received_on = True, day
    else:
        document.received, document.received_on = False, None
    document.save(update_fields=["received", "received_on"])
    _refresh_state(claim)
    audit_record(
        acting_user=acting_user,
        action="claim.document",
        obj=claim,
        before=before,
        after={
            "document": document.code,
            "received": document.received,
            "received_on": str(document.received_on or ""),
            "state": claim.state,
        },
    )
    return document


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` from the first bytes of a file, or None if not PDF/PNG/JPEG."""
    content_type = attachments.sniff(head)
    if content_type is None:
        return None
    return content_type, attachments.KINDS[content_type][2].lstrip(".")


def _read_upload(upload: Upload) -> bytes:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise UserError(
            _("Berkas %(name)s terlalu besar (%(size)s KB): paling besar 5 MB")
            % {"name": upload.name, "size": upload.size // 1024}
        )
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > MAX_UPLOAD_BYTES:
            raise UserError(_("Berkas %(name)s terlalu besar: paling besar 5 MB") % {"name": upload.name})
    if not data:
        raise UserError(_("Berkas %(name)s kosong") % {"name": upload.name})
    return bytes(data)


@transaction.atomic
def claim_document_attach(
    *, document: ClaimDocument, upload: Upload, today: dt.date, acting_user: Actor
) -> ClaimDocument:
    """Store a scanned document (PDF/JPG/PNG, at most 5 MB, recognised by content) and tick the item.

    The file goes to ``DATA_DIR/claims/<claim>/`` under a name of our own; it is written to a
    temporary name first and renamed into place at the end of the transaction's work, so a refused
    or failed upload leaves neither a file nor a row.
    """
    claim = _lock(document.claim)
    _editable(claim)
    document = ClaimDocument.objects.get(pk=document.pk, claim=claim)
    data = _read_upload(upload)
    found = sniff(data[:16])
    if found is None:
        raise UserError(
            _("Berkas %(name)s bukan PDF, JPG atau PNG (isi berkas diperiksa, bukan namanya)")
            % {"name": upload.name}
        )
    content_type, ext = found
    # a scan with the wrong ending (a PNG called .pdf) is kept under the ending its content has
    digest = hashlib.sha256(data).hexdigest()
    directory = Path(settings.DATA_DIR) / "claims" / str(claim.pk)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{document.code}-{digest[:16]}.{ext}"
    tmp = directory / f".tmp-{uuid.uuid4().hex}"
    tmp.write_bytes(data)
    try:
        before = {"file": document.file_path, "sha256": document.sha256}
        document.file_path = str(final.relative_to(settings.DATA_DIR))
        document.file_name = os.path.basename(upload.name or "")[:200]
        document.content_type = content_type
        document.size = len(data)
        document.sha256 = digest
        if not document.received:
            document.received, document.received_on = True, today
        document.save()
        _refresh_state(claim)
        audit_record(
            acting_user=acting_user,
            action="claim.attach",
            obj=claim,
            before=before,
            after={
                "document": document.code,
                "file": document.file_path,
                "sha256": digest,
                "size": len(data),
            },
        )
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return document


@transaction.atomic
def claim_submit(*, claim: Claim, submitted_on: dt.date | None, today: dt.date, acting_user: Actor) -> Claim:
    """Record that the complete claim was submitted to BPJS TK on ``submitted_on``."""
    claim = _lock(claim)
    if claim.state == Claim.DRAFT:
        missing = [
            _(label)
            for label in claim.documents.filter(required=True, received=False).values_list("label", flat=True)
        ]
        raise UserError(
            _("Dokumen belum lengkap: %(missing)s") % {"missing": ", ".join(missing)}, details=missing
        )
    if claim.state != Claim.COMPLETE:
        raise UserError(_("Klaim sudah %(state)s") % {"state": claim.get_state_display()})
    day = _not_future(submitted_on, today, _("Tanggal pengajuan"))
    if day < claim.incident.date:
        raise UserError(_("Tanggal pengajuan tidak boleh sebelum tanggal kejadian"))
    if claim.deadline is not None and day > claim.deadline:
        raise UserError(
            _(
                "Hak klaim JKK gugur 5 tahun setelah kecelakaan (PP 82/2019 pasal 26): "
                "batas pengajuan %(deadline)s sudah lewat"
            )
            % {"deadline": _date(claim.deadline)}
        )
    claim.state, claim.submitted_on = Claim.SUBMITTED, day
    claim.save(update_fields=["state", "submitted_on"])
    audit_record(
        acting_user=acting_user,
        action="claim.submit",
        obj=claim,
        before={"state": Claim.COMPLETE},
        after={"state": claim.state, "submitted_on": day.isoformat()},
    )
    return claim


@transaction.atomic
def claim_pay(
    *,
    claim: Claim,
    amount: int | None,
    paid_on: dt.date | None,
    reference: str,
    today: dt.date,
    acting_user: Actor,
) -> Claim:
    """Record BPJS TK's payment to the family (amount in whole rupiah, date, reference)."""
    claim = _lock(claim)
    if claim.state != Claim.SUBMITTED:
        raise UserError(_("Hanya klaim yang sudah diajukan ke BPJS TK yang dapat dicatat dibayar"))
    if amount is None or isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise UserError(_("Jumlah dibayar harus rupiah bulat lebih dari 0"))
    day = _not_future(paid_on, today, _("Tanggal dibayar"))
    assert claim.submitted_on is not None
    if day < claim.submitted_on:
        raise UserError(
            _("Tanggal dibayar tidak boleh sebelum tanggal pengajuan (%(day)s)")
            % {"day": _date(claim.submitted_on)}
        )
    reference = reference.strip()
    if not reference:
        raise UserError(_("Referensi pembayaran wajib diisi"))
    claim.state, claim.paid_amount, claim.paid_on, claim.payment_reference = (
        Claim.PAID,
        amount,
        day,
        reference[:100],
    )
    claim.save(update_fields=["state", "paid_amount", "paid_on", "payment_reference"])
    audit_record(
        acting_user=acting_user,
        action="claim.pay",
        obj=claim,
        before={"state": Claim.SUBMITTED},
        after={
            "state": claim.state,
            "amount": amount,
            "paid_on": day.isoformat(),
            "reference": claim.payment_reference,
        },
    )
    return claim


@transaction.atomic
def claim_reject(
    *, claim: Claim, reason: str, rejected_on: dt.date | None, today: dt.date, acting_user: Actor
) -> Claim:
    """Record that BPJS TK rejected the submitted claim, with its reason."""
    claim = _lock(claim)
    if claim.state != Claim.SUBMITTED:
        raise UserError(_("Hanya klaim yang sudah diajukan ke BPJS TK yang dapat dicatat ditolak"))
    reason = reason.strip()
    if not reason:
        raise UserError(_("Alasan penolakan wajib diisi"))
    day = _not_future(rejected_on, today, _("Tanggal ditolak"))
    claim.state, claim.rejected_on, claim.rejection_reason = Claim.REJECTED, day, reason
    claim.save(update_fields=["state", "rejected_on", "rejection_reason"])
    audit_record(
        acting_user=acting_user,
        action="claim.reject",
        obj=claim,
        before={"state": Claim.SUBMITTED},
        after={"state": claim.state, "rejected_on": day.isoformat()},
        note=reason,
    )
    return claim


def paid_months(member: Member, *, on: dt.date) -> int:
    """Months of premium paid for this person (same NIK) across every programme, payments up to ``on``."""
    total = 0
    for m in Member.objects.filter(nik=member.nik).select_related("programme"):
        total += len(paid_ledger(programme=m.programme, on=on, member=m).get(m.pk, set()))
    return total


SCHOLARSHIP_REASONS = {
    rules.ScholarshipReason.BENEFIT: gettext_noop("Manfaat ini tidak disertai beasiswa"),
    rules.ScholarshipReason.PAID_MONTHS: gettext_noop(
        "JKM: beasiswa hanya setelah iuran dibayar minimal 3 tahun (36 bulan)"
    ),
    rules.ScholarshipReason.CHILD_LIMIT: gettext_noop("Beasiswa paling banyak untuk 2 anak"),
    rules.ScholarshipReason.AGE: gettext_noop("Anak harus berusia di bawah 23 tahun"),
    rules.ScholarshipReason.MARRIED: gettext_noop("Anak belum menikah"),
    rules.ScholarshipReason.WORKING: gettext_noop("Anak belum bekerja"),
    rules.ScholarshipReason.YEARS_USED: gettext_noop("Semua tahun beasiswa untuk jenjang ini sudah diklaim"),
}


@transaction.atomic
def scholarship_add(
    *,
    claim: Claim,
    child_name: str,
    child_birth_date: dt.date | None,
    level: str,
    school_year: int | None,
    married: bool = False,
    working: bool = False,
    declared_paid_months: int | None = None,
    today: dt.date,
    acting_user: Actor,
) -> Scholarship:
    """Propose one school year of scholarship for a child; refused with the rule's reasons.

    The paid-premium months are those SIGAP knows (every programme membership of the NIK); the
    officer may declare the count BPJS TK reports (e.g. earlier self-paid months): the larger counts.
    """
    claim = _lock(claim)
    if claim.state == Claim.REJECTED:
        raise UserError(_("Klaim ditolak: beasiswa tidak dapat diajukan"))
    name = " ".join(child_name.split()).upper()
    if not name:
        raise UserError(_("Nama anak wajib diisi"))
    born = _not_future(child_birth_date, today, _("Tanggal lahir anak"))
    try:
        school_level = rules.SchoolLevel(level)
    except ValueError as e:
        raise UserError(_("Pilih jenjang sekolah")) from e
    if school_year is None or not (claim.incident.date.year - 1 <= school_year <= today.year + 1):
        raise UserError(_("Tahun ajaran tidak masuk akal"))
    others = Scholarship.objects.filter(claim__incident=claim.incident).exclude(state=Scholarship.REJECTED)
    if others.filter(child_name=name, school_year=school_year).exists():
        raise UserError(
            _("Beasiswa %(name)s untuk tahun ajaran %(year)s sudah diajukan")
            % {"name": name, "year": school_year}
        )
    if declared_paid_months is not None and not 0 <= declared_paid_months <= 12 * 80:
        raise UserError(_("Masa iuran menurut BPJS TK tidak masuk akal"))
    known = paid_months(claim.incident.member, on=today)
    months = max(known, declared_paid_months or 0)
    decision = rules.scholarship_check(
        benefit=claim.benefit_kind,
        child=rules.Child(name, born, married=married, working=working),
        level=school_level,
        on=today,
        paid_months=months,
        other_children=others.exclude(child_name=name).values("child_name").distinct().count(),
        years_claimed=others.filter(child_name=name, level=school_level.value).count(),
    )
    if not decision.eligible:
        messages = [_(SCHOLARSHIP_REASONS[r]) for r in decision.reasons]
        raise UserError(
            _("Beasiswa tidak dapat diajukan: %(why)s") % {"why": "; ".join(messages)}, details=messages
        )
    scholarship = Scholarship.objects.create(
        claim=claim,
        child_name=name,
        child_birth_date=born,
        level=school_level.value,
        school_year=school_year,
        amount=decision.amount,
        created_by=stored_user(acting_user),
    )
    audit_record(
        acting_user=acting_user,
        action="scholarship.add",
        obj=scholarship,
        after={
            "claim": claim.pk,
            "level": school_level.value,
            "school_year": school_year,
            "amount": decision.amount,
            "paid_months_sigap": known,
            "paid_months_declared": declared_paid_months,
        },
        note=name,
    )
    return scholarship


@transaction.atomic
def scholarship_decide(
    *,
    scholarship: Scholarship,
    paid: bool,
    decided_on: dt.date | None,
    note: str = "",
    today: dt.date,
    acting_user: Actor,
) -> Scholarship:
    """Record that BPJS TK paid (or rejected) one proposed school year."""
    scholarship = Scholarship.objects.select_for_update().get(pk=scholarship.pk)
    if scholarship.state != Scholarship.PROPOSED:
        raise UserError(_("Beasiswa ini sudah %(state)s") % {"state": scholarship.get_state_display()})
    day = _not_future(decided_on, today, _("Tanggal keputusan"))
    if not paid and not note.strip():
        raise UserError(_("Alasan penolakan wajib diisi"))
    scholarship.state = Scholarship.PAID if paid else Scholarship.REJECTED
    scholarship.decided_on, scholarship.note = day, note.strip()
    scholarship.save(update_fields=["state", "decided_on", "note"])
    audit_record(
        acting_user=acting_user,
        action="scholarship.decide",
        obj=scholarship,
        before={"state": Scholarship.PROPOSED},
        after={"state": scholarship.state, "decided_on": day.isoformat(), "amount": scholarship.amount},
        note=scholarship.note,
    )
    return scholarship


def describe_amount(amount: int | None) -> str:
    return format_rupiah(amount) if amount is not None else _("sesuai kebutuhan medis / lama tidak bekerja")


__all__ = [
    "MAX_UPLOAD_BYTES",
    "claim_document_attach",
    "claim_document_mark",
    "claim_open",
    "claim_pay",
    "claim_reject",
    "claim_submit",
    "coverage_refusal",
    "incident_register",
    "member_coverage_on",
    "member_coverage_periods",
    "paid_months",
    "scholarship_add",
    "scholarship_decide",
    "sniff",
]
