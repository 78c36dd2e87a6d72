"""Set-based validation: SQL only, never a Python loop over rows.

1. The row-local pass (``registry_rows_sql`` / ``roster_rows_sql``): a pure projection over the
   source relation, materialised once; the view ``checked`` adds ``source_row``.  One row per
   source row: cleaned values, raw values (``v_*``) and one issue-code column per row-local check.
2. Side tables for what is not row-local, all small: ``addr_r`` (each distinct address tuple
   resolved against the region reference), ``dup_nik`` / ``dup_kpj`` (later rows repeating a
   key), ``nik_kec_unknown`` (NIK kecamatan codes missing from the reference).
3. ``issues`` (one row per (row, issue)) and the snapshot output join ``checked`` with those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import duckdb

from sigap.core import occupations
from sigap.core.nik_sql import (
    collapse_ws_sql,
    nik_clean_sql,
    nik_fields_staged_sql,
    nik_issue_staged_sql,
    nik_message_sql,
    nik_stages_sql,
    one_of_sql,
    sql_str,
    tidy16_sql,
)
from sigap.core.regions import _NAME_PREFIXES
from sigap.core.schema import (
    OPTIONAL_SOURCE_COLUMNS,
    SOURCE_COLUMNS,
    SOURCE_ROSTER_COLUMNS,
    SOURCE_TEXT_MAX_LENGTH,
)

ERROR, WARNING = "error", "warning"
REGION_LEVELS = (
    ("provinsi", "provinsi"),
    ("kabupaten_kota", "kabupaten/kota"),
    ("kecamatan", "kecamatan"),
    ("desa_kelurahan", "desa/kelurahan"),
)
REQUIRED_REGION_LEVELS = ("kecamatan", "desa_kelurahan")
ADDRESS_COLUMNS = tuple(column for column, _label in REGION_LEVELS)

MALE = ("L", "LAKILAKI", "LAKI", "LK", "M", "MALE", "PRIA", "1")
FEMALE = ("P", "PEREMPUAN", "PR", "W", "WANITA", "F", "FEMALE", "2")
DECEASED = ("MENINGGAL", "MENINGGALDUNIA", "WAFAT", "MATI", "ALMARHUM", "ALMARHUMAH")
SEGMENTS = {"PU": "PU", "PENERIMAUPAH": "PU", "BPU": "BPU", "BUKANPENERIMAUPAH": "BPU",
            "JAKON": "JAKON", "JASAKONSTRUKSI": "JAKON"}  # fmt: skip
STATUSES = {"AKTIF": "AKTIF", "NONAKTIF": "NONAKTIF", "TIDAKAKTIF": "NONAKTIF"}
_PREFIX_RE = "^(?:" + "|".join(_NAME_PREFIXES) + ")(.{3,})$"


@dataclass(frozen=True)
class Check:
    """One issue column of ``checked`` and how it is reported."""

    issue: str  # column of ``checked`` holding the code (NULL = no issue)
    column: str  # our column name, as shown in the report (SQL when ``column_sql``)
    severity: str
    value_sql: str
    message_sql: str
    column_sql: bool = False
    join: str = ""  # JOIN clause for a check whose issue comes from a side table (not row-local)
    needs: str = ""  # the side table; the check is skipped when it is empty
    exclusive: bool = False  # a row with this issue gets no other report line (its fields are unusable)
    expand: str = ""  # a row-local check with several report lines per row: the lateral join giving them


# -- reference tables ---------------------------------------------------------------------


def _name_key_sql(expr: str) -> str:
    """:func:`sigap.core.regions.name_key` in SQL."""
    return f"regexp_replace(lower({expr}), '[^0-9a-z]', '', 'g')"


def _strip_prefix_sql(key: str) -> str:
    """``sigap.core.regions._strip_prefix`` in SQL (first matching prefix, >= 3 chars left)."""
    return f"regexp_replace({key}, '{_PREFIX_RE}', '\\1')"


def load_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Region reference (``ref_region``, ``ref_kec``) and occupation aliases; the name keys
    (``ref_key``) follow in :func:`resolve_addresses`, only when an address is written by name."""
    source = resources.files("sigap.data").joinpath("wilayah/kode_wilayah.csv.gz")
    with resources.as_file(source) as path:
        con.execute(
            "CREATE TABLE ref_region AS SELECT kode AS code, tingkat AS level, nama AS name"  # noqa: S608 -- literals quoted via sql_str, names fixed
            f" FROM read_csv({sql_str(str(path))}, header=true, all_varchar=true)"
        )
    con.execute("CREATE TABLE ref_kec AS SELECT code FROM ref_region WHERE level = 'kecamatan'")
    aliases = sorted(occupations._ALIASES.items())
    con.execute("CREATE TABLE occupation_alias (alias VARCHAR, name VARCHAR)")
    con.executemany("INSERT INTO occupation_alias VALUES (?, ?)", aliases)


# -- small SQL builders ---------------------------------------------------------------------


def blank_sql(expr: str) -> str:
    return f"({expr} IS NULL OR trim({expr}) = '')"


def letters_sql(expr: str) -> str:
    """Upper-case with everything but A-Z and 0-9 removed ("Laki - laki" -> "LAKILAKI")."""
    return f"regexp_replace(upper({expr}), '[^A-Z0-9]', '', 'g')"


def occupation_sql(expr: str) -> str:
    """:func:`sigap.core.occupations.normalise_occupation` before the alias lookup."""
    return f"replace(upper({collapse_ws_sql(f'coalesce({expr}, {sql_str(str())})')}), ' / ', '/')"


