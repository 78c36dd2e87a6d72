"""The audit events a user may read: those of their own area, filtered in the query."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sigap.accounts.scoping import area_prefix
from sigap.audit.models import AuditEvent


def visible_events(user: Any) -> QuerySet[AuditEvent]:
    """Events whose area lies inside the user's area (a provincial auditor sees its kota's events);
    events of the whole installation (area "") only for a user without an area bound (superuser)."""
    prefix = area_prefix(user)
    events = AuditEvent.objects.all()
    return events.filter(area_code__startswith=prefix) if prefix else events
