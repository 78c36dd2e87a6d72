"""Many programmes in one pass (core.multiprogramme, engine.many) on DuckDB: each programme's people
get exactly the decisions, ranks, costs and reasons bits of the programme's own run."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from sigap.core import selection
from sigap.core.multiprogramme import ProgrammeRun, by_programme, check_programmes, multi_decisions_sql
from sigap.core.programme import ProgrammeSpec
from sigap.core.tiebreak import LEGACY, TieBreak
from sigap.engine import DuckDBEngine
from sigap.engine.many import partition_snapshot, run_many, snapshot_part
from sigap.reference import regions
from sigap.synth.snapshot_sql import people_sql, roster_sql

from .helpers import programme_document

KAB_KOTA = ("3273", "3275", "3201", "3216")


def spec(**overrides: object) -> ProgrammeSpec:
    return ProgrammeSpec.from_dict(programme_document(**overrides))


def various_programmes() -> list[ProgrammeRun]:
    """Four programmes whose rules differ in every way a programme file can differ."""
    specs = [
        spec(code="BDG", region="3273", budget=500_000_000),
        spec(
            code="BKS",
            region="3275",
            budget=900_000_000,
            coverage_start="2026-04",
            desil_max=4,
            order=["kk_size_desc", "age_asc"],
        ),
        spec(
            code="BGR",
            region="3201",
            budget=300_000_000,
            exclude_deceased=False,
            occupations_excluded=["SOPIR"],
            order=[],
        ),
        spec(code="BKSKAB", region="3216", budget=10**12, exclude_insured=False, age_min=20),
    ]
    return [ProgrammeRun(s, TieBreak.seeded(f"seed-{s.code}")) for s in specs]


def kelurahan(*codes: str) -> list[str]:
    return [k.code for code in codes for k in regions().descendants(code, "desa_kelurahan")]


@pytest.fixture(scope="module")
def engine() -> DuckDBEngine:
    e = DuckDBEngine()
    outside = kelurahan("3171")[:20]  # Jakarta: in no programme
    e.execute(f"CREATE TABLE people AS {people_sql(60_000, kelurahan=[*kelurahan(*KAB_KOTA), *outside])}")
    e.execute(f"CREATE TABLE insured AS {roster_sql('people')}")
    e.execute(
        "CREATE TABLE excluded_many AS SELECT 'BDG' AS programme, nik, 'covered by programme X' AS reason "
        "FROM people WHERE hash(nik) % 40 = 0"
    )
    e.execute("CREATE TABLE excluded_one AS SELECT nik, reason FROM excluded_many")
    return e


def test_each_programme_decides_as_its_own_run(engine: DuckDBEngine) -> None:
    runs = various_programmes()
    engine.execute(
        "CREATE OR REPLACE TABLE many AS "
        + multi_decisions_sql(runs, insured="insured", excluded="excluded_many")
    )
    outside = engine.fetch(
        "SELECT count(*) FROM people WHERE substr(kode_kelurahan, 1, 4) NOT IN ('3273', '3275', '3201', '3216')"
    )[0][0]
    assert outside > 0
    assert engine.fetch("SELECT count(*) FROM many")[0][0] + outside == 60_000
    assert engine.fetch("SELECT count(*) - count(DISTINCT nik) FROM many")[0][0] == 0
    for run in runs:
        one = selection.decisions_sql(
            run.spec,
            tie_break=run.tie_break,
            insured="insured",
            excluded="excluded_one" if run.code == "BDG" else None,
        )
        engine.execute(f"CREATE OR REPLACE TABLE one AS {one}")
        counts = dict(
            engine.fetch(
                f"SELECT decision, count(*) FROM one WHERE kode_kelurahan LIKE '{run.spec.region}%' GROUP BY 1"
            )
        )
        assert counts.get("selected") and counts.get("ineligible"), run.code
        differ = engine.fetch(
            f"""SELECT count(*) FROM (SELECT * FROM one WHERE kode_kelurahan LIKE '{run.spec.region}%') AS o
            FULL JOIN (SELECT * FROM many WHERE programme = '{run.code}') AS m USING (nik)
            WHERE o.decision IS DISTINCT FROM m.decision OR o.rank IS DISTINCT FROM m.rank
              OR o.cost IS DISTINCT FROM m.cost OR o.fails IS DISTINCT FROM m.fails
              OR o.insured IS DISTINCT FROM m.insured OR o.kode_kelurahan IS DISTINCT FROM m.kode_kelurahan
              {"OR o.excluded_reason IS DISTINCT FROM m.excluded_reason" if run.code == "BDG" else ""}"""
        )[0][0]
        assert differ == 0, run.code
    # the budget cut is each programme's own: a strict prefix of its ranking within its budget
    for code, selected, last, cost, budget, cost_pp in engine.fetch(
        "SELECT programme, count(*), max(rank), sum(cost), any_value(b.budget), any_value(cost) "
        "FROM many JOIN (VALUES ('BDG', 500000000), ('BKS', 900000000), ('BGR', 300000000), "
        "('BKSKAB', 1000000000000)) AS b(code, budget) ON b.code = programme "
        "WHERE decision = 'selected' GROUP BY programme"
    ):
        assert selected == last and cost == selected * cost_pp and cost <= budget, code


def test_the_reasons_render_from_each_programmes_bits(engine: DuckDBEngine) -> None:
    """Bit positions follow each programme's own rule list (BGR keeps the deceased, BKSKAB the insured)."""
    runs = {r.code: r for r in various_programmes()}
    engine.execute(
        "CREATE OR REPLACE TABLE many AS " + multi_decisions_sql(list(runs.values()), insured="insured")
    )
    for code in ("BGR", "BKSKAB"):
        engine.execute(
            f"CREATE OR REPLACE VIEW part AS SELECT * EXCLUDE (programme) FROM many WHERE programme = '{code}'"
        )
        view = selection.decisions_view_sql(
            runs[code].spec, decisions="part", people="people", selected=0, columns=engine.columns("part")
        )
        reasons = [r[0] for r in engine.fetch(f"SELECT reasons FROM ({view}) WHERE decision = 'ineligible'")]
        assert reasons and all(r for r in reasons)
        assert not any("deceased" in r for r in reasons) or code != "BGR"
        assert not any("already insured" in r for r in reasons) or code != "BKSKAB"


