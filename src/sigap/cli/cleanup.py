"""``sigap cleanup``: what killed processes left behind (stuck jobs, working folders, uploads)."""

from __future__ import annotations

import click

from sigap.cli.common import emit, handle_errors, json_option, setup_django


@click.command("cleanup")
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@json_option
@handle_errors
def cleanup(dry_run: bool, as_json: bool) -> None:
    """Bersihkan sisa proses yang mati / remove what killed processes left behind.

    Jobs whose worker stopped beating for longer than SIGAP_JOB_LEASE_SECONDS (default 120) are marked
    failed; .tmp-*/.stale-* working folders, run and snapshot folders without their database row, batch
    files no batch names, and uploads of ended jobs -- all older than the lease -- are removed.  Each
    worker does the same when it starts.  One audit row per clean-up that removed something.
    """
    setup_django()
    from sigap.jobs.cleanup import data_cleanup

    report = data_cleanup(dry_run=dry_run, trigger="sigap cleanup")
    emit(report.as_dict(), as_json=as_json, human=lambda _r: click.echo("\n".join(report.lines())))


def register(cli: click.Group) -> None:
    cli.add_command(cleanup)
