"""Shared load driver of the HTTP benchmarks (bench/citizen_check.py, bench/dashboard.py, ...).

- :func:`serve` starts a WSGI app with gunicorn as production does (``sigap.gunicorn_conf``: preload,
  ``gc.freeze``) with the sizes given on the command line, and waits for its port; :func:`stop` ends it.
- :func:`load` drives one server with ``wrk`` (Debian's; preferred, it costs little CPU) or, without it,
  a Python asyncio client: ``connections`` keep-alive connections on loopback for ``seconds``, cycling
  through the given request bodies (POST) or repeating one GET.  It answers requests/s, p50/p99/max
  latency in ms and the count of failed requests (non-2xx status or socket errors).
- :func:`add_server_arguments` adds the shared options (--duration, --warmup, --connections, --workers,
  --threads, --worker-class, --loader, --install-wrk); :func:`loader_of` picks the loader;
  :func:`table` prints results side by side; :func:`load_average` reads /proc/loadavg.

On a shared 2-core machine figures move with what else runs: measure the server beside its baseline in
the same run (one server at a time, never both at once), and repeat (``--repeat``) to report medians.
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
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per server (max 120)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="measurements per server (medians reported)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None, help="default: sigap.gunicorn_conf's")
    parser.add_argument("--threads", type=int, default=None, help="default: sigap.gunicorn_conf's")
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"))
    parser.add_argument("--loader", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--install-wrk", action="store_true", help="apt-get install wrk when missing")


def loader_of(args: argparse.Namespace) -> str:
    if getattr(args, "install_wrk", False) and shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    args.duration = max(1, min(args.duration, 120))
    return str(args.loader if args.loader != "auto" else ("wrk" if shutil.which("wrk") else "python"))


def serve(
    app: str, port: int, env: dict[str, str], args: argparse.Namespace, chdir: Path | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn serving ``app`` on 127.0.0.1:``port`` with the production configuration; the sizes of
    ``args`` (None: the configuration's own) override it."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        app,
        "--config",
        "python:sigap.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        args.worker_class,
        "--log-level",
        "warning",
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if chdir is not None:
        command += ["--chdir", str(chdir)]
    proc = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{app} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"{app} did not start on port {port}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


_LUA = """
local bodies = {%(bodies)s}
local n = #bodies
local i = 0
wrk.method = "%(method)s"
%(headers)s
if n > 0 then
  request = function()
    i = i %% n + 1
    return wrk.format(nil, nil, nil, bodies[i])
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, "non2xx": %%d, "errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _lua(method: str, headers: dict[str, str], bodies: Sequence[str]) -> str:
    lines = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    return _LUA % {"bodies": ", ".join(json.dumps(b) for b in bodies), "method": method, "headers": lines}


def _load_wrk(
    url: str, method: str, headers: dict[str, str], bodies: Sequence[str], seconds: int, connections: int
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="sigap-bench-wrk-"))
    try:
        script = work / "load.lua"
        script.write_text(_lua(method, headers, bodies))
        out = subprocess.run(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "-s", str(script), url],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
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


def _load_python(
    port: int,
    path: str,
    method: str,
    headers: dict[str, str],
    bodies: Sequence[str],
    seconds: int,
    connections: int,
) -> dict[str, Any]:
    latencies: list[float] = []
    failed = [0]
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    payloads = [b.encode() for b in bodies] or [b""]

    async def one(until: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = random.randrange(len(payloads))
        try:
            while time.perf_counter() < until:
                body = payloads[i % len(payloads)]
                i += 1
                length_line = f"Content-Length: {len(body)}\r\n" if bodies else ""
                request = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}{length_line}\r\n"
                started = time.perf_counter()
                writer.write(request.encode() + body)
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                failed[0] += not status.startswith(b"HTTP/1.1 2")
        finally:
            writer.close()

    async def run() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(one(started + seconds) for _ in range(connections)))
        return time.perf_counter() - started

    elapsed = asyncio.run(run())
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "rps": len(latencies) / elapsed, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
        "max_ms": latencies[-1] * 1000, "requests": len(latencies), "failed": failed[0],
    }  # fmt: skip


def load(
    port: int,
    *,
    path: str,
    loader: str,
    seconds: int,
    connections: int,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    bodies: Sequence[str] = (),
) -> dict[str, Any]:
    """One measurement: ``connections`` keep-alive connections for ``seconds`` (``bodies``: POST bodies
    cycled through, each request the next)."""
    headers = dict(headers or {})
    if bodies:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if loader == "wrk":
        return _load_wrk(f"http://127.0.0.1:{port}{path}", method, headers, bodies, seconds, connections)
    return _load_python(port, path, method, headers, bodies, seconds, connections)


def measure(port: int, args: argparse.Namespace, loader: str, **request: Any) -> dict[str, Any]:
    """Warm up for ``args.warmup`` s, then ``args.repeat`` measurements of ``args.duration`` s; the
    result holds the medians and every run's figures (``runs``)."""
    common = {"loader": loader, "connections": args.connections, **request}
    if args.warmup:
        load(port, seconds=args.warmup, **common)
    runs = [load(port, seconds=args.duration, **common) for _ in range(max(1, args.repeat))]
    median = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50_ms", "p99_ms", "max_ms")}
    return {
        **median,
        "failed": sum(r["failed"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "runs": runs,
    }


def table(results: dict[str, dict[str, Any]]) -> str:
    """Results side by side (medians; each run's req/s and p99 when repeated)."""
    lines = [
        f"{'':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'failed':>7}  runs (req/s / p99 ms)"
    ]
    for name, r in results.items():
        runs = ", ".join(f"{x['rps']:.0f}/{x['p99_ms']:.0f}" for x in r.get("runs", []))
        lines.append(
            f"{name:22} {r['rps']:8.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['max_ms']:8.1f} {r['failed']:7d}  {runs}"
        )
    return "\n".join(lines)
