"""Kelola data > Cakupan pekerja rentan as the Admin Dinas uses it: reference figures (audited, own
area only) and a segment list uploaded from the browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/kelola/cakupan/"


def login(role: str, area: str, name: str | None = None) -> tuple[Client, Any]:
    from sigap.accounts.actions import user_create

    user = user_create(
        username=name or f"{role}-{area}", password="sandi-rahasia-1", role=role, area_code=area
    )
    client = Client()
    client.force_login(user)
    return client, user


def test_the_admin_dinas_enters_and_corrects_a_reference_figure(data_dir: Any) -> None:
    from sigap.audit.models import AuditEvent
    from sigap.coverage.models import ReferenceFigure

    assert reverse("coverage:references") == URL
    client, _user = login("admin_dinas", "3275")
    page = client.get(URL).content.decode()
    assert "Belum ada angka acuan." in page and 'value="3275"' in page
    form = {"region": "3275", "year": "2025", "estimate": "200.000", "source": "DPRD Kota Bekasi"}
    assert client.post(URL, form).status_code == 302
    form.update(estimate="210 000", note="revisi setelah rapat Pansus")
    response = client.post(URL, form, follow=True)
    page = response.content.decode()
    assert "Angka acuan 3275 tahun 2025 diperbarui." in page
    assert 'data-figure="estimate">210.000<' in page and "DPRD Kota Bekasi" in page
    figure = ReferenceFigure.objects.get()
    assert (figure.region, figure.year, figure.estimate) == ("3275", 2025, 210_000)
    events = list(AuditEvent.objects.filter(action="reference.set").order_by("id"))
    assert [e.before for e in events] == [
        None,
        {"estimate": 200_000, "source": "DPRD Kota Bekasi", "note": ""},
    ]
    assert events[1].after["estimate"] == 210_000 and events[1].area_code == "3275"


def test_bad_figures_are_refused_with_the_reason(data_dir: Any) -> None:
    client, _ = login("admin_dinas", "3275")
    response = client.post(
        URL, {"region": "3275", "year": "2025", "estimate": "dua ratus ribu", "source": "X"}
    )
    assert response.status_code == 400
    assert "bilangan bulat lebih dari 0" in response.content.decode()
    response = client.post(URL, {"region": "3275", "year": "2025", "estimate": "0", "source": "X"})
    assert response.status_code == 400


def test_another_region_is_neither_shown_nor_editable(data_dir: Any) -> None:
    from sigap.coverage.actions import reference_set
    from sigap.coverage.models import ReferenceFigure

    reference_set(region="3275", year=2025, estimate=123_457, source="Pansus DPRD 2025")
    client, _ = login("admin_dinas", "3216")  # Kabupaten Bekasi
    page = client.get(URL).content.decode()
    assert "123.457" not in page and "Pansus DPRD 2025" not in page
    response = client.post(URL, {"region": "3275", "year": "2025", "estimate": "1", "source": "X"})
    assert response.status_code == 400 and "di luar wilayah Anda" in response.content.decode()
    assert ReferenceFigure.objects.get().estimate == 123_457


@pytest.mark.parametrize("role", ["pimpinan", "kepala_dinas", "operator_kelurahan"])
def test_only_the_admin_dinas_opens_the_page(data_dir: Any, role: str) -> None:
    area = "3275011001" if role == "operator_kelurahan" else "3275"
    client, _ = login(role, area)
    assert client.get(URL).status_code == 403


def test_a_segment_list_uploaded_from_the_browser(data_dir: Any) -> None:
    from sigap.coverage.models import SegmentMember

    client, _ = login("admin_dinas", "3275")
    content = (
        b"NIK;Nama;Segmen;Kelurahan;Mulai\n"
        b"3275014505800001;AHMAD;RT/RW;3275011001;2026-01\n"
        b"3275014505800001;AHMAD LAGI;RT/RW;3275011001;2026-01\n"
    )
    upload = SimpleUploadedFile("rtrw.csv", content, content_type="text/csv")
    response = client.post(
        reverse("coverage:segment-import"),
        {"file": upload, "code": "rtrw-2026", "name": "RT/RW 2026", "year": "2026"},
        follow=True,
    )
    page = response.content.decode()
    assert "Segmen RTRW-2026: 1 orang diterima, 1 baris ditolak." in page
    assert "RT/RW 2026 (RTRW-2026)" in page
    assert SegmentMember.objects.get().programme.region == "3275"  # the officer's own area


def test_the_rejection_report_of_a_segment_list_is_downloaded_and_audited(data_dir: Any) -> None:
    from sigap.audit.models import AuditEvent
    from sigap.coverage.models import SegmentList

    client, _ = login("admin_dinas", "3275")
    content = (
        b"NIK,Nama,Segmen,Kelurahan\n3275014505800001,AHMAD,RT/RW,3275011001\n123,BUDI,RT/RW,3275011001\n"
    )
    upload = SimpleUploadedFile("rtrw.csv", content, content_type="text/csv")
    client.post(reverse("coverage:segment-import"), {"file": upload, "code": "RTRW-2026", "year": "2026"})
    found = SegmentList.objects.get()
    page = client.get(URL).content.decode()
    xlsx = reverse("coverage:segment-rejections", args=[found.pk, "xlsx"])
    assert xlsx in page
    response = client.get(xlsx)
    assert response.status_code == 200 and response["Content-Disposition"].endswith('penolakan.xlsx"')
    csv_text = b"".join(
        client.get(reverse("coverage:segment-rejections", args=[found.pk, "csv"])).streaming_content
    )
    assert b"nik_length" in csv_text
    assert AuditEvent.objects.filter(action="segment.rejections.download").count() == 2
    other, _ = login("admin_dinas", "3216")
    assert other.get(xlsx).status_code == 404


def test_a_segment_programme_offers_no_targeting_run(data_dir: Any) -> None:
    from sigap.programmes.models import Programme

    client, _ = login("admin_dinas", "3275")
    content = b"NIK,Nama,Segmen,Kelurahan\n3275014505800001,AHMAD,RT/RW,3275011001\n"
    upload = SimpleUploadedFile("rtrw.csv", content, content_type="text/csv")
    client.post(reverse("coverage:segment-import"), {"file": upload, "code": "RTRW-2026", "year": "2026"})
    programme = Programme.objects.get(code="RTRW-2026")
    assert "segmen yang sudah dibiayai" in client.get(reverse("ops:programmes")).content.decode()
    page = client.get(reverse("ops:programme-detail", args=[programme.pk])).content.decode()
    assert "data-segment" in page and reverse("ops:programme-run", args=[programme.pk]) not in page
