"""Dashboard benchmark: the leaders' dashboard for a programme with N members vs one hand-written scan.

    .venv/bin/python bench/dashboard.py --members 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_bench_dashboard .venv/bin/python bench/dashboard.py

Uses a fresh database (SQLite in a temporary SIGAP_DATA_DIR unless DATABASE_URL is set; a PostgreSQL
database named in DATABASE_URL is dropped and created).  Set-up, not timed: a Kota Bekasi programme,
N members spread over the 56 kelurahan, desil 1-5 and 15 occupations (90% active, 5% sent, 5% exited),
coverage periods, invoices for January-March (``invoice_issue``) and payments for January-February
(``payment_record``).  Timed:

(a) ``sigap.status.actions.dashboard_refresh`` -- rebuilding the precomputed aggregates (runs inside the
    actions that change members, invoices and payments), best of --refreshes;
(b) the dashboard page ``/`` rendered for a Pimpinan through Django's test client (all panels: targeting,
    coverage, RPJMN, realisation and burn forecast, months, kecamatan/desil/occupation), median and max of
    --renders;
(c) baseline -- the same member aggregates computed per request by hand-written SQL over the members and
    coverage periods (what the page would cost without the precomputed tables), median of --renders.

(d) under load (issue 12, finding 14: 24 req/s, p99 3.2 s at 32 connections): the same page for the same
    logged-in Pimpinan served by gunicorn with the production settings (``sigap.gunicorn_conf``: gthread,
    one process per core, two threads) and loaded with ``wrk`` (or a Python asyncio client without it)
    over --connections keep-alive connections for --duration seconds -- beside a baseline: a bare WSGI
    app (``bench/dashboard_baseline.py``) answering the very bytes of that page, served the same way.
    The page comes from the dashboard cache (``sigap.web.pagecache``): per request the session, the
    user, the role and one version statement; the render only when what it shows changed.

The totals of (b) and (c) are checked against each other, and the page served under load against them.
Goals: (b) <= 300 ms at 100,000 members; (d) >= 500 req/s with p99 <= 100 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from _load import BENCH, add_server_arguments, free_port, load_average, loader_of, measure, serve, stop, table

GOAL_MS = 300.0
GOAL_RPS, GOAL_P99_MS = 500.0, 100.0
SECRET_KEY = "bench-dashboard-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
OCCUPATIONS = (
    "PEDAGANG", "BURUH HARIAN LEPAS", "SOPIR", "TUKANG BATU", "PETANI/PEKEBUN", "NELAYAN/PERIKANAN",
    "TUKANG JAHIT", "PEMBANTU RUMAH TANGGA", "WIRASWASTA", "TUKANG KAYU", "BURUH TANI/PERKEBUNAN",
    "TUKANG LAS/PANDAI BESI", "MEKANIK", "PENATA RAMBUT", "TUKANG CUKUR",
)  # fmt: skip


def fresh_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        os.environ["SIGAP_DATA_DIR"] = tempfile.mkdtemp(prefix="sigap-bench-dashboard-")
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum() or not name.islower():
        raise SystemExit(f"database name {name!r}: use lower-case letters, digits and _")
    with psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    os.environ.setdefault("SIGAP_DATA_DIR", tempfile.mkdtemp(prefix="sigap-bench-dashboard-"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--refreshes", type=int, default=3)
    parser.add_argument("--renders", type=int, default=15)
    parser.add_argument("--no-load", action="store_true", help="skip (d), the load test")
    parser.add_argument("--json", action="store_true")
    add_server_arguments(parser)
    args = parser.parse_args()

    fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    os.environ["SIGAP_DEBUG"] = "0"
    os.environ["SIGAP_SECRET_KEY"] = SECRET_KEY  # the gunicorn processes read the same sessions
    os.environ.setdefault("SIGAP_LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client

    from sigap.accounts.actions import user_create
    from sigap.accounts.roles import PIMPINAN
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.core.money import Month
    from sigap.enrolment.models import CoveragePeriod, Member
    from sigap.programmes.actions import programme_apply
    from sigap.programmes.models import TargetingRun
    from sigap.reference import regions
    from sigap.registry.models import Snapshot
    from sigap.status.actions import dashboard_refresh
    from sigap.status.selectors import dashboard_figures

    n = args.members
    t0 = time.perf_counter()
    programme, _, _ = programme_apply(
        document={
            "programme": {
                "code": "BENCH-DASH",
                "name": "SIGAP 2026",
                "region": "3275",
                "fiscal_year": 2026,
                "budget": 25_000_000_000,
                "coverage_start": "2026-01",
                "estimated_vulnerable_workers": 200_000,
            }
        },
        source_name="bench.toml",
    )
    snapshot = Snapshot.objects.create(
        kind="registry", source_name="bench", content_sha256="d" * 64, mapping_sha256="d" * 64,
        reference_date=dt.date(2026, 1, 1), rows=n, accepted=n, rejected=0, data_path="x",
    )  # fmt: skip
    run = TargetingRun.objects.create(
        programme=programme, snapshot=snapshot, state="enrolled", spec=programme.spec, programme_version=1,
        code_version="bench", people=n, eligible=n, selected=n, waiting=0, ineligible=0,
        cost_per_person=201_600, cost=201_600 * n, budget=programme.budget, remaining=0,
        decisions_path="none.parquet", decisions_sha256="x", summary={},
    )  # fmt: skip
    kelurahan = sorted(r.code for r in regions().descendants("3275", "desa_kelurahan"))
    rng = random.Random(5)
    step = 20_000
    for lo in range(0, n, step):
        members = []
        for i in range(lo, min(n, lo + step)):
            roll = rng.random()
            state = "active" if roll < 0.90 else "sent" if roll < 0.95 else "exited"
            members.append(
                Member(
                    programme=programme, run=run, rank=i + 1, nik=f"3275{i:012d}", nama=f"P {i}",
                    tanggal_lahir=dt.date(1980, 1, 1), jenis_kelamin="L", kode_kelurahan=rng.choice(kelurahan),
                    pekerjaan=rng.choice(OCCUPATIONS), desil=rng.randint(1, 5), state=state,
                    kpj=f"K{i}" if state != "sent" else "",
                )
            )  # fmt: skip
        created = Member.objects.bulk_create(members, batch_size=5_000)
        CoveragePeriod.objects.bulk_create(
            [
                CoveragePeriod(
                    member=m,
                    start_month=dt.date(2026, 1 + m.rank % 3, 1),
                    end_month=dt.date(2026, 4, 1) if m.state == "exited" else None,
                    end_reason="died" if m.state == "exited" else "",
                )
                for m in created
                if m.state != "sent"
            ],
            batch_size=5_000,
        )
    for month in (Month(2026, 1), Month(2026, 2), Month(2026, 3)):
        invoice = invoice_issue(programme=programme, month=month)
        if month.month <= 2:
            payment_record(
                programme=programme, sp2d_number=f"SP2D-{month}", sp2d_date=dt.date(2026, month.month, 10),
                amount=invoice.total, invoices=[invoice.number],
            )  # fmt: skip
    user = user_create(username="pimpinan", password="sandi-rahasia-1", role=PIMPINAN, area_code="3275")
    print(
        f"set-up: {n:,} members, periods, 3 invoices, 2 payments in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )

    on = dt.date(2026, 3, 20)
    refresh = []
    for _ in range(args.refreshes):
        t = time.perf_counter()
        dashboard_refresh(programme=programme, on=on)
        refresh.append(time.perf_counter() - t)

    from django.core.cache import cache

    client = Client()
    client.force_login(user)
    client.get("/")  # warm: templates, translations, region index
    renders, cached = [], []
    for _ in range(args.renders):
        cache.clear()  # (b) is the render itself: what a request costs when the page changed
        t = time.perf_counter()
        response = client.get("/")
        renders.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200 and b"Perlindungan peserta dan anggaran" in response.content
    for _ in range(args.renders):
        t = time.perf_counter()
        response = client.get("/")
        cached.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200 and b"Perlindungan peserta dan anggaran" in response.content

    member_t, period_t = Member._meta.db_table, CoveragePeriod._meta.db_table
    months = [Month(2026, m).first_day().isoformat() for m in range(1, 13)]
    month_rows = " UNION ALL ".join(f"SELECT '{m}' AS m" for m in months)
    cells_sql = (
        f"SELECT kode_kelurahan, desil, pekerjaan, "
        f"sum(CASE WHEN state NOT IN ('exited', 'rejected') THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN state = 'active' THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN state IN ('exited', 'rejected') THEN 1 ELSE 0 END) "
        f"FROM {member_t} WHERE programme_id = %s GROUP BY kode_kelurahan, desil, pekerjaan"
    )
    months_sql = (
        f"SELECT mo.m, count(p.id) FROM ({month_rows}) AS mo LEFT JOIN {period_t} AS p "
        f"ON p.start_month <= CAST(mo.m AS DATE) AND (p.end_month IS NULL OR p.end_month >= CAST(mo.m AS DATE)) "
        f"AND p.member_id IN (SELECT id FROM {member_t} WHERE programme_id = %s) GROUP BY mo.m ORDER BY mo.m"
    )
    baseline = []
    for _ in range(args.renders):
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(cells_sql, [programme.pk])
            cells = cursor.fetchall()
            cursor.execute(months_sql, [programme.pk])
            covered_per_month = [int(c) for _, c in cursor.fetchall()]
        baseline.append((time.perf_counter() - t) * 1000)

    leaders = dashboard_figures(programme)
    assert leaders is not None
    ours = (leaders["totals"]["members"], leaders["totals"]["covered"], leaders["totals"]["exited"])
    theirs = tuple(sum(int(c[k]) for c in cells) for k in (3, 4, 5))
    assert ours == theirs, (ours, theirs)
    assert [m["covered"] for m in leaders["months"]] == covered_per_month, covered_per_month
    real = leaders["realisation"]
    assert real["allocated"] == real["paid"] + real["outstanding"] + real["committed"] + real["remaining"]

    page_ms, page_max = statistics.median(renders), max(renders)
    base_ms = statistics.median(baseline)
    print(f"database: {connection.vendor}; members {n:,}; totals member/covered/exited {ours} (checked)")
    print(
        f"(a) dashboard_refresh            {min(refresh) * 1000:8.0f} ms (runs: {', '.join(f'{x:.2f}' for x in refresh)} s)"
    )
    print(
        f"(b) dashboard page, all panels   {page_ms:8.1f} ms median, {page_max:.1f} ms max ({args.renders} renders)"
    )
    print(
        f"    the same page from the cache {statistics.median(cached):8.1f} ms median, {max(cached):.1f} ms max"
    )
    print(
        f"(c) baseline: hand-written scan  {base_ms:8.1f} ms median (member aggregates + months only, no page)"
    )
    print(
        f"goal (b) <= {GOAL_MS:.0f} ms: {'met' if page_ms <= GOAL_MS and page_max <= GOAL_MS else 'NOT met'}"
    )
    if args.no_load:
        return
    from django.conf import settings

    # the cookies a browser sends back after its first visit: the session and the CSRF cookie
    cookies = {
        name: client.cookies[name].value for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    }
    connection.close()
    under_load(args, cookies=cookies, covered=leaders["totals"]["covered"])


def fetch(port: int, cookie: str) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 -- loopback only
        assert response.status == 200
        return bytes(response.read())


def under_load(args: argparse.Namespace, *, cookies: dict[str, str], covered: int) -> None:
    """(d): SIGAP's dashboard, then the bare app with the same bytes, one server at a time."""
    loader = loader_of(args)
    work = Path(tempfile.mkdtemp(prefix="sigap-bench-dashboard-load-"))
    env = {**os.environ, "SIGAP_ENV": "production"}  # as gunicorn would run it (sigap.wsgi)
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = {"path": "/", "headers": {"Cookie": cookie}}

    started_load = load_average()
    results: dict[str, dict[str, Any]] = {}
    port = free_port()
    proc = serve("sigap.wsgi:application", port, env, args)
    try:
        page = fetch(port, cookie)
        text = page.decode()
        shown = re.search(r'data-figure="covered">([^<]*)<', text)
        assert shown is not None and shown.group(1).replace(".", "") == str(covered), "page under load"
        (work / "page.html").write_bytes(page)
        results["dashboard"] = measure(port, args, loader, **request)
    finally:
        stop(proc)
    port = free_port()
    proc = serve(
        "dashboard_baseline:app", port, {**env, "BENCH_PAGE_FILE": str(work / "page.html")}, args, BENCH
    )
    try:
        assert fetch(port, cookie) == page
        results["baseline"] = measure(port, args, loader, **request)
    finally:
        stop(proc)
    shutil.rmtree(work, ignore_errors=True)
    print(
        f"\n(d) under load: gunicorn {args.worker_class} (sigap.gunicorn_conf; workers {args.workers or 'default'}, "
        f"threads {args.threads or 'default'}), {args.connections} connections, {args.duration} s x {args.repeat}, "
        f"loader {loader}, page {len(page):,} bytes; load average {started_load} before, {load_average()} after"
    )
    print(table({"baseline": results["baseline"], "dashboard": results["dashboard"]}))
    d = results["dashboard"]
    ok = d["rps"] >= GOAL_RPS and d["p99_ms"] <= GOAL_P99_MS and d["failed"] == 0
    print(
        f"dashboard / baseline throughput: {d['rps'] / results['baseline']['rps']:.2f}; "
        f"goal >= {GOAL_RPS:,.0f} req/s and p99 <= {GOAL_P99_MS:.0f} ms (medians): "
        + ("met" if ok else "NOT met")
    )
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
