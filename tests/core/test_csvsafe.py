"""The formula-injection rule for CSV cells, in Python and as DuckDB SQL (sigap.core.csvsafe)."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csv_hostile import HOSTILE, defused
from sigap.core import csvsafe
from sigap.core.csvsafe import FORMULA_STARTS, cell, cell_sql

#: Texts that start with a formula character (and anything after it).
formula_texts = st.builds(lambda first, rest: first + rest, st.sampled_from(FORMULA_STARTS), st.text())
any_text = st.one_of(st.text(), formula_texts)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_get_a_leading_quote(value: str) -> None:
    assert cell(value) == defused(value)


@pytest.mark.parametrize(
    "value", ["", "SITI AMINAH", "3275014505800001", "201600", "'=1+1", " =1+1", "JL. MAWAR"]
)
def test_ordinary_values_are_unchanged(value: str) -> None:
    assert cell(value) == value


@given(any_text)
def test_no_cell_starts_with_a_formula_character(value: str) -> None:
    out = cell(value)
    assert out[:1] not in FORMULA_STARTS
    assert out.endswith(value) and len(out) - len(value) in (0, 1)
    assert cell(out) == out  # idempotent


@given(st.text().filter(lambda v: v[:1] not in FORMULA_STARTS))
def test_a_value_not_starting_with_a_formula_character_is_unchanged(value: str) -> None:
    assert cell(value) == value


@given(formula_texts)
def test_a_value_starting_with_a_formula_character_is_quoted(value: str) -> None:
    assert cell(value) == "'" + value


@settings(max_examples=60, deadline=None)
@given(st.lists(any_text.filter(lambda v: "\x00" not in v), max_size=30))
def test_the_sql_expression_agrees_with_the_python_rule(values: list[str]) -> None:
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT {cell_sql('v')} FROM (SELECT unnest(?::VARCHAR[]) AS v, generate_subscripts(?::VARCHAR[], 1) AS i) ORDER BY i",  # noqa: S608 -- fixed
            [values, values],
        ).fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == [cell(v) for v in values]


def test_sql_expression_keeps_null_and_defuses_every_hostile_value() -> None:
    con = duckdb.connect()
    try:
        got = con.execute(
            f"SELECT {cell_sql('v')} FROM (SELECT unnest(?::VARCHAR[]) AS v)", [[None, *HOSTILE]]
        )
        assert [r[0] for r in got.fetchall()] == [None, *(defused(v) for v in HOSTILE)]
    finally:
        con.close()


def test_writer_defuses_text_and_leaves_numbers_alone() -> None:
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\n")
    writer.writerow(["NIK", "Nama", "Iuran"])
    writer.writerows([["3275014505800001", value, -201_600] for value in HOSTILE])
    writer.writerow(["3275014505800002", None, 0])
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert rows[0] == ["NIK", "Nama", "Iuran"]
    assert [r[1] for r in rows[1:-1]] == [defused(v) for v in HOSTILE]
    assert {r[0] for r in rows[1:]} == {"3275014505800001", "3275014505800002"}
    assert {r[2] for r in rows[1:-1]} == {"-201600"} and rows[-1][1:] == ["", "0"]


@pytest.mark.parametrize("terminator", ["\n", "\r\n"])
def test_a_line_break_inside_a_cell_never_starts_a_new_row(terminator: str) -> None:
    """Python 3.11 leaves a bare CR unquoted under a "\\n" terminator; the row would split there."""
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator=terminator)
    writer.writerows([["1", "SITI\r=1+1", 2], ["3", "BUDI\n@SUM(1)", 4], ["5", "ANI", 6]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert rows == [["1", "SITI\r=1+1", "2"], ["3", "BUDI\n@SUM(1)", "4"], ["5", "ANI", "6"]]
    assert buffer.getvalue().endswith("5,ANI,6" + terminator)  # ordinary rows keep minimal quoting
