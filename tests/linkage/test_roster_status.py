"""Issue 8, defect 1: the roster import keeps every row and the status per person is decided by
rule (AKTIF wins; among equals the latest row), driven through the CLI as an officer does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from programmes.helpers import programme_document
from registry.registry_factory import person, roster_row, write_csv, write_roster_csv
from sigap.cli import _register, cli

pytestmark = pytest.mark.django_db


@pytest.fixture
def sigap(data_dir: Path) -> Any:
    _register()
    runner = CliRunner()

    def invoke(*args: str) -> dict[str, Any]:
        result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return invoke


def _decisions(run_id: int) -> dict[str, str]:
    from programmes.helpers import read_decisions
    from sigap.programmes.models import TargetingRun

    return {nik: d["decision"] for nik, d in read_decisions(TargetingRun.objects.get(pk=run_id)).items()}


def test_nonaktif_then_aktif_row_keeps_the_person_insured(sigap: Any, tmp_path: Path) -> None:
    people = [person(i) for i in (1, 2, 3)]
    sigap(
        "registry", "import", str(write_csv(tmp_path / "dtsen.csv", people)), "--reference-date", "2026-01-01"
    )
    nik1, nik2 = people[0]["nomor_nik"], people[1]["nomor_nik"]
    roster = [
        roster_row(1, nik=nik1, status="NONAKTIF", kpj="25000000001"),
        roster_row(2, nik=nik1, status="AKTIF", kpj="25000000002"),  # was refused as nik_duplicate
        roster_row(3, nik=nik2, status="AKTIF", kpj="25000000003"),
        roster_row(4, nik=nik2, status="NONAKTIF", kpj="25000000004"),  # AKTIF wins over the later row
    ]
    out = sigap("roster", "import", str(write_roster_csv(tmp_path / "bpjs.csv", roster)))
    assert (out["rows"], out["accepted"], out["rejected"]) == (4, 4, 0)

    from sigap.programmes.actions import programme_apply, targeting_run

    programme, _, _ = programme_apply(document=programme_document(), source_name="t.toml")
    run = targeting_run(programme=programme, export=False)
    decisions = _decisions(run.pk)
    assert decisions[nik1] == "ineligible" and decisions[nik2] == "ineligible"
    assert decisions[people[2]["nomor_nik"]] == "selected"