def date_sql(expr: str) -> str:
    """Parse the accepted birth-date spellings into a DATE (NULL when not a real date).

    Tidy ISO dates (``YYYY-MM-DD``, most of a registry) skip the trimming and the tries of
    :func:`date_sql_full`, which gives the same date for them.
    """
    return (
        f"(CASE WHEN regexp_full_match({expr}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
        f" THEN CAST(try_strptime({expr}, '%Y-%m-%d') AS DATE) ELSE {date_sql_full(expr)} END)"
    )


def date_sql_full(expr: str) -> str:
    """Every accepted birth-date spelling (see :func:`date_sql`)."""
    t = f"trim({expr})"
    serial = f"TRY_CAST(regexp_extract({t}, '^[0-9]+') AS INTEGER)"
    return (
        "(CASE"
        f" WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}([ T][0-9:.]+)?')"
        f" THEN CAST(try_strptime(regexp_extract({t}, '^[0-9-]+'), '%Y-%m-%d') AS DATE)"
        f" WHEN regexp_full_match({t}, '[0-9]{{1,2}}-[0-9]{{1,2}}-[0-9]{{4}}')"
        f" THEN CAST(try_strptime({t}, '%d-%m-%Y') AS DATE)"
        f" WHEN regexp_full_match({t}, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}')"
        f" THEN CAST(try_strptime({t}, '%d/%m/%Y') AS DATE)"
        f" WHEN regexp_full_match({t}, '[0-9]{{1,2}}\\.[0-9]{{1,2}}\\.[0-9]{{4}}')"
        f" THEN CAST(try_strptime({t}, '%d.%m.%Y') AS DATE)"
        f" WHEN regexp_full_match({t}, '[0-9]{{8}}') THEN CAST(try_strptime({t}, '%Y%m%d') AS DATE)"
        # Excel serial day numbers, 1900 date system (serial 60 is Excel's fictitious 1900-02-29)
        f" WHEN regexp_full_match({t}, '[0-9]{{1,5}}(\\.0+)?') THEN (CASE"
        f" WHEN {serial} >= 61 THEN DATE '1899-12-30' + {serial}"
        f" WHEN {serial} BETWEEN 1 AND 59 THEN DATE '1899-12-31' + {serial} END)"
        " END)"
    )


def date_issue_sql(raw: str, parsed: str, reference_date: dt.date, *, required: bool) -> str:
    missing = "'birth_date_missing'" if required else "NULL"
    return (
        f"(CASE WHEN {parsed} BETWEEN DATE '1900-01-01' AND DATE '{reference_date.isoformat()}' THEN NULL"
        f" WHEN {blank_sql(raw)} THEN {missing}"
        f" WHEN {parsed} IS NULL THEN 'birth_date_invalid'"
        f" WHEN {parsed} > DATE '{reference_date.isoformat()}' THEN 'birth_date_future'"
        f" WHEN {parsed} < DATE '1900-01-01' THEN 'birth_date_invalid' END)"
    )


def date_message_sql(code: str, raw: str, reference_date: dt.date) -> str:
    return (
        f"(CASE {code} WHEN 'birth_date_missing' THEN 'birth date is empty'"
        f" WHEN 'birth_date_invalid' THEN 'birth date ''' || coalesce({raw}, '') || ''' is not a valid date"
        " (use YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY, YYYYMMDD or an Excel date)'"
        f" WHEN 'birth_date_future' THEN 'birth date ''' || {raw} || ''' is after the reference date"
        f" {reference_date.isoformat()}' END)"
    )


def _nik_birth_mismatch(tgl: str, prefix: str = "x_nik_") -> str:
    """True when the stated birth date's day/month/2-digit year differ from the NIK's
    (the staged NIK fields; use where the NIK is valid)."""
    return f"(day({tgl}) <> {prefix}day OR month({tgl}) <> {prefix}mm OR year({tgl}) % 100 <> {prefix}yy)"


# -- region resolution ------------------------------------------------------------------------


