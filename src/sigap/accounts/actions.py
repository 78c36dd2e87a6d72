"""Account actions: create a user with a role and area (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from sigap.accounts.guards import require_region
from sigap.accounts.models import Profile
from sigap.audit.actions import audit_record


@transaction.atomic
def user_create(*, username: str, password: str, role: str, area_code: str, acting_user: Any = None) -> Any:
    """A user with a role and an area; an officer creates accounts only inside their own area."""
    require_region(acting_user, area_code, what="area code")
    user = get_user_model().objects.create_user(username=username, password=password)
    profile = Profile(user=user, role=role, area_code=area_code)
    profile.full_clean(exclude=["user"])
    profile.save()
    user.groups.add(Group.objects.get(name=role))
    audit_record(
        acting_user=acting_user, action="user.create", obj=user, after={"role": role, "area_code": area_code}
    )
    return user


def _set_active(*, user: Any, active: bool, acting_user: Any) -> Any:
    from sigap.errors import UserError

    if acting_user is not None and getattr(acting_user, "pk", None) == user.pk and not active:
        raise UserError("you cannot deactivate your own account")
    profile = getattr(user, "profile", None)
    if profile is not None:
        require_region(acting_user, profile.area_code, what="user area")
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        audit_record(
            acting_user=acting_user,
            action="user.activate" if active else "user.deactivate",
            obj=locked,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return locked


def user_deactivate(*, user: Any, acting_user: Any) -> Any:
    """Block a login (the account and its history stay; nothing is deleted). Not one's own."""
    return _set_active(user=user, active=False, acting_user=acting_user)


def user_reactivate(*, user: Any, acting_user: Any) -> Any:
    return _set_active(user=user, active=True, acting_user=acting_user)
