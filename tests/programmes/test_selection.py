"""The pure SQL builder: portable to Spark, and its SQL readings match the Python rules."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot

from sigap.core import occupations as occ
from sigap.core import selection
from sigap.core.programme import ProgrammeSpec
from sigap.core.tiebreak import LEGACY, TieBreak
from sigap.engine import DuckDBEngine

from .helpers import programme_document

SEEDED = TieBreak.seeded("test-seed")


def spec(**overrides: object) -> ProgrammeSpec:
    return ProgrammeSpec.from_dict(programme_document(**overrides))


@pytest.mark.parametrize("insured", [None, "insured"])
@pytest.mark.parametrize("order", [["desil", "occupation_risk", "age_desc"], ["kk_size_desc", "age_asc"], []])
@pytest.mark.parametrize("tie_break", [SEEDED, LEGACY], ids=["sha256", "nik"])
def test_generated_sql_transpiles_to_spark(
    insured: str | None, order: list[str], tie_break: TieBreak
) -> None:
    s = spec(order=order, occupations_excluded=["SOPIR"])
    sql = selection.decisions_sql(s, tie_break=tie_break, people="people", insured=insured)
    spark = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    assert len(spark) == 1 and "ROW_NUMBER()" in spark[0].upper()
    assert ("SHA2('test-seed' || c.nik, 256) AS tie_key" in spark[0]) == (tie_break is SEEDED)
    for dimension in selection.SUMMARY_DIMENSIONS:
        sqlglot.transpile(
            selection.summary_sql(s, dimension),
            read="duckdb",
            write="spark",
            unsupported_level=sqlglot.ErrorLevel.RAISE,
        )


def test_relation_names_are_checked() -> None:
    with pytest.raises(ValueError, match="plain relation name"):
        selection.decisions_sql(spec(), tie_break=SEEDED, people="people; DROP TABLE x")


def test_occupation_table_is_generated_from_the_core_list() -> None:
    with DuckDBEngine() as engine:
        rows = engine.fetch(
            f"WITH {selection.occupation_table_sql()} SELECT name, category, risk FROM occupation_table"
        )
    assert sorted(rows) == sorted((o.name, o.category, o.risk) for o in occ.OCCUPATIONS)


def test_thousands_formatting_matches_python() -> None:
    numbers = [
        0,
        7,
        999,
        1000,
        1001,
        1203,
        59523,
        999999,
        1000000,
        12345678,
        999999999,
        1000000000,
        987654321012,
    ]
    values = ", ".join(f"({n})" for n in numbers)
    with DuckDBEngine() as engine:
        got = engine.fetch(
            f"SELECT n, {selection.thousands_sql('n')} FROM (VALUES {values}) AS t(n) ORDER BY n"
        )
    assert got == [(n, f"{n:,}") for n in sorted(numbers)]


def python_age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((born.month, born.day) > (on.month, on.day))


def test_age_in_sql_matches_python_whole_years() -> None:
    births = [dt.date(1966, 1, 1) + dt.timedelta(days=d) for d in range(0, 22000, 37)]
    births += [dt.date(2008, 1, 1), dt.date(2007, 12, 31), dt.date(1966, 11, 1), dt.date(2000, 2, 29)]
    days = [dt.date(2026, 1, 1), dt.date(2026, 11, 1), dt.date(2028, 2, 29)]
    values = ", ".join(f"(DATE '{b.isoformat()}')" for b in births)
    with DuckDBEngine() as engine:
        for on in days:
            got = engine.fetch(f"SELECT b, {selection.age_sql('b', on)} FROM (VALUES {values}) AS t(b)")
            assert {b: a for b, a in got} == {b: python_age(b, on) for b in births}, on


def test_both_plans_decide_the_same(tmp_path: object) -> None:
    """The streaming plan for very large snapshots gives exactly the in-memory plan's decisions."""
    from .helpers import bulk_people_sql

    s = spec(budget=300_000_000)
    with DuckDBEngine() as engine:
        engine.execute(f"CREATE TABLE people AS {bulk_people_sql(5_000)}")
        digests = set()
        for materialize in (True, False):
            sql = selection.decisions_sql(s, tie_break=SEEDED, people="people", materialize=materialize)
            engine.execute(f"CREATE OR REPLACE TABLE d AS {sql}")
            digests.add(tuple(engine.fetch(selection.digest_sql("d"))[0]))
            counts = dict(engine.fetch("SELECT decision, count(*) FROM d GROUP BY 1"))
            assert counts["selected"] == 300_000_000 // s.cost_per_person() and sum(counts.values()) == 5_000
        assert len(digests) == 1
    assert selection.materialize_for(3_000_000) and not selection.materialize_for(50_000_000)
