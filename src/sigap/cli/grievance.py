"""``sigap grievance escalate``: mark unanswered grievances past their SLA as escalated."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from sigap.cli.common import console, emit, handle_errors, json_option, setup_django
from sigap.errors import UserError


def _parse_now(text: str | None) -> dt.datetime:
    from django.utils import timezone

    if text is None:
        return timezone.now()
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--now: '{text}' is not a moment like 2026-03-20T09:00") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


@click.group("grievance")
def grievance() -> None:
    """Pengaduan / grievances."""


@grievance.command("escalate")
@click.option("--now", "now", help="Treat this moment as now, e.g. 2026-03-20T09:00 (default: the clock).")
@json_option
@handle_errors
def escalate_cmd(now: str | None, as_json: bool) -> None:
    """Eskalasi / escalate every unanswered grievance past its due time to the Kepala Dinas."""
    setup_django()
    from sigap.pengaduan.actions import grievances_escalate

    moment = _parse_now(now)
    late = grievances_escalate(now=moment)
    result: dict[str, Any] = {
        "now": moment.isoformat(),
        "escalated": len(late),
        "tickets": [g.number for g in late],
    }

    def human(r: dict[str, Any]) -> None:
        console.print(f"Dieskalasi / escalated: {r['escalated']} ({', '.join(r['tickets']) or '-'})")

    emit(result, as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(grievance)
