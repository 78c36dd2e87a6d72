"""``sigap registry import|list`` and ``sigap roster import|link|review|confirm|reject``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from sigap.cli.common import emit, handle_errors, json_option, number, progress, setup_django
from sigap.errors import UserError

out = Console(highlight=False)


def _mapping(path: Path | None, kind: str) -> dict[str, Any] | None:
    """A mapping file, or (no such file) a column-mapping profile saved in the browser, by name."""
    if path is None:
        return None
    from sigap.registry.ingest import load_mapping_file, normalise_mapping

    if not path.exists() and path.suffix.lower() not in (".toml", ".json"):
        from sigap.registry.actions import mapping_profile_named

        profile = mapping_profile_named(str(path), kind=kind)
        return normalise_mapping(profile.mapping, kind=kind, source=profile.name)
    return normalise_mapping(load_mapping_file(path), kind=kind, source=str(path))


def _show_import(result: dict[str, Any]) -> None:
    title = (_("Snapshot #%(id)s") if result["created"] else _("Snapshot #%(id)s (sudah pernah diimpor)")) % {
        "id": result["snapshot"]
    }
    table = Table(title=title, show_header=True)
    for name in (_("baris"), _("diterima"), _("ditolak"), _("peringatan")):
        table.add_column(name, justify="right")
    table.add_row(*(number(result[k]) for k in ("rows", "accepted", "rejected", "warnings")))
    out.print(table)
    if result.get("report"):
        click.echo(_("Laporan penolakan: %(path)s") % {"path": result["report"]})


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
    type=click.Path(path_type=Path, dir_okay=False),
    help='TOML/JSON file mapping our column names to the file\'s: {columns = {nomor_nik = "NIK"}}; '
    "or the name of a column-mapping profile saved in the browser (Kelola data > Impor), AREA/NAME "
    "when areas share a name.",
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
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@_mapping_opt
@_date_opt
@click.option(
    "--from-dci",
    "dci_url",
    metavar="URL",
    help="Pull the extract from a DCI social registry (its base URL, before /registry/sync/search) "
    "instead of a file.",
)
@click.option("--region", help="DCI: ask for the people of this region code (predicate region_code eq CODE).")
@click.option("--query", "dci_query", help="DCI: the search query as JSON (instead of --region).")
@click.option(
    "--query-type",
    type=click.Choice(["idtype-value", "expression", "predicate"]),
    default="predicate",
    show_default=True,
)
@click.option("--page-size", type=int, default=500, show_default=True, help="DCI: records a page.")
@click.option("--client-id", envvar="SIGAP_DCI_CLIENT_ID", help="DCI: client id for /oauth2/client/token.")
@click.option(
    "--client-secret", envvar="SIGAP_DCI_CLIENT_SECRET", help="DCI: its secret (better: the env var)."
)
@click.option("--token", envvar="SIGAP_DCI_TOKEN", help="DCI: a bearer token instead of client credentials.")
@json_option
@handle_errors
def registry_import(
    file: Path | None,
    mapping_file: Path | None,
    reference_date: dt.datetime | None,
    dci_url: str | None,
    region: str | None,
    dci_query: str | None,
    query_type: str,
    page_size: int,
    client_id: str | None,
    client_secret: str | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Import a DTSEN/DTKS extract (CSV, XLSX or Parquet) as a new snapshot -- or pull it from a DCI
    social registry (--from-dci URL): the same checks and rejection reasons as a file."""
    if dci_url is None:
        if file is None:
            raise UserError("give the extract FILE, or --from-dci URL")
        _run_import(file, mapping_file, reference_date, as_json, "registry")
        return
    if file is not None or mapping_file is not None:
        raise UserError("--from-dci reads no FILE and no --mapping (the pulled extract uses SIGAP's columns)")
    _run_dci_import(
        dci_url, _dci_query(region, dci_query, query_type), query_type, page_size,
        client_id, client_secret, token, reference_date, as_json,
    )  # fmt: skip


def _dci_query(region: str | None, text: str | None, query_type: str) -> Any:
    import json

    if (region is None) == (text is None):
        raise UserError("--from-dci needs --region CODE or --query JSON (one of them)")
    if region is not None:
        if query_type != "predicate":
            raise UserError("--region makes a predicate query: leave --query-type as predicate")
        return [
            {
                "seq_num": 1,
                "expression1": {"attribute_name": "region_code", "operator": "eq", "attribute_value": region},
            }
        ]
    try:
        return json.loads(text or "")
    except ValueError as e:
        raise UserError(f"--query is not JSON: {e}") from None


