"""kill -9 in the middle of the work, then the next start: nothing stuck, nothing left behind.

Real processes on a SQLite file of their own (whatever DATABASE_URL the suite runs with), a registry
of 300,000 people generated with ``sigap.synth`` (56 MB of CSV: an import is mid-way after about a
second) and a lease of 2 s (``SIGAP_JOB_LEASE_SECONDS``) so that "older than the lease" comes soon.
Each process is killed with SIGKILL at a moment it shows itself: its working folder appeared, its
job reports progress, or -- for the worst moment of a targeting run, between renaming its folder into
place and committing its row -- a marker file written there (``faults.py run-held``).
"""

from __future__ import annotations

import glob
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
FAULTS = HERE / "faults.py"
SIGAP = str(Path(sys.executable).parent / "sigap")
LEASE = 2.0
PEOPLE = 300_000
LOST = "Proses terhenti (worker mati); mulai ulang"
PROGRAMME = """
[programme]
code = "SIGAP-2026"
name = "SIGAP 2026"
region = "3275"
fiscal_year = 2026
budget = "2.000.000.000"
coverage_start = "2026-01"
"""


class Site:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SIGAP_CACHE_URL")}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "sigap.settings",
                "SIGAP_DATA_DIR": str(self.data),
                "SIGAP_ENV": "development",
                "SIGAP_LOG_LEVEL": "ERROR",
                "SIGAP_JOB_LEASE_SECONDS": str(LEASE),
                "SIGAP_TASKS_BACKEND": "django_tasks_db.backend.DatabaseBackend",
            }
        )

    def run(self, *args: str, script: Path | None = None, lease: float = LEASE) -> dict[str, Any]:
        command = [sys.executable, str(script), *args] if script else [SIGAP, *args]
        env = {**self.env, "SIGAP_JOB_LEASE_SECONDS": str(lease)}
        done = subprocess.run(command, env=env, cwd=self.root, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}

    def start(self, *args: str, script: Path | None = None) -> subprocess.Popen[str]:
        command = [sys.executable, str(script), *args] if script else [SIGAP, *args]
        return subprocess.Popen(
            command, env=self.env, cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.data / "sigap.sqlite3", timeout=30) as db:
            return list(db.execute(query, params))

    def cleanups(self) -> list[dict[str, Any]]:
        rows = self.sql("SELECT after FROM audit_auditevent WHERE action = 'data.cleanup' ORDER BY id")
        return [json.loads(r[0]) for r in rows]

    def worker_start(self, *extra: str) -> subprocess.Popen[str]:
        return self.start(
            "manage", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2", *extra
        )

    def worker_batch(self) -> None:
        """A worker starting (its start-up clean-up), with nothing queued: it exits at once."""
        self.run("manage", "db_worker", "--batch", "--no-startup-delay", "--no-reload")