def test_regions_must_not_overlap_and_ties_must_be_seeded() -> None:
    seeded = TieBreak.seeded("s")
    with pytest.raises(ValueError, match="cover the same people"):
        check_programmes(
            [ProgrammeRun(spec(code="JABAR", region="32"), seeded), ProgrammeRun(spec(code="BKS"), seeded)]
        )
    with pytest.raises(ValueError, match="given twice"):
        check_programmes([ProgrammeRun(spec(), seeded), ProgrammeRun(spec(region="3273"), seeded)])
    with pytest.raises(ValueError, match="seeded tie-break"):
        check_programmes([ProgrammeRun(spec(), LEGACY)])
    with pytest.raises(ValueError, match="no programme"):
        check_programmes([])


def test_rules_common_to_all_programmes_are_written_once() -> None:
    assert by_programme({"A": "desil", "B": "desil"}) == "desil"
    assert (
        by_programme({"A": "x", "B": "y", "C": "y"}) == "CASE WHEN programme IN ('A') THEN (x) ELSE (y) END"
    )
    sql = multi_decisions_sql(
        [ProgrammeRun(spec(code=f"P{k}", region=k), TieBreak.seeded("s")) for k in KAB_KOTA]
    )
    assert sql.count("desil > 5") == 1 and "CASE WHEN programme IN" not in sql


def test_the_sql_transpiles_to_spark_without_a_global_window() -> None:
    sql = multi_decisions_sql(various_programmes(), insured="insured", excluded="excluded")
    spark = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)[
        0
    ]
    assert "SHA2(c.tie_seed || c.nik, 256)" in spark
    windows = spark.upper().split(" OVER (")[1:]
    assert windows and all(w.lstrip().startswith("PARTITION BY") for w in windows)


def test_run_many_writes_one_data_set_partitioned_by_programme(tmp_path: Path, engine: DuckDBEngine) -> None:
    engine.copy_to_parquet("SELECT * FROM people", tmp_path / "people.parquet")
    engine.copy_to_parquet("SELECT * FROM insured", tmp_path / "roster.parquet")
    written = partition_snapshot(engine, tmp_path / "people.parquet", tmp_path / "snapshot")
    assert written == 60_000
    assert (tmp_path / "snapshot" / "provinsi=32" / "kabupaten_kota=3275").is_dir()
    assert (tmp_path / "snapshot" / "provinsi=31").is_dir()
    engine.register_parquet("city", snapshot_part(tmp_path / "snapshot", "3275"))
    city = engine.fetch("SELECT count(*), min(substr(kode_kelurahan, 1, 4)), max(kabupaten_kota) FROM city")[
        0
    ]
    assert city[0] > 0 and city[1:] == ("3275", "3275")
    with pytest.raises(ValueError):
        snapshot_part(tmp_path, "327")

    runs = various_programmes()
    from_file = run_many(
        engine,
        runs,
        people=tmp_path / "people.parquet",
        roster=tmp_path / "roster.parquet",
        output=tmp_path / "a",
    )
    from_parts = run_many(
        engine, runs, people=tmp_path / "snapshot", roster=tmp_path / "roster.parquet", output=tmp_path / "b"
    )
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(f"programme={r.code}" for r in runs)
    assert from_file.programmes == from_parts.programmes
    assert from_file.outside == 60_000 - from_file.rows and from_file.outside > 0
    assert from_parts.snapshot_people == 60_000 - from_file.outside  # only province 32 was read
    for f in from_file.programmes:
        assert f.people == f.eligible + f.ineligible and f.cost == f.selected * f.cost_per_person
        assert f.remaining == f.budget - f.cost >= 0 and len(f.decisions_sha256) == 64
    assert len({f.decisions_sha256 for f in from_file.programmes}) == len(runs)


