from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row per state change or disclosure (list view, export) -- append-only."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("pengguna")
    )
    actor_label = models.CharField(_("pelaku"), max_length=150)
    action = models.CharField(_("aksi"), max_length=64, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=64, blank=True)
    object_id = models.CharField(_("id objek"), max_length=64, blank=True, db_index=True)
    before = models.JSONField(_("sebelum"), null=True, blank=True)
    after = models.JSONField(_("sesudah"), null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    #: The region the event belongs to (:func:`sigap.audit.actions.event_area`); the audit log shows a
    #: viewer only the events whose area lies inside their own ("" = the whole installation).
    area_code = models.CharField(_("wilayah"), max_length=10, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("catatan audit")
        verbose_name_plural = _("log audit")

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
        )