def resolve_addresses(con: duckdb.DuckDBPyConnection, *, present: set[str]) -> None:
    """Table ``addr_r``: each distinct address tuple of ``checked`` resolved to region codes.

    Each level is a code (digits, dots allowed) or a name compared by ``name_key`` under
    the level above (anywhere in Indonesia when no level above is given).  Columns:
    the four raw values, ``parent`` (deepest resolved code) and ``err_*`` for the first
    level that failed.
    """
    con.execute(
        "CREATE TABLE addr_r AS SELECT row_number() OVER () AS id, *, NULL::VARCHAR AS parent,"
        " NULL::VARCHAR AS err_code, NULL::VARCHAR AS err_column, NULL::VARCHAR AS err_value,"
        " NULL::VARCHAR AS err_message FROM"
        " (SELECT DISTINCT provinsi, kabupaten_kota, kecamatan, desa_kelurahan FROM checked)"
    )
    names = " OR ".join(
        f"(NOT {blank_sql(c)} AND NOT regexp_full_match(replace(trim({c}), '.', ''), '[0-9]+'))"
        for c in ADDRESS_COLUMNS
        if c in present
    )
    query = f"SELECT EXISTS (SELECT 1 FROM addr_r WHERE {names})"  # noqa: S608 -- literals quoted via sql_str, names fixed
    by_name = bool(names) and con.execute(query).fetchone() == (True,)
    con.execute(
        f"CREATE TABLE ref_key AS SELECT DISTINCT code, level, unnest([k, {_strip_prefix_sql('k')}]) AS key"  # noqa: S608 -- literals quoted via sql_str, names fixed
        f" FROM (SELECT code, level, {_name_key_sql('name')} AS k FROM ref_region WHERE {str(by_name).lower()})"
    )
    for column, label in REGION_LEVELS:
        if column not in present:
            continue
        level = sql_str(column)
        if column in REQUIRED_REGION_LEVELS:
            con.execute(
                f"UPDATE addr_r SET err_code = 'region_missing', err_column = {level}, err_value = {column},"  # noqa: S608 -- literals quoted via sql_str, names fixed
                f" err_message = {sql_str(label + ' is empty')} WHERE err_code IS NULL AND {blank_sql(column)}"
            )
        con.execute(
            f"""
            CREATE OR REPLACE TABLE lvl AS
            WITH q AS (
                SELECT id, parent, {column} AS v, replace(trim({column}), '.', '') AS digits,
                       {_name_key_sql(column)} AS k
                FROM addr_r WHERE err_code IS NULL AND NOT {blank_sql(column)}
            ), q2 AS (
                SELECT *, regexp_full_match(digits, '[0-9]+') AS is_code,
                       {_strip_prefix_sql("k")} AS sk
                FROM q
            ), by_code AS (
                SELECT q2.id, r.code, r.level FROM q2 JOIN ref_region r ON r.code = q2.digits WHERE q2.is_code
            ), exact AS (
                SELECT q2.id, list(DISTINCT r.code ORDER BY r.code) AS codes
                FROM q2 JOIN ref_key r ON r.level = {level} AND r.key = q2.k
                WHERE NOT q2.is_code AND (q2.parent IS NULL OR starts_with(r.code, q2.parent))
                GROUP BY q2.id
            ), stripped AS (
                SELECT q2.id, list(DISTINCT r.code ORDER BY r.code) AS codes
                FROM q2 JOIN ref_key r ON r.level = {level} AND r.key = q2.sk
                WHERE NOT q2.is_code AND (q2.parent IS NULL OR starts_with(r.code, q2.parent))
                GROUP BY q2.id
            ), m AS (
                SELECT q2.*, c.code AS code_match, c.level AS code_level,
                       coalesce(e.codes, s.codes) AS candidates
                FROM q2 LEFT JOIN by_code c USING (id) LEFT JOIN exact e USING (id)
                LEFT JOIN stripped s USING (id)
            )
            SELECT m.id, m.v,
                CASE WHEN m.is_code THEN
                    CASE WHEN m.code_match IS NULL THEN 'region_unknown'
                         WHEN m.code_level <> {level} THEN 'region_level'
                         WHEN m.parent IS NOT NULL AND NOT starts_with(m.code_match, m.parent)
                         THEN 'region_mismatch' END
                ELSE CASE WHEN m.candidates IS NULL THEN 'region_unknown'
                          WHEN len(m.candidates) > 1 THEN 'region_ambiguous' END
                END AS problem,
                CASE WHEN m.is_code THEN m.code_match ELSE m.candidates[1] END AS code,
                m.is_code, m.code_level, m.parent, p.name AS parent_name,
                array_to_string(m.candidates, ', ') AS candidate_list
            FROM m LEFT JOIN ref_region p ON p.code = m.parent
            """  # noqa: S608 -- literals quoted via sql_str, names fixed
        )
        where = (
            "CASE WHEN l.parent IS NULL THEN '' ELSE ' in ' || coalesce(l.parent_name, '') || ' ('"
            " || l.parent || ')' END"
        )
        message = (
            "CASE l.problem"
            f" WHEN 'region_unknown' THEN {sql_str(label)} || ' ''' || l.v || ''' ' ||"
            " CASE WHEN l.is_code THEN 'is not a code in the region reference'"
            f" ELSE 'was not found' || {where} END"
            f" WHEN 'region_level' THEN {sql_str(label)} || ' ''' || l.v || ''' is a ' ||"
            f" replace(l.code_level, '_', '/') || ' code, not a {label} code'"
            f" WHEN 'region_mismatch' THEN {sql_str(label)} || ' ''' || l.v || ''' is not' || {where}"
            f" WHEN 'region_ambiguous' THEN {sql_str(label)} || ' ''' || l.v || ''' is ambiguous' || {where}"
            " || ': matches ' || l.candidate_list END"
        )
        con.execute(
            f"UPDATE addr_r SET parent = CASE WHEN l.problem IS NULL THEN l.code ELSE addr_r.parent END,"  # noqa: S608 -- literals quoted via sql_str, names fixed
            f" err_code = l.problem, err_column = CASE WHEN l.problem IS NOT NULL THEN {level} END,"
            f" err_value = CASE WHEN l.problem IS NOT NULL THEN l.v END,"
            f" err_message = {message} FROM lvl l WHERE addr_r.id = l.id"
        )


def _addr_join(alias: str = "a", other: str = "c") -> str:
    return " AND ".join(f"{alias}.{col} IS NOT DISTINCT FROM {other}.{col}" for col in ADDRESS_COLUMNS)


# -- row-local pass -----------------------------------------------------------------------------

#: Characters of a too-long value shown in the rejection report.
PREVIEW = 50


def _cut_length_sql(column: str) -> str:
    """The length of ``column`` before the reader cut it (``_long``: ``name=length;...``), else NULL."""
    return f"TRY_CAST(nullif(regexp_extract(_long, '(?:^|;){column}=([0-9]+)', 1), '') AS BIGINT)"


