from __future__ import annotations

from django.contrib import admin

from sigap.programmes.models import Programme, TargetingRun


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: programmes change through ``sigap programme apply`` (audited)."""

    list_display = ("code", "name", "region", "fiscal_year", "budget", "coverage_start", "funding", "version")
    search_fields = ("code", "name")
    list_filter = ("fiscal_year", "funding")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(TargetingRun)
class TargetingRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: runs are immutable records of a decision."""

    list_display = (
        "id",
        "programme",
        "snapshot",
        "state",
        "eligible",
        "selected",
        "cost",
        "remaining",
        "created_at",
    )
    list_filter = ("state", "programme")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
