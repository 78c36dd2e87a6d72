"""Machine clients of the API and the keys that sign their access tokens (ADR 0016)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

STATUS_READ = "status:read"
BPJS_WRITE = "bpjs:write"
PAYMENTS_WRITE = "payments:write"
GRIEVANCES_WRITE = "grievances:write"
AGGREGATES_READ = "aggregates:read"

#: scope -> (Bahasa Indonesia, English)
SCOPES: dict[str, tuple[str, str]] = {
    STATUS_READ: ("status kepesertaan per NIK di wilayah klien", "member status by NIK in the client's area"),
    BPJS_WRITE: (
        "BPJS TK: menarik batch pendaftaran, mengirim jawaban",
        "BPJS TK: pull batches, push answers",
    ),
    PAYMENTS_WRITE: (
        "sistem keuangan: mencatat SP2D dan pembatalannya",
        "finance: record SP2D and reversals",
    ),
    GRIEVANCES_WRITE: ("kanal pengaduan lain: mencatat pengaduan", "other channels: file grievances"),
    AGGREGATES_READ: ("dasbor: angka agregat tanpa data pribadi", "dashboards: aggregates, no personal data"),
}


class ApiClient(models.Model):
    """A system allowed to call the API: its scopes and the region it may see or act on."""

    name = models.CharField(_("nama"), max_length=200)
    client_id = models.CharField(_("client_id"), max_length=80, unique=True)
    secret_hash = models.CharField(_("hash rahasia"), max_length=256)  # django.contrib.auth.hashers
    scopes = models.JSONField(_("cakupan"), default=list)
    area_code = models.CharField(_("kode wilayah"), max_length=10)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(_("alasan pencabutan"), max_length=300, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("klien API")
        verbose_name_plural = _("klien API")

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class SigningKey(models.Model):
    """An Ed25519 key pair signing access tokens (JWT, EdDSA), known to clients by ``kid``.

    The newest key not retired signs; every key not retired verifies (and is published in the JWKS),
    so tokens signed before a rotation stay valid until they expire or their key is retired.  The
    private key is kept encrypted (PKCS#8) under a key derived from ``SECRET_KEY``.
    """

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=16, default="EdDSA")
    public_key = models.TextField()  # PEM (SubjectPublicKeyInfo)
    private_key = models.TextField()  # PEM (encrypted PKCS#8)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired_at = models.DateTimeField(_("dipensiunkan"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("kunci penandatangan API")
        verbose_name_plural = _("kunci penandatangan API")

    def __str__(self) -> str:
        return self.kid


class DciTransaction(models.Model):
    """An async DCI search (``/api/v1/dci/registry/search``, ADR 0020): answered when received and
    kept for the asking client to pull with ``/registry/sync/txn/status`` (by transaction_id,
    correlation_id or reference ids) for :data:`KEEP_HOURS` hours -- it holds NIKs."""

    KEEP_HOURS = 24

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="dci_transactions")
    transaction_id = models.CharField(max_length=99)
    correlation_id = models.CharField(max_length=99, unique=True)
    txn_type = models.CharField(max_length=16, default="search")
    reference_ids = models.JSONField(default=list)
    response = models.JSONField()  # the on-search message: transaction_id, correlation_id, search_response
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["client", "transaction_id"])]

    def __str__(self) -> str:
        return self.correlation_id
