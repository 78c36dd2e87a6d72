"""Import without a command line: an extract with other column names is mapped in the browser.

Upload -> the file's header and first rows with a choice per SIGAP column (suggested from the
names) -> preview (problems named by file, row, column and reason) -> the import job; the mapping
saved as a named profile is offered next time and used without asking when the header matches.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sigap.audit.models import AuditEvent
from sigap.core.columnmatch import header_signature, normalise, suggest
from sigap.core.schema import REQUIRED_SOURCE_COLUMNS, SOURCE_COLUMNS
from sigap.jobs.models import Job
from sigap.registry.models import ColumnMapping, Snapshot

from .helpers import person, registry_csv

pytestmark = pytest.mark.django_db

#: How a Dinsos office might name the DTSEN columns.
FOREIGN = {
    "iddtks": "ID_DTSEN",
    "provinsi": "PROPINSI",
    "kabupaten_kota": "KAB_KOTA",
    "kecamatan": "KEC",
    "desa_kelurahan": "KELURAHAN",
    "alamat": "ALAMAT_RUMAH",
    "dusun": "DUSUN",
    "rt": "RT",
    "rw": "RW",
    "nomor_kk": "NO_KK",
    "nomor_nik": "NIK",
    "nama": "NAMA_LENGKAP",
    "tanggal_lahir": "TGL_LAHIR",
    "tempat_lahir": "TMP_LAHIR",
    "jenis_kelamin": "JK",
    "nama_ibu_kandung": "NAMA_IBU",
    "hubungan_keluarga": "HUB_KELUARGA",
    "desil": "DESIL_NASIONAL",
    "pekerjaan": "PEKERJAAN_UTAMA",
}
HEADER = tuple(FOREIGN[c] for c in SOURCE_COLUMNS)


def foreign_rows(serials: tuple[int, ...] = (1, 2, 3), **overrides: Any) -> list[dict[str, Any]]:
    return [{FOREIGN[k]: v for k, v in person(i, **overrides).items()} for i in serials]


def foreign_csv(rows: list[dict[str, Any]] | None = None) -> bytes:
    return registry_csv(rows if rows is not None else foreign_rows(), columns=HEADER)


@pytest.fixture
def admin(client: Any, world: Any) -> Any:
    client.force_login(world.users["admin_dinas"])
    return world.users["admin_dinas"]


def _upload(client: Any, content: bytes, name: str = "dtsen_dinsos.csv") -> Any:
    return client.post(
        reverse("ops:imports"),
        {"kind": "registry", "reference_date": "2026-01-01", "file": SimpleUploadedFile(name, content)},
    )


def _choices(page: str) -> dict[str, str]:
    """The file column selected for each SIGAP column on the mapping page (the chosen ones)."""
    import re

    chosen: dict[str, str] = {}
    for select in re.finditer(r'<select name="col_(\w+)"[^>]*>(.*?)</select>', page, re.S):
        picked = re.search(r'<option value="([^"]*)" selected>', select.group(2))
        if picked and picked.group(1):
            chosen[select.group(1)] = picked.group(1)
    return chosen


def _mapping_post(choices: dict[str, str], **extra: str) -> dict[str, str]:
    return {**{f"col_{k}": v for k, v in choices.items()}, **extra}


# --------------------------------------------------------------------------- suggestions (pure)


def test_names_are_normalised_and_suggested_one_file_column_each() -> None:
    assert normalise(" Tgl. Lahir ") == "tanggal lahir" and normalise("\ufeffNo_KK") == "nomor kk"
    found = suggest(list(HEADER), SOURCE_COLUMNS)
    assert found == FOREIGN, {k: (v, FOREIGN[k]) for k, v in found.items() if v != FOREIGN[k]}
    # a column that looks like nothing is not guessed; a file column is never offered twice
    assert suggest(["KOLOM_X", "NIK"], ("nomor_nik", "nomor_kk")) == {"nomor_nik": "NIK"}
    assert header_signature(["NIK", "Nama "]) == header_signature(["nik", "NAMA", ""])
    assert header_signature(["NIK", "NAMA"]) != header_signature(["NAMA", "NIK"])


# --------------------------------------------------------------------------- the browser flow


def test_upload_map_preview_import_and_the_profile_next_time(client: Any, admin: Any, data_dir: Path) -> None:
    response = _upload(client, foreign_csv())
    assert response.status_code == 302 and not Job.objects.exists()
    mapping_url = response["Location"]
    assert mapping_url.startswith("/kelola/impor/pemetaan/")

    page = client.get(mapping_url).content.decode()
    # the file's header and its first rows, the SIGAP columns in words, the guesses selected
    assert "NAMA_LENGKAP" in page and "WARGA NOMOR 1" in page and "Tanggal lahir" in page
    assert "Pilihan awal ditebak dari kemiripan nama kolom" in page
    chosen = _choices(page)
    assert chosen == FOREIGN
    assert "--mapping" not in page and "TOML" not in page

    # preview: the rows as SIGAP reads them; a bad value named by file, row, column and reason
    bad = dict(chosen, desil="NAMA_LENGKAP", nama="DESIL_NASIONAL")
    preview = client.post(mapping_url, _mapping_post(bad, preview="1"))
    text = preview.content.decode()
    assert preview.status_code == 200 and "Pratinjau" in text
    assert (
        "dtsen_dinsos.csv, baris 2, kolom &#x27;NAMA_LENGKAP&#x27; (Desil): "
        "desil &#x27;WARGA NOMOR 1&#x27; bukan angka 1 sampai 10" in text
    )
    assert not Job.objects.exists()

    # a required column left out, one file column twice: said next to the choices, in words
    wrong = dict(chosen, nomor_nik="", nama="NO_KK")
    refused = client.post(mapping_url, _mapping_post(wrong, start="1"))
    text = refused.content.decode()
    assert refused.status_code == 400 and not Job.objects.exists()
    assert "Kolom wajib NIK belum dipilih" in text
    assert "Kolom berkas &#x27;NO_KK&#x27; sudah dipilih untuk" in text

    # import with the mapping, saved as a profile
    started = client.post(mapping_url, _mapping_post(chosen, start="1", profile_name="DTSEN Dinsos"))
    job = Job.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("ops:job-detail", args=[job.pk])
    assert job.state == Job.DONE, job.error
    assert job.result["accepted"] == 3 and job.params["profile"] == "DTSEN Dinsos"
    snapshot = Snapshot.objects.get(pk=job.result["snapshot"])
    assert snapshot.mapping["columns"]["nomor_nik"] == "NIK"
    profile = ColumnMapping.objects.get()
    assert (profile.name, profile.area_code, profile.kind) == ("DTSEN Dinsos", "3275", "registry")
    assert profile.columns == FOREIGN and profile.header == list(HEADER)
    event = AuditEvent.objects.get(action="mapping.save")
    assert event.actor == admin and event.object_id == str(profile.pk)
    # the waiting upload is gone from the session: the mapping page says so
    again = client.get(mapping_url, follow=True).content.decode()
    assert "Unggahan ini tidak ada lagi" in again

    # next time: the same header is imported with the profile without asking
    response = _upload(client, foreign_csv(foreign_rows((4, 5))), name="dtsen_maret.csv")
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("ops:job-detail", args=[job.pk])
    assert job.state == Job.DONE and job.result["accepted"] == 2
    assert job.params["mapping"] == profile.mapping and job.params["profile"] == "DTSEN Dinsos"
    page = client.get(response["Location"]).content.decode()
    assert "profil pemetaan kolom &#x27;DTSEN Dinsos&#x27; dipakai" in page

    # a different layout (one more column) asks again, and offers the profile, which fits
    wider = HEADER + ("CATATAN",)
    response = _upload(client, registry_csv(foreign_rows((6,)), columns=wider), name="lain.csv")
    assert "/pemetaan/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "DTSEN Dinsos" in page and "cocok dengan berkas ini" in page
    with_profile = client.get(response["Location"] + f"?profil={profile.pk}").content.decode()
    assert _choices(with_profile) == FOREIGN


def test_the_audit_log_reads_the_profile_in_words(client: Any, world: Any) -> None:
    from sigap.registry.actions import mapping_profile_save

    mapping_profile_save(
        name="Profil A", kind="registry", mapping={"columns": FOREIGN}, header=list(HEADER),
        acting_user=world.users["admin_dinas"],
    )  # fmt: skip
    client.force_login(world.users["auditor"])
    page = client.get(reverse("web:audit-log")).content.decode()
    assert "menyimpan profil pemetaan kolom &#x27;Profil A&#x27;" in page
    assert "melakukan tindakan" not in page


def test_an_xlsx_with_a_title_row_is_mapped(client: Any, admin: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DATA DTSEN KOTA BEKASI 2026"])
    sheet.append(list(HEADER))
    for row in foreign_rows((1, 2)):
        sheet.append([row[h] for h in HEADER])
    out = io.BytesIO()
    book.save(out)
    response = _upload(client, out.getvalue(), name="dtsen.xlsx")
    page = client.get(response["Location"]).content.decode()
    assert "Judul kolom di baris 2" in page and _choices(page) == FOREIGN
    started = client.post(response["Location"], _mapping_post(FOREIGN, start="1"))
    job = Job.objects.get()
    assert started.status_code == 302 and job.state == Job.DONE, job.error
    assert job.result["accepted"] == 2 and not ColumnMapping.objects.exists()


def test_cancel_removes_the_upload(client: Any, admin: Any, data_dir: Path) -> None:
    response = _upload(client, foreign_csv())
    assert len(list((data_dir / "uploads").iterdir())) == 1
    client.post(response["Location"], {"cancel": "1"})
    assert not list((data_dir / "uploads").iterdir()) and not Job.objects.exists()


def test_only_the_uploader_reaches_a_waiting_upload(client: Any, admin: Any, world: Any) -> None:
    from django.test import Client

    from sigap.accounts import roles
    from sigap.accounts.actions import user_create

    response = _upload(client, foreign_csv())
    colleague = user_create(
        username="admin.kedua", password="sandi-rahasia-1", role=roles.ADMIN_DINAS, area_code="3275"
    )
    other = Client()
    other.force_login(colleague)
    page = other.get(response["Location"], follow=True).content.decode()
    assert "Unggahan ini tidak ada lagi" in page
    assert other.post(response["Location"], _mapping_post(FOREIGN, start="1")).status_code == 302
    assert other.get("/kelola/impor/pemetaan/..%2F..%2Fetc/", follow=True).status_code in (200, 404)
    assert not Job.objects.exists()
    # the uploader, signed in again (another session), still finds it
    again = Client()
    again.force_login(admin)
    assert again.get(response["Location"]).status_code == 200


def test_a_file_with_the_sigap_names_skips_the_mapping_step(client: Any, admin: Any) -> None:
    response = _upload(client, registry_csv([person(1)]))
    job = Job.objects.get()
    assert response["Location"] == reverse("ops:job-detail", args=[job.pk]) and job.state == Job.DONE


def test_an_unreadable_upload_is_refused_in_words(client: Any, admin: Any, data_dir: Path) -> None:
    response = _upload(client, b"PK\x03\x04 not really a workbook", name="rusak.xlsx")
    text = response.content.decode()
    assert response.status_code == 400 and "rusak.xlsx" in text and not Job.objects.exists()
    assert not list((data_dir / "uploads").iterdir())


def test_profiles_belong_to_the_area(world: Any) -> None:
    from sigap.registry.actions import mapping_profile_for_header, mapping_profile_save, mapping_profiles

    admin = world.users["admin_dinas"]
    profile = mapping_profile_save(
        name=" DTSEN   Dinsos ", kind="registry", mapping={"columns": {"nomor_nik": "NIK"}},
        header=["NIK"], acting_user=admin,
    )  # fmt: skip
    assert profile.name == "DTSEN Dinsos"
    same = mapping_profile_save(
        name="DTSEN Dinsos", kind="registry", mapping={"columns": {"nomor_nik": "NO_NIK"}},
        header=["NO_NIK"], acting_user=admin,
    )  # fmt: skip
    assert same.pk == profile.pk and ColumnMapping.objects.count() == 1
    assert mapping_profile_for_header(admin, "registry", ["no_nik"]) == same
    assert list(mapping_profiles(admin, "roster")) == []
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create

    depok = user_create(
        username="admin.depok", password="sandi-rahasia-1", role=roles.ADMIN_DINAS, area_code="3276"
    )
    assert list(mapping_profiles(depok, "registry")) == []
    assert mapping_profile_for_header(depok, "registry", ["NO_NIK"]) is None
    # an operator of a kelurahan inside Kota Bekasi may use the city's profiles
    assert list(mapping_profiles(world.users["operator_kelurahan"], "registry")) == [same]


@pytest.mark.parametrize("required", REQUIRED_SOURCE_COLUMNS)
def test_every_required_column_has_words(required: str) -> None:
    from sigap.registry.columns import LABELS

    assert required in LABELS and "_" not in str(LABELS[required])


def test_the_command_line_takes_a_saved_profile_by_name(world: Any, tmp_path: Path, data_dir: Path) -> None:
    import json

    from click.testing import CliRunner

    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.cli import _register, cli
    from sigap.registry.actions import mapping_profile_save

    mapping_profile_save(name="DTSEN Dinsos", kind="registry", mapping={"columns": FOREIGN}, header=list(HEADER),
                         acting_user=world.users["admin_dinas"])  # fmt: skip
    path = tmp_path / "ekspor.csv"
    path.write_bytes(foreign_csv())
    _register()
    runner = CliRunner()
    args = ["registry", "import", str(path), "--reference-date", "2026-01-01", "--json", "--mapping"]
    result = runner.invoke(cli, [*args, "DTSEN Dinsos"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["accepted"] == 3
    assert Snapshot.objects.get(pk=out["snapshot"]).mapping == {"columns": dict(sorted(FOREIGN.items()))}

    # the same name in two areas: the command asks for AREA/NAME
    depok = user_create(
        username="admin.depok", password="sandi-rahasia-1", role=roles.ADMIN_DINAS, area_code="3276"
    )
    mapping_profile_save(name="DTSEN Dinsos", kind="registry", mapping={"columns": {"nomor_nik": "X"}},
                         header=["X"], acting_user=depok)  # fmt: skip
    refused = runner.invoke(cli, [*args, "DTSEN Dinsos"], catch_exceptions=False)
    assert (
        refused.exit_code == 2
        and "3275/DTSEN Dinsos" in refused.output
        and "3276/DTSEN Dinsos" in refused.output
    )
    chosen = runner.invoke(cli, [*args, "3275/DTSEN Dinsos"], catch_exceptions=False)
    assert chosen.exit_code == 0 and json.loads(chosen.output)["created"] is False
    unknown = runner.invoke(cli, [*args, "Tidak Ada"], catch_exceptions=False)
    assert unknown.exit_code == 2 and "Profil pemetaan kolom 'Tidak Ada' tidak ada" in unknown.output


def test_a_bpjs_roster_with_its_own_names_is_mapped(client: Any, admin: Any) -> None:
    import csv
    import datetime as dt

    from sigap.core.nik import make_nik

    names = {"nik": "NO_KTP", "kpj": "NO_KPJ", "nama": "NAMA_PESERTA", "tanggal_lahir": "TGL_LHR",
             "segmen": "SEGMEN", "status": "STATUS_KEPESERTAAN"}  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(names.values())
    for serial in (1, 2):
        nik = make_nik("327501", dt.date(1985, 3, 1), "L", serial)
        writer.writerow([nik, f"2500{serial:07d}", f"PESERTA {serial}", "1985-03-01", "BPU", "AKTIF"])
    response = client.post(
        reverse("ops:imports"),
        {
            "kind": "roster",
            "reference_date": "2026-01-01",
            "file": SimpleUploadedFile("bpjs.csv", out.getvalue().encode()),
        },
    )
    page = client.get(response["Location"]).content.decode()
    assert "Daftar peserta BPJS TK" in page and "Nomor KPJ" in page
    assert _choices(page) == names
    started = client.post(
        response["Location"], _mapping_post(names, start="1", profile_name="Ekspor BPJS TK")
    )
    job = Job.objects.get()
    assert started.status_code == 302 and job.state == Job.DONE, job.error
    assert job.result["accepted"] == 2 and ColumnMapping.objects.get().kind == "roster"


def test_a_waiting_upload_outlives_the_workers_clean_up_while_in_use(
    client: Any, admin: Any, data_dir: Path
) -> None:
    """The worker's clean-up removes uploads no job names after a lease (2 min); one waiting in the
    mapping step stays a day after its page was last opened."""
    import datetime as dt
    import os
    import time

    from sigap.jobs.cleanup import data_cleanup

    response = _upload(client, foreign_csv())
    folder = next((data_dir / "uploads").iterdir())
    hour_ago = time.time() - 3600
    for path in (folder, *folder.iterdir()):
        os.utime(path, (hour_ago, hour_ago))
    report = data_cleanup(now=timezone.now())
    assert folder.is_dir() and report.removed == []
    assert client.get(response["Location"]).status_code == 200  # opening the page keeps it longer
    report = data_cleanup(now=timezone.now() + dt.timedelta(hours=23))
    assert folder.is_dir() and report.removed == []
    report = data_cleanup(now=timezone.now() + dt.timedelta(hours=25))
    assert not folder.exists() and [r.path for r in report.removed] == [f"uploads/{folder.name}"]


def test_the_workbook_preview_reads_cells_as_the_import_does(tmp_path: Path) -> None:
    """The mapping step reads a workbook's first rows from its parts (not the whole shared-strings
    table): the same texts as the import's reader, dates and numbers included."""
    import datetime as dt

    from sigap.registry.ingest.peek import _xlsx_first_rows
    from sigap.registry.ingest.xlsx import _cell_text

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    book.create_sheet("Catatan").append(["bukan lembar pertama"])
    sheet.append(["JUDUL"])
    sheet.append([])
    sheet.append(["NIK", "TGL_LAHIR", "DESIL", "SKOR", "AKTIF", "NAMA"])
    sheet.append(["3275011105890001", dt.datetime(1989, 5, 11), 4, 0.25, True, "PARDI  Ä"])
    sheet.append([3275011105890002, dt.date(2001, 1, 2), 10.0, 1e20, False, None, "tambahan"])
    sheet["B5"].number_format = "dd/mm/yyyy"
    path = tmp_path / "contoh.xlsx"
    book.save(path)

    found = _xlsx_first_rows(path, want=10, columns=256)
    expected = []
    for number, row in enumerate(
        openpyxl.load_workbook(path, read_only=True, data_only=True)
        .worksheets[0]
        .iter_rows(values_only=True),
        start=1,
    ):
        texts = [_cell_text(v) or "" for v in row]
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            expected.append((number, texts))
    assert found == expected
    assert found[2] == (4, ["3275011105890001", "1989-05-11", "4", "0.25", "TRUE", "PARDI  Ä"])
