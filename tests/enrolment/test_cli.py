"""CLI round trip with --json: submit, return, approve, annex, batch export/list/response."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factories import DAYS_OF_THE_YEAR
from sigap.cli import _register, cli
from sigap.enrolment.models import EnrolmentBatch, Member

from .conftest import PLACES, answers, write_response

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def invoke(data_dir: Path) -> Any:
    _register()
    runner = CliRunner()

    def call(*args: str, code: int = 0) -> dict[str, Any]:
        result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return json.loads(result.output.strip().splitlines()[-1])

    return call


def test_round_trip(invoke: Any, run: Any, officer: Any, head: Any, tmp_path: Path, clock: Any) -> None:
    clock(dt.date(2026, 6, 15))
    rid = str(run.pk)
    assert invoke("run", "submit", rid, "--as", "petugas")["state"] == "submitted"
    refused = invoke("run", "approve", rid, "--as", "petugas", code=2)
    assert "maker-checker" in refused["error"]
    assert "does not exist" in invoke("run", "approve", rid, "--as", "nobody", code=2)["error"]
    returned = invoke("run", "return", rid, "--as", "kadis", "--reason", "cek ulang desil")
    assert (returned["state"], returned["return_reason"]) == ("returned", "cek ulang desil")
    invoke("run", "submit", rid)  # the CLI actor may submit
    approved = invoke("run", "approve", rid, "--as", "kadis")
    assert approved["members"] == PLACES and approved["state"] == "approved" and approved["skipped"] == 0
    again = invoke("run", "approve", rid, "--as", "kadis", code=2)
    assert "tidak pernah berubah" in again["error"]

    annex = invoke("annex", rid, "--out", str(tmp_path / "sk"))
    assert Path(annex["files"]["pdf"]).parent == tmp_path / "sk" and Path(annex["files"]["pdf"]).is_file()
    assert annex["list_sha256"] == approved["list_sha256"]

    exported = invoke("batch", "export", "--programme", "SIGAP-2026", "--coverage-start", "2026-01")
    assert exported["number"] == "SIGAP-2026/B001" and exported["pending"] == PLACES
    assert Path(exported["files"]["csv"]).is_file()
    assert (
        "tidak memiliki peserta disetujui"
        in invoke("batch", "export", "--programme", "SIGAP-2026", code=2)["error"]
    )
    listed = invoke("batch", "list")
    assert [b["number"] for b in listed["batches"]] == ["SIGAP-2026/B001"]

    batch = EnrolmentBatch.objects.get()
    today = dt.date.today()
    path = write_response(tmp_path, answers(batch, reject=4, effective=today.isoformat()))
    answered = invoke("batch", "response", "SIGAP-2026/B001", str(path), "--as", "petugas")
    assert (answered["accepted"], answered["rejected"], answered["batch_state"]) == (
        PLACES - 4,
        4,
        "answered",
    )
    assert answered["runs_enrolled"] == [run.pk]
    repeat = invoke("batch", "response", "SIGAP-2026/B001", str(path))
    assert repeat["duplicate"] is True and repeat["accepted"] == 0
    assert Member.objects.filter(state="active").count() == PLACES - 4
    bad = write_response(tmp_path, [{"NIK": "3275999999999999", "STATUS": "DITOLAK", "ALASAN": "x"}])
    error = invoke("batch", "response", "SIGAP-2026/B001", str(bad), code=2)
    assert (
        "NIK 3275999999999999 tidak dikenal" in error["error"]
        and "tidak ada yang diterapkan" in error["error"]
    )
    assert invoke("batch", "list")["batches"][0]["accepted"] == PLACES - 4


@pytest.mark.parametrize("day", DAYS_OF_THE_YEAR, ids=str)
def test_batch_export_default_start_on_every_day(
    invoke: Any, run: Any, officer: Any, head: Any, clock: Any, day: dt.date
) -> None:
    """The default first covered month is the month after today; in December it falls in the next
    fiscal year, and the export says so instead of sending a batch the programme cannot pay."""
    clock(day)
    invoke("run", "submit", str(run.pk), "--as", "petugas")
    invoke("run", "approve", str(run.pk), "--as", "kadis")
    if day.month == 12:
        refused = invoke("batch", "export", "--programme", "SIGAP-2026", code=2)
        assert "Januari 2027" in refused["error"] and "Januari 2026 s.d. Desember 2026" in refused["error"]
        assert not EnrolmentBatch.objects.exists()
        return
    exported = invoke("batch", "export", "--programme", "SIGAP-2026")
    expected = dt.date(day.year, day.month + 1, 1)
    assert EnrolmentBatch.objects.get().coverage_start == expected
    assert exported["pending"] == PLACES
