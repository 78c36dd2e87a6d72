"""``sigap programme``: print a template, apply a definition file, list programmes."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sigap.cli.common import console, emit, handle_errors, json_option, setup_django
from sigap.errors import UserError


@click.group("programme")
def programme() -> None:
    """Definisi program / programme definitions (TOML files)."""


@programme.command("template")
def template() -> None:
    """Print a commented programme definition to start from."""
    from sigap.programmes.template import programme_template

    click.echo(programme_template(), nl=False)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UserError(f"{path}: cannot read the file ({e.strerror})") from None
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: not UTF-8 text (byte {e.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        lineno = getattr(e, "lineno", None)
        where = f" at line {lineno}" if lineno else ""
        raise UserError(f"{path}: TOML syntax error{where}", details=[str(e)]) from None


@programme.command("apply")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@json_option
@handle_errors
def apply(file: Path, as_json: bool) -> None:
    """Create or update the programme defined in FILE (TOML)."""
    document = read_toml(file)
    setup_django()
    from sigap.programmes.actions import programme_apply

    prog, created, changed = programme_apply(document=document, source_name=str(file))
    result = {
        "programme": prog.code,
        "id": prog.pk,
        "version": prog.version,
        "created": created,
        "changed": changed,
        "spec_sha256": prog.spec_sha256,
    }

    def human(r: dict[str, Any]) -> None:
        state = "created" if created else "updated" if changed else "unchanged"
        console.print(f"Program {r['programme']}: {state} (versi/version {r['version']})", highlight=False)

    emit(result, as_json=as_json, human=human)


@programme.command("list")
@json_option
@handle_errors
def list_(as_json: bool) -> None:
    """List programmes."""
    setup_django()
    from sigap.core.money import format_rupiah
    from sigap.programmes.models import Programme
    from sigap.reference import regions

    rows = [
        {
            "code": p.code,
            "name": p.name,
            "region": p.region,
            "region_name": (r.name if (r := regions().get(p.region)) else ""),
            "fiscal_year": p.fiscal_year,
            "budget": p.budget,
            "coverage_start": p.coverage_start,
            "funding": p.funding,
            "version": p.version,
        }
        for p in Programme.objects.all()
    ]

    def human(result: dict[str, Any]) -> None:
        table = Table(title="Program / programmes")
        for col in ("Kode", "Nama", "Wilayah", "Tahun", "Anggaran", "Mulai", "Dana", "Versi"):
            table.add_column(col, justify="right" if col in ("Anggaran", "Versi", "Tahun") else "left")
        for r in result["programmes"]:
            table.add_row(
                r["code"],
                r["name"],
                f"{r['region']} {r['region_name']}",
                str(r["fiscal_year"]),
                format_rupiah(r["budget"]),
                r["coverage_start"],
                r["funding"],
                str(r["version"]),
            )
        if result["programmes"]:
            console.print(table)
        else:
            console.print("Belum ada program / no programmes yet.")

    emit({"programmes": rows}, as_json=as_json, human=human)


@programme.command("import-segment")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--code", required=True, help="Kode program segmen, mis. RTRW-2026.")
@click.option("--year", "fiscal_year", type=int, required=True, help="Tahun anggaran.")
@click.option("--region", required=True, help="Kode wilayah yang membiayai (kab/kota, mis. 3275).")
@click.option("--name", default="", help="Nama program segmen (default: kodenya).")
@click.option("--start", default=None, help="Bulan mulai (YYYY-MM; default Januari).")
@click.option(
    "--budget", type=int, default=None, help="Anggaran segmen (Rp; default: iuran peserta yang diterima)."
)
@json_option
@handle_errors
def import_segment(
    file: Path,
    code: str,
    fiscal_year: int,
    region: str,
    name: str,
    start: str | None,
    budget: int | None,
    as_json: bool,
) -> None:
    """Import FILE (CSV/XLSX/Parquet: NIK, nama, segmen, kelurahan[, kecamatan, mulai, selesai, kpj]):
    people the region already funds in a segment (RT/RW, kader Posyandu, honorer...), as programme
    CODE with existing members; other APBD programmes will not select them."""
    setup_django()
    from sigap.core.money import Month
    from sigap.coverage.actions import segment_import

    try:
        first = Month.parse(start) if start else None
    except ValueError:
        raise UserError(f"--start {start}: use YYYY-MM") from None
    result = segment_import(
        path=file, code=code, fiscal_year=fiscal_year, region=region, name=name, budget=budget, start=first
    )

    def human(r: dict[str, Any]) -> None:
        console.print(
            f"Segmen {r['programme']}: {r['accepted']} diterima / accepted, {r['rejected']} ditolak / rejected"
            f" dari/of {r['rows']} baris/rows",
            highlight=False,
        )
        for segment, n in sorted(r["segments"].items()):
            console.print(f"  {segment}: {n}", highlight=False, markup=False)
        for other, n in sorted(r["also_funded"].items()):
            console.print(
                f"  {n} orang juga dibiayai program {other} / also funded by {other}",
                highlight=False,
                markup=False,
            )
        if r["rejected"]:
            console.print(f"Laporan penolakan / rejection report: {r['report']}", highlight=False)

    emit(result.as_dict(), as_json=as_json, human=human)


@programme.command("reference")
@click.option("--region", required=True, help="Kode wilayah (provinsi atau kab/kota).")
@click.option("--year", type=int, required=True)
@click.option("--estimate", type=int, required=True, help="Perkiraan pekerja rentan / informal di wilayah.")
@click.option("--source", required=True, help="Sumber angka, mis. 'DPRD Kota Bekasi'.")
@click.option("--note", default="")
@json_option
@handle_errors
def reference(region: str, year: int, estimate: int, source: str, note: str, as_json: bool) -> None:
    """Enter the estimate of informal workers of a region (the base of the coverage share)."""
    setup_django()
    from sigap.coverage.actions import reference_set

    figure, created = reference_set(region=region, year=year, estimate=estimate, source=source, note=note)
    result = {
        "region": figure.region,
        "year": figure.year,
        "estimate": figure.estimate,
        "source": figure.source,
        "created": created,
    }

    def human(r: dict[str, Any]) -> None:
        console.print(
            f"Angka acuan {r['region']} {r['year']}: {r['estimate']:,} ({r['source']})".replace(",", "."),
            highlight=False,
            markup=False,
        )

    emit(result, as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(programme)
