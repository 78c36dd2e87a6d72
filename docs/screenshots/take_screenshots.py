"""Take the README screenshots from a running demo (not part of the test suite).

    SIGAP_DATA_DIR=/tmp/sgdemo sigap demo --people 20000 --budget 300000000 --no-serve --json > demo.json
    SIGAP_DATA_DIR=/tmp/sgdemo sigap manage runserver 127.0.0.1:8765 --noreload &
    SIGAP_DATA_DIR=/tmp/sgdemo python docs/screenshots/take_screenshots.py demo.json   # playwright is pinned in the dev extra
    SIGAP_DATA_DIR=/tmp/sgdemo python docs/screenshots/take_screenshots.py demo.json dashboard realisation

Drives Debian's /usr/bin/chromium (no browser download).  Names after the JSON file take only those
screenshots (a name is a prefix of the file: ``dashboard`` = dashboard.png, dashboard-full.png,
dashboard-tablet.png, dashboard-phone.png).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import duckdb
from playwright.sync_api import sync_playwright

BASE = "http://127.0.0.1:8765"
# The same flags as tests/browser: no sandbox in containers, no GPU, no traffic of the browser's own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUT = Path(__file__).resolve().parent


def wait_for_dashboard(page) -> None:  # noqa: ANN001 -- a Playwright page
    page.wait_for_selector(".leaflet-interactive")  # the map drew its kelurahan
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart && window.Chart.getChart(c))"
    )
    page.wait_for_timeout(300)


def main(demo_json: str, only: tuple[str, ...] = ()) -> None:
    demo = json.loads(Path(demo_json).read_text())
    users = {u["role"]: u for u in demo["users"]}
    kel = users["operator_kelurahan"]["area_code"]
    # The decisions file stores reason codes (ADR 0006): read the rendered relation, as the app does.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import django

    django.setup()
    from sigap.programmes.models import TargetingRun
    from sigap.programmes.selectors import decisions_relation

    run = TargetingRun.objects.order_by("-id").first()
    assert run is not None, "no targeting run: run sigap demo first (same SIGAP_DATA_DIR)"
    relation = decisions_relation(run)
    con = duckdb.connect()
    people = f"read_parquet('{run.snapshot.data_file}')"
    nik, kk, name = con.execute(
        f"SELECT d.nik, p.no_kk, d.nama FROM {relation} AS d JOIN {people} AS p ON p.nik = d.nik "  # noqa: S608 -- generated relation
        "WHERE d.decision = 'ineligible' AND d.kode_kelurahan = ? AND d.reasons LIKE 'desil%' "
        "AND p.no_kk IS NOT NULL AND p.no_kk <> '' ORDER BY d.nik LIMIT 1",
        [kel],
    ).fetchone()
    waiting = con.execute(
        f"SELECT nik FROM {relation} AS d WHERE decision = 'waiting' AND kode_kelurahan = ? ORDER BY nik LIMIT 1",  # noqa: S608
        [kel],
    ).fetchone()[0]
    surname = con.execute(
        f"SELECT w FROM (SELECT unnest(string_split(nama, ' ')) AS w FROM {relation} AS d WHERE kode_kelurahan = ?) "  # noqa: S608
        "WHERE length(w) > 3 GROUP BY w ORDER BY count(*) DESC, w LIMIT 1",
        [kel],
    ).fetchone()[0]
    from sigap.billing.models import Invoice

    programme_id = run.programme_id
    paid = Invoice.objects.filter(programme_id=programme_id, state="paid").order_by("month").first()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

        def wanted(*names: str) -> bool:
            return not only or any(name.startswith(o) for name in names for o in only)

        def shoot(page, name: str, *, full_page: bool = False) -> None:  # noqa: ANN001 -- a Playwright page
            if wanted(name):
                page.screenshot(path=OUT / name, full_page=full_page)

        def session(role: str | None, *, width: int = 1280, height: int = 900):
            context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
            page = context.new_page()
            if role:
                page.goto(f"{BASE}/masuk/")
                page.fill("#id_username", users[role]["username"])
                page.fill("#id_password", users[role]["password"])
                page.click("main button[type=submit]")
                page.wait_for_load_state("networkidle")
            return page

        # the leaders' dashboard on a laptop, a tablet (portrait) and a phone
        for width, height, names in (
            (1366, 768, ("dashboard.png", "dashboard-full.png")),
            (820, 1180, ("dashboard-tablet.png",)),
            (390, 844, ("dashboard-phone.png",)),
        ):
            if not wanted(*names):
                continue
            page = session("pimpinan", width=width, height=height)
            page.goto(f"{BASE}/")
            wait_for_dashboard(page)
            if width < 600:  # a phone: from the headline figures (the menu fills the first screen)
                page.evaluate("() => { document.querySelector('.dash-head').scrollIntoView(); }")
            shoot(page, names[0])
            if len(names) > 1:
                shoot(page, names[1], full_page=True)

        page = session("operator_kelurahan")
        page.goto(f"{BASE}/penduduk/?q={surname}")
        shoot(page, "person-search.png")
        page.goto(f"{BASE}/penduduk/{nik}/")
        shoot(page, "person-detail.png")
        page.goto(f"{BASE}/penduduk/{waiting}/")

        page.goto(f"{BASE}/klaim/")
        shoot(page, "claims-list.png")
        first_claim = page.locator("main table tbody a").first
        if first_claim.count():
            first_claim.click()
            page.wait_for_load_state("networkidle")
            shoot(page, "claim-detail.png", full_page=True)
        page.goto(f"{BASE}/usulan/")
        shoot(page, "usulan-list.png")

        page = session("admin_dinas")
        page.goto(f"{BASE}/keuangan/{programme_id}/peserta/")
        shoot(page, "members.png")
        page.goto(f"{BASE}/keuangan/{programme_id}/tagihan/")
        shoot(page, "invoices.png")
        if paid is not None:
            page.goto(f"{BASE}/keuangan/tagihan/{paid.pk}/")
            shoot(page, "invoice-detail.png")
        page.goto(f"{BASE}/pengaduan/")
        shoot(page, "pengaduan-list.png")
        page.goto(f"{BASE}/kelola/")
        shoot(page, "ops-imports.png")

        page = session("kepala_dinas")
        page.goto(f"{BASE}/persetujuan/")
        shoot(page, "approvals.png")

        page = session("pimpinan")
        page.goto(f"{BASE}/keuangan/{programme_id}/realisasi/")
        shoot(page, "realisation.png", full_page=True)

        page = session("auditor")
        page.goto(f"{BASE}/audit/?aksi=person")
        shoot(page, "audit-log.png")

        page = session(None)
        page.goto(f"{BASE}/cek-status/")
        page.fill("#id_nik", nik)
        page.fill("#id_kk", kk)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        shoot(page, "citizen-check.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], tuple(sys.argv[2:]))
