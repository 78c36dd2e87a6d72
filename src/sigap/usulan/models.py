"""Data-update requests (usulan perubahan data) and their attachments.

A request flows kelurahan -> kecamatan -> Dinas: ``diajukan`` (filed) -> ``diverifikasi``
(checked by the kecamatan) -> ``diterima`` / ``ditolak`` (Dinas).  Accepted requests are sent to
the registry update and applied at the next snapshot (``applied_at``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataUpdateRequest(models.Model):
    BARU, DESIL, PEKERJAAN, ALAMAT, MENINGGAL, PINDAH, LAINNYA = (
        "baru",
        "desil",
        "pekerjaan",
        "alamat",
        "meninggal",
        "pindah",
        "lainnya",
    )
    KINDS = [
        (BARU, _("Penduduk baru (belum ada di data)")),
        (DESIL, _("Desil keliru")),
        (PEKERJAAN, _("Pekerjaan keliru")),
        (ALAMAT, _("Alamat keliru")),
        (MENINGGAL, _("Meninggal dunia")),
        (PINDAH, _("Pindah domisili")),
        (LAINNYA, _("Lainnya")),
    ]

    DIAJUKAN, DIVERIFIKASI, DITERIMA, DITOLAK = "diajukan", "diverifikasi", "diterima", "ditolak"
    STATES = [
        (DIAJUKAN, _("Diajukan kelurahan")),
        (DIVERIFIKASI, _("Diverifikasi kecamatan")),
        (DITERIMA, _("Diterima Dinas")),
        (DITOLAK, _("Ditolak")),
    ]

    number = models.CharField(_("nomor usulan"), max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(_("jenis"), max_length=16, choices=KINDS)
    nik = models.CharField("NIK", max_length=16, blank=True, db_index=True)
    nama = models.CharField(_("nama"), max_length=200, blank=True)
    kode_kelurahan = models.CharField(_("kode kelurahan"), max_length=10, db_index=True)
    proposed = models.JSONField(_("data yang diusulkan"), default=dict, blank=True)
    note = models.TextField(_("keterangan"), blank=True)
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=DIAJUKAN, db_index=True)
    reason = models.TextField(_("alasan penolakan"), blank=True)
    created_at = models.DateTimeField(_("diajukan pada"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("diterapkan pada"), null=True, blank=True, db_index=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("usulan perubahan data")
        verbose_name_plural = _("usulan perubahan data")

    def __str__(self) -> str:
        return self.number or f"usulan #{self.pk}"


class Attachment(models.Model):
    """A supporting document (PDF, JPEG or PNG, at most 5 MB) stored under SIGAP_DATA_DIR."""

    request = models.ForeignKey(DataUpdateRequest, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(_("jenis berkas"), max_length=40)
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300)  # relative to DATA_DIR
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")

    def __str__(self) -> str:
        return self.original_name
