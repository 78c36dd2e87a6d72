"""Data-update requests driven the way users do it: forms posted by the Django test client."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sigap.audit.models import AuditEvent
from sigap.core.schema import SOURCE_COLUMNS
from sigap.errors import UserError
from sigap.usulan import actions
from sigap.usulan.files import MAX_BYTES, Upload
from sigap.usulan.models import Attachment, DataUpdateRequest
from web.conftest import NIK_A, NIK_B

from .conftest import EXE, JPEG, KEL_A, KEL_A2, KEL_B, PDF, PNG, World, login

pytestmark = pytest.mark.django_db
CREATE = "/usulan/baru/"


def _form(**values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "desil", "nik": NIK_A, "nama": "", "kode_kelurahan": KEL_A, "note": ""}
    data.update(values)
    return data


def _files(data_dir: Path) -> list[Path]:
    root = data_dir / "usulan"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _detail(number: str) -> str:
    return reverse("web:usulan:detail", args=[number])


def test_kelurahan_files_with_attachment_kecamatan_verifies_dinas_accepts(
    client: Client, kel: World, data_dir: Path
) -> None:
    login(client, kel, "operator_kelurahan")
    person_page = client.get(reverse("web:person-detail", args=[NIK_A])).content.decode()
    assert f"{CREATE}?nik={NIK_A}" in person_page
    form_page = client.get(CREATE, {"nik": NIK_A})
    assert form_page.status_code == 200
    assert f'value="{NIK_A}"' in form_page.content.decode()
    assert (
        'data-kinds="desil"' in form_page.content.decode() and "sigap/usulan.js" in form_page.content.decode()
    )

    response = client.post(
        CREATE,
        _form(
            desil="2",
            note="Hasil kunjungan rumah: penghasilan turun.",
            lampiran=[
                SimpleUploadedFile("surat-keterangan.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("foto rumah.jpg", JPEG, content_type="image/jpeg"),
            ],
        ),
    )
    request = DataUpdateRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(request.number)
    assert request.number == f"USL-{dt.date.today().year}-{request.pk:06d}"
    assert (request.state, request.kind, request.nik, request.proposed) == (
        "diajukan",
        "desil",
        NIK_A,
        {"desil": 2},
    )
    assert sorted(a.content_type for a in request.attachments.all()) == ["application/pdf", "image/jpeg"]
    stored = _files(data_dir)
    assert len(stored) == 2 and {p.read_bytes() for p in stored} == {PDF, JPEG}

    # The kelurahan operator may not verify its own request.
    assert client.post(reverse("web:usulan:verify", args=[request.number])).status_code == 403

    login(client, kel, "operator_kecamatan")
    page = client.get(_detail(request.number)).content.decode()
    assert "Verifikasi dan teruskan ke Dinas" in page and "Terima usulan" not in page
    client.post(reverse("web:usulan:verify", args=[request.number]), {"note": "Dokumen lengkap"})
    request.refresh_from_db()
    assert request.state == "diverifikasi" and request.verified_by == kel.users["operator_kecamatan"]

    login(client, kel, "admin_dinas")
    response = client.post(reverse("web:usulan:accept", args=[request.number]), follow=True)
    assert "diterima" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "diterima" and request.decided_by == kel.users["admin_dinas"]

    actions_logged = list(
        AuditEvent.objects.filter(object_type="usulan.dataupdaterequest", object_id=str(request.pk))
        .exclude(action="usulan.view")
        .order_by("id")
        .values_list("action", "actor_label")
    )
    assert actions_logged == [
        ("usulan.submit", "operator_kelurahan"),
        ("usulan.verify", "operator_kecamatan"),
        ("usulan.accept", "admin_dinas"),
    ]
    history = client.get(_detail(request.number)).content.decode().split("<h2>Riwayat</h2>")[1]
    history = re.sub(r"<[^>]+>", "", history)  # the request's number is a link
    # the audit log's sentences: who (and in which role) did what to which request, and their note
    assert (
        f"operator_kecamatan (Operator kecamatan) memverifikasi usulan {request.number}" in history
        and "Dokumen lengkap" in history
        and f"admin_dinas (Admin Dinas) menerima usulan {request.number}" in history
    )
    assert "usulan.view" not in history and "membuka usulan" not in history  # disclosures: audit log only

    # Attachment download: the bytes, audited.
    attachment = request.attachments.get(content_type="application/pdf")
    download = client.get(reverse("web:usulan:attachment", args=[request.number, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(
        action="usulan.attachment.download", object_id=str(attachment.pk)
    ).exists()

    # Accepted, not applied: listed, exported in the DTSEN layout, then marked applied.
    accepted = client.get(reverse("web:usulan:accepted")).content.decode()
    assert request.number in accepted
    exported = client.get(reverse("web:usulan:accepted-export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode()), delimiter="|"))
    assert list(rows[0])[: len(SOURCE_COLUMNS)] == list(SOURCE_COLUMNS)
    assert (rows[0]["nomor_nik"], rows[0]["desil"], rows[0]["nomor_usulan"]) == (NIK_A, "2", request.number)
    assert rows[0]["desa_kelurahan"] and rows[0]["kecamatan"]
    assert AuditEvent.objects.filter(action="usulan.export").exists()
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("web:usulan:accepted-export", args=["xlsx"])).content)
    )
    sheet = book.active
    assert sheet is not None and sheet.cell(2, SOURCE_COLUMNS.index("nomor_nik") + 1).value == NIK_A

    response = client.post(reverse("web:usulan:accepted-apply"), {"ids": [str(request.pk)]}, follow=True)
    request.refresh_from_db()
    assert request.applied_at is not None and request.applied_by == kel.users["admin_dinas"]
    assert request.number not in client.get(reverse("web:usulan:accepted")).content.decode()
    # Marking twice is refused with a message; nothing changes.
    applied_at = request.applied_at
    response = client.post(reverse("web:usulan:accepted-apply"), {"ids": [str(request.pk)]}, follow=True)
    assert "tidak ada, sudah diterapkan" in response.content.decode()
    request.refresh_from_db()
    assert request.applied_at == applied_at


def _submit(world: World, persona: str = "operator_kelurahan", **kw: Any) -> DataUpdateRequest:
    values: dict[str, Any] = {
        "kind": "desil",
        "kode_kelurahan": KEL_A,
        "nik": NIK_A,
        "proposed": {"desil": 3},
    }
    values.update(kw)
    return actions.usulan_submit(acting_user=world.users[persona], **values)


def test_rejection_needs_a_reason_and_shows_it(client: Client, kel: World) -> None:
    request = _submit(kel)
    login(client, kel, "operator_kecamatan")
    response = client.post(reverse("web:usulan:reject", args=[request.number]), {"reason": "  "}, follow=True)
    assert "Alasan penolakan wajib diisi." in response.content.decode()
    request.refresh_from_db()
    assert request.state == "diajukan"
    assert not AuditEvent.objects.filter(action="usulan.reject").exists()

    client.post(
        reverse("web:usulan:reject", args=[request.number]), {"reason": "Desil sudah benar menurut DTSEN."}
    )
    request.refresh_from_db()
    assert (request.state, request.reason) == ("ditolak", "Desil sudah benar menurut DTSEN.")
    page = client.get(_detail(request.number)).content.decode()
    assert "Desil sudah benar menurut DTSEN." in page
    # A rejected request cannot be verified or accepted afterwards.
    login(client, kel, "admin_dinas")
    response = client.post(reverse("web:usulan:accept", args=[request.number]), follow=True)
    assert "hanya usulan yang sudah diverifikasi" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "ditolak"


def test_dinas_rejects_a_verified_request_but_the_kecamatan_no_longer_can(kel: World) -> None:
    request = actions.usulan_verify(request=_submit(kel), acting_user=kel.users["operator_kecamatan"])
    with pytest.raises(UserError, match="tidak bisa ditolak"):
        actions.usulan_reject(request=request, reason="x", acting_user=kel.users["operator_kecamatan"])
    done = actions.usulan_reject(request=request, reason="Data ganda", acting_user=kel.users["admin_dinas"])
    assert done.state == "ditolak"


def test_other_areas_get_404_on_the_request_and_its_attachment(client: Client, kel: World) -> None:
    request = _submit(kel, uploads=[Upload("ktp.png", PNG)])
    attachment = request.attachments.get()
    urls = [_detail(request.number), reverse("web:usulan:attachment", args=[request.number, attachment.pk])]
    for persona in ("operator_kelurahan_a2", "operator_kelurahan_b", "operator_kecamatan_b"):
        login(client, kel, persona)
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
        for action in ("verify", "accept", "reject"):
            response = client.post(reverse(f"web:usulan:{action}", args=[request.number]), {"reason": "x"})
            assert response.status_code in (403, 404), (persona, action)
        assert request.number not in client.get("/usulan/").content.decode()
    request.refresh_from_db()
    assert request.state == "diajukan"
    # The same pages work inside the area; a wrong attachment id of an own request is a 404 too.
    login(client, kel, "operator_kecamatan")
    assert [client.get(u).status_code for u in urls] == [200, 200]
    assert (
        client.get(reverse("web:usulan:attachment", args=[request.number, attachment.pk + 99])).status_code
        == 404
    )
    failed = AuditEvent.objects.filter(action="usulan.view", actor_label="operator_kelurahan_b").get()
    assert failed.after == {"found": False}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ktp.pdf", EXE, "bukan PDF, JPG, atau PNG"),
        ("program.exe", EXE, "bukan PDF, JPG, atau PNG"),
        ("ktp.pdf", PNG, "nama berkas tidak cocok dengan isinya"),
        ("besar.pdf", b"%PDF-" + b"0" * MAX_BYTES, "lebih dari 5 MB"),
        ("kosong.pdf", b"", "kosong"),
    ],
)
def test_bad_attachment_is_refused_clearly_and_nothing_is_stored(
    client: Client, kel: World, data_dir: Path, name: str, content: bytes, message: str
) -> None:
    login(client, kel, "operator_kelurahan")
    response = client.post(
        CREATE,
        _form(
            desil="2",
            lampiran=[
                SimpleUploadedFile("baik.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile(name, content, content_type="application/pdf"),
            ],
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    field_block = page.split('for="id_lampiran"')[1].split("</p>")[0]
    assert message in field_block  # shown next to the attachment field
    assert DataUpdateRequest.objects.count() == 0 and Attachment.objects.count() == 0
    assert _files(data_dir) == []
    assert not AuditEvent.objects.filter(action="usulan.submit").exists()


def test_bad_input_messages_and_area_checks(client: Client, kel: World) -> None:
    login(client, kel, "operator_kelurahan")
    # A kelurahan outside the operator's area is not even a choice in the form.
    response = client.post(CREATE, _form(kode_kelurahan=KEL_A2, desil="2"))
    assert response.status_code == 200 and "bukan salah satu dari pilihan" in response.content.decode()
    # And the action refuses it too (defence in depth).
    with pytest.raises(UserError, match="di luar wilayah"):
        _submit(kel, kode_kelurahan=KEL_B, nik=NIK_B)
    cases = [
        (_form(desil=""), "desil", "Isian &#x27;desil&#x27; wajib"),
        (_form(nik=""), "nik", "NIK wajib diisi"),
        (_form(nik="1234", desil="2"), "nik", "NIK tidak sah"),
        (_form(kind="baru", nik="", nama=""), "nama", "Nama wajib diisi"),
        (_form(kind="meninggal", tanggal_meninggal="2099-01-01"), "tanggal_meninggal", "tidak masuk akal"),
        (
            _form(kind="pindah", kode_kelurahan_baru="9999999999"),
            "kode_kelurahan_baru",
            "bukan kode kelurahan",
        ),
        (
            _form(kind="baru", nik="", nama="X", tanggal_lahir="1990-01-01", jenis_kelamin="P"),
            "alamat",
            "wajib",
        ),
        (_form(kind="lainnya"), "note", "perlu keterangan"),
    ]
    for data, field, message in cases:
        response = client.post(CREATE, data)
        page = response.content.decode()
        assert response.status_code == 200, message
        block = page.split(f'for="id_{field}"')[1].split("</p>")[0]
        assert message in block, (field, message)  # shown next to its field
    assert DataUpdateRequest.objects.count() == 0
    # A second open request of the same kind for the same NIK is refused.
    _submit(kel)
    response = client.post(CREATE, _form(desil="4"))
    assert "sedang diproses" in response.content.decode()
    assert DataUpdateRequest.objects.count() == 1


def test_new_person_without_nik(client: Client, kel: World) -> None:
    login(client, kel, "operator_kelurahan")
    response = client.post(
        CREATE,
        _form(
            kind="baru",
            nik="",
            nama="  dewi   lestari ",
            tanggal_lahir="1990-04-01",
            jenis_kelamin="P",
            alamat="JL. MELATI 3",
            rt="2",
            pekerjaan="PEDAGANG",
        ),
    )
    assert response.status_code == 302
    request = DataUpdateRequest.objects.get()
    assert (request.nik, request.nama) == ("", "DEWI LESTARI")
    assert request.proposed == {
        "tanggal_lahir": "1990-04-01",
        "jenis_kelamin": "P",
        "alamat": "JL. MELATI 3",
        "rt": "002",
        "pekerjaan": "PEDAGANG",
    }


def test_deceased_request_accepted_ends_the_membership(kel: World) -> None:
    from sigap.enrolment.models import Member, MemberExit

    member = _member(
        programme=kel.programme,
        run=kel.run,
        rank=1,
        nik=NIK_A,
        nama="SITI AMINAH",
        tanggal_lahir=dt.date(1980, 5, 5),
        jenis_kelamin="P",
        kode_kelurahan=KEL_A,
        pekerjaan="PEDAGANG",
        desil=1,
        state=Member.ACTIVE,
    )
    request = _submit(kel, kind="meninggal", proposed={"tanggal_meninggal": "2026-01-10"})
    actions.usulan_verify(request=request, acting_user=kel.users["operator_kecamatan"])
    actions.usulan_accept(request=request, acting_user=kel.users["admin_dinas"])
    member.refresh_from_db()
    exit_ = MemberExit.objects.get(member=member)
    assert (member.state, exit_.reason, exit_.date, exit_.source) == (
        Member.EXITED,
        MemberExit.DIED,
        dt.date(2026, 1, 10),
        "death_report",
    )
    assert request.number in exit_.note
    accept = AuditEvent.objects.get(action="usulan.accept")
    assert accept.after["member_exits"] == [kel.programme.code]


def test_list_filters_paginates_and_exports(client: Client, kel: World, settings: Any) -> None:
    import sigap.usulan.views as views

    first = _submit(kel)
    second = _submit(kel, kind="pekerjaan", proposed={"pekerjaan": "BURUH HARIAN LEPAS"})
    _submit(kel, "operator_kelurahan_b", kode_kelurahan=KEL_B, nik=NIK_B)
    actions.usulan_reject(
        request=second, reason="Tidak ada bukti", acting_user=kel.users["operator_kecamatan"]
    )

    login(client, kel, "operator_kecamatan")
    page = client.get("/usulan/").content.decode()
    assert first.number in page and second.number in page and "USL-" in page
    assert page.count('href="/usulan/USL-') == 2  # KEL_B's request is outside the kecamatan
    page = client.get("/usulan/", {"status": "ditolak"}).content.decode()
    assert second.number in page and first.number not in page
    page = client.get("/usulan/", {"jenis": "desil"}).content.decode()
    assert first.number in page and second.number not in page

    views.PAGE_SIZE, saved = 1, views.PAGE_SIZE
    try:
        page1 = client.get("/usulan/").content.decode()
        page2 = client.get("/usulan/", {"halaman": "2"}).content.decode()
    finally:
        views.PAGE_SIZE = saved
    assert "Halaman 1 dari 2" in page1 and "Halaman 2 dari 2" in page2
    assert (first.number in page1) != (first.number in page2)

    login(client, kel, "admin_dinas")
    response = client.get(reverse("web:usulan:export"), {"status": "diajukan"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    numbers = sorted(str(sheet.cell(r, 1).value) for r in range(2, sheet.max_row + 1))
    assert (
        len(numbers) == 2 and first.number in numbers
    )  # both areas for the Dinas, rejected one filtered out
    export = AuditEvent.objects.get(action="usulan.export")
    assert export.after["rows"] == 2 and export.actor_label == "admin_dinas"


def test_counts_only_for_pimpinan_and_kepala_dinas(client: Client, kel: World) -> None:
    request = _submit(kel)
    for persona in ("pimpinan", "kepala_dinas"):
        login(client, kel, persona)
        page = client.get("/usulan/").content.decode()
        assert request.number not in page and NIK_A not in page
        assert '<td class="num" data-total>1</td>' in page
        assert client.get(_detail(request.number)).status_code == 403
        assert client.get(reverse("web:usulan:export")).status_code == 403


def test_csrf_is_required_for_transitions(kel: World) -> None:
    request = _submit(kel)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(kel.users["operator_kecamatan"])
    assert strict.post(reverse("web:usulan:verify", args=[request.number])).status_code == 403
    request.refresh_from_db()
    assert request.state == "diajukan"


def test_attachments_added_later_scoped_checked_and_only_while_pending(
    client: Client, kel: World, data_dir: Path
) -> None:
    request = _submit(kel, uploads=[Upload("ktp.pdf", PDF)])
    url = reverse("web:usulan:attach", args=[request.number])
    login(client, kel, "operator_kecamatan")
    assert 'enctype="multipart/form-data"' in client.get(_detail(request.number)).content.decode()
    response = client.post(url, {"lampiran": [SimpleUploadedFile("virus.png", EXE)]}, follow=True)
    assert "bukan PDF, JPG, atau PNG" in response.content.decode()
    assert request.attachments.count() == 1 and len(_files(data_dir)) == 1
    response = client.post(url, {"lampiran": [SimpleUploadedFile("surat.png", PNG)]}, follow=True)
    assert "1 lampiran ditambahkan." in response.content.decode()
    assert sorted(a.original_name for a in request.attachments.all()) == ["ktp.pdf", "surat.png"]
    assert AuditEvent.objects.filter(action="usulan.attach", object_id=str(request.pk)).count() == 1

    login(client, kel, "operator_kelurahan_b")
    assert client.post(url, {"lampiran": [SimpleUploadedFile("a.png", PNG)]}).status_code == 404
    login(client, kel, "auditor")
    assert client.post(url, {"lampiran": [SimpleUploadedFile("a.png", PNG)]}).status_code == 403

    actions.usulan_reject(request=request, reason="Data ganda", acting_user=kel.users["admin_dinas"])
    login(client, kel, "operator_kecamatan")
    response = client.post(url, {"lampiran": [SimpleUploadedFile("b.png", PNG)]}, follow=True)
    assert "sudah diputuskan" in response.content.decode()
    assert request.attachments.count() == 2 and len(_files(data_dir)) == 2


def test_a_failure_after_the_files_were_written_leaves_no_file_and_no_row(
    kel: World, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full while writing the audit row")

    monkeypatch.setattr(actions, "audit_record", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _submit(kel, uploads=[Upload("ktp.pdf", PDF), Upload("foto.png", PNG)])
    assert DataUpdateRequest.objects.count() == 0 and Attachment.objects.count() == 0
    assert _files(data_dir) == []


def test_cli_exports_accepted_requests_and_marks_them_applied(kel: World, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from sigap.cli import _register, cli

    request = actions.usulan_verify(request=_submit(kel), acting_user=kel.users["operator_kecamatan"])
    actions.usulan_accept(request=request, acting_user=kel.users["admin_dinas"])
    _register()
    runner = CliRunner()
    out = tmp_path / "usulan.csv"
    args = ["usulan", "accepted", "--out", str(out), "--mark-applied", "--as", "admin_dinas", "--json"]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"file": str(out), "requests": 1, "marked_applied": 1}
    rows = list(csv.DictReader(io.StringIO(out.read_text()), delimiter="|"))
    assert [r["nomor_usulan"] for r in rows] == [request.number]
    request.refresh_from_db()
    assert request.applied_at is not None
    again = runner.invoke(cli, args, catch_exceptions=False)
    assert json.loads(again.output)["requests"] == 0
    # Only the Admin Dinas may mark requests applied: nothing is marked, the error is clear.
    other = actions.usulan_verify(
        request=_submit(kel, kind="pekerjaan", proposed={"pekerjaan": "PETANI"}),
        acting_user=kel.users["operator_kecamatan"],
    )
    actions.usulan_accept(request=other, acting_user=kel.users["admin_dinas"])
    out.unlink()
    refused = runner.invoke(cli, [*args[:-3], "--as", "operator_kecamatan", "--json"], catch_exceptions=False)
    assert not out.exists()  # nothing written when refused
    assert refused.exit_code == 2 and "tidak boleh" in json.loads(refused.output)["error"]
    other.refresh_from_db()
    assert other.applied_at is None
    bad = runner.invoke(
        cli, ["usulan", "accepted", "--out", str(tmp_path / "x.txt"), "--json"], catch_exceptions=False
    )
    assert bad.exit_code == 2 and ".csv or .xlsx" in json.loads(bad.output)["error"]


def test_list_sorts(client: Client, kel: World) -> None:
    first = _submit(kel)
    second = _submit(kel, kind="alamat", nik=NIK_A, proposed={"alamat": "JL. KENANGA 1"})
    login(client, kel, "operator_kelurahan")
    newest = client.get("/usulan/").content.decode()
    oldest = client.get("/usulan/", {"urut": "lama"}).content.decode()
    by_kind = client.get("/usulan/", {"urut": "jenis"}).content.decode()  # alamat < desil
    assert newest.index(second.number) < newest.index(first.number)
    assert oldest.index(first.number) < oldest.index(second.number)
    assert by_kind.index(second.number) < by_kind.index(first.number)


def test_a_death_report_never_ends_a_membership_outside_the_officers_area(kel: World) -> None:
    """The same NIK as a member of another region's programme (a typo, or a person who moved) is left
    alone: only the deciding officer's area is touched, and the audit row says what was left."""
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.enrolment.models import Member
    from sigap.programmes.models import Programme

    other = Programme.objects.create(
        code="JAMSOS-3216", name="Kab. Bekasi", region="3216", fiscal_year=2026, budget=1,
        coverage_start="2026-01", spec=kel.programme.spec,
    )  # fmt: skip
    far = _member(
        programme=other, run=kel.run, rank=1, nik=NIK_A, nama="SITI AMINAH", tanggal_lahir=dt.date(1980, 5, 5),
        jenis_kelamin="P", kode_kelurahan="3216011001", pekerjaan="PEDAGANG", desil=1, state=Member.ACTIVE,
    )  # fmt: skip
    kota_admin = user_create(
        username="admin.kota", password="x" * 12, role=roles.ADMIN_DINAS, area_code="3275"
    )
    request = _submit(kel, kind="meninggal", proposed={"tanggal_meninggal": "2026-01-10"})
    actions.usulan_verify(request=request, acting_user=kel.users["operator_kecamatan"])
    actions.usulan_accept(request=request, acting_user=kota_admin)
    far.refresh_from_db()
    assert far.state == Member.ACTIVE
    accept = AuditEvent.objects.get(action="usulan.accept")
    # the membership in the officer's own programme ends; the other region's is left alone
    assert (accept.after["member_exits"], accept.after["outside_area_not_exited"]) == (["SIGAP-2026"], 1)


def _member(**fields: Any) -> Any:
    """The member ``fields`` describe (the world's approved list may already hold them)."""
    from sigap.enrolment.models import Member

    programme, nik = fields.pop("programme"), fields.pop("nik")
    return Member.objects.update_or_create(programme=programme, nik=nik, defaults=fields)[0]
