"""The member page after the arrears window closed and after a reinstatement (ADR 0015)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from sigap.enrolment.models import Member

from .conftest import NIK_A

pytestmark = pytest.mark.django_db


def test_the_member_page_stops_advising_to_pay_arrears_when_the_window_closed(
    enrolled: Any, login: Any, today: Any
) -> None:
    from sigap.billing.actions import invoice_issue, lapse_check, payment_record
    from sigap.core.money import Month
    from sigap.enrolment.lifecycle import member_reinstate

    programme, admin = enrolled.programme, enrolled.users["admin_dinas"]
    january = invoice_issue(programme=programme, month=Month(2026, 1))
    payment_record(
        programme=programme, sp2d_number="SP2D-1", sp2d_date=dt.date(2026, 1, 12), amount=january.total
    )
    for month in range(2, 6):
        invoice_issue(programme=programme, month=Month(2026, month))
    member = Member.objects.get(nik=NIK_A)
    url = reverse("web:member-detail", args=[member.pk])
    client = login(enrolled.users["kepala_dinas"])

    today.value = dt.date(2026, 4, 20)  # February..April in arrears, payable until 30 April
    assert "Tunggakan dapat dibayar sampai 30 April 2026" in client.get(url).text

    today.value = dt.date(2026, 5, 5)  # the window closed; the membership has not ended yet
    page = client.get(url).text
    assert "Tunggakan dapat dibayar sampai" not in page
    assert "Batas pembayaran tunggakan sudah lewat (30 April 2026)" in page
    assert "Tidak dibayar (batas tunggakan lewat)" in page

    lapse_check(programme=programme, on=dt.date(2026, 5, 20), acting_user=admin)
    today.value = dt.date(2026, 6, 1)
    page = client.get(url).text
    assert "Tunggakan dapat dibayar sampai" not in page
    assert "Kepesertaan berakhir karena tunggakan pada 16 Mei 2026" in page
    assert "Januari 2026 – Mei 2026 (Iuran tidak dibayar &gt; 3 bulan)" in page

    member_reinstate(
        member=member,
        accepted_on=dt.date(2026, 7, 2),
        reference="BPJS TK 77/2026",
        note="SP2D terlambat",
        today=dt.date(2026, 7, 6),
        acting_user=admin,
    )
    today.value = dt.date(2026, 7, 6)
    page = client.get(url).text
    assert "Juli 2026 – sekarang" in page and "Pemulihan kepesertaan (dana APBD terlambat)" in page
    assert "BPJS TK 77/2026" in page and "dilindungi lagi mulai Juli 2026" in page
    assert "Kepesertaan berakhir karena tunggakan" not in page  # the current membership has not lapsed
