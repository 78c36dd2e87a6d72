"""A programme that pays JHT on top of JKK + JKM: the budget cut, invoices (a JHT column and line),
their PDF and spreadsheets, and the realisation follow, and every figure adds up to the rupiah."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from factories import make_snapshot, programme_document
from sigap.audit.models import AuditEvent
from sigap.billing.actions import invoice_issue, invoice_line_reverse
from sigap.billing.models import Invoice, InvoiceLine
from sigap.billing.selectors import realisation
from sigap.core.money import Month
from sigap.programmes.actions import programme_apply, targeting_run

from .factories import make_members, make_programme

pytestmark = pytest.mark.django_db
JAN, FEB = Month(2026, 1), Month(2026, 2)
PREMIUM = 36_800  # JKK Rp10.000 + JKM Rp6.800 + JHT Rp20.000 at the Rp1.000.000 bracket
PARTS = {"jkk": 10_000, "jkm": 6_800, "jht": 20_000}


def test_a_rp2_billion_budget_selects_floor_of_budget_over_a_year_of_premiums(data_dir: Path) -> None:
    snapshot = make_snapshot(data_dir, people=5_000)  # every one of them eligible
    with_jht = programme_document("SIGAP-JHT", budget=2_000_000_000)
    with_jht["tariff"] = {"include_jht": True}
    programme, _, _ = programme_apply(document=with_jht, source_name="jht.toml")
    run = targeting_run(programme=programme, snapshot=snapshot, export=False)
    selected = 2_000_000_000 // (PREMIUM * 12)
    assert selected == 4_528
    assert (run.selected, run.waiting, run.cost_per_person) == (selected, 5_000 - selected, 441_600)
    assert run.cost == selected * 441_600 == 1_999_564_800 and run.remaining == 435_200
    assert run.cost + run.remaining == run.budget == 2_000_000_000
    assert run.spec["tariff"] == {"income_bracket": 1_000_000, "include_jht": True}

    # the same budget without JHT takes all 5,000 (room for 9,920: DOMAIN.md section 1)
    plain, _, _ = programme_apply(
        document=programme_document("SIGAP-TANPA-JHT", budget=2_000_000_000, region="3216"),
        source_name="plain.toml",
    )
    assert "include_jht" not in plain.spec["tariff"]  # programmes without JHT keep their digest
    assert plain.to_spec().cost_per_person() == 201_600
    assert 2_000_000_000 // plain.to_spec().cost_per_person() == 9_920


def test_invoices_carry_jht_and_add_up_to_the_rupiah() -> None:
    programme = make_programme(tariff={"include_jht": True})
    make_members(programme, 7)
    jan = invoice_issue(programme=programme, month=JAN)
    assert jan.premium_components == PARTS and jan.premium == PREMIUM
    assert jan.total == 7 * PREMIUM == 257_600 == sum(jan.lines.values_list("amount", flat=True))
    assert jan.component_totals() == {"jkk": 70_000, "jkm": 47_600, "jht": 140_000}
    assert sum(jan.component_totals().values()) == jan.total
    event = AuditEvent.objects.get(action="invoice.issue", object_id=str(jan.pk))
    assert event.after["premium_components"] == PARTS and event.after["component_totals"]["jht"] == 140_000

    line = jan.lines.first()
    assert line is not None
    invoice_line_reverse(line=line, reason="meninggal sebelum Januari")
    jan.refresh_from_db()
    assert jan.total == 6 * PREMIUM and sum(jan.component_totals().values()) == jan.total
    assert jan.component_totals()["jht"] == 6 * 20_000

    # a programme without JHT keeps JKK + JKM
    plain = make_programme(code="SIGAP-POLOS")
    make_members(plain, 2, first_rank=500)
    plain_jan = invoice_issue(programme=plain, month=JAN)
    assert plain_jan.premium_components == {"jkk": 10_000, "jkm": 6_800} and plain_jan.total == 2 * 16_800


def _superuser() -> Client:
    user = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    client = Client()
    client.force_login(user)
    return client


def test_the_invoice_pdf_and_spreadsheets_show_a_jht_column_and_line() -> None:
    programme = make_programme(tariff={"include_jht": True})
    make_members(programme, 3)
    jan = invoice_issue(programme=programme, month=JAN)
    first = jan.lines.order_by("id").first()
    assert first is not None
    invoice_line_reverse(line=first, reason="koreksi")
    jan.refresh_from_db()
    client = _superuser()
    url = reverse("web:invoice-detail", args=[jan.pk])

    text = "\n".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(client.get(url, {"format": "pdf"}).content)).pages
    )
    flat = " ".join(text.split())
    assert "TAGIHAN IURAN BPJS KETENAGAKERJAAN (JKK + JKM + JHT)" in flat
    assert "Jaminan Hari Tua (JHT) 2 Rp20.000 Rp40.000" in flat  # 2 members not reversed x Rp20.000
    assert "Jaminan Kecelakaan Kerja (JKK) 2 Rp10.000 Rp20.000" in flat
    assert "Jaminan Kematian (JKM) 2 Rp6.800 Rp13.600" in flat
    assert "Jumlah Rp36.800 Rp73.600" in flat  # the parts add up to the invoice total
    assert "JKK JKM JHT Jumlah" in flat
    assert "10.000 6.800 20.000 36.800" in flat and "-10.000 -6.800 -20.000 -36.800" in flat
    assert "Jatuh tempo : 15 Januari 2026" in flat

    lines = list(
        openpyxl.load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active.iter_rows(
            values_only=True
        )
    )
    header = next(i for i, row in enumerate(lines) if row and row[0] == "NIK")
    assert lines[header][-3:] == ("JKK", "JKM", "JHT")
    body = [row for row in lines[header + 1 :] if row and row[0]]
    assert len(body) == 4  # three premium lines and one reversal
    for row in body:
        amount, parts = row[5], row[-3:]
        assert sum(parts) == amount and abs(amount) == PREMIUM

    listing = list(
        openpyxl.load_workbook(
            io.BytesIO(
                client.get(reverse("web:invoice-list", args=[programme.pk]), {"format": "xlsx"}).content
            )
        ).active.iter_rows(values_only=True)
    )
    head = next(i for i, row in enumerate(listing) if row and row[0] == "Nomor")
    row = listing[head + 1]
    assert listing[head][-3:] == ("JKK", "JKM", "JHT") and row[4] == jan.total == sum(row[-3:])

    page = client.get(url)
    assert page.status_code == 200 and 'id="premium-components"' in page.text
    assert "Rp40.000" in page.text and "Rp73.600" in page.text


def test_realisation_follows_jht_per_programme() -> None:
    programme = make_programme(tariff={"include_jht": True})
    make_members(programme, 10)
    invoice_issue(programme=programme, month=JAN)
    invoice_issue(programme=programme, month=FEB)
    r = realisation(programme=programme, on=dt.date(2026, 2, 20))
    assert r.invoiced == 2 * 10 * PREMIUM and r.committed == 10 * 10 * PREMIUM
    assert r.adds_up() and r.components_add_up()
    parts = {c: (i, k) for c, i, k in r.by_component}
    assert parts == {
        "jkk": (200_000, 1_000_000),
        "jkm": (136_000, 680_000),
        "jht": (400_000, 2_000_000),
    }
    assert r.cost_per_new_member == 10 * PREMIUM  # March..December
    page = _superuser().get(reverse("web:realisation", args=[programme.pk]), {"on": "2026-02-20"})
    assert page.status_code == 200 and 'id="by-component"' in page.text and "Rp2.400.000" in page.text


def test_invoices_issued_before_keep_jkk_and_jkm_after_the_migration() -> None:
    programme = make_programme()
    make_members(programme, 2)
    invoice = invoice_issue(programme=programme, month=JAN)
    Invoice.objects.filter(pk=invoice.pk).update(premium_components={})
    migration = importlib.import_module("sigap.billing.migrations.0003_invoice_premium_components")
    migration.backfill(apps, None)
    invoice.refresh_from_db()
    assert invoice.premium_components == {"jkk": 10_000, "jkm": 6_800}
    # a line whose amount does not match the tariff keeps no breakdown
    InvoiceLine.objects.filter(invoice=invoice).update(amount=1)
    Invoice.objects.filter(pk=invoice.pk).update(premium_components={})
    migration.backfill(apps, None)
    invoice.refresh_from_db()
    assert invoice.premium_components == {}
