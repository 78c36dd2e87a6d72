"""API actions: machine clients (create, revoke), signing keys (rotate, retire), access tokens.

Keyword-only, atomic, one audit row each.  The Admin Dinas manages the clients of their own region
(``sigap api client ...``); the console (no ``--as``) acts as the system.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from sigap.accounts.guards import require_region, require_role
from sigap.accounts.roles import ADMIN_DINAS
from sigap.api import tokens
from sigap.api.models import SCOPES, ApiClient, SigningKey
from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.errors import UserError
from sigap.reference import regions

AREA_LENGTHS = (2, 4, 6, 10)  # provinsi, kabupaten/kota, kecamatan, kelurahan/desa


class MachineActor:
    """The acting party of an API call (or of the system itself) as the existing actions see it.

    It is not a user: ``stored_user`` stores nobody in ``created_by`` fields and ``actor_label``
    writes ``label`` into the audit rows (``api:<client_id>``), so every change an action makes on a
    client's behalf is traced to that client.
    """

    is_authenticated = False
    is_superuser = False
    is_active = True
    profile = None

    def __init__(self, label: str) -> None:
        self.label = label

    def get_username(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


def machine(label: str) -> Actor:
    """A :class:`MachineActor` typed as the actions' ``acting_user``."""
    return cast(Actor, MachineActor(label))


def client_actor(client: ApiClient) -> Actor:
    return machine(f"api:{client.client_id}")


SYSTEM = "sistem:api"


def _scopes(values: Iterable[str]) -> list[str]:
    wanted = [v.strip() for v in values if v.strip()]
    unknown = sorted(set(wanted) - set(SCOPES))
    if unknown:
        raise UserError(f"unknown scope {', '.join(unknown)} (known: {', '.join(SCOPES)})")
    if not wanted:
        raise UserError(f"a client needs at least one scope ({', '.join(SCOPES)})")
    return [s for s in SCOPES if s in wanted]  # canonical order


def _area(code: str) -> str:
    code = code.strip()
    if len(code) not in AREA_LENGTHS or not code.isdigit() or regions().get(code) is None:
        raise UserError(
            f"area '{code}' is not a known region code (provinsi, kab/kota, kecamatan, kelurahan)"
        )
    return code


@transaction.atomic
def api_client_create(
    *, name: str, scopes: Iterable[str], area_code: str, acting_user: Actor = None
) -> tuple[ApiClient, str]:
    """A new client and its secret (shown once: only a hash is kept)."""
    require_role(acting_user, {ADMIN_DINAS}, "membuat klien API")
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise UserError("a client needs a name (at most 200 characters)")
    chosen, area = _scopes(scopes), _area(area_code)
    require_region(acting_user, area, what="client area")
    client_id = f"{slugify(name)[:40] or 'client'}-{secrets.token_hex(4)}"
    secret = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name,
        client_id=client_id,
        secret_hash=make_password(secret),
        scopes=chosen,
        area_code=area,
        created_by=stored_user(acting_user),
    )
    audit_record(
        acting_user=acting_user,
        action="api.client.create",
        obj=client,
        after={"name": name, "client_id": client_id, "scopes": chosen, "area_code": area},
    )
    return client, secret


