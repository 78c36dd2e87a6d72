"""Grievances as users handle them: operator and citizen filing, assignment, answer, SLA, escalation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.audit.models import AuditEvent
from sigap.core import sla
from sigap.errors import UserError
from sigap.pengaduan import actions
from sigap.pengaduan.models import Grievance, SlaPolicy
from usulan.conftest import KEL_A, KEL_A2, KEL_B, World, login
from web.conftest import NIK_A

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
PUBLIC = "/pengaduan/warga/"
TICKET = "/pengaduan/cek-tiket/"


def _file(
    world: World, persona: str = "operator_kelurahan", now: dt.datetime = MONDAY, **kw: Any
) -> Grievance:
    values: dict[str, Any] = {
        "channel": "operator",
        "category": "sanggahan",
        "text": "Warga keberatan: tidak terpilih padahal desil 1.",
        "kode_kelurahan": KEL_A,
        "nik": NIK_A,
        "contact_phone": "0812-3456-7890",
    }
    values.update(kw)
    return actions.grievance_file(now=now, acting_user=world.users[persona], **values)


def test_operator_files_admin_assigns_answers_closes(client: Client, kel: World) -> None:
    login(client, kel, "operator_kelurahan")
    assert (
        f"/pengaduan/baru/?nik={NIK_A}"
        in client.get(reverse("web:person-detail", args=[NIK_A])).content.decode()
    )
    response = client.post(
        "/pengaduan/baru/",
        {
            "category": "sanggahan",
            "kode_kelurahan": KEL_A,
            "nik": NIK_A,
            "contact_name": "Siti",
            "contact_phone": "081234567890",
            "text": "Saya pedagang keliling, desil 1, tetapi tidak terpilih.",
        },
    )
    g = Grievance.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pengaduan/{g.number}/"
    assert g.number == f"ADU-{timezone.localdate().year}-{g.pk:06d}"
    assert (g.channel, g.state, g.created_by) == ("operator", "open", kel.users["operator_kelurahan"])
    days = sla.DEFAULT_SLA_DAYS["sanggahan"]
    assert g.due_at == sla.due_at(g.created_at, days=days, business_days=True)
    # The operator reads, but cannot handle.
    page = client.get(f"/pengaduan/{g.number}/").content.decode()
    assert "Simpan jawaban" not in page
    assert client.post(f"/pengaduan/{g.number}/jawab/", {"answer": "x" * 20}).status_code == 403

    login(client, kel, "admin_dinas")
    page = client.get(f"/pengaduan/{g.number}/").content.decode()
    assert "Tugaskan" in page and "Simpan jawaban" in page
    client.post(f"/pengaduan/{g.number}/tugaskan/", {"assignee": str(kel.users["admin_dinas_2"].pk)})
    g.refresh_from_db()
    assert (g.state, g.assigned_to) == ("assigned", kel.users["admin_dinas_2"])
    # Only Admin Dinas accounts can be assigned.
    response = client.post(
        f"/pengaduan/{g.number}/tugaskan/", {"assignee": str(kel.users["operator_kelurahan"].pk)}, follow=True
    )
    assert "Pilih petugas dari daftar." in response.content.decode()
    response = client.post(f"/pengaduan/{g.number}/jawab/", {"answer": "pendek"}, follow=True)
    assert "Jawaban terlalu pendek" in response.content.decode()
    client.post(
        f"/pengaduan/{g.number}/jawab/", {"answer": "Data Anda diperbarui; ikut penetapan berikutnya."}
    )
    g.refresh_from_db()
    assert g.state == "answered" and g.answered_at is not None
    client.post(f"/pengaduan/{g.number}/tutup/")
    g.refresh_from_db()
    assert g.state == "closed"
    logged = list(
        AuditEvent.objects.filter(object_type="pengaduan.grievance", object_id=str(g.pk))
        .exclude(action="grievance.view")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert logged == ["grievance.file", "grievance.assign", "grievance.answer", "grievance.close"]


def test_operator_bad_input_shows_a_clear_message_and_writes_nothing(client: Client, kel: World) -> None:
    login(client, kel, "operator_kelurahan")
    base = {"category": "sanggahan", "kode_kelurahan": KEL_A, "nik": "", "text": "Keberatan atas keputusan."}
    cases = [
        (base, "nik", "perlu NIK"),
        ({**base, "nik": NIK_A, "text": "pendek"}, "text", "terlalu pendek"),
        ({**base, "nik": NIK_A, "contact_phone": "12"}, "contact_phone", "9 sampai 14 angka"),
        ({**base, "nik": NIK_A, "kode_kelurahan": KEL_B}, "kode_kelurahan", "bukan salah satu dari pilihan"),
    ]
    for data, field, message in cases:
        response = client.post("/pengaduan/baru/", data)
        assert response.status_code == 200, message
        block = response.content.decode().split(f'for="id_{field}"')[1].split("</p>")[0]
        assert message in block, (field, message)
    assert Grievance.objects.count() == 0
    with pytest.raises(UserError, match="di luar wilayah"):
        _file(kel, kode_kelurahan=KEL_A2)


def test_other_areas_get_404(client: Client, kel: World) -> None:
    g = _file(kel)
    for persona in ("operator_kelurahan_a2", "operator_kelurahan_b", "operator_kecamatan_b"):
        login(client, kel, persona)
        assert client.get(f"/pengaduan/{g.number}/").status_code == 404
        assert g.number not in client.get("/pengaduan/").content.decode()
    login(client, kel, "operator_kecamatan")
    assert client.get(f"/pengaduan/{g.number}/").status_code == 200


def test_sla_policy_set_by_admin_dinas(client: Client, kel: World) -> None:
    login(client, kel, "operator_kelurahan")
    assert client.get("/pengaduan/batas-waktu/").status_code == 403
    login(client, kel, "admin_dinas")
    form = {f"days_{c}": str(d) for c, d in sla.DEFAULT_SLA_DAYS.items()}
    form.update({f"business_{c}": "on" for c in sla.DEFAULT_SLA_DAYS})
    response = client.post("/pengaduan/batas-waktu/", {**form, "days_layanan": "0"})
    assert response.status_code == 200 and "days_layanan" in response.content.decode()
    assert SlaPolicy.objects.count() == 0
    form["days_layanan"] = "2"
    form.pop("business_layanan")  # calendar days
    response = client.post("/pengaduan/batas-waktu/", form)
    assert response.status_code == 302
    policy = SlaPolicy.objects.get()
    assert (policy.category, policy.days, policy.business_days) == ("layanan", 2, False)
    assert AuditEvent.objects.filter(action="sla.set").count() == 1
    g = _file(kel, category="layanan", now=dt.datetime(2026, 3, 6, 9, 0, tzinfo=WIB))  # a Friday
    assert g.due_at == dt.datetime(2026, 3, 8, 9, 0, tzinfo=WIB)  # Sunday: calendar days
    with pytest.raises(UserError, match="tidak boleh"):
        actions.sla_policy_set(category="data", days=3, business_days=True, acting_user=kel.users["auditor"])


def test_escalation_marks_late_ones_once_and_the_kepala_dinas_sees_them(
    client: Client, kel: World, clock: Any
) -> None:
    clock(dt.date(2026, 12, 5))  # the overdue list is judged by today
    late = _file(kel)
    answered = _file(kel, category="data", text="Alamat saya keliru di data DTSEN.")
    actions.grievance_answer(
        grievance=answered,
        answer="Sudah kami teruskan ke Disdukcapil.",
        now=MONDAY,
        acting_user=kel.users["admin_dinas"],
    )
    not_yet = _file(kel, category="klaim", text="Klaim JKM ahli waris belum cair.", now=late.due_at)

    login(client, kel, "kepala_dinas")
    assert late.number not in client.get("/pengaduan/").content.decode()

    assert actions.grievances_escalate(now=late.due_at) == []  # due moment itself is not late yet
    escalated = actions.grievances_escalate(now=late.due_at + dt.timedelta(seconds=1))
    assert [g.number for g in escalated] == [late.number]
    assert actions.grievances_escalate(now=late.due_at + dt.timedelta(days=1)) == []  # idempotent
    late.refresh_from_db()
    answered.refresh_from_db()
    not_yet.refresh_from_db()
    assert late.escalated_at is not None and answered.escalated_at is None and not_yet.escalated_at is None
    assert AuditEvent.objects.filter(action="grievance.escalate").count() == 1

    page = client.get("/pengaduan/").content.decode()
    assert late.number in page and answered.number not in page and "dieskalasi" in page
    assert client.get(f"/pengaduan/{late.number}/").status_code == 200
    assert client.get(f"/pengaduan/{answered.number}/").status_code == 404
    # The overdue list of the Admin Dinas shows the late one (by the real clock: all are long overdue).
    login(client, kel, "admin_dinas")
    page = client.get("/pengaduan/", {"terlambat": "1"}).content.decode()
    assert late.number in page and not_yet.number in page and answered.number not in page


def test_cli_escalate(kel: World) -> None:
    from sigap.cli import _register, cli

    late = _file(kel)
    _register()
    runner = CliRunner()
    args = ["grievance", "escalate", "--now", (late.due_at + dt.timedelta(hours=1)).isoformat(), "--json"]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tickets"] == [late.number]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert json.loads(result.output)["escalated"] == 0
    bad = runner.invoke(cli, ["grievance", "escalate", "--now", "kemarin", "--json"], catch_exceptions=False)
    assert bad.exit_code == 2 and "is not a moment" in json.loads(bad.output)["error"]


def test_task_wrapper_escalates(kel: World) -> None:
    from sigap.pengaduan.tasks import escalate_late_grievances

    _file(kel, now=dt.datetime(2025, 1, 6, 9, 0, tzinfo=WIB))
    assert escalate_late_grievances.call() == 1


def test_public_grievance_and_ticket_check(kel: World) -> None:
    citizen = Client(enforce_csrf_checks=True)
    page = citizen.get("/cek-status/").content.decode()
    assert PUBLIC in page and TICKET in page
    form_page = citizen.get(PUBLIC)
    token = form_page.cookies["csrftoken"].value
    data = {
        "csrfmiddlewaretoken": token,
        "category": "sanggahan",
        "kode_kelurahan": KEL_A,
        "nik": NIK_A,
        "contact_name": "Siti Aminah",
        "contact_phone": "+62 812 3456 7890",
        "text": "Saya tidak terpilih, padahal pekerja informal desil 1.",
    }
    assert (
        Client(enforce_csrf_checks=True)
        .post(PUBLIC, {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"})
        .status_code
        == 403
    )
    response = citizen.post(PUBLIC, data, REMOTE_ADDR="10.1.1.1")
    g = Grievance.objects.get()
    # the page after filing is the ticket (post/redirect/get: a reload files nothing), not the form
    assert response.status_code == 302 and response["Location"] == reverse("web:pengaduan:citizen-ticket")
    ticket = citizen.get(response["Location"]).content.decode()
    assert f"data-ticket>{g.number}<" in ticket and "Apa yang terjadi selanjutnya" in ticket
    assert "Cara memeriksa jawaban" in ticket and f"?nomor={g.number}" in ticket
    assert 'name="text"' not in ticket and NIK_A not in ticket and "Siti" not in ticket
    assert citizen.get(response["Location"]).status_code == 200  # a reload shows it again
    assert Grievance.objects.count() == 1
    prefilled = citizen.get(f"{TICKET}?nomor={g.number}").content.decode()
    assert f'value="{g.number}"' in prefilled
    # another browser has no ticket here: the form
    assert Client().get(response["Location"])["Location"] == PUBLIC
    assert (g.channel, g.contact_phone, g.created_by) == ("citizen", "081234567890", None)
    filed = AuditEvent.objects.get(action="grievance.file")
    assert (filed.actor, filed.actor_label) == (None, "publik")

    def check(number: str, secret: str) -> str:
        token = citizen.get(TICKET).cookies["csrftoken"].value
        r = citizen.post(
            TICKET, {"csrfmiddlewaretoken": token, "number": number, "secret": secret}, REMOTE_ADDR="10.2.2.2"
        )
        assert r.status_code == 200
        return r.content.decode().split('<section class="answer"')[1].split("</section>")[0]

    assert 'data-state="open"' in check(g.number, "0812 3456 7890")
    assert 'data-state="open"' in check(g.number.lower(), NIK_A)
    for number, secret in [(g.number, "081299999999"), ("ADU-2026-999999", NIK_A), (g.number, "3275")]:
        assert "Tiket tidak ditemukan." in check(number, secret), (number, secret)
    actions.grievance_answer(
        grievance=g,
        answer="Data Anda kami periksa ulang bersama kelurahan.",
        now=timezone.now(),
        acting_user=kel.users["admin_dinas"],
    )
    answer = check(g.number, "081234567890")
    checks = AuditEvent.objects.filter(action="grievance.public_check").order_by("id")
    assert [e.after["found"] for e in checks] == [True, True, False, False, False, True]
    assert all(NIK_A not in str(e.after) + e.note for e in checks)
    assert 'data-state="answered"' in answer and "Data Anda kami periksa ulang" in answer
    assert NIK_A not in answer and "Siti" not in answer  # only the state and the answer


def test_public_form_bad_input_and_rate_limit(kel: World, settings: Any) -> None:
    client = Client()
    data = {
        "category": "layanan",
        "kode_kelurahan": KEL_A,
        "text": "Petugas tidak ramah sama sekali.",
        "contact_phone": "",
    }
    response = client.post(PUBLIC, data)
    assert response.status_code == 200 and "wajib" in response.content.decode().lower()
    assert Grievance.objects.count() == 0
    settings.SIGAP_CITIZEN_CHECK_PER_IP = 3  # filing allows a third of that: 1 per window
    data["contact_phone"] = "081234567890"
    assert client.post(PUBLIC, data, REMOTE_ADDR="10.9.9.9").status_code == 302  # to the ticket
    assert client.post(PUBLIC, data, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert client.post(PUBLIC, data, REMOTE_ADDR="10.9.9.8").status_code == 302
    assert Grievance.objects.count() == 2
    # Per phone number: at most PUBLIC_TICKETS_PER_PHONE_PER_DAY tickets, whatever the address.
    from sigap.pengaduan.views import PUBLIC_TICKETS_PER_PHONE_PER_DAY

    for i in range(PUBLIC_TICKETS_PER_PHONE_PER_DAY - 2):
        assert client.post(PUBLIC, data, REMOTE_ADDR=f"10.8.0.{i}").status_code == 302
    assert client.post(PUBLIC, data, REMOTE_ADDR="10.8.1.1").status_code == 429
    assert Grievance.objects.count() == PUBLIC_TICKETS_PER_PHONE_PER_DAY
    for _ in range(3):
        assert (
            client.post(
                TICKET, {"number": "ADU-2026-000001", "secret": "081234567890"}, REMOTE_ADDR="10.7.7.7"
            ).status_code
            == 200
        )
    assert (
        client.post(
            TICKET, {"number": "ADU-2026-000001", "secret": "081234567890"}, REMOTE_ADDR="10.7.7.7"
        ).status_code
        == 429
    )


def test_pimpinan_sees_counts_only(client: Client, kel: World) -> None:
    g = _file(kel)
    actions.grievances_escalate(now=g.due_at + dt.timedelta(minutes=1))
    login(client, kel, "pimpinan")
    page = client.get("/pengaduan/").content.decode()
    assert g.number not in page and NIK_A not in page
    assert "data-total>1<" in page and "data-escalated>1<" in page
    assert client.get(f"/pengaduan/{g.number}/").status_code == 403


def test_export_is_scoped_and_audited(client: Client, kel: World) -> None:
    import io

    import openpyxl

    own = _file(kel)
    other = _file(kel, "operator_kelurahan_b", kode_kelurahan=KEL_B, category="data", nik="")
    login(client, kel, "operator_kelurahan")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/pengaduan/unduh.xlsx").content)).active
    assert sheet is not None
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == [own.number]
    assert sheet.cell(2, 5).value == NIK_A
    login(client, kel, "admin_dinas")
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/pengaduan/unduh.xlsx?kategori=data").content)
    ).active
    assert sheet is not None
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == [other.number]
    assert [e.after["rows"] for e in AuditEvent.objects.filter(action="grievance.export").order_by("id")] == [
        1,
        1,
    ]


def test_list_sorts_by_due_time(client: Client, kel: World) -> None:
    slow = _file(kel, category="data", text="Alamat saya keliru di data.")  # 14 working days
    fast = _file(kel, category="layanan", text="Petugas tidak datang ke rumah.")  # 5 working days
    login(client, kel, "admin_dinas")
    newest = client.get("/pengaduan/").content.decode()
    by_due = client.get("/pengaduan/", {"urut": "batas"}).content.decode()
    assert newest.index(fast.number) < newest.index(slow.number)  # same moment: higher id first
    assert by_due.index(fast.number) < by_due.index(slow.number)
    by_category = client.get("/pengaduan/", {"urut": "kategori"}).content.decode()  # data < layanan
    assert by_category.index(slow.number) < by_category.index(fast.number)


def test_business_day_sla_skips_the_holiday_calendar(kel: World) -> None:
    from sigap.holidays.models import Holiday

    actions.sla_policy_set(
        category="layanan", days=1, business_days=True, acting_user=kel.users["admin_dinas"]
    )
    friday = dt.datetime(2026, 3, 6, 9, 0, tzinfo=WIB)
    plain = _file(kel, category="layanan", now=friday)
    assert plain.due_at == dt.datetime(2026, 3, 9, 9, 0, tzinfo=WIB)  # Monday
    Holiday.objects.create(date=dt.date(2026, 3, 9), name="Libur uji")
    later = _file(kel, category="layanan", now=friday)
    assert later.due_at == dt.datetime(2026, 3, 10, 9, 0, tzinfo=WIB)  # the listed Monday is skipped
