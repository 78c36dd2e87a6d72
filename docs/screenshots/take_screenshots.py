"""Take the README screenshots from a running demo (not part of the test suite).

    SIGAP_DATA_DIR=/tmp/sgdemo sigap demo --people 20000 --budget 300000000 --no-serve --json > demo.json
    SIGAP_DATA_DIR=/tmp/sgdemo sigap manage runserver 127.0.0.1:8765 --noreload &
    SIGAP_DATA_DIR=/tmp/sgdemo python docs/screenshots/take_screenshots.py demo.json   # playwright is pinned in the dev extra

Drives Debian's /usr/bin/chromium (no browser download).
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


def main(demo_json: str) -> None:
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
    nik, born, name = con.execute(
        f"SELECT nik, tanggal_lahir, nama FROM {relation} AS d WHERE decision = 'ineligible' "  # noqa: S608 -- generated relation
        "AND kode_kelurahan = ? AND reasons LIKE 'desil%' ORDER BY nik LIMIT 1",
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

        page = session("pimpinan")
        page.goto(f"{BASE}/")
        page.wait_for_selector(".leaflet-interactive")
        page.wait_for_timeout(500)
        page.screenshot(path=OUT / "dashboard.png")
        page.screenshot(path=OUT / "dashboard-full.png", full_page=True)

        page = session("pimpinan", width=820, height=1180)  # a tablet, portrait
        page.goto(f"{BASE}/")
        page.wait_for_selector(".leaflet-interactive")
        page.wait_for_timeout(500)
        page.screenshot(path=OUT / "dashboard-tablet.png")

        page = session("operator_kelurahan")
        page.goto(f"{BASE}/penduduk/?q={surname}")
        page.screenshot(path=OUT / "person-search.png")
        page.goto(f"{BASE}/penduduk/{nik}/")
        page.screenshot(path=OUT / "person-detail.png")
        page.goto(f"{BASE}/penduduk/{waiting}/")

        page.goto(f"{BASE}/klaim/")
        page.screenshot(path=OUT / "claims-list.png")
        first_claim = page.locator("main table tbody a").first
        if first_claim.count():
            first_claim.click()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / "claim-detail.png", full_page=True)
        page.goto(f"{BASE}/usulan/")
        page.screenshot(path=OUT / "usulan-list.png")

        page = session("admin_dinas")
        page.goto(f"{BASE}/keuangan/{programme_id}/peserta/")
        page.screenshot(path=OUT / "members.png")
        page.goto(f"{BASE}/keuangan/{programme_id}/tagihan/")
        page.screenshot(path=OUT / "invoices.png")
        if paid is not None:
            page.goto(f"{BASE}/keuangan/tagihan/{paid.pk}/")
            page.screenshot(path=OUT / "invoice-detail.png")
        page.goto(f"{BASE}/pengaduan/")
        page.screenshot(path=OUT / "pengaduan-list.png")
        page.goto(f"{BASE}/kelola/")
        page.screenshot(path=OUT / "ops-imports.png")

        page = session("kepala_dinas")
        page.goto(f"{BASE}/persetujuan/")
        page.screenshot(path=OUT / "approvals.png")

        page = session("pimpinan")
        page.goto(f"{BASE}/keuangan/{programme_id}/realisasi/")
        page.screenshot(path=OUT / "realisation.png", full_page=True)

        page = session("auditor")
        page.goto(f"{BASE}/audit/?aksi=person")
        page.screenshot(path=OUT / "audit-log.png")

        page = session(None)
        page.goto(f"{BASE}/cek-status/")
        page.fill("#id_nik", nik)
        page.fill("#id_tanggal_lahir", born.isoformat())
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "citizen-check.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1])
