"""Members of an approved list, their enrolment with BPJS TK, coverage periods and exits.

A Member row is created for every selected person when a targeting run is approved (the frozen
list the decree cites).  Personal data is copied from the registry snapshot at approval, so the list
never changes when a newer snapshot arrives.  Months are stored as the first day of the month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.core.schema import MEMBER_TEXT_MAX_LENGTH as TEXT
from sigap.programmes.models import Programme, TargetingRun


class Member(models.Model):
    APPROVED, SENT, ACTIVE, REJECTED, EXITED = "approved", "sent", "active", "rejected", "exited"
    STATES = [
        (APPROVED, _("Disetujui, belum didaftarkan")),
        (SENT, _("Dikirim ke BPJS TK")),
        (ACTIVE, _("Aktif")),
        (REJECTED, _("Ditolak BPJS TK")),
        (EXITED, _("Keluar")),
    ]

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="members")
    run = models.ForeignKey(TargetingRun, on_delete=models.PROTECT, related_name="members")
    rank = models.BigIntegerField(_("peringkat"))
    # text lengths: defined once with the import's checks (sigap.core.schema), so an imported value fits
    nik = models.CharField("NIK", max_length=TEXT["nik"])
    no_kk = models.CharField(_("nomor KK"), max_length=TEXT["no_kk"], blank=True)
    nama = models.CharField(_("nama"), max_length=TEXT["nama"])
    tempat_lahir = models.CharField(_("tempat lahir"), max_length=TEXT["tempat_lahir"], blank=True)
    tanggal_lahir = models.DateField(_("tanggal lahir"))
    jenis_kelamin = models.CharField(_("jenis kelamin"), max_length=TEXT["jenis_kelamin"])
    alamat = models.CharField(_("alamat"), max_length=TEXT["alamat"], blank=True)
    rt = models.CharField("RT", max_length=TEXT["rt"], blank=True)
    rw = models.CharField("RW", max_length=TEXT["rw"], blank=True)
    kode_kelurahan = models.CharField(_("kode kelurahan"), max_length=TEXT["kode_kelurahan"], db_index=True)
    pekerjaan = models.CharField(_("pekerjaan"), max_length=TEXT["pekerjaan"])
    desil = models.PositiveSmallIntegerField(_("desil"))
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=APPROVED, db_index=True)
    kpj = models.CharField(_("nomor KPJ"), max_length=TEXT["kpj"], blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "rank"]
        constraints = [models.UniqueConstraint(fields=["programme", "nik"], name="member_unique_nik")]
        indexes = [models.Index(fields=["nik"])]
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")

    def __str__(self) -> str:
        return f"{self.nama} ({self.programme.code})"


class CoveragePeriod(models.Model):
    """Protection from ``start_month`` (BPJS acceptance) until ``end_month`` (inclusive) or open."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="periods")
    start_month = models.DateField(_("bulan mulai"))
    end_month = models.DateField(_("bulan akhir"), null=True, blank=True)
    end_reason = models.CharField(_("alasan berakhir"), max_length=32, blank=True)

    class Meta:
        ordering = ["member", "start_month"]
        verbose_name = _("masa perlindungan")
        verbose_name_plural = _("masa perlindungan")


class EnrolmentBatch(models.Model):
    """A collective-registration file sent to BPJS TK; immutable once exported."""

    EXPORTED, ANSWERED = "exported", "answered"
    STATES = [(EXPORTED, _("Diekspor")), (ANSWERED, _("Dijawab BPJS TK"))]

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="batches")
    number = models.CharField(_("nomor batch"), max_length=64, unique=True)
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=EXPORTED)
    coverage_start = models.DateField(_("mulai perlindungan diminta"))
    member_count = models.PositiveIntegerField(_("jumlah peserta"))
    files = models.JSONField(default=dict)  # name -> path relative to DATA_DIR
    sha256 = models.CharField(max_length=64)
    exported_on = models.DateField(_("tanggal ekspor"), null=True, blank=True)  # business date of the export
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("batch pendaftaran")
        verbose_name_plural = _("batch pendaftaran")

    def __str__(self) -> str:
        return self.number


