from __future__ import annotations

from django.contrib import admin

from sigap.billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: billing changes only through the audited actions (``sigap invoice``/``payment``)."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(_ReadOnly):
    list_display = ("number", "programme", "month", "state", "line_count", "total", "due_date")
    list_filter = ("state", "programme")
    search_fields = ("number",)


@admin.register(InvoiceLine)
class InvoiceLineAdmin(_ReadOnly):
    list_display = ("invoice", "member", "month", "kind", "amount")
    list_filter = ("kind",)
    raw_id_fields = ("invoice", "member", "reverses")


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = ("sp2d_number", "programme", "kind", "sp2d_date", "amount", "recorded_at")
    list_filter = ("kind", "programme")
    search_fields = ("sp2d_number",)


@admin.register(PaymentAllocation)
class PaymentAllocationAdmin(_ReadOnly):
    list_display = ("payment", "invoice", "amount")