def too_long_sql(relation: str, columns: tuple[str, ...]) -> str:
    """``relation`` with every value longer than its column's limit (``SOURCE_TEXT_MAX_LENGTH``,
    characters after trimming) cut to :data:`PREVIEW` characters, and ``x_too_long``: a list of
    ``{name, chars, maxchars, preview}``, one per such value (NULL or empty when none).

    Runs before every other check, so no check and no report line ever handles a huge value; the
    common case costs one ``strlen`` per column (bytes >= characters).  A reader that had to cut a
    value itself (XLSX) says its length in ``_long``.
    """
    limits = {c: SOURCE_TEXT_MAX_LENGTH[c] for c in columns}
    any_long = " OR ".join(f"strlen({c}) > {n}" for c, n in limits.items())
    measured = ", ".join(
        f"CASE WHEN x_long THEN coalesce({_cut_length_sql(c)}, length(trim({c}))) END AS x_m_{c}"
        for c in limits
    )
    over = ", ".join(f"CASE WHEN x_m_{c} > {n} THEN x_m_{c} END AS x_n_{c}" for c, n in limits.items())
    cut = ", ".join(
        f"CASE WHEN x_n_{c} IS NULL THEN {c} ELSE left(trim({c}), {PREVIEW}) END AS {c}" for c in limits
    )
    items = ", ".join(
        f"{{'name': {sql_str(c)}, 'chars': x_n_{c}, 'maxchars': {n}, 'preview': CASE WHEN x_n_{c} > {PREVIEW}"
        f" THEN left(trim({c}), {PREVIEW}) || '\u2026' ELSE trim({c}) END}}"
        for c, n in limits.items()
    )
    flagged = f"SELECT *, ({any_long} OR _long IS NOT NULL) AS x_long FROM ({relation}) s"  # noqa: S608 -- literals quoted via sql_str, names fixed
    return (
        f"SELECT * REPLACE ({cut}),"  # noqa: S608 -- literals quoted via sql_str, names fixed
        f" CASE WHEN x_long THEN list_filter([{items}], lambda t: t.chars IS NOT NULL) END AS x_too_long"
        f" FROM (SELECT *, {over} FROM (SELECT *, {measured} FROM ({flagged})))"
    )


#: ``too_long`` / ``e_len`` columns of the row-local pass (see :func:`too_long_sql`).
TOO_LONG_FINAL = {
    "too_long": "CASE WHEN len(x_too_long) > 0 THEN x_too_long END",
    "e_len": "CASE WHEN len(x_too_long) > 0 THEN 'text_too_long' END",
}


def too_long_check() -> Check:
    """One report line per too-long value: row, column, the value's start, its length and the limit."""
    item = "t.item"
    reason = (
        f"'terlalu panjang: ' || format('{{:t.}}', {item}.chars) || ' karakter, maksimal ' ||"
        f" format('{{:t.}}', {item}.maxchars) || ' / too long: ' || format('{{:,}}', {item}.chars) ||"
        f" ' characters, at most ' || format('{{:,}}', {item}.maxchars)"
    )
    return Check("e_len", f"{item}.name", ERROR, f"{item}.preview", reason, column_sql=True,
                 expand=" CROSS JOIN unnest(c.too_long) AS t(item)")  # fmt: skip


def staged_select(
    relation: str, stages: list[dict[str, str]], final: dict[str, str], *, keep: str = ""
) -> str:
    """``SELECT final FROM relation``, computing each stage in its own projection first.

    Each stage may use the source columns and the columns of the stages before it, so a
    sub-expression used by several checks is evaluated once per row.  Only projections: no
    join, window or aggregate, so the result keeps the source's row order (a table created
    from it numbers rows by ``rowid`` in file order).  ``keep`` lists source columns passed
    through unchanged (e.g. ``"source_row, "``).
    """
    sql = f"SELECT * FROM ({relation}) s"  # noqa: S608 -- literals quoted via sql_str, names fixed
    for stage in stages:
        cols = ", ".join(f"{expr} AS {name}" for name, expr in stage.items())
        sql = f"SELECT *, {cols} FROM ({sql})"  # noqa: S608 -- literals quoted via sql_str, names fixed
    cols = ", ".join(f"{expr} AS {name}" for name, expr in final.items())
    return f"SELECT {keep}{cols} FROM ({sql})"  # noqa: S608 -- literals quoted via sql_str, names fixed


def _nik_stages(column: str, reference_date: dt.date, extra: dict[str, str]) -> list[dict[str, str]]:
    stages = nik_stages_sql(column, reference_date, prefix="x_nik_")
    return [{**stages[0], **extra}, *stages[1:]]


# -- registry -------------------------------------------------------------------------------


def registry_checks(reference_date: dt.date) -> list[Check]:
    return [
        Check("e_row", "'(row)'", ERROR, "''", "_row_error", column_sql=True, exclusive=True),
        Check("e_formula", "coalesce(_formula, '')", ERROR, "''",
              "'formula without a value (open the file in Excel, recalculate and save, or paste as values)'",
              column_sql=True),
        too_long_check(),
        Check("e_nik", "nomor_nik", ERROR, "v_nomor_nik", nik_message_sql("e_nik", "v_nomor_nik", reference_date)),
        Check("'nik_duplicate'", "nomor_nik", ERROR, "coalesce(v_nomor_nik, nik)",
              "'duplicate NIK, first at row ' || d.dup_first",
              join="JOIN dup_nik d ON d.dup_row = c.source_row", needs="dup_nik"),
        Check("CASE WHEN c.e_nik IS NULL THEN 'nik_kecamatan_unknown' END", "nomor_nik", WARNING,
              "coalesce(v_nomor_nik, nik)",
              "'NIK ' || nik || ': kecamatan code ' || substr(nik, 1, 6) || ' is not in the region reference'",
              join="JOIN nik_kec_unknown u ON u.code = substr(c.nik, 1, 6)", needs="nik_kec_unknown"),
        Check("e_kk", "nomor_kk", ERROR, "v_nomor_kk",
              "CASE e_kk WHEN 'kk_missing' THEN 'KK number is empty'"
              " WHEN 'kk_scientific' THEN 'KK number ''' || v_nomor_kk || ''' is in scientific notation"
              " (Excel dropped its last digits); re-export the column as text'"
              " ELSE 'KK number ''' || v_nomor_kk || ''' is not 16 digits' END"),
        Check("e_nama", "nama", ERROR, "v_nama", "'name is empty'"),
        Check("e_tgl", "tanggal_lahir", ERROR, "v_tanggal_lahir",
              date_message_sql("e_tgl", "v_tanggal_lahir", reference_date)),
        Check("w_tgl", "tanggal_lahir", WARNING, "v_tanggal_lahir",
              "'birth date ' || strftime(tgl, '%Y-%m-%d') || ' differs from the NIK''s ' ||"
              " strftime(nik_birth, '%d-%m-') || lpad(CAST(year(nik_birth) % 100 AS VARCHAR), 2, '0')"),
        Check("e_sex", "jenis_kelamin", ERROR, "v_jenis_kelamin",
              "CASE e_sex WHEN 'sex_missing' THEN 'sex is empty' ELSE 'sex ''' || v_jenis_kelamin ||"
              " ''' is not L/P (LAKI-LAKI/PEREMPUAN)' END"),
        Check("w_sex", "jenis_kelamin", WARNING, "v_jenis_kelamin",
              "'sex ' || sex || ' differs from the NIK''s ' || nik_sex"),
        Check("e_desil", "desil", ERROR, "v_desil",
              "CASE e_desil WHEN 'desil_missing' THEN 'desil is empty'"
              " ELSE 'desil ''' || v_desil || ''' is not a whole number from 1 to 10' END"),
        Check("a.err_code", "a.err_column", ERROR, "a.err_value", "a.err_message", column_sql=True,
              join=f"JOIN addr_r a ON {_addr_join()}", needs="addr_err"),
    ]  # fmt: skip


