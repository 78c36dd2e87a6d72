from django.contrib import admin

from sigap.holidays.models import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    list_display = ("date", "name", "legal_reference")
    list_filter = ("date",)
    search_fields = ("name",)
    date_hierarchy = "date"
