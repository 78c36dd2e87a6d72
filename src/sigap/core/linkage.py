"""Roster linkage rules: which BPJS TK roster row is which registry person (ADR 0022).

Pure: thresholds, bands, the evidence codes and the SQL text of the per-person status rule.
:mod:`sigap.engine.linkage` runs the model (Splink on DuckDB) and these rules.

A roster row is linked to a registry person

``nik``        by rule, when its valid NIK is the person's NIK and the names are at least similar
               (:data:`NAME_SIMILAR`; the same NIK under another name is a typo: the model decides);
``auto``       by the model, when the probability is at least :data:`AUTO_LINK`, the names are at
               least similar, the NIKs (when the roster has one) at most two typos apart, and no
               other registry person is a plausible candidate for the row (the same conditions,
               probability at least :data:`REVIEW_MIN`): namesakes born the same day go to the
               officer instead;
``confirmed``  by the officer (remembered for the next import by (NIK, KPJ));

and goes to the officer's queue (``review``) when the best probability is at least
:data:`REVIEW_MIN` but the link is not automatic.  ``rejected`` pairs (the officer said "not
the same person") are neither links nor asked again.

Links count as "already insured" in targeting: the roster row then carries the registry NIK.
Per person the status is decided by rule: an AKTIF row wins; among equals the latest row of
the file (:func:`person_status_sql`).
"""

from __future__ import annotations

#: Probability from which a model link counts as "already insured" without the officer.
AUTO_LINK = 0.90
#: Probability from which a candidate is shown to the officer (and blocks an automatic link of a rival).
REVIEW_MIN = 0.5
#: Jaro-Winkler likeness of two name keys (sigap.core.names.match_key) from which names are "similar":
#: below it a pair is never linked without the officer, even under the same NIK.
NAME_SIMILAR = 0.80

NIK, AUTO, CONFIRMED, REVIEW, REJECTED = "nik", "auto", "confirmed", "review", "rejected"
LINKED = (NIK, AUTO, CONFIRMED)
BANDS = (NIK, AUTO, CONFIRMED, REVIEW, REJECTED)

#: The officer's decisions on a pair.
DECISIONS = (CONFIRMED, REJECTED)

#: Evidence per comparison: the model's level (Splink's gamma value) -> code.  The Django side
#: puts the codes in words (sigap.linkage.labels).
EVIDENCE_LEVELS: dict[str, dict[int, str]] = {
    "nik": {-1: "nik_missing", 3: "nik_same", 2: "nik_one_typo", 1: "nik_two_typos", 0: "nik_different"},
    "name": {-1: "name_missing", 3: "name_same", 2: "name_alike", 1: "name_similar", 0: "name_different"},
    "birth": {
        -1: "birth_missing",
        3: "birth_same",
        2: "birth_swapped",
        1: "birth_close",
        0: "birth_different",
    },
    "sex": {-1: "sex_unknown", 1: "sex_same", 0: "sex_different"},
    "region": {-1: "region_unknown", 1: "region_same", 0: "region_different"},
}
EVIDENCE_COLUMNS = tuple(EVIDENCE_LEVELS)


def evidence_codes(levels: dict[str, int | None]) -> list[str]:
    """``{"nik": 2, "name": 3, ...}`` -> ``["nik_one_typo", "name_same", ...]`` (unknown levels skipped).

    >>> evidence_codes({"nik": 2, "name": 3, "birth": 2, "sex": 1, "region": -1})
    ['nik_one_typo', 'name_same', 'birth_swapped', 'sex_same', 'region_unknown']
    """
    out = []
    for column in EVIDENCE_COLUMNS:
        level = levels.get(column)
        code = EVIDENCE_LEVELS[column].get(int(level)) if level is not None else None
        if code:
            out.append(code)
    return out


def band_for(probability: float, rival: float | None, *, plausible: bool = True) -> str | None:
    """The band of a model candidate: ``auto``, ``review`` or None (not a candidate) -- the rule
    :mod:`sigap.engine.linkage` applies in SQL.

    ``plausible``: names at least similar and NIKs at most two typos apart; ``rival``: the best
    probability of another plausible registry person for the same roster row.

    >>> band_for(0.999, None), band_for(0.999, 0.7), band_for(0.8, None), band_for(0.2, None)
    ('auto', 'review', 'review', None)
    >>> band_for(0.999, None, plausible=False)
    'review'
    """
    if plausible and probability >= AUTO_LINK and (rival is None or rival < REVIEW_MIN):
        return AUTO
    if probability >= REVIEW_MIN:
        return REVIEW
    return None


def person_status_sql(rows: str, *, key: str = "nik") -> str:
    """SELECT one row per ``key`` from the roster rows ``rows`` (columns nik, kpj, segmen, status,
    source_row): an AKTIF row wins, then the latest row (highest source_row).

    >>> "ORDER BY CASE WHEN status = 'AKTIF' THEN 0 ELSE 1 END, source_row DESC" in person_status_sql("r")
    True
    """
    return (
        "SELECT * EXCLUDE (status_order) FROM (\n"  # noqa: S608 -- names from the caller's code
        f"  SELECT *, row_number() OVER (PARTITION BY {key}"
        " ORDER BY CASE WHEN status = 'AKTIF' THEN 0 ELSE 1 END, source_row DESC) AS status_order\n"
        f"  FROM {rows} WHERE {key} IS NOT NULL\n"
        ") WHERE status_order = 1"
    )
