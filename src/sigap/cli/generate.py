"""``sigap generate``: a synthetic DTSEN-like extract (and optionally a BPJS TK roster)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sigap.cli.common import console, emit, handle_errors, json_option, progress

_RATE = click.FloatRange(0.0, 1.0)
F = TypeVar("F", bound=Callable[..., Any])


def _rate_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, type=_RATE, default=None, help=f"{help_text} (fraction of rows, 0..1).")


@click.command("generate")
@click.argument("out_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", default="3275", show_default=True, help="Kabupaten/kota code (or unique name).")
@click.option("--people", type=click.IntRange(min=1), default=300_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--roster",
    "roster_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a BPJS TK participant roster overlapping the registry.",
)
@click.option("--insured-share", type=_RATE, default=0.12, show_default=True, help="Roster size / people.")
@_rate_option("--invalid-nik-rate", "Invalid NIKs")
@_rate_option("--duplicate-rate", "Exact duplicate rows added")
@_rate_option("--typo-rate", "Names with typos, titles or old spelling")
@_rate_option("--mixed-date-rate", "Birth dates in other formats")
@_rate_option("--region-name-rate", "Kecamatan/kelurahan written as names")
@click.option("--dirty", is_flag=True, help="Preset: modest defect rates for every rate not given.")
@json_option
@handle_errors
def generate_command(
    out_file: Path,
    region: str,
    people: int,
    seed: int,
    roster_file: Path | None,
    insured_share: float,
    invalid_nik_rate: float | None,
    duplicate_rate: float | None,
    typo_rate: float | None,
    mixed_date_rate: float | None,
    region_name_rate: float | None,
    dirty: bool,
    as_json: bool,
) -> None:
    """Write a synthetic DTSEN-like registry extract to OUT_FILE (.csv pipe-delimited, .parquet, .xlsx).

    Real kecamatan/kelurahan codes of the region; valid NIKs; families with a desil.
    No database needed.
    """
    from sigap.synth import (
        DirtyKnobs,
        generate_registry,
        generate_roster,
        region_plan,
        table_format,
        write_table,
    )
    from sigap.synth._write import check_xlsx_rows

    preset = DirtyKnobs.preset() if dirty else DirtyKnobs()

    def rate(given: float | None, default: float) -> float:
        return default if given is None else given

    knobs = DirtyKnobs(
        invalid_nik=rate(invalid_nik_rate, preset.invalid_nik),
        duplicate_rows=rate(duplicate_rate, preset.duplicate_rows),
        name_typos=rate(typo_rate, preset.name_typos),
        mixed_dates=rate(mixed_date_rate, preset.mixed_dates),
        region_names=rate(region_name_rate, preset.region_names),
    )
    # Fail fast, before minutes of work: region, formats, Excel size.
    plan = region_plan(region)
    out_format = table_format(out_file)
    if out_format == "xlsx":
        check_xlsx_rows(people + round(people * knobs.duplicate_rows), out_file)
    if roster_file is not None:
        table_format(roster_file)

    started = time.perf_counter()
    with progress(enabled=not as_json) as step:
        registry = generate_registry(region=plan.code, people=people, seed=seed, dirty=knobs, progress=step)
        step(f"Writing {out_file.name}", 0, 1)
        write_table(registry, out_file)
        step(f"Writing {out_file.name}", 1, 1)
        roster_rows = None
        if roster_file is not None:
            step("Generating roster", 0, 1)
            roster = generate_roster(registry, seed=seed, insured_share=insured_share, dirty=knobs)
            write_table(roster, roster_file)
            roster_rows = roster.num_rows
            step("Generating roster", 1, 1)

    import pyarrow.compute as pc

    result = {
        "file": str(out_file),
        "people": people,
        "rows": registry.num_rows,
        "families": int(pc.count_distinct(registry.column("nomor_kk")).as_py()),
        "roster_file": None if roster_file is None else str(roster_file),
        "roster_rows": roster_rows,
        "seconds": round(time.perf_counter() - started, 2),
        "region": plan.code,
        "region_name": plan.name,
    }

    def human(r: dict[str, object]) -> None:
        console.print(
            f"[green]Wrote[/] {r['file']}: {r['people']:,} people in {r['families']:,} families "
            f"of {r['region']} {r['region_name']} ({r['rows']:,} rows) in {r['seconds']} s",
            highlight=False,
        )
        if r["roster_file"]:
            console.print(
                f"[green]Wrote[/] roster {r['roster_file']}: {r['roster_rows']:,} rows", highlight=False
            )

    emit(result, as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(generate_command)
