"""Reads of a run's decisions (Parquet) for the web pages, with DuckDB.

The caller's area prefix goes INTO every query (``kode_kelurahan LIKE prefix || '%'``), so rows
outside the area never leave DuckDB.  Values are bound as parameters, never spliced in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from sigap.engine import default_engine
from sigap.programmes.models import TargetingRun
from sigap.programmes.selectors import decisions_relation

MAX_RESULTS = 50
MIN_NAME_LETTERS = 3
MAX_QUERY_LENGTH = 80

_PERSON_COLUMNS = (
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "age",
    "kode_kecamatan",
    "kode_kelurahan",
    "desil",
    "pekerjaan",
    "occupation_category",
    "decision",
    "rank",
    "waiting_rank",
    "cost",
    "reasons",
)
_SELECT = ", ".join(_PERSON_COLUMNS)
_AREA = "coalesce(kode_kelurahan, '') LIKE ? || '%'"
_NIK = re.compile(r"^\d{16}$")


class QueryError(ValueError):
    """The search text cannot be used (message is shown to the user)."""


@dataclasses.dataclass(frozen=True)
class Person:
    nik: str
    nama: str | None
    jenis_kelamin: str | None
    tanggal_lahir: dt.date | None
    age: int | None
    kode_kecamatan: str | None
    kode_kelurahan: str | None
    desil: int | None
    pekerjaan: str | None
    occupation_category: str | None
    decision: str
    rank: int | None
    waiting_rank: int | None
    cost: int | None
    reasons: str | None


def _check_prefix(prefix: str) -> str:
    if prefix and not prefix.isdigit():
        raise ValueError(f"area prefix {prefix!r} is not a region code")
    return prefix


def _fetch(
    run: TargetingRun, where: str, params: list[Any], *, limit: int, language: str = "en"
) -> list[Person]:
    sql = (
        f"SELECT {_SELECT} FROM {decisions_relation(run, language=language)} AS d WHERE {where} "  # noqa: S608 -- generated text, values bound
        "ORDER BY nama NULLS LAST, nik LIMIT ?"
    )
    with default_engine() as engine:
        rows = engine.fetch(sql, [*params, limit])
    return [Person(*row) for row in rows]


def parse_query(raw: str) -> tuple[str, str]:
    """``("nik", "3275...")`` for 16 digits, ``("name", text)`` for a name; raises QueryError."""
    text = " ".join(raw.split())[:MAX_QUERY_LENGTH]
    compact = re.sub(r"[\s.\-]", "", text)
    if compact.isdigit():
        if not _NIK.match(compact):
            raise QueryError(_("NIK harus 16 digit angka (tertulis %(n)s digit).") % {"n": len(compact)})
        return "nik", compact
    if sum(ch.isalpha() for ch in text) < MIN_NAME_LETTERS:
        raise QueryError(_("Ketik minimal %(n)s huruf nama, atau NIK 16 digit.") % {"n": MIN_NAME_LETTERS})
    return "name", text


def person_search(*, run: TargetingRun, area_prefix: str, query: str, language: str = "en") -> list[Person]:
    """People of ``run`` in the area matching a NIK (exact) or a name (contains, any case)."""
    kind, value = parse_query(query)
    prefix = _check_prefix(area_prefix)
    if kind == "nik":
        return _fetch(run, f"{_AREA} AND nik = ?", [prefix, value], limit=MAX_RESULTS, language=language)
    return _fetch(
        run,
        f"{_AREA} AND contains(lower(nama), lower(?))",
        [prefix, value],
        limit=MAX_RESULTS,
        language=language,
    )


def person_get(*, run: TargetingRun, area_prefix: str, nik: str, language: str = "en") -> Person | None:
    """One person of ``run`` by NIK, or None when absent or outside the area (same answer)."""
    if not _NIK.match(nik):
        return None
    rows = _fetch(run, f"{_AREA} AND nik = ?", [_check_prefix(area_prefix), nik], limit=1, language=language)
    return rows[0] if rows else None


def people_get(
    *, run: TargetingRun, area_prefix: str, niks: list[str], language: str = "en"
) -> dict[str, Person]:
    """Several people of ``run`` by NIK (one query; absent or outside the area: left out)."""
    wanted = sorted({n for n in niks if _NIK.match(n)})
    if not wanted:
        return {}
    rows = _fetch(
        run,
        f"{_AREA} AND list_contains(?, nik)",
        [_check_prefix(area_prefix), wanted],
        limit=len(wanted),
        language=language,
    )
    return {p.nik: p for p in rows}


def person_in_force(
    *, runs: Sequence[TargetingRun], area_prefix: str, nik: str, language: str = "en"
) -> tuple[TargetingRun | None, Person | None]:
    """The person on the newest of ``runs`` (the user's lists in force) whose programme covers their
    domicile: with several programmes in an area, the list of the person's own programme, not merely the
    newest (which may only say "outside the region"); else the newest list that holds them."""
    fallback: tuple[TargetingRun | None, Person | None] = (None, None)
    for run in sorted(runs, key=lambda r: -r.pk):
        found = person_get(run=run, area_prefix=area_prefix, nik=nik, language=language)
        if found is None:
            continue
        if (found.kode_kelurahan or "").startswith(run.programme.region):
            return run, found  # the programme of the person's domicile
        if fallback[0] is None:
            fallback = (run, found)  # a list that decided the person as outside its region
    return fallback


def people_in_force(
    *, runs: Sequence[TargetingRun], area_prefix: str, niks: list[str], language: str = "en"
) -> dict[str, Person]:
    """:func:`people_get` over the user's lists in force; a person on several takes the row of the newest
    list whose programme covers their domicile."""
    found: dict[str, Person] = {}
    for run in sorted(runs, key=lambda r: r.pk):
        for nik, person in people_get(run=run, area_prefix=area_prefix, niks=niks, language=language).items():
            home = (person.kode_kelurahan or "").startswith(run.programme.region)
            if home or nik not in found:
                found[nik] = person
    return found
