"""Account actions: create a user with a role and area (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from sigap.accounts.models import Profile
from sigap.audit.actions import audit_record


@transaction.atomic
def user_create(*, username: str, password: str, role: str, area_code: str, acting_user: Any = None) -> Any:
    user = get_user_model().objects.create_user(username=username, password=password)
    profile = Profile(user=user, role=role, area_code=area_code)
    profile.full_clean(exclude=["user"])
    profile.save()
    user.groups.add(Group.objects.get(name=role))
    audit_record(
        acting_user=acting_user, action="user.create", obj=user, after={"role": role, "area_code": area_code}
    )
    return user
