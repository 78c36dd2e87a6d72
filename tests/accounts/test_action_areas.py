"""The actions hold their area rules on their own (the web forms check too, for the message's place)."""

from __future__ import annotations

from typing import Any

import pytest

from programmes.helpers import programme_document
from sigap.accounts import roles
from sigap.accounts.actions import user_create, user_deactivate
from sigap.errors import UserError
from sigap.programmes.actions import programme_apply
from sigap.programmes.models import Programme

pytestmark = pytest.mark.django_db


def _admin(area: str, name: str = "admin") -> Any:
    return user_create(username=f"{name}.{area}", password="x" * 12, role=roles.ADMIN_DINAS, area_code=area)


def test_programme_apply_keeps_to_the_officers_region() -> None:
    kota, kabupaten = _admin("3275"), _admin("3216")
    programme, created, _ = programme_apply(
        document=programme_document(), source_name="a.toml", acting_user=kota
    )
    assert created and programme.region == "3275"
    with pytest.raises(UserError, match=r"Wilayah program 3275 di luar wilayah Anda \(3216\)"):
        programme_apply(document=programme_document(budget=1), source_name="b.toml", acting_user=kabupaten)
    # the Kabupaten's own definition may not take over the Kota's programme code either
    with pytest.raises(UserError, match="Kode program SIGAP-2026 sudah dipakai wilayah lain"):
        programme_apply(
            document=programme_document(region="3216"), source_name="c.toml", acting_user=kabupaten
        )
    assert Programme.objects.get().budget == 2_000_000_000  # nothing changed


def test_accounts_are_made_and_blocked_only_inside_ones_area() -> None:
    kota = _admin("3275")
    with pytest.raises(UserError, match=r"Kode wilayah 3216011001 di luar wilayah Anda \(3275\)"):
        user_create(
            username="op",
            password="x" * 12,
            role=roles.OPERATOR_KELURAHAN,
            area_code="3216011001",
            acting_user=kota,
        )
    other = _admin("3216")
    with pytest.raises(UserError, match=r"Wilayah pengguna 3216 di luar wilayah Anda \(3275\)"):
        user_deactivate(user=other, acting_user=kota)
    other.refresh_from_db()
    assert other.is_active
