"""Citizen status check under concurrent load: SIGAP vs a minimal WSGI app doing the same lookup.

    .venv/bin/python bench/citizen_check.py --rows 300000 --duration 15 --connections 32

1. Creates a PostgreSQL database (``--database-url``, dropped first), migrates it, and writes
   ``--rows`` citizen-status rows with ``sigap.status.actions`` (the keyed hash of NIK + birth date).
2. Serves, one after the other on 127.0.0.1, with the same gunicorn settings (``gthread`` workers,
   DEBUG off, rate limits raised through the environment):
   (a) baseline -- ``bench/citizen_baseline.py``, a bare WSGI app: parse the form, one psycopg SELECT;
   (b) SIGAP -- ``sigap.wsgi``, the real ``/cek-status/`` POST (CSRF, middleware, rate-limit counters,
       form validation, template).
3. Loads each with ``wrk`` (Debian's; ``--install-wrk`` installs it with apt-get when missing) or, without
   it, a Python asyncio client: keep-alive connections on loopback, a fixed mix of known people (3/4)
   and wrong birth dates (1/4), bounded by ``--duration``.  Both answers are checked against each other
   first.  Prints requests/s and p50/p99 latency side by side.  Goal: SIGAP >= 1,500 req/s, p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SECRET_KEY = "bench-secret-key-" + "b" * 40
STATUSES = (("selected", 50), ("waiting", 20), ("ineligible", 30))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_people(rows: int, seed: int = 7) -> list[tuple[str, str]]:
    """``(nik, kk number)`` pairs: the two values the citizen types."""
    rng = random.Random(seed)
    people: dict[str, str] = {}
    while len(people) < rows:
        nik = f"3275{rng.randrange(10**12):012d}"
        people[nik] = f"3275{rng.randrange(10**12):012d}"
    return list(people.items())


def setup_database(url: str, rows: int) -> list[tuple[str, str]]:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"database name {name!r}: use lower-case letters, digits and _")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from sigap.programmes.actions import programme_apply
    from sigap.status.actions import STATUS_COLUMNS, _insert
    from sigap.status.keys import hasher
    from sigap.status.models import CitizenStatus

    document = {
        "programme": {
            "code": "BENCH-2026",
            "name": "SIGAP 2026",
            "region": "3275",
            "fiscal_year": 2026,
            "budget": 2_000_000_000,
            "coverage_start": "2026-01",
            "funding": "APBD",
        }
    }
    programme, _, _ = programme_apply(document=document, source_name="bench")
    people = make_people(rows)
    key = hasher()
    rng = random.Random(11)
    choices = [s for s, weight in STATUSES for _ in range(weight)]

    def generate() -> Any:
        for nik, kk in people:
            status = rng.choice(choices)
            yield (
                key(nik, kk),
                programme.pk,
                programme.name,
                status,
                "desil 7 > 5" if status == "ineligible" else "",
                "Kelurahan Bekasijaya",
                None,  # no member link: the joins to enrolment find nothing (both servers run them)
            )

    started = time.perf_counter()
    written = _insert(CitizenStatus, STATUS_COLUMNS, generate())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE status_citizenstatus")
    print(f"status rows: {written:,} written in {time.perf_counter() - started:.1f} s (COPY)", flush=True)
    connection.close()
    return people


def queries(people: list[tuple[str, str]], count: int = 2000, seed: int = 3) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        nik, kk = rng.choice(people)
        if i % 4 == 3:
            kk = kk[:-1] + str((int(kk[-1]) + 1) % 10)  # wrong KK number: not found, like an unknown NIK
        out.append((nik, kk))
    return out


def serve(
    app: str, port: int, env: dict[str, str], args: argparse.Namespace, chdir: Path | None = None
) -> Any:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        app,
        "--config",
        "python:sigap.gunicorn_conf",  # the production settings (preload, gc.freeze); sizes below override
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        args.worker_class,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "--worker-tmp-dir",
        "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),  # heartbeat file in memory
    ]
    if chdir is not None:
        command += ["--chdir", str(chdir)]
    proc = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"{app} did not start on port {port}")


def stop(proc: Any) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def csrf(port: int) -> tuple[str, str]:
    """The CSRF cookie and form token a browser gets with the page (reused for every POST)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/cek-status/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    cookie = next((c.value for c in jar if c.name == "csrftoken"), None)
    if token is None or cookie is None:
        raise SystemExit("no CSRF token on /cek-status/")
    return cookie, token.group(1)


def bodies(qs: list[tuple[str, str]], token: str) -> list[str]:
    return [urllib.parse.urlencode({"nik": n, "kk": k, "csrfmiddlewaretoken": token}) for n, k in qs]


def post(port: int, body: str, cookie: str) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/cek-status/",
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"},
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


def check_same_answers(
    sigap_port: int, base_port: int, qs: list[tuple[str, str]], cookie: str, token: str
) -> int:
    for body, (nik, _) in zip(bodies(qs[:40], token), qs[:40], strict=True):
        page = post(sigap_port, body, cookie)
        ours = next(v for k, v in SIGAP_WORDS.items() if k in page)
        theirs = re.findall(r"<li>(?:[^:<]+: )?([a-z_]+)</li>", post(base_port, body, cookie))
        if [ours] != theirs or nik in page:
            raise SystemExit(f"answers differ for a query: SIGAP {ours}, baseline {theirs}")
    return 40


