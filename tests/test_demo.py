"""The README's first command, end to end on a small registry (no server)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import DAYS_OF_THE_YEAR
from sigap.cli import _register, cli

pytestmark = pytest.mark.django_db(transaction=True)


DEMO = ["demo", "--people", "6000", "--budget", "20000000", "--no-serve", "--json"]


# 15 March: a month whose sample incident is reported but whose documents and payment come later
@pytest.mark.parametrize("today", [*DAYS_OF_THE_YEAR, dt.date(2026, 3, 15)], ids=str)
def test_demo_end_to_end_adds_up(data_dir: Path, today: dt.date):
    _register()
    result = CliRunner().invoke(cli, [*DEMO, "--today", today.isoformat()], catch_exceptions=False)
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
    # every month up to today is invoiced, every month before the current one paid
    assert (year["invoices"], year["payments"]) == (today.month, today.month - 1)
    incidents = sum(1 for month in (3, 5, 7) if month <= today.month)  # March, May and July
    assert (year["incidents"], year["usulan"], year["grievances"]) == (incidents, 3, 3)
    from sigap.billing.models import Invoice
    from sigap.claims.models import Claim
    from sigap.pengaduan.models import Grievance

    assert Invoice.objects.filter(state="paid").count() == year["payments"]
    claim_states = set(Claim.objects.values_list("state", flat=True))
    assert (
        claim_states == {"paid", "submitted", "draft"} if today.month > 7 else len(claim_states) == incidents
    )
    assert Grievance.objects.filter(escalated_at__isnull=False).count() == 1
    from sigap.programmes.models import TargetingRun

    deaths = sum(1 for month in (3, 7) if month <= today.month)
    freed = year["bpjs_rejected"] + deaths
    if today.month == 12 or not freed:  # no month left to cover, or no place freed yet
        assert year["replacement_run"] is None
        assert not TargetingRun.objects.filter(kind="replacement").exists()
    else:  # places freed by deaths and BPJS TK's rejections, waiting for approval
        waiting = TargetingRun.objects.get(pk=year["replacement_run"])
        assert (waiting.kind, waiting.state) == ("replacement", "submitted") and waiting.selected >= 1

    # Running the demo again re-uses the same snapshot (same file, same hash) and shows the approved
    # list again: the programme's truth does not move because the demo ran twice.
    again = CliRunner().invoke(cli, [*DEMO, "--today", today.isoformat()])
    second = json.loads(again.output.strip().splitlines()[-1])
    assert second["snapshot"] == out["snapshot"] and second["run"] == out["run"]
    assert second["selected"] == out["selected"]
    assert "skipped" in second["year"]  # the year is played once
