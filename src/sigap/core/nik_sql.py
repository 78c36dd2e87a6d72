"""NIK validation as DuckDB SQL expressions (pure: builds text, runs nothing).

Mirrors :func:`sigap.core.nik.parse_nik` code for code, so millions of rows can be checked
in one set-based query.  ``nik_issue_sql`` returns NULL for a valid NIK or one of the
``NikError`` codes; ``nik_fields_sql`` gives the cleaned NIK, birth date, sex and the
century-ambiguity flag (meaningful only where the issue is NULL).

The reference date and the maximum age are inlined as integer literals: a birth date
``YYYYMMDD`` is plausible when ``low < YYYYMMDD <= high`` (see :func:`_plausible_bounds`).

>>> nik_issue_sql("nomor_nik", reference_date=dt.date(2026, 1, 1)).startswith("(CASE")
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sigap.core.nik import DEFAULT_MAX_AGE, PROVINCE_CODES

#: Code points that Python's ``re`` ``\s`` (and ``str.strip``) treat as whitespace.
PY_WHITESPACE: tuple[int, ...] = (
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
)  # fmt: skip

#: RE2 character-class body (without brackets) for Python whitespace.
WS_CLASS = "".join(f"\\x{{{c:x}}}" for c in PY_WHITESPACE)


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def one_of_sql(expr: str, values: Iterable[str]) -> str:
    """True when ``expr`` equals one of ``values``, else false (also for NULL).

    A CASE rather than ``IN``: DuckDB plans an ``IN`` list of constants (even a
    ``list_contains`` of one) as a join, which the row-local import pass must not contain
    (a join may reorder rows, and row numbers come from the order).
    """
    whens = " ".join(f"WHEN {sql_str(v)} THEN true" for v in values)
    return f"(CASE {expr} {whens} ELSE false END)"


def py_strip_sql(column_sql: str) -> str:
    """``str.strip()`` in SQL (Python's notion of whitespace)."""
    return f"regexp_replace({column_sql}, '^[{WS_CLASS}]+|[{WS_CLASS}]+$', '', 'g')"


def tidy16_sql(column_sql: str) -> str:
    """True when the value is exactly 16 ASCII digits (the common, already clean case)."""
    return f"regexp_full_match({column_sql}, '[0-9]{{16}}')"


def nik_clean_sql(column_sql: str, *, tidy: str | None = None) -> str:
    """The raw value without whitespace, dots and dashes (not yet checked).

    ``tidy``: an already computed :func:`tidy16_sql` of the value.
    """
    return (
        f"(CASE WHEN {tidy or tidy16_sql(column_sql)} THEN {column_sql}"
        f" ELSE regexp_replace({column_sql}, '[{WS_CLASS}.\\-]', '', 'g') END)"
    )


def collapse_ws_sql(column_sql: str) -> str:
    """``re.sub(r"\\s+", " ", value.strip())`` in SQL, with a fast path for tidy values."""
    return (
        f"(CASE WHEN regexp_full_match({column_sql}, '[^{WS_CLASS}]+( [^{WS_CLASS}]+)*') THEN {column_sql}"
        f" ELSE regexp_replace({py_strip_sql(column_sql)}, '[{WS_CLASS}]+', ' ', 'g') END)"
    )


def _plausible_bounds(reference_date: dt.date, max_age: int) -> tuple[int, int]:
    """``(low, high)`` such that born is plausible iff ``low < yyyymmdd <= high``.

    Age ``<= max_age`` at the reference date R holds for birth years after
    ``R.year - max_age - 1``, and in that year only for month-days after R's.
    """
    md = reference_date.month * 100 + reference_date.day
    return (reference_date.year - max_age - 1) * 10000 + md, reference_date.year * 10000 + md


#: Bit masks of the province codes (as integers 11..96): bit p of LO for p < 64, else of HI.
_PROVINCE_LO = sum(1 << int(c) for c in PROVINCE_CODES if int(c) < 64)
_PROVINCE_HI = sum(1 << (int(c) - 64) for c in PROVINCE_CODES if int(c) >= 64)


def _number(d: str) -> str:
    """The cleaned NIK as an integer; the fields below read it by arithmetic, which is right
    only where ``d`` is 16 ASCII digits (every check using them comes after that one)."""
    return f"TRY_CAST({d} AS UBIGINT)"


def _parts(n: str) -> dict[str, str]:
    dd = f"CAST(({n} // 100000000) % 100 AS INTEGER)"
    return {
        "prov": f"CAST({n} // 100000000000000 AS INTEGER)",
        "kab": f"CAST(({n} // 1000000000000) % 100 AS INTEGER)",
        "dd": dd,
        "mm": f"CAST(({n} // 1000000) % 100 AS INTEGER)",
        "yy": f"CAST(({n} // 10000) % 100 AS INTEGER)",
        "serial": f"CAST({n} % 10000 AS INTEGER)",
        "day": f"(CASE WHEN {dd} > 40 THEN {dd} - 40 ELSE {dd} END)",
    }


def _province_ok(prov: str) -> str:
    """The 2-digit province number is a province code (a bit lookup, no string compares)."""
    return (
        f"((CASE WHEN {prov} < 64 THEN CAST({_PROVINCE_LO} AS UBIGINT) >> {prov}"
        f" ELSE CAST({_PROVINCE_HI} AS UBIGINT) >> ({prov} - 64) END) & 1 = 1)"
    )


def _candidate_ok(p: dict[str, str], century: int, low: int, high: int) -> str:
    """A SQL boolean: the century's date is real and plausible."""
    leap = f"({p['yy']} % 4 = 0)" if century == 2000 else f"({p['yy']} % 4 = 0 AND {p['yy']} <> 0)"
    days_in_month = (
        f"(CASE WHEN {p['mm']} = 2 THEN (CASE WHEN {leap} THEN 29 ELSE 28 END) "
        f"WHEN {p['mm']} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)"
    )
    ymd = f"(({century} + {p['yy']}) * 10000 + {p['mm']} * 100 + {p['day']})"
    return (
        f"({p['mm']} BETWEEN 1 AND 12 AND {p['day']} BETWEEN 1 AND {days_in_month}"
        f" AND {ymd} > {low} AND {ymd} <= {high})"
    )


def nik_stages_sql(
    column_sql: str, reference_date: dt.date, *, prefix: str = "nik_", max_age: int = DEFAULT_MAX_AGE
) -> list[dict[str, str]]:
    """Column definitions to compute in successive projections (each stage may use the
    previous stage's columns), so that every sub-expression is evaluated once per row.

    After the stages, use :func:`nik_issue_staged_sql` and :func:`nik_fields_staged_sql`
    with the same ``prefix``.  ``nik_issue_sql`` is the same logic as one expression.
    """
    d = f"{prefix}d"
    low, high = _plausible_bounds(reference_date, max_age)
    staged = {k: f"{prefix}{k}" for k in _PART_NAMES}
    parts = _parts(f"{prefix}n")
    return [
        {f"{prefix}tidy": tidy16_sql(column_sql)},
        {d: nik_clean_sql(column_sql, tidy=f"{prefix}tidy")},
        {f"{prefix}n": _number(d)},
        {f"{prefix}{k}": v for k, v in parts.items() if k != "day"},
        {f"{prefix}day": f"(CASE WHEN {staged['dd']} > 40 THEN {staged['dd']} - 40 ELSE {staged['dd']} END)"},
        {
            f"{prefix}ok2000": _candidate_ok(staged, 2000, low, high),
            f"{prefix}ok1900": _candidate_ok(staged, 1900, low, high),
        },
    ]


def _issue(
    column_sql: str, d: str, p: dict[str, str], ok2000: str, ok1900: str, tidy: str | None = None
) -> str:
    """The issue code; with ``tidy`` (16 ASCII digits, computed once), tidy values skip the
    shape checks they pass anyway and go straight to the meaning of the digits."""
    ws = f"[{WS_CLASS}]*"
    meaning = (
        f" WHEN NOT {_province_ok(p['prov'])} THEN 'nik_province'"
        f" WHEN {p['kab']} = 0 THEN 'nik_kabkota'"
        f" WHEN NOT ({p['day']} BETWEEN 1 AND 31 AND {p['mm']} BETWEEN 1 AND 12) THEN 'nik_birth_date'"
        f" WHEN NOT ({ok2000} OR {ok1900}) THEN 'nik_birth_date'"
        f" WHEN {p['serial']} = 0 THEN 'nik_serial'"
    )
    full = (
        "(CASE"
        f" WHEN {column_sql} IS NULL OR regexp_full_match({column_sql}, '{ws}') THEN 'nik_missing'"
        f" WHEN (contains({column_sql}, 'e') OR contains({column_sql}, 'E')) AND regexp_full_match({column_sql},"
        f" '{ws}\\p{{Nd}}+(?:[.,]\\p{{Nd}}+)?[eE]\\+?\\p{{Nd}}+{ws}') THEN 'nik_scientific'"
        f" WHEN NOT regexp_full_match({d}, '[0-9]+') THEN 'nik_not_digits'"
        f" WHEN length({d}) <> 16 THEN 'nik_length'"
        f"{meaning} END)"
    )
    if tidy is None:
        return full
    return f"(CASE WHEN {tidy} THEN (CASE{meaning} END) ELSE {full} END)"


def _fields(d: str, p: dict[str, str], ok2000: str, ok1900: str) -> dict[str, str]:
    return {
        "nik": d,
        "birth_date": (
            f"(CASE WHEN {ok2000} THEN make_date(2000 + {p['yy']}, {p['mm']}, {p['day']})"
            f" WHEN {ok1900} THEN make_date(1900 + {p['yy']}, {p['mm']}, {p['day']}) END)"
        ),
        "sex": f"(CASE WHEN {p['dd']} > 40 THEN 'P' ELSE 'L' END)",
        "century_ambiguous": f"({ok2000} AND {ok1900})",
    }


_PART_NAMES = ("prov", "kab", "dd", "mm", "yy", "serial", "day")


def _staged(prefix: str) -> tuple[str, dict[str, str], str, str]:
    p = {k: f"{prefix}{k}" for k in _PART_NAMES}
    return f"{prefix}d", p, f"{prefix}ok2000", f"{prefix}ok1900"


def nik_issue_staged_sql(column_sql: str, *, prefix: str = "nik_") -> str:
    """:func:`nik_issue_sql` over the columns made by :func:`nik_stages_sql`."""
    return _issue(column_sql, *_staged(prefix), tidy=f"{prefix}tidy")


def nik_fields_staged_sql(*, prefix: str = "nik_") -> dict[str, str]:
    """:func:`nik_fields_sql` over the columns made by :func:`nik_stages_sql`."""
    return _fields(*_staged(prefix))


def nik_issue_sql(column_sql: str, reference_date: dt.date, *, max_age: int = DEFAULT_MAX_AGE) -> str:
    """SQL expression: NULL when ``column_sql`` holds a valid NIK, else the reason code.

    One self-contained expression (sub-expressions repeat); for millions of rows prefer
    :func:`nik_stages_sql` + :func:`nik_issue_staged_sql`.
    """
    d = nik_clean_sql(column_sql)
    p = _parts(_number(d))
    low, high = _plausible_bounds(reference_date, max_age)
    return _issue(column_sql, d, p, _candidate_ok(p, 2000, low, high), _candidate_ok(p, 1900, low, high))


def nik_fields_sql(
    column_sql: str, reference_date: dt.date, *, max_age: int = DEFAULT_MAX_AGE
) -> dict[str, str]:
    """SQL expressions ``nik`` (VARCHAR), ``birth_date`` (DATE), ``sex`` ('L'/'P'),
    ``century_ambiguous`` (BOOLEAN); use them only where :func:`nik_issue_sql` is NULL."""
    d = nik_clean_sql(column_sql)
    p = _parts(_number(d))
    low, high = _plausible_bounds(reference_date, max_age)
    return _fields(d, p, _candidate_ok(p, 2000, low, high), _candidate_ok(p, 1900, low, high))


def nik_message_sql(code_sql: str, column_sql: str, reference_date: dt.date) -> str:
    """A human-readable reason for the code returned by :func:`nik_issue_sql`."""
    raw = f"coalesce({column_sql}, '')"
    d = nik_clean_sql(column_sql)
    return (
        f"(CASE {code_sql}"
        " WHEN 'nik_missing' THEN 'NIK is empty'"
        f" WHEN 'nik_scientific' THEN 'NIK ''' || {raw} || ''' is in scientific notation (Excel dropped its"
        " last digits); re-export the column as text'"
        f" WHEN 'nik_not_digits' THEN 'NIK ''' || {raw} || ''' contains characters other than digits'"
        f" WHEN 'nik_length' THEN 'NIK ''' || {raw} || ''' has ' || length({d}) || ' digits, expected 16'"
        f" WHEN 'nik_province' THEN 'NIK ' || {d} || ': province code ' || substr({d}, 1, 2) || ' does not exist'"
        f" WHEN 'nik_kabkota' THEN 'NIK ' || {d} || ': kabupaten/kota code 00 does not exist'"
        f" WHEN 'nik_birth_date' THEN 'NIK ' || {d} || ': digits ' || substr({d}, 7, 6) ||"
        f" ' are not a birth date with a plausible age at {reference_date.isoformat()}'"
        f" WHEN 'nik_serial' THEN 'NIK ' || {d} || ': serial 0000 is never issued'"
        " END)"
    )
