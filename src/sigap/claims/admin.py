from __future__ import annotations

from django.contrib import admin

from sigap.claims.models import Claim, ClaimDocument, Incident, Scholarship


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: incidents and claims change only through the audited actions (the claims screens)."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(_ReadOnly):
    list_display = ("id", "member", "kind", "date", "kode_kelurahan")
    list_filter = ("kind",)


@admin.register(Claim)
class ClaimAdmin(_ReadOnly):
    list_display = ("id", "incident", "benefit", "state", "deadline", "paid_amount", "paid_on")
    list_filter = ("state", "benefit")


@admin.register(ClaimDocument)
class ClaimDocumentAdmin(_ReadOnly):
    list_display = ("claim", "code", "received", "received_on", "file_name")


@admin.register(Scholarship)
class ScholarshipAdmin(_ReadOnly):
    list_display = ("claim", "child_name", "level", "school_year", "amount", "state")
