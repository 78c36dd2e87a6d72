from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sigap.registry.models import Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: snapshots are created by ``snapshot_import`` only (audited, immutable)."""

    list_display = ("id", "kind", "source_name", "rows", "accepted", "rejected", "warnings", "created_at")
    list_filter = ("kind",)
    search_fields = ("source_name", "content_sha256")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
