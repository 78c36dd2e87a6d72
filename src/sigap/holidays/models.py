"""Public holidays and cuti bersama: a premium due on such a day is due the next working day."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    date = models.DateField(_("tanggal"), unique=True)
    name = models.CharField(_("nama"), max_length=200)
    legal_reference = models.CharField(
        _("dasar hukum"),
        max_length=200,
        blank=True,
        help_text=_("mis. SKB 3 Menteri tentang hari libur nasional"),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("hari libur")
        verbose_name_plural = _("hari libur")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
