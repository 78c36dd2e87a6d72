"""`sigap registry partition` and `sigap targeting run-many` on DuckDB: on a partitioned snapshot one
data set partitioned by programme whose partitions hold what each programme's own run decides for its
people; on a registry snapshot one draft run per programme, each the run `sigap targeting run` makes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse

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

    named = invoke(
        runner,
        "targeting",
        "run-many",
        "--programmes",
        "P-3273,JKT",
        "--people",
        str(tmp_path / "snapshot"),
        "--json",
    )
    assert {p["programme"]: p["people"] for p in named["programmes"]}["JKT"] == 0
    assert named["outside"] == 9_000 - named["programmes"][0]["people"] and named["runs"] == {}


def test_run_many_refuses_unknown_and_overlapping_programmes(runner: CliRunner, data_dir: Path) -> None:
    write_snapshot(data_dir, people_sql(100, kelurahan=["3275011001"]))
    programme_apply(document=programme_document(code="KOTA", region="3275"), source_name="a.toml")
    programme_apply(document=programme_document(code="PROV", region="32"), source_name="b.toml")
    result = runner.invoke(cli, ["targeting", "run-many", "--programmes", "KOTA,NOPE"])
    assert result.exit_code == 2 and "NOPE" in result.output
    result = runner.invoke(cli, ["targeting", "run-many", "--region", "32"])
    assert result.exit_code == 2 and "cover the same people" in result.output
    # runs are registered from a local folder only; a URL is for --people (the nation's data set)
    result = runner.invoke(cli, ["targeting", "run-many", "--programmes", "KOTA", "--output", "s3a://b/x"])
    assert result.exit_code == 2 and "needs a local --output" in result.output
    # a segment the region already funds is an imported list: left out of --region, refused by name
    from sigap.coverage.models import SegmentList

    segment = programme_apply(document=programme_document(code="RTRW", region="3201"), source_name="s.toml")[
        0
    ]
    SegmentList.objects.create(
        programme=segment, source_name="rtrw.csv", content_sha256="0" * 64, rows=0, accepted=0, rejected=0
    )
    result = runner.invoke(cli, ["targeting", "run-many", "--programmes", "RTRW"])
    assert result.exit_code == 2 and "RTRW are segment lists" in result.output
    output = invoke(runner, "targeting", "run-many", "--programmes", "KOTA")
    from sigap.programmes.models import TargetingRun

    made = TargetingRun.objects.get(programme__code="KOTA")
    assert f"KOTA: penetapan / run #{made.pk} (draf / draft)" in output


ROSTER_SQL = (
    "SELECT nik, '1' || substr(nik, 6) AS kpj, nama, tanggal_lahir, 'BPU' AS segmen, "
    "CASE WHEN hash(nik) % 5 = 0 THEN 'NONAKTIF' ELSE 'AKTIF' END AS status, source_row, "
    "CAST(NULL AS VARCHAR) AS nik_written FROM people WHERE hash(nik) % 9 = 0"
)


def test_run_many_registers_each_programmes_run_as_its_own_run_would(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    """One pass, three draft runs: the decisions file, digest, figures, summary and exports of each are
    those of the programme's own `sigap targeting run` with the same seed; a run is submitted and
    approved like any other, and a programme with an approved list is refused."""
    from factories import make_approved_run, make_user
    from sigap.enrolment.actions import run_approve, run_submit
    from sigap.enrolment.models import Member
    from sigap.programmes.models import Programme, TargetingRun

    kel = [k.code for code in (*KAB_KOTA, "3276") for k in regions().descendants(code, "desa_kelurahan")]
    people = people_sql(6_000, kelurahan=[*kel, "3171011001", "3171011002"])
    snapshot = write_snapshot(data_dir, people)
    write_snapshot(data_dir, ROSTER_SQL.replace("FROM people", f"FROM ({people}) AS p"), kind="roster")
    # an approved APBD list in Depok: its members are excluded from the other APBD programmes
    other, _, _ = programme_apply(
        document=programme_document(code="DEPOK", region="3276", budget=40_000_000), source_name="d.toml"
    )
    make_approved_run(other, snapshot)
    assert Member.objects.filter(programme=other).count() > 0
    programme_apply(
        document=programme_document(code="P-3273", region="3273", budget=20_000_000, tie_break_seed="s-3273"),
        source_name="a.toml",
    )
    programme_apply(
        document=programme_document(code="P-3275", region="3275", budget=8_000_000, desil_max=4),
        source_name="b.toml",
    )
    (tmp_path / "p3277.toml").write_text(
        '[programme]\ncode = "P-3277"\nname = "Cimahi"\nregion = "3277"\nfiscal_year = 2026\n'
        'budget = 2000000\ncoverage_start = "2026-04"\nfunding = "APBN"\n\n'
        '[priority]\norder = ["age_desc"]\n',
        encoding="utf-8",
    )
    result = invoke(
        runner, "targeting", "run-many", "--programmes", "P-3273,P-3275", "--file", str(tmp_path / "p3277.toml"),
        "--json",
    )  # fmt: skip
    assert sorted(result["runs"]) == ["P-3273", "P-3275", "P-3277"]
    assert not (Path(result["output"]) / "decisions").exists()  # every row is in a run's own file
    manifest = json.loads((Path(result["output"]) / "run-many.json").read_text())
    assert manifest["runs"] == result["runs"] and manifest["snapshot"] == snapshot.pk
    with DuckDBEngine() as engine:
        for code, run_id in result["runs"].items():
            many = TargetingRun.objects.get(pk=run_id)
            assert (many.state, many.kind, many.programme.code) == ("draft", "initial", code)
            assert many.tie_break_seed_source == ("programme" if code == "P-3273" else "random")
            own = targeting_run(programme=many.programme, tie_break_seed=many.tie_break_seed)
            fields = ("people", "eligible", "selected", "waiting", "ineligible", "cost", "remaining")
            assert [getattr(many, f) for f in fields] == [getattr(own, f) for f in fields], code
            assert many.people == 6_000 and many.selected > 0 and many.waiting > 0, code
            assert many.decisions_sha256 == own.decisions_sha256, code
            assert many.summary == own.summary and sorted(many.exports) == sorted(own.exports), code
            engine.register_parquet("a", many.decisions_file)
            engine.register_parquet("b", own.decisions_file)
            assert engine.columns("a") == engine.columns("b"), code
            assert ("excluded_reason" in engine.columns("a")) == (code != "P-3277")
            assert engine.fetch("SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)") == [(0,)]
            for name, relative in many.exports.items():
                assert (data_dir / relative).is_file(), name
    audit = AuditEvent.objects.get(action="targeting.run", object_id=str(result["runs"]["P-3275"]))
    assert audit.after["run_many"] == Path(result["output"]).name

    # the run page shows it; submitted and approved as any run: its selected people become members
    run = TargetingRun.objects.get(pk=result["runs"]["P-3273"])
    admin = make_user("admin-many", role="admin_dinas")
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("web:run-detail", args=[run.pk]))
    assert page.status_code == 200 and f"{run.selected:,}".replace(",", ".") in page.content.decode()
    run_submit(run=run, acting_user=make_user("maker-many"))
    approved = run_approve(run=run, acting_user=make_user("checker-many")).run
    assert approved.state == "approved"
    assert Member.objects.filter(programme=run.programme).count() == run.selected
    # a programme with an approved list is refused before anything runs
    refused = runner.invoke(cli, ["targeting", "run-many", "--programmes", "P-3273,P-3275"])
    assert refused.exit_code == 2 and "P-3273" in refused.output
    assert TargetingRun.objects.filter(programme__code="P-3275").count() == 2
    assert Programme.objects.get(code="P-3277").funding == "APBN"