def trimmed_sql(expr: str, *, upper: bool = False) -> str:
    """``nullif(trim(expr), '')`` (upper-cased when asked), skipping the trim for a non-empty
    ASCII value without a space at either end (``trim`` removes Unicode space separators)."""
    slow = f"nullif(upper(trim({expr})), '')" if upper else f"nullif(trim({expr}), '')"
    plain = f"upper({expr})" if upper else expr
    return (
        f"(CASE WHEN strlen({expr}) = length({expr}) AND {expr} <> '' AND NOT starts_with({expr}, ' ')"
        f" AND NOT ends_with({expr}, ' ') THEN {plain} ELSE {slow} END)"
    )


def desil_sql(expr: str) -> str:
    """The desil 1..10 as TINYINT (NULL when not a whole number from 1 to 10)."""
    slow = f"TRY_CAST(regexp_extract(trim({expr}), '^0*([1-9]|10)(\\.0+)?$', 1) AS TINYINT)"
    return (
        f"(CASE WHEN length({expr}) = 1 AND {expr} BETWEEN '1' AND '9' THEN CAST({expr} AS TINYINT)"
        f" WHEN {expr} = '10' THEN CAST(10 AS TINYINT) ELSE {slow} END)"
    )


def sex_sql(expr: str) -> str:
    """'L' / 'P' from the accepted spellings (NULL otherwise)."""
    key = letters_sql(expr)
    slow = f"CASE WHEN {one_of_sql(key, MALE)} THEN 'L' WHEN {one_of_sql(key, FEMALE)} THEN 'P' END"
    return f"(CASE {expr} WHEN 'L' THEN 'L' WHEN 'P' THEN 'P' ELSE {slow} END)"


def deceased_sql(expr: str) -> str:
    """True when ``status_hidup`` says the person died (false when empty or alive)."""
    return f"(CASE {expr} WHEN 'HIDUP' THEN false ELSE {one_of_sql(letters_sql(expr), DECEASED)} END)"


