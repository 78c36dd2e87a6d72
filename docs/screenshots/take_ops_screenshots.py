"""Screenshots of the Admin Dinas screens (/kelola/) from a running demo (not part of the test suite).

    SIGAP_DATA_DIR=/tmp/sgdemo sigap demo --people 20000 --budget 300000000 --port 8766 --json > demo.json &
    python docs/screenshots/take_ops_screenshots.py demo.json   # needs: pip install playwright==1.65.2

The demo serves with its django-tasks worker, so the upload really runs in the background; the job page
is taken while the import runs (the demo's own registry file, imported again as a roster-kind mistake is
avoided: a fresh cut of it under a new name). Drives Debian's /usr/bin/chromium (no browser download).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = "http://127.0.0.1:8766"
OUT = Path(__file__).resolve().parent


def main(demo_json: str, workdir: str = "/tmp") -> None:
    demo = json.loads(Path(demo_json).read_text().splitlines()[0])
    admin = next(u for u in demo["users"] if u["role"] == "admin_dinas")
    source = Path(demo["registry_file"]).read_bytes()
    cut = source[: source.rfind(b"\n", 0, len(source) * 2 // 3) + 1]  # two thirds: new bytes, new snapshot
    upload = Path(workdir) / "dtsen_kota_bekasi_2026q1.csv"
    upload.write_bytes(cut)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        page = context.new_page()
        page.goto(f"{BASE}/masuk/")
        page.fill("#id_username", admin["username"])
        page.fill("#id_password", admin["password"])
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")

        page.goto(f"{BASE}/kelola/impor/")
        page.set_input_files("#id_file", str(upload))
        page.click("main form[enctype] button[type=submit]")
        page.wait_for_selector("#job-state")
        page.screenshot(path=OUT / "ops-job-running.png")
        page.wait_for_selector("#job-state:text('Selesai')", timeout=120_000)
        page.screenshot(path=OUT / "ops-job-done.png")
        page.click("text=Lihat snapshot")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "ops-snapshot.png", full_page=True)
        page.goto(f"{BASE}/kelola/impor/")
        page.screenshot(path=OUT / "ops-imports.png")
        page.goto(f"{BASE}/kelola/program/")
        page.click("main table a")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "ops-programme.png", full_page=True)
        page.goto(f"{BASE}/kelola/pengguna/")
        page.fill("#id_username", "x")
        page.fill("#id_password", "pendek")
        page.fill("#id_area_code", "9999")
        page.click("main form.card button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "ops-users-errors.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
