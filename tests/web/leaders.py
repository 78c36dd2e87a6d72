"""A programme a leader can look at: one member covered, one exited, one rejected by BPJS TK, one
on the waiting list, January invoiced and paid (Kota Bekasi, two kecamatan).  Built through the
actions, with the dashboard refreshed after each commit as in production."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.test import TestCase

from programmes.helpers import person, programme_document, write_people
from web.conftest import KEL_A, KEL_B

DAY = dt.date(2026, 4, 15)  # "today" of the scenario (payments up to this day)
NIK_COVERED = "3275014505800001"  # accepted from January: covered
NIK_REJECTED = "3275020101800002"  # rejected by BPJS TK
NIK_EXITED = "3275011212800005"  # accepted, then died in March: exited
NIK_WAITING = "3275010202800003"  # desil 4: waiting list
NIK_NOT_ELIGIBLE = "3275010303800004"  # desil 7
PASSWORD = "sandi-rahasia-1"


@dataclass
class Leaders:
    programme: Any
    run: Any
    users: dict[str, Any]


def build(data_dir: Path) -> Leaders:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.core.money import Month
    from sigap.enrolment.actions import batch_export, response_import, run_approve, run_submit
    from sigap.enrolment.exits import member_exit
    from sigap.enrolment.models import Member
    from sigap.programmes.actions import programme_apply, targeting_run

    write_people(
        data_dir,
        [
            person(NIK_COVERED, no_kk="3275011706900011", nama="SITI AMINAH", jenis_kelamin="P",
                   kode_kelurahan=KEL_A, desil=1, pekerjaan="PEDAGANG"),
            person(NIK_REJECTED, no_kk="3275011706900022", nama="BUDI SANTOSO", kode_kelurahan=KEL_B,
                   tanggal_lahir=dt.date(1980, 1, 1), desil=2, pekerjaan="BURUH HARIAN LEPAS"),
            person(NIK_EXITED, no_kk="3275011706900055", nama="JOKO SUSILO", kode_kelurahan=KEL_A,
                   tanggal_lahir=dt.date(1980, 12, 12), desil=1, pekerjaan="SOPIR"),
            person(NIK_WAITING, no_kk="3275011706900033", nama="SITI RAHAYU", kode_kelurahan=KEL_A,
                   tanggal_lahir=dt.date(1980, 2, 2), desil=4, pekerjaan="PEDAGANG"),
            person(NIK_NOT_ELIGIBLE, no_kk="3275011706900044", nama="AHMAD KAYA", kode_kelurahan=KEL_A,
                   tanggal_lahir=dt.date(1980, 3, 3), desil=7, pekerjaan="WIRASWASTA"),
        ],
    )  # fmt: skip
    users = {
        role: user_create(username=role, password=PASSWORD, role=role, area_code=area)
        for role, area in (
            (roles.ADMIN_DINAS, "3275"),
            (roles.KEPALA_DINAS, "3275"),
            (roles.PIMPINAN, "3275"),
            (roles.OPERATOR_KELURAHAN, KEL_A),
        )
    }
    admin = users[roles.ADMIN_DINAS]
    # Budget for exactly three people for twelve months (3 x Rp201.600).
    programme, _, _ = programme_apply(document=programme_document(budget=604_800), source_name="t.toml")
    run = targeting_run(programme=programme)
    assert (run.selected, run.waiting, run.ineligible) == (3, 1, 1)
    answer = data_dir / "jawaban.csv"
    answer.write_text(
        "NIK,KPJ,STATUS,ALASAN,TANGGAL_EFEKTIF\n"
        f"{NIK_COVERED},26000000001,DITERIMA,,2026-01-05\n"
        f"{NIK_EXITED},26000000005,DITERIMA,,2026-01-05\n"
        f"{NIK_REJECTED},,DITOLAK,NIK tidak padan,\n",
        encoding="utf-8",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):  # the dashboard follows every commit
        run_submit(run=run, acting_user=admin)
        run_approve(run=run, acting_user=users[roles.KEPALA_DINAS])
        batch = batch_export(programme=programme, acting_user=admin, today=dt.date(2025, 12, 10))
        response_import(batch=batch, path=answer, acting_user=admin, today=dt.date(2026, 1, 20))
        invoice = invoice_issue(programme=programme, month=Month(2026, 1), acting_user=admin)
        payment_record(
            programme=programme,
            sp2d_number="SP2D-2026-001",
            sp2d_date=dt.date(2026, 2, 10),
            amount=invoice.total,
            acting_user=admin,
        )
        member_exit(
            member=Member.objects.get(programme=programme, nik=NIK_EXITED),
            date=dt.date(2026, 3, 10),
            reason="died",
            acting_user=admin,
        )
    run.refresh_from_db()
    return Leaders(programme=programme, run=run, users=users)
