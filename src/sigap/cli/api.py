"""``sigap api``: machine clients of the REST API and the keys signing their tokens (docs/api.md).

    sigap api client create "BPJS TK Bekasi" --scopes bpjs:write --area 3275 --as admin.dinas
    sigap api client list
    sigap api client revoke bpjs-tk-bekasi-1a2b3c4d --reason "kunci bocor" --as admin.dinas
    sigap api key rotate --as admin.dinas
    sigap api key retire 20260101-1a2b3c4d --as admin.dinas

The client's secret is printed once, at creation: only its hash is kept.
"""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from sigap.cli.common import acting_user, console, emit, handle_errors, json_option, setup_django
from sigap.errors import UserError

as_option = click.option("--as", "username", default=None, help="Act as this user (an Admin Dinas).")


@click.group("api")
def api_group() -> None:
    """Klien API dan kunci token / API clients and token signing keys."""


@api_group.group("client")
def client_group() -> None:
    """Klien API (sistem lain) / API clients (other systems)."""


def _client(client_id: str) -> Any:
    from sigap.api.models import ApiClient

    client = ApiClient.objects.filter(client_id=client_id).first()
    if client is None:
        raise UserError(f"client '{client_id}' does not exist (sigap api client list)")
    return client


@client_group.command("create")
@click.argument("name")
@click.option("--scopes", required=True, help="Comma-separated: status:read,bpjs:write,payments:write,...")
@click.option("--area", "area_code", required=True, help="Region code the client may see or act on.")
@as_option
@json_option
@handle_errors
def client_create_cmd(name: str, scopes: str, area_code: str, username: str | None, as_json: bool) -> None:
    """Create a client; prints its client_id and secret (shown only now)."""
    setup_django()
    from sigap.api.actions import api_client_create, describe_client

    client, secret = api_client_create(
        name=name, scopes=scopes.split(","), area_code=area_code, acting_user=acting_user(username)
    )
    result = {**describe_client(client), "client_secret": secret}

    def human(r: dict[str, Any]) -> None:
        console.print(f"client_id:     {r['client_id']}", highlight=False)
        console.print(f"client_secret: {r['client_secret']}", highlight=False)
        console.print(
            "Simpan rahasia ini sekarang: tidak akan ditampilkan lagi. / "
            "Keep this secret now: it is never shown again.",
            highlight=False,
        )

    emit(result, as_json=as_json, human=human)


@client_group.command("list")
@json_option
@handle_errors
def client_list_cmd(as_json: bool) -> None:
    """List the clients (never their secrets)."""
    setup_django()
    from sigap.api.actions import describe_client
    from sigap.api.models import ApiClient

    result = {"clients": [describe_client(c) for c in ApiClient.objects.select_related("created_by")]}

    def human(r: dict[str, Any]) -> None:
        table = Table(title="Klien API / API clients")
        for col in ("client_id", "Nama", "Cakupan", "Wilayah", "Status"):
            table.add_column(col)
        for c in r["clients"]:
            table.add_row(
                c["client_id"],
                c["name"],
                " ".join(c["scopes"]),
                c["area_code"],
                "aktif" if c["active"] else "dicabut",
            )
        console.print(table)

    emit(result, as_json=as_json, human=human)


@client_group.command("revoke")
@click.argument("client_id")
@click.option("--reason", required=True, help="Why the client loses access.")
@as_option
@json_option
@handle_errors
def client_revoke_cmd(client_id: str, reason: str, username: str | None, as_json: bool) -> None:
    """Revoke a client: its tokens stop working at once."""
    setup_django()
    from sigap.api.actions import api_client_revoke, describe_client

    client = api_client_revoke(client=_client(client_id), reason=reason, acting_user=acting_user(username))
    emit(
        describe_client(client),
        as_json=as_json,
        human=lambda r: console.print(f"{r['client_id']}: dicabut / revoked"),
    )


@api_group.group("key")
def key_group() -> None:
    """Kunci penanda tangan token / token signing keys."""


@key_group.command("rotate")
@as_option
@json_option
@handle_errors
def key_rotate_cmd(username: str | None, as_json: bool) -> None:
    """A new key signs from now on; older keys still verify until retired."""
    setup_django()
    from sigap.api.actions import describe_key, signing_key_rotate

    key = signing_key_rotate(acting_user=acting_user(username))
    emit(
        describe_key(key),
        as_json=as_json,
        human=lambda r: console.print(f"kid {r['kid']}: menandatangani / signing"),
    )


@key_group.command("list")
@json_option
@handle_errors
def key_list_cmd(as_json: bool) -> None:
    """List the signing keys (newest first)."""
    setup_django()
    from sigap.api.actions import describe_key
    from sigap.api.models import SigningKey

    result = {"keys": [describe_key(k) for k in SigningKey.objects.order_by("-id")]}

    def human(r: dict[str, Any]) -> None:
        for k in r["keys"]:
            state = "signing" if k["signing"] else ("retired" if k["retired_at"] else "verifies")
            console.print(f"{k['kid']}  {k['created_at']}  {state}", highlight=False)

    emit(result, as_json=as_json, human=human)


@key_group.command("retire")
@click.argument("kid")
@as_option
@json_option
@handle_errors
def key_retire_cmd(kid: str, username: str | None, as_json: bool) -> None:
    """Retire a key: the tokens it signed stop verifying."""
    setup_django()
    from sigap.api.actions import describe_key, signing_key_retire
    from sigap.api.models import SigningKey

    key = SigningKey.objects.filter(kid=kid).first()
    if key is None:
        raise UserError(f"key '{kid}' does not exist (sigap api key list)")
    key = signing_key_retire(key=key, acting_user=acting_user(username))
    emit(
        describe_key(key),
        as_json=as_json,
        human=lambda r: console.print(f"kid {r['kid']}: pensiun / retired"),
    )


def register(cli: click.Group) -> None:
    cli.add_command(api_group)
