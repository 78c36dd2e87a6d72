"""The one way to write an audit row. Call inside the transaction of the change."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
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


#: Fields that hold a region code on the models SIGAP audits (a kelurahan is the narrowest).
_AREA_FIELDS = ("kode_kelurahan", "region", "area_code")
#: Relations followed to find an object's region (a run's programme, a claim's incident, a user's profile).
_AREA_PARENTS = (
    "profile", "member", "incident", "claim", "programme", "invoice", "batch", "grievance", "request"
)  # fmt: skip


def object_area(obj: models.Model | None, depth: int = 3) -> str:
    """The region code an object belongs to ("" when it has none: a snapshot, a holiday)."""
    if obj is None or depth <= 0:
        return ""
    names = {f.name for f in obj._meta.get_fields()}
    for name in _AREA_FIELDS:
        value = getattr(obj, name, "") if name in names else ""
        if isinstance(value, str) and value.isdigit():
            return value
    for name in _AREA_PARENTS:
        if name not in names:
            continue
        try:
            parent = getattr(obj, name)
        except ObjectDoesNotExist:
            continue
        if isinstance(parent, models.Model):
            found = object_area(parent, depth - 1)
            if found:
                return found
    return ""


def actor_area(actor: Actor) -> str:
    """The acting user's area code ("" for the console, the public page and a superuser)."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or getattr(actor, "is_superuser", False)
    ):
        return ""
    profile = getattr(actor, "profile", None)
    return str(profile.area_code) if profile is not None else ""


def event_area(
    *, obj: models.Model | None = None, acting_user: Actor = None, area_code: str | None = None
) -> str:
    """The area an audit event belongs to, so an auditor sees only their area's events.

    The object's region (where the data lives), narrowed to the actor's area when that lies inside it
    (a kelurahan operator searching a kota's list); the actor's area when the object has no region;
    ``area_code`` when the caller knows better.  "" = the whole installation: superusers only.
    """
    if area_code is not None:
        return area_code
    found, mine = object_area(obj), actor_area(acting_user)
    if found and mine.startswith(found):
        return mine
    return found or mine


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
    area_code: str | None = None,
) -> AuditEvent:
    area = event_area(obj=obj, acting_user=acting_user, area_code=area_code)
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
        area_code=area,
    )