def registry_rows_sql(relation: str, reference_date: dt.date, *, keep: str = "") -> str:
    """The row-local pass: one row per source row with cleaned values and issue codes.

    Raw values (``v_*``) are kept only where a report line may need them.
    """
    stages = _nik_stages(
        "nomor_nik",
        reference_date,
        {
            "x_kk_tidy": tidy16_sql("nomor_kk"),
            "x_nama": f"upper({collapse_ws_sql('nama')})",
            "x_tgl": date_sql("tanggal_lahir"),
            "x_sex": sex_sql("jenis_kelamin"),
            "x_desil": desil_sql("desil"),
        },
    )
    stages[1]["x_kk_d"] = nik_clean_sql("nomor_kk", tidy="x_kk_tidy")
    fields = nik_fields_staged_sql(prefix="x_nik_")
    stages.append(
        {
            "x_e_nik": nik_issue_staged_sql("nomor_nik", prefix="x_nik_"),
            "x_nik_sex": fields["sex"],
            "x_e_tgl": date_issue_sql("tanggal_lahir", "x_tgl", reference_date, required=True),
            "x_e_kk": f"CASE WHEN x_kk_tidy THEN NULL WHEN {blank_sql('nomor_kk')} THEN 'kk_missing'"
            " WHEN regexp_full_match(trim(nomor_kk), '[0-9]+(?:[.,][0-9]+)?[eE]\\+?[0-9]+') THEN 'kk_scientific'"
            " WHEN NOT regexp_full_match(x_kk_d, '[0-9]{16}') THEN 'kk_invalid' END",
            "x_e_nama": "CASE WHEN x_nama = '' OR x_nama IS NULL THEN 'nama_missing' END",
            "x_e_sex": f"CASE WHEN x_sex IS NOT NULL THEN NULL WHEN {blank_sql('jenis_kelamin')} THEN 'sex_missing'"
            " ELSE 'sex_invalid' END",
            "x_e_desil": f"CASE WHEN x_desil IS NOT NULL THEN NULL WHEN {blank_sql('desil')} THEN 'desil_missing'"
            " ELSE 'desil_invalid' END",
        }
    )
    stages.append(
        {
            "x_w_tgl": f"CASE WHEN x_e_nik IS NULL AND x_e_tgl IS NULL AND"
            f" {_nik_birth_mismatch('x_tgl')} THEN 'birth_date_nik_mismatch' END",
            "x_w_sex": "CASE WHEN x_e_nik IS NULL AND x_sex IS NOT NULL AND x_sex <> x_nik_sex"
            " THEN 'sex_nik_mismatch' END",
        }
    )
    final = {
        "_formula": "_formula",
        "_row_error": "_row_error",
        **{col: col for col in ADDRESS_COLUMNS},
        # the raw NIK is needed for NIK issues, duplicates and unknown kecamatan: keep it
        # where it may differ from the cleaned one, i.e. is not 16 plain digits (the report
        # shows coalesce(v_nomor_nik, nik))
        "v_nomor_nik": "CASE WHEN x_e_nik IS NOT NULL OR NOT x_nik_tidy THEN nomor_nik END",
        "v_nomor_kk": "CASE WHEN x_e_kk IS NOT NULL THEN nomor_kk END",
        "v_nama": "CASE WHEN x_e_nama IS NOT NULL THEN nama END",
        "v_tanggal_lahir": "CASE WHEN x_e_tgl IS NOT NULL OR x_w_tgl IS NOT NULL THEN tanggal_lahir END",
        "v_jenis_kelamin": "CASE WHEN x_e_sex IS NOT NULL OR x_w_sex IS NOT NULL THEN jenis_kelamin END",
        "v_desil": "CASE WHEN x_e_desil IS NOT NULL THEN desil END",
        "e_formula": "CASE WHEN _formula IS NOT NULL THEN 'formula_without_value' END",
        "e_row": "CASE WHEN _row_error IS NOT NULL THEN 'row_malformed' END",
        "e_nik": "x_e_nik",
        "nik": "x_nik_d",
        "nik_birth": f"CASE WHEN x_w_tgl IS NOT NULL THEN {fields['birth_date']} END",
        "nik_n": "CASE WHEN x_e_nik IS NULL THEN x_nik_n END",
        "nik_sex": "CASE WHEN x_w_sex IS NOT NULL THEN x_nik_sex END",
        "kk": "x_kk_d",
        "e_kk": "x_e_kk",
        "nama": "x_nama",
        "e_nama": "x_e_nama",
        "tgl": "x_tgl",
        "e_tgl": "x_e_tgl",
        "w_tgl": "x_w_tgl",
        "sex": "x_sex",
        "e_sex": "x_e_sex",
        "w_sex": "x_w_sex",
        "desil": "x_desil",
        "e_desil": "x_e_desil",
        "tempat_lahir": trimmed_sql("tempat_lahir"),
        "hubungan_keluarga": trimmed_sql("hubungan_keluarga", upper=True),
        "alamat": trimmed_sql("alamat"),
        "rt": trimmed_sql("rt"),
        "rw": trimmed_sql("rw"),
        "pekerjaan_raw": "pekerjaan",
        "meninggal": deceased_sql("status_hidup"),
        **TOO_LONG_FINAL,
    }
    return staged_select(
        too_long_sql(relation, SOURCE_COLUMNS + OPTIONAL_SOURCE_COLUMNS), stages, final, keep=keep
    )


def registry_output_sql(accepted: str, side: set[str]) -> str:
    """Accepted rows in the snapshot layout, region codes and occupations resolved.

    A lookup that changes nothing (every address tuple is a valid kelurahan code, every
    occupation already in its normal form: ``addr_plain`` / ``occupation_plain`` in ``side``)
    is left out.
    """
    dup = " AND c.source_row NOT IN (SELECT dup_row FROM dup_nik)" if "dup_nik" in side else ""
    if "addr_plain" in side:
        kelurahan, addr = "c.desa_kelurahan", ""
    else:
        kelurahan, addr = "a.parent", f"JOIN addr_r a ON {_addr_join()} AND a.err_code IS NULL"
    if "occupation_plain" in side:
        pekerjaan, occupation = "c.pekerjaan_raw", ""
    else:
        pekerjaan, occupation = (
            "o.pekerjaan",
            "JOIN occupation_r o ON o.raw IS NOT DISTINCT FROM c.pekerjaan_raw",
        )
    return f"""
        SELECT c.nik, c.kk AS no_kk, c.nama, c.tempat_lahir, c.tgl AS tanggal_lahir, c.sex AS jenis_kelamin,
               c.hubungan_keluarga, c.alamat, c.rt, c.rw, substr({kelurahan}, 1, 6) AS kode_kecamatan,
               {kelurahan} AS kode_kelurahan, c.desil, {pekerjaan} AS pekerjaan, c.meninggal, c.source_row
        FROM checked c {addr} {occupation}
        WHERE {accepted}{dup}
    """  # noqa: S608 -- literals quoted via sql_str, names fixed


