"""``cleanup``: fail the jobs whose worker died and remove what killed processes left behind
(the same as ``sigap cleanup``; :mod:`sigap.jobs.cleanup`)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Fail jobs whose worker died; remove .tmp-*/.stale-* leftovers, run and snapshot folders "
        "without their row, and uploads of ended jobs (all older than SIGAP_JOB_LEASE_SECONDS)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be removed; change nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        from sigap.jobs.cleanup import data_cleanup

        report = data_cleanup(dry_run=options["dry_run"], trigger="sigap manage cleanup")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
        else:
            self.stdout.write("\n".join(report.lines()))
