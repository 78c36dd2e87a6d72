from django.contrib import admin

from sigap.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ("user", "role", "area_code")
    list_filter = ("role",)
    search_fields = ("user__username", "area_code")
