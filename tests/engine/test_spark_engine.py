"""The Spark engine gives DuckDB's decisions, ranks, costs and digests (ADR 0017).

Skipped with the reason when Java or pyspark is missing (conftest), a failure in CI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from programmes.helpers import bulk_people_sql, programme_document, write_snapshot
from sigap.core import selection
from sigap.core.multiprogramme import ProgrammeRun, multi_decisions_sql
from sigap.core.programme import ProgrammeSpec
from sigap.core.tiebreak import TieBreak
from sigap.engine import DuckDBEngine
from sigap.engine.many import partition_snapshot, run_many, snapshot_part
from sigap.engine.spark_engine import to_spark_sql
from sigap.reference import regions
from sigap.synth.snapshot_sql import people_sql, roster_sql

#: Six kabupaten/kota of Jawa Barat, large and small, cities and regencies.
KAB_KOTA = ("3201", "3204", "3273", "3275", "3276", "3279")


def spec(**overrides: object) -> ProgrammeSpec:
    return ProgrammeSpec.from_dict(programme_document(**overrides))


def kelurahan(*codes: str) -> list[str]:
    return [k.code for code in codes for k in regions().descendants(code, "desa_kelurahan")]


def programmes() -> list[ProgrammeRun]:
    """One programme per kabupaten/kota, each with its own budget, start month and rules."""
    specs = []
    for i, code in enumerate(KAB_KOTA):
        overrides: dict[str, Any] = {
            "code": f"JABAR-{code}",
            "region": code,
            "budget": 150_000_000 + 90_000_000 * i,
            "coverage_start": f"2026-{1 + 2 * i:02d}",
        }
        if i == 1:
            overrides.update(desil_max=4, order=["kk_size_desc", "age_asc"])
        if i == 2:
            overrides.update(exclude_deceased=False, occupations_excluded=["SOPIR"], order=[])
        if i == 3:
            overrides.update(exclude_insured=False, age_min=21, age_max=55)
        specs.append(spec(**overrides))
    return [ProgrammeRun(s, TieBreak.seeded(f"jabar-{s.region}")) for s in specs]


def test_the_engine_runs_duckdb_sql(spark: Any, tmp_path: Path) -> None:
    spark.register_arrow("t", pa.table({"nik": ["1", "2", "3"], "n": [1, 2, None]}))
    assert spark.fetch("SELECT nik, n FROM t ORDER BY nik") == [("1", 1), ("2", 2), ("3", None)]
    assert sorted(spark.iter_rows("SELECT n FROM t WHERE n IS NOT NULL")) == [(1,), (2,)]
    assert spark.columns("t") == ["nik", "n"] and spark.dialect == "spark"
    assert spark.version().startswith("spark 4.")
    # DuckDB's integer division, sha256 and views, on Spark
    assert spark.fetch("SELECT 7 // 2, sha256('a' || 'b')") == [
        (3, "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603")
    ]
    spark.execute("CREATE OR REPLACE VIEW v AS SELECT nik FROM t WHERE n > 1")
    assert spark.fetch("SELECT * FROM v") == [("2",)]
    # a local *.parquet target is ONE file, as DuckDB writes it, readable by DuckDB
    rows = spark.copy_to_parquet("SELECT * FROM t", tmp_path / "t.parquet")
    assert rows == 3 and (tmp_path / "t.parquet").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name != "t.parquet"]
    with DuckDBEngine() as duck:
        duck.register_parquet("t", tmp_path / "t.parquet")
        assert duck.fetch("SELECT count(*), sum(n) FROM t") == [(3, 3)]
    assert spark.copy_to_parquet("SELECT * FROM t WHERE n > 5", tmp_path / "none.parquet") == 0
    assert (
        "NOT MATERIALIZED"
        not in to_spark_sql("WITH a AS NOT MATERIALIZED (SELECT 1 AS x) SELECT x FROM a")[0]
    )


@pytest.mark.slow
def test_100k_people_in_six_programmes_same_decisions_on_both_engines(spark: Any, tmp_path: Path) -> None:
    """100,000 people over six kabupaten/kota and Jakarta: the same digests, figures and ranks."""
    runs = programmes()
    with DuckDBEngine() as duck:
        people = kelurahan(*KAB_KOTA) + kelurahan("3171")[:30]
        duck.copy_to_parquet(people_sql(100_000, kelurahan=people, seed=3), tmp_path / "people.parquet")
        duck.register_parquet("people", tmp_path / "people.parquet")
        duck.copy_to_parquet(roster_sql("people"), tmp_path / "roster.parquet")
        duck.copy_to_parquet(
            f"SELECT '{runs[0].code}' AS programme, nik, 'covered by programme X (2026-01..2026-12)' AS reason "
            "FROM people WHERE hash(nik) % 25 = 0",
            tmp_path / "excluded.parquet",
        )
        partition_snapshot(duck, tmp_path / "people.parquet", tmp_path / "snapshot")
        on_duckdb = run_many(
            duck,
            runs,
            people=tmp_path / "snapshot",
            roster=tmp_path / "roster.parquet",
            excluded=tmp_path / "excluded.parquet",
            output=tmp_path / "duckdb",
        )
    on_spark = run_many(
        spark,
        runs,
        people=tmp_path / "snapshot",
        roster=tmp_path / "roster.parquet",
        excluded=tmp_path / "excluded.parquet",
        output=tmp_path / "spark",
    )
    assert on_spark.programmes == on_duckdb.programmes
    assert (on_spark.rows, on_spark.outside) == (on_duckdb.rows, on_duckdb.outside)
    assert on_duckdb.outside == 0  # the Jakarta people are in another province: not even read
    for f in on_duckdb.programmes:
        assert f.selected > 0 and f.ineligible > 0, f
    assert any(f.waiting > 0 for f in on_duckdb.programmes)
    # row by row, whichever engine reads the two outputs
    with DuckDBEngine() as duck:
        duck.register_parquet("a", tmp_path / "duckdb")
        duck.register_parquet("b", tmp_path / "spark")
        differ = duck.fetch(
            "SELECT count(*) FROM a FULL JOIN b USING (programme, nik) WHERE a.decision IS DISTINCT FROM b.decision "
            "OR a.rank IS DISTINCT FROM b.rank OR a.cost IS DISTINCT FROM b.cost OR a.fails IS DISTINCT FROM b.fails "
            "OR a.insured IS DISTINCT FROM b.insured OR a.excluded_reason IS DISTINCT FROM b.excluded_reason"
        )[0][0]
        assert differ == 0
        digest_duck = duck.fetch(selection.digest_sql("b", columns=duck.columns("b")))
    spark.register_parquet("b", tmp_path / "spark")
    assert spark.fetch(selection.digest_sql("b", columns=spark.columns("b"), dialect="spark")) == digest_duck


@pytest.mark.slow
def test_one_programme_run_with_every_input_same_digest(spark: Any, tmp_path: Path) -> None:
    """The one-programme SQL (roster, exclusions, continuing members, kk-size priority) on both engines."""
    s = spec(budget=300_000_000, order=["kk_size_desc", "desil", "age_desc"], occupations_excluded=["SOPIR"])
    with DuckDBEngine() as duck:
        duck.copy_to_parquet(bulk_people_sql(8_000), tmp_path / "people.parquet")
        duck.register_parquet("people", tmp_path / "people.parquet")
        duck.copy_to_parquet(roster_sql("people", share_percent=20), tmp_path / "roster.parquet")
        duck.copy_to_parquet(
            "SELECT nik, 'covered' AS reason FROM people WHERE hash(nik) % 13 = 0", tmp_path / "x.parquet"
        )
        duck.register_parquet("insured", tmp_path / "roster.parquet")
        duck.copy_to_parquet(
            "SELECT nik, kpj FROM insured WHERE hash(nik) % 3 = 0 UNION ALL "
            "SELECT nik, NULL FROM people WHERE hash(nik) % 31 = 0",
            tmp_path / "continuing.parquet",
        )
        digests = []
        for engine, dialect in ((duck, "duckdb"), (spark, "spark")):
            for name in ("people", "insured", "excluded", "continuing"):
                file = {"people": "people", "insured": "roster", "excluded": "x", "continuing": "continuing"}[
                    name
                ]
                engine.register_parquet(name, tmp_path / f"{file}.parquet")
            sql = selection.decisions_sql(
                s,
                tie_break=TieBreak.seeded("one"),
                insured="insured",
                excluded="excluded",
                continuing="continuing",
                materialize=dialect == "spark",  # Spark drops the hint either way
            )
            engine.copy_to_parquet(sql, tmp_path / f"{dialect}.parquet")
            engine.register_parquet("d", tmp_path / f"{dialect}.parquet")
            digests.append(
                engine.fetch(selection.digest_sql("d", columns=engine.columns("d"), dialect=dialect))
            )
            assert dict(engine.fetch("SELECT decision, count(*) FROM d GROUP BY decision")).keys() == {
                "selected",
                "waiting",
                "ineligible",
            }
    assert digests[0] == digests[1]


def test_the_many_programme_plan_has_no_single_partition(spark: Any, tmp_path: Path) -> None:
    with DuckDBEngine() as duck:
        duck.copy_to_parquet(people_sql(3_000, kelurahan=kelurahan(*KAB_KOTA)), tmp_path / "people.parquet")
        partition_snapshot(duck, tmp_path / "people.parquet", tmp_path / "snapshot")
        duck.register_parquet("people", tmp_path / "people.parquet")
        duck.copy_to_parquet(roster_sql("people"), tmp_path / "roster.parquet")
    # Spark writes the same partitioned layout DuckDB does, and DuckDB reads a city's folder of it
    assert partition_snapshot(spark, tmp_path / "people.parquet", tmp_path / "by-spark") == 3_000
    with DuckDBEngine() as duck:
        for code in KAB_KOTA:
            duck.register_parquet("a", snapshot_part(tmp_path / "snapshot", code))
            duck.register_parquet("b", snapshot_part(tmp_path / "by-spark", code))
            assert duck.fetch("SELECT count(*), sum(source_row) FROM a") == duck.fetch(
                "SELECT count(*), sum(source_row) FROM b"
            )
    spark.register_parquet("people", tmp_path / "snapshot")
    spark.register_parquet("insured", tmp_path / "roster.parquet")
    frame = spark.dataframe(multi_decisions_sql(programmes(), insured="insured"))
    before = frame._jdf.queryExecution().executedPlan().toString()
    assert "Window" in before and "hashpartitioning(programme" in before
    assert "SinglePartition" not in before
    frame.write.mode("overwrite").parquet(str(tmp_path / "out"))  # and after adaptive execution re-planned it
    after = frame._jdf.queryExecution().executedPlan().toString()
    assert "SinglePartition" not in after
    # the one-programme SQL, by contrast, ranks in one window over everybody: not for the nation
    single = spark.dataframe(selection.decisions_sql(programmes()[0].spec, tie_break=TieBreak.seeded("x")))
    assert "SinglePartition" in single._jdf.queryExecution().executedPlan().toString()


@pytest.mark.django_db
@pytest.mark.slow
def test_targeting_run_on_spark_gives_the_same_run(
    spark: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Choosing Spark changes no number: the same TargetingRun figures, digest and summaries."""
    from sigap.programmes.actions import programme_apply, targeting_run

    write_snapshot(data_dir, bulk_people_sql(6_000))
    write_snapshot(
        data_dir,
        "SELECT nik, '1' || substr(nik, 6) AS kpj, nama, tanggal_lahir, 'BPU' AS segmen, 'AKTIF' AS status, "
        f"source_row, CAST(NULL AS VARCHAR) AS nik_written FROM ({bulk_people_sql(6_000)}) AS p WHERE hash(nik) % 9 = 0",
        kind="roster",
    )
    document = programme_document(budget=500_000_000, coverage_start="2026-03")
    programme, _, _ = programme_apply(document=document, source_name="test.toml")
    on_duckdb = targeting_run(programme=programme, export=True, tie_break_seed="same-seed")
    on_spark = targeting_run(programme=programme, export=True, tie_break_seed="same-seed", engine=spark)
    fields = (
        "people",
        "eligible",
        "selected",
        "waiting",
        "ineligible",
        "cost",
        "remaining",
        "decisions_sha256",
    )
    assert [getattr(on_spark, f) for f in fields] == [getattr(on_duckdb, f) for f in fields]
    assert on_spark.summary == on_duckdb.summary and on_spark.selected > 0 and on_spark.waiting > 0
    assert on_spark.decisions_file.is_file() and sorted(on_spark.exports) == sorted(on_duckdb.exports)
    # ... and SIGAP_ENGINE=spark picks Spark for targeting (joining the running session)
    monkeypatch.setenv("SIGAP_ENGINE", "spark")
    monkeypatch.setenv("SIGAP_SPARK_MASTER", "local[2]")
    from sigap.engine import targeting_engine

    chosen = targeting_engine()
    assert chosen.dialect == "spark"
    chosen.close()
    configured = targeting_run(programme=programme, export=False, tie_break_seed="same-seed")
    assert configured.decisions_sha256 == on_duckdb.decisions_sha256
