"""Cek status SIGAP: NIK + KK number, answers from the list in force only, no enumeration, rate
limits, CSRF."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.audit.models import AuditEvent

from .conftest import KK, KK_A, KK_B, NIK_A, NIK_B, NIK_POOR_FIT, NIK_WAIT, approve

pytestmark = pytest.mark.django_db
URL = "/cek-status/"


def _answer(client: Any, nik: str, kk: str | None = None, ip: str = "10.0.0.1") -> str:
    response = client.post(URL, {"nik": nik, "kk": kk or KK.get(nik, "3275010101990001")}, REMOTE_ADDR=ip)
    assert response.status_code == 200
    page = response.content.decode()
    return page.split('<section class="answer"')[1].split("</section>")[0] if "answer" in page else ""


def test_url_and_public_access(client: Any, world: Any) -> None:
    assert reverse("web:citizen-check") == URL
    assert client.get(URL).status_code == 200


def test_four_answers(client: Any, world: Any) -> None:
    approve(world)
    assert "Terpilih sebagai calon peserta" in _answer(client, NIK_A)
    assert "Dalam daftar tunggu" in _answer(client, NIK_WAIT)
    poor = _answer(client, NIK_POOR_FIT)
    assert "Tidak memenuhi syarat" in poor and "desil DTSEN" in poor and "di atas batas" in poor
    assert "7" not in poor  # plain words: no codes or numbers from the registry
    missing = _answer(client, "3275019999999999")
    assert "Data tidak ditemukan" in missing and "KTP" in missing and "Kartu Keluarga" in missing


def test_a_draft_run_answers_nothing(client: Any, world: Any) -> None:
    """Before approval the run is a preview: the public check does not know it."""
    for nik in (NIK_A, NIK_WAIT, NIK_POOR_FIT):
        assert "Data tidak ditemukan" in _answer(client, nik, ip=f"10.0.1.{nik[-1]}")


def test_nik_and_birth_date_alone_open_nothing(client: Any, world: Any) -> None:
    """Issue 12 finding 2: the birth date is inside the NIK, so it is no second factor any more."""
    approve(world)
    response = client.post(URL, {"nik": NIK_A, "tanggal_lahir": "1980-05-05"}, REMOTE_ADDR="10.0.2.1")
    page = response.content.decode()
    assert "Nomor KK harus 16 digit angka" in page or "wajib" in page.lower() or "required" in page.lower()
    assert "Terpilih" not in page


def test_wrong_kk_looks_exactly_like_unknown_nik(client: Any, world: Any) -> None:
    approve(world)
    wrong_kk = _answer(client, NIK_B, KK_A, ip="10.0.0.2")  # a real KK number, of someone else
    unknown = _answer(client, "3275019999999998", KK_B, ip="10.0.0.3")
    assert wrong_kk == unknown and "Data tidak ditemukan" in wrong_kk
    assert "BUDI" not in wrong_kk and NIK_B not in wrong_kk


def test_enrolled_run_says_registered(client: Any, world: Any, tmp_path: Any) -> None:
    """Approval, BPJS TK's answer and an exit change the answer (the actions refresh the status table)."""
    from sigap.enrolment.actions import batch_export, response_import, run_approve, run_submit
    from sigap.enrolment.exits import member_exit
    from sigap.enrolment.models import Member

    users = world.users
    run_submit(run=world.run, acting_user=users["admin_dinas"])
    run_approve(run=world.run, acting_user=users["kepala_dinas"])
    assert "Terpilih sebagai calon peserta" in _answer(client, NIK_A)
    batch = batch_export(
        programme=world.programme, acting_user=users["admin_dinas"], today=dt.date(2025, 12, 10)
    )
    answer = tmp_path / "jawaban.csv"
    answer.write_text(
        "NIK,KPJ,STATUS,ALASAN,TANGGAL_EFEKTIF\n"
        f"{NIK_A},26000000001,DITERIMA,,2026-01-05\n"
        f"{NIK_B},,DITOLAK,NIK tidak ditemukan,\n",
        encoding="utf-8",
    )
    response_import(batch=batch, path=answer, acting_user=users["admin_dinas"], today=dt.date(2026, 1, 20))
    world.run.refresh_from_db()
    assert world.run.state == world.run.ENROLLED
    registered = _answer(client, NIK_A, ip="10.0.0.7")
    assert "Terdaftar sebagai peserta" in registered and "Terlindungi sejak Januari 2026" in registered
    rejected = _answer(client, NIK_B, ip="10.0.0.8")
    assert "Kepesertaan telah berakhir" in rejected and "Ditolak BPJS TK" in rejected
    member_exit(
        member=Member.objects.get(nik=NIK_A),
        date=dt.date(2026, 3, 9),
        reason="died",
        source="death_report",
        acting_user=users["admin_dinas"],
    )
    ended = _answer(client, NIK_A, ip="10.0.0.9")
    assert "Kepesertaan telah berakhir" in ended and "9 Maret 2026" in ended and "Meninggal dunia" in ended


