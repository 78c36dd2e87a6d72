from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    """An immutable, versioned import: Parquet on disk under DATA_DIR, metadata here.

    ``kind`` is ``registry`` (DTSEN/DTKS people) or ``roster`` (BPJS TK participants).
    The same file content (sha256) with the same column mapping is recognised on re-import.
    """

    REGISTRY, ROSTER = "registry", "roster"
    KINDS = [(REGISTRY, _("Registri DTSEN")), (ROSTER, _("Daftar peserta BPJS TK"))]

    kind = models.CharField(_("jenis"), max_length=16, choices=KINDS, default=REGISTRY)
    source_name = models.CharField(_("nama berkas"), max_length=255)
    content_sha256 = models.CharField(_("hash isi"), max_length=64)
    mapping_sha256 = models.CharField(_("hash pemetaan kolom"), max_length=64)
    mapping = models.JSONField(_("pemetaan kolom"), default=dict)
    reference_date = models.DateField(_("tanggal acuan"))
    rows = models.BigIntegerField(_("baris"))
    accepted = models.BigIntegerField(_("diterima"))
    rejected = models.BigIntegerField(_("ditolak"))
    warnings = models.BigIntegerField(_("peringatan"), default=0)
    region_codes = models.JSONField(_("wilayah"), default=list)  # kab/kota codes present
    data_path = models.CharField(_("berkas data"), max_length=500)  # relative to DATA_DIR
    report_path = models.CharField(_("laporan penolakan"), max_length=500, blank=True)
    stats = models.JSONField(_("statistik"), default=dict)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_sha256", "mapping_sha256"], name="snapshot_unique_content"
            )
        ]
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshot")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.source_name}"

    @property
    def data_file(self) -> Path:
        return Path(settings.DATA_DIR) / self.data_path

    @property
    def report_file(self) -> Path | None:
        return Path(settings.DATA_DIR) / self.report_path if self.report_path else None


class ColumnMapping(models.Model):
    """A named column mapping ("profil pemetaan kolom") an area keeps for its extracts' layout.

    ``columns`` is the canonical mapping (``{"columns": {our column: the file's column}}``, the
    same document as a ``--mapping`` file); ``header_signature`` the hash of the header it was made
    for (:func:`sigap.core.columnmatch.header_signature`): an upload with that header uses it without
    asking.  Saved and changed only through :func:`sigap.registry.actions.mapping_profile_save`.
    """

    name = models.CharField(_("nama profil"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=16, choices=Snapshot.KINDS, default=Snapshot.REGISTRY)
    area_code = models.CharField(_("kode wilayah"), max_length=10, blank=True)
    mapping = models.JSONField(_("pemetaan kolom"), default=dict)
    header = models.JSONField(_("kolom berkas"), default=list)
    header_signature = models.CharField(_("sidik kolom berkas"), max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "kind", "name"], name="columnmapping_unique_name")
        ]
        verbose_name = _("profil pemetaan kolom")
        verbose_name_plural = _("profil pemetaan kolom")

    def __str__(self) -> str:
        return self.name

    @property
    def columns(self) -> dict[str, str]:
        return dict((self.mapping or {}).get("columns", {}))
