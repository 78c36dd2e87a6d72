"""The embedded default (SQLite) under a Dinas office's load, through a live server (issue 12, finding 6).

A review found "database is locked" turning into 500s: SP2D payments posted at once, an approval while
a worker ran, the public ``/cek-status/`` during a 2.5 M-person targeting run.  Here gunicorn serves
SIGAP with the production configuration (``sigap.gunicorn_conf``: one process per core, threads) on a
SQLite file of its own, whatever DATABASE_URL the suite runs with, and while a large targeting run
(``sigap targeting run``, a separate process, on a synthetic registry) is under way, threads post at
once: SP2D payments (one number twice, a double click), the approval of two submitted lists (one of
them twice) and a stream of public citizen checks with NIK + KK number.  No response may be a 500 (or
a dropped connection), every rupiah is allocated exactly once, each list is approved once with no
member twice, and each citizen gets the answer of the list in force.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

WORLD = Path(__file__).with_name("live_world.py")
BIN = Path(sys.executable).parent
PEOPLE = 200_000  # the targeting run takes several seconds on 2 cores, the whole test well under a minute
pytestmark = pytest.mark.slow

#: The citizen check's headline per status (Bahasa Indonesia, the default language).
WORDS = {
    "selected": "Terpilih sebagai calon peserta",
    "waiting": "Dalam daftar tunggu",
    "ineligible": "Tidak memenuhi syarat",
    "not_found": "Data tidak ditemukan",
}


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SIGAP_CACHE_URL")}
    env.pop("SIGAP_RATELIMIT_STORE", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sigap.settings",
            "SIGAP_DATA_DIR": str(data),
            "SIGAP_ENV": "development",  # the public development key: a test installation
            "SIGAP_LOG_LEVEL": "ERROR",
            # one test client checks hundreds of people from one address
            "SIGAP_CITIZEN_CHECK_PER_IP": "1000000",
            "SIGAP_CITIZEN_CHECK_PER_NIK": "1000000",
        }
    )
    return env


def _world(data: Path, *args: Any) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(WORLD), *map(str, args)],
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn with the production configuration on 127.0.0.1."""

    def __init__(self, data: Path) -> None:
        self.port = _free_port()
        self.log = data.parent / "gunicorn.log"
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "sigap.wsgi:application",
                "--config",
                "python:sigap.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--error-logfile",
                str(self.log),
            ],
            env=_env(data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Visitor:
    """One browser: its cookies, CSRF token and a keep-alive connection; records every answer."""

    def __init__(self, port: int, answers: list[tuple[str, int, float]], session: str | None = None) -> None:
        self.port = port
        self.answers = answers
        self.token = secrets.token_hex(16)  # a CSRF secret of 32 characters, as Django makes them
        self.cookie = f"csrftoken={self.token}" + (f"; sessionid={session}" if session else "")
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.token})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie}
        started = time.monotonic()
        try:
            self.connection.request("POST", path, body=body, headers=headers)
            response = self.connection.getresponse()
            status, text = response.status, response.read().decode()
        except (OSError, http.client.HTTPException) as exc:  # a dropped connection is a failure too
            self.connection.close()
            status, text = 599, repr(exc)
        self.answers.append((path, status, started))
        return status, text


def _targeting_started(runs: Path, process: subprocess.Popen[str]) -> None:
    """Wait until the run works in its folder (``runs/.tmp-*``): past start-up, into the registry."""
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".tmp-") for p in runs.iterdir()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the targeting run did not start"
        time.sleep(0.05)


