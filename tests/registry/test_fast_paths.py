"""The row-local pass takes shortcuts for tidy values; each must agree with the general rule."""

from __future__ import annotations

import datetime as dt

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigap.core.nik_sql import (
    PY_WHITESPACE,
    nik_fields_sql,
    nik_fields_staged_sql,
    nik_issue_sql,
    nik_issue_staged_sql,
    nik_stages_sql,
    one_of_sql,
)
from sigap.registry.ingest import checks as C

CON = duckdb.connect()
REF = dt.date(2026, 1, 1)
SPACES = "".join(chr(c) for c in PY_WHITESPACE) + "\u00a0\u3000\u2003"


def evaluate(exprs: list[str], values: list[str | None]) -> list[tuple]:
    """Each expression over column ``v`` for each value, in order."""
    cols = ", ".join(exprs)
    return CON.execute(
        f"SELECT {cols} FROM (SELECT unnest(?::VARCHAR[]) AS v, generate_subscripts(?, 1) AS i) ORDER BY i",
        [values, values],
    ).fetchall()


def both_agree(fast: str, slow: str, values: list[str | None]) -> None:
    for value, (got, expected) in zip(values, evaluate([fast, slow], values), strict=True):
        assert got == expected, value


def noisy(alphabet: str, *, max_size: int = 12) -> st.SearchStrategy[str | None]:
    edges = st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u3000"])
    core = st.text(alphabet=alphabet, max_size=max_size)
    return st.one_of(st.none(), st.builds(lambda a, b, c: a + b + c, edges, core, edges), core)


FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(st.one_of(noisy("0123456789-/. T:"), st.dates().map(str)), min_size=1, max_size=40))
def test_date_fast_path(values: list[str | None]) -> None:
    values += ["1990-07-05", "1990-02-30", "0000-01-01", "2024-02-29", "1990-7-5", "05-07-1990", "33000"]
    both_agree(C.date_sql("v"), C.date_sql_full("v"), values)
    fast = C.date_issue_sql("v", C.date_sql("v"), REF, required=True)
    slow = (
        f"(CASE WHEN {C.blank_sql('v')} THEN 'birth_date_missing' WHEN {C.date_sql_full('v')} IS NULL"
        f" THEN 'birth_date_invalid' WHEN {C.date_sql_full('v')} > DATE '{REF}' THEN 'birth_date_future'"
        f" WHEN {C.date_sql_full('v')} < DATE '1900-01-01' THEN 'birth_date_invalid' END)"
    )
    both_agree(fast, slow, values)


@FAST
@given(st.lists(noisy("abcXYZ .,-/" + SPACES), min_size=1, max_size=40))
def test_trim_fast_path(values: list[str | None]) -> None:
    values += ["", " ", "\u00a0x", "x\u3000", "é", " é ", "\tx"]
    both_agree(C.trimmed_sql("v"), "nullif(trim(v), '')", values)
    both_agree(C.trimmed_sql("v", upper=True), "nullif(upper(trim(v)), '')", values)


@FAST
@given(st.lists(noisy("0123456789.+-e٣", max_size=5), min_size=1, max_size=40))
def test_desil_fast_path(values: list[str | None]) -> None:
    values += [str(i) for i in range(12)] + ["01", "010", "1.0", "+1", " 1", "٣"]
    slow = "TRY_CAST(regexp_extract(trim(v), '^0*([1-9]|10)(\\.0+)?$', 1) AS TINYINT)"
    both_agree(C.desil_sql("v"), slow, values)


@FAST
@given(
    st.lists(
        st.one_of(noisy("LPlpAKIERWN -12"), st.sampled_from(C.MALE + C.FEMALE + C.DECEASED)), max_size=40
    )
)
def test_sex_and_status_fast_paths(values: list[str | None]) -> None:
    values += ["L", "P", "l", "HIDUP", "hidup", "MENINGGAL", "Meninggal Dunia", None]
    key = C.letters_sql("v")
    sex = f"CASE WHEN {key} IN ({', '.join(repr(m) for m in C.MALE)}) THEN 'L'"
    sex += f" WHEN {key} IN ({', '.join(repr(f) for f in C.FEMALE)}) THEN 'P' END"
    both_agree(C.sex_sql("v"), sex, values)
    deceased = f"coalesce({key} IN ({', '.join(repr(d) for d in C.DECEASED)}), false)"
    both_agree(C.deceased_sql("v"), deceased, values)
    for mapping in (C.SEGMENTS, C.STATUSES):
        both_agree(C._mapped_sql("v", mapping), C._case_map(key, mapping), values)
    both_agree(one_of_sql("v", ["L", "P"]), "coalesce(v IN ('L', 'P'), false)", values)


@FAST
@given(st.lists(noisy("0123456789 .-eE+x", max_size=20), min_size=1, max_size=40))
def test_staged_nik_matches_single_expression(values: list[str | None]) -> None:
    values += ["3275014507900001", "3275014507900000", "9975010507900003", "3.27501E+15", " 3275014507900001"]
    stages = nik_stages_sql("v", REF, prefix="n_")
    sql = "SELECT *, i FROM (SELECT unnest(?::VARCHAR[]) AS v, generate_subscripts(?, 1) AS i)"
    for stage in stages:
        sql = f"SELECT *, {', '.join(f'{e} AS {k}' for k, e in stage.items())} FROM ({sql})"
    staged, single = nik_fields_staged_sql(prefix="n_"), nik_fields_sql("v", REF)
    got = CON.execute(
        f"SELECT [{nik_issue_staged_sql('v', prefix='n_')}, {staged['nik']}, CAST({staged['birth_date']} AS VARCHAR),"
        f" {staged['sex']}], [{nik_issue_sql('v', REF)}, {single['nik']}, CAST({single['birth_date']} AS VARCHAR),"
        f" {single['sex']}] FROM ({sql}) ORDER BY i",
        [values, values],
    ).fetchall()
    for value, (fast, slow) in zip(values, got, strict=True):
        assert fast == slow, value
