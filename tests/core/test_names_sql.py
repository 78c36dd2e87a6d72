"""``sigap.core.names.with_match_key_sql``: the name key computed by the engine equals ``match_key``.

The roster linkage keys every registry name in DuckDB (a province's 50 million names in Python took
five minutes); a name that is not ASCII goes to the Python function.  These tests hold the SQL to
the Python definition, name by name, on hand-picked and generated names.
"""

from __future__ import annotations

import string

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigap.core.names import MUHAMMAD, PREFIX_TITLES, match_key, with_match_key_sql

WORDS = sorted(PREFIX_TITLES | MUHAMMAD | {"BIN", "BINTI", "NUR", "SITI", "DJOKO", "TJAHJO", "SOEHARTO"})


def _sql_keys(names: list[str | None], *, other: bool = False) -> list[str | None]:
    con = duckdb.connect()
    try:
        if other:
            from duckdb.sqltypes import VARCHAR

            con.create_function("py_key", lambda n: match_key(n), [VARCHAR], VARCHAR)
        con.execute("CREATE TABLE t (i INTEGER, n VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(names)))
        sql = with_match_key_sql("t", "n", other="py_key" if other else None)
        return [k for _, _, k in con.execute(f"SELECT * FROM ({sql}) ORDER BY i").fetchall()]  # noqa: S608
    finally:
        con.close()


def _python(name: str | None) -> str | None:
    return match_key(name) or None


@pytest.mark.parametrize(
    "name",
    [
        "Hj. Nur Hasanah binti Ahmad, S.Pd",
        "MOCH. DJOKO SOETJIPTO",
        "Ir. H. Tjahjo Kumolo",
        "H",
        "H H",
        "Haji Bin",
        "Ahmad bin",
        "bin Ahmad",
        "Bin Bin Bin",
        "dr. Siti, S.Ked",
        " ,Siti",
        "Ahmad\tbin\nYusuf",
        "",
        "   ",
        "12345",
        "Nur  Hasanah",
        "O'Neil-Smith",
        "Chairul Tanjung",
    ],
)
def test_hand_picked_names(name: str) -> None:
    assert _sql_keys([name]) == [_python(name)]


def test_null_and_non_ascii_names() -> None:
    names: list[str | None] = [None, "Siti Aisyah", "Siti Ä'isyah", "Jos\u00e9 Ng\u00fcyen", "\ufb01rdaus"]
    # without the Python fallback a non-ASCII name has no key; with it, the same key as Python
    assert _sql_keys(names) == [None, "SITIAISYAH", None, None, None]
    assert _sql_keys(names, other=True) == [_python(n) for n in names]


name_text = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from([w.lower() for w in WORDS]),
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
        st.sampled_from([".", ",", " ", "  ", "-", "'", "\t", "1", "S.Pd", ", S.E.", "\n", "OE", "dj", "Ch"]),
    ),
    max_size=10,
).map(lambda parts: " ".join(parts) if len(parts) % 2 else "".join(parts))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(name_text, min_size=1, max_size=40))
def test_generated_ascii_names_key_like_python(names: list[str]) -> None:
    assert _sql_keys(list(names)) == [_python(n) for n in names]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=20), min_size=1, max_size=20))
def test_any_text_keys_like_python_with_the_fallback(names: list[str]) -> None:
    assert _sql_keys(list(names), other=True) == [_python(n) for n in names]
