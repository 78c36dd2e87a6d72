"""Several processes on the embedded default (one SQLite file): no "database is locked", no lost or
doubled rupiah, shared rate limits, and a background worker that outlives a held lock.

Each test starts real processes (``tests/ops/processes.py``) on a SQLite file of its own, whatever
DATABASE_URL the suite runs with: the question is SQLite's locking between processes, which the test
database (in memory, one process) cannot show.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).with_name("processes.py")
pytestmark = pytest.mark.slow


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SIGAP_CACHE_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sigap.settings",
            "SIGAP_DATA_DIR": str(data),
            "SIGAP_ENV": "development",
            "SIGAP_LOG_LEVEL": "ERROR",
            **extra,
        }
    )
    env.pop("SIGAP_RATELIMIT_STORE", None)
    return env


def _run(data: Path, *args: Any, **extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        env=_env(data, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _start(data: Path, *args: Any, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), *map(str, args)],
        env=_env(data, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def sqlite_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert _run(data, "migrate")["journal_mode"] == "wal"
    return data


def test_concurrent_sp2d_payments_lose_and_double_nothing(sqlite_dir: Path) -> None:
    """4 processes x 2 threads (the gunicorn layout) post 8 payments at the same instant, and one SP2D
    number is posted twice (a double click): 8 recorded, the repeat refused, no error, and every rupiah
    allocated exactly once."""
    invoices = _run(sqlite_dir, "invoices")["invoices"]
    outstanding = sum(invoices.values())
    amount = outstanding // 10
    start_at = time.time() + 3  # after every process has imported Django
    batches = [
        ["SP2D/1", "SP2D/2"],
        ["SP2D/3", "SP2D/4"],
        ["SP2D/5", "SP2D/6"],
        ["SP2D/7", "SP2D/8", "SP2D/1"],
    ]
    processes = [_start(sqlite_dir, "pay", start_at, amount, *batch) for batch in batches]
    outcomes: dict[str, list[str]] = {}
    for process in processes:
        for number, outcome in _result(process)["outcomes"].items():
            outcomes.setdefault(number, []).append(outcome)
    errors = [o for found in outcomes.values() for o in found if o.startswith("error")]
    assert errors == []
    assert [o for o in outcomes["SP2D/1"] if o == "recorded"] == ["recorded"]
    assert any("sudah dicatat" in o for o in outcomes["SP2D/1"])
    assert all(outcomes[f"SP2D/{n}"] == ["recorded"] for n in range(2, 9))

    ledger = _run(sqlite_dir, "ledger")
    assert ledger["payments"] == {f"SP2D/{n}": amount for n in range(1, 9)}
    assert ledger["allocated"] == 8 * amount  # no rupiah lost, none allocated twice
    paid = {number: row["paid"] for number, row in ledger["invoices"].items()}
    assert sum(paid.values()) == 8 * amount
    assert all(paid[number] <= total for number, total in invoices.items())
    # oldest first: the earlier invoices are settled before a later one gets anything
    ordered = sorted(invoices)
    first_open = next(i for i, number in enumerate(ordered) if paid[number] < invoices[number])
    assert all(paid[number] == 0 for number in ordered[first_open + 1 :])


def test_rate_limit_is_shared_by_two_processes(sqlite_dir: Path) -> None:
    """Two processes (two gunicorn workers) hit one counter 30 times each, limit 25: 25 get through in
    all -- a per-process counter let 50 through."""
    start_at = time.time() + 2
    first, second = (_start(sqlite_dir, "hits", start_at, 30, 25) for _ in range(2))
    results = [_result(first), _result(second)]
    assert {r["store"] for r in results} == {"database"}
    assert sum(r["allowed"] for r in results) == 25


def test_the_worker_outlives_a_held_lock(sqlite_dir: Path) -> None:
    """Another process holds SQLite's write lock three times longer than the busy timeout: the worker
    waits it out (it used to exit on "database is locked") and then runs the next job."""
    env = _env(sqlite_dir, SIGAP_DB_BUSY_TIMEOUT="0.5")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "db_worker",
            "--interval",
            "0.1",
            "--no-reload",
            "--no-startup-delay",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(2)  # the worker is polling
        holder = sqlite3.connect(sqlite_dir / "sigap.sqlite3", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        time.sleep(3)
        assert worker.poll() is None, worker.communicate()[0]
        holder.execute("COMMIT")
        holder.close()
        task = _run(sqlite_dir, "enqueue", 987654)["task"]  # no such job: the task ends "skipped"
        status = ""
        for _ in range(150):
            status = _run(sqlite_dir, "task", task)["status"] if worker.poll() is None else "worker exited"
            if status in ("SUCCESSFUL", "FAILED", "worker exited"):
                break
            time.sleep(0.2)
        assert status == "SUCCESSFUL", (
            worker.communicate(timeout=5)[0] if worker.poll() is not None else status
        )
        assert worker.poll() is None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
