"""``sigap manage status_refresh [--programme CODE] [--on YYYY-MM-DD]``: rebuild the read models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sigap.programmes.models import Programme
from sigap.status.actions import status_refresh


class Command(BaseCommand):
    help = "Rebuild the citizen-status table and the dashboard aggregates (all programmes by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", action="append", default=[], help="programme code (repeatable)")
        parser.add_argument("--on", default=None, help="business date of the realisation (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        codes: list[str] = options["programme"]
        programmes = (
            list(Programme.objects.filter(code__in=codes)) if codes else list(Programme.objects.all())
        )
        missing = sorted(set(codes) - {p.code for p in programmes})
        if missing:
            raise CommandError(f"unknown programme: {', '.join(missing)}")
        try:
            on = dt.date.fromisoformat(options["on"]) if options["on"] else None
        except ValueError:
            raise CommandError(f"--on {options['on']!r} is not a date (YYYY-MM-DD)") from None
        for programme in programmes:
            figures = status_refresh(programme=programme, on=on)
            self.stdout.write(f"{programme.code}: {figures.statuses} status rows, on {figures.computed_on}")