def wait_for(what: str, found: Callable[[], Any], process: subprocess.Popen[str], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the process ended before {what}: {process.returncode}\n{out}\n{err}")
        time.sleep(0.01)
    process.kill()
    pytest.fail(f"no {what} after {timeout} s")


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def past_the_lease() -> None:
    time.sleep(LEASE + 0.3)


def tmp_folders(site: Site, folder: str) -> list[str]:
    return sorted(glob.glob(str(site.data / folder / ".tmp-*")))


def written(site: Site, folder: str, least: int = 1 << 20) -> bool:
    """A working folder under ``folder`` holds at least ``least`` bytes: the process is mid-way."""
    for tmp in tmp_folders(site, folder):
        size = 0
        for path in Path(tmp).rglob("*"):
            try:
                size += path.stat().st_size if path.is_file() else 0
            except OSError:
                continue
        if size >= least:
            return True
    return False


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from sigap.synth import generate_registry, write_table

    site = Site(tmp_path_factory.mktemp("faults"))
    site.run("manage", "migrate", "--verbosity", "0")
    write_table(generate_registry(region="3275", people=PEOPLE, seed=1), site.root / "big.csv")
    (site.root / "programme.toml").write_text(PROGRAMME)
    yield site


def test_an_import_killed_mid_way_leaves_nothing_after_the_next_cleanup(site: Site) -> None:
    """(a) ``sigap registry import`` killed while it writes its snapshot: a ``.tmp-*`` folder and no row;
    a clean-up within the lease keeps it (it could be work in progress), the one after removes it."""
    before = site.sql("SELECT count(*) FROM registry_snapshot")[0][0]
    importing = site.start("registry", "import", "big.csv", "--reference-date", "2026-01-01", "--json")
    wait_for("import writing its snapshot", lambda: written(site, "snapshots"), importing)
    kill(importing)
    (leftover,) = tmp_folders(site, "snapshots")
    assert site.sql("SELECT count(*) FROM registry_snapshot")[0][0] == before

    # within the lease (a minute here: however slow this machine starts a process) it is kept
    at_once = site.run("cleanup", "--json", lease=60)
    assert at_once["scratch"] == 0 and at_once["kept_young"] >= 1 and Path(leftover).is_dir()

    past_the_lease()
    later = site.run("cleanup", "--json")
    assert later["scratch"] == 1 and later["scratch_bytes"] > 0
    assert not Path(leftover).exists() and tmp_folders(site, "snapshots") == []
    assert site.cleanups()[-1]["paths"] == [str(Path(leftover).relative_to(site.data))]


def test_a_killed_targeting_run_leaves_nothing_after_the_next_worker_start(site: Site) -> None:
    """(b) ``sigap targeting run`` killed while selecting (a ``runs/.tmp-*`` folder), and a run killed
    after its folder became ``runs/<id>`` but before its row committed (NIK and names, no row): the
    next worker start removes both."""
    site.run("registry", "import", "big.csv", "--reference-date", "2026-01-01", "--json")
    site.run("programme", "apply", "programme.toml", "--json")
    runs_before = site.sql("SELECT count(*) FROM programmes_targetingrun")[0][0]

    targeting = site.start("targeting", "run", "--programme", "SIGAP-2026", "--json")
    wait_for("run writing its decisions", lambda: written(site, "runs"), targeting)
    kill(targeting)
    (scratch,) = tmp_folders(site, "runs")

    held = site.start("run-held", "SIGAP-2026", script=FAULTS)
    marker = site.data / "held"
    run_id = wait_for("run folder renamed into place", lambda: marker.is_file() and marker.read_text(), held)
    kill(held)
    orphan = site.data / "runs" / run_id
    assert (orphan / "decisions.parquet").is_file() and (orphan / "exports").is_dir()
    assert site.sql("SELECT count(*) FROM programmes_targetingrun")[0][0] == runs_before
    assert not site.sql("SELECT id FROM programmes_targetingrun WHERE id = ?", int(run_id))

    past_the_lease()
    site.worker_batch()
    assert not Path(scratch).exists() and not orphan.exists()
    last = site.cleanups()[-1]
    assert last["orphans"] == 1 and f"runs/{run_id}" in last["paths"] and last["orphan_bytes"] > 1_000_000
    assert str(Path(scratch).relative_to(site.data)) in last["paths"]
    marker.unlink()


def test_a_worker_killed_mid_job_leaves_the_job_failed_not_running(site: Site) -> None:
    """(c) ``sigap manage db_worker`` killed while it imports an uploaded file: the job shows "running"
    until its heartbeat is older than the lease; the next worker start marks it failed with the message,
    and removes its upload and working folder."""
    big2 = site.root / "big2.csv"
    content = (site.root / "big.csv").read_bytes()
    last = content.rstrip(b"\n").rsplit(b"\n", 1)[1]
    big2.write_bytes(content + last + b"\n")  # other bytes (a duplicate row): a new import, not big.csv's
    queued = site.run("queue-import", str(big2), script=FAULTS)
    job, upload = queued["job"], site.data / queued["upload"]
    assert queued["state"] == "queued" and upload.is_file()

    def mid_way() -> bool:
        rows = site.sql("SELECT state, progress_done FROM jobs_job WHERE id = ?", job)
        return bool(rows and rows[0][0] == "running" and rows[0][1] > 100 and tmp_folders(site, "snapshots"))

    worker = site.worker_start()
    wait_for("the job mid-way", mid_way, worker)
    kill(worker)
    state, beat, message = site.sql("SELECT state, heartbeat_at, message FROM jobs_job WHERE id = ?", job)[0]
    assert state == "running" and beat is not None and message, "stuck: what the officer saw before"
    assert upload.is_file() and tmp_folders(site, "snapshots")

    past_the_lease()
    site.worker_batch()
    state, error, finished = site.sql("SELECT state, error, finished_at FROM jobs_job WHERE id = ?", job)[0]
    assert (state, error) == ("failed", LOST) and finished is not None
    assert not upload.parent.exists() and tmp_folders(site, "snapshots") == []
    task = site.sql(
        "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?", queued["task"].replace("-", "")
    )
    assert task == [("FAILED",)]
    assert site.sql(
        "SELECT count(*) FROM audit_auditevent WHERE action = 'job.lost' AND object_id = ?", str(job)
    )
    last = site.cleanups()[-1]
    assert (
        last["jobs_failed"] == [job] and last["uploads"] == 1 and last["upload_bytes"] == big2.stat().st_size
    )