def test_payments_approvals_and_citizen_checks_during_a_large_targeting_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    world = _world(data, "world", PEOPLE)
    invoices: dict[str, int] = world["invoices"]
    amount = sum(invoices.values()) // 10
    pay_path = f"/keuangan/{world['payments_programme']}/pembayaran/"
    numbers = [f"SP2D/{n}" for n in range(1, 9)] + ["SP2D/1"]  # SP2D/1 posted twice
    approvals = [*world["to_approve"].values(), world["to_approve"]["LIST-B"]]  # LIST-B approved twice
    checks: list[dict[str, str]] = world["checks"]

    server = Server(data)
    answers: list[tuple[str, int, float]] = []
    pages: dict[str, list[tuple[dict[str, str], int, str]]] = {"payments": [], "approvals": [], "checks": []}
    try:
        run = subprocess.Popen(
            [
                str(BIN / "sigap"),
                "targeting",
                "run",
                "--programme",
                "BESAR-2026",
                "--snapshot",
                str(world["snapshot"]),
                "--json",
            ],
            env=_env(data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _targeting_started(data / "runs", run)
        run_started = time.monotonic()
        run_ended: list[float] = []

        def watch() -> None:
            run.wait()
            run_ended.append(time.monotonic())

        def pay(number: str) -> None:
            visitor = Visitor(server.port, answers, world["sessions"]["admin"])
            fields = {
                "action": "record",
                "sp2d_number": number,
                "sp2d_date": "2026-03-20",
                "amount": str(amount),
            }
            status, text = visitor.post(pay_path, fields)
            pages["payments"].append((fields, status, text))

        def approve(run_id: int) -> None:
            visitor = Visitor(server.port, answers, world["sessions"]["kepala"])
            fields = {
                "sk_number": f"800/Kep.{run_id}-Disnaker/2026",
                "sk_date": "2026-01-05",
                "sk_place": "Bekasi",
                "signatory_name": "Drs. Kepala",
                "signatory_title": "Kepala Dinas Tenaga Kerja Kota Bekasi",
            }
            status, text = visitor.post(f"/persetujuan/{run_id}/setujui/", fields)
            pages["approvals"].append(({"run": str(run_id)}, status, text))

        def check(offset: int) -> None:
            visitor = Visitor(server.port, answers)
            sent = 0
            while not run_ended or sent < 20:  # for the whole run, and at least 20 each
                person = checks[(offset + 7 * sent) % len(checks)]
                status, text = visitor.post("/cek-status/", {"nik": person["nik"], "kk": person["kk"]})
                pages["checks"].append((person, status, text))
                sent += 1

        threads = [threading.Thread(target=watch)]
        threads += [threading.Thread(target=check, args=(k,)) for k in range(4)]
        threads += [threading.Thread(target=pay, args=(n,)) for n in numbers]
        threads += [threading.Thread(target=approve, args=(r,)) for r in approvals]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        assert not any(t.is_alive() for t in threads), "requests still hanging"
        out, err = run.communicate()
        assert run.returncode == 0, err
    finally:
        server.stop()

    # everything was answered, none with a server error or a dropped connection
    failures = [(path, status) for path, status, _ in answers if status >= 500]
    assert failures == [], (failures, server.log.read_text()[-3000:])
    # the writes met the run: all were sent while it was still working
    writes = [started for path, _, started in answers if path != "/cek-status/"]
    assert len(writes) == len(numbers) + len(approvals)
    assert max(writes) < run_ended[0], "the run ended before the writes were sent: make it larger"
    assert run_started < run_ended[0]
    assert json.loads(out)["people"] >= PEOPLE * 0.9

    # payments: 8 recorded (a redirect to the list), the repeated number refused on the form (400)
    outcomes = sorted(status for _, status, _ in pages["payments"])
    assert outcomes == [302] * 8 + [400]
    ledger = _world(data, "ledger")
    assert ledger["payments"] == {f"SP2D/{n}": amount for n in range(1, 9)}
    assert ledger["allocated"] == 8 * amount  # no rupiah lost, none allocated twice
    paid = {number: row["paid"] for number, row in ledger["invoices"].items() if number in invoices}
    assert sum(paid.values()) == 8 * amount
    assert all(paid[number] <= total for number, total in invoices.items())

    # approvals: each list approved once (the repeat told so, on the same redirect), no member twice
    assert sorted(status for _, status, _ in pages["approvals"]) == [302, 302, 302]
    for code in ("LIST-A", "LIST-B", "LIST-C"):
        assert ledger["runs"][code]["state"] == "approved", ledger["runs"][code]
        assert ledger["members"][code] > 0
    assert ledger["doubled_members"] == 0
    assert ledger["runs"]["BESAR-2026"]["state"] == "draft"

    # citizen checks: answered throughout, each with the answer of LIST-A's list in force
    assert len(pages["checks"]) >= 80
    wrong = [
        (person["status"], status)
        for person, status, text in pages["checks"]
        if status != 200 or WORDS[person["status"]] not in text
    ]
    assert wrong == []
