"""Citizen status check under concurrent load, both answer paths: SIGAP vs a minimal WSGI app doing the
same lookups.

    .venv/bin/python bench/citizen_check.py --rows 300000 --members 10000 --duration 10 --repeat 3

1. Creates a PostgreSQL database (``--database-url``, dropped first) and migrates it.  A programme has an
   approved list in force with ``--members`` members (active, covered since January: a ``Member``, its
   coverage period and its ``CitizenStatus`` row, keyed hash of NIK + KK number) and a status file of
   ``--rows`` people (the run's ``status-<key>.parquet``: keyed hash, waiting or not eligible with
   reasons, kelurahan; sorted by the key in row groups of 1,024, as ``sigap.status.actions`` writes it).
2. Two query sets, each with 1/4 wrong KK numbers (not found): **members** (answered from the table,
   the member's live state joined) and **non-members** (no table row: the point look-up in the status
   file, ``sigap.engine.lookup``).
3. Serves, one after the other on 127.0.0.1, with the production gunicorn configuration
   (``sigap.gunicorn_conf``; DEBUG off, rate limits raised through the environment):
   (a) baseline -- ``bench/citizen_baseline.py``, a bare WSGI app: parse the form, the same keyed hash,
       the same two statements with psycopg and, for a non-member, the same DuckDB point look-up;
   (b) SIGAP -- ``sigap.wsgi``, the real ``/cek-status/`` POST (CSRF, middleware, two rate-limit
       counters, form validation, the answer, the page).
   and loads each with ``bench/_load.py`` (``wrk`` or an asyncio client) over --connections keep-alive
   connections: --repeat runs of --duration seconds per server and query set, medians reported.
   Both servers' answers are checked against each other first.  Goal: SIGAP p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from _load import BENCH, add_server_arguments, free_port, load_average, loader_of, measure, serve, stop, table

SECRET_KEY = "bench-secret-key-" + "b" * 40
GOAL_P99_MS = 50.0
FILE_STATUSES = (("waiting", 30), ("ineligible", 70))
REASONS = "desil 7 > 5"


def make_people(rows: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """``(nik, kk number, kelurahan)``: the two values the citizen types, and where they live."""
    from sigap.reference import regions

    kelurahan = sorted(r.code for r in regions().descendants("3275", "desa_kelurahan"))
    rng = random.Random(seed)
    people: dict[str, tuple[str, str]] = {}
    while len(people) < rows:
        nik = f"3275{rng.randrange(10**12):012d}"
        people[nik] = (f"3275{rng.randrange(10**12):012d}", rng.choice(kelurahan))
    return [(nik, kk, kel) for nik, (kk, kel) in people.items()]


def fresh_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"database name {name!r}: use lower-case letters, digits and _")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")


def setup(args: argparse.Namespace) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], Path]:
    """The programme, its members and its status file; returns (members, non-members, status file)."""
    import django
    import duckdb
    import pyarrow as pa
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from sigap.enrolment.models import CoveragePeriod, Member
    from sigap.programmes.actions import programme_apply
    from sigap.programmes.models import TargetingRun
    from sigap.registry.models import Snapshot
    from sigap.status.actions import (
        _STATUS_ROW_GROUP,
        STATUS_COLUMNS,
        _insert,
        member_status_rows,
        status_file,
    )
    from sigap.status.keys import lookup_sql
    from sigap.status.models import CitizenStatus

    started = time.perf_counter()
    programme, _, _ = programme_apply(
        document={
            "programme": {
                "code": "BENCH-2026", "name": "SIGAP 2026", "region": "3275", "fiscal_year": 2026,
                "budget": 2_000_000_000, "coverage_start": "2026-01", "funding": "APBD",
            }
        },
        source_name="bench",
    )  # fmt: skip
    people = make_people(args.rows + args.members)
    members, others = people[: args.members], people[args.members :]
    snapshot = Snapshot.objects.create(
        kind="registry", source_name="bench", content_sha256="c" * 64, mapping_sha256="c" * 64,
        reference_date=dt.date(2026, 1, 1), rows=len(people), accepted=len(people), rejected=0, data_path="x",
    )  # fmt: skip
    run = TargetingRun.objects.create(
        programme=programme, snapshot=snapshot, state=TargetingRun.APPROVED, spec=programme.spec,
        programme_version=1, code_version="bench", people=len(people), eligible=len(people),
        selected=len(members), waiting=0, ineligible=0, cost_per_person=201_600, cost=201_600 * len(members),
        budget=programme.budget, remaining=0, decisions_path="runs/1/decisions.parquet",
        decisions_sha256="x", summary={},
    )  # fmt: skip
    created = Member.objects.bulk_create(
        [
            Member(
                programme=programme, run=run, rank=i + 1, nik=nik, no_kk=kk, nama=f"P {i}",
                tanggal_lahir=dt.date(1980, 1, 1), jenis_kelamin="L", kode_kelurahan=kel, pekerjaan="PEDAGANG",
                desil=1, state="active", kpj=f"K{i}",
            )
            for i, (nik, kk, kel) in enumerate(members)
        ],
        batch_size=5_000,
    )  # fmt: skip
    CoveragePeriod.objects.bulk_create(
        [CoveragePeriod(member=m, start_month=dt.date(2026, 1, 1)) for m in created], batch_size=5_000
    )
    _insert(CitizenStatus, STATUS_COLUMNS, member_status_rows(programme))

    rng = random.Random(11)
    choices = [s for s, weight in FILE_STATUSES for _ in range(weight)]
    target = status_file(run)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    people_table = pa.table(
        {
            "nik": [n for n, _, _ in others],
            "kk": [k for _, k, _ in others],
            "status": [rng.choice(choices) for _ in others],
            "kode_kelurahan": [kel for _, _, kel in others],
        }
    )
    con.register("people", people_table)
    con.execute(
        f"COPY (SELECT {lookup_sql('nik', 'kk')} AS lookup, status,"
        f" CASE WHEN status = 'ineligible' THEN '{REASONS}' ELSE '' END AS reasons, kode_kelurahan"
        f" FROM people ORDER BY lookup) TO '{target}' (FORMAT parquet, ROW_GROUP_SIZE {_STATUS_ROW_GROUP})"
    )
    con.close()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"set-up: {len(members):,} members (table), {len(others):,} people in the status file "
        f"({target.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    connection.close()
    return members, others, target


def queries(people: list[tuple[str, str, str]], count: int = 2000, seed: int = 3) -> list[tuple[str, str]]:
    """``count`` (NIK, KK) pairs of ``people``; every fourth with a wrong KK number (not found)."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        nik, kk, _ = rng.choice(people)
        if i % 4 == 3:
            kk = kk[:-1] + str((int(kk[-1]) + 1) % 10)
        out.append((nik, kk))
    return out


