"""Coverage of the region's informal workforce (ADR 0020).

``ReferenceFigure``: the estimate of pekerja rentan / informal workers of a region for a year, with its
source, entered by the Admin Dinas (DOMAIN.md section 3: an "open" figure, so it is entered, not built
in).  ``SegmentList`` / ``SegmentMember``: a segment the region already funds outside SIGAP's targeting
(RT/RW, kader Posyandu, honorer, Linmas...), imported as a programme whose members exist already --
not roster rows, not SIGAP members: they are never sent to BPJS TK or invoiced by SIGAP, they count in
the coverage share and no other APBD programme may select them while they are covered.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.core.schema import MEMBER_TEXT_MAX_LENGTH as TEXT
from sigap.programmes.models import Programme


class ReferenceFigure(models.Model):
    """The estimated number of vulnerable/informal workers of ``region`` in ``year``."""

    region = models.CharField(_("wilayah"), max_length=10)
    year = models.PositiveIntegerField(_("tahun"))
    estimate = models.BigIntegerField(_("perkiraan pekerja rentan"))
    source = models.CharField(_("sumber"), max_length=200)
    note = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="reference_figure_unique"),
            models.CheckConstraint(condition=models.Q(estimate__gt=0), name="reference_figure_positive"),
        ]
        verbose_name = _("angka acuan")
        verbose_name_plural = _("angka acuan")

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.estimate}"


class SegmentList(models.Model):
    """One imported list of a segment programme (the newest is the one in force; older ones stay)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="segment_lists")
    source_name = models.CharField(_("nama berkas"), max_length=255)
    content_sha256 = models.CharField(_("hash isi"), max_length=64)
    rows = models.BigIntegerField(_("baris"))
    accepted = models.BigIntegerField(_("diterima"))
    rejected = models.BigIntegerField(_("ditolak"))
    report_path = models.CharField(_("laporan penolakan"), max_length=500, blank=True)  # under DATA_DIR
    stats = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("diimpor"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("daftar segmen")
        verbose_name_plural = _("daftar segmen")

    def __str__(self) -> str:
        return f"{self.programme.code} #{self.pk}"

    @property
    def report_file(self) -> Path | None:
        return Path(settings.DATA_DIR) / self.report_path if self.report_path else None


class SegmentMember(models.Model):
    """A person the region already funds in a segment, covered from ``start_month`` to ``end_month``
    (inclusive; open = to the end of the programme's fiscal year)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="segment_members")
    segment_list = models.ForeignKey(SegmentList, on_delete=models.PROTECT, related_name="members")
    nik = models.CharField("NIK", max_length=TEXT["nik"])
    nama = models.CharField(_("nama"), max_length=TEXT["nama"])
    segmen = models.CharField(_("segmen"), max_length=100)
    kode_kelurahan = models.CharField(_("kode kelurahan"), max_length=TEXT["kode_kelurahan"])
    kpj = models.CharField(_("nomor KPJ"), max_length=TEXT["kpj"], blank=True)
    start_month = models.DateField(_("bulan mulai"))
    end_month = models.DateField(_("bulan akhir"), null=True, blank=True)
    source_row = models.BigIntegerField(_("baris berkas"))

    class Meta:
        ordering = ["programme", "source_row"]
        constraints = [models.UniqueConstraint(fields=["programme", "nik"], name="segment_member_unique_nik")]
        indexes = [models.Index(fields=["nik"]), models.Index(fields=["programme", "kode_kelurahan"])]
        verbose_name = _("peserta segmen")
        verbose_name_plural = _("peserta segmen")
