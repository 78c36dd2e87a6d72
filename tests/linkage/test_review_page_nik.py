"""The linkage review page shows a roster NIK that is not a NIK as it was written, labelled with the
import's reason in words (issue 9: a demo row read "NIK 327509E+15", as if it were one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse

from linkage.helpers import linkage_people, linkage_roster
from registry.registry_factory import write_csv, write_roster_csv
from sigap.cli import _register, cli

pytestmark = pytest.mark.django_db(transaction=True)

SCIENTIFIC = "3,27501E+15"  # a NIK column Excel turned into a number


def _sigap(*args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_an_invalid_roster_nik_is_labelled_not_shown_as_a_nik(data_dir: Path, tmp_path: Path) -> None:
    from sigap.accounts.actions import user_create

    _register()
    people = linkage_people()
    roster = linkage_roster(people)
    budi = next(r for r in roster if r["nama"] == "BUDI SANTOSO")  # waits for the officer
    budi["nik"] = SCIENTIFIC
    _sigap(
        "registry", "import", str(write_csv(tmp_path / "dtsen.csv", people)), "--reference-date", "2026-01-01"
    )
    _sigap(
        "roster",
        "import",
        str(write_roster_csv(tmp_path / "bpjs.csv", roster)),
        "--reference-date",
        "2026-01-01",
    )
    admin = user_create(
        username="admin.dinas", password="sandi-rahasia-1", role="admin_dinas", area_code="3275"
    )
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("ops:linkage-review")).content.decode()
    assert "BUDI SANTOSO" in page
    assert f"NIK {SCIENTIFIC}" not in page
    assert f"<strong>NIK tidak sah</strong> {SCIENTIFIC} (NIK tertulis dalam notasi ilmiah" in page
    assert "nik_scientific" not in page
