"""The REST API under concurrent load beside a bare WSGI app doing the same work (issue 11).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_bench_api .venv/bin/python bench/api.py \
        --members 100000 --duration 15 --connections 16

1. A fresh PostgreSQL database (dropped first), migrated; one programme (Kota Bekasi) whose list in force
   holds ``--members`` members with coverage periods; one API client (``status:read``) and its token.
2. Served one at a time by gunicorn with the production configuration (``bench/_load.py``), the API's
   rate limits raised through the environment, loaded by ``wrk`` (or the asyncio client):
   - ``token``: ``POST /api/v1/oauth/token`` (client credentials; the secret is an Argon2 hash, checked
     on every request) beside the bare app's ``POST /token`` (the same Argon2 check and EdDSA signature);
   - ``member``: ``GET /api/v1/members/{nik}`` (bearer token verified, client reloaded, rate-limit
     counter, member query, two audit rows) beside ``GET /members/{nik}`` (the same member SELECT);
   - ``dci``: ``POST /api/v1/dci/registry/sync/search`` by NIK (envelope validated, query parsed,
     members of lists in force with their dates, two audit rows) beside ``POST /dci`` (the same SELECT).
   The answers are checked first (the same NIK gives the same programme from both).
   The token calls are measured last on each server and always with the asyncio client: each takes a
   second or more (Argon2), longer than wrk's timeout, and the checks still running when a measurement
   ends would slow the next one.
Prints requests/s and p50/p99 latency side by side (medians of --repeat) with the load average.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from _load import BENCH, add_server_arguments, free_port, load_average, loader_of, measure, serve, stop, table

SECRET_KEY = "bench-api-secret-key-" + "a" * 40
AREA = "3275"


def fresh_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgres") or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit("DATABASE_URL: a PostgreSQL database with a lower-case name (it is dropped first)")
    with psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")


def setup(members: int) -> tuple[str, str, list[str]]:
    """The list in force and the client: (client_id, secret, NIKs of members)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from sigap.api.actions import api_client_create
    from sigap.enrolment.models import CoveragePeriod, Member
    from sigap.programmes.actions import programme_apply
    from sigap.programmes.models import TargetingRun
    from sigap.reference import regions
    from sigap.registry.models import Snapshot

    started = time.perf_counter()
    document = {
        "programme": {
            "code": "BENCH-API", "name": "SIGAP 2026", "region": AREA, "fiscal_year": 2026,
            "budget": 25_000_000_000, "coverage_start": "2026-01",
        }
    }  # fmt: skip
    programme, _, _ = programme_apply(document=document, source_name="bench.toml")
    snapshot = Snapshot.objects.create(
        kind="registry", source_name="bench", content_sha256="a" * 64, mapping_sha256="a" * 64,
        reference_date=dt.date(2026, 1, 1), rows=members, accepted=members, rejected=0, data_path="x",
    )  # fmt: skip
    run = TargetingRun.objects.create(
        programme=programme, snapshot=snapshot, state="approved", spec=programme.spec, programme_version=1,
        code_version="bench", people=members, eligible=members, selected=members, waiting=0, ineligible=0,
        cost_per_person=201_600, cost=201_600 * members, budget=programme.budget, remaining=0,
        decisions_path="none.parquet", decisions_sha256="x", summary={}, decided_at=dt.datetime(2025, 12, 10, tzinfo=dt.UTC),
    )  # fmt: skip
    kelurahan = sorted(r.code for r in regions().descendants(AREA, "desa_kelurahan"))
    rng = random.Random(5)
    for lo in range(0, members, 20_000):
        batch = [
            Member(
                programme=programme, run=run, rank=i + 1, nik=f"3275{i:012d}", nama=f"P {i}",
                tanggal_lahir=dt.date(1980, 1, 1), jenis_kelamin="L", kode_kelurahan=rng.choice(kelurahan),
                pekerjaan="PEDAGANG", desil=1 + i % 5, state="active", kpj=f"K{i}",
            )
            for i in range(lo, min(members, lo + 20_000))
        ]  # fmt: skip
        created = Member.objects.bulk_create(batch, batch_size=5_000)
        CoveragePeriod.objects.bulk_create(
            [CoveragePeriod(member=m, start_month=dt.date(2026, 1, 1)) for m in created], batch_size=5_000
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client, secret = api_client_create(name="bench", scopes=["status:read"], area_code=AREA)
    print(f"set-up: {members:,} members in {time.perf_counter() - started:.1f} s", flush=True)
    connection.close()
    return client.client_id, secret, [f"3275{i:012d}" for i in range(members)]


def dci_body(nik: str, n: int) -> str:
    return json.dumps(
        {
            "header": {
                "version": "1.0.0", "message_id": f"m{n}", "message_ts": "2026-01-31T10:00:00+07:00",
                "action": "search", "sender_id": "bench", "receiver_id": "sigap", "total_count": 1,
            },
            "message": {
                "transaction_id": f"t{n}",
                "search_request": [{
                    "reference_id": "r1", "timestamp": "2026-01-31T10:00:00+07:00",
                    "search_criteria": {"query_type": "idtype-value", "query": {"type": "NIK", "value": nik}},
                }],
            },
        }
    )  # fmt: skip


def call(port: int, path: str, *, body: str | None = None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body.encode() if body else None, headers=headers or {}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 -- loopback only
        return json.loads(answer.read())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    add_server_arguments(parser)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sigap_bench_api")
    fresh_database(url)
    work = Path(tempfile.mkdtemp(prefix="sigap-bench-api-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
        "SIGAP_DATA_DIR": str(work),
        "SIGAP_DEBUG": "0",
        "SIGAP_SECRET_KEY": SECRET_KEY,
        "SIGAP_API_RATE_PER_MINUTE": "1000000000",
        "SIGAP_API_TOKEN_RATE_PER_MINUTE": "1000000000",
        "SIGAP_LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    sys.path.insert(0, str(BENCH.parent / "src"))
    client_id, secret, niks = setup(args.members)
    loader = loader_of(args)
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    rng = random.Random(9)
    asked = [rng.choice(niks) for _ in range(500)]
    form = "grant_type=client_credentials"
    form_headers = {"Authorization": basic, "Content-Type": "application/x-www-form-urlencoded"}
    results: dict[str, dict[str, Any]] = {}
    before = load_average()

    port = free_port()
    proc = serve("sigap.wsgi:application", port, env, args)
    try:
        token = call(port, "/api/v1/oauth/token", body=form, headers=form_headers)["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        json_headers = {**bearer, "Content-Type": "application/json"}
        found = call(port, f"/api/v1/members/{asked[0]}", headers=bearer)
        record = call(
            port, "/api/v1/dci/registry/sync/search", body=dci_body(asked[0], 0), headers=json_headers
        )
        programme = record["message"]["search_response"][0]["data"]["reg_records"][0]["member"]
        assert found["memberships"][0]["programme"] == "BENCH-API"
        assert programme["programme_identifier"]["programme"]["programme_identifier"] == "BENCH-API"
        results["sigap member"] = measure(
            port, args, loader, path=f"/api/v1/members/{asked[0]}", headers=bearer
        )
        results["sigap dci search"] = measure(
            port, args, loader, path="/api/v1/dci/registry/sync/search", method="POST", headers=json_headers,
            bodies=[dci_body(n, i) for i, n in enumerate(asked)],
        )  # fmt: skip
        results["sigap token"] = measure(  # last: Argon2 checks still running would slow the next one
            port,
            args,
            "python",
            path="/api/v1/oauth/token",
            method="POST",
            headers=form_headers,
            bodies=[form],
        )
    finally:
        stop(proc)

    port = free_port()
    proc = serve("api_baseline:app", port, {**env, "BENCH_DSN": url, "BENCH_AREA": AREA}, args, BENCH)
    try:
        assert call(port, f"/members/{asked[0]}")["memberships"][0]["programme"] == "BENCH-API"
        assert call(port, "/token", body=form, headers=form_headers)["access_token"]
        results["bare member"] = measure(port, args, loader, path=f"/members/{asked[0]}")
        results["bare dci search"] = measure(
            port, args, loader, path="/dci", method="POST", headers={"Content-Type": "application/json"},
            bodies=[dci_body(n, i) for i, n in enumerate(asked)],
        )  # fmt: skip
        results["bare token"] = measure(
            port, args, "python", path="/token", method="POST", headers=form_headers, bodies=[form]
        )
    finally:
        stop(proc)

    print(
        f"\nAPI under load: {args.members:,} members, PostgreSQL, gunicorn {args.worker_class} (workers "
        f"{args.workers or 'default'}, threads {args.threads or 'default'}), {args.connections} connections, "
        f"{args.duration} s x {args.repeat}, loader {loader}; load average {before} before, {load_average()} after"
    )
    order = (
        "bare token",
        "sigap token",
        "bare member",
        "sigap member",
        "bare dci search",
        "sigap dci search",
    )
    print(table({k: results[k] for k in order}))
    for what in ("token", "member", "dci search"):
        s, b = results[f"sigap {what}"], results[f"bare {what}"]
        ratio = s["rps"] / b["rps"] if b["rps"] else float("nan")
        print(f"{what}: sigap / bare throughput {ratio:.2f}, p99 {s['p99_ms']:.1f} vs {b['p99_ms']:.1f} ms")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
