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


def alternative_key(name: str | None) -> str:
    """A looser key that also maps j->y (old "Jusuf" = "Yusuf"); use only as a second pass."""
    return match_key(name).replace("J", "Y")
