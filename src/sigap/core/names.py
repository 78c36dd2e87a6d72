"""Indonesian name normalisation for matching (DOMAIN.md section 5).

``match_key(name)`` gives a key under which spelling variants of one name meet:
upper-case, diacritics stripped, suffix titles after a comma cut (S.Pd, S.E., A.Md...),
prefix titles dropped (H, Hj, Bpk, Ibu, Ny, Sdr, Drs, Dra, dr, drg, Ir, Prof, Alm, Almh),
"bin/binti ..." dropped, Muhammad variants unified, old spelling modernised
(oe->u, dj->j, tj->c, nj->ny, sj->sy, ch->kh) and spaces removed (NUR HASANAH = NURHASANAH).
"""

from __future__ import annotations

import functools
import re
import unicodedata

PREFIX_TITLES = frozenset(
    "H HJ HAJI HAJJAH BPK BAPAK IBU NY NYONYA SDR SDRI TN TUAN DRS DRA DR DRG IR PROF ALM ALMH ALMARHUM "
    "ALMARHUMAH KH UST USTADZ".split()
)
MUHAMMAD = frozenset("MUHAMMAD MUHAMAD MOHAMMAD MOHAMAD MOCHAMMAD MOCHAMAD MOCH MOH MUH MHD MUHAMMED".split())
_OLD_SPELLING = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("NJ", "NY"), ("SJ", "SY"), ("CH", "KH"))
_NON_LETTER = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65_536)
def clean_name(name: str | None) -> str:
    """Upper-case words without titles, bin/binti, punctuation; Muhammad unified.

    >>> clean_name("Hj. Nur Hasanah binti Ahmad, S.Pd")
    'NUR HASANAH'
    >>> clean_name("MOCH. DJOKO SOETJIPTO")
    'MUHAMMAD DJOKO SOETJIPTO'
    """
    text = strip_diacritics(name or "").upper()
    text = text.split(",", 1)[0]
    words = [w for w in _SPACES.split(_NON_LETTER.sub(" ", text.replace(".", ". "))) if w]
    while words and words[0] in PREFIX_TITLES and len(words) > 1:
        words.pop(0)
    for i, word in enumerate(words):
        if word in ("BIN", "BINTI") and i > 0:
            words = words[:i]
            break
    return " ".join("MUHAMMAD" if w in MUHAMMAD else w for w in words)


def modern_spelling(text: str) -> str:
    for old, new in _OLD_SPELLING:
        text = text.replace(old, new)
    return text


def match_key(name: str | None) -> str:
    """The comparison key: cleaned, modern spelling, no spaces.

    >>> match_key("Moch. Djoko Soetjipto") == match_key("Muhammad Joko Sucipto")
    True
    """
    return modern_spelling(clean_name(name)).replace(" ", "")


def _sql_list(words: frozenset[str]) -> str:
    return "[" + ", ".join(f"'{w}'" for w in sorted(words)) + "]"


def with_match_key_sql(relation: str, column: str, *, out: str = "name_key", other: str | None = None) -> str:
    """DuckDB SQL: every row of ``relation`` plus ``out``, :func:`match_key` of ``column`` or NULL where
    it is ``''`` -- computed in SQL, exact for ASCII names (tests/core/test_names_sql.py).  A name
    with other characters needs Unicode decomposition: it is given to the SQL function ``other``
    (e.g. :func:`match_key` registered as a UDF; None: its key is NULL).  ``strlen(x) = length(x)``
    holds exactly for ASCII text.  Names are trusted SQL names.

    A province's 50 million names are keyed in the engine, in parallel (one by one in Python: ~6 us
    each, five minutes).
    """
    titles, muhammad = _sql_list(PREFIX_TITLES), _sql_list(MUHAMMAD)
    # upper-case, cut at the first comma, every non-letter a space; the words
    words = (
        f"list_filter(string_split(regexp_replace(split_part(upper({column}), ',', 1), '[^A-Z ]+', ' ', 'g'),"
        " ' '), lambda w: w <> '')"
    )
    # leading titles dropped while another word follows
    lead = (
        f"least(coalesce(list_position(list_transform(_ws, lambda w: list_contains({titles}, w)), false) - 1,"
        " len(_ws)), greatest(len(_ws) - 1, 0))"
    )
    # cut before "bin"/"binti" when it is not the first word: its position among the words after the first
    cut = "list_position(list_transform(_ts[2:], lambda w: w IN ('BIN', 'BINTI')), true)"
    key = (
        f"array_to_string(list_transform(_bs, lambda w: CASE WHEN list_contains({muhammad}, w)"
        " THEN 'MUHAMMAD' ELSE w END), ' ')"
    )
    for old, new in _OLD_SPELLING:
        key = f"replace({key}, '{old}', '{new}')"
    key = f"nullif(replace({key}, ' ', ''), '')"
    fallback = f"nullif({other}({column}), '')" if other is not None else "NULL"
    key = f"CASE WHEN strlen({column}) = length({column}) THEN {key} ELSE {fallback} END"
    return (
        f"SELECT * EXCLUDE (_ws, _ts, _cut, _bs), {key} AS {out} FROM ("  # noqa: S608 -- trusted names
        "SELECT *, CASE WHEN _cut IS NULL THEN _ts ELSE _ts[1:_cut] END AS _bs FROM ("
        f"SELECT *, {cut} AS _cut FROM ("
        f"SELECT *, list_slice(_ws, {lead} + 1, len(_ws)) AS _ts FROM ("
        f"SELECT *, {words} AS _ws FROM {relation}))))"
    )


def alternative_key(name: str | None) -> str:
    """A looser key that also maps j->y (old "Jusuf" = "Yusuf"); use only as a second pass."""
    return match_key(name).replace("J", "Y")
