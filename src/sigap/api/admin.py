from __future__ import annotations

from typing import Any

from django.contrib import admin, messages

from sigap.api.models import ApiClient, SigningKey
from sigap.errors import UserError


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only list; clients are created with ``sigap api client create`` (the secret is shown once)
    and revoked here or with ``sigap api client revoke`` (audited)."""

    list_display = ("name", "client_id", "area_code", "scopes", "active", "created_at", "revoked_at")
    list_filter = ("active",)
    search_fields = ("name", "client_id", "area_code")
    exclude = ("secret_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description="Cabut klien terpilih / Revoke the selected clients")
    def revoke(self, request: Any, queryset: Any) -> None:
        from sigap.api.actions import api_client_revoke

        for client in queryset.filter(active=True):
            try:
                api_client_revoke(
                    client=client, reason="dicabut lewat admin Django", acting_user=request.user
                )
            except UserError as e:
                self.message_user(request, f"{client.client_id}: {e.message}", messages.ERROR)
            else:
                self.message_user(request, f"{client.client_id}: dicabut / revoked")


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: keys are rotated and retired with ``sigap api key`` (audited)."""

    list_display = ("kid", "algorithm", "created_at", "retired_at")
    exclude = ("private_key",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
