from __future__ import annotations

import click

from sigap.cli.common import setup_django


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (migrate, createsuperuser, runserver...)."""
    setup_django(migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sigap manage", *args])


def register(cli: click.Group) -> None:
    cli.add_command(manage)
