"""``sigap registry import|list`` and ``sigap roster import``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from sigap.cli.common import emit, handle_errors, json_option, progress, setup_django

out = Console(highlight=False)


def _mapping(path: Path | None, kind: str) -> dict[str, Any] | None:
    if path is None:
        return None
    from sigap.registry.ingest import load_mapping_file, normalise_mapping

    return normalise_mapping(load_mapping_file(path), kind=kind, source=str(path))


def _show_import(result: dict[str, Any]) -> None:
    title = f"Snapshot #{result['snapshot']}" + (
        "" if result["created"] else " (sudah diimpor / already imported)"
    )
    table = Table(title=title, show_header=True)
    for name in ("baris / rows", "diterima / accepted", "ditolak / rejected", "peringatan / warnings"):
        table.add_column(name, justify="right")
    table.add_row(*(f"{result[k]:,}" for k in ("rows", "accepted", "rejected", "warnings")))
    out.print(table)
    if result.get("report"):
        click.echo(f"Laporan penolakan / rejection report: {result['report']}")


def _run_import(
    file: Path, mapping_file: Path | None, reference_date: dt.datetime | None, as_json: bool, kind: str
) -> None:
    setup_django()
    from sigap.registry.actions import snapshot_import

    mapping = _mapping(mapping_file, kind)
    day = reference_date.date() if reference_date else dt.date.today()
    with progress(not as_json) as report:
        result = snapshot_import(path=file, kind=kind, mapping=mapping, reference_date=day, progress=report)
    emit(result.as_dict(), as_json=as_json, human=_show_import)


_file_arg = click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
_mapping_opt = click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help='TOML/JSON file mapping our column names to the file\'s: {columns = {nomor_nik = "NIK"}}.',
)
_date_opt = click.option(
    "--reference-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date for age and future-date checks (default: today).",
)


@click.group("registry")
def registry_group() -> None:
    """Registri DTSEN: impor dan daftar snapshot / import and list snapshots."""


@registry_group.command("import")
@_file_arg
@_mapping_opt
@_date_opt
@json_option
@handle_errors
def registry_import(
    file: Path, mapping_file: Path | None, reference_date: dt.datetime | None, as_json: bool
) -> None:
    """Import a DTSEN/DTKS extract (CSV, XLSX or Parquet) as a new snapshot."""
    _run_import(file, mapping_file, reference_date, as_json, "registry")


@registry_group.command("list")
@click.option("--kind", type=click.Choice(["registry", "roster", "all"]), default="all", show_default=True)
@json_option
@handle_errors
def registry_list(kind: str, as_json: bool) -> None:
    """List snapshots, newest first."""
    setup_django()
    from sigap.registry.models import Snapshot

    query = Snapshot.objects.all() if kind == "all" else Snapshot.objects.filter(kind=kind)
    items = [
        {
            "id": s.pk,
            "kind": s.kind,
            "source_name": s.source_name,
            "reference_date": s.reference_date.isoformat(),
            "rows": s.rows,
            "accepted": s.accepted,
            "rejected": s.rejected,
            "warnings": s.warnings,
            "region_codes": s.region_codes,
            "created_at": s.created_at.isoformat(timespec="seconds"),
            "data": s.data_path,
            "report": s.report_path,
        }
        for s in query
    ]

    def human(result: dict[str, Any]) -> None:
        table = Table(show_header=True)
        for name in ("id", "kind", "file", "rows", "accepted", "rejected", "warnings", "created"):
            table.add_column(name)
        for s in result["snapshots"]:
            table.add_row(
                str(s["id"]), s["kind"], s["source_name"], f"{s['rows']:,}", f"{s['accepted']:,}",
                f"{s['rejected']:,}", f"{s['warnings']:,}", s["created_at"],
            )  # fmt: skip
        out.print(table if result["snapshots"] else "Belum ada snapshot / no snapshots yet.")

    emit({"snapshots": items}, as_json=as_json, human=human)


@click.group("roster")
def roster_group() -> None:
    """Daftar peserta BPJS TK / BPJS TK participant rosters."""


@roster_group.command("import")
@_file_arg
@_mapping_opt
@_date_opt
@json_option
@handle_errors
def roster_import(
    file: Path, mapping_file: Path | None, reference_date: dt.datetime | None, as_json: bool
) -> None:
    """Import a BPJS TK roster (nik, kpj, nama, tanggal_lahir, segmen, status)."""
    _run_import(file, mapping_file, reference_date, as_json, "roster")


@registry_group.command("partition")
@click.option("--snapshot", "snapshot_id", type=int, help="Registry snapshot id (default: newest).")
@click.option("--to", "target", required=True, help="Folder or URL (s3a://, gs:// on Spark) to write to.")
@json_option
@handle_errors
def partition(snapshot_id: int | None, target: str, as_json: bool) -> None:
    """Write a snapshot partitioned by province and kabupaten/kota (provinsi=32/kabupaten_kota=3275/):
    a city reads only its folder, Spark reads the nation in parallel."""
    setup_django()
    from sigap.errors import UserError
    from sigap.programmes.many import snapshot_partition
    from sigap.registry.models import Snapshot

    query = Snapshot.objects.filter(kind=Snapshot.REGISTRY)
    snap = query.filter(pk=snapshot_id).first() if snapshot_id else query.order_by("-id").first()
    if snap is None:
        raise UserError("no such registry snapshot")
    result = snapshot_partition(snapshot=snap, target=target)
    emit(result, as_json=as_json, human=lambda r: out.print(f"{r['people']:,} people -> {r['target']}"))


def register(cli: click.Group) -> None:
    cli.add_command(registry_group)
    cli.add_command(roster_group)
