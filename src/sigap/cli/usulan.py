"""``sigap usulan accepted``: export accepted, not-yet-applied data-update requests for the DTSEN update."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sigap.cli.common import acting_user, console, emit, handle_errors, json_option, setup_django
from sigap.errors import UserError


@click.group("usulan")
def usulan() -> None:
    """Usulan perubahan data / data-update requests."""


@usulan.command("accepted")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False), help="File to write (.csv or .xlsx)."
)
@click.option("--mark-applied", is_flag=True, help="Also mark the exported requests as applied.")
@click.option("--as", "as_user", metavar="USER", help="Username of the acting user (audit log).")
@json_option
@handle_errors
def accepted_cmd(out: str, mark_applied: bool, as_user: str | None, as_json: bool) -> None:
    """Usulan diterima, belum diterapkan / accepted requests not yet applied, in the DTSEN layout."""
    setup_django()
    from django.db import transaction

    from sigap.audit.actions import audit_record
    from sigap.usulan import exports
    from sigap.usulan.actions import usulan_mark_applied
    from sigap.usulan.models import DataUpdateRequest as R

    path = Path(out)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise UserError(f"--out: '{out}' must end in .csv or .xlsx")
    user = acting_user(as_user)
    # Mark and audit first, write the file last: a refusal writes nothing, a failed write rolls back.
    with transaction.atomic():
        rows = list(R.objects.filter(state=R.DITERIMA, applied_at__isnull=True).order_by("decided_at", "id"))
        applied = usulan_mark_applied(requests=rows, acting_user=user) if mark_applied and rows else 0
        audit_record(
            acting_user=user,
            action="usulan.export",
            after={
                "accepted_not_applied": len(rows),
                "file": str(path),
                "numbers": [r.number for r in rows][:500],
            },
        )
        data = exports.registry_csv(rows) if path.suffix.lower() == ".csv" else exports.registry_xlsx(rows)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    result: dict[str, Any] = {"file": str(path), "requests": len(rows), "marked_applied": applied}

    def human(r: dict[str, Any]) -> None:
        console.print(
            f"{r['requests']} usulan -> {r['file']}; ditandai diterapkan / marked applied: {r['marked_applied']}"
        )

    emit(result, as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(usulan)
