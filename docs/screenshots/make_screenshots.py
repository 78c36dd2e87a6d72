"""Take the README screenshots from the demo: ``make screenshots`` (not part of the test suite).

    make browser                                   # Debian's /usr/bin/chromium (Playwright downloads nothing)
    .venv/bin/python docs/screenshots/make_screenshots.py                 # every screenshot
    .venv/bin/python docs/screenshots/make_screenshots.py dashboard run   # only names starting so

The data: ``sigap demo --people 20000 --budget 300000000 --no-serve`` in a data folder of its own
(``--data-dir``, default /tmp/sigap-screenshots; made once and reused: ``--fresh`` starts again),
then what the demo leaves out but a screen shows: the BPJS TK roster linked to the registry (the
linkage review, /kelola/pencocokan/) and a replacement run left as a draft (the run page's preview
banner and its comparison with the list in force; the Admin Dinas submits it in the browser for the
Kepala Dinas' approval queue).  ``sigap manage runserver`` serves that folder on ``--port``.

Pages at 1366 x 768 (the viewport; the whole page for the dashboard and the import's mapping step), the leaders' dashboard also on a
tablet (820 px) and the dashboard and the public status check on a phone (390 px).  Every page is
checked before it is taken: answered 200 and shows no error page (the script stops otherwise).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent
ROOT = OUT.parent.parent
SIGAP = Path(sys.executable).with_name("sigap")
CHROMIUM = os.environ.get("SIGAP_CHROMIUM", "/usr/bin/chromium")
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
LAPTOP = (1366, 768)
TABLET = (820, 1180)
PHONE = (390, 844)
#: A registry extract as another Dinas writes it: the import page's column-mapping step.
FOREIGN = {
    "iddtks": "ID_DTSEN",
    "provinsi": "PROPINSI",
    "kabupaten_kota": "KAB_KOTA",
    "kecamatan": "KEC",
    "desa_kelurahan": "KELURAHAN",
    "alamat": "ALAMAT_RUMAH",
    "dusun": "DUSUN",
    "rt": "RT",
    "rw": "RW",
    "nomor_kk": "NO_KK",
    "nomor_nik": "NIK",
    "nama": "NAMA_LENGKAP",
    "tanggal_lahir": "TGL_LAHIR",
    "tempat_lahir": "TMP_LAHIR",
    "jenis_kelamin": "JK",
    "nama_ibu_kandung": "NAMA_IBU",
    "hubungan_keluarga": "HUB_KELUARGA",
    "desil": "DESIL_NASIONAL",
    "pekerjaan": "PEKERJAAN_UTAMA",
}
#: A PNG larger than this is saved again with 256 colours (the whole dashboard page: ~490 KB -> less).
MAX_BYTES = 300_000
ERROR_TEXTS = ("Server Error", "Traceback", "Halaman tidak ditemukan", "Page not found", "Forbidden")


def sigap(data_dir: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "SIGAP_DATA_DIR": str(data_dir), "SIGAP_LANGUAGE": "id"}
    out = subprocess.run([str(SIGAP), *args, "--json"], env=env, check=True, capture_output=True, text=True)
    answer: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return answer


def prepare(data_dir: Path, *, fresh: bool) -> dict[str, Any]:
    """The demo and what it leaves out (the roster linkage, a draft replacement run), made once."""
    saved = data_dir / "screenshots-demo.json"
    if saved.is_file() and not fresh:
        kept: dict[str, Any] = json.loads(saved.read_text())
        return kept
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    print("sigap demo (20,000 people) ...", flush=True)
    demo = sigap(data_dir, "demo", "--people", "20000", "--budget", "300000000", "--no-serve")
    admin = next(u["username"] for u in demo["users"] if u["role"] == "admin_dinas")
    demo["linkage"] = sigap(data_dir, "roster", "link", "--as", admin)
    today = dt.date.today()
    demo["replacement"] = sigap(
        data_dir,
        "replacement",
        "run",
        "--programme",
        "SIGAP-2026",
        "--start",
        f"{today:%Y-%m}",
        "--on",
        today.isoformat(),
        "--as",
        admin,
    )
    saved.write_text(json.dumps(demo))
    return demo


@contextmanager
def server(data_dir: Path, port: int) -> Iterator[str]:
    env = {**os.environ, "SIGAP_DATA_DIR": str(data_dir)}
    log = (data_dir / "runserver.log").open("w")
    proc = subprocess.Popen(
        [str(SIGAP), "manage", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/masuk/", timeout=2)  # noqa: S310 -- our own server
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"the server did not answer on {base}: see {log.name}")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def facts(data_dir: Path, kel: str) -> dict[str, Any]:
    """People and objects to show, read from the demo's database and decisions."""
    os.environ["SIGAP_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import django

    django.setup()
    import duckdb

    from sigap.billing.models import Invoice
    from sigap.claims.models import Incident
    from sigap.pengaduan.models import Grievance
    from sigap.programmes.models import TargetingRun
    from sigap.programmes.selectors import decisions_relation
    from sigap.usulan.models import DataUpdateRequest

    first = TargetingRun.objects.order_by("id").first()
    # the replacement run: a draft until this script's Admin Dinas submits it (taken again, the run page
    # shows it submitted: --fresh for the draft)
    previews = (TargetingRun.DRAFT, TargetingRun.SUBMITTED, TargetingRun.RETURNED)
    draft = TargetingRun.objects.filter(state__in=previews).order_by("-id").first()
    assert first is not None and draft is not None, "no runs: remove the data folder (--fresh)"
    relation = decisions_relation(first)
    con = duckdb.connect()
    people = f"read_parquet('{first.snapshot.data_file}')"

    def one(sql: str) -> tuple[Any, ...]:
        found = con.execute(sql, [kel]).fetchone()
        assert found is not None, "the demo's kelurahan has nobody to show: --fresh"
        return found

    nik, kk = one(
        f"SELECT d.nik, p.no_kk FROM {relation} AS d JOIN {people} AS p ON p.nik = d.nik "  # noqa: S608 -- generated relation
        "WHERE d.decision = 'selected' AND d.kode_kelurahan = ? "
        "AND p.no_kk IS NOT NULL AND p.no_kk <> '' ORDER BY d.nik LIMIT 1"
    )
    ineligible = one(
        f"SELECT nik FROM {relation} AS d WHERE decision = 'ineligible' AND kode_kelurahan = ? "  # noqa: S608
        "AND reasons LIKE 'desil%' ORDER BY nik LIMIT 1"
    )[0]
    surname = one(
        f"SELECT w FROM (SELECT unnest(string_split(nama, ' ')) AS w FROM {relation} AS d WHERE kode_kelurahan = ?) "  # noqa: S608
        "WHERE length(w) > 3 GROUP BY w ORDER BY count(*) DESC, w LIMIT 1"
    )[0]
    paid = Invoice.objects.filter(programme=first.programme, state="paid").order_by("month").first()
    usulan = DataUpdateRequest.objects.filter(kode_kelurahan=kel).order_by("id").first()
    grievance = Grievance.objects.order_by("id").first()
    incident = Incident.objects.order_by("id").first()
    return {
        "programme": first.programme_id,
        "draft": draft.pk,
        "nik": nik,
        "kk": kk,
        "ineligible": ineligible,
        "surname": surname,
        "invoice": paid.pk if paid else None,
        "usulan": usulan.number if usulan else None,
        "grievance": grievance.number if grievance else None,
        "incident": incident.pk if incident else None,
    }


def shrink(path: Path) -> None:
    """Save a large screenshot again as a 256-colour PNG (Pillow comes with WeasyPrint)."""
    if path.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    small.save(path, optimize=True)


def foreign_file(registry_file: Path, target: Path, rows: int = 200) -> Path:
    """The first ``rows`` people of the demo's registry file with another Dinas' column names."""
    with registry_file.open(newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source, delimiter="|")
        with target.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow([FOREIGN.get(c, c.upper()) for c in reader.fieldnames or ()])
            for i, row in enumerate(reader):
                if i == rows:
                    break
                writer.writerow(row.values())
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="take only screenshots whose file name starts so")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/sigap-screenshots"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fresh", action="store_true", help="make the demo data again")
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"{CHROMIUM} is missing: run `make browser` (Debian package chromium)")
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", args.port)) == 0:
            raise SystemExit(f"port {args.port} is taken: choose another with --port")
    demo = prepare(args.data_dir, fresh=args.fresh)
    users = {u["role"]: u for u in demo["users"]}
    kel = users["operator_kelurahan"]["area_code"]
    f = facts(args.data_dir, kel)
    upload = foreign_file(Path(demo["registry_file"]), args.data_dir / "dtsen_dinsos_bekasi.csv")
    with server(args.data_dir, args.port) as base:
        take(base, users, f, upload, tuple(args.only))


