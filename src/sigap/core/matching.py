"""Probable matches between a registry person and a BPJS TK roster participant (DOMAIN.md §5).

Targeting excludes people whose NIK is in the roster's active rows.  Real NIKs have typos
(one wrong digit, two adjacent digits swapped) and real names have spelling variants, so a
person who is already insured can still look new.  These rules find the *probable* ones among
pairs that share a birth date (the block): deterministic, explainable, and meant for an
officer to verify before approval, never to exclude anybody on their own.

Rules, strongest first (the first that holds is reported):

``nik_typo``      NIKs one edit apart (a digit changed, or two adjacent digits swapped), same
                  birth date, and the names alike (:func:`names_alike`).  Twins share a birth
                  date and have consecutive NIKs, which is why the first names must agree too.
``same_name``     same name key (titles, bin/binti, old spelling, spaces removed) and birth date.
``spelling_variant``  the same with the looser key (j -> y) only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from difflib import SequenceMatcher

from sigap.core.names import alternative_key, clean_name, match_key, modern_spelling

NAME_SIMILARITY = 0.8

RULES: dict[str, str] = {
    "nik_typo": "NIK differs by one typo from roster NIK {roster_nik} (KPJ {kpj}); same birth date, similar name",
    "same_name": "same name and birth date as roster participant NIK {roster_nik} (KPJ {kpj})",
    "spelling_variant": "name spelled differently, same birth date as roster participant NIK {roster_nik} (KPJ {kpj})",
}


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    two adjacent characters each cost 1.

    >>> edit_distance("3275014505800001", "3275014505800010")
    1
    >>> edit_distance("3275014505800001", "3275014505800009")
    1
    """
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def one_edit_apart(a: str, b: str) -> bool:
    """``edit_distance(a, b) == 1``, without the table (the common NIK case is equal length).

    >>> one_edit_apart("3275014505800001", "3275014505800010")
    True
    """
    if a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _ratio(a: str, b: str) -> float:
    return 1.0 if a == b else SequenceMatcher(None, a, b).ratio()


def name_similarity(a: str | None, b: str | None) -> float:
    """0..1 likeness of two names' keys (1.0 when the keys are equal)."""
    ka, kb = match_key(a), match_key(b)
    if not ka or not kb:
        return 0.0
    return _ratio(ka, kb)


def names_alike(a: str | None, b: str | None) -> bool:
    """Probably one person's name: equal keys, or both the first names and the whole names at
    least :data:`NAME_SIMILARITY` alike ("ADIKARA" ~ "ADIKA").  A shared family name alone is
    not enough: twins "TASNIM TAMPUBOLON" and "IVAN TAMPUBOLON" are two people.
    """
    ka, kb = match_key(a), match_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    first_a, first_b = (modern_spelling(clean_name(n)).split(" ", 1)[0] for n in (a, b))
    return _ratio(first_a, first_b) >= NAME_SIMILARITY and _ratio(ka, kb) >= NAME_SIMILARITY


@dataclass(frozen=True)
class Candidate:
    """One side of a pair: what both the registry and the roster know of a person."""

    nik: str
    nama: str | None
    tanggal_lahir: dt.date | None


def match_rule(person: Candidate, participant: Candidate) -> str | None:
    """The rule under which ``participant`` (roster) is probably ``person`` (registry), or None.

    The same NIK is not a *probable* match (targeting already excludes it): None.
    """
    if person.nik == participant.nik:
        return None
    if person.tanggal_lahir is None or person.tanggal_lahir != participant.tanggal_lahir:
        return None
    if one_edit_apart(person.nik, participant.nik) and names_alike(person.nama, participant.nama):
        return "nik_typo"
    key = match_key(person.nama)
    if key and key == match_key(participant.nama):
        return "same_name"
    alt = alternative_key(person.nama)
    if alt and alt == alternative_key(participant.nama):
        return "spelling_variant"
    return None


def reason(rule: str, *, roster_nik: str, kpj: str | None) -> str:
    return RULES[rule].format(roster_nik=roster_nik, kpj=kpj or "?")
