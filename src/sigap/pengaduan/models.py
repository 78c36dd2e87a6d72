"""Grievances (pengaduan, sanggahan) and the SLA the Admin Dinas sets per category."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sigap.core import sla
from sigap.core.sla import DEFAULT_BUSINESS_DAYS, DEFAULT_SLA_DAYS


class SlaPolicy(models.Model):
    """Days to answer a grievance of one category (calendar or business days)."""

    category = models.CharField(_("kategori"), max_length=16, unique=True)
    days = models.PositiveSmallIntegerField(_("batas waktu (hari)"))
    business_days = models.BooleanField(_("hari kerja"), default=DEFAULT_BUSINESS_DAYS)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["category"]
        verbose_name = _("batas waktu layanan")
        verbose_name_plural = _("batas waktu layanan")

    def __str__(self) -> str:
        return f"{self.category}: {self.days}"


class Grievance(models.Model):
    OPERATOR, CITIZEN = "operator", "citizen"
    CHANNELS = [(OPERATOR, _("Petugas")), (CITIZEN, _("Warga (halaman publik)"))]

    SANGGAHAN, DATA, LAYANAN, KLAIM, LAINNYA = "sanggahan", "data", "layanan", "klaim", "lainnya"
    CATEGORIES = [
        (SANGGAHAN, _("Sanggahan keputusan sasaran")),
        (DATA, _("Data kependudukan / DTSEN")),
        (LAYANAN, _("Pelayanan petugas")),
        (KLAIM, _("Klaim manfaat BPJS Ketenagakerjaan")),
        (LAINNYA, _("Lainnya")),
    ]
    assert {c for c, _label in CATEGORIES} == set(DEFAULT_SLA_DAYS)

    OPEN, ASSIGNED, ANSWERED, CLOSED = "open", "assigned", "answered", "closed"
    STATES = [
        (OPEN, _("Baru")),
        (ASSIGNED, _("Ditangani")),
        (ANSWERED, _("Dijawab")),
        (CLOSED, _("Selesai")),
    ]
    PENDING_STATES = (OPEN, ASSIGNED)

    number = models.CharField(_("nomor tiket"), max_length=20, unique=True, null=True, blank=True)
    channel = models.CharField(_("saluran"), max_length=16, choices=CHANNELS)
    category = models.CharField(_("kategori"), max_length=16, choices=CATEGORIES)
    text = models.TextField(_("isi pengaduan"))
    nik = models.CharField("NIK", max_length=16, blank=True, db_index=True)
    contact_name = models.CharField(_("nama pelapor"), max_length=200, blank=True)
    contact_phone = models.CharField(_("nomor telepon"), max_length=20, blank=True)
    kode_kelurahan = models.CharField(_("kode kelurahan"), max_length=10, db_index=True)
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=OPEN, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_grievances",
        verbose_name=_("petugas"),
    )
    answer = models.TextField(_("jawaban"), blank=True)
    answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)
    due_at = models.DateTimeField(_("batas waktu"), db_index=True)
    escalated_at = models.DateTimeField(_("dieskalasi pada"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("diterima pada"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pengaduan")
        verbose_name_plural = _("pengaduan")

    def __str__(self) -> str:
        return self.number or f"pengaduan #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES

    @classmethod
    def late_q(cls, now: dt.datetime) -> Q:
        """Late grievances as a filter: the query form of :meth:`is_late` (``sigap.core.sla.is_late``)."""
        return Q(state__in=cls.PENDING_STATES, due_at__lt=now)

    def is_late(self, now: dt.datetime) -> bool:
        return sla.is_late(due=self.due_at, now=now, answered=not self.is_pending)