def take(base: str, users: dict[str, Any], f: dict[str, Any], upload: Path, only: tuple[str, ...]) -> None:
    from playwright.sync_api import sync_playwright

    taken: list[tuple[str, int]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def wanted(*names: str) -> bool:
            return not only or any(name.startswith(o) for name in names for o in only)

        def check(page: Any) -> None:
            text = page.inner_text("body")
            bad = [t for t in ERROR_TEXTS if t in text]
            assert not bad, f"{page.url}: {bad}"

        def shoot(page: Any, name: str, *, full_page: bool = False) -> None:
            if wanted(name):
                check(page)
                page.screenshot(path=OUT / name, full_page=full_page)
                shrink(OUT / name)
                taken.append((name, (OUT / name).stat().st_size))

        def go(page: Any, path: str) -> Any:
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            page.wait_for_load_state("networkidle")
            return page

        def session(role: str | None, size: tuple[int, int] = LAPTOP) -> Any:
            context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="id-ID")
            page = context.new_page()
            if role:
                go(page, "/masuk/")
                page.fill("#id_username", users[role]["username"])
                page.fill("#id_password", users[role]["password"])
                page.click("main button[type=submit]")
                page.wait_for_load_state("networkidle")
            return page

        def dashboard(page: Any) -> None:
            go(page, "/")
            page.wait_for_selector(".leaflet-interactive")  # the map drew its kelurahan
            page.wait_for_function(
                "() => [...document.querySelectorAll('canvas[data-chart]')]"
                ".every(c => window.Chart && window.Chart.getChart(c))"
            )
            page.wait_for_timeout(300)

        # Pimpinan: the leaders' dashboard on a laptop, a tablet and a phone; the realisation
        if wanted("dashboard.png", "dashboard-full.png"):
            page = session("pimpinan")
            dashboard(page)
            shoot(page, "dashboard.png")
            shoot(page, "dashboard-full.png", full_page=True)
        if wanted("dashboard-tablet.png"):
            page = session("pimpinan", TABLET)
            dashboard(page)
            shoot(page, "dashboard-tablet.png")
        if wanted("dashboard-phone.png"):
            page = session("pimpinan", PHONE)
            dashboard(page)
            page.evaluate("() => document.querySelector('.dash-head').scrollIntoView()")  # past the menu
            shoot(page, "dashboard-phone.png")
        if wanted("realisation.png"):
            page = session("pimpinan")
            shoot(go(page, f"/keuangan/{f['programme']}/realisasi/"), "realisation.png")

        # Admin Dinas: the draft run and its comparison, imports with the column-mapping step, the
        # linkage review, members, invoices; then the draft is submitted for the Kepala Dinas
        page = session("admin_dinas")
        shoot(go(page, f"/runs/{f['draft']}/"), "run-draft.png")
        if wanted("import-mapping.png"):
            go(page, "/kelola/impor/")
            page.get_by_label("Berkas (CSV, XLSX atau Parquet)").set_input_files(str(upload))
            page.get_by_label("Tanggal acuan").fill(dt.date.today().isoformat())
            page.get_by_role("button", name="Impor", exact=True).click()
            page.wait_for_load_state("networkidle")
            assert "/kelola/impor/pemetaan/" in page.url, page.url
            page.get_by_role("button", name="Pratinjau").click()
            page.wait_for_load_state("networkidle")
            shoot(page, "import-mapping.png", full_page=True)  # the file, the choices, the preview
        shoot(go(page, "/kelola/pencocokan/"), "linkage-review.png")
        shoot(go(page, f"/keuangan/{f['programme']}/peserta/"), "members.png")
        shoot(go(page, f"/keuangan/{f['programme']}/tagihan/"), "invoices.png")
        if f["invoice"]:
            shoot(go(page, f"/keuangan/tagihan/{f['invoice']}/"), "invoice-detail.png")
        shoot(go(page, "/pengaduan/"), "pengaduan-list.png")
        if f["grievance"]:
            shoot(go(page, f"/pengaduan/{f['grievance']}/"), "pengaduan-detail.png")
        if wanted("approvals.png"):
            go(page, "/persetujuan/")
            submit = page.get_by_role("button", name="Ajukan")
            if submit.count():
                submit.first.click()
                page.wait_for_load_state("networkidle")
            page = session("kepala_dinas")
            shoot(go(page, "/persetujuan/"), "approvals.png")

        # Operator kelurahan: person search, the "why" of one decision, claims, usulan
        page = session("operator_kelurahan")
        shoot(go(page, f"/penduduk/?q={f['surname']}"), "person-search.png")
        shoot(go(page, f"/penduduk/{f['ineligible']}/"), "person-detail.png")
        shoot(go(page, "/klaim/"), "claims-list.png")
        if f["incident"] and wanted("claim-detail.png"):
            first_claim = page.locator("main table tbody a").first
            if first_claim.count():
                first_claim.click()
                page.wait_for_load_state("networkidle")
                shoot(page, "claim-detail.png")
        shoot(go(page, "/usulan/"), "usulan-list.png")
        if f["usulan"]:
            shoot(go(page, f"/usulan/{f['usulan']}/"), "usulan-detail.png")

        # Auditor: the audit log in sentences
        page = session("auditor")
        shoot(go(page, "/audit/"), "audit-log.png")

        # Everyone: the public status check (laptop and phone) and a grievance filed -> its ticket page
        for viewport, name in ((LAPTOP, "citizen-check.png"), (PHONE, "citizen-check-phone.png")):
            if wanted(name):
                page = session(None, viewport)
                go(page, "/cek-status/")
                page.fill("#id_nik", f["nik"])
                page.fill("#id_kk", f["kk"])
                page.click("main button[type=submit]")
                page.wait_for_load_state("networkidle")
                shoot(page, name)
        if wanted("pengaduan-ticket.png"):
            page = session(None)
            go(page, "/pengaduan/warga/")
            page.select_option("#id_category", index=1)
            page.select_option("#id_kode_kelurahan", index=1)
            page.fill("#id_contact_name", "Siti Aminah")
            page.fill("#id_contact_phone", "081234567890")
            page.fill(
                "#id_text",
                "Suami saya pedagang keliling, belum terdaftar padahal penghasilan kami tidak tetap.",
            )
            page.click("main button[type=submit]")
            page.wait_for_load_state("networkidle")
            assert "/tiket/" in page.url, page.url
            shoot(page, "pengaduan-ticket.png")
        browser.close()
    for name, size in taken:
        print(f"{name:28} {size / 1024:6.0f} KB")


if __name__ == "__main__":
    main()
