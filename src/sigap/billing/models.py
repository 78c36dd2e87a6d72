"""Monthly premium invoices, their lines, APBD payments (SP2D) and their allocation to invoices.

Money rows are never edited: a correction is a reversal entry (a negative invoice line that points
at the line it reverses, or a reversal payment with negative allocations).  ``Invoice.total`` and
``Invoice.line_count`` are kept equal to the net sum/count of the lines by the actions.
Months are stored as the first day of the month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sigap.enrolment.models import Member
from sigap.programmes.models import Programme


class Invoice(models.Model):
    DRAFT, ISSUED, PAID, RECONCILED = "draft", "issued", "paid", "reconciled"
    STATES = [
        (DRAFT, _("Draf")),
        (ISSUED, _("Diterbitkan")),
        (PAID, _("Lunas")),
        (RECONCILED, _("Direkonsiliasi")),
    ]

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="invoices")
    month = models.DateField(_("bulan"))
    # 0: the month's invoice; 1, 2...: supplementary invoices for members accepted after it was issued
    supplement = models.PositiveSmallIntegerField(_("tagihan tambahan ke"), default=0)
    number = models.CharField(_("nomor tagihan"), max_length=100, unique=True)
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=DRAFT, db_index=True)
    total = models.BigIntegerField(_("jumlah (Rp)"), default=0)  # net of reversal lines
    line_count = models.PositiveIntegerField(_("peserta ditagih"), default=0)  # premium lines not reversed
    # The premium of every line per programme, frozen at issue: {"jkk": 10000, "jkm": 6800[, "jht": 20000]}
    # (sigap.core.tariff); the amounts add up to each premium line, so total = line_count x their sum.
    premium_components = models.JSONField(_("rincian iuran per peserta"), default=dict, blank=True)
    due_date = models.DateField(_("jatuh tempo"))
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(_("diterbitkan"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reconciled_at = models.DateTimeField(_("direkonsiliasi"), null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["programme", "month", "supplement"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "month", "supplement"], name="invoice_unique_month")
        ]
        verbose_name = _("tagihan")
        verbose_name_plural = _("tagihan")

    def __str__(self) -> str:
        return self.number

    @property
    def premium(self) -> int:
        """The premium of each line (rupiah per member for the month)."""
        return sum(int(v) for v in (self.premium_components or {}).values())

    def component_totals(self) -> dict[str, int]:
        """The invoice total per programme (``line_count`` x each component): adds up to ``total``.
        Empty for an invoice issued without a breakdown."""
        return {
            code: self.line_count * int(amount) for code, amount in (self.premium_components or {}).items()
        }


class InvoiceLine(models.Model):
    PREMIUM, REVERSAL = "premium", "reversal"
    KINDS = [(PREMIUM, _("Iuran")), (REVERSAL, _("Koreksi (pembalikan)"))]

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="invoice_lines")
    month = models.DateField(_("bulan"))
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    kind = models.CharField(_("jenis"), max_length=16, choices=KINDS, default=PREMIUM)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("alasan"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "member"], condition=Q(kind="premium"), name="invoice_line_unique_member"
            )
        ]
        indexes = [models.Index(fields=["member", "month"])]
        verbose_name = _("baris tagihan")
        verbose_name_plural = _("baris tagihan")


class Payment(models.Model):
    """An APBD disbursement (SP2D) paying invoices, or the reversal of one (negative amount)."""

    PAYMENT, REVERSAL = "payment", "reversal"
    KINDS = [(PAYMENT, _("Pembayaran")), (REVERSAL, _("Pembatalan"))]

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("jenis"), max_length=16, choices=KINDS, default=PAYMENT)
    sp2d_number = models.CharField(_("nomor SP2D"), max_length=100)
    sp2d_date = models.DateField(_("tanggal SP2D"))  # for a reversal: the date of the correction
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.TextField(_("alasan"), blank=True)
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["sp2d_date", "id"]
        constraints = [
            # Idempotency by reference: one payment per SP2D number (reversals carry the same number).
            models.UniqueConstraint(
                fields=["sp2d_number"], condition=Q(kind="payment"), name="payment_unique_sp2d"
            )
        ]
        verbose_name = _("pembayaran")
        verbose_name_plural = _("pembayaran")

    def __str__(self) -> str:
        return f"SP2D {self.sp2d_number}" + (" (batal)" if self.kind == self.REVERSAL else "")


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.BigIntegerField(_("jumlah (Rp)"))

    class Meta:
        verbose_name = _("alokasi pembayaran")
        verbose_name_plural = _("alokasi pembayaran")
