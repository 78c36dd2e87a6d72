"""The demo's year of operation, so that every screen of ``make demo`` has something to show.

After the targeting run the demo plays the programme forward through the real actions (nothing is
written behind their back): the Admin Dinas submits the list and the Kepala Dinas approves it; the
enrolment batch goes to BPJS TK, whose answer (synthetic: KPJ numbers, a few rejections) comes back;
each month is invoiced and paid by SP2D (the current month is left outstanding); a death, a work
accident and a work-related death are reported with their claims in different states; the
kelurahan operator files data-update requests and grievances, one of them late and escalated.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

#: The demo programme's calendar: the list is sent on 2 January, BPJS TK answers on the 20th with
#: protection from 5 January.
SENT_ON = dt.date(2026, 1, 2)
ANSWERED_ON = dt.date(2026, 1, 20)
EFFECTIVE = dt.date(2026, 1, 5)
REJECT_EVERY = 150  # one line in 150 is rejected by BPJS TK ("NIK tidak ditemukan")


def _users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from sigap.accounts import roles

    names = {role: role.replace("_", ".") for role, _label in roles.ROLES}
    found = {u.username: u for u in get_user_model().objects.filter(username__in=names.values())}
    return {role: found[name] for role, name in names.items() if name in found}


def _write_answer(batch: Any, path: Path) -> Path:
    """BPJS TK's answer to ``batch`` as the CSV its collective-registration desk sends back."""
    niks = list(batch.lines.order_by("member__rank").values_list("member__nik", flat=True))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["NIK", "KPJ", "STATUS", "ALASAN", "TANGGAL_EFEKTIF"])
        for i, nik in enumerate(niks, start=1):
            if i % REJECT_EVERY == 0:
                writer.writerow([nik, "", "DITOLAK", "NIK tidak ditemukan di Dukcapil", ""])
            else:
                writer.writerow([nik, f"{26_000_000_000 + i}", "DITERIMA", "", EFFECTIVE.isoformat()])
    return path


def _incidents(programme: Any, kelurahan: str, admin: Any, month: Any, today: dt.date) -> int:
    """The month's reported incidents (March: a death; May: a work accident; July: a work death)."""
    from sigap.claims import actions as claims
    from sigap.claims.models import Claim
    from sigap.enrolment.models import Member

    plan = {3: "death", 5: "work_accident", 7: "work_death"}
    kind = plan.get(month.month)
    if kind is None:
        return 0
    member = (
        Member.objects.filter(programme=programme, state=Member.ACTIVE, kode_kelurahan=kelurahan)
        .order_by("rank")
        .exclude(incidents__isnull=False)
        .first()
    )
    if member is None:
        return 0
    day = dt.date(month.year, month.month, 12)
    if day + dt.timedelta(days=3) > today:  # reported after the day the year is played to
        return 0
    incident = claims.incident_register(
        member=member,
        kind=kind,
        date=day,
        place="Pasar Baru" if kind == "work_accident" else "Jalan raya",
        description="Data contoh demo SIGAP",
        heir_relation="" if kind == "work_accident" else "spouse",
        today=day + dt.timedelta(days=3),
        acting_user=admin,
    )
    claim = incident.claims.order_by("pk").first()
    if claim is None or kind == "work_death" or day + dt.timedelta(days=10) > today:
        return 1  # the work death's claim waits for documents; the others' come in 10 days
    for document in claim.documents.filter(required=True):
        claims.claim_document_mark(
            document=document,
            received=True,
            received_on=day + dt.timedelta(days=10),
            today=today,
            acting_user=admin,
        )
    claim.refresh_from_db()
    if claim.state == Claim.COMPLETE and day + dt.timedelta(days=14) <= today:
        claims.claim_submit(
            claim=claim, submitted_on=day + dt.timedelta(days=14), today=today, acting_user=admin
        )
        claim.refresh_from_db()
        if kind == "death" and day + dt.timedelta(days=30) <= today:
            claims.claim_pay(
                claim=claim,
                amount=42_000_000,  # JKM death benefit (DOMAIN.md section 3)
                paid_on=day + dt.timedelta(days=30),
                reference="BPJSTK-DEMO-JKM-001",
                today=today,
                acting_user=admin,
            )
    return 1


