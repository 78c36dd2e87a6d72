"""Cek status SIGAP: four answers only, no enumeration, rate limits, CSRF."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.audit.models import AuditEvent

from .conftest import BORN_A, NIK_A, NIK_B, NIK_POOR_FIT, NIK_WAIT

pytestmark = pytest.mark.django_db
URL = "/cek-status/"


def _answer(client: Any, nik: str, born: dt.date | str, ip: str = "10.0.0.1") -> str:
    value = born.isoformat() if isinstance(born, dt.date) else born
    response = client.post(URL, {"nik": nik, "tanggal_lahir": value}, REMOTE_ADDR=ip)
    assert response.status_code == 200
    page = response.content.decode()
    return page.split('<section class="answer"')[1].split("</section>")[0] if "answer" in page else ""


def test_url_and_public_access(client: Any, world: Any) -> None:
    assert reverse("web:citizen-check") == URL
    assert client.get(URL).status_code == 200


def test_four_answers(client: Any, world: Any) -> None:
    assert "Terpilih sebagai calon peserta" in _answer(client, NIK_A, BORN_A)
    assert "Dalam daftar tunggu" in _answer(client, NIK_WAIT, dt.date(1980, 2, 2))
    poor = _answer(client, NIK_POOR_FIT, dt.date(1980, 3, 3))
    assert "Tidak memenuhi syarat" in poor and "desil DTSEN" in poor and "di atas batas" in poor
    assert "7" not in poor  # plain words: no codes or numbers from the registry
    missing = _answer(client, "3275019999999999", dt.date(1980, 3, 3))
    assert "Data tidak ditemukan" in missing and "KTP" in missing and "Kartu Keluarga" in missing


def test_wrong_birth_date_looks_exactly_like_unknown_nik(client: Any, world: Any) -> None:
    wrong_date = _answer(client, NIK_B, dt.date(1980, 1, 2), ip="10.0.0.2")
    unknown = _answer(client, "3275019999999998", dt.date(1980, 1, 2), ip="10.0.0.3")
    assert wrong_date == unknown and "Data tidak ditemukan" in wrong_date
    assert "BUDI" not in wrong_date and NIK_B not in wrong_date


def test_enrolled_run_says_registered(client: Any, world: Any, tmp_path: Any) -> None:
    """Approval, BPJS TK's answer and an exit change the answer (the actions refresh the status table)."""
    from sigap.enrolment.actions import batch_export, member_exit, response_import, run_approve, run_submit
    from sigap.enrolment.models import Member

    users = world.users
    run_submit(run=world.run, acting_user=users["admin_dinas"])
    run_approve(run=world.run, acting_user=users["kepala_dinas"])
    assert "Terpilih sebagai calon peserta" in _answer(client, NIK_A, BORN_A)
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
    registered = _answer(client, NIK_A, BORN_A, ip="10.0.0.7")
    assert "Terdaftar sebagai peserta" in registered and "Terlindungi sejak Januari 2026" in registered
    rejected = _answer(client, NIK_B, dt.date(1980, 1, 1), ip="10.0.0.8")
    assert "Kepesertaan telah berakhir" in rejected and "Ditolak BPJS TK" in rejected
    member_exit(
        member=Member.objects.get(nik=NIK_A),
        date=dt.date(2026, 3, 9),
        reason="died",
        source="death_report",
        acting_user=users["admin_dinas"],
    )
    ended = _answer(client, NIK_A, BORN_A, ip="10.0.0.9")
    assert "Kepesertaan telah berakhir" in ended and "9 Maret 2026" in ended and "Meninggal dunia" in ended


def test_page_discloses_nothing_else(client: Any, world: Any) -> None:
    page = client.post(URL, {"nik": NIK_A, "tanggal_lahir": BORN_A.isoformat()}, REMOTE_ADDR="10.0.0.4")
    # the random CSRF token (64 letters and digits) may contain "Rp" by chance: leave it out
    text, tokens = re.subn(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1"', page.content.decode())
    assert tokens >= 1
    assert "SITI" not in text and NIK_A not in text and "rank" not in text and "Rp" not in text
    assert not AuditEvent.objects.filter(action__startswith="person").exists()


def test_malformed_nik_is_a_form_error(client: Any, world: Any) -> None:
    response = client.post(URL, {"nik": "12345", "tanggal_lahir": "1980-05-05"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200 and "NIK harus 16 digit angka" in response.content.decode()


def test_rate_limit_per_ip(client: Any, world: Any, settings: Any) -> None:
    settings.SIGAP_CITIZEN_CHECK_PER_IP = 10
    codes = [
        client.post(
            URL, {"nik": f"32750199999900{i:02d}", "tanggal_lahir": "1980-01-01"}, REMOTE_ADDR="10.9.9.9"
        ).status_code
        for i in range(11)
    ]
    assert codes == [200] * 10 + [429]
    limited = client.post(URL, {"nik": NIK_A, "tanggal_lahir": BORN_A.isoformat()}, REMOTE_ADDR="10.9.9.9")
    assert limited.status_code == 429 and "Terlalu banyak permintaan" in limited.content.decode()
    assert limited["Retry-After"] == "60"
    # another address is not affected
    assert (
        client.post(
            URL, {"nik": NIK_A, "tanggal_lahir": BORN_A.isoformat()}, REMOTE_ADDR="10.9.9.8"
        ).status_code
        == 200
    )


def test_rate_limit_per_nik_across_addresses(client: Any, world: Any) -> None:
    codes = [
        client.post(
            URL, {"nik": NIK_A, "tanggal_lahir": f"1980-05-{d:02d}"}, REMOTE_ADDR=f"10.1.1.{d}"
        ).status_code
        for d in range(1, 7)
    ]
    assert codes == [200] * 5 + [429]


def test_csrf_is_required(world: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {"nik": NIK_A, "tanggal_lahir": BORN_A.isoformat()}).status_code == 403
    page = strict.get(URL)
    token = page.cookies["csrftoken"].value
    ok = strict.post(URL, {"nik": NIK_A, "tanggal_lahir": BORN_A.isoformat(), "csrfmiddlewaretoken": token})
    assert ok.status_code == 200 and "Terpilih sebagai calon peserta" in ok.content.decode()
