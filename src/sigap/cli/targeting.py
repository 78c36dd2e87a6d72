"""``sigap targeting``: run the targeting for a programme and show a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.markup import escape
from rich.table import Table

from sigap.cli.common import console, emit, handle_errors, json_option, number, progress, setup_django
from sigap.core.money import format_rupiah
from sigap.errors import UserError

FIGURES = (
    ("people", gettext_lazy("Orang dalam snapshot"), False),
    ("eligible", gettext_lazy("Memenuhi syarat"), False),
    ("selected", gettext_lazy("Terpilih"), False),
    ("waiting", gettext_lazy("Daftar tunggu"), False),
    ("ineligible", gettext_lazy("Tidak memenuhi syarat"), False),
    ("budget", gettext_lazy("Anggaran"), True),
    ("cost_per_person", gettext_lazy("Biaya per orang"), True),
    ("cost", gettext_lazy("Biaya"), True),
    ("remaining", gettext_lazy("Sisa"), True),
)


@click.group("targeting")
def targeting() -> None:
    """Penetapan sasaran / targeting: eligibility, priority, budget cut."""


def _run_result(run: Any, exports: dict[str, Path] | None = None) -> dict[str, Any]:
    from django.conf import settings

    paths = exports or {name: Path(settings.DATA_DIR) / rel for name, rel in (run.exports or {}).items()}
    return {
        "run": run.pk,
        "programme": run.programme.code,
        "programme_version": run.programme_version,
        "snapshot": run.snapshot_id,
        "roster": run.roster_id,
        "people": run.people,
        "eligible": run.eligible,
        "selected": run.selected,
        "waiting": run.waiting,
        "ineligible": run.ineligible,
        "cost_per_person": run.cost_per_person,
        "cost": run.cost,
        "budget": run.budget,
        "remaining": run.remaining,
        "decisions": str(run.decisions_file),
        "decisions_sha256": run.decisions_sha256,
        "tie_break": {
            "rule": run.tie_break_rule,
            "seed": run.tie_break_seed,
            "seed_source": run.tie_break_seed_source,
            "text": run.tie_break.describe(),
        },
        "exports": {name: str(path) for name, path in paths.items()},
        "duration_ms": run.duration_ms,
    }


def _human(result: dict[str, Any], summary: dict[str, Any] | None = None) -> None:
    table = Table(
        title=_("Penetapan sasaran #%(id)s - %(code)s") % {"id": result["run"], "code": result["programme"]}
    )
    table.add_column("")
    table.add_column("", justify="right")
    for key, label, money in FIGURES:
        value = result[key]
        table.add_row(str(label), format_rupiah(value) if money else number(value))
    console.print(table)
    console.print(
        f"{number(result['selected'])} x {format_rupiah(result['cost_per_person'])} = {format_rupiah(result['cost'])}; "
        f"{format_rupiah(result['cost'])} + {format_rupiah(result['remaining'])} = {format_rupiah(result['budget'])}",
        highlight=False,
    )
    console.print(
        _("Urutan seri: %(text)s") % {"text": result["tie_break"]["text"]}, highlight=False, markup=False
    )
    if summary:
        kec = Table(title=_("Per kecamatan"))
        columns = (_("Kode"), _("Kecamatan"), _("Memenuhi syarat"), _("Terpilih"), _("Tunggu"), _("Biaya"))
        for i, col in enumerate(columns):
            kec.add_column(col, justify="left" if i < 2 else "right")
        for row in summary.get("per_kecamatan", []):
            kec.add_row(
                row["code"],
                row["name"],
                number(row["eligible"]),
                number(row["selected"]),
                number(row["waiting"]),
                format_rupiah(row["cost"]),
            )
        console.print(kec)
        for note in summary.get("notes", []):
            console.print(f"[yellow]{escape(_('Catatan'))}:[/] {escape(str(note))}", highlight=False)
    for name, path in result["exports"].items():
        console.print(f"  {name}: {path}", highlight=False)


def _snapshot(pk: int | None, kind: str) -> Any:
    from sigap.registry.models import Snapshot

    if pk is None:
        return None
    snap = Snapshot.objects.filter(pk=pk).first()
    if snap is None:
        raise UserError(f"snapshot #{pk} does not exist")
    if snap.kind != kind:
        raise UserError(f"snapshot #{pk} is a {snap.kind} snapshot, not a {kind} snapshot")
    return snap


@targeting.command("run")
@click.option("--programme", "programme_code", required=True, help="Programme code.")
@click.option("--snapshot", "snapshot_id", type=int, help="Registry snapshot id (default: newest).")
@click.option("--roster", "roster_id", type=int, help="BPJS TK roster snapshot id (default: newest, if any).")
@click.option(
    "--export-dir", type=click.Path(path_type=Path, file_okay=False), help="Also copy the exports here."
)
@click.option(
    "--tie-break-seed",
    help="Seed of the tie-break (ADR 0014), e.g. to reproduce a run "
    "(default: [priority] tie_break_seed of the programme, else a new random seed).",
)
@json_option
@handle_errors
def run(
    programme_code: str,
    snapshot_id: int | None,
    roster_id: int | None,
    export_dir: Path | None,
    tie_break_seed: str | None,
    as_json: bool,
) -> None:
    """Decide every person of the registry snapshot for a programme."""
    setup_django()
    from sigap.programmes.actions import targeting_export, targeting_run
    from sigap.programmes.models import Programme
    from sigap.registry.models import Snapshot

    prog = Programme.objects.filter(code=programme_code).first()
    if prog is None:
        raise UserError(f"programme {programme_code} does not exist (sigap programme apply FILE)")
    snapshot = _snapshot(snapshot_id, Snapshot.REGISTRY)
    roster = _snapshot(roster_id, Snapshot.ROSTER)
    with progress(enabled=not as_json) as reporter:
        result_run = targeting_run(
            programme=prog, snapshot=snapshot, roster=roster, progress=reporter, tie_break_seed=tie_break_seed
        )
    copied = targeting_export(run=result_run, directory=export_dir) if export_dir else None
    result = _run_result(result_run, copied)
    emit(result, as_json=as_json, human=lambda r: _human(r, result_run.summary))


@targeting.command("show")
@click.argument("run_id", type=int)
@json_option
@handle_errors
def show(run_id: int, as_json: bool) -> None:
    """Show a targeting run."""
    setup_django()
    from sigap.programmes.models import TargetingRun

    found = TargetingRun.objects.select_related("programme").filter(pk=run_id).first()
    if found is None:
        raise UserError(f"targeting run #{run_id} does not exist")
    result = _run_result(found)
    result.update(
        state=found.state,
        created_at=found.created_at.isoformat(),
        code_version=found.code_version,
        summary=found.summary,
    )
    emit(result, as_json=as_json, human=lambda r: _human(r, found.summary))


@targeting.command("run-many")
@click.option("--programmes", "codes", help="Programme codes, comma-separated (e.g. A,B,C).")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A programme file (TOML) to apply first, as `sigap programme apply` does; repeatable.",
)
@click.option("--region", help="Every programme whose region lies in this code (e.g. 32: Jawa Barat).")
@click.option("--fiscal-year", type=int, help="With --region: only this fiscal year's programmes.")
@click.option("--snapshot", "snapshot_id", type=int, help="Registry snapshot id (default: newest).")
@click.option(
    "--people",
    "people_path",
    help="A partitioned snapshot folder or URL (sigap registry partition) instead of --snapshot.",
)
@click.option("--roster", "roster_id", type=int, help="BPJS TK roster snapshot id (default: newest, if any).")
@click.option("--output", help="Folder or URL for the decisions (default: DATA_DIR/runs/many-<id>).")
@json_option
@handle_errors
def run_many_command(
    codes: str | None,
    files: tuple[Path, ...],
    region: str | None,
    fiscal_year: int | None,
    snapshot_id: int | None,
    people_path: str | None,
    roster_id: int | None,
    output: str | None,
    as_json: bool,
) -> None:
    """Decide every person under the programme of their domicile: many programmes in one pass.

    On a registry snapshot each programme gets a draft targeting run, the run `sigap targeting run`
    would make (submit and approve it as usual).  With --people (a partitioned snapshot, the nation on
    SIGAP_ENGINE=spark) it writes one decisions data set partitioned by programme and registers no run."""
    from sigap.cli.programme import read_toml

    documents = [(read_toml(file), str(file)) for file in files]
    setup_django()
    from sigap.programmes.actions import programme_apply
    from sigap.programmes.many import programmes_for, targeting_run_many
    from sigap.registry.models import Snapshot

    named = [c.strip() for c in (codes or "").split(",") if c.strip()]
    for document, source_name in documents:
        applied, _, _ = programme_apply(document=document, source_name=source_name)
        if applied.code not in named:
            named.append(applied.code)
    chosen = programmes_for(codes=named, region=region, fiscal_year=fiscal_year)
    result = targeting_run_many(
        programmes=chosen,
        snapshot=_snapshot(snapshot_id, Snapshot.REGISTRY),
        roster=_snapshot(roster_id, Snapshot.ROSTER),
        people_path=people_path,
        output=output,
    )

    def human(r: dict[str, Any]) -> None:
        table = Table(title=f"{len(r['programmes'])} program, {r['rows']:,} orang / people ({r['engine']})")
        for name in ("programme", "region", "people", "selected", "waiting", "cost", "budget", "digest"):
            table.add_column(name, justify="left" if name in ("programme", "region", "digest") else "right")
        for f in r["programmes"]:
            table.add_row(
                f["programme"],
                f["region"],
                f"{f['people']:,}",
                f"{f['selected']:,}",
                f"{f['waiting']:,}",
                format_rupiah(f["cost"]),
                format_rupiah(f["budget"]),
                f["decisions_sha256"][:12],
            )
        console.print(table)
        console.print(
            f"outside every programme: {r['outside']:,}; output: {r['output']}; {r['seconds']:.1f} s",
            highlight=False,
            markup=False,
        )
        for code, run_id in r["runs"].items():
            console.print(
                f"  {code}: penetapan / run #{run_id} (draf / draft)", highlight=False, markup=False
            )

    emit(result.as_dict(), as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(targeting)