def _requests_and_grievances(run: Any, kelurahan: str, users: dict[str, Any]) -> dict[str, int]:
    """Three data-update requests at three stages and three grievances, one of them late."""
    from django.utils import timezone

    from sigap.accounts import roles
    from sigap.pengaduan import actions as grievances
    from sigap.programmes.selectors import decisions_relation
    from sigap.usulan import actions as usulan

    operator, kecamatan = users[roles.OPERATOR_KELURAHAN], users[roles.OPERATOR_KECAMATAN]
    admin = users[roles.ADMIN_DINAS]
    from sigap.engine import default_engine

    with default_engine() as engine:
        people = engine.fetch(
            f"SELECT nik, nama FROM {decisions_relation(run)} AS d "  # noqa: S608 -- generated text, value bound
            # people whose NIK was issued in the city first (the registry also holds people who moved
            # in with a NIK from elsewhere, whose NIKs sort first)
            "WHERE kode_kelurahan = ? AND decision <> 'selected' "
            "ORDER BY left(nik, 4) <> left(?, 4), nik LIMIT 3",
            [kelurahan, kelurahan],
        )
    made = {"usulan": 0, "grievances": 0}
    proposals: list[tuple[str, dict[str, Any], str]] = [
        ("desil", {"desil": 2}, "Rumah tangga kehilangan penghasilan sejak Juli."),
        ("pekerjaan", {"pekerjaan": "BURUH HARIAN LEPAS"}, "Bekerja sebagai buruh harian di pasar."),
        (
            "alamat",
            {"alamat": "JL. MELATI GG. 3", "rt": "003", "rw": "005"},
            "Pindah rumah di kelurahan yang sama.",
        ),
    ]
    for (nik, nama), (kind, proposed, note) in zip(people, proposals, strict=False):
        request = usulan.usulan_submit(
            kind=kind, kode_kelurahan=kelurahan, nik=nik, nama=nama or "", proposed=proposed, note=note,
            acting_user=operator,
        )  # fmt: skip
        if kind != "desil":
            request = usulan.usulan_verify(
                request=request, note="Sudah dicek ke rumah warga.", acting_user=kecamatan
            )
        if kind == "alamat":
            usulan.usulan_accept(
                request=request, note="Diterapkan pada pemutakhiran DTSEN berikut.", acting_user=admin
            )
        made["usulan"] += 1
    now = timezone.now()
    grievances.grievance_file(
        channel="citizen", category="sanggahan" if people else "lainnya", kode_kelurahan=kelurahan,
        now=now - dt.timedelta(days=30), nik=people[0][0] if people else "",
        text="Saya pengemudi ojol, desil 2, tetapi tidak terpilih sebagai peserta SIGAP.",
        contact_name="Warga (contoh)", contact_phone="0812-0000-0001", acting_user=None,
    )  # fmt: skip
    answered = grievances.grievance_file(
        channel="operator", category="layanan", kode_kelurahan=kelurahan, now=now - dt.timedelta(days=3),
        text="Warga belum menerima kartu peserta BPJS Ketenagakerjaan.", acting_user=operator,
    )  # fmt: skip
    grievances.grievance_answer(
        grievance=answered,
        answer="Kartu digital dapat diunduh di aplikasi JMO dengan NIK; kartu cetak dibagikan di kelurahan.",
        now=now,
        acting_user=admin,
    )
    grievances.grievance_file(
        channel="operator", category="klaim", kode_kelurahan=kelurahan, now=now,
        text="Ahli waris menanyakan jadwal pembayaran santunan JKM.", acting_user=operator,
    )  # fmt: skip
    grievances.grievances_escalate(now=now)
    made["grievances"] = 3
    return made


def demo_year(*, programme: Any, run: Any, kelurahan: str, demo_dir: Path, today: dt.date) -> dict[str, Any]:
    """Play the demo programme forward to ``today`` (at most to the end of its fiscal year)."""
    from sigap.accounts import roles
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.core.money import Month
    from sigap.enrolment.actions import batch_export, response_import, run_approve, run_submit
    from sigap.enrolment.models import Member

    if Member.objects.filter(programme=programme).exists():
        return {"skipped": "the programme already has members (the demo ran before)"}
    users = _users()
    admin, head = users[roles.ADMIN_DINAS], users[roles.KEPALA_DINAS]
    run_submit(run=run, acting_user=admin)
    approved = run_approve(run=run, acting_user=head)
    batch = batch_export(
        programme=programme, acting_user=admin, coverage_start=Month.of(EFFECTIVE), today=SENT_ON
    )
    answer = _write_answer(batch, demo_dir / f"jawaban-bpjstk-{batch.number.replace('/', '-')}.csv")
    answered = response_import(batch=batch, path=answer, acting_user=admin, today=ANSWERED_ON)

    last = min(Month.of(today), Month(programme.fiscal_year, 12))
    invoices = payments = incidents = 0
    for month in Month.of(EFFECTIVE).through(last):
        incidents += _incidents(programme, kelurahan, admin, month, today)
        invoice = invoice_issue(programme=programme, month=month, acting_user=admin)
        invoices += 1
        paid_on = dt.date(month.year, month.month, 10)
        if month < last and paid_on <= today:
            payment_record(
                programme=programme,
                sp2d_number=f"SP2D/DEMO/{month}",
                sp2d_date=paid_on,
                amount=invoice.total,
                invoices=[invoice.number],
                acting_user=admin,
            )
            payments += 1
    extra = _requests_and_grievances(run, kelurahan, users)
    replacement = _replacement(programme, admin, last, today)
    return {
        "members": approved.members,
        "batch": batch.number,
        "bpjs_accepted": answered.accepted,
        "bpjs_rejected": answered.rejected,
        "invoices": invoices,
        "payments": payments,
        "incidents": incidents,
        "replacement_run": replacement,
        **extra,
    }


def _replacement(programme: Any, admin: Any, last: Any, today: dt.date) -> int | None:
    """A replacement list for the places freed by deaths and BPJS TK's rejections, from the next
    month, submitted: it waits in the Kepala Dinas' approval queue.  None when nothing fits."""
    from sigap.core.money import Month
    from sigap.enrolment.actions import run_submit
    from sigap.enrolment.lifecycle import replacement_run
    from sigap.errors import UserError

    start = last + 1
    if start > Month(programme.fiscal_year, 12):
        return None
    try:
        run = replacement_run(programme=programme, start=start, on=today, acting_user=admin)
    except UserError:
        return None
    if run.selected == 0:
        return None
    run_submit(run=run, acting_user=admin)
    return int(run.pk)
