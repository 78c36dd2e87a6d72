"""Django admin: accounts are read here, never granted here.

Roles change only through the audited actions (``/kelola/pengguna/`` or ``sigap user``): a Kepala
Dinas or Auditor role needs a second person (:mod:`sigap.accounts.actions`).  So profiles and role
requests are read-only, and on the user page the fields that grant power (superuser, staff, groups,
permissions) are read-only too: a superuser is made at the console (``sigap manage createsuperuser``).
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from sigap.accounts.models import Profile, RoleGrant

POWER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class _ReadOnly:
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Profile)
class ProfileAdmin(_ReadOnly, admin.ModelAdmin[Profile]):
    list_display = ("user", "role", "area_code", "created_by", "role_requested_by", "role_confirmed_by")
    list_filter = ("role",)
    search_fields = ("user__username", "area_code")


@admin.register(RoleGrant)
class RoleGrantAdmin(_ReadOnly, admin.ModelAdmin[RoleGrant]):
    list_display = ("user", "role", "area_code", "state", "requested_by", "decided_by", "requested_at")
    list_filter = ("state", "role")
    search_fields = ("user__username", "area_code")


User = get_user_model()


class SigapUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Django's user page without the fields that grant power (and no adding: accounts are made by
    ``user_create``, which records who made them)."""

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return (*super().get_readonly_fields(request, obj), *POWER_FIELDS, "last_login", "date_joined")

    def has_add_permission(self, request: Any) -> bool:
        return False


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, SigapUserAdmin)
