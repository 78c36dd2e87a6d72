"""Reads for the Admin Dinas screens, area-scoped inside the query (another area's object -> 404)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from sigap.accounts.scoping import area_prefix
from sigap.jobs.models import Job
from sigap.programmes.models import Programme
from sigap.registry.models import Snapshot
from sigap.web.access import governed_programmes, overlaps


def visible_jobs(user: Any) -> QuerySet[Job]:
    """Jobs started by anyone whose area lies inside the user's area (superuser: all)."""
    return Job.objects.filter(area_code__startswith=area_prefix(user)).select_related("created_by")


def visible_snapshots(user: Any) -> QuerySet[Snapshot]:
    """Registry snapshots with people in the user's area; rosters (no region) are visible to all.

    ``region_codes`` is a JSON list (kab/kota codes present), read here rather than with
    database-specific JSON lookups; the snapshot table stays small (one row per import).
    """
    prefix = area_prefix(user)
    ids = [
        pk
        for pk, codes in Snapshot.objects.values_list("pk", "region_codes")
        if not prefix or not codes or any(overlaps(str(code), prefix) for code in codes)
    ]
    return Snapshot.objects.filter(pk__in=ids).select_related("created_by")


def visible_programmes_qs(user: Any) -> QuerySet[Programme]:
    """Programme definitions the Admin Dinas manages: those of the office's whole region."""
    return Programme.objects.filter(pk__in=[p.pk for p in governed_programmes(user)])


def visible_users(user: Any) -> QuerySet[Any]:
    """Accounts whose area lies inside the user's area; accounts without a role: superuser only."""
    prefix = area_prefix(user)
    users = get_user_model().objects.select_related("profile").order_by("username")
    if not prefix:
        return users
    return users.filter(profile__area_code__startswith=prefix)
