"""``sigap holiday import|list``: the public holidays that move a premium's due date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sigap.cli.common import acting_user, console, emit, handle_errors, json_option, setup_django


@click.group("holiday")
def holiday_group() -> None:
    """Hari libur nasional / public holidays (SKB 3 Menteri), for premium due dates."""


@holiday_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", help="Acting user (username); must exist.")
@json_option
@handle_errors
def holiday_import_cmd(file: Path, username: str | None, as_json: bool) -> None:
    """Add or update holidays from a CSV file: date,name[,legal_reference] (dates as YYYY-MM-DD)."""
    setup_django()
    from sigap.holidays.actions import holidays_import

    done = holidays_import(path=file, acting_user=acting_user(username))
    result = {"added": done.added, "updated": done.updated, "unchanged": done.unchanged}
    emit(
        result,
        as_json=as_json,
        human=lambda r: console.print(
            f"{r['added']} ditambah / added, {r['updated']} diubah / updated, {r['unchanged']} tetap / unchanged",
            highlight=False,
        ),
    )


@holiday_group.command("list")
@click.option("--year", type=int, help="Only this year.")
@json_option
@handle_errors
def holiday_list_cmd(year: int | None, as_json: bool) -> None:
    """The holiday calendar."""
    setup_django()
    from sigap.holidays.models import Holiday

    rows = Holiday.objects.all()
    if year:
        rows = rows.filter(date__year=year)
    result: dict[str, Any] = {
        "holidays": [
            {"date": h.date.isoformat(), "name": h.name, "legal_reference": h.legal_reference} for h in rows
        ]
    }

    def human(r: dict[str, Any]) -> None:
        table = Table("Tanggal / date", "Nama / name", "Dasar hukum / legal reference")
        for h in r["holidays"]:
            table.add_row(h["date"], h["name"], h["legal_reference"])
        console.print(table)

    emit(result, as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(holiday_group)
