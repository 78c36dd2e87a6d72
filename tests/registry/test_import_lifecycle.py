"""Re-import recognition and all-or-nothing behaviour."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from registry_factory import person, write_csv

from sigap.audit.models import AuditEvent
from sigap.registry import actions
from sigap.registry.actions import snapshot_import
from sigap.registry.models import Snapshot

REF = dt.date(2026, 1, 1)
pytestmark = pytest.mark.django_db


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def test_reimport_returns_existing_snapshot(data_dir: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dtsen.csv", [person(1), person(2, desil="x")])
    first = snapshot_import(path=path, reference_date=REF)
    before = sorted(files_under(data_dir))

    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    again = snapshot_import(path=copy, reference_date=REF)
    assert not again.created and again.snapshot.pk == first.snapshot.pk
    assert (again.rows, again.accepted, again.rejected) == (2, 1, 1)
    assert again.report_path == first.report_path
    assert Snapshot.objects.count() == 1 and AuditEvent.objects.filter(action="snapshot.import").count() == 1
    assert sorted(files_under(data_dir)) == before

    mapped = snapshot_import(path=path, reference_date=REF, mapping={"columns": {"nama": "nama"}})
    assert mapped.created and mapped.snapshot.pk != first.snapshot.pk


def test_failure_in_final_step_leaves_nothing(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    path = write_csv(tmp_path / "dtsen.csv", [person(1)])

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "audit_record", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        snapshot_import(path=path, reference_date=REF)
    assert Snapshot.objects.count() == 0
    assert files_under(data_dir) == []

    monkeypatch.undo()
    result = snapshot_import(path=path, reference_date=REF)
    assert result.created and result.snapshot.data_file.is_file()


def test_failure_while_building_leaves_nothing(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    path = write_csv(tmp_path / "dtsen.csv", [person(1)])

    def broken_report(*args, **kwargs):
        raise OSError("cannot write")

    monkeypatch.setattr("sigap.registry.ingest.build.write_report", broken_report)
    with pytest.raises(OSError, match="cannot write"):
        snapshot_import(path=path, reference_date=REF)
    assert Snapshot.objects.count() == 0 and files_under(data_dir) == []


def test_unknown_mapping_column_refused(data_dir: Path, tmp_path: Path) -> None:
    from sigap.errors import UserError

    path = write_csv(tmp_path / "dtsen.csv", [person(1)])
    with pytest.raises(UserError) as info:
        snapshot_import(path=path, reference_date=REF, mapping={"columns": {"nomer_nik": "NIK"}})
    assert "nomer_nik" in info.value.details[0]