def _run_dci_import(
    url: str,
    query: Any,
    query_type: str,
    page_size: int,
    client_id: str | None,
    client_secret: str | None,
    token: str | None,
    reference_date: dt.datetime | None,
    as_json: bool,
) -> None:
    setup_django()
    from sigap.registry.dci import registry_import_dci

    day = reference_date.date() if reference_date else dt.date.today()
    with progress(not as_json) as report:
        pulled, result = registry_import_dci(
            url, reference_date=day, progress=report, query_type=query_type, query=query,
            page_size=page_size, token=token, client_id=client_id, client_secret=client_secret,
        )  # fmt: skip
    found = {
        **result.as_dict(),
        "dci": {
            "pages": pulled.pages,
            "records": pulled.records,
            "rows": pulled.rows,
            "file": str(pulled.path),
        },
    }
    emit(found, as_json=as_json, human=_show_import)


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
@click.option(
    "--link/--no-link",
    default=True,
    show_default=True,
    help="Link the roster to the newest registry snapshot (NIK, then name, birth date, sex, region).",
)
@json_option
@handle_errors
def roster_import(
    file: Path, mapping_file: Path | None, reference_date: dt.datetime | None, link: bool, as_json: bool
) -> None:
    """Import a BPJS TK roster (nik, kpj, nama, tanggal_lahir, segmen, status).  Every readable row is
    kept; then the roster is linked to the newest registry snapshot (ADR 0022): the officer's earlier
    decisions apply, uncertain pairs wait in `sigap roster review`."""
    setup_django()
    from sigap.registry.actions import snapshot_import

    mapping = _mapping(mapping_file, "roster")
    day = reference_date.date() if reference_date else dt.date.today()
    with progress(not as_json) as report:
        result = snapshot_import(
            path=file, kind="roster", mapping=mapping, reference_date=day, progress=report
        )
    found = result.as_dict()
    if link:  # the same file again keeps its linkage (`sigap roster link` makes a new one)
        from sigap.programmes.linkage import link_imported_roster

        linkage = link_imported_roster(roster=result.snapshot)
        if linkage is not None:
            found["linkage"] = _linkage_dict(linkage)

    def human(r: dict[str, Any]) -> None:
        _show_import(r)
        if r.get("linkage"):
            _show_linkage(r["linkage"])

    emit(found, as_json=as_json, human=human)


def _linkage_dict(linkage: Any) -> dict[str, Any]:
    return {"id": linkage.pk, "roster": linkage.roster_id, "registry": linkage.registry_id, **linkage.stats}


def _show_linkage(r: dict[str, Any]) -> None:
    click.echo(
        f"Pencocokan #{r['id']} (roster #{r['roster']} x registri #{r['registry']}): "
        f"{r['linked_rows']:,} dari {r['roster_rows']:,} baris cocok dengan penduduk; "
        f"{r['review_rows']:,} menunggu keputusan petugas (sigap roster review)."
    )


def _linkage(linkage_id: int | None) -> Any:
    from sigap.programmes.models import RosterLinkage

    query = RosterLinkage.objects.all()
    linkage = query.filter(pk=linkage_id).first() if linkage_id else query.order_by("-id").first()
    if linkage is None:
        raise UserError("belum ada pencocokan / no such linkage: run `sigap roster link`")
    return linkage


@roster_group.command("link")
@click.option("--roster", "roster_id", type=int, help="Roster snapshot id (default: newest).")
@click.option("--registry", "registry_id", type=int, help="Registry snapshot id (default: newest).")
@click.option("--as", "username", help="Acting user (username); must exist.")
@json_option
@handle_errors
def roster_link_cmd(
    roster_id: int | None, registry_id: int | None, username: str | None, as_json: bool
) -> None:
    """Link a roster to a registry snapshot: a valid NIK first, then a Splink model (NIK typos, name
    variants, swapped day/month, sex, region) and SIGAP's rules; the officer's decisions apply."""
    setup_django()
    from sigap.cli.common import acting_user
    from sigap.programmes.linkage import roster_link
    from sigap.registry.models import Snapshot

    def snap(pk: int | None) -> Snapshot | None:
        if pk is None:
            return None
        found = Snapshot.objects.filter(pk=pk).first()
        if found is None:
            raise UserError(f"snapshot #{pk} does not exist")
        return found

    linkage = roster_link(
        roster=snap(roster_id), registry=snap(registry_id), acting_user=acting_user(username)
    )
    emit(_linkage_dict(linkage), as_json=as_json, human=_show_linkage)