LUA = """
local bodies = {%s}
local n = #bodies
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=%s"
request = function()
  i = i %% n + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, "non2xx": %%d, "errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def load_wrk(
    port: int, payloads: list[str], cookie: str, seconds: int, connections: int, work: Path
) -> dict[str, Any]:
    script = work / "post.lua"
    script.write_text(LUA % (", ".join(json.dumps(b) for b in payloads), cookie))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/cek-status/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    found = re.search(r"^RESULT (.*)$", out, re.M)
    if found is None:
        raise SystemExit(f"wrk printed no result:\n{out}")
    raw = json.loads(found.group(1))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "requests": raw["requests"],
        "failed": raw["non2xx"] + raw["errors"],
    }


async def _client(
    port: int, payloads: list[str], cookie: str, until: float, latencies: list[float], failed: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = random.randrange(len(payloads))
    try:
        while time.perf_counter() < until:
            body = payloads[i % len(payloads)].encode()
            i += 1
            head = (
                f"POST /cek-status/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: csrftoken={cookie}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(head + body)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if b" 200 " not in status_line:
                failed[0] += 1
    finally:
        writer.close()


def load_python(
    port: int, payloads: list[str], cookie: str, seconds: int, connections: int
) -> dict[str, Any]:
    latencies: list[float] = []
    failed = [0]

    async def main() -> float:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(_client(port, payloads, cookie, until, latencies, failed) for _ in range(connections))
        )
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
        "max_ms": latencies[-1] * 1000,
        "requests": len(latencies),
        "failed": failed[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sigap_bench_citizen")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per server (max 120)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)  # as sigap.gunicorn_conf
    parser.add_argument("--threads", type=int, default=2)  # as sigap.gunicorn_conf
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"))
    parser.add_argument("--loader", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--install-wrk", action="store_true", help="apt-get install wrk when missing")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.duration = max(1, min(args.duration, 120))
    if args.install_wrk and shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    loader = args.loader if args.loader != "auto" else ("wrk" if shutil.which("wrk") else "python")

    work = Path(tempfile.mkdtemp(prefix="sigap-bench-citizen-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
        "SIGAP_DATA_DIR": str(work / "data"),
        "SIGAP_DEBUG": "0",
        "SIGAP_SECRET_KEY": SECRET_KEY,
        "SIGAP_CITIZEN_CHECK_PER_IP": "1000000000",
        "SIGAP_CITIZEN_CHECK_PER_NIK": "1000000000",
        "SIGAP_LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    (work / "data").mkdir()
    people = setup_database(args.database_url, args.rows)
    from sigap.status.keys import _secrets

    env["BENCH_DSN"] = args.database_url
    env["BENCH_STATUS_SECRET"] = ":".join(_secrets())
    qs = queries(people)
    results: dict[str, dict[str, Any]] = {}
    base_port, sigap_port = free_port(), free_port()
    base = serve("citizen_baseline:app", base_port, env, args, chdir=BENCH)
    sigap = serve("sigap.wsgi:application", sigap_port, env, args)
    try:
        cookie, token = csrf(sigap_port)
        checked = check_same_answers(sigap_port, base_port, qs, cookie, token)
        print(f"answers checked: {checked} queries give the same status from both servers", flush=True)
    finally:
        stop(base)
        stop(sigap)
    payloads = bodies(qs, token)
    for name, app, chdir, port in (
        ("baseline", "citizen_baseline:app", BENCH, free_port()),
        ("sigap", "sigap.wsgi:application", None, free_port()),
    ):
        proc = serve(app, port, env, args, chdir=chdir)  # one server at a time: they never share the CPU
        try:
            post(port, payloads[0], cookie)
            if loader == "wrk":
                load_wrk(port, payloads, cookie, args.warmup, args.connections, work)
                results[name] = load_wrk(port, payloads, cookie, args.duration, args.connections, work)
            else:
                load_python(port, payloads, cookie, args.warmup, args.connections)
                results[name] = load_python(port, payloads, cookie, args.duration, args.connections)
        finally:
            stop(proc)
    shutil.rmtree(work, ignore_errors=True)
    b, s = results["baseline"], results["sigap"]
    print(
        f"\ncitizen check, {args.rows:,} status rows, PostgreSQL, gunicorn {args.worker_class} {args.workers}x{args.threads}, "
        f"{args.connections} connections, {args.duration} s, loader {loader} (same 2 cores)"
    )
    print(f"{'':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'failed':>7}")
    for name, r in (("baseline", b), ("sigap", s)):
        print(
            f"{name:10} {r['rps']:8.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['max_ms']:8.1f} {r['failed']:7d}"
        )
    ok = s["rps"] >= 1500 and s["p99_ms"] <= 50 and s["failed"] == 0
    print(
        f"sigap / baseline throughput: {s['rps'] / b['rps']:.2f}; goal >= 1,500 req/s and p99 <= 50 ms: "
        + ("met" if ok else "NOT met")
    )
    if args.json:
        print(json.dumps({"loader": loader, **{k: v for k, v in results.items()}}))


if __name__ == "__main__":
    main()
