"""Read-only admin: members, batches, responses and exits change only through audited actions."""

from __future__ import annotations

from django.contrib import admin

from sigap.enrolment.models import BpjsResponse, EnrolmentBatch, Member, MemberExit, Reopening


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("nik", "nama", "programme", "run", "rank", "state", "kpj", "kode_kelurahan", "desil")
    list_filter = ("state", "programme")
    search_fields = ("nik", "nama", "kpj")
    list_select_related = ("programme", "run")


@admin.register(EnrolmentBatch)
class EnrolmentBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "programme",
        "state",
        "coverage_start",
        "member_count",
        "exported_on",
        "created_by",
    )
    list_filter = ("state", "programme")
    search_fields = ("number",)


@admin.register(BpjsResponse)
class BpjsResponseAdmin(ReadOnlyAdmin):
    list_display = ("batch", "source_name", "accepted", "rejected", "created_at", "created_by")
    list_filter = ("batch__programme",)
    search_fields = ("batch__number", "source_name")


@admin.register(MemberExit)
class MemberExitAdmin(ReadOnlyAdmin):
    list_display = ("member", "date", "reason", "source", "created_by")
    list_filter = ("reason", "source", "member__programme", "member__state")
    search_fields = ("member__nik", "member__nama")
    list_select_related = ("member__programme",)


@admin.register(Reopening)
class ReopeningAdmin(ReadOnlyAdmin):
    list_display = (
        "member",
        "kind",
        "exit_date",
        "exit_reason",
        "start_month",
        "reference",
        "run",
        "created_by",
    )
    list_filter = ("kind", "member__programme")
    search_fields = ("member__nik", "member__nama", "reference")
    list_select_related = ("member__programme", "run")