@transaction.atomic
def api_client_revoke(*, client: ApiClient, reason: str, acting_user: Actor = None) -> ApiClient:
    """Revoke a client: its tokens stop working at once (every call checks the client is active)."""
    require_role(acting_user, {ADMIN_DINAS}, "mencabut klien API")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    require_region(acting_user, client.area_code, what="client area")
    if not reason.strip():
        raise UserError("revoking a client needs a reason")
    if not client.active:
        raise UserError(f"client {client.client_id} was already revoked")
    client.active = False
    client.revoked_at = timezone.now()
    client.revoked_by = stored_user(acting_user)
    client.revoke_reason = reason.strip()[:300]
    client.save(update_fields=["active", "revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        acting_user=acting_user,
        action="api.client.revoke",
        obj=client,
        before={"active": True},
        after={"active": False},
        note=client.revoke_reason,
    )
    return client


# --------------------------------------------------------------------------- signing keys


def signing_key() -> SigningKey | None:
    """The key that signs new tokens: the newest one not retired."""
    return SigningKey.objects.filter(retired_at__isnull=True).order_by("-id").first()


def _new_key(acting_user: Actor, action: str) -> SigningKey:
    previous = signing_key()
    kid, public, private = tokens.new_key_pair()
    key = SigningKey.objects.create(
        kid=kid, public_key=public, private_key=private, created_by=stored_user(acting_user)
    )
    audit_record(
        acting_user=acting_user,
        action=action,
        obj=key,
        after={"kid": kid, "previous": previous.kid if previous else None},
        area_code="",
    )
    return key


@transaction.atomic
def signing_key_rotate(*, acting_user: Actor = None) -> SigningKey:
    """A new key signs from now on; the previous keys still verify until they are retired."""
    require_role(acting_user, {ADMIN_DINAS}, "mengganti kunci API")
    return _new_key(acting_user, "api.key.rotate")


@transaction.atomic
def signing_key_retire(*, key: SigningKey, acting_user: Actor = None) -> SigningKey:
    """Retire a key: the tokens it signed stop verifying at once.  The signing key is never retired
    (rotate first, then retire the old one when its tokens have expired)."""
    require_role(acting_user, {ADMIN_DINAS}, "memensiunkan kunci API")
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.retired_at is not None:
        raise UserError(f"key {key.kid} was already retired")
    current = signing_key()
    if current is not None and current.pk == key.pk:
        raise UserError(f"key {key.kid} signs the new tokens: rotate first (sigap api key rotate)")
    key.retired_at = timezone.now()
    key.retired_by = stored_user(acting_user)
    key.save(update_fields=["retired_at", "retired_by"])
    audit_record(
        acting_user=acting_user, action="api.key.retire", obj=key, after={"kid": key.kid}, area_code=""
    )
    return key


def _signing_key_or_new() -> SigningKey:
    """The signing key; the very first token of an installation creates one (two racing first
    tokens may create two keys: both verify, the newer signs)."""
    key = signing_key()
    if key is not None:
        return key
    with transaction.atomic():
        return _new_key(machine(SYSTEM), "api.key.create")


# --------------------------------------------------------------------------- tokens


class TokenRefused(Exception):
    """OAuth 2.0 error (RFC 6749 section 5.2): ``error`` code and a description."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class Issued:
    client: ApiClient
    token: tokens.Token


def token_issue(*, client_id: str, secret: str, scope: str | None = None) -> Issued:
    """Client credentials grant: a token for an active client with the right secret.

    ``scope`` (space-separated) narrows the token to some of the client's scopes; by default the
    token carries all of them.  Refusals for a known client are audited.
    """
    client = ApiClient.objects.filter(client_id=client_id).first()
    if client is None:
        make_password(secret)  # the same work as for a known client: no timing oracle on client ids
        raise TokenRefused("invalid_client", "unknown client or wrong secret", status=401)
    actor = client_actor(client)
    if not check_password(secret, client.secret_hash) or not client.active:
        why = "wrong secret" if client.active else "client revoked"
        audit_record(
            acting_user=actor,
            action="api.token.refuse",
            obj=client,
            after={"reason": why},
            area_code=client.area_code,
        )
        raise TokenRefused(
            "invalid_client", "unknown client or wrong secret" if client.active else why, status=401
        )
    granted = list(client.scopes)
    if scope is not None and scope.strip():
        asked = scope.split()
        beyond = sorted(set(asked) - set(granted))
        if beyond:
            audit_record(
                acting_user=actor,
                action="api.token.refuse",
                obj=client,
                after={"reason": "scope", "asked": asked},
                area_code=client.area_code,
            )
            raise TokenRefused("invalid_scope", f"scope not granted to this client: {' '.join(beyond)}")
        granted = [s for s in granted if s in asked]
    try:
        token = tokens.sign(
            key=_signing_key_or_new(), client_id=client.client_id, scopes=granted, area=client.area_code
        )
    except tokens.KeyUnreadable:
        raise TokenRefused(
            "temporarily_unavailable",
            "the signing key cannot be read (SECRET_KEY changed?): run `sigap api key rotate`",
            status=503,
        ) from None
    audit_record(
        acting_user=actor,
        action="api.token.issue",
        obj=client,
        after={"scope": token.scope, "kid": token.kid, "expires_in": token.expires_in},
        area_code=client.area_code,
    )
    return Issued(client=client, token=token)


def describe_client(client: ApiClient) -> dict[str, Any]:
    return {
        "name": client.name,
        "client_id": client.client_id,
        "scopes": list(client.scopes),
        "area_code": client.area_code,
        "active": client.active,
        "created_at": client.created_at.isoformat() if client.created_at else None,
        "created_by": client.created_by.get_username() if client.created_by else None,
        "revoked_at": client.revoked_at.isoformat() if client.revoked_at else None,
        "revoke_reason": client.revoke_reason,
    }


def describe_key(key: SigningKey) -> dict[str, Any]:
    current = signing_key()
    return {
        "kid": key.kid,
        "algorithm": key.algorithm,
        "created_at": key.created_at.isoformat() if key.created_at else None,
        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
        "signing": current is not None and current.pk == key.pk,
    }