def bodies(qs: list[tuple[str, str]], token: str) -> list[str]:
    return [urllib.parse.urlencode({"nik": n, "kk": k, "csrfmiddlewaretoken": token}) for n, k in qs]


def post(port: int, body: str, cookie: str) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/cek-status/",
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- loopback only
        return str(response.read().decode())


SIGAP_WORDS = {
    "Terdaftar sebagai peserta": "registered",
    "Terpilih sebagai calon peserta": "selected",
    "Dalam daftar tunggu": "waiting",
    "Tidak memenuhi syarat": "ineligible",
    "Kepesertaan telah berakhir": "exited",
    "Data tidak ditemukan": "not_found",
}


def check_same_answers(sigap_port: int, base_port: int, payloads: list[str], cookie: str) -> dict[str, int]:
    seen: dict[str, int] = {}
    for body in payloads[:60]:
        page = post(sigap_port, body, cookie)
        ours = [v for k, v in SIGAP_WORDS.items() if k in page]
        theirs = re.findall(r"<li>(?:[^:<]+: )?([a-z_]+)</li>", post(base_port, body, cookie))
        nik = urllib.parse.parse_qs(body)["nik"][0]
        if ours != theirs or nik in page:
            raise SystemExit(f"answers differ for a query: SIGAP {ours}, baseline {theirs}")
        seen[ours[0]] = seen.get(ours[0], 0) + 1
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sigap_bench_citizen")
    parser.add_argument("--rows", type=int, default=300_000, help="people in the status file")
    parser.add_argument("--members", type=int, default=10_000, help="members (CitizenStatus rows)")
    parser.add_argument("--paths", default="members,file", help="query sets to load: members, file")
    parser.add_argument(
        "--baseline-lookup", choices=("index", "duckdb"), default="index",
        help="the baseline's status-file look-up: footer ranges + one row group (as SIGAP), or a DuckDB query",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true")
    add_server_arguments(parser)
    args = parser.parse_args()
    loader = loader_of(args)

    work = Path(tempfile.mkdtemp(prefix="sigap-bench-citizen-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
        "SIGAP_DATA_DIR": str(work / "data"),
        "SIGAP_ENV": "production",
        "SIGAP_DEBUG": "0",
        "SIGAP_SECRET_KEY": SECRET_KEY,
        "SIGAP_CITIZEN_CHECK_PER_IP": "1000000000",
        "SIGAP_CITIZEN_CHECK_PER_NIK": "1000000000",
        "SIGAP_LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    (work / "data").mkdir()
    fresh_database(args.database_url)
    members, others, status_path = setup(args)
    from sigap.status.keys import _secrets

    env["BENCH_DSN"] = args.database_url
    env["BENCH_STATUS_SECRET"] = ":".join(_secrets())
    env["BENCH_STATUS_FILE"] = str(status_path)
    env["BENCH_LOOKUP"] = args.baseline_lookup
    token = secrets.token_hex(16)  # a CSRF secret as Django makes them, sent as cookie and form field
    cookie = f"csrftoken={token}"
    sets = {"members": bodies(queries(members), token), "file": bodies(queries(others), token)}
    paths = [p for p in args.paths.split(",") if p in sets]

    base_port, sigap_port = free_port(), free_port()
    base = serve("citizen_baseline:app", base_port, env, args, chdir=BENCH)
    sigap = serve("sigap.wsgi:application", sigap_port, env, args)
    try:
        for name in paths:
            seen = check_same_answers(sigap_port, base_port, sets[name], cookie)
            print(f"answers checked ({name}): the same from both servers, {seen}", flush=True)
    finally:
        stop(base)
        stop(sigap)

    started_load = load_average()
    results: dict[str, dict[str, Any]] = {}
    for server, app, chdir in (
        ("baseline", "citizen_baseline:app", BENCH),
        ("sigap", "sigap.wsgi:application", None),
    ):
        port = free_port()
        proc = serve(app, port, env, args, chdir=chdir)  # one server at a time: they never share the CPU
        try:
            for name in paths:
                request = {
                    "path": "/cek-status/",
                    "method": "POST",
                    "headers": {"Cookie": cookie},
                    "bodies": sets[name],
                }
                results[f"{server} {name}"] = measure(port, args, loader, **request)
        finally:
            stop(proc)
    shutil.rmtree(work, ignore_errors=True)
    print(
        f"\ncitizen check, {len(members):,} members + {len(others):,} in the status file, PostgreSQL, "
        f"gunicorn {args.worker_class} (sigap.gunicorn_conf; workers {args.workers or 'default'}, threads "
        f"{args.threads or 'default'}), {args.connections} connections, {args.duration} s x {args.repeat}, "
        f"loader {loader}, baseline look-up {args.baseline_lookup}; load average {started_load} before, {load_average()} after"
    )
    print(table({k: results[k] for k in sorted(results, key=lambda k: (k.split()[1], k))}))
    for name in paths:
        s, b = results[f"sigap {name}"], results[f"baseline {name}"]
        ok = s["p99_ms"] <= GOAL_P99_MS and s["failed"] == 0
        print(
            f"{name}: sigap / baseline throughput {s['rps'] / b['rps']:.2f}; goal p99 <= {GOAL_P99_MS:.0f} ms "
            f"(median of runs): " + ("met" if ok else "NOT met")
        )
    if args.json:
        print(json.dumps({"loader": loader, **results}))


if __name__ == "__main__":
    main()
