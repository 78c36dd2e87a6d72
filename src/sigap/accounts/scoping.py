"""Area scoping, decided once: every query for people goes through ``area_prefix``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from sigap.accounts.roles import PERSONAL_DATA_ROLES


def area_prefix(user: Any) -> str:
    """The region-code prefix a user may see; superusers see everything ("").

    Raises PermissionDenied for users without a profile: no role, no data.
    """
    if getattr(user, "is_superuser", False):
        return ""
    profile = getattr(user, "profile", None)
    if profile is None:
        raise PermissionDenied("no role assigned")
    return str(profile.area_code)


def may_see_personal_data(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    profile = getattr(user, "profile", None)
    return profile is not None and profile.role in PERSONAL_DATA_ROLES


def in_area(user: Any, region_code: str) -> bool:
    return region_code.startswith(area_prefix(user))
