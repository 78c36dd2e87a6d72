"""The ``sigap`` command's summary lines in the officer's language (issue 9): Bahasa Indonesia by
default (``LANG`` is not read: servers say en_US whatever the officer reads), English with
``SIGAP_LANGUAGE=en``; ``--json`` is the same in both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.utils import translation

from registry.registry_factory import person, write_csv
from sigap.cli import _register, cli

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sigap(data_dir: Path) -> Iterator[Any]:
    _register()
    runner = CliRunner()

    def call(*args: str, language: str | None = None) -> str:
        env = {"LANG": "en_US.UTF-8", "SIGAP_LANGUAGE": language}
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    yield call
    translation.deactivate()  # the command activates its language in this (the test's) thread


def test_run_summary_and_approval_read_in_bahasa_indonesia_by_default(
    sigap: Any, run: Any, officer: Any, head: Any
) -> None:
    shown = sigap("targeting", "show", str(run.pk))
    assert f"Penetapan sasaran #{run.pk} - SIGAP-2026" in shown
    assert "Memenuhi syarat" in shown and "Daftar tunggu" in shown and "Urutan seri: " in shown
    assert "/ eligible" not in shown and "tie-break" not in shown
    sigap("run", "submit", str(run.pk), "--as", "petugas")
    approved = sigap("run", "approve", str(run.pk), "--as", "kadis").replace("\n", " ")
    assert f"Penetapan sasaran #{run.pk} (SIGAP-2026) disetujui oleh kadis: 100 peserta" in approved
    assert "approved by" not in approved


def test_sigap_language_en_gives_english_lines_and_the_same_json(
    sigap: Any, run: Any, officer: Any, head: Any
) -> None:
    shown = sigap("targeting", "show", str(run.pk), language="en")
    assert f"Targeting run #{run.pk} - SIGAP-2026" in shown
    assert "Eligible" in shown and "Waiting list" in shown and "Tie-break: " in shown
    assert "Memenuhi syarat" not in shown
    as_json = [
        json.loads(sigap("targeting", "show", str(run.pk), "--json", language=x)) for x in ("id", "en")
    ]
    assert as_json[0] == as_json[1]
    sigap("run", "submit", str(run.pk), "--as", "petugas", language="en")
    approved = sigap("run", "approve", str(run.pk), "--as", "kadis", language="en").replace("\n", " ")
    assert f"Targeting run #{run.pk} (SIGAP-2026) approved by kadis: 100 members" in approved


def test_registry_import_summary_in_either_language(sigap: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dtsen.csv", [person(1), person(2, desil="abc")])
    english = sigap("registry", "import", str(path), "--reference-date", "2026-01-01", language="en_US")
    assert "Snapshot #" in english and "accepted" in english and "Rejection report: " in english
    again = sigap("registry", "import", str(path), "--reference-date", "2026-01-01")
    assert "(sudah pernah diimpor)" in again and "diterima" in again and "Laporan penolakan: " in again
    assert "accepted" not in again