@roster_group.command("review")
@click.option("--linkage", "linkage_id", type=int, help="Linkage id (default: newest).")
@click.option("--as", "username", help="Acting user (username); must exist.")
@json_option
@handle_errors
def roster_review_cmd(linkage_id: int | None, username: str | None, as_json: bool) -> None:
    """The pairs waiting for the officer: roster row, registry person, probability and evidence."""
    setup_django()
    from sigap.cli.common import acting_user
    from sigap.programmes.linkage import review_queue
    from sigap.programmes.linkage_labels import evidence_words

    linkage = _linkage(linkage_id)
    queue = review_queue(linkage=linkage, acting_user=acting_user(username))
    items = [{**c.as_dict(), "evidence_words": evidence_words(c.evidence)} for c in queue]

    def human(r: dict[str, Any]) -> None:
        table = Table(title=f"Pencocokan #{r['linkage']}: {len(r['candidates'])} menunggu keputusan")
        for name in (
            "baris",
            "KPJ",
            "NIK BPJS TK",
            "nama BPJS TK",
            "NIK DTSEN",
            "nama DTSEN",
            "peluang",
            "bukti",
        ):
            table.add_column(name)
        for c in r["candidates"]:
            table.add_row(
                str(c["source_row"]), c["kpj"], c["roster_nik"], c["roster_nama"], c["nik"], c["nama"],
                f"{c['probability']:.1%}", "; ".join(c["evidence_words"]),
            )  # fmt: skip
        out.print(table)

    emit({"linkage": linkage.pk, "candidates": items}, as_json=as_json, human=human)


def _decide(decision: str, linkage_id: int | None, row: int, nik: str, note: str, username: str | None,
            as_json: bool) -> None:  # fmt: skip
    setup_django()
    from sigap.cli.common import acting_user
    from sigap.programmes.linkage import link_decide

    linkage = _linkage(linkage_id)
    saved = link_decide(
        linkage=linkage,
        source_row=row,
        nik=nik,
        decision=decision,
        note=note,
        acting_user=acting_user(username),
    )
    result = {"linkage": linkage.pk, "nik": saved.nik, "kpj": saved.kpj, "decision": saved.decision,
              "insured_version": linkage.insured_version}  # fmt: skip
    emit(
        result,
        as_json=as_json,
        human=lambda r: click.echo(f"NIK {r['nik']} ~ KPJ {r['kpj']}: {r['decision']}"),
    )


_decision_options = [
    click.option("--linkage", "linkage_id", type=int, help="Linkage id (default: newest)."),
    click.option(
        "--row", type=int, required=True, help="The roster row (as `sigap roster review` shows it)."
    ),
    click.option("--nik", required=True, help="The registry person's NIK."),
    click.option("--note", default="", help="Why (kept in the audit log)."),
    click.option("--as", "username", help="Acting user (username); must exist."),
]


def _with_decision_options(func: Any) -> Any:
    for option in reversed(_decision_options):
        func = option(func)
    return func


@roster_group.command("confirm")
@_with_decision_options
@json_option
@handle_errors
def roster_confirm(
    linkage_id: int | None, row: int, nik: str, note: str, username: str | None, as_json: bool
) -> None:
    """The roster row and the registry person are the same person: they count as insured (remembered
    by NIK and KPJ for the next imports)."""
    _decide("confirmed", linkage_id, row, nik, note, username, as_json)


@roster_group.command("reject")
@_with_decision_options
@json_option
@handle_errors
def roster_reject(
    linkage_id: int | None, row: int, nik: str, note: str, username: str | None, as_json: bool
) -> None:
    """The roster row and the registry person are different people (remembered for the next imports)."""
    _decide("rejected", linkage_id, row, nik, note, username, as_json)


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
