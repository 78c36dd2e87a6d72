from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.core import tiebreak
from sigap.core.decree import Decree
from sigap.core.programme import ProgrammeSpec
from sigap.registry.models import Snapshot


class Programme(models.Model):
    """A programme definition (``sigap programme apply``); ``spec`` is the full validated file."""

    code = models.CharField(_("kode"), max_length=64, unique=True)
    name = models.CharField(_("nama"), max_length=255)
    region = models.CharField(_("wilayah"), max_length=10)
    fiscal_year = models.PositiveIntegerField(_("tahun anggaran"))
    budget = models.BigIntegerField(_("anggaran (Rp)"))
    coverage_start = models.CharField(_("bulan mulai"), max_length=7)
    funding = models.CharField(_("sumber dana"), max_length=8, default="APBD")
    spec = models.JSONField(_("definisi"))
    spec_sha256 = models.CharField(_("hash definisi"), max_length=64)
    version = models.PositiveIntegerField(_("versi"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-fiscal_year", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("program")

    def __str__(self) -> str:
        return f"{self.code} ({self.fiscal_year})"

    def to_spec(self) -> ProgrammeSpec:
        return ProgrammeSpec.from_dict(self.spec_document())

    def spec_document(self) -> dict[str, object]:
        return dict(self.spec)


class TargetingRun(models.Model):
    """One targeting run: inputs, rules and code version frozen; decisions in Parquet."""

    DRAFT, SUBMITTED, APPROVED, RETURNED, ENROLLED = "draft", "submitted", "approved", "returned", "enrolled"
    STATES = [
        (DRAFT, _("Draf")),
        (SUBMITTED, _("Diajukan")),
        (APPROVED, _("Disetujui")),
        (RETURNED, _("Dikembalikan")),
        (ENROLLED, _("Didaftarkan")),
    ]

    #: A run in one of these states is a decided list: frozen, and the newest of a programme is its list
    #: in force (ADR 0013).  Every query of "the list in force" uses this, never its own tuple.
    IN_FORCE = (APPROVED, ENROLLED)

    INITIAL, REPLACEMENT, RENEWAL = "initial", "replacement", "renewal"
    KINDS = [(INITIAL, _("Awal")), (REPLACEMENT, _("Pengganti")), (RENEWAL, _("Perpanjangan"))]

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(_("jenis"), max_length=16, choices=KINDS, default=INITIAL)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )  # the approved list a replacement/renewal builds on
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="runs")
    roster = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=DRAFT)
    spec = models.JSONField(_("definisi saat dijalankan"))
    programme_version = models.PositiveIntegerField()
    code_version = models.CharField(max_length=64)
    people = models.BigIntegerField(_("orang dalam snapshot"))
    eligible = models.BigIntegerField(_("memenuhi syarat"))
    selected = models.BigIntegerField(_("terpilih"))
    waiting = models.BigIntegerField(_("daftar tunggu"))
    ineligible = models.BigIntegerField(_("tidak memenuhi syarat"))
    cost_per_person = models.BigIntegerField(_("biaya per orang (Rp)"))
    cost = models.BigIntegerField(_("biaya (Rp)"))
    budget = models.BigIntegerField(_("anggaran (Rp)"))
    remaining = models.BigIntegerField(_("sisa (Rp)"))
    summary = models.JSONField(_("ringkasan"), default=dict)
    decisions_path = models.CharField(max_length=500)
    decisions_sha256 = models.CharField(max_length=64)
    exports = models.JSONField(default=dict)  # name -> path relative to DATA_DIR
    duration_ms = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Maker-checker approval (sigap.enrolment.actions): the approver is never the submitter.
    submitted_at = models.DateTimeField(_("diajukan"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)
    list_sha256 = models.CharField(_("hash daftar"), max_length=64, blank=True)  # frozen at approval
    # The tie-break of the ranking (ADR 0014): its rule and seed, so the order can be recomputed.
    # Runs made before it keep rule "nik" (smallest NIK first) and no seed.
    TIE_BREAK_RULES = [
        (tiebreak.SHA256_SEED_NIK, _("SHA-256 dari benih + NIK")),
        (tiebreak.NIK, _("NIK terkecil (aturan lama)")),
    ]
    SEED_PROGRAMME, SEED_RANDOM, SEED_PARENT, SEED_GIVEN = "programme", "random", "parent", "given"
    SEED_SOURCES = [
        (SEED_PROGRAMME, _("berkas program")),
        (SEED_RANDOM, _("acak, dibuat saat run")),
        (SEED_PARENT, _("dari daftar induk")),
        (SEED_GIVEN, _("diberikan petugas saat run")),
    ]
    tie_break_rule = models.CharField(
        _("aturan urutan seri"), max_length=32, choices=TIE_BREAK_RULES, default=tiebreak.NIK
    )
    tie_break_seed = models.CharField(_("benih urutan seri"), max_length=64, blank=True)
    tie_break_seed_source = models.CharField(_("asal benih"), max_length=16, choices=SEED_SOURCES, blank=True)
    # The decree (SK) that fixes the list, entered by the Kepala Dinas at approval (sigap.core.decree);
    # printed on the decree annex.  Blank on lists approved without one (before it was asked for).
    sk_number = models.CharField(_("nomor SK"), max_length=100, blank=True)
    sk_date = models.DateField(_("tanggal SK"), null=True, blank=True)
    sk_place = models.CharField(_("ditetapkan di"), max_length=100, blank=True)
    sk_signatory_name = models.CharField(_("nama penanda tangan SK"), max_length=150, blank=True)
    sk_signatory_title = models.CharField(_("jabatan penanda tangan SK"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("penetapan sasaran")
        verbose_name_plural = _("penetapan sasaran")

    def __str__(self) -> str:
        return f"Run #{self.pk} {self.programme.code}"

    @property
    def tie_break(self) -> tiebreak.TieBreak:
        """The rule that ordered this run's tied people (ADR 0014)."""
        return tiebreak.TieBreak(self.tie_break_rule, self.tie_break_seed)

    @property
    def decree(self) -> Decree | None:
        """The decree entered at approval, or None (a list approved without one)."""
        if not self.sk_number or self.sk_date is None:
            return None
        return Decree(
            number=self.sk_number,
            date=self.sk_date,
            place=self.sk_place,
            signatory_name=self.sk_signatory_name,
            signatory_title=self.sk_signatory_title,
        )

    @property
    def decisions_file(self) -> Path:
        return Path(settings.DATA_DIR) / self.decisions_path


class RosterLinkage(models.Model):
    """Which rows of a BPJS TK roster are which people of a registry snapshot (ADR 0022).

    Files under ``DATA_DIR/linkages/<id>/``: ``links.parquet`` (every link and every candidate for the
    officer, with probability and evidence: ``sigap.engine.linkage.LINK_COLUMNS``) and the roster as
    targeting reads it, ``insured-<version>.parquet`` (a linked row carries the registry NIK; one row
    per person: AKTIF wins, then the latest row).  The insured file is written again, as a new
    version, after each decision of the officer.  Made only by
    :func:`sigap.programmes.linkage.roster_link`.
    """

    roster = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, related_name="linkages", verbose_name=_("daftar peserta BPJS TK")
    )
    registry = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("registri DTSEN")
    )
    folder = models.CharField(_("folder"), max_length=500)  # relative to DATA_DIR
    insured_version = models.PositiveIntegerField(_("versi daftar tertanggung"), default=1)
    stats = models.JSONField(_("statistik"), default=dict)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("pencocokan daftar peserta BPJS TK")
        verbose_name_plural = _("pencocokan daftar peserta BPJS TK")

    def __str__(self) -> str:
        return f"Linkage #{self.pk} (roster #{self.roster_id}, registry #{self.registry_id})"

    @property
    def links_file(self) -> Path:
        return Path(settings.DATA_DIR) / self.folder / "links.parquet"

    @property
    def insured_file(self) -> Path:
        return Path(settings.DATA_DIR) / self.folder / f"insured-{self.insured_version}.parquet"


class LinkDecision(models.Model):
    """The officer's word on one pair (registry person, roster participant), remembered by (NIK, KPJ)
    for every later linkage -- next year's roster included.  Written only by
    :func:`sigap.programmes.linkage.link_decide` (audited)."""

    CONFIRMED, REJECTED = "confirmed", "rejected"
    DECISIONS = [(CONFIRMED, _("orang yang sama")), (REJECTED, _("bukan orang yang sama"))]

    nik = models.CharField(_("NIK"), max_length=16)
    kpj = models.CharField(_("KPJ"), max_length=20)
    decision = models.CharField(_("keputusan"), max_length=16, choices=DECISIONS)
    probability = models.FloatField(_("peluang"), null=True, blank=True)
    evidence = models.JSONField(_("bukti"), default=list)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    linkage = models.ForeignKey(
        RosterLinkage, on_delete=models.PROTECT, related_name="decisions", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("diputuskan"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["nik", "kpj"], name="link_decision_unique_pair")]
        verbose_name = _("keputusan pencocokan")
        verbose_name_plural = _("keputusan pencocokan")

    def __str__(self) -> str:
        return f"{self.nik} ~ KPJ {self.kpj}: {self.decision}"
