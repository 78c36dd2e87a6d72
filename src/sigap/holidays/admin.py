from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sigap.holidays.models import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    """Read-only: holidays move premium due dates and SLAs, so changes go through the audited
    ``sigap holiday import`` (a CSV the Dinas keeps with the SKB)."""

    list_display = ("date", "name", "legal_reference")
    list_filter = ("date",)
    search_fields = ("name",)
    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