def registry_side_tables(con: duckdb.DuckDBPyConnection, *, present: set[str]) -> set[str]:
    """Small tables for the checks that are not row-local; returns the non-empty ones."""
    resolve_addresses(con, present=present)
    con.execute("CREATE VIEW addr_err AS SELECT * FROM addr_r WHERE err_code IS NOT NULL")
    # few distinct spellings: normalise each once
    con.execute(
        f"CREATE TABLE occupation_r AS SELECT t.raw, coalesce(o.name, {occupation_sql('t.raw')}) AS pekerjaan"  # noqa: S608 -- literals quoted via sql_str, names fixed
        f" FROM (SELECT DISTINCT pekerjaan_raw AS raw FROM checked) t"
        f" LEFT JOIN occupation_alias o ON o.alias = {occupation_sql('t.raw')}"
    )
    mark_duplicates(con, key="nik_n", table="dup_nik")
    con.execute(
        "CREATE TABLE nik_kec_unknown AS SELECT lpad(CAST(k AS VARCHAR), 6, '0') AS code"
        " FROM (SELECT DISTINCT nik_n // 10000000000 AS k FROM checked WHERE nik_n IS NOT NULL)"
        " EXCEPT SELECT code FROM ref_kec"
    )
    side = nonempty(con, ("addr_err", "dup_nik", "nik_kec_unknown"))
    plain = con.execute(
        "SELECT (SELECT bool_and(err_code IS NULL AND parent IS NOT DISTINCT FROM desa_kelurahan) FROM addr_r),"
        " (SELECT bool_and(pekerjaan IS NOT DISTINCT FROM raw) FROM occupation_r)"
    ).fetchone()
    if plain and plain[0]:
        side.add("addr_plain")
    if plain and plain[1]:
        side.add("occupation_plain")
    return side


