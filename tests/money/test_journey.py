"""One programme month end to end in the browser: approve, enrol, answer, invoice, pay, see the realisation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sigap.billing.models import Invoice
from sigap.enrolment.models import EnrolmentBatch, Member
from sigap.programmes.models import TargetingRun

from .conftest import ACCEPT_BOTH, NIK_A, NIK_B, write_response

pytestmark = pytest.mark.django_db


def test_from_approval_to_paid_realisation(world: Any, login: Any, today: Any, tmp_path: Path) -> None:
    admin, kepala = login(world.users["admin_dinas"]), login(world.users["kepala_dinas"])
    pimpinan, operator = login(world.users["pimpinan"]), login(world.users["operator_kelurahan"])
    p = world.programme.pk
    assert admin.post(reverse("web:approval-submit", args=[world.run.pk])).status_code == 302
    decree = {
        "sk_number": "800/Kep.017-Disnaker/2025",
        "sk_date": "2025-12-01",
        "sk_place": "Bekasi",
        "signatory_name": "Drs. H. Ahmad Fauzi, M.Si.",
        "signatory_title": "Kepala Dinas Tenaga Kerja Kota Bekasi",
    }
    assert kepala.post(reverse("web:approval-approve", args=[world.run.pk]), decree).status_code == 302
    assert Member.objects.filter(state=Member.APPROVED).count() == 2

    today.value = dt.date(2025, 12, 10)
    exported = admin.post(reverse("web:batch-list", args=[p]), {"coverage_start": "2026-01"})
    batch = EnrolmentBatch.objects.get()
    today.value = dt.date(2026, 1, 20)
    answer = write_response(tmp_path, ACCEPT_BOTH)
    admin.post(exported["Location"], {"file": SimpleUploadedFile(answer.name, answer.read_bytes())})
    assert set(Member.objects.values_list("state", flat=True)) == {Member.ACTIVE}
    world.run.refresh_from_db()
    assert world.run.state == TargetingRun.ENROLLED and batch.lines.filter(status="accepted").count() == 2

    admin.post(reverse("web:invoice-list", args=[p]), {"month": "2026-01"})
    invoice = Invoice.objects.get()
    admin.post(
        reverse("web:payment-list", args=[p]),
        {
            "action": "record",
            "sp2d_number": "SP2D-001",
            "sp2d_date": "2026-01-14",
            "amount": str(invoice.total),
            "exact": "on",
        },
    )
    invoice.refresh_from_db()
    assert invoice.state == Invoice.PAID

    today.value = dt.date(2026, 1, 31)
    figures = pimpinan.get(reverse("web:realisation", args=[p])).context["r"]
    assert (figures.invoiced, figures.paid, figures.outstanding) == (33_600, 33_600, 0)
    assert figures.committed == 2 * 11 * 16_800 and figures.remaining == 0 and figures.adds_up()

    home = operator.get(reverse("web:money"))
    assert home.context["rows"][0]["total"] == 1  # only kelurahan A's member
    members = operator.get(reverse("web:member-list", args=[p]))
    assert NIK_A in members.text and NIK_B not in members.text
