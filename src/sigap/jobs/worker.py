"""Run the django-tasks database worker next to the web server (``sigap demo``, small installs).

Production runs ``sigap manage db_worker`` as its own service (systemd, a container); the demo
starts it as a child process so jobs started in the browser run with no extra step.  A child
process rather than a thread: the worker installs signal handlers, which only the main thread may.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

DATABASE_BACKEND = "django_tasks_db.backend.DatabaseBackend"


def needs_worker() -> bool:
    """True when jobs wait in the database for a worker (the default backend)."""
    return bool(settings.TASKS.get("default", {}).get("BACKEND") == DATABASE_BACKEND)


def worker_command(*, interval: float = 1.0) -> list[str]:
    return [
        sys.executable, "-m", "django", "db_worker",
        "--interval", str(interval), "--no-reload", "--no-startup-delay", "--verbosity", "0",
    ]  # fmt: skip


def worker_start(*, interval: float = 1.0) -> subprocess.Popen[bytes]:
    """Start a worker process on the same settings and data folder as this process."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    env["SIGAP_DATA_DIR"] = str(Path(settings.DATA_DIR))
    return subprocess.Popen(worker_command(interval=interval), env=env)  # noqa: S603 -- our own argv


def worker_stop(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """SIGTERM (the worker finishes its current task), then SIGKILL after ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
