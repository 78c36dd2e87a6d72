"""Processes for the kill -9 tests (tests/ops/test_faults.py).

    python tests/ops/faults.py COMMAND [ARGS]   (SIGAP_DATA_DIR names the data folder)

``queue-import FILE``: store FILE as an upload and start an import job on the database backend (the
job waits for a worker), print its id and upload.  ``run-held PROGRAMME``: a real targeting run that,
once its folder is renamed to ``runs/<id>`` and before its transaction commits -- the moment a kill
leaves a run folder with NIK and names and no database row -- writes ``DATA_DIR/held`` and waits to be
killed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import django

    django.setup()


def cmd_queue_import(file: str) -> dict[str, Any]:
    from sigap.jobs.actions import job_start
    from sigap.jobs.kinds import upload_store
    from sigap.jobs.models import Job

    class Upload:
        name = Path(file).name

        def chunks(self) -> Any:
            with open(file, "rb") as f:
                while chunk := f.read(1 << 20):
                    yield chunk

    relative = upload_store(Upload())
    job = job_start(
        kind=Job.SNAPSHOT_IMPORT,
        params={"upload": relative, "kind": "registry", "mapping": None, "reference_date": "2026-01-01"},
        acting_user=None,
    )
    return {"job": job.pk, "state": job.state, "upload": relative, "task": job.task_id}


def cmd_run_held(code: str) -> dict[str, Any]:
    from django.conf import settings

    from sigap.programmes.actions import targeting_run
    from sigap.programmes.models import Programme

    runs = Path(settings.DATA_DIR) / "runs"
    real_rename = os.rename

    def rename(src: Any, dst: Any) -> None:
        real_rename(src, dst)
        if Path(src).name.startswith(".tmp-") and Path(dst).parent == runs and Path(dst).name.isdigit():
            (Path(settings.DATA_DIR) / "held").write_text(Path(dst).name)
            time.sleep(600)  # inside the run's transaction: killed here, it never commits

    os.rename = rename  # type: ignore[assignment]
    run = targeting_run(programme=Programme.objects.get(code=code))
    return {"run": run.pk, "held": False}


COMMANDS = {"queue-import": cmd_queue_import, "run-held": cmd_run_held}


def main(argv: list[str]) -> None:
    setup()
    name, *args = argv
    print(json.dumps(COMMANDS[name](*args), default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
