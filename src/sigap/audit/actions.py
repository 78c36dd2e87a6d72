"""The one way to write an audit row. Call inside the transaction of the change."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from sigap.audit.models import AuditEvent

Actor = AbstractBaseUser | AnonymousUser | None


def actor_label(actor: Actor) -> str:
    if actor is None or isinstance(actor, AnonymousUser):
        try:
            return f"cli:{getpass.getuser()}"
        except Exception:  # noqa: BLE001 -- no login name in some containers
            return "cli"
    return str(actor.get_username())


def stored_user(acting_user: Actor) -> Any:
    """The user to store in a ``created_by``-style field: a real, authenticated user or None (CLI)."""
    return (
        acting_user if acting_user is not None and getattr(acting_user, "is_authenticated", False) else None
    )


def audit_record(
    *,
    acting_user: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = (
        acting_user if acting_user is not None and getattr(acting_user, "is_authenticated", False) else None
    )
    return AuditEvent.objects.create(
        actor=user,  # type: ignore[misc]
        actor_label=actor_label(acting_user),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        note=note,
    )
