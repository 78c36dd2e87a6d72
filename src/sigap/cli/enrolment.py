"""``sigap run`` (submit/approve/return), ``sigap annex``, ``sigap batch`` (export/list/response)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click
from django.utils.translation import gettext as _
from rich.markup import escape
from rich.table import Table

from sigap.cli.common import acting_user, console, emit, handle_errors, json_option, number, setup_django
from sigap.errors import UserError

as_option = click.option("--as", "username", help="Acting user (username); must exist.")


def _run(run_id: int) -> Any:
    from sigap.programmes.models import TargetingRun

    found = TargetingRun.objects.select_related("programme").filter(pk=run_id).first()
    if found is None:
        raise UserError(f"targeting run #{run_id} does not exist")
    return found


def _run_state(run: Any) -> dict[str, Any]:
    return {
        "run": run.pk,
        "programme": run.programme.code,
        "kind": run.kind,
        "state": run.state,
        "selected": run.selected,
        "submitted_by": run.submitted_by.get_username() if run.submitted_by else None,
        "decided_by": run.decided_by.get_username() if run.decided_by else None,
        "return_reason": run.return_reason,
        "list_sha256": run.list_sha256,
    }


def _print_pairs(result: dict[str, Any]) -> None:
    for key, value in result.items():
        if isinstance(value, list | dict):
            continue
        console.print(f"{key}: {value}", highlight=False)


@click.group("run")
def run_group() -> None:
    """Persetujuan daftar / approval of a targeting run (maker-checker)."""


@run_group.command("submit")
@click.argument("run_id", type=int)
@as_option
@json_option
@handle_errors
def run_submit_cmd(run_id: int, username: str | None, as_json: bool) -> None:
    """Submit a draft or returned run for approval."""
    setup_django()
    from sigap.enrolment.actions import run_submit

    run = run_submit(run=_run(run_id), acting_user=acting_user(username))
    emit(_run_state(run), as_json=as_json, human=_print_pairs)


@run_group.command("approve")
@click.argument("run_id", type=int)
@click.option("--as", "username", required=True, help="Approving user (never the submitter).")
@click.option("--sk-number", help="Nomor SK: the decree's number, e.g. 800/Kep.123-Disnaker/2026.")
@click.option("--sk-date", help="Tanggal SK: the decree's date, YYYY-MM-DD (not after today).")
@click.option("--sk-place", help="Ditetapkan di: where it is signed (default: the region's name).")
@click.option("--signatory-name", help="Nama penanda tangan: who signs the decree.")
@click.option("--signatory-title", help='Jabatan, e.g. "Kepala Dinas Tenaga Kerja Kota Bekasi".')
@json_option
@handle_errors
def run_approve_cmd(
    run_id: int,
    username: str,
    sk_number: str | None,
    sk_date: str | None,
    sk_place: str | None,
    signatory_name: str | None,
    signatory_title: str | None,
    as_json: bool,
) -> None:
    """Approve a submitted run: freeze the list (members) the decree cites.

    The decree (SK) is printed on the annex: give its number, date and signatory (all four, or
    none: the annex then leaves the SK lines blank to fill in by hand).
    """
    setup_django()
    from sigap.enrolment.actions import run_approve

    given = {
        "--sk-number": sk_number,
        "--sk-date": sk_date,
        "--signatory-name": signatory_name,
        "--signatory-title": signatory_title,
    }
    missing = [option for option, value in given.items() if value is None]
    wanted = len(missing) < len(given) or sk_place is not None
    if wanted and missing:
        raise UserError(f"the decree (SK) needs {', '.join(given)}; missing: {', '.join(missing)}")
    decree = (
        None
        if not wanted
        else {
            "number": sk_number,
            "date": sk_date,
            "place": sk_place,
            "signatory_name": signatory_name,
            "signatory_title": signatory_title,
        }
    )
    result = run_approve(run=_run(run_id), acting_user=acting_user(username), decree=decree)

    def human(r: dict[str, Any]) -> None:
        console.print(
            _(
                "Penetapan sasaran #%(run)s (%(programme)s) disetujui oleh %(user)s: %(members)s peserta, "
                "SHA-256 daftar %(sha)s"
            )
            % {
                "run": r["run"],
                "programme": r["programme"],
                "user": r["decided_by"],
                "members": number(r["members"]),
                "sha": r["list_sha256"],
            },
            highlight=False,
            markup=False,
        )
        if r["decree"]:
            d = r["decree"]
            console.print(
                _("SK %(number)s (%(date)s), ditetapkan di %(place)s oleh %(name)s, %(title)s")
                % {
                    "number": d["number"],
                    "date": d["date"],
                    "place": d["place"],
                    "name": d["signatory_name"],
                    "title": d["signatory_title"],
                },
                highlight=False,
                markup=False,
            )
        if r["skipped"]:
            text = _("%(n)s orang dilewati:") % {"n": number(r["skipped"])}
            console.print(f"[yellow]{escape(text)}[/]", highlight=False)
            for s in r["skipped_people"][:50]:
                console.print(f"  - {s['nik']}: {s['reason']}", highlight=False)

    emit(result.as_dict(), as_json=as_json, human=human)


@run_group.command("return")
@click.argument("run_id", type=int)
@click.option("--as", "username", required=True, help="Checking user (never the submitter).")
@click.option("--reason", required=True, help="Why the list goes back to its maker.")
@json_option
@handle_errors
def run_return_cmd(run_id: int, username: str, reason: str, as_json: bool) -> None:
    """Return a submitted run to its maker with a reason."""
    setup_django()
    from sigap.enrolment.actions import run_return

    run = run_return(run=_run(run_id), acting_user=acting_user(username), reason=reason)
    emit(_run_state(run), as_json=as_json, human=_print_pairs)


@run_group.command("roster-check")
@click.argument("run_id", type=int)
@click.option("--include-waiting", is_flag=True, help="Also review the waiting list.")
@click.option(
    "--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), help="Write the review as XLSX."
)
@as_option
@json_option
@handle_errors
def run_roster_check_cmd(
    run_id: int, include_waiting: bool, out_file: Path | None, username: str | None, as_json: bool
) -> None:
    """List selected people probably already insured under another NIK or name spelling."""
    setup_django()
    from sigap.programmes.roster_review import roster_review, write_xlsx

    found = roster_review(
        run=_run(run_id), include_waiting=include_waiting, acting_user=acting_user(username)
    )
    result: dict[str, Any] = {"run": run_id, "matches": len(found), "people": len({m.nik for m in found})}
    if out_file is not None:
        result["file"] = str(write_xlsx(found, out_file))
    result["found"] = [m.as_dict() for m in found]

    def human(r: dict[str, Any]) -> None:
        table = Table("NIK", "Nama", "KPJ", "Segmen", "Alasan / reason")
        for m in r["found"][:200]:
            table.add_row(m["nik"], m["nama"], m["kpj"], m["segmen"], m["reason"])
        console.print(table)
        console.print(f"{r['people']:,} orang perlu verifikasi / people to verify", highlight=False)
        if "file" in r:
            console.print(f"XLSX: {r['file']}", highlight=False)

    emit(result, as_json=as_json, human=human)


@click.command("annex")
@click.argument("run_id", type=int)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="Also copy here.")
@as_option
@json_option
@handle_errors
def annex_cmd(run_id: int, out_dir: Path | None, username: str | None, as_json: bool) -> None:
    """Write the decree annex (daftar nominatif, PDF + XLSX) of an approved run."""
    setup_django()
    from sigap.enrolment.actions import annex_write

    run = _run(run_id)
    files = annex_write(run=run, acting_user=acting_user(username))
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        files = {name: Path(shutil.copy2(path, out_dir / path.name)) for name, path in files.items()}
    result = {"run": run.pk, "list_sha256": run.list_sha256, "files": {k: str(v) for k, v in files.items()}}
    emit(result, as_json=as_json, human=_print_files)


def _print_files(result: dict[str, Any]) -> None:
    console.print(f"Run #{result['run']}, list SHA-256 {result['list_sha256']}", highlight=False)
    for name, path in result["files"].items():
        console.print(f"  {name}: {path}", highlight=False)


def _batch_dict(batch: Any) -> dict[str, Any]:
    from django.conf import settings

    counts = dict.fromkeys(("pending", "accepted", "rejected"), 0)
    for status in batch.lines.values_list("status", flat=True):
        counts[status] += 1
    return {
        "number": batch.number,
        "programme": batch.programme.code,
        "state": batch.state,
        "members": batch.member_count,
        "coverage_start": batch.coverage_start.strftime("%Y-%m"),
        "exported_on": batch.exported_on.isoformat() if batch.exported_on else None,
        "sha256": batch.sha256,
        "files": {k: str(Path(settings.DATA_DIR) / v) for k, v in batch.files.items()},
        **counts,
    }


@click.group("batch")
def batch_group() -> None:
    """Batch pendaftaran BPJS TK / enrolment batches and BPJS TK responses."""


@batch_group.command("export")
@click.option("--programme", "programme_code", required=True, help="Programme code.")
@click.option(
    "--coverage-start", help="First covered month YYYY-MM (default: programme start or next month)."
)
@as_option
@json_option
@handle_errors
def batch_export_cmd(
    programme_code: str, coverage_start: str | None, username: str | None, as_json: bool
) -> None:
    """Export every approved, not yet sent member into a new numbered batch (CSV + XLSX)."""
    setup_django()
    from sigap.core.money import Month
    from sigap.enrolment.actions import batch_export
    from sigap.programmes.models import Programme

    programme = Programme.objects.filter(code=programme_code).first()
    if programme is None:
        raise UserError(f"programme {programme_code} does not exist")
    try:
        start = Month.parse(coverage_start) if coverage_start else None
    except ValueError as e:
        raise UserError(f"--coverage-start: {e}") from None
    batch = batch_export(programme=programme, coverage_start=start, acting_user=acting_user(username))
    emit(_batch_dict(batch), as_json=as_json, human=_print_batch)


def _print_batch(r: dict[str, Any]) -> None:
    _print_pairs(r)
    for name, path in r["files"].items():
        console.print(f"  {name}: {path}", highlight=False)


@batch_group.command("list")
@click.option("--programme", "programme_code", help="Only this programme.")
@json_option
@handle_errors
def batch_list_cmd(programme_code: str | None, as_json: bool) -> None:
    """List enrolment batches with their answers."""
    setup_django()
    from sigap.enrolment.models import EnrolmentBatch

    batches = EnrolmentBatch.objects.select_related("programme").order_by("id")
    if programme_code:
        batches = batches.filter(programme__code=programme_code)
    result = {"batches": [_batch_dict(b) for b in batches]}

    def human(r: dict[str, Any]) -> None:
        table = Table(title="Batch pendaftaran / enrolment batches")
        for col in ("Nomor", "Status", "Mulai", "Peserta", "Menunggu", "Diterima", "Ditolak"):
            table.add_column(col)
        for b in r["batches"]:
            table.add_row(
                b["number"],
                b["state"],
                b["coverage_start"],
                f"{b['members']:,}",
                f"{b['pending']:,}",
                f"{b['accepted']:,}",
                f"{b['rejected']:,}",
            )
        console.print(table)

    emit(result, as_json=as_json, human=human)


@batch_group.command("response")
@click.argument("batch_number")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@as_option
@json_option
@handle_errors
def batch_response_cmd(batch_number: str, file: Path, username: str | None, as_json: bool) -> None:
    """Import BPJS TK's answer (CSV or XLSX keyed by NIK) for a batch: all rows valid, or nothing."""
    setup_django()
    from sigap.enrolment.actions import response_import
    from sigap.enrolment.models import EnrolmentBatch

    batch = EnrolmentBatch.objects.filter(number=batch_number).first()
    if batch is None:
        raise UserError(f"batch {batch_number} does not exist (sigap batch list)")
    result = response_import(batch=batch, path=file, acting_user=acting_user(username))

    def human(r: dict[str, Any]) -> None:
        _print_pairs(r)
        for note in r["notes"]:
            console.print(f"[yellow]Catatan / note:[/] {note}", highlight=False)

    emit(result.as_dict(), as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(run_group)
    cli.add_command(annex_cmd)
    cli.add_command(batch_group)
