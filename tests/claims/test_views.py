"""Kejadian & klaim screens driven as users do: real forms, CSRF, messages, files, permissions."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from factories import DAYS_OF_THE_YEAR
from sigap.accounts import roles
from sigap.audit.models import AuditEvent
from sigap.claims import actions
from sigap.claims.models import Claim, Incident
from sigap.enrolment.models import CoveragePeriod, Member

from .conftest import KEL_A, NIK_A, NIK_B, PDF, World

pytestmark = pytest.mark.django_db

INCIDENT_DAY = dt.date(2026, 3, 10)


def _client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """POST like the browser: take the CSRF token from the page the form is on."""
    response = client.get(page or reverse("web:claims:list"))
    assert response.status_code == 200
    token = client.cookies["csrftoken"].value
    return client.post(url, {"csrfmiddlewaretoken": token, **data}, follow=True)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _register(world: World, member: Member, **kw: Any) -> Claim:
    args: dict[str, Any] = {
        "member": member,
        "kind": "work_accident",
        "date": INCIDENT_DAY,
        "place": "Jl. Ahmad Yani",
        "today": dt.date.today(),
        "acting_user": None,
    }
    args.update(kw)
    claim = actions.incident_register(**args).claims.first()
    assert claim is not None
    return claim


def test_operator_registers_an_accident_ticks_documents_submits_and_admin_records_payment(
    world: World, members: dict[str, Any], data_dir: Path
) -> None:
    operator = _client(world.users[roles.OPERATOR_KELURAHAN])
    page = operator.get(reverse("web:claims:member-lookup") + f"?nik={NIK_A}")
    new_url = reverse("web:claims:incident-new", args=[members["A"].pk])
    assert page.status_code == 200 and new_url in page.content.decode()
    form_page = operator.get(new_url)
    assert b'<label for="id_place">' in form_page.content and b"Januari 2026" in form_page.content

    response = _post(
        operator,
        new_url,
        {
            "kind": "work_accident",
            "date": "2026-03-10",
            "place": "Pasar Baru",
            "description": "jatuh dari motor",
        },
        page=new_url,
    )
    claim = Claim.objects.get()
    detail = reverse("web:claims:detail", args=[claim.pk])
    assert response.redirect_chain[-1][0] == detail
    assert any(f"#{claim.pk}" in m for m in _messages(response))
    body = response.content.decode()
    assert "9 Maret 2031" in body  # the JKK deadline, shown in Indonesian
    assert "Transportasi udara: Rp10.000.000" in body  # ceilings of medical care (DOMAIN.md section 3)
    assert claim.incident.reported_by == world.users[roles.OPERATOR_KELURAHAN]

    # Submitting before the checklist is complete is refused next to the form, nothing changes.
    response = _post(
        operator, reverse("web:claims:submit", args=[claim.pk]), {"submit-submitted_on": "2026-04-02"}, detail
    )
    assert response.status_code == 400 and "Dokumen belum lengkap" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == Claim.DRAFT

    docs = list(claim.documents.all())
    upload_doc, *others = docs
    token_page = operator.get(detail)
    assert token_page.status_code == 200
    response = operator.post(
        reverse("web:claims:document-upload", args=[claim.pk, upload_doc.pk]),
        {
            "csrfmiddlewaretoken": operator.cookies["csrftoken"].value,
            f"up{upload_doc.pk}-file": SimpleUploadedFile("kartu.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )
    assert response.status_code == 200 and any("Berkas disimpan" in m for m in _messages(response))
    for doc in others:
        response = _post(
            operator,
            reverse("web:claims:document-mark", args=[claim.pk, doc.pk]),
            {f"doc{doc.pk}-received": "1", f"doc{doc.pk}-received_on": "2026-04-01"},
            detail,
        )
        assert response.status_code == 200, response.content.decode()[:2000]
    claim.refresh_from_db()
    assert claim.state == Claim.COMPLETE
    upload_doc.refresh_from_db()
    assert (data_dir / upload_doc.file_path).read_bytes() == PDF
    download = operator.get(reverse("web:claims:document-file", args=[claim.pk, upload_doc.pk]))
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]

    response = _post(
        operator, reverse("web:claims:submit", args=[claim.pk]), {"submit-submitted_on": "2026-04-02"}, detail
    )
    claim.refresh_from_db()
    assert (claim.state, claim.submitted_on) == (Claim.SUBMITTED, dt.date(2026, 4, 2))

    admin = _client(world.users[roles.ADMIN_DINAS])
    # a figure that does not fit a rupiah column is a typing error, said next to the field (no 500)
    huge = _post(
        admin,
        reverse("web:claims:pay", args=[claim.pk]),
        {
            "pay-amount": "99999999999999999999",
            "pay-paid_on": "2026-05-05",
            "pay-reference": "BPJS/2026/0042",
        },
        detail,
    )
    assert huge.status_code == 400 and "Jumlah terlalu besar" in huge.content.decode()
    claim.refresh_from_db()
    assert claim.state == Claim.SUBMITTED and claim.paid_amount in (None, 0)
    response = _post(
        admin,
        reverse("web:claims:pay", args=[claim.pk]),
        {"pay-amount": "Rp7.250.000", "pay-paid_on": "2026-05-05", "pay-reference": "BPJS/2026/0042"},
        detail,
    )
    assert any("Rp7.250.000" in m for m in _messages(response))
    claim.refresh_from_db()
    assert (claim.state, claim.paid_amount, claim.paid_on) == (Claim.PAID, 7_250_000, dt.date(2026, 5, 5))
    listing = admin.get(reverse("web:claims:list")).content.decode()
    assert "Rp7.250.000" in listing and f"#{claim.pk}" in listing
    done = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "incident.register",
        "claim.open",
        "claim.attach",
        "claim.document",
        "claim.submit",
        "claim.pay",
        "claim.view",
        "claim.list",
        "claim.file",
        "claim.member_lookup",
    } <= done


def test_registering_a_death_ends_the_membership(world: World, members: dict[str, Any]) -> None:
    operator = _client(world.users[roles.OPERATOR_KECAMATAN])
    url = reverse("web:claims:incident-new", args=[members["A"].pk])
    response = _post(
        operator,
        url,
        {
            "kind": "death",
            "date": "2026-07-03",
            "place": "Rumah",
            "heir_relation": "spouse",
            "record_exit": "on",
        },
        page=url,
    )
    assert response.status_code == 200
    member = Member.objects.get(pk=members["A"].pk)
    assert member.state == Member.EXITED and member.exit.reason == "died"
    assert CoveragePeriod.objects.get(member=member).end_month == dt.date(2026, 7, 1)
    claim = Claim.objects.get()
    assert claim.benefit == "jkm_death" and "Rp42.000.000" in response.content.decode()


def test_an_incident_outside_coverage_is_refused_with_the_reason(
    world: World, members: dict[str, Any]
) -> None:
    operator = _client(world.users[roles.OPERATOR_KELURAHAN])
    url = reverse("web:claims:incident-new", args=[members["A"].pk])
    response = _post(
        operator, url, {"kind": "work_accident", "date": "2025-12-15", "place": "Pasar"}, page=url
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "sebelum perlindungan dimulai (1 Januari 2026)" in body and 'role="alert"' in body
    assert not Incident.objects.exists() and not Claim.objects.exists()
    # A missing field is reported next to the field.
    response = _post(operator, url, {"kind": "work_accident", "date": "2026-03-01", "place": ""}, page=url)
    assert response.status_code == 400 and 'id="id_place_error"' in response.content.decode()
    assert not Incident.objects.exists()


def test_a_bad_upload_shows_a_clear_message_and_stores_nothing(
    world: World, members: dict[str, Any], data_dir: Path
) -> None:
    claim = _register(world, members["A"])
    doc = claim.documents.get(code="kronologi")
    operator = _client(world.users[roles.OPERATOR_KELURAHAN])
    detail = reverse("web:claims:detail", args=[claim.pk])
    operator.get(detail)
    response = operator.post(
        reverse("web:claims:document-upload", args=[claim.pk, doc.pk]),
        {
            "csrfmiddlewaretoken": operator.cookies["csrftoken"].value,
            f"up{doc.pk}-file": SimpleUploadedFile(
                "kronologi.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 400
    assert "bukan PDF, JPG atau PNG" in response.content.decode()
    doc.refresh_from_db()
    assert not doc.received and not doc.file_path
    folder = data_dir / "claims" / str(claim.pk)
    assert not folder.exists() or not any(folder.iterdir())
    assert not AuditEvent.objects.filter(action="claim.attach").exists()


def test_another_areas_claim_is_404_for_operators(world: World, members: dict[str, Any]) -> None:
    other = _register(world, members["B"])
    other_doc = other.documents.first()
    assert other_doc is not None
    for role in (roles.OPERATOR_KELURAHAN, roles.OPERATOR_KECAMATAN):
        client = Client()
        client.force_login(world.users[role])
        assert client.get(reverse("web:claims:detail", args=[other.pk])).status_code == 404
        assert client.get(reverse("web:claims:letter", args=[other.pk])).status_code == 404
        assert client.get(reverse("web:claims:incident-new", args=[members["B"].pk])).status_code == 404
        response = client.post(
            reverse("web:claims:document-mark", args=[other.pk, other_doc.pk]),
            {f"doc{other_doc.pk}-received": "1"},
        )
        assert response.status_code == 404
        listing = client.get(reverse("web:claims:list")).content.decode()
        assert NIK_B not in listing and members["B"].nama not in listing
        lookup = client.get(reverse("web:claims:member-lookup") + f"?nik={NIK_B}").content.decode()
        assert reverse("web:claims:incident-new", args=[members["B"].pk]) not in lookup
    other_doc.refresh_from_db()
    assert not other_doc.received


PAGES = ["list", "export", "lookup", "new_own", "detail_own", "detail_other", "letter", "mark_own"]
MATRIX = {
    "anonymous": [302, 302, 302, 302, 302, 302, 302, 302],
    "no_profile": [403, 403, 403, 403, 403, 403, 403, 403],
    "admin_dinas": [200, 200, 200, 200, 200, 200, 200, 302],
    "kepala_dinas": [403, 403, 403, 403, 403, 403, 403, 403],
    "pimpinan": [403, 403, 403, 403, 403, 403, 403, 403],
    "auditor": [200, 200, 403, 403, 200, 200, 200, 403],
    "operator_kecamatan": [200, 200, 200, 200, 200, 404, 200, 302],
    "operator_kelurahan": [200, 200, 200, 200, 200, 404, 200, 302],
    "superuser": [200, 200, 200, 200, 200, 200, 200, 302],
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_permission_matrix(client: Client, world: World, members: dict[str, Any], persona: str) -> None:
    own = _register(world, members["A"])
    other = _register(world, members["B"])
    doc = own.documents.first()
    assert doc is not None
    if persona != "anonymous":
        client.force_login(world.users[persona])
    got = {}
    for page in PAGES:
        if page == "mark_own":
            response = client.post(
                reverse("web:claims:document-mark", args=[own.pk, doc.pk]),
                {f"doc{doc.pk}-received": "1", f"doc{doc.pk}-received_on": "2026-04-01"},
            )
        else:
            url = {
                "list": reverse("web:claims:list"),
                "export": reverse("web:claims:export"),
                "lookup": reverse("web:claims:member-lookup") + f"?nik={NIK_A}",
                "new_own": reverse("web:claims:incident-new", args=[members["A"].pk]),
                "detail_own": reverse("web:claims:detail", args=[own.pk]),
                "detail_other": reverse("web:claims:detail", args=[other.pk]),
                "letter": reverse("web:claims:letter", args=[own.pk]) + "?untuk=bpjs",
            }[page]
            response = client.get(url)
        got[page] = response.status_code
        if persona == "anonymous":
            assert reverse("web:login") in response["Location"], page
    assert got == dict(zip(PAGES, MATRIX[persona], strict=True))
    doc.refresh_from_db()
    assert doc.received == (MATRIX[persona][-1] == 302 and persona != "anonymous")


def test_the_auditor_reads_but_cannot_change(world: World, members: dict[str, Any]) -> None:
    claim = _register(world, members["A"])
    auditor = _client(world.users[roles.AUDITOR])
    page = auditor.get(reverse("web:claims:detail", args=[claim.pk])).content.decode()
    assert members["A"].nama in page
    assert reverse("web:claims:submit", args=[claim.pk]) not in page and "Tandai diterima" not in page
    token = auditor.cookies["csrftoken"].value
    response = auditor.post(
        reverse("web:claims:submit", args=[claim.pk]),
        {"csrfmiddlewaretoken": token, "submit-submitted_on": "2026-04-02"},
    )
    assert response.status_code == 403
    assert 'href="/klaim/"' in page


def test_menu_entry_only_for_claim_roles(client: Client, world: World) -> None:
    client.force_login(world.users[roles.OPERATOR_KELURAHAN])
    assert 'href="/klaim/"' in client.get(reverse("web:person-search")).content.decode()
    client.force_login(world.users[roles.PIMPINAN])
    assert 'href="/klaim/"' not in client.get(reverse("web:home")).content.decode()


def test_list_filters_paginates_and_exports_to_excel(world: World, members: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    accidents = [
        _register(world, members["A"], date=dt.date(2026, 2, 1) + dt.timedelta(days=i)) for i in range(26)
    ]
    death = _register(world, members["B"], kind="death", heir_relation="child", date=dt.date(2026, 9, 1))
    admin = _client(world.users[roles.ADMIN_DINAS])
    url = reverse("web:claims:list")
    first = admin.get(url).content.decode()
    assert "27 klaim" in first and "Halaman 1 dari 2" in first
    second = admin.get(url + "?halaman=2").content.decode()
    assert f'href="/klaim/{accidents[0].pk}/"' in second  # newest first: the oldest is on page 2
    only_death = admin.get(url + "?kejadian=death").content.decode()
    assert "1 klaim" in only_death and f"/klaim/{death.pk}/" in only_death
    assert "1 klaim" in admin.get(url + f"?kelurahan={members['B'].kode_kelurahan}").content.decode()
    assert "26 klaim" in admin.get(url + f"?q={NIK_A}&status=draft").content.decode()
    assert "0 klaim" in admin.get(url + "?tenggat=lewat").content.decode()
    by_date = admin.get(url + "?urut=tanggal").content.decode()
    assert by_date.index(f"/klaim/{accidents[0].pk}/") < by_date.index(f"/klaim/{accidents[1].pk}/")

    response = admin.get(reverse("web:claims:export") + "?kejadian=work_accident")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 26
    assert rows[0][2] == "NIK" and {r[2] for r in rows[1:]} == {NIK_A}  # NIK kept as text
    export = AuditEvent.objects.filter(action="claim.export").get()
    assert export.after["rows"] == 26 and export.after["filters"]["kejadian"] == "work_accident"


def test_operator_export_holds_only_their_area(world: World, members: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    _register(world, members["A"])
    _register(world, members["B"])
    client = _client(world.users[roles.OPERATOR_KELURAHAN])
    sheet = load_workbook(io.BytesIO(client.get(reverse("web:claims:export")).content)).active
    assert sheet is not None
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == [NIK_A]
    assert members["A"].kode_kelurahan == KEL_A


def test_follow_up_letter_pdf_lists_missing_documents(world: World, members: dict[str, Any]) -> None:
    from pypdf import PdfReader

    claim = _register(world, members["A"], kind="death", heir_relation="spouse", date=dt.date(2026, 6, 1))
    akta = claim.documents.get(code="akta_kematian")
    actions.claim_document_mark(document=akta, received=True, today=dt.date(2026, 6, 5), acting_user=None)
    client = _client(world.users[roles.OPERATOR_KELURAHAN])
    for to in ("keluarga", "bpjs"):
        response = client.get(reverse("web:claims:letter", args=[claim.pk]) + f"?untuk={to}")
        assert response["Content-Type"] == "application/pdf"
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        text = " ".join(text.split())
        assert members["A"].nama in text and NIK_A in text
        assert "Buku nikah" in text and "Akta/surat keterangan kematian" in text
        assert "Rp42.000.000" in text and "KOTA BEKASI" in text
    assert client.get(reverse("web:claims:letter", args=[claim.pk]) + "?untuk=x").status_code == 404
    assert AuditEvent.objects.filter(action="claim.letter", object_id=str(claim.pk)).count() == 2


def test_scholarship_and_second_benefit_through_the_page(world: World, members: dict[str, Any]) -> None:
    claim = _register(world, members["A"], kind="work_death", heir_relation="spouse")
    operator = _client(world.users[roles.OPERATOR_KELURAHAN])
    detail = reverse("web:claims:detail", args=[claim.pk])
    response = _post(
        operator,
        reverse("web:claims:scholarship-add", args=[claim.pk]),
        {
            "sch-child_name": "Rina",
            "sch-child_birth_date": "2014-02-02",
            "sch-level": "smp",
            "sch-school_year": "2026",
        },
        detail,
    )
    assert any("Rp2.000.000" in m for m in _messages(response))
    response = _post(
        operator,
        reverse("web:claims:scholarship-add", args=[claim.pk]),
        {
            "sch-child_name": "Dewi",
            "sch-child_birth_date": "2000-01-01",
            "sch-level": "pt",
            "sch-school_year": "2026",
        },
        detail,
    )
    assert response.status_code == 400 and "di bawah 23 tahun" in response.content.decode()
    assert claim.scholarships.count() == 1

    response = _post(
        operator, reverse("web:claims:open", args=[claim.pk]), {"open-benefit": "jkk_medical"}, detail
    )
    medical = Claim.objects.get(benefit="jkk_medical")
    assert response.redirect_chain[-1][0] == reverse("web:claims:detail", args=[medical.pk])
    assert medical.incident_id == claim.incident_id


def test_the_claim_page_warns_when_the_incident_months_premium_is_unpaid(
    world: World, unpaid_members: dict[str, Any], clock: Any
) -> None:
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.claims.selectors import claim_counts, premiums_paid_total
    from sigap.core.money import Month

    clock(dt.date(2026, 3, 20))  # March's premium is in arrears (due 16 March), the window open
    claim = _register(world, unpaid_members["A"], date=dt.date(2026, 3, 10), today=dt.date(2026, 3, 20))
    client = _client(world.users[roles.OPERATOR_KELURAHAN])
    detail = reverse("web:claims:detail", args=[claim.pk])
    page = client.get(detail).content.decode()
    assert "belum dibayar" in page and "dapat menolak klaim sampai tunggakan iuran dibayar" in page

    invoice = invoice_issue(programme=world.programme, month=Month(2026, 3))
    assert invoice.total == 2 * 16_800
    payment_record(
        programme=world.programme,
        sp2d_number="SP2D-0003",
        sp2d_date=dt.date(2026, 3, 12),
        amount=invoice.total,
        invoices=[invoice.number],
    )
    page = client.get(detail).content.decode()
    assert "belum dibayar" not in page and "dibayar" in page
    assert premiums_paid_total(world.programme, dt.date(2026, 3, 11)) == 0
    assert premiums_paid_total(world.programme, dt.date(2026, 3, 12)) == 33_600
    assert claim_counts(world.programme, dt.date(2026, 12, 31)).premiums_paid == 33_600


JUNE_INCIDENT = dt.date(2026, 6, 2)


@pytest.mark.parametrize(
    "day", [d for d in DAYS_OF_THE_YEAR if d >= JUNE_INCIDENT] + [dt.date(2026, 6, 20)], ids=str
)
def test_the_claim_page_advises_paying_arrears_only_while_the_window_is_open(
    world: World, unpaid_members: dict[str, Any], clock: Any, day: dt.date
) -> None:
    """January..May paid on time; June's premium never paid in time.  The arrears of June may be paid
    until 31 August (3 months after protection ended with May); four unpaid months end the membership
    on 16 September (September's due date, Tuesday 15 September, passed)."""
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.core.money import Month

    for month in range(1, 6):
        clock(dt.date(2026, month, 10))
        invoice = invoice_issue(programme=world.programme, month=Month(2026, month))
        payment_record(
            programme=world.programme,
            sp2d_number=f"SP2D-{month:02d}",
            sp2d_date=dt.date(2026, month, 10),
            amount=invoice.total,
            invoices=[invoice.number],
        )
    clock(JUNE_INCIDENT)
    claim = _register(world, unpaid_members["A"], date=JUNE_INCIDENT, today=JUNE_INCIDENT)
    for month in range(6, 12):
        invoice_issue(programme=world.programme, month=Month(2026, month))
    # The APBD money for June..November comes on 1 December: after the window, after the lapse.
    payment_record(
        programme=world.programme, sp2d_number="SP2D-LATE", sp2d_date=dt.date(2026, 12, 1), amount=6 * 33_600
    )
    clock(day)
    page = _client(world.users[roles.OPERATOR_KELURAHAN]).get(reverse("web:claims:detail", args=[claim.pk]))
    text = page.content.decode()
    pay_arrears = "dapat menolak klaim sampai tunggakan iuran dibayar"
    if day == dt.date(2026, 6, 15):  # June due today (Monday 15 June): not yet due
        assert "belum jatuh tempo" in text and pay_arrears not in text
    elif day == dt.date(2026, 6, 20):  # in arrears, the window open until 31 August
        assert pay_arrears in text and "31 Agustus 2026" in text
    else:  # 5 and 31 December: the window closed on 31 August; the SP2D of 1 December came too late
        assert pay_arrears not in text
        assert "Batas pembayaran tunggakan sudah lewat" in text and "31 Agustus 2026" in text
        assert "dibayar setelah batas tunggakan" in text
        assert "Kepesertaan berakhir karena tunggakan pada" in text and "16 September 2026" in text
        assert "tunggakan tidak dapat lagi dibayar" in text


def test_english_ui_translates_screens_but_the_letter_stays_indonesian(
    world: World, members: dict[str, Any]
) -> None:
    from django.conf import settings
    from pypdf import PdfReader

    from sigap.claims.models import DOCUMENT_LABELS
    from sigap.core.claims import DOCUMENTS

    assert {d.label for d in DOCUMENTS} == set(DOCUMENT_LABELS)  # every checklist label has a msgid
    claim = _register(world, members["A"], kind="death", heir_relation="spouse", date=dt.date(2026, 6, 1))
    client = _client(world.users[roles.OPERATOR_KELURAHAN])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "<h1>Incidents & BPJS TK claims</h1>" in client.get(reverse("web:claims:list")).content.decode()
    page = client.get(reverse("web:claims:detail", args=[claim.pk])).content.decode()
    assert (
        "Marriage book (spouse as heir)" in page and "Mark received" in page and "JKM: death benefit" in page
    )
    pdf = client.get(reverse("web:claims:letter", args=[claim.pk]) + "?untuk=keluarga").content
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Buku nikah" in text and "Marriage book" not in text and "Kepada Yth." in text


def test_deadline_filters_find_overdue_and_near_jkk_claims(world: World, members: dict[str, Any]) -> None:
    from django.utils import timezone

    from sigap.core import claims as rules

    today = timezone.localdate()
    five_years_ago = today.replace(year=today.year - 5, day=min(today.day, 28))

    def back_in_time(claim: Claim, day: dt.date) -> Claim:
        """An accident of five years ago (covered then by that year's programme, premiums paid): registered
        on a covered day of this programme, then moved to ``day`` with its deadline."""
        Incident.objects.filter(pk=claim.incident_id).update(date=day)
        Claim.objects.filter(pk=claim.pk).update(deadline=rules.claim_deadline(claim.benefit_kind, day))
        claim.refresh_from_db()
        return claim

    near = back_in_time(
        _register(world, members["A"], date=dt.date(2026, 3, 1), today=today),
        five_years_ago + dt.timedelta(days=30),
    )
    late = back_in_time(
        _register(world, members["A"], date=dt.date(2026, 3, 2), today=today),
        five_years_ago - dt.timedelta(days=10),
    )
    fresh = _register(world, members["A"], date=today - dt.timedelta(days=3), today=today)
    jkm = _register(
        world,
        members["A"],
        kind="death",
        heir_relation="child",
        date=today - dt.timedelta(days=1),
        today=today,
    )
    admin = _client(world.users[roles.ADMIN_DINAS])
    url = reverse("web:claims:list")

    def ids(query: str) -> list[int]:
        page = admin.get(url + query).content.decode()
        return [c.pk for c in (near, late, fresh, jkm) if f'href="/klaim/{c.pk}/"' in page]

    assert ids("?tenggat=lewat") == [late.pk]
    assert ids("?tenggat=dekat") == [near.pk]
    by_deadline = admin.get(url + "?urut=tenggat").content.decode()
    order = sorted((near, late, fresh, jkm), key=lambda c: by_deadline.index(f'href="/klaim/{c.pk}/"'))
    assert order == [late, near, fresh, jkm]  # no deadline (JKM) last
    page = admin.get(reverse("web:claims:detail", args=[late.pk])).content.decode()
    assert "hak klaim gugur" in page
