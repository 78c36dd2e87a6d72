"""Every money page x every persona x own/other area -> the expected HTTP status; writes by readers -> 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from sigap.billing.actions import invoice_issue
from sigap.core.money import Month
from sigap.enrolment.models import EnrolmentBatch, Member

from .conftest import NIK_A, NIK_B

pytestmark = pytest.mark.django_db

PAGES = [
    "home",
    "members",
    "members_export",
    "member_own_area",
    "member_other_area",
    "batches",
    "batch_detail",
    "batch_download",
    "invoices",
    "invoice_detail",
    "payments",
    "realisation",
    "exits",
    "members_other_region",
    "invoices_other_region",
    "realisation_other_region",
]

# Columns follow PAGES.  302 = to the login page; 404 = outside the user's area (never 403).
MATRIX = {
    "anonymous": [302] * 16,
    "no_profile": [403] * 16,
    "admin_dinas": [200] * 13 + [404, 404, 404],
    "kepala_dinas": [200] * 12 + [403, 404, 404, 404],
    "auditor": [200] * 12 + [403, 404, 404, 404],
    "pimpinan": [200] + [403] * 10 + [200, 403, 403, 403, 404],
    "operator_kecamatan": [200, 200, 200, 200, 404] + [403] * 8 + [404, 403, 403],
    "operator_kelurahan": [200, 200, 200, 200, 404] + [403] * 8 + [404, 403, 403],
    "superuser": [200] * 16,
}


def _urls(world: Any, elsewhere: Any) -> dict[str, str]:
    programme = world.programme
    batch = EnrolmentBatch.objects.get(programme=programme)
    invoice = invoice_issue(programme=programme, month=Month(2026, 1))
    member_a = Member.objects.get(nik=NIK_A)
    member_b = Member.objects.get(nik=NIK_B)
    p = programme.pk
    return {
        "home": reverse("web:money"),
        "members": reverse("web:member-list", args=[p]),
        "members_export": reverse("web:member-export", args=[p]),
        "member_own_area": reverse("web:member-detail", args=[member_a.pk]),
        "member_other_area": reverse("web:member-detail", args=[member_b.pk]),
        "batches": reverse("web:batch-list", args=[p]),
        "batch_detail": reverse("web:batch-detail", args=[batch.pk]),
        "batch_download": reverse("web:batch-download", args=[batch.pk, "csv"]),
        "invoices": reverse("web:invoice-list", args=[p]),
        "invoice_detail": reverse("web:invoice-detail", args=[invoice.pk]),
        "payments": reverse("web:payment-list", args=[p]),
        "realisation": reverse("web:realisation", args=[p]),
        "exits": reverse("web:exits", args=[p]),
        "members_other_region": reverse("web:member-list", args=[elsewhere.pk]),
        "invoices_other_region": reverse("web:invoice-list", args=[elsewhere.pk]),
        "realisation_other_region": reverse("web:realisation", args=[elsewhere.pk]),
    }


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_permission_matrix(persona: str, enrolled: Any, elsewhere: Any, today: Any, login: Any) -> None:
    today.value = dt.date(2026, 2, 1)
    urls = _urls(enrolled, elsewhere)
    client = login(None if persona == "anonymous" else enrolled.users[persona])
    got = {page: client.get(urls[page]).status_code for page in PAGES}
    assert got == dict(zip(PAGES, MATRIX[persona], strict=True))


def test_menu_entry_only_for_roles_with_a_money_page(enrolled: Any, login: Any) -> None:
    url = reverse("web:money")
    for persona, expected in [("admin_dinas", True), ("pimpinan", True), ("operator_kelurahan", True)]:
        assert (
            f'href="{url}"' in login(enrolled.users[persona]).get(reverse("web:citizen-check")).text
        ) is expected
    assert url not in login(enrolled.users["no_profile"]).get(reverse("web:citizen-check")).text


@pytest.mark.parametrize(
    "persona", ["kepala_dinas", "auditor", "pimpinan", "operator_kecamatan", "operator_kelurahan"]
)
def test_readers_cannot_write(persona: str, enrolled: Any, login: Any, today: Any) -> None:
    """Every write form refuses a POST by a role that may only read (or not even that): 403, nothing changes."""
    from sigap.audit.models import AuditEvent
    from sigap.billing.models import Invoice, Payment

    p = enrolled.programme.pk
    member = Member.objects.get(nik=NIK_A)
    batch = EnrolmentBatch.objects.get(programme=enrolled.programme)
    client = login(enrolled.users[persona])
    before = AuditEvent.objects.exclude(action__in=["member.view", "member.list"]).count()
    posts = [
        (
            reverse("web:member-detail", args=[member.pk]),
            {"reason": "died", "date": "2026-02-01", "note": "x"},
        ),
        (reverse("web:batch-list", args=[p]), {"coverage_start": "2026-02"}),
        (reverse("web:batch-detail", args=[batch.pk]), {}),
        (reverse("web:invoice-list", args=[p]), {"month": "2026-01"}),
        (
            reverse("web:payment-list", args=[p]),
            {"action": "record", "sp2d_number": "1", "sp2d_date": "2026-01-10", "amount": "33600"},
        ),
        (reverse("web:exits", args=[p]), {"action": "lapse", "on": "2026-06-01"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    member.refresh_from_db()
    assert member.state == Member.ACTIVE
    assert not Invoice.objects.exists() and not Payment.objects.exists()
    assert AuditEvent.objects.exclude(action__in=["member.view", "member.list"]).count() == before


def test_pages_in_english(enrolled: Any, login: Any, settings: Any) -> None:
    client = login(enrolled.users["admin_dinas"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    home = client.get(reverse("web:money"))
    assert "Members &amp; premiums" in home.text and "Enrolment batches" in home.text
    realisation = client.get(reverse("web:realisation", args=[enrolled.programme.pk]))
    assert "Allocated = paid + outstanding + committed + remaining" in realisation.text


def test_programme_wide_pages_need_an_area_holding_the_whole_region(enrolled: Any, login: Any) -> None:
    """A province programme is visible to a kota's officers (their areas overlap), but its batches,
    invoices, payments and exits name people province-wide: only members of their own area are theirs."""
    from sigap.billing.actions import invoice_issue
    from sigap.core.money import Month
    from sigap.enrolment.models import EnrolmentBatch

    programme = enrolled.programme
    invoice = invoice_issue(programme=programme, month=Month(2026, 1))
    batch = EnrolmentBatch.objects.get(programme=programme)
    type(programme).objects.filter(pk=programme.pk).update(region="32")  # now Jawa Barat-wide
    client = login(enrolled.users["admin_dinas"])  # area 3275, Kota Bekasi
    whole = [
        reverse("web:batch-list", args=[programme.pk]),
        reverse("web:batch-detail", args=[batch.pk]),
        reverse("web:batch-download", args=[batch.pk, "csv"]),
        reverse("web:invoice-list", args=[programme.pk]),
        reverse("web:invoice-detail", args=[invoice.pk]),
        reverse("web:payment-list", args=[programme.pk]),
        reverse("web:exits", args=[programme.pk]),
    ]
    assert {url: client.get(url).status_code for url in whole} == dict.fromkeys(whole, 404)
    # the members of the officer's own area stay reachable
    assert client.get(reverse("web:member-list", args=[programme.pk])).status_code == 200
