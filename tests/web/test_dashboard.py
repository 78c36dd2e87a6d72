"""The leaders' dashboard: the same figures as the money pages ("keluar" and "ditolak BPJS TK"
apart everywhere), charts' data in a JSON block with the same numbers as the tables, no rows of
zeros, the map data, the audited Excel download."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.core.money import Month
from sigap.core.realisation import straight_line_plan
from web.leaders import DAY, NIK_COVERED, NIK_EXITED, NIK_REJECTED, Leaders, build

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'data-figure="([\w-]+)">([^<]*)<')
AMOUNT = re.compile(r'id="(\w+)">([^<]*)<')


@pytest.fixture
def leaders(data_dir: Path, clock: Any) -> Leaders:
    clock(DAY)
    return build(data_dir)


def _page(user: Any, url: str, language: str = "id") -> str:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _figures(page: str) -> dict[str, str]:
    return dict(FIGURE.findall(page))


def _number(text: str) -> int:
    return int(text.replace("Rp", "").replace(".", "").strip())


def _charts(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="dasbor-data-\d+" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None, "the chart data block"
    charts: dict[str, Any] = json.loads(found.group(1))["charts"]
    return charts


def test_dashboard_and_money_pages_show_the_same_figures(leaders: Leaders) -> None:
    """Render the dashboard and the money pages and compare what they print: members covered,
    waiting for BPJS TK, exited, rejected by BPJS TK; premiums paid, outstanding, invoiced."""
    pk = leaders.programme.pk
    dashboard = _figures(_page(leaders.users["pimpinan"], reverse("web:home")))
    realisation_page = _page(leaders.users["pimpinan"], reverse("web:realisation", args=[pk]))
    realisation = _figures(realisation_page)
    amounts = dict(AMOUNT.findall(realisation_page))
    money_home = _figures(_page(leaders.users["kepala_dinas"], reverse("web:money")))
    members = ("covered", "pending", "exited", "rejected", "members")
    expected = {"covered": 1, "pending": 0, "exited": 1, "rejected": 1, "members": 1}
    assert {k: _number(dashboard[k]) for k in members} == expected
    assert {k: _number(realisation[k]) for k in members} == expected
    assert {k: _number(money_home[k]) for k in members if k != "members"} == {
        k: v for k, v in expected.items() if k != "members"
    }
    # money: the dashboard's aggregates and the realisation page, for the same day
    assert _number(dashboard["premiums-paid"]) == _number(amounts["paid"]) == 2 * 16_800
    assert _number(dashboard["outstanding"]) == _number(amounts["outstanding"]) == 0
    assert _number(dashboard["budget-used"]) == _number(amounts["invoiced"])


def test_keluar_never_counts_the_rejected(leaders: Leaders) -> None:
    from sigap.enrolment.figures import member_figures
    from sigap.enrolment.models import Member
    from sigap.status.selectors import dashboard_figures

    states = dict(Member.objects.filter(programme=leaders.programme).values_list("nik", "state"))
    assert states == {NIK_COVERED: "active", NIK_EXITED: "exited", NIK_REJECTED: "rejected"}
    found = dashboard_figures(leaders.programme)
    assert found is not None
    totals = found["totals"]
    live = member_figures(Member.objects.filter(programme=leaders.programme))
    for key in ("covered", "pending", "exited", "rejected", "members"):
        assert totals[key] == live[key], key
    page = _page(leaders.users["pimpinan"], reverse("web:home"))
    assert "Keluar: <span" in page and "Ditolak BPJS TK: <span" in page


def test_headline_defines_the_coverage_base_on_screen(leaders: Leaders) -> None:
    page = _page(leaders.users["pimpinan"], reverse("web:home"))
    figures = _figures(page)
    # 1 covered of 4 eligible (the waiting list + everybody the list took, exited and rejected too)
    assert figures["covered-share"] == "25,00%"
    assert "1 ÷ 4" in page and "Terlindungi ÷ memenuhi syarat di daftar yang berlaku" in page
    assert "dari pagu Rp604.800" in page and "Klaim dibayarkan ke keluarga" in page


def test_no_rows_of_zeros_and_one_table_per_subject(leaders: Leaders) -> None:
    page = _page(leaders.users["pimpinan"], reverse("web:home"))
    desil = page.split("Tabel angka: Peserta per desil")[1].split("</tbody>")[0]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>', desil)
    assert rows == ["1", "2", "4"]  # desil 7 has a person, nobody eligible: no row
    assert page.count("Peserta per kecamatan</caption>") == 1  # one kecamatan table, not two
    assert page.count('<details class="data">') == 6  # each chart's numbers, and the kelurahan table


def test_chart_data_is_the_tables_numbers(leaders: Leaders) -> None:
    from sigap.status.selectors import dashboard_figures

    found = dashboard_figures(leaders.programme)
    assert found is not None
    charts = _charts(_page(leaders.users["pimpinan"], reverse("web:home")))
    assert set(charts) == {"coverage", "budget", "kecamatan", "desil", "occupation"}
    kecamatan = {s["key"]: s["data"] for s in charts["kecamatan"]["series"]}
    for key in ("covered", "pending", "exited", "rejected", "waiting"):
        assert kecamatan[key] == [r[key] for r in found["per_kecamatan"]], key
        assert sum(kecamatan[key]) == found["totals"][key]
    assert charts["desil"]["labels"] == ["Desil 1", "Desil 2", "Desil 4"]
    # members covered per month: from January (covered from 2026-01) to December
    coverage = charts["coverage"]
    assert coverage["labels"][0] == "Jan 2026" and len(coverage["labels"]) == 12
    assert coverage["series"][0]["data"][:4] == [2, 2, 2, 1]  # the exit in March ends in March
    assert coverage["future"][:4] == [False, False, False, False] and coverage["future"][4] is True
    budget = {s["key"]: s["data"] for s in charts["budget"]["series"]}
    assert budget["plan"][-1] == charts["budget"]["allocated"] == 604_800
    assert budget["paid"][-1] == found["premiums_paid"] and budget["invoiced"][0] == 2 * 16_800
    assert budget["forecast"][-1] == found["realisation"]["invoiced"] + found["realisation"]["committed"]


def test_straight_line_plan_spreads_the_allocation_from_the_start_month() -> None:
    year = list(Month(2026, 1).through(Month(2026, 12)))
    plan = straight_line_plan(1_200, year, Month(2026, 1))
    assert plan[0] == 100 and plan[5] == 600 and plan[-1] == 1_200
    late = straight_line_plan(1_000, year, Month(2026, 4))
    assert late[:3] == [0, 0, 0] and late[3] == 111 and late[-1] == 1_000
    assert straight_line_plan(7, year, Month(2025, 6))[-1] == 7


def test_map_data_carries_the_kelurahan_figures(leaders: Leaders) -> None:
    from web.conftest import KEL_A, KEL_B

    client = Client()
    client.force_login(leaders.users["pimpinan"])
    response = client.get(reverse("web:dashboard-geojson", args=[leaders.programme.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    features = {f["properties"]["kode"]: f["properties"] for f in json.loads(response.content)["features"]}
    assert len(features) == 56
    assert (features[KEL_A]["covered"], features[KEL_A]["exited"], features[KEL_A]["eligible"]) == (1, 1, 3)
    assert features[KEL_B]["rejected"] == 1 and features[KEL_A]["coverage_bp"] == 3333
    assert NIK_COVERED not in response.content.decode() and "nik" not in response.content.decode().lower()


def test_excel_download_is_audited_and_adds_up(leaders: Leaders) -> None:
    from openpyxl import load_workbook

    from sigap.audit.models import AuditEvent

    client = Client()
    client.force_login(leaders.users["pimpinan"])
    response = client.get(reverse("web:dashboard-export", args=[leaders.programme.pk]))
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert (
        response["Content-Disposition"] == f'attachment; filename="dasbor-SIGAP-2026-{DAY.isoformat()}.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [
        "Ringkasan",
        "Per bulan",
        "Per kecamatan",
        "Per kelurahan",
        "Per desil",
        "Per pekerjaan",
    ]
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Terlindungi (aktif di BPJS TK)"] == 1 and summary["Keluar"] == 1
    assert summary["Ditolak BPJS TK"] == 1 and summary["Pagu anggaran"] == 604_800
    assert summary["Cakupan"] == "25,00%" and summary["Sudah dibayar (SP2D)"] == 2 * 16_800
    months = list(book["Per bulan"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 12 and months[-1][-1] == 604_800  # the plan reaches the allocation
    desil = [row[0] for row in book["Per desil"].iter_rows(min_row=2, values_only=True)]
    assert desil == [1, 2, 4]
    text = " ".join(
        str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v
    )
    assert NIK_COVERED not in text and "SITI" not in text
    event = AuditEvent.objects.get(action="dashboard.export")
    assert event.actor == leaders.users["pimpinan"] and event.object_id == str(leaders.programme.pk)
    assert event.after["format"] == "xlsx" and event.after["computed_on"] == DAY.isoformat()


@pytest.mark.parametrize(
    ("role", "status"),
    [("pimpinan", 200), ("kepala_dinas", 200), ("admin_dinas", 200), ("operator_kelurahan", 403)],
)
def test_who_may_download_the_dashboard(leaders: Leaders, role: str, status: int) -> None:
    client = Client()
    client.force_login(leaders.users[role])
    for name in ("web:dashboard-export", "web:dashboard-geojson"):
        assert client.get(reverse(name, args=[leaders.programme.pk])).status_code == status


def test_a_leader_of_another_area_cannot_download_it(leaders: Leaders) -> None:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.audit.models import AuditEvent

    bogor = user_create(
        username="pimpinan.bogor", password="sandi-rahasia-1", role=roles.PIMPINAN, area_code="3201"
    )
    client = Client()
    client.force_login(bogor)
    for name in ("web:dashboard-export", "web:dashboard-geojson"):
        assert client.get(reverse(name, args=[leaders.programme.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="dashboard.export").exists()


def test_the_dashboard_reads_in_english_too(leaders: Leaders) -> None:
    page = _page(leaders.users["pimpinan"], reverse("web:home"), language="en")
    for text in (
        "Members covered (active at BPJS TK)",
        "Waiting for the BPJS TK answer",
        "Rejected by BPJS TK",
        "Budget used",
        "Members covered per month",
        "Budget: spending and plan",
        "Download Excel",
        "Print",
    ):
        assert text in page, text
    charts = _charts(page)
    assert charts["budget"]["series"][-1]["label"] == "Plan (straight line)"


def test_print_stylesheet_and_no_inline_script(leaders: Leaders) -> None:
    page = _page(leaders.users["pimpinan"], reverse("web:home"))
    assert "sigap/dashboard.css" in page and "sigap/dashboard.js" in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    for attributes, _body in scripts:
        assert 'src="' in attributes or 'type="application/json"' in attributes, attributes
    css = (Path(__file__).resolve().parents[2] / "src/sigap/static/sigap/dashboard.css").read_text()
    assert "@page{size:A4" in css and "@media print" in css
    vendor = Path(__file__).resolve().parents[2] / "src/sigap/static/vendor/chart.js"
    assert (vendor / "LICENSE.md").is_file() and "Chart.js v4.6.1" in (
        vendor / "chart.umd.min.js"
    ).read_text()[:200]


def test_dashboard_date_is_the_refresh_date(leaders: Leaders) -> None:
    page = _page(leaders.users["pimpinan"], reverse("web:home"))
    assert f"Angka agregat per {DAY.day} April {DAY.year}" in page
    assert dt.date(2026, 4, 15) == DAY


def test_the_api_counts_keluar_and_ditolak_apart_too(leaders: Leaders) -> None:
    from sigap.api.selectors import aggregates

    found = aggregates(leaders.programme)
    assert found is not None
    assert (found["totals"]["exited"], found["totals"]["rejected"], found["totals"]["covered"]) == (1, 1, 1)
    assert sum(r["rejected"] for r in found["per_kelurahan"]) == 1
