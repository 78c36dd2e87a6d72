from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sigap.accounts.roles import AREA_CODE_LENGTH, ROLES


class Profile(models.Model):
    """A user's role and area (a provinsi, kab/kota, kecamatan or kelurahan code), and who is behind it.

    Separation of duties holds by *person*, not by account (:mod:`sigap.accounts.people`): whoever
    creates an account sets its first password, so the account stays linked to its creator.
    ``owner`` is the person accountable for the account -- the account itself when the console
    (``sigap user create`` without ``--as``) made it, otherwise the owner of the account that created
    it, so a chain of accounts made from one account all lead back to one person.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("peran"), max_length=32, choices=ROLES)
    area_code = models.CharField(_("kode wilayah"), max_length=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("penanggung jawab akun"),
    )
    role_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("peran diminta oleh"),
    )
    role_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("peran dikonfirmasi oleh"),
    )

    class Meta:
        verbose_name = _("profil pengguna")
        verbose_name_plural = _("profil pengguna")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()} {self.area_code})"

    def clean(self) -> None:
        allowed = AREA_CODE_LENGTH.get(self.role, ())
        if not self.area_code.isdigit() or len(self.area_code) not in allowed:
            raise ValidationError(
                {
                    "area_code": _("Kode wilayah untuk peran ini harus %(n)s digit.")
                    % {"n": "/".join(map(str, allowed))}
                }
            )


class RoleGrant(models.Model):
    """A request to give an account a role that approves or audits (``roles.CONFIRMED_ROLES``).

    One user requests, another person with the right to grant confirms or refuses; until confirmed
    the account keeps its old role (a new account has none and cannot log in).
    """

    PENDING, CONFIRMED, REFUSED = "pending", "confirmed", "refused"
    STATES = [
        (PENDING, _("menunggu konfirmasi")),
        (CONFIRMED, _("dikonfirmasi")),
        (REFUSED, _("ditolak")),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("akun")
    )
    role = models.CharField(_("peran"), max_length=32, choices=ROLES)
    area_code = models.CharField(_("kode wilayah"), max_length=10, db_index=True)
    new_account = models.BooleanField(_("akun baru"), default=False)
    state = models.CharField(_("status"), max_length=16, choices=STATES, default=PENDING, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diminta oleh"),
    )
    requested_at = models.DateTimeField(_("waktu permintaan"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(_("waktu keputusan"), null=True, blank=True)
    reason = models.TextField(_("alasan"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("permintaan peran")
        verbose_name_plural = _("permintaan peran")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(state="pending"), name="accounts_one_pending_grant_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} -> {self.role} {self.area_code} ({self.state})"
