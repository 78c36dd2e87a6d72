"""``sigap exits detect``, ``sigap member exit|reinstate``, ``sigap replacement run``,
``sigap programme renew|close``."""

from __future__ import annotations

from typing import Any

import click

from sigap.cli.common import (
    acting_user,
    console,
    emit,
    handle_errors,
    json_option,
    parse_date_option,
    parse_month_option,
    parse_rupiah_option,
    programme_by_code,
    setup_django,
)
from sigap.core.money import format_rupiah
from sigap.errors import UserError

as_option = click.option("--as", "username", help="Acting user (username); must exist.")


def _snapshot(snapshot_id: int | None) -> Any:
    if snapshot_id is None:
        return None
    from sigap.registry.models import Snapshot

    found = Snapshot.objects.filter(pk=snapshot_id).first()
    if found is None:
        raise UserError(f"snapshot #{snapshot_id} does not exist")
    return found


snapshot_option = click.option(
    "--snapshot", "snapshot_id", type=int, help="Registry snapshot id (default: newest)."
)
roster_option = click.option(
    "--roster", "roster_id", type=int, help="BPJS TK roster snapshot id (default: newest)."
)


def _run_dict(run: Any) -> dict[str, Any]:
    return {
        "run": run.pk,
        "programme": run.programme.code,
        "kind": run.kind,
        "state": run.state,
        "parent": run.parent_id,
        "snapshot": run.snapshot_id,
        "roster": run.roster_id,
        "cost_per_person": run.cost_per_person,
        "budget": run.budget,
        "selected": run.selected,
        "waiting": run.waiting,
        "ineligible": run.ineligible,
        "cost": run.cost,
        "remaining": run.remaining,
    }


def _print_run(r: dict[str, Any]) -> None:
    console.print(
        f"Run #{r['run']} ({r['kind']}, {r['programme']}, parent #{r['parent']}): {r['selected']:,} selected x "
        f"{format_rupiah(r['cost_per_person'])} = {format_rupiah(r['cost'])} of {format_rupiah(r['budget'])}; "
        f"waiting {r['waiting']:,}. Next: sigap run submit {r['run']}",
        highlight=False,
    )


# --------------------------------------------------------------------------- exits


@click.group("exits")
def exits() -> None:
    """Peserta keluar / members who leave (deaths, moves, formal jobs, age)."""


