"""Read models refreshed by :mod:`sigap.status.actions` (never written by a request).

``CitizenStatus``: one row per person known to a programme's current lists, found by ONE indexed
lookup on a keyed hash of NIK + birth date (the table holds neither in clear); members' rows point to
the member, whose live state is joined in the same query.
``AreaCell``, ``MonthFigure``, ``ProgrammeFigures``: the leader dashboard's precomputed aggregates
(programme x kelurahan x desil x occupation; programme x month; one row of totals per programme).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.enrolment.models import Member
from sigap.programmes.models import Programme, TargetingRun


class CitizenStatus(models.Model):
    REGISTERED, SELECTED, WAITING, INELIGIBLE, EXITED = (
        "registered",
        "selected",
        "waiting",
        "ineligible",
        "exited",
    )
    STATES = [
        (REGISTERED, _("Terdaftar sebagai peserta")),
        (SELECTED, _("Terpilih")),
        (WAITING, _("Daftar tunggu")),
        (INELIGIBLE, _("Tidak memenuhi syarat")),
        (EXITED, _("Kepesertaan berakhir")),
    ]

    lookup = models.CharField(max_length=32)  # keyed hash of "nik|birth date" (sigap.status.keys)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    programme_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=STATES)
    reasons = models.CharField(max_length=500, blank=True)  # targeting reasons (rendered in plain words)
    office = models.CharField(max_length=200, blank=True)  # the kelurahan office to contact
    # A member's state, coverage start and exit are joined live from enrolment at lookup time (primary
    # keys), so BPJS TK answers and exits need no refresh of this table.
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lookup", "programme"], name="citizen_status_unique")]
        verbose_name = _("status warga")
        verbose_name_plural = _("status warga")


class AreaCell(models.Model):
    """Counts for one programme x kelurahan x desil x occupation (kelurahan ``outside`` = outside the region)."""

    # A read model rebuilt whole by dashboard_refresh for a programme it holds: no database constraint
    # (on PostgreSQL a deferred check per row at commit: ~3.5 s for a province's million cells) and no
    # index of its own (the (programme, kode_kelurahan) index below leads with it); Django still cascades.
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    kode_kelurahan = models.CharField(max_length=10)
    desil = models.SmallIntegerField(null=True)
    pekerjaan = models.CharField(max_length=100)
    people = models.BigIntegerField(default=0)
    eligible = models.BigIntegerField(default=0)  # waiting in the list in force + every member taken
    selected = models.BigIntegerField(default=0)
    waiting = models.BigIntegerField(default=0)
    # Member figures as defined once in sigap.enrolment.figures:
    members = models.BigIntegerField(default=0)  # on an approved list: covered + pending
    covered = models.BigIntegerField(default=0)  # members active at BPJS TK
    exited = models.BigIntegerField(default=0)  # were covered, then left (never the rejected)
    rejected = models.BigIntegerField(default=0)  # registration rejected by BPJS TK

    class Meta:
        indexes = [models.Index(fields=["programme", "kode_kelurahan"])]


class MonthFigure(models.Model):
    """One month of the programme's fiscal year: members covered and premiums."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day
    covered = models.BigIntegerField(default=0)  # members with a coverage period over this month
    invoiced = models.BigIntegerField(default=0)  # net issued invoices for this month (Rp)
    paid = models.BigIntegerField(default=0)  # payments allocated to those invoices up to ``computed_on``
    committed = models.BigIntegerField(default=0)  # not yet invoiced premiums (forecast, Rp)

    class Meta:
        ordering = ["programme", "month"]
        constraints = [models.UniqueConstraint(fields=["programme", "month"], name="month_figure_unique")]


class ProgrammeFigures(models.Model):
    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(TargetingRun, null=True, on_delete=models.SET_NULL, related_name="+")
    computed_on = models.DateField()  # the business date the realisation is computed for
    computed_at = models.DateTimeField()
    statuses = models.BigIntegerField(default=0)  # CitizenStatus rows written
    realisation = models.JSONField(default=dict)  # sigap.core.realisation.Realisation.as_dict()
    totals = models.JSONField(default=dict)
