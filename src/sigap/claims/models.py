"""Incidents (work accidents, deaths) of members and the BPJS TK claims that follow them.

The product records and follows; BPJS TK adjudicates and pays.  Rules (amounts, checklists,
deadlines, scholarships) live in :mod:`sigap.core.claims`; rows here change only through
:mod:`sigap.claims.actions`.  ``Incident.kode_kelurahan`` is the member's kelurahan at registration:
area scoping filters on it inside every query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from sigap.core.claims import BenefitKind, HeirRelation, IncidentKind, SchoolLevel
from sigap.enrolment.models import Member

INCIDENT_KINDS = [
    (IncidentKind.WORK_ACCIDENT.value, _("Kecelakaan kerja")),
    (IncidentKind.WORK_DEATH.value, _("Meninggal karena kecelakaan kerja")),
    (IncidentKind.DEATH.value, _("Meninggal bukan karena kecelakaan kerja")),
]
BENEFIT_KINDS = [
    (BenefitKind.JKK_MEDICAL.value, _("JKK: perawatan dan pengobatan")),
    (BenefitKind.JKK_STMB.value, _("JKK: santunan sementara tidak mampu bekerja (STMB)")),
    (BenefitKind.JKK_DISABILITY.value, _("JKK: cacat total tetap")),
    (BenefitKind.JKK_DEATH.value, _("JKK: santunan kematian karena kecelakaan kerja")),
    (BenefitKind.JKM_DEATH.value, _("JKM: santunan kematian")),
]
HEIR_RELATIONS = [
    (HeirRelation.SPOUSE.value, _("Suami/istri")),
    (HeirRelation.CHILD.value, _("Anak")),
    (HeirRelation.PARENT.value, _("Orang tua")),
    (HeirRelation.OTHER.value, _("Lainnya")),
]
SCHOOL_LEVELS = [
    (SchoolLevel.TK.value, "TK"),
    (SchoolLevel.SD.value, "SD"),
    (SchoolLevel.SMP.value, "SMP"),
    (SchoolLevel.SMA.value, "SMA"),
    (SchoolLevel.PT.value, _("Perguruan tinggi / pelatihan")),
]

#: msgids of the checklist labels of :mod:`sigap.core.claims` (stored in Indonesian, translated on display).
DOCUMENT_LABELS = (
    gettext_noop("Kartu peserta BPJS Ketenagakerjaan"),
    gettext_noop("e-KTP peserta"),
    gettext_noop("e-KTP ahli waris"),
    gettext_noop("Akta/surat keterangan kematian"),
    gettext_noop("Kartu Keluarga"),
    gettext_noop("Surat keterangan ahli waris"),
    gettext_noop("Buku nikah (ahli waris pasangan)"),
    gettext_noop("Buku tabungan"),
    gettext_noop("NPWP (manfaat di atas Rp50 juta)"),
    gettext_noop("Surat keterangan kronologi kecelakaan"),
    gettext_noop("Surat keterangan dokter / rincian perawatan"),
)


class Incident(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("jenis kejadian"), max_length=16, choices=INCIDENT_KINDS)
    date = models.DateField(_("tanggal kejadian"))
    place = models.CharField(_("tempat kejadian"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    kode_kelurahan = models.CharField(_("kode kelurahan"), max_length=10, db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("kejadian")
        verbose_name_plural = _("kejadian")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d} ({self.member_id})"


class Claim(models.Model):
    DRAFT, COMPLETE, SUBMITTED, PAID, REJECTED = "draft", "complete", "submitted", "paid", "rejected"
    STATES = [
        (DRAFT, _("Draf: dokumen belum lengkap")),
        (COMPLETE, _("Dokumen lengkap")),
        (SUBMITTED, _("Diajukan ke BPJS TK")),
        (PAID, _("Dibayar")),
        (REJECTED, _("Ditolak")),
    ]
    OPEN_STATES = (DRAFT, COMPLETE, SUBMITTED)

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="claims")
    benefit = models.CharField(_("jenis manfaat"), max_length=16, choices=BENEFIT_KINDS)
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=DRAFT, db_index=True)
    heir_relation = models.CharField(
        _("hubungan ahli waris"), max_length=8, choices=HEIR_RELATIONS, blank=True
    )
    wage = models.BigIntegerField(_("upah dilaporkan (Rp)"))
    expected_amount = models.BigIntegerField(_("perkiraan manfaat (Rp)"), null=True, blank=True)
    rule_code = models.CharField(_("aturan manfaat"), max_length=64)
    deadline = models.DateField(_("batas pengajuan"), null=True, blank=True, db_index=True)
    submitted_on = models.DateField(_("tanggal diajukan"), null=True, blank=True)
    paid_amount = models.BigIntegerField(_("jumlah dibayar (Rp)"), null=True, blank=True)
    paid_on = models.DateField(_("tanggal dibayar"), null=True, blank=True)
    payment_reference = models.CharField(_("referensi pembayaran"), max_length=100, blank=True)
    rejected_on = models.DateField(_("tanggal ditolak"), null=True, blank=True)
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "benefit"], name="claim_unique_benefit"),
            models.CheckConstraint(
                condition=Q(paid_amount__isnull=True) | Q(paid_amount__gte=0), name="claim_paid_not_negative"
            ),
        ]
        verbose_name = _("klaim")
        verbose_name_plural = _("klaim")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_benefit_display()}"

    @property
    def benefit_kind(self) -> BenefitKind:
        return BenefitKind(self.benefit)


class ClaimDocument(models.Model):
    """One checklist item: required by the rules, received or not, optionally with a scanned file."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=32)
    label = models.CharField(_("dokumen"), max_length=200)
    source = models.CharField(_("sumber aturan"), max_length=16)
    required = models.BooleanField(_("wajib"), default=True)
    received = models.BooleanField(_("diterima"), default=False)
    received_on = models.DateField(_("tanggal diterima"), null=True, blank=True)
    file_path = models.CharField(max_length=300, blank=True)  # relative to DATA_DIR
    file_name = models.CharField(_("nama berkas"), max_length=200, blank=True)
    content_type = models.CharField(max_length=32, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["claim", "position"]
        constraints = [models.UniqueConstraint(fields=["claim", "code"], name="claim_document_unique_code")]
        verbose_name = _("dokumen klaim")
        verbose_name_plural = _("dokumen klaim")


class Scholarship(models.Model):
    """One school year of scholarship for one child of the member (claimed yearly)."""

    PROPOSED, PAID, REJECTED = "proposed", "paid", "rejected"
    STATES = [(PROPOSED, _("Diajukan")), (PAID, _("Dibayar")), (REJECTED, _("Ditolak"))]

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="scholarships")
    child_name = models.CharField(_("nama anak"), max_length=200)
    child_birth_date = models.DateField(_("tanggal lahir anak"))
    level = models.CharField(_("jenjang"), max_length=4, choices=SCHOOL_LEVELS)
    school_year = models.PositiveSmallIntegerField(_("tahun ajaran (awal)"))
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=PROPOSED)
    decided_on = models.DateField(_("tanggal keputusan"), null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["claim", "child_name", "school_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "child_name", "school_year"], name="scholarship_unique_child_year"
            )
        ]
        verbose_name = _("beasiswa")
        verbose_name_plural = _("beasiswa")