def test_digest_is_order_free_and_covers_every_column(engine: DuckDBEngine) -> None:
    engine.execute(
        "CREATE OR REPLACE TABLE d AS SELECT * FROM (VALUES ('1', 'a', 1), ('2', NULL, 2)) AS t(nik, decision, rank)"
    )
    engine.execute("CREATE OR REPLACE TABLE d2 AS SELECT * FROM d ORDER BY nik DESC")
    engine.execute(
        "CREATE OR REPLACE TABLE d3 AS SELECT nik, COALESCE(decision, '') AS decision, rank FROM d"
    )
    cols = ["nik", "decision", "rank"]
    one, two, three = (engine.fetch(selection.digest_sql(t, columns=cols))[0] for t in ("d", "d2", "d3"))
    assert one == two and one != three and one[0] == 2
    assert "conv(" in selection.digest_sql("d", dialect="spark") and "'0x'" in selection.digest_sql("d")
    with pytest.raises(ValueError, match="dialect"):
        selection.digest_sql("d", dialect="oracle")


def test_with_everyone_each_programmes_rows_are_its_own_runs_decisions_file() -> None:
    """``everyone``: each programme's rows list the whole snapshot (people outside its region, with no
    domicile at all, or in no programme: ineligible with every rule they fail), so they digest exactly
    as the programme's own run's decisions file (what `run-many` registers as the run)."""
    runs = various_programmes()
    with DuckDBEngine() as e:
        outside = kelurahan("3171")[:20]
        e.execute(f"CREATE TABLE people AS {people_sql(12_000, kelurahan=[*kelurahan(*KAB_KOTA), *outside])}")
        e.execute(
            "CREATE TABLE insured AS SELECT nik, '1' || substr(nik, 6) AS kpj, 'BPU' AS segmen, "
            "CASE WHEN hash(nik) % 3 = 0 THEN 'NONAKTIF' ELSE 'AKTIF' END AS status FROM people "
            "WHERE hash(nik, 1) % 100 < 12"
        )
        e.execute("UPDATE people SET kode_kelurahan = NULL WHERE hash(nik) % 97 = 0")
        e.execute(
            "CREATE TABLE excluded_many AS SELECT 'BDG' AS programme, nik, 'covered by programme X' AS reason "
            "FROM people WHERE hash(nik) % 40 = 0"
        )
        e.execute("CREATE TABLE excluded_one AS SELECT nik, reason FROM excluded_many")
        e.execute(
            "CREATE TABLE many AS "
            + multi_decisions_sql(runs, insured="insured", excluded="excluded_many", everyone=True)
        )
        assert e.fetch("SELECT count(DISTINCT programme), count(*) FROM many") == [(4, 4 * 12_000)]
        for run in runs:
            with_excluded = run.code == "BDG"
            one = selection.decisions_sql(
                run.spec,
                tie_break=run.tie_break,
                insured="insured",
                excluded="excluded_one" if with_excluded else None,
            )
            e.execute(f"CREATE OR REPLACE TABLE one AS {one}")
            columns = e.columns("one")
            e.execute(
                f"CREATE OR REPLACE TABLE part AS SELECT {', '.join(columns)} FROM many WHERE programme = '{run.code}'"
            )
            assert e.fetch(selection.digest_sql("part", columns=columns)) == e.fetch(
                selection.digest_sql("one", columns=columns)
            ), run.code
            assert e.fetch("SELECT count(*) FROM (SELECT * FROM one EXCEPT ALL SELECT * FROM part)") == [(0,)]
            outside_rows = e.fetch(
                "SELECT count(*), min(fails % 2) FROM part WHERE rank IS NULL AND fails % 2 = 1"
            )
            assert outside_rows[0][0] > 0 and outside_rows[0][1] == 1, run.code
