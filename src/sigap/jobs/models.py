from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """Long work started from the browser (an import, a targeting run), run by a django-tasks worker.

    ``params`` is everything the worker needs (JSON); ``result`` what the action returned;
    ``error`` the :class:`~sigap.errors.UserError` text meant for the user (never a traceback).
    ``area_code`` is the starter's area: who else may follow the job (see ``jobs.selectors``).
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, _("Menunggu")), (RUNNING, _("Berjalan")), (DONE, _("Selesai")), (FAILED, _("Gagal"))]

    SNAPSHOT_IMPORT, TARGETING_RUN, BATCH_EXPORT = "snapshot_import", "targeting_run", "batch_export"
    ANNEX_EXPORT = "annex_export"
    LIST_EXPORT = "list_export"
    KINDS = [
        (SNAPSHOT_IMPORT, _("Impor snapshot")),
        (TARGETING_RUN, _("Penetapan sasaran")),
        (BATCH_EXPORT, _("Ekspor batch pendaftaran")),
        (ANNEX_EXPORT, _("Lampiran keputusan (daftar nominatif)")),
        (LIST_EXPORT, _("Unduhan daftar besar (log audit, peserta, rincian tagihan)")),
    ]

    kind = models.CharField(_("jenis"), max_length=32, choices=KINDS)
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=QUEUED)
    params = models.JSONField(_("parameter"), default=dict)
    progress_done = models.BigIntegerField(_("kemajuan"), default=0)
    progress_total = models.BigIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("pesan"), max_length=255, blank=True)
    result = models.JSONField(_("hasil"), null=True, blank=True)
    error = models.TextField(_("galat"), blank=True)
    error_details = models.JSONField(_("rincian galat"), default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    area_code = models.CharField(_("kode wilayah"), max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    #: written by the worker while the job runs (claim, progress, a heartbeat thread); a running job
    #: whose heartbeat is older than SIGAP_JOB_LEASE_SECONDS lost its worker (sigap.jobs.cleanup)
    heartbeat_at = models.DateTimeField(_("detak terakhir"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("proses latar")
        verbose_name_plural = _("proses latar")

    def __str__(self) -> str:
        return f"Job #{self.pk} {self.kind} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.DONE, self.FAILED)

    @property
    def percent(self) -> int | None:
        """Whole percent done (integer arithmetic); None while the total is unknown."""
        if not self.progress_total:
            return None
        return min(100, max(0, self.progress_done * 100 // self.progress_total))
