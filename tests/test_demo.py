"""The README's first command, end to end on a small registry (no server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sigap.cli import _register, cli

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_end_to_end_adds_up(data_dir: Path):
    _register()
    result = CliRunner().invoke(
        cli,
        ["demo", "--people", "6000", "--budget", "20000000", "--no-serve", "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["cost_per_person"] == 201_600
    assert out["selected"] == 20_000_000 // 201_600 == 99
    assert out["cost"] == out["selected"] * out["cost_per_person"]
    assert out["cost"] + out["remaining"] == out["budget"] == 20_000_000
    assert out["eligible"] == out["selected"] + out["waiting"] and out["waiting"] > 0
    assert out["accepted"] + out["rejected"] == out["rows"] >= 6000
    assert out["rejected"] > 0 and Path(out["report"]).is_file()  # the demo registry has realistic defects
    for path in out["exports"].values():
        assert Path(path).is_file() and Path(path).stat().st_size > 0

    # ...and plays the year forward through the real actions, so every screen has data
    year = out["year"]
    assert year["members"] == out["selected"] == year["bpjs_accepted"] + year["bpjs_rejected"]
    assert year["invoices"] >= 1 and year["payments"] == year["invoices"] - 1  # the current month is open
    assert (year["incidents"], year["usulan"], year["grievances"]) == (3, 3, 3)
    from sigap.billing.models import Invoice
    from sigap.claims.models import Claim
    from sigap.pengaduan.models import Grievance

    assert Invoice.objects.filter(state="paid").count() == year["payments"]
    assert set(Claim.objects.values_list("state", flat=True)) == {"paid", "submitted", "draft"}
    assert Grievance.objects.filter(escalated_at__isnull=False).count() == 1
    from sigap.programmes.models import TargetingRun

    waiting = TargetingRun.objects.get(pk=year["replacement_run"])  # places freed by deaths, for approval
    assert (waiting.kind, waiting.state) == ("replacement", "submitted") and waiting.selected >= 1

    # Running the demo again re-uses the same snapshot (same file, same hash) and adds a new run.
    again = CliRunner().invoke(
        cli, ["demo", "--people", "6000", "--budget", "20000000", "--no-serve", "--json"]
    )
    second = json.loads(again.output.strip().splitlines()[-1])
    assert second["snapshot"] == out["snapshot"] and second["run"] != out["run"]
    assert second["selected"] == out["selected"]
    assert "skipped" in second["year"]  # the year is played once