@exits.command("detect")
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option("--on", "on", required=True, help="Date of the check (and of the exits), YYYY-MM-DD.")
@snapshot_option
@roster_option
@click.option("--dry-run", is_flag=True, help="List what would exit; record nothing.")
@as_option
@json_option
@handle_errors
def exits_detect_cmd(
    code: str,
    on: str,
    snapshot_id: int | None,
    roster_id: int | None,
    dry_run: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Compare members with the newest registry snapshot and BPJS TK roster; record the exits."""
    setup_django()
    from sigap.enrolment.lifecycle import exits_detect

    report = exits_detect(
        programme=programme_by_code(code),
        on=parse_date_option(on, "--on"),
        snapshot=_snapshot(snapshot_id),
        roster=_snapshot(roster_id),
        acting_user=acting_user(username),
        dry_run=dry_run,
    ).as_dict()

    def human(r: dict[str, Any]) -> None:
        verb = "would exit" if r["dry_run"] else "exited"
        counts = ", ".join(f"{k} {v}" for k, v in r["counts"].items())
        console.print(f"{r['programme']}: checked {r['checked']:,}; {counts} ({verb})", highlight=False)
        for f in r["findings"][:100]:
            console.print(f"  {f['nik']} {f['nama']}: {f['reason']} -- {f['detail']}", highlight=False)
        if r["counts"].get("missing"):
            console.print(
                "[yellow]missing: not exited; check and use sigap member exit NIK --reason moved --note ...[/]"
            )

    emit(report, as_json=as_json, human=human)


@click.group("member")
def member() -> None:
    """Peserta / one member."""


@member.command("exit")
@click.argument("nik")
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option(
    "--reason",
    required=True,
    type=click.Choice(["died", "moved", "formal_job", "aged_out", "manual"]),
    help="Why the member leaves.",
)
@click.option("--date", "date", required=True, help="Date of the exit (e.g. of death), YYYY-MM-DD.")
@click.option("--note", default="", help="Note (required for --reason manual).")
@as_option
@json_option
@handle_errors
def member_exit_cmd(
    nik: str, code: str, reason: str, date: str, note: str, username: str | None, as_json: bool
) -> None:
    """Record a death report or another exit for one member by hand."""
    setup_django()
    from sigap.enrolment.lifecycle import member_exit_by_nik

    record = member_exit_by_nik(
        programme=programme_by_code(code),
        nik=nik,
        reason=reason,
        date=parse_date_option(date, "--date"),
        note=note,
        acting_user=acting_user(username),
    )
    result = {
        "nik": record.member.nik,
        "programme": code,
        "state": record.member.state,
        "date": record.date.isoformat(),
        "reason": record.reason,
        "source": record.source,
        "note": record.note,
    }
    emit(
        result,
        as_json=as_json,
        human=lambda r: console.print(
            f"{r['nik']} left {r['programme']} on {r['date']} ({r['reason']}, {r['source']})", highlight=False
        ),
    )


@member.command("reinstate")
@click.argument("niks", nargs=-1)
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option("--all-lapsed", is_flag=True, help="Every member of the programme whose membership lapsed.")
@click.option(
    "--accepted-on",
    required=True,
    help="Date BPJS TK accepted the reinstatement, YYYY-MM-DD (not after today).",
)
@click.option("--start", help="First covered month again, YYYY-MM (default: the month of --accepted-on).")
@click.option("--reference", required=True, help="BPJS TK's reference (letter number) accepting it.")
@click.option("--note", required=True, help="Why: e.g. the SP2D that came late.")
@as_option
@json_option
@handle_errors
def member_reinstate_cmd(
    niks: tuple[str, ...],
    code: str,
    all_lapsed: bool,
    accepted_on: str,
    start: str | None,
    reference: str,
    note: str,
    username: str | None,
    as_json: bool,
) -> None:
    """Reinstate memberships that lapsed because the APBD money came late (BPJS TK's procedure).

    Give the members' NIKs, or --all-lapsed.  The new coverage starts in the month BPJS TK accepts;
    the months between the lapse and it stay uncovered.
    """
    setup_django()
    from django.utils import timezone

    from sigap.enrolment.lifecycle import lapsed_members, members_reinstate

    if bool(niks) == all_lapsed:
        raise UserError("give the NIKs to reinstate or --all-lapsed (not both)")
    programme = programme_by_code(code)
    result = members_reinstate(
        programme=programme,
        members=lapsed_members(programme, niks),
        accepted_on=parse_date_option(accepted_on, "--accepted-on"),
        start=parse_month_option(start, "--start") if start else None,
        reference=reference,
        note=note,
        today=timezone.localdate(),
        acting_user=acting_user(username),
    ).as_dict()

    def human(r: dict[str, Any]) -> None:
        console.print(
            f"{r['programme']}: {r['reinstated']} member(s) reinstated from {r['start']} (BPJS TK "
            f"{r['reference']}, {r['accepted_on']}); cost {format_rupiah(r['cost'])}",
            highlight=False,
        )
        for m in r["members"][:50]:
            spans = ", ".join(f"{p['start']}..{p['end'] or 'open'}" for p in m["periods"])
            console.print(f"  {m['nik']}: lapsed {m['lapsed_on']}; coverage {spans}", highlight=False)

    emit(result, as_json=as_json, human=human)


# --------------------------------------------------------------------------- replacement


@click.group("replacement")
def replacement() -> None:
    """Penggantian peserta / replacement runs from the waiting list."""


@replacement.command("run")
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option("--start", required=True, help="First covered month of the replacements, YYYY-MM.")
@click.option("--on", "on", required=True, help="Date of the budget figures, YYYY-MM-DD.")
@snapshot_option
@roster_option
@click.option("--no-export", is_flag=True, help="Skip the Excel/CSV exports of the decisions.")
@as_option
@json_option
@handle_errors
def replacement_run_cmd(
    code: str,
    start: str,
    on: str,
    snapshot_id: int | None,
    roster_id: int | None,
    no_export: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Propose replacements that fit what is left of the budget for the months left."""
    setup_django()
    from sigap.enrolment.lifecycle import replacement_run

    run = replacement_run(
        programme=programme_by_code(code),
        start=parse_month_option(start, "--start"),
        on=parse_date_option(on, "--on"),
        snapshot=_snapshot(snapshot_id),
        roster=_snapshot(roster_id),
        acting_user=acting_user(username),
        export=not no_export,
    )
    emit(_run_dict(run), as_json=as_json, human=_print_run)


# --------------------------------------------------------------------------- renewal


@click.command("renew")
@click.option("--programme", "code", required=True, help="This year's programme code.")
@click.option("--fiscal-year", required=True, type=int, help="The new fiscal year.")
@click.option(
    "--budget", required=True, help="The new year's budget in rupiah (2016000000 or Rp2.016.000.000)."
)
@click.option(
    "--code", "new_code", help="Code of the new programme (default: the old code with the new year)."
)
@click.option("--coverage-start", help="First covered month of the new programme (default: January).")
@snapshot_option
@roster_option
@click.option("--no-export", is_flag=True, help="Skip the Excel/CSV exports of the decisions.")
@as_option
@json_option
@handle_errors
def programme_renew_cmd(
    code: str,
    fiscal_year: int,
    budget: str,
    new_code: str | None,
    coverage_start: str | None,
    snapshot_id: int | None,
    roster_id: int | None,
    no_export: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Open next year's programme and its renewal run (current members first)."""
    setup_django()
    from sigap.enrolment.lifecycle import programme_renew

    amount = parse_rupiah_option(budget, "--budget")
    new, run = programme_renew(
        programme=programme_by_code(code),
        fiscal_year=fiscal_year,
        budget=amount,
        code=new_code,
        coverage_start=parse_month_option(coverage_start, "--coverage-start") if coverage_start else None,
        snapshot=_snapshot(snapshot_id),
        roster=_snapshot(roster_id),
        acting_user=acting_user(username),
        export=not no_export,
    )
    result = {"new_programme": new.code, "fiscal_year": new.fiscal_year, **_run_dict(run)}
    emit(result, as_json=as_json, human=_print_run)


@click.command("close")
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option("--on", "on", help="Business date, YYYY-MM-DD (default today; from 31 December of its year).")
@as_option
@json_option
@handle_errors
def programme_close_cmd(code: str, on: str | None, username: str | None, as_json: bool) -> None:
    """End the members of a programme whose fiscal year is over (reason: fiscal year end)."""
    setup_django()
    from sigap.enrolment.lifecycle import programme_close

    report = programme_close(
        programme=programme_by_code(code), on=parse_date_option(on, "--on"), acting_user=acting_user(username)
    ).as_dict()

    def human(r: dict[str, Any]) -> None:
        console.print(
            f"{r['programme']} closed on {r['on']}: lapsed {r['lapsed']}; ended {r['ended']} on "
            f"{r['ended_on']} (berakhir: akhir tahun anggaran); carried into the renewal {r['carried']}",
            highlight=False,
        )

    emit(report, as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(exits)
    cli.add_command(member)
    cli.add_command(replacement)
    group = cli.commands.get("programme")
    if isinstance(group, click.Group):
        group.add_command(programme_renew_cmd)
        group.add_command(programme_close_cmd)
    else:  # pragma: no cover -- the programme group is registered first
        cli.add_command(
            click.Group("programme", commands={"renew": programme_renew_cmd, "close": programme_close_cmd})
        )
