"""`sigap registry partition` and `sigap targeting run-many` on DuckDB: one data set partitioned by
programme whose partitions hold what each programme's own run decides for its people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sigap.audit.models import AuditEvent
from sigap.cli import _register, cli
from sigap.engine import DuckDBEngine
from sigap.programmes.actions import programme_apply, targeting_run
from sigap.reference import regions
from sigap.synth.snapshot_sql import people_sql

from .helpers import programme_document, write_snapshot

pytestmark = pytest.mark.django_db

KAB_KOTA = ("3273", "3275", "3277")


@pytest.fixture
def runner() -> CliRunner:
    _register()
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in args else result.output


def test_run_many_by_region_matches_each_programmes_own_run(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    kel = [k.code for code in KAB_KOTA for k in regions().descendants(code, "desa_kelurahan")]
    snapshot = write_snapshot(data_dir, people_sql(9_000, kelurahan=kel))
    for i, code in enumerate(KAB_KOTA):
        document = programme_document(
            code=f"P-{code}", region=code, budget=60_000_000 + 20_000_000 * i, tie_break_seed=f"sk-{code}"
        )
        programme_apply(document=document, source_name=f"{code}.toml")
    programme_apply(document=programme_document(code="JKT", region="3171"), source_name="jkt.toml")

    parts = invoke(runner, "registry", "partition", "--to", str(tmp_path / "snapshot"), "--json")
    assert (
        parts["people"] == 9_000 and (tmp_path / "snapshot" / "provinsi=32" / "kabupaten_kota=3277").is_dir()
    )
    result = invoke(
        runner, "targeting", "run-many", "--region", "32", "--people", str(tmp_path / "snapshot"), "--json"
    )
    assert [p["programme"] for p in result["programmes"]] == [f"P-{c}" for c in KAB_KOTA]
    assert result["rows"] == 9_000 and result["outside"] == 0
    output = Path(result["output"])
    assert sorted(p.name for p in output.iterdir()) == [f"programme=P-{c}" for c in KAB_KOTA]
    manifest = json.loads((output.parent / "run-many.json").read_text())
    assert manifest["tie_breaks"]["P-3275"] == {"seed": "sk-3275", "source": "programme"}
    assert AuditEvent.objects.filter(action="targeting.run_many").count() == 1
    assert AuditEvent.objects.filter(action="registry.partition", object_id=str(snapshot.pk)).count() == 1

    # each programme's own run decides its people exactly as the pass did
    from sigap.programmes.models import Programme

    with DuckDBEngine() as engine:
        engine.register_parquet("many", output)
        for figures in result["programmes"]:
            run = targeting_run(programme=Programme.objects.get(code=figures["programme"]), export=False)
            assert (run.selected, run.waiting, run.cost) == (
                figures["selected"],
                figures["waiting"],
                figures["cost"],
            )
            engine.register_parquet("one", run.decisions_file)
            differ = engine.fetch(
                f"SELECT count(*) FROM (SELECT * FROM one WHERE kode_kelurahan LIKE '{figures['region']}%') AS o "
                f"FULL JOIN (SELECT * FROM many WHERE programme = '{figures['programme']}') AS m USING (nik) "
                "WHERE o.decision IS DISTINCT FROM m.decision OR o.rank IS DISTINCT FROM m.rank "
                "OR o.cost IS DISTINCT FROM m.cost OR o.fails IS DISTINCT FROM m.fails"
            )[0][0]
            assert differ == 0

    named = invoke(runner, "targeting", "run-many", "--programmes", "P-3273,JKT", "--json")
    assert {p["programme"]: p["people"] for p in named["programmes"]}["JKT"] == 0
    assert named["outside"] == 9_000 - named["programmes"][0]["people"]


def test_run_many_refuses_unknown_and_overlapping_programmes(runner: CliRunner, data_dir: Path) -> None:
    write_snapshot(data_dir, people_sql(100, kelurahan=["3275011001"]))
    programme_apply(document=programme_document(code="KOTA", region="3275"), source_name="a.toml")
    programme_apply(document=programme_document(code="PROV", region="32"), source_name="b.toml")
    result = runner.invoke(cli, ["targeting", "run-many", "--programmes", "KOTA,NOPE"])
    assert result.exit_code == 2 and "NOPE" in result.output
    result = runner.invoke(cli, ["targeting", "run-many", "--region", "32"])
    assert result.exit_code == 2 and "cover the same people" in result.output
