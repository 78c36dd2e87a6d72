"""``sigap demo`` runs the django-tasks database worker next to the web server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sigap.jobs import worker


def test_the_worker_is_needed_only_with_the_database_backend(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": worker.DATABASE_BACKEND}}
    assert worker.needs_worker()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert not worker.needs_worker()
    command = worker.worker_command(interval=0.5)
    assert command[:4] == [sys.executable, "-m", "django", "db_worker"] and "--no-reload" in command


def test_worker_stop_ends_the_process() -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker.worker_stop(process, timeout=5)
    assert process.poll() is not None


@pytest.mark.django_db(transaction=True)
def test_demo_serves_with_a_worker_and_stops_it(data_dir: Path, monkeypatch: Any, settings: Any) -> None:
    from django.core import management

    from sigap.cli import _register, cli

    settings.TASKS = {"default": {"BACKEND": worker.DATABASE_BACKEND}}
    events: list[str] = []

    class FakeProcess:
        def poll(self) -> None:
            return None

    real = management.call_command

    def call_command(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "runserver":
            events.append("runserver")
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(management, "call_command", call_command)
    monkeypatch.setattr(worker, "worker_start", lambda **k: events.append("worker start") or FakeProcess())
    monkeypatch.setattr(worker, "worker_stop", lambda process, **k: events.append("worker stop"))
    _register()
    before = signal.getsignal(signal.SIGTERM)
    result = CliRunner().invoke(
        cli,
        ["demo", "--people", "400", "--budget", "2016000", "--json", "--port", "8765"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[0])["selected"] == 10
    assert events == ["worker start", "runserver", "worker stop"]
    assert signal.getsignal(signal.SIGTERM) == before  # the demo's SIGTERM handler is put back
