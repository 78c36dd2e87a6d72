"""Exits & replacement page: detection (preview, then confirm), a replacement run, the lapse check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from programmes.helpers import person, write_people
from sigap.audit.models import AuditEvent
from sigap.enrolment.models import Member, MemberExit
from sigap.programmes.models import TargetingRun

from .conftest import BORN_A, KEL_A, KEL_B, NIK_A, NIK_B, NIK_WAIT

pytestmark = pytest.mark.django_db


def _newer_snapshot(data_dir: Path) -> Any:
    """The same people, NIK B now reported dead."""
    return write_people(
        data_dir,
        [
            person(NIK_A, nama="SITI AMINAH", jenis_kelamin="P", tanggal_lahir=BORN_A, kode_kelurahan=KEL_A),
            person(
                NIK_B,
                nama="BUDI SANTOSO",
                kode_kelurahan=KEL_B,
                tanggal_lahir=dt.date(1980, 1, 1),
                meninggal=True,
            ),
            person(
                NIK_WAIT, nama="SITI RAHAYU", desil=3, kode_kelurahan=KEL_A, tanggal_lahir=dt.date(1980, 2, 2)
            ),
        ],
    )


def test_detect_preview_confirm_then_replacement(
    enrolled: Any, login: Any, today: Any, data_dir: Path
) -> None:
    snapshot = _newer_snapshot(data_dir)
    admin = login(enrolled.users["admin_dinas"])
    url = reverse("web:exits", args=[enrolled.programme.pk])
    today.value = dt.date(2026, 3, 15)
    assert "Rp0" in admin.get(url).text  # nothing left for a replacement yet

    preview = admin.post(url, {"action": "preview", "on": "2026-03-15"})
    assert preview.status_code == 200
    report = preview.context["report"]
    assert report.dry_run and report.snapshot == snapshot.pk
    assert [(f.nik, f.reason) for f in report.findings] == [(NIK_B, "died")]
    assert "Meninggal dunia" in preview.text and "Konfirmasi: catat 1 peserta keluar" in preview.text
    assert not MemberExit.objects.exists()  # a preview records nothing
    assert AuditEvent.objects.filter(action="exits.preview").count() == 1

    confirmed = admin.post(url, {"action": "confirm", "on": "2026-03-15", "snapshot": str(snapshot.pk)})
    assert confirmed.status_code == 200 and "Peserta keluar dicatat" in confirmed.text
    exited = Member.objects.get(nik=NIK_B)
    assert (exited.state, exited.exit.reason, exited.exit.source) == (Member.EXITED, "died", "snapshot")
    assert Member.objects.get(nik=NIK_A).state == Member.ACTIVE
    # available for a replacement: April..December of the freed place, 9 x Rp16.800
    assert confirmed.context["available"].available == 9 * 16_800

    past = admin.post(url, {"action": "replacement", "start": "2026-02", "on": "2026-03-15"})
    assert past.status_code == 400 and "perlindungan tidak dapat dimulai di masa lalu" in past.text
    not_a_month = admin.post(url, {"action": "replacement", "start": "April", "on": "2026-03-15"})
    assert not_a_month.status_code == 400 and "TTTT-BB" in not_a_month.text
    assert TargetingRun.objects.count() == 1

    made = admin.post(url, {"action": "replacement", "start": "2026-04", "on": "2026-03-15"})
    assert made.status_code == 302 and made["Location"] == reverse("web:approvals")
    run = TargetingRun.objects.get(kind=TargetingRun.REPLACEMENT)
    assert (run.state, run.selected, run.parent_id) == (TargetingRun.DRAFT, 1, enrolled.run.pk)
    queue = admin.get(made["Location"])
    assert f"Penetapan pengganti #{run.pk} dibuat: 1 orang terpilih." in queue.text


def test_confirm_needs_the_previewed_snapshot(enrolled: Any, login: Any, today: Any) -> None:
    admin = login(enrolled.users["admin_dinas"])
    url = reverse("web:exits", args=[enrolled.programme.pk])
    response = admin.post(url, {"action": "confirm", "on": "2026-03-15", "snapshot": "999"})
    assert response.status_code == 400 and "ulangi pratinjau" in response.text
    missing_date = admin.post(url, {"action": "preview", "on": ""})
    assert missing_date.status_code == 400 and 'id="id_on_error"' in missing_date.text
    assert not MemberExit.objects.exists()


def test_lapse_check(enrolled: Any, login: Any, today: Any) -> None:
    """No premium paid since January: on 20 May both memberships have lapsed (April unpaid past the 15th)."""
    admin = login(enrolled.users["admin_dinas"])
    today.value = dt.date(2026, 5, 20)
    response = admin.post(
        reverse("web:exits", args=[enrolled.programme.pk]), {"action": "lapse", "on": "2026-05-20"}
    )
    assert response.status_code == 200
    assert "2 peserta aktif diperiksa per 20 Mei 2026; 2 berhenti" in response.text
    assert NIK_A in response.text and "Januari 2026" in response.text
    assert set(Member.objects.values_list("state", flat=True)) == {Member.EXITED}
    assert set(MemberExit.objects.values_list("reason", flat=True)) == {"lapsed"}
    again = admin.post(
        reverse("web:exits", args=[enrolled.programme.pk]), {"action": "lapse", "on": "2026-05-20"}
    )
    assert "0 peserta aktif diperiksa" in again.text


def test_confirm_records_what_the_preview_showed(
    enrolled: Any, login: Any, today: Any, data_dir: Path
) -> None:
    """A snapshot imported between preview and confirm does not change what is recorded."""
    from lifecycle.conftest import make_roster

    previewed = _newer_snapshot(data_dir)
    roster = make_roster(data_dir, [(NIK_A, "99000000001", "PU", "AKTIF")])  # NIK A now has a formal job
    admin = login(enrolled.users["admin_dinas"])
    url = reverse("web:exits", args=[enrolled.programme.pk])
    preview = admin.post(url, {"action": "preview", "on": "2026-03-15"})
    assert sorted((f.nik, f.reason) for f in preview.context["report"].findings) == [
        (NIK_A, "formal_job"),
        (NIK_B, "died"),
    ]
    assert f'name="roster" value="{roster.pk}"' in preview.text
    write_people(data_dir, [person(NIK_WAIT, kode_kelurahan=KEL_A)])  # newer: A and B missing
    make_roster(data_dir, [])  # newer roster without A
    confirmed = admin.post(
        url,
        {"action": "confirm", "on": "2026-03-15", "snapshot": str(previewed.pk), "roster": str(roster.pk)},
    )
    assert confirmed.status_code == 200
    assert dict(MemberExit.objects.values_list("member__nik", "reason")) == {
        NIK_A: "formal_job",
        NIK_B: "died",
    }
