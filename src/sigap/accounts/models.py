from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.accounts.roles import AREA_CODE_LENGTH, ROLES


class Profile(models.Model):
    """A user's role and area (a provinsi, kab/kota, kecamatan or kelurahan code)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("peran"), max_length=32, choices=ROLES)
    area_code = models.CharField(_("kode wilayah"), max_length=10)

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