def test_page_discloses_nothing_else(client: Any, world: Any) -> None:
    approve(world)
    page = client.post(URL, {"nik": NIK_A, "kk": KK_A}, REMOTE_ADDR="10.0.0.4")
    # the random CSRF token (64 letters and digits) may contain "Rp" by chance: leave it out
    text, tokens = re.subn(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1"', page.content.decode())
    assert tokens >= 1
    assert "SITI" not in text and NIK_A not in text and KK_A not in text and "rank" not in text
    assert "Rp" not in text
    assert not AuditEvent.objects.filter(action__startswith="person").exists()


def test_malformed_nik_is_a_form_error(client: Any, world: Any) -> None:
    response = client.post(URL, {"nik": "12345", "kk": KK_A}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200 and "NIK harus 16 digit angka" in response.content.decode()


def test_rate_limit_per_ip(client: Any, world: Any, settings: Any) -> None:
    settings.SIGAP_CITIZEN_CHECK_PER_IP = 10
    codes = [
        client.post(URL, {"nik": f"32750199999900{i:02d}", "kk": KK_A}, REMOTE_ADDR="10.9.9.9").status_code
        for i in range(11)
    ]
    assert codes == [200] * 10 + [429]
    limited = client.post(URL, {"nik": NIK_A, "kk": KK_A}, REMOTE_ADDR="10.9.9.9")
    assert limited.status_code == 429 and "Terlalu banyak permintaan" in limited.content.decode()
    assert limited["Retry-After"] == "60"
    # another address is not affected
    assert client.post(URL, {"nik": NIK_A, "kk": KK_A}, REMOTE_ADDR="10.9.9.8").status_code == 200


def test_rate_limit_per_nik_across_addresses(client: Any, world: Any) -> None:
    codes = [
        client.post(
            URL, {"nik": NIK_A, "kk": f"32750117069000{d:02d}"}, REMOTE_ADDR=f"10.1.1.{d}"
        ).status_code
        for d in range(1, 7)
    ]
    assert codes == [200] * 5 + [429]


def test_csrf_is_required(world: Any) -> None:
    approve(world)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {"nik": NIK_A, "kk": KK_A}).status_code == 403
    page = strict.get(URL)
    token = page.cookies["csrftoken"].value
    ok = strict.post(URL, {"nik": NIK_A, "kk": KK_A, "csrfmiddlewaretoken": token})
    assert ok.status_code == 200 and "Terpilih sebagai calon peserta" in ok.content.decode()


def test_year_end_reads_plainly(client: Any, world: Any) -> None:
    """A membership closed at the end of the fiscal year says so, not "lapsed"."""
    from sigap.enrolment.exits import member_exit
    from sigap.enrolment.models import Member, MemberExit

    approve(world)
    member_exit(
        member=Member.objects.get(nik=NIK_A),
        date=dt.date(2026, 12, 31),
        reason=MemberExit.FISCAL_YEAR_END,
        source="programme_close",
        acting_user=world.users["admin_dinas"],
    )
    ended = _answer(client, NIK_A, ip="10.0.3.1")
    assert "Kepesertaan telah berakhir" in ended and "31 Desember 2026" in ended
    assert "Alasan: akhir tahun anggaran program." in ended