def nonempty(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> set[str]:
    found = set()
    for table in tables:
        if con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone() == (True,):  # noqa: S608 -- literals quoted via sql_str, names fixed
            found.add(table)
    return found


# -- roster ---------------------------------------------------------------------------------


def roster_checks(reference_date: dt.date) -> list[Check]:
    """The roster's checks.  Only a row the file itself garbles is refused (malformed, a formula
    without a value, a value too long to store); every other row is kept whatever its NIK, KPJ
    or status says (ADR 0022): an insured person must never be lost, and a row without a usable
    NIK can still be linked by name, birth date and sex (:mod:`sigap.engine.linkage`).  Its
    problems are warnings that say why the row cannot be used as it is."""
    return [
        Check("e_row", "'(row)'", ERROR, "''", "_row_error", column_sql=True, exclusive=True),
        Check("e_formula", "coalesce(_formula, '')", ERROR, "''",
              "'formula without a value (open the file in Excel, recalculate and save, or paste as values)'",
              column_sql=True),
        too_long_check(),
        Check("e_nik", "nik", WARNING, "v_nik",
              nik_message_sql("e_nik", "v_nik", reference_date) + " || '; row kept, linked by name and birth date'"),
        Check("'roster_nik_repeated'", "nik", WARNING, "coalesce(v_nik, nik)",
              "'NIK repeated, first at row ' || d.dup_first || '; AKTIF wins, then the latest row'",
              join="JOIN dup_nik d ON d.dup_row = c.source_row", needs="dup_nik"),
        Check("e_kpj", "kpj", WARNING, "v_kpj", "'KPJ number is empty'"),
        Check("'roster_kpj_repeated'", "kpj", WARNING, "coalesce(v_kpj, kpj)",
              "'KPJ repeated, first at row ' || k.dup_first || '; AKTIF wins, then the latest row'",
              join="JOIN dup_kpj k ON k.dup_row = c.source_row", needs="dup_kpj"),
        Check("e_nama", "nama", WARNING, "v_nama", "'name is empty'"),
        Check("e_tgl", "tanggal_lahir", WARNING, "v_tanggal_lahir",
              date_message_sql("e_tgl", "v_tanggal_lahir", reference_date)),
        Check("w_tgl", "tanggal_lahir", WARNING, "v_tanggal_lahir",
              "'birth date ' || strftime(tgl, '%Y-%m-%d') || ' differs from the NIK''s ' ||"
              " strftime(nik_birth, '%d-%m-') || lpad(CAST(year(nik_birth) % 100 AS VARCHAR), 2, '0')"),
        Check("e_segmen", "segmen", WARNING, "v_segmen",
              "'segment ''' || coalesce(v_segmen, '') || ''' is not PU, BPU or JAKON'"),
        Check("e_status", "status", WARNING, "v_status",
              "'status ''' || coalesce(v_status, '') || ''' is not AKTIF or NONAKTIF'"),
        Check("CASE WHEN c.nik IS NULL AND (c.nama IS NULL OR c.nama = '') THEN 'roster_row_unusable' END",
              "'(row)'", WARNING, "''", "'no valid NIK and no name: the row cannot be linked to anybody'",
              column_sql=True),
    ]  # fmt: skip


def _case_map(expr: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN {sql_str(k)} THEN {sql_str(v)}" for k, v in mapping.items())
    return f"(CASE {expr} {whens} END)"


def _mapped_sql(expr: str, mapping: dict[str, str]) -> str:
    """``mapping`` applied to the letters of ``expr``; values already canonical skip the regex."""
    canonical = sorted(set(mapping.values()))
    whens = " ".join(f"WHEN {sql_str(v)} THEN {sql_str(v)}" for v in canonical)
    return f"(CASE {expr} {whens} ELSE {_case_map(letters_sql(expr), mapping)} END)"


def roster_rows_sql(relation: str, reference_date: dt.date, *, keep: str = "") -> str:
    stages = _nik_stages(
        "nik",
        reference_date,
        {
            "x_kpj": trimmed_sql("kpj", upper=True),
            "x_nama": f"upper({collapse_ws_sql('nama')})",
            "x_tgl": date_sql("tanggal_lahir"),
            "x_segmen": _mapped_sql("segmen", SEGMENTS),
            "x_status": _mapped_sql("status", STATUSES),
        },
    )
    fields = nik_fields_staged_sql(prefix="x_nik_")
    stages.append(
        {
            "x_e_nik": nik_issue_staged_sql("nik", prefix="x_nik_"),
            "x_e_tgl": date_issue_sql("tanggal_lahir", "x_tgl", reference_date, required=False),
            "x_e_nama": "CASE WHEN x_nama = '' OR x_nama IS NULL THEN 'nama_missing' END",
            "x_e_segmen": "CASE WHEN x_segmen IS NULL THEN 'segmen_invalid' END",
            "x_e_status": "CASE WHEN x_status IS NULL THEN 'status_invalid' END",
        }
    )
    stages.append(
        {
            "x_w_tgl": "CASE WHEN x_e_nik IS NULL AND x_e_tgl IS NULL AND x_tgl IS NOT NULL AND"
            f" {_nik_birth_mismatch('x_tgl')} THEN 'birth_date_nik_mismatch' END",
        }
    )
    final = {
        "_formula": "_formula",
        "_row_error": "_row_error",
        # raw values only where a report line may need them (see registry_rows_sql)
        "v_nik": "CASE WHEN x_e_nik IS NOT NULL OR NOT x_nik_tidy THEN nik END",
        "v_kpj": "CASE WHEN x_kpj IS NULL OR kpj <> x_kpj THEN kpj END",
        "v_nama": "CASE WHEN x_e_nama IS NOT NULL THEN nama END",
        "v_tanggal_lahir": "CASE WHEN x_e_tgl IS NOT NULL OR x_w_tgl IS NOT NULL THEN tanggal_lahir END",
        "v_segmen": "CASE WHEN x_e_segmen IS NOT NULL THEN segmen END",
        "v_status": "CASE WHEN x_e_status IS NOT NULL THEN status END",
        "e_formula": "CASE WHEN _formula IS NOT NULL THEN 'formula_without_value' END",
        "e_row": "CASE WHEN _row_error IS NOT NULL THEN 'row_malformed' END",
        "e_nik": "x_e_nik",
        # a valid NIK only; the digits of an invalid one stay in nik_written for the linkage
        "nik": "CASE WHEN x_e_nik IS NULL THEN x_nik_d END",
        "nik_written": "CASE WHEN x_e_nik IS NOT NULL THEN x_nik_d END",
        "nik_birth": f"CASE WHEN x_w_tgl IS NOT NULL THEN {fields['birth_date']} END",
        "nik_n": "CASE WHEN x_e_nik IS NULL THEN x_nik_n END",
        "kpj": "x_kpj",
        "e_kpj": "CASE WHEN x_kpj IS NULL THEN 'kpj_missing' END",
        "nama": "x_nama",
        "e_nama": "x_e_nama",
        "tgl": "x_tgl",
        "e_tgl": "x_e_tgl",
        "w_tgl": "x_w_tgl",
        "segmen": "x_segmen",
        "e_segmen": "x_e_segmen",
        "status": "x_status",
        "e_status": "x_e_status",
        **TOO_LONG_FINAL,
    }
    return staged_select(too_long_sql(relation, SOURCE_ROSTER_COLUMNS), stages, final, keep=keep)


def roster_output_sql(accepted: str, side: set[str]) -> str:
    """Every row that could be read, repeated NIKs and KPJs included: the status per person is
    decided by rule afterwards (AKTIF wins, then the latest row: ``sigap.core.linkage``)."""
    return f"""
        SELECT c.nik, c.kpj, c.nama, c.tgl AS tanggal_lahir, c.segmen, c.status, c.source_row,
               c.nik_written
        FROM checked c WHERE {accepted}
    """  # noqa: S608 -- literals quoted via sql_str, names fixed


def roster_side_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    mark_duplicates(con, key="nik_n", table="dup_nik")
    mark_duplicates(con, key="kpj", table="dup_kpj")
    return nonempty(con, ("dup_nik", "dup_kpj"))


def mark_duplicates(con: duckdb.DuckDBPyConnection, *, key: str, table: str, where: str = "TRUE") -> None:
    """Table ``table(dup_row, dup_first)``: every later row sharing ``key`` with an earlier one
    (the first occurrence is kept).  An aggregate finds the (few) duplicated keys first."""
    con.execute(
        f"CREATE TEMP TABLE {table}_keys AS SELECT {key} AS k, min(source_row) AS first_row"  # noqa: S608 -- literals quoted via sql_str, names fixed
        f" FROM checked WHERE {key} IS NOT NULL AND {where} GROUP BY {key} HAVING count(*) > 1"
    )
    con.execute(
        f"CREATE TABLE {table} AS SELECT c.source_row AS dup_row, d.first_row AS dup_first"  # noqa: S608 -- literals quoted via sql_str, names fixed
        f" FROM checked c JOIN {table}_keys d ON c.{key} = d.k WHERE c.source_row > d.first_row AND {where}"
    )


# -- issues -----------------------------------------------------------------------------------


def accepted_sql(checks: list[Check]) -> str:
    """Rows without a row-local error (side-table errors are joined in by the output query)."""
    return " AND ".join(f"c.{c.issue} IS NULL" for c in checks if c.severity == ERROR and not c.join)


def issues_sql(checks: list[Check], side: set[str]) -> str:
    """``issues`` table: one row per (source row, issue), ordered within a row by check."""
    parts = []
    for order, check in enumerate(checks):
        if check.needs and check.needs not in side:
            continue
        column = check.column if check.column_sql else sql_str(check.column)
        others = "".join(
            f" AND c.{other.issue} IS NULL" for other in checks if other.exclusive and other is not check
        )
        parts.append(
            f'SELECT c.source_row, {order} AS ord, {column} AS "column", CAST({check.value_sql} AS VARCHAR) AS value,'  # noqa: S608 -- literals quoted via sql_str, names fixed
            f" {sql_str(check.severity)} AS severity, {check.issue} AS code, {check.message_sql} AS reason"
            f" FROM checked c {check.join}{check.expand} WHERE {check.issue} IS NOT NULL{others}"
        )
    return "CREATE TABLE issues AS " + " UNION ALL ".join(parts)
