"""Role requests an officer may see and decide: those for areas inside their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sigap.accounts.models import RoleGrant
from sigap.accounts.scoping import area_prefix


def pending_grants(user: Any) -> QuerySet[RoleGrant]:
    grants = RoleGrant.objects.filter(state=RoleGrant.PENDING, area_code__startswith=area_prefix(user))
    return grants.select_related("user", "requested_by").order_by("requested_at", "id")
