"""The ``sigap`` command. Each command group lives in its own module of this package."""

from __future__ import annotations

import click

from sigap import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sigap")
def cli() -> None:
    """SIGAP: jaminan sosial ketenagakerjaan untuk pekerja rentan, dibiayai APBD."""


def _register() -> None:
    from sigap.cli import (
        api,
        billing,
        cleanup,
        demo,
        enrolment,
        generate,
        grievance,
        holidays,
        lifecycle,
        manage,
        programme,
        registry,
        targeting,
        users,
        usulan,
    )

    for module in (
        generate,
        registry,
        programme,
        targeting,
        enrolment,
        billing,
        lifecycle,
        holidays,
        demo,
        manage,
        cleanup,
    ):
        module.register(cli)
    grievance.register(cli)
    usulan.register(cli)
    api.register(cli)
    users.register(cli)


def main() -> None:
    _register()
    cli(prog_name="sigap")
