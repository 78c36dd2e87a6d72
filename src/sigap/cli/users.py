"""``sigap user``: accounts, roles and the second person for Kepala Dinas and Auditor roles.

Without ``--as`` the command acts as the console (whoever administers the server, who already holds
the database): it grants any role directly, and the audit row says ``"granted": "console"``.  That is
how a new installation gets its first Admin Dinas and its first Kepala Dinas::

    sigap user create admin.dinas --role admin_dinas --area 3275
    sigap user create kepala.dinas --role kepala_dinas --area 3275

With ``--as NAME`` the command acts as that user, under the same rules as the web screens: a Kepala
Dinas or Auditor role is then a request that a different person confirms::

    sigap user create auditor.kota --role auditor --area 3275 --as admin.satu
    sigap user confirm auditor.kota --as admin.dua
"""

from __future__ import annotations

import sys
from typing import Any

import click

from sigap.cli.common import acting_user, console, emit, handle_errors, json_option, setup_django
from sigap.errors import UserError

as_option = click.option(
    "--as", "username", default=None, help="Act as this user (default: the console, which grants directly)."
)
role_option = click.option("--role", required=True, help="admin_dinas, kepala_dinas, auditor, pimpinan, ...")
area_option = click.option("--area", "area_code", required=True, help="Region code of the account's area.")


def _account(name: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise UserError(f"user '{name}' does not exist (sigap user list)")
    return user


def _grant(user: Any) -> Any:
    from sigap.accounts.actions import pending_grant

    grant = pending_grant(user)
    if grant is None:
        raise UserError(f"user '{user.get_username()}' has no role request waiting for confirmation")
    return grant


def _describe(user: Any) -> dict[str, Any]:
    from sigap.accounts.actions import pending_grant
    from sigap.accounts.models import Profile

    profile = (
        Profile.objects.filter(user_id=user.pk).select_related("created_by", "role_confirmed_by").first()
    )
    grant = pending_grant(user)
    return {
        "username": user.get_username(),
        "active": user.is_active,
        "role": profile.role if profile else None,
        "area_code": profile.area_code if profile else None,
        "created_by": profile.created_by.get_username() if profile and profile.created_by else None,
        "role_confirmed_by": (
            profile.role_confirmed_by.get_username() if profile and profile.role_confirmed_by else None
        ),
        "pending": {"grant": grant.pk, "role": grant.role, "area_code": grant.area_code} if grant else None,
    }


def _human(r: dict[str, Any]) -> None:
    role = f"{r['role']} {r['area_code']}" if r["role"] else "tanpa peran / no role"
    console.print(f"{r['username']}: {role}, {'aktif' if r['active'] else 'nonaktif'}", highlight=False)
    if r["pending"]:
        p = r["pending"]
        console.print(
            f"  menunggu konfirmasi / waiting for a second person: {p['role']} {p['area_code']} "
            f"(sigap user confirm {r['username']} --as NAME)",
            highlight=False,
        )


def _password(from_stdin: bool) -> str:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt(
            "Kata sandi awal / initial password", hide_input=True, confirmation_prompt=True
        )
    try:
        validate_password(password)
    except ValidationError as e:
        raise UserError("password refused", details=[str(m) for m in e.messages]) from None
    return str(password)


def _validation(e: Any) -> UserError:
    return UserError("refused", details=[str(m) for m in e.messages])


@click.group("user")
def user_group() -> None:
    """Pengguna & peran / accounts and roles (Kepala Dinas and Auditor need a second person)."""


@user_group.command("create")
@click.argument("name")
@role_option
@area_option
@click.option("--password-stdin", is_flag=True, help="Read the initial password from standard input.")
@as_option
@json_option
@handle_errors
def create_cmd(
    name: str, role: str, area_code: str, password_stdin: bool, username: str | None, as_json: bool
) -> None:
    """Create an account with a role and an area."""
    setup_django()
    from django.core.exceptions import ValidationError

    from sigap.accounts.actions import user_create

    actor = acting_user(username)
    if _exists(name):
        raise UserError(f"user '{name}' already exists")
    try:
        user = user_create(
            username=name,
            password=_password(password_stdin),
            role=role,
            area_code=area_code,
            acting_user=actor,
        )
    except ValidationError as e:
        raise _validation(e) from None
    emit(_describe(user), as_json=as_json, human=_human)


def _exists(name: str) -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username__iexact=name).exists()


@user_group.command("role")
@click.argument("name")
@role_option
@area_option
@as_option
@json_option
@handle_errors
def role_cmd(name: str, role: str, area_code: str, username: str | None, as_json: bool) -> None:
    """Change an account's role or area (with --as, a Kepala Dinas/Auditor role waits for confirmation)."""
    setup_django()
    from django.core.exceptions import ValidationError

    from sigap.accounts.actions import user_role_change

    user = _account(name)
    try:
        user_role_change(user=user, role=role, area_code=area_code, acting_user=acting_user(username))
    except ValidationError as e:
        raise _validation(e) from None
    user.refresh_from_db()
    emit(_describe(user), as_json=as_json, human=_human)


@user_group.command("confirm")
@click.argument("name")
@click.option("--as", "username", required=True, help="The confirming user: never the requester's person.")
@json_option
@handle_errors
def confirm_cmd(name: str, username: str, as_json: bool) -> None:
    """Confirm the role request of an account (the second person)."""
    setup_django()
    from sigap.accounts.actions import user_role_confirm

    user = _account(name)
    user_role_confirm(grant=_grant(user), acting_user=acting_user(username))
    user.refresh_from_db()
    emit(_describe(user), as_json=as_json, human=_human)


@user_group.command("refuse")
@click.argument("name")
@click.option("--as", "username", required=True, help="The refusing user (the requester withdraws).")
@click.option("--reason", default="", help="Why the role is refused.")
@json_option
@handle_errors
def refuse_cmd(name: str, username: str, reason: str, as_json: bool) -> None:
    """Refuse (or withdraw) the role request of an account."""
    setup_django()
    from sigap.accounts.actions import user_role_refuse

    user = _account(name)
    user_role_refuse(grant=_grant(user), acting_user=acting_user(username), reason=reason)
    user.refresh_from_db()
    emit(_describe(user), as_json=as_json, human=_human)


@user_group.command("list")
@click.option("--pending", is_flag=True, help="Only accounts with a role request waiting for confirmation.")
@json_option
@handle_errors
def list_cmd(pending: bool, as_json: bool) -> None:
    """Accounts with their role, area and any role request waiting for confirmation."""
    setup_django()
    from django.contrib.auth import get_user_model

    from sigap.accounts.models import RoleGrant

    users = get_user_model().objects.order_by("username")
    if pending:
        users = users.filter(role_grants__state=RoleGrant.PENDING)
    rows = [_describe(u) for u in users]

    def human(r: dict[str, Any]) -> None:
        for row in r["users"]:
            _human(row)

    emit({"users": rows}, as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(user_group)
