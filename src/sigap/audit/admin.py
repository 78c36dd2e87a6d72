from django.contrib import admin

from sigap.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "area_code")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "note")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        """The same area rule as the audit log page (a staff auditor sees their area only)."""
        from sigap.audit.selectors import visible_events

        return visible_events(request.user)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