class EnrolmentLine(models.Model):
    """One member in one batch, with BPJS TK's answer once imported."""

    PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
    STATES = [(PENDING, _("Menunggu")), (ACCEPTED, _("Diterima")), (REJECTED, _("Ditolak"))]

    batch = models.ForeignKey(EnrolmentBatch, on_delete=models.PROTECT, related_name="lines")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="enrolment_lines")
    status = models.CharField(_("status"), max_length=16, choices=STATES, default=PENDING)
    kpj = models.CharField(_("nomor KPJ"), max_length=TEXT["kpj"], blank=True)
    effective_date = models.DateField(_("tanggal efektif"), null=True, blank=True)
    reason = models.CharField(_("alasan"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "member"], name="enrolment_line_unique")]


class BpjsResponse(models.Model):
    """An imported BPJS TK answer file for a batch; the same content is applied once."""

    batch = models.ForeignKey(EnrolmentBatch, on_delete=models.PROTECT, related_name="responses")
    source_name = models.CharField(max_length=255)
    content_sha256 = models.CharField(max_length=64)
    accepted = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "content_sha256"], name="bpjs_response_unique_content")
        ]


class MemberExit(models.Model):
    """Why and when a member left (ends the open coverage period)."""

    DIED, MOVED, FORMAL_JOB, AGED_OUT, REJECTED, LAPSED, FISCAL_YEAR_END, MANUAL = (
        "died",
        "moved",
        "formal_job",
        "aged_out",
        "rejected",
        "lapsed",
        "fiscal_year_end",
        "manual",
    )
    REASONS = [
        (DIED, _("Meninggal dunia")),
        (MOVED, _("Pindah domisili")),
        (FORMAL_JOB, _("Bekerja formal (PU)")),
        (AGED_OUT, _("Melewati batas usia")),
        (REJECTED, _("Ditolak BPJS TK")),
        (LAPSED, _("Iuran tidak dibayar > 3 bulan")),
        # The programme's fiscal year ended without a renewal carrying the member over (ADR 0015).
        (FISCAL_YEAR_END, _("berakhir: akhir tahun anggaran")),
        (MANUAL, _("Lainnya (catatan)")),
    ]
    SOURCES = [
        ("snapshot", _("Snapshot registri")),
        ("roster", _("Daftar peserta BPJS TK")),
        ("death_report", _("Laporan kematian")),
        ("billing", _("Tagihan")),
        ("bpjs_response", _("Jawaban BPJS TK")),
        ("programme_close", _("Penutupan program")),
        ("manual", _("Manual")),
    ]

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="exit")
    date = models.DateField(_("tanggal keluar"))
    reason = models.CharField(_("alasan"), max_length=16, choices=REASONS)
    source = models.CharField(_("sumber"), max_length=16, choices=SOURCES, default="manual")
    note = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class Reopening(models.Model):
    """A membership that had ended and was opened again (ADR 0015).

    ``reinstatement``: BPJS TK's procedure for coverage that ended because the APBD money came late
    (DOMAIN.md section 2): a new coverage period from the month BPJS TK accepts, after a visible gap.
    ``reselection``: a person whose membership lapsed, selected again by a replacement run of the same
    programme and sent to BPJS TK again.  A member exits once at a time (``MemberExit`` is one row per
    member), so the exit that ended the earlier membership moves here, unchanged, with who reopened
    it and why; the audit log holds both actions.
    """

    REINSTATEMENT, RESELECTION = "reinstatement", "reselection"
    KINDS = [
        (REINSTATEMENT, _("Pemulihan kepesertaan (dana APBD terlambat)")),
        (RESELECTION, _("Dipilih kembali")),
    ]

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reopenings")
    kind = models.CharField(_("jenis"), max_length=16, choices=KINDS)
    # The exit that ended the earlier membership, as it was recorded.
    exit_date = models.DateField(_("tanggal keluar"))
    exit_reason = models.CharField(_("alasan keluar"), max_length=16, choices=MemberExit.REASONS)
    exit_source = models.CharField(_("sumber"), max_length=16, choices=MemberExit.SOURCES)
    exit_note = models.TextField(_("catatan keluar"), blank=True)
    exit_recorded_at = models.DateTimeField()
    exit_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Reinstatement: BPJS TK's acceptance and the first month of the new coverage period.
    start_month = models.DateField(_("bulan mulai"), null=True, blank=True)
    accepted_on = models.DateField(_("tanggal diterima BPJS TK"), null=True, blank=True)
    reference = models.CharField(_("nomor surat BPJS TK"), max_length=100, blank=True)
    # Reselection: the replacement run that selected the person again.
    run = models.ForeignKey(
        TargetingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="reopenings"
    )
    note = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["member", "created_at", "id"]
        verbose_name = _("kepesertaan dibuka kembali")
        verbose_name_plural = _("kepesertaan dibuka kembali")
