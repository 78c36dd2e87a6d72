"""The Admin Dinas screens driven as a person would: upload, follow the job, see the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sigap.audit.models import AuditEvent
from sigap.jobs.models import Job
from sigap.programmes.models import Programme, TargetingRun
from sigap.registry.models import Snapshot

from .helpers import good_rows, person, registry_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client: Any, world: Any) -> Any:
    client.force_login(world.users["admin_dinas"])
    return world.users["admin_dinas"]


def _post_import(client: Any, content: bytes, name: str = "dtsen_bekasi.csv", **extra: Any) -> Any:
    data = {
        "kind": "registry",
        "reference_date": "2026-01-01",
        "file": SimpleUploadedFile(name, content),
        **extra,
    }
    return client.post(reverse("ops:imports"), data)


def test_upload_follow_the_job_and_see_the_snapshot(client: Any, admin: Any, data_dir: Path) -> None:
    response = _post_import(client, registry_csv(good_rows()))
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == reverse("ops:job-detail", args=[job.pk])
    page = client.get(response["Location"])
    text = page.content.decode()
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    assert "Selesai" in text and 'http-equiv="refresh"' not in text
    assert "8 baris: 6 diterima, 2 ditolak." in text
    snapshot = Snapshot.objects.get(pk=job.result["snapshot"])
    assert reverse("ops:snapshot-detail", args=[snapshot.pk]) in text

    listing = client.get(reverse("ops:imports")).content.decode()
    assert (
        "dtsen_bekasi.csv" in listing
        and snapshot.content_sha256[:12] in listing
        and admin.username in listing
    )

    detail = client.get(reverse("ops:snapshot-detail", args=[snapshot.pk])).content.decode()
    # rejection reasons in words, never the validation's codes
    assert "NIK sama dengan baris sebelumnya" in detail and "desil" in detail
    assert "nik_duplicate" not in detail
    assert reverse("ops:snapshot-rejections", args=[snapshot.pk, "csv"]) in detail


def test_rejections_download_is_audited(client: Any, admin: Any, imported: Any) -> None:
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("ops:snapshot-rejections", args=[imported.pk, fmt]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert body
        if fmt == "csv":
            text = body.decode("utf-8-sig")
            assert text.splitlines()[0].startswith("file,row,column") and "nik_duplicate" in text
    events = AuditEvent.objects.filter(action="snapshot.rejections.download", object_id=str(imported.pk))
    assert events.count() == 2 and {e.actor for e in events} == {admin}
    assert client.get(reverse("ops:snapshot-rejections", args=[imported.pk, "pdf"])).status_code == 404


def test_bad_file_shows_the_failed_job_and_no_snapshot(client: Any, admin: Any) -> None:
    before = Snapshot.objects.count()
    response = _post_import(client, registry_csv([]), name="kosong.csv")
    page = client.get(response["Location"]).content.decode()
    assert "Gagal" in page and "kosong.csv: berkas hanya berisi judul kolom, tanpa baris data" in page
    listing = client.get(reverse("ops:imports")).content.decode()  # the failed import is listed there too
    assert "kosong.csv: berkas hanya berisi judul kolom, tanpa baris data" in listing
    assert "Traceback" not in page
    assert Snapshot.objects.count() == before


def test_a_file_over_the_size_limit_is_refused_next_to_the_field(
    client: Any, admin: Any, settings: Any
) -> None:
    settings.SIGAP_UPLOAD_MAX_BYTES = 100
    response = _post_import(client, registry_csv(good_rows()))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Berkas terlalu besar" in text and 'aria-invalid="true"' in text
    assert not Job.objects.exists()


def test_a_bad_mapping_file_is_refused_next_to_the_field(client: Any, admin: Any, data_dir: Path) -> None:
    mapping = SimpleUploadedFile("map.toml", b'[columns]\nnomor_nikk = "NIK"\n')
    response = _post_import(client, registry_csv(good_rows()), mapping=mapping)
    assert response.status_code == 400
    assert "map.toml" in response.content.decode()
    assert not Job.objects.exists() and not (data_dir / "uploads").exists(), "nothing stored"


def test_a_mapping_file_renames_the_columns(client: Any, admin: Any) -> None:
    from sigap.core.schema import SOURCE_COLUMNS

    header = tuple("NIK" if c == "nomor_nik" else c for c in SOURCE_COLUMNS)
    rows = [{("NIK" if k == "nomor_nik" else k): v for k, v in person(i).items()} for i in (1, 2)]
    mapping = SimpleUploadedFile("map.toml", b'[columns]\nnomor_nik = "NIK"\n')
    response = _post_import(client, registry_csv(rows, columns=header), mapping=mapping)
    job = Job.objects.get()
    assert response.status_code == 302 and job.state == Job.DONE, job.error
    assert job.result["accepted"] == 2
    assert Snapshot.objects.get(pk=job.result["snapshot"]).mapping == {"columns": {"nomor_nik": "NIK"}}


def test_running_job_page_refreshes_and_shows_progress(client: Any, admin: Any) -> None:
    job = Job.objects.create(
        kind=Job.SNAPSHOT_IMPORT, state=Job.RUNNING, progress_done=150, progress_total=500,
        message="Memeriksa data / validating", area_code="3275", created_by=admin,
    )  # fmt: skip
    text = client.get(reverse("ops:job-detail", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in text
    assert '<progress id="job-progress" max="100" value="30">' in text and "Memeriksa data" in text
    listing = client.get(reverse("ops:jobs")).content.decode()
    assert "30%" in listing


# --------------------------------------------------------------------------- programmes

FIELDS = {
    "form": "fields",
    "code": "SIGAP-2027",
    "name": "SIGAP 2027",
    "region": "3275",
    "fiscal_year": "2027",
    "budget": "Rp1.008.000",
    "coverage_start": "2027-01",
    "funding": "APBD",
    "income_bracket": "1000000",
    "desil_max": "5",
    "age_min": "18",
    "age_max": "60",
    "occupations_included": "informal",
    "occupations_excluded": "",
    "exclude_insured": "on",
    "exclude_aparat": "on",
    "exclude_deceased": "on",
    "order": "desil, occupation_risk, age_desc",
}


def test_define_a_programme_with_the_form(client: Any, admin: Any) -> None:
    response = client.post(reverse("ops:programmes"), FIELDS)
    programme = Programme.objects.get(code="SIGAP-2027")
    assert response.status_code == 302 and response["Location"] == reverse(
        "ops:programme-detail", args=[programme.pk]
    )
    assert (programme.budget, programme.version, programme.coverage_start) == (1_008_000, 1, "2027-01")
    assert AuditEvent.objects.filter(
        action="programme.apply", object_id=str(programme.pk), actor=admin
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "dibuat (versi 1)" in page and 'value="SIGAP 2027"' in page


def test_invalid_programme_shows_problems_next_to_the_fields_and_saves_nothing(
    client: Any, admin: Any
) -> None:
    bad = {**FIELDS, "budget": "0", "coverage_start": "2026-03", "order": "desil, shoe_size"}
    response = client.post(reverse("ops:programmes"), bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "web form: definisi program memuat" in text
    assert "harus lebih dari 0" in text and "di luar tahun anggaran 2027" in text and "shoe_size" in text
    assert text.count('aria-invalid="true"') >= 2
    assert not Programme.objects.filter(code="SIGAP-2027").exists()


def test_upload_a_programme_toml_and_update_it_to_a_new_version(client: Any, admin: Any, world: Any) -> None:
    toml = (
        b'[programme]\ncode = "SIGAP-2026"\nname = "SIGAP 2026 diperluas"\nregion = "3275"\nfiscal_year = 2026\n'
        b'budget = 604_800\ncoverage_start = "2026-01"\n'
    )
    response = client.post(
        reverse("ops:programmes"), {"form": "upload", "file": SimpleUploadedFile("p.toml", toml)}
    )
    assert response.status_code == 302
    programme = Programme.objects.get(code="SIGAP-2026")
    assert (programme.version, programme.budget, programme.name) == (2, 604_800, "SIGAP 2026 diperluas")

    edit = {**Programme_fields(programme), "budget": "806400"}
    response = client.post(reverse("ops:programme-detail", args=[programme.pk]), edit)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.version, programme.budget) == (3, 806_400)


def Programme_fields(programme: Programme) -> dict[str, Any]:  # noqa: N802 -- reads like the form it fills
    from sigap.jobs.forms import ProgrammeForm

    initial = ProgrammeForm.initial_from(programme.spec)
    data = {k: ("on" if v is True else v) for k, v in initial.items() if v is not False and v is not None}
    return data


def test_an_unknown_key_in_an_upload_is_refused_with_the_closest_key(client: Any, admin: Any) -> None:
    toml = (
        b'[programme]\ncode = "SIGAP-2026B"\nname = "SIGAP"\nregion = "3275"\nfiscal_year = 2026\n'
        b'budget = 604_800\ncoverage_start = "2026-01"\n[eligibility]\ndesil_mx = 3\n'
    )
    response = client.post(
        reverse("ops:programmes"), {"form": "upload", "file": SimpleUploadedFile("p.toml", toml)}
    )
    assert response.status_code == 400
    assert "[eligibility] desil_mx: unknown key, did you mean desil_max?" in response.content.decode()
    assert not Programme.objects.filter(code="SIGAP-2026B").exists()


def test_the_estimate_survives_an_edit_with_the_form(client: Any, admin: Any, world: Any) -> None:
    toml = (
        b'[programme]\ncode = "SIGAP-2026"\nname = "SIGAP 2026"\nregion = "3275"\nfiscal_year = 2026\n'
        b'budget = 604_800\ncoverage_start = "2026-01"\nestimated_vulnerable_workers = 200_000\n'
    )
    response = client.post(
        reverse("ops:programmes"), {"form": "upload", "file": SimpleUploadedFile("p.toml", toml)}
    )
    assert response.status_code == 302
    programme = Programme.objects.get(code="SIGAP-2026")
    assert programme.spec["programme"]["estimated_vulnerable_workers"] == 200_000
    edit = {**Programme_fields(programme), "budget": "806400"}
    assert edit["estimated_vulnerable_workers"] == 200_000
    assert client.post(reverse("ops:programme-detail", args=[programme.pk]), edit).status_code == 302
    programme.refresh_from_db()
    assert programme.budget == 806_400 and programme.to_spec().estimated_vulnerable_workers == 200_000


def test_a_toml_syntax_error_is_shown_next_to_the_upload(client: Any, admin: Any) -> None:
    response = client.post(
        reverse("ops:programmes"),
        {"form": "upload", "file": SimpleUploadedFile("p.toml", b"[programme\ncode=1")},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "p.toml: kesalahan penulisan TOML" in text and "line 1, column 11" in text


def test_a_programme_outside_the_admins_area_is_refused(client: Any, admin: Any) -> None:
    response = client.post(reverse("ops:programmes"), {**FIELDS, "region": "3216"})
    assert response.status_code == 400
    assert "Wilayah program 3216 di luar wilayah Anda (3275)" in response.content.decode()
    assert not Programme.objects.filter(code="SIGAP-2027").exists()


def test_start_a_run_from_the_programme_page_and_reach_the_run(client: Any, admin: Any, world: Any) -> None:
    page = client.get(reverse("ops:programme-detail", args=[world.programme.pk])).content.decode()
    assert reverse("ops:programme-run", args=[world.programme.pk]) in page
    snapshot = world.run.snapshot
    response = client.post(reverse("ops:programme-run", args=[world.programme.pk]), {"snapshot": snapshot.pk})
    job = Job.objects.get(kind=Job.TARGETING_RUN)
    assert response["Location"] == reverse("ops:job-detail", args=[job.pk])
    text = client.get(response["Location"]).content.decode()
    run = TargetingRun.objects.get(pk=job.result["run"])
    assert run.snapshot == snapshot and run.created_by == admin
    assert reverse("web:run-detail", args=[run.pk]) in text and "2 terpilih, 1 daftar tunggu" in text
    assert client.get(reverse("web:run-detail", args=[run.pk])).status_code == 200


def test_a_roster_cannot_be_chosen_as_the_registry(
    client: Any, admin: Any, world: Any, imported: Any
) -> None:
    from programmes.helpers import write_roster

    roster = write_roster(
        Path(world.run.snapshot.data_file).parents[1], [{"nik": "3275014505800001", "kpj": "1"}]
    )
    response = client.post(reverse("ops:programme-run", args=[world.programme.pk]), {"snapshot": roster.pk})
    assert response.status_code == 302 and not Job.objects.exists()
    assert "tidak sah" in client.get(response["Location"]).content.decode()


# --------------------------------------------------------------------------- users

NEW_USER = {"username": "op.bekasijaya", "password": "kata-sandi-panjang-9", "role": "operator_kelurahan",
            "area_code": "3275011001"}  # fmt: skip


def test_create_a_user_and_deactivate_it(client: Any, admin: Any) -> None:
    from django.contrib.auth import get_user_model

    response = client.post(reverse("ops:users"), NEW_USER)
    assert response.status_code == 302
    created = get_user_model().objects.get(username="op.bekasijaya")
    assert (created.profile.role, created.profile.area_code, created.is_active) == (
        "operator_kelurahan", "3275011001", True)  # fmt: skip
    assert created.check_password(NEW_USER["password"])
    assert AuditEvent.objects.filter(action="user.create", object_id=str(created.pk), actor=admin).exists()
    listing = client.get(reverse("ops:users")).content.decode()
    assert "op.bekasijaya" in listing and "Operator kelurahan" in listing

    response = client.post(reverse("ops:user-active", args=[created.pk, 0]))
    created.refresh_from_db()
    assert response.status_code == 302 and not created.is_active
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(created.pk)).exists()
    client.post(reverse("ops:user-active", args=[created.pk, 1]))
    created.refresh_from_db()
    assert created.is_active


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"area_code": "3275999999"}, "tidak ada di referensi wilayah"),
        ({"area_code": "3216012001"}, "di luar wilayah Anda"),
        ({"area_code": "3275"}, "harus 10 digit"),
        ({"username": "admin_dinas"}, "sudah dipakai"),
        ({"password": "pendek"}, "terlalu pendek"),
        ({"role": "dewa"}, "dewa"),
    ],
)
def test_bad_user_input_is_refused_next_to_the_field(
    client: Any, admin: Any, change: dict[str, str], message: str
) -> None:
    from django.contrib.auth import get_user_model

    count = get_user_model().objects.count()
    response = client.post(reverse("ops:users"), {**NEW_USER, **change})
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and 'aria-invalid="true"' in text
    assert get_user_model().objects.count() == count


def test_an_admin_cannot_deactivate_their_own_account(client: Any, admin: Any) -> None:
    response = client.post(reverse("ops:user-active", args=[admin.pk, 0]))
    admin.refresh_from_db()
    assert (
        admin.is_active
        and "tidak dapat menonaktifkan akun Anda sendiri" in client.get(response["Location"]).content.decode()
    )


def test_the_screens_speak_english_from_the_apps_catalogue(client: Any, admin: Any, settings: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(reverse("ops:imports")).content.decode()
    assert "Registry imports" in text and "Upload a file" in text and "Manage data" in text
    assert "Unggah berkas" not in text


def test_lists_filter_and_sort(client: Any, admin: Any, world: Any, imported: Any) -> None:
    def rows(text: str) -> list[str]:
        return text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]

    by_rejected = client.get(reverse("ops:imports") + "?sort=-rejected").content.decode()
    assert rows(by_rejected)[0].count(imported.source_name) == 1
    by_id = client.get(reverse("ops:imports") + "?sort=id").content.decode()
    assert imported.source_name not in rows(by_id)[0]  # the world's snapshot is older
    rosters = client.get(reverse("ops:imports") + "?kind=roster").content.decode()
    assert imported.source_name not in rosters
    assert client.get(reverse("ops:imports") + "?sort=password").status_code == 200  # unknown sort: default

    auditors = client.get(reverse("ops:users") + "?role=auditor").content.decode()
    assert "<td>auditor</td>" in auditors and "<td>pimpinan</td>" not in auditors

    Job.objects.create(
        kind=Job.SNAPSHOT_IMPORT, state=Job.FAILED, error="kosong.csv: no rows", area_code="3275"
    )
    Job.objects.create(kind=Job.TARGETING_RUN, state=Job.DONE, area_code="3275")
    failed = client.get(reverse("ops:jobs") + "?state=failed").content.decode()
    assert "kosong.csv: no rows" in failed and "Penetapan sasaran" not in failed.split("<tbody>")[1]


def test_the_reference_date_input_carries_an_iso_date_in_every_language(
    client: Any, admin: Any, settings: Any
) -> None:
    """A browser's date input ignores "23/11/2026": the upload form would refuse to submit."""
    from django.utils import timezone

    for language in ("id", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        text = client.get(reverse("ops:imports")).content.decode()
        assert f'type="date" name="reference_date" value="{timezone.localdate().isoformat()}"' in text, (
            language
        )


def test_a_job_nobody_picks_up_says_a_worker_is_missing(client: Any, admin: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    job = Job.objects.create(kind=Job.SNAPSHOT_IMPORT, area_code="3275", created_by=admin)
    url = reverse("ops:job-detail", args=[job.pk])
    assert "db_worker" not in client.get(url).content.decode()  # just queued: nothing to say yet
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    text = client.get(url).content.decode()
    assert "sigap manage db_worker" in text and '<meta http-equiv="refresh" content="2">' in text


def test_an_xlsx_upload_is_imported_and_the_same_file_again_reuses_its_snapshot(
    client: Any, admin: Any
) -> None:
    import io

    from openpyxl import Workbook

    from sigap.core.schema import SOURCE_COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append(list(SOURCE_COLUMNS))
    for row in good_rows(3):
        sheet.append([row.get(c, "") for c in SOURCE_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()

    client.post(reverse("ops:imports"), {"kind": "registry", "reference_date": "2026-01-01",
                                         "file": SimpleUploadedFile("dtsen.xlsx", content)})  # fmt: skip
    first = Job.objects.get()
    assert first.state == Job.DONE, first.error
    assert (first.result["accepted"], first.result["rejected"], first.result["created"]) == (3, 2, True)

    response = client.post(reverse("ops:imports"), {"kind": "registry", "reference_date": "2026-01-01",
                                                    "file": SimpleUploadedFile("lagi.xlsx", content)})  # fmt: skip
    again = Job.objects.exclude(pk=first.pk).get()
    assert again.result["snapshot"] == first.result["snapshot"] and again.result["created"] is False
    assert "sudah pernah diimpor" in client.get(response["Location"]).content.decode()
