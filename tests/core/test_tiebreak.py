"""core.tiebreak: the rule's Python reading and its SQL (DuckDB, Spark) agree; seeds are checked."""

from __future__ import annotations

import hashlib

import pytest
import sqlglot

from sigap.core import tiebreak
from sigap.core.tiebreak import LEGACY, TieBreak
from sigap.engine import DuckDBEngine

NIKS = [f"{prefix}{day:02d}0580{serial:04d}" for prefix in ("327501", "110101", "947101")
        for day in (5, 45) for serial in range(1, 101)]  # fmt: skip
SEEDS = ["0" * 32, "2026", "SK/188/Dinsos-2026", "a.b_c:d", "Z" * 64]


@pytest.mark.parametrize("seed", SEEDS)
def test_python_and_sql_give_the_same_key(seed: str) -> None:
    rule = TieBreak.seeded(seed)
    values = ", ".join(f"('{nik}')" for nik in NIKS)
    with DuckDBEngine() as engine:
        rows = engine.fetch(f"SELECT nik, {rule.key_sql()} FROM (VALUES {values}) AS t(nik)")  # noqa: S608
        ordered = [
            nik
            for (nik,) in engine.fetch(
                f"SELECT nik FROM (VALUES {values}) AS t(nik) ORDER BY {rule.key_sql()}, nik"  # noqa: S608
            )
        ]
    assert dict(rows) == {nik: rule.key(nik) for nik in NIKS}
    assert all(rule.key(nik) == hashlib.sha256(f"{seed}{nik}".encode()).hexdigest() for nik in NIKS)
    assert ordered == sorted(NIKS, key=rule.key)


def test_the_old_rule_is_the_nik() -> None:
    assert LEGACY == TieBreak("nik") and LEGACY.key_sql("c.nik") == "c.nik"
    assert [LEGACY.key(n) for n in NIKS] == NIKS
    assert LEGACY.describe() == "NIK terkecil dulu (aturan lama, tanpa benih)"


def test_the_sql_is_portable_to_spark() -> None:
    spark = sqlglot.transpile(
        f"SELECT {TieBreak.seeded('SK-1').key_sql('c.nik')} FROM t AS c",
        read="duckdb",
        write="spark",
        unsupported_level=sqlglot.ErrorLevel.RAISE,
    )
    assert spark == ["SELECT SHA2('SK-1' || c.nik, 256) FROM t AS c"]


def test_the_description_names_the_seed() -> None:
    assert TieBreak.seeded("SK-1").describe() == "hash SHA-256 dari benih + NIK, terkecil dulu; benih: SK-1"


@pytest.mark.parametrize(
    ("rule", "seed", "message"),
    [
        ("nik-desc", "", "unknown tie-break rule"),
        ("nik", "x", "takes no seed"),
        ("sha256-seed-nik", "", "must not be empty"),
        ("sha256-seed-nik", "a'b", "may hold only"),
        ("sha256-seed-nik", "-1", "must start with a letter or digit"),
        ("sha256-seed-nik", "x" * 65, "at most 64"),
        ("sha256-seed-nik", "SK-1\n", "may hold only"),  # a trailing newline passed "^...$"
    ],
)
def test_a_bad_rule_or_seed_is_refused(rule: str, seed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TieBreak(rule, seed)


def test_the_current_rule_is_the_seeded_hash() -> None:
    assert tiebreak.CURRENT == tiebreak.SHA256_SEED_NIK == TieBreak.seeded("x").rule
    assert tiebreak.seed_problem("SK-2026-017") is None
