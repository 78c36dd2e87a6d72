"""The leaders' dashboard in a real browser at a laptop (1366 px) and a phone (390 px): charts drawn,
the map drawn, nothing wider than the window, no headline figure on top of another, Bahasa
Indonesia, the Excel download and the print layout."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from web.leaders import DAY, PASSWORD, Leaders, build

from .conftest import NIK_PATTERN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

CHARTS = ("kecamatan", "coverage", "budget", "desil", "occupation")

# Rectangles of the headline cards and of everything inside each card (page coordinates).
_HEADLINE_BOXES = """
() => [...document.querySelectorAll('[data-headline]')].map(h => [...h.children].map(card => {
  const r = card.getBoundingClientRect();
  return {
    card: [r.left, r.top, r.right, r.bottom],
    inside: [...card.querySelectorAll('*')].map(e => { const b = e.getBoundingClientRect();
      return [b.left, b.top, b.right, b.bottom, e.tagName]; }).filter(b => b[2] > b[0] && b[3] > b[1]),
    overflowing: [...card.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1
      && getComputedStyle(e).overflowX === 'visible' && e.tagName !== 'PROGRESS').map(e => e.textContent.trim()),
  };
}))
"""


@pytest.fixture
def leaders(data_dir: Path) -> Leaders:
    # The scenario's data are made on its day; the browser then runs on the real clock (cookies).
    at = dt.datetime(DAY.year, DAY.month, DAY.day, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
    with time_machine.travel(at, tick=True):
        return build(data_dir)


@pytest.fixture
def pimpinan(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    """``pimpinan(width, height)`` -> the dashboard page of a logged-in Pimpinan at that size."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    contexts: list[Any] = []

    def open_page(width: int, height: int) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="id-ID", accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/masuk/")
        page.get_by_label("Nama pengguna").fill("pimpinan")
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/")
        page.wait_for_selector(".leaflet-interactive")  # the choropleth drew its kelurahan
        page.wait_for_function(
            "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart.getChart(c))"
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def _overlap(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


def _check_layout(page: Any) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    # every chart drawn, with a size
    for name in CHARTS:
        box = page.locator(f"canvas[data-chart={name}]").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, (name, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, box)
    # the map, large: the centrepiece
    map_box = page.locator(".map").bounding_box()
    assert map_box is not None and map_box["height"] >= 350 and map_box["x"] + map_box["width"] <= width + 1
    assert page.locator(".leaflet-control-container .legend").is_visible()
    # the headline: no card on top of another, nothing sticking out of its card or cut off
    for cards in page.evaluate(_HEADLINE_BOXES):
        assert len(cards) == 6  # five member figures and the workforce coverage card (ADR 0020)
        for i, first in enumerate(cards):
            assert not first["overflowing"], first["overflowing"]
            for second in cards[i + 1 :]:
                assert not _overlap(first["card"], second["card"]), (first["card"], second["card"])
            left, top, right, bottom = first["card"]
            for x0, y0, x1, y1, tag in first["inside"]:
                assert x0 >= left - 1 and x1 <= right + 1 and y0 >= top - 1 and y1 <= bottom + 1, tag
    # the tables scroll inside their boxes: opened, the page is still no wider than the window
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "a table pushes the page wider"
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = false; })")


def _check_language(page: Any) -> None:
    text = page.inner_text("main")
    assert page.evaluate("document.documentElement.lang") == "id"
    for words in (
        "Peserta terlindungi (aktif di BPJS TK)",
        "Cakupan dari yang memenuhi syarat",
        "Anggaran terpakai",
        "Iuran dibayar (APBD)",
        "Klaim dibayarkan ke keluarga",
        "Peta: peserta terlindungi per kelurahan",
        "Peserta terlindungi per bulan",
        "Anggaran: realisasi dan rencana",
        "Keluar",
        "Ditolak BPJS TK",
        "Unduh Excel",
        "Cetak",
    ):
        assert words in text, words
    for english in ("Members covered", "Budget used", "Download", "Print", "Coverage"):
        assert english not in text, english
    legends = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].flatMap("
        "c => window.Chart.getChart(c).data.datasets.map(d => d.label))"
    )
    assert "Terlindungi" in legends and "Rencana (garis lurus)" in legends
    assert not NIK_PATTERN.search(text) and "SITI" not in page.content()


@pytest.mark.parametrize(
    ("width", "height", "shot"), [(1366, 768, "dashboard-1366.png"), (390, 844, "dashboard-390.png")]
)
def test_pimpinan_dashboard_fits_the_screen(
    leaders: Leaders, pimpinan: Any, shots: Path, width: int, height: int, shot: str
) -> None:
    page = pimpinan(width, height)
    _check_layout(page)
    _check_language(page)
    page.screenshot(path=shots / shot, full_page=True)


def test_dashboard_downloads_excel_and_prints_on_a4(leaders: Leaders, pimpinan: Any, shots: Path) -> None:
    from sigap.audit.models import AuditEvent

    page = pimpinan(1366, 768)
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh Excel").click()
    assert Path(download.value.path()).read_bytes().startswith(b"PK")  # an .xlsx (zip)
    assert download.value.suggested_filename.startswith("dasbor-SIGAP-2026-")
    assert AuditEvent.objects.filter(action="dashboard.export", actor=leaders.users["pimpinan"]).exists()
    # print: the menus go, the tables open, the charts are drawn at the paper's width
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert not page.locator("nav.main").is_visible() and not page.locator(".dash-actions").is_visible()
    assert page.evaluate("() => [...document.querySelectorAll('details.data')].every(d => d.open)")
    widths = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].map(c => window.Chart.getChart(c).width)"
    )
    assert widths and all(0 < w <= 700 for w in widths), widths
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    (shots / "dashboard-print.pdf").write_bytes(pdf)
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert page.evaluate("() => [...document.querySelectorAll('details.data')].every(d => !d.open)")
