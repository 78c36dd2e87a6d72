"""Roster linkage on DuckDB: which BPJS TK roster row is which registry person (ADR 0022).

Rules first, then a probabilistic model for the rest (``sigap.core.linkage``):

1. a roster row whose valid NIK is a registry NIK is that person (``nik``);
2. every other row (NIK missing, invalid or not in the registry) is compared by a Splink model
   (Fellegi-Sunter, fixed m/u probabilities, so the same files always give the same links) with
   the registry people it is blocked with: NIK (Damerau-Levenshtein: one typo or a swap of two
   adjacent digits, two typos), name (Indonesian normalisation of ``sigap.core.names``, then
   Jaro-Winkler, term-frequency adjusted: a rare name weighs more than a common one), birth date
   (same, day and month swapped, close), sex (from the roster NIK's day digits) and kecamatan
   (the roster NIK's issuing kecamatan against the person's domicile);
3. SIGAP's rules on the model's answer (``band``): a model link is automatic only when its
   probability is at least ``AUTO_LINK``, no rival registry person is plausible for the row,
   the names are at least similar and the NIKs (when the roster has one) at most two typos
   apart; otherwise a plausible candidate goes to the officer's queue;
4. the officer's remembered decisions (registry NIK, KPJ) override the model.

Blocking keeps the comparisons linear in the data: equal NIK prefix (kecamatan + birth digits),
equal NIK tail (birth digits + serial), equal birth date with the same first letters of the
name key, the birth date with day and month swapped, the same name key in the same birth year,
and the same birth date, sex and NIK kecamatan.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from sigap.core import linkage as L
from sigap.core.names import match_key
from sigap.core.nik_sql import sql_str
from sigap.engine import duckdb_settings

#: Columns of the links file: one row per (roster row, registry person) candidate or link.
LINK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_row", "BIGINT"),  # the roster row
    ("kpj", "VARCHAR"),
    ("roster_nik", "VARCHAR"),  # the NIK as the roster writes it (valid or not)
    ("roster_nama", "VARCHAR"),
    ("roster_tanggal_lahir", "DATE"),
    ("segmen", "VARCHAR"),
    ("status", "VARCHAR"),
    ("nik", "VARCHAR"),  # the registry person
    ("nama", "VARCHAR"),
    ("tanggal_lahir", "DATE"),
    ("jenis_kelamin", "VARCHAR"),
    ("kode_kelurahan", "VARCHAR"),
    ("probability", "DOUBLE"),
    ("match_weight", "DOUBLE"),
    ("band", "VARCHAR"),  # sigap.core.linkage.BANDS
    *((f"ev_{name}", "TINYINT") for name in L.EVIDENCE_COLUMNS),  # the model's level per comparison
)

#: Columns of the insured file: the roster as targeting reads it (one row per person; a linked
#: row carries the registry NIK).
INSURED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("nik", "VARCHAR"),
    ("kpj", "VARCHAR"),
    ("segmen", "VARCHAR"),
    ("status", "VARCHAR"),
    ("source_row", "BIGINT"),
)


@dataclass
class LinkOutcome:
    roster_rows: int
    by_band: dict[str, int]
    linked_rows: int  # roster rows linked to a registry person (nik, auto, confirmed)
    review_rows: int  # roster rows whose best candidate waits for the officer
    compared_pairs: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


# -- the model ---------------------------------------------------------------------------------


def _settings(prior: float) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def level(lv: Any, m: float, u: float, **kw: Any) -> Any:
        return lv.configure(m_probability=m, u_probability=u, **kw)

    nik = cl.CustomComparison(
        output_column_name="nik",
        comparison_levels=[
            cll.NullLevel("nik16"),
            level(cll.ExactMatchLevel("nik16"), 0.70, 1e-9),
            level(cll.DamerauLevenshteinLevel("nik16", 1), 0.22, 2e-6),
            level(cll.DamerauLevenshteinLevel("nik16", 2), 0.06, 1e-4),
            level(cll.ElseLevel(), 0.02, 1.0),
        ],
    )
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_key"),
            level(
                cll.ExactMatchLevel("name_key"),
                0.85,
                2e-4,
                tf_adjustment_column="name_key",
                tf_adjustment_weight=1.0,
                tf_minimum_u_value=1e-6,
            ),
            level(cll.JaroWinklerLevel("name_key", 0.92), 0.10, 2e-3),
            level(cll.JaroWinklerLevel("name_key", L.NAME_SIMILAR), 0.04, 3e-2),
            level(cll.ElseLevel(), 0.01, 0.97),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.NullLevel("tgl"),
            level(cll.ExactMatchLevel("tgl"), 0.92, 7e-5),
            level(cll.CustomLevel("tgl_swap_l = tgl_r", "day and month swapped"), 0.03, 7e-5),
            level(cll.CustomLevel("abs(date_diff('day', tgl_l, tgl_r)) <= 366", "within a year"), 0.03, 0.03),
            level(cll.ElseLevel(), 0.02, 0.97),
        ],
    )
    sex = cl.CustomComparison(
        output_column_name="sex",
        comparison_levels=[
            cll.NullLevel("sex"),
            level(cll.ExactMatchLevel("sex"), 0.98, 0.5),
            level(cll.ElseLevel(), 0.02, 0.5),
        ],
    )
    region = cl.CustomComparison(
        output_column_name="region",
        comparison_levels=[
            cll.NullLevel("kec"),
            level(cll.ExactMatchLevel("kec"), 0.85, 0.1),
            level(cll.ElseLevel(), 0.15, 0.9),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        probability_two_random_records_match=prior,
        comparisons=[nik, name, birth, sex, region],
        blocking_rules_to_generate_predictions=[
            block_on("nik_a"),
            block_on("nik_b"),
            block_on("tgl", "name3"),
            block_on("tgl", "sex", "nik_kec"),
            {"blocking_rule": "l.tgl_swap = r.tgl AND l.name3 = r.name3", "sql_dialect": "duckdb"},
            {
                "blocking_rule": "l.name_key = r.name_key AND year(l.tgl) = year(r.tgl)",
                "sql_dialect": "duckdb",
            },
        ],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,  # the levels (gamma_*) are the officer's evidence
        additional_columns_to_retain=[],
    )


def _name_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Table ``name_keys(nama, name_key)``: sigap.core.names.match_key of every distinct name."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT nama FROM (SELECT nama FROM reg_people UNION ALL SELECT nama FROM ros_rows)"
            " WHERE nama IS NOT NULL"
        ).fetchall()
    ]
    keys = [match_key(n) or None for n in names]
    con.register("name_keys_arrow", pa.table({"nama": names, "name_key": keys}))
    con.execute("CREATE TABLE name_keys AS SELECT * FROM name_keys_arrow")
    con.unregister("name_keys_arrow")


_SWAP = (
    "CASE WHEN day({d}) <= 12 AND day({d}) <> month({d}) THEN make_date(year({d}), day({d}), month({d})) END"
)


def _prepare(con: duckdb.DuckDBPyConnection, people: str, roster: str) -> None:
    con.execute(
        "CREATE TABLE reg_people AS SELECT nik, nama, jenis_kelamin, tanggal_lahir, kode_kecamatan,"  # noqa: S608 -- paths quoted
        f" kode_kelurahan FROM read_parquet({sql_str(people)})"
    )
    con.execute(
        "CREATE TABLE ros_rows AS SELECT source_row, kpj, nik, nik_written, nama, tanggal_lahir, segmen, status"  # noqa: S608
        f" FROM read_parquet({sql_str(roster)})"
    )
    _name_keys(con)
    nik_sex = "CASE WHEN TRY_CAST(substr({n}, 7, 2) AS INTEGER) > 40 THEN 'P' WHEN TRY_CAST(substr({n}, 7, 2) AS INTEGER) >= 1 THEN 'L' END"
    common = (
        # kec: the domicile kecamatan (registry) or the roster NIK's issuing kecamatan (roster)
        "nik16, substr(nik16, 1, 12) AS nik_a, substr(nik16, 7, 10) AS nik_b, substr(nik16, 1, 6) AS nik_kec,"
        " k.name_key, substr(k.name_key, 1, 3) AS name3, tgl, " + _SWAP.format(d="tgl") + " AS tgl_swap"
    )
    # the model compares only roster rows not linked by the NIK rule
    con.execute(
        "CREATE TABLE by_nik AS SELECT r.source_row, p.nik FROM ros_rows r JOIN reg_people p ON p.nik = r.nik"  # noqa: S608
        " LEFT JOIN name_keys kr ON kr.nama = r.nama LEFT JOIN name_keys kp ON kp.nama = p.nama"
        # the same NIK under a wholly different name is somebody's typo: the model and the officer decide
        " WHERE kr.name_key IS NULL OR kp.name_key IS NULL"
        f" OR jaro_winkler_similarity(kr.name_key, kp.name_key) >= {L.NAME_SIMILAR}"
    )
    con.execute(
        f"CREATE TABLE m_left AS SELECT CAST(p.nik AS VARCHAR) AS uid, {common}, sex, kec"  # noqa: S608
        " FROM (SELECT nik AS nik16, nama, tanggal_lahir AS tgl, jenis_kelamin AS sex, kode_kecamatan AS kec, nik,"
        " FROM reg_people) p LEFT JOIN name_keys k ON k.nama = p.nama"
    )
    con.execute(
        f"CREATE TABLE m_right AS SELECT CAST(r.source_row AS VARCHAR) AS uid, {common},"  # noqa: S608
        f" {nik_sex.format(n='nik16')} AS sex, substr(nik16, 1, 6) AS kec"
        " FROM (SELECT source_row, coalesce(nik, nik_written) AS nik16, nama, tanggal_lahir AS tgl FROM ros_rows"
        "  WHERE source_row NOT IN (SELECT source_row FROM by_nik)) r LEFT JOIN name_keys k ON k.nama = r.nama"
    )


def _predict(con: duckdb.DuckDBPyConnection, *, threshold: float) -> tuple[str, int]:
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    n_left = _count(con, "m_left")
    prior = min(0.5, 0.8 / max(n_left, 1))
    db_api = DuckDBAPI(connection=con.cursor())  # its own cursor: DuckDB 2 keeps one result per cursor
    left = db_api.register("m_left", table_name="registry")
    right = db_api.register("m_right", table_name="roster")
    linker = Linker([left, right], _settings(prior), log_level=logging.WARNING)
    result = linker.inference.predict(threshold_match_probability=threshold)
    pairs = _count(con, result.physical_name)
    return result.physical_name, pairs


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 -- our own table names
    return int(row[0]) if row else 0


def _candidates_sql(predictions: str) -> str:
    """The model's candidates with SIGAP's band rules (sigap.core.linkage.band_for, in SQL)."""
    ev = ", ".join(f"CAST(gamma_{c} AS TINYINT) AS ev_{c}" for c in L.EVIDENCE_COLUMNS)
    return f"""
        WITH pairs AS (
            SELECT CAST(uid_r AS BIGINT) AS source_row, uid_l AS nik, match_probability AS probability,
                   match_weight, {ev}
            FROM {predictions}
            WHERE source_dataset_l = 'registry' AND source_dataset_r = 'roster'
        ), plausible AS (
            -- a candidate whose name is unlike, or whose NIK is more than two typos away, is never linked
            -- automatically and is nobody's rival
            SELECT *, ev_name >= 1 AND ev_nik <> 0 AS ok FROM pairs WHERE probability >= {L.REVIEW_MIN}
        ), rivals AS (
            SELECT source_row, count(*) FILTER (WHERE ok) AS n_ok FROM plausible GROUP BY source_row
        ), banded AS (
            SELECT source_row, nik, probability, match_weight, {", ".join(f"ev_{c}" for c in L.EVIDENCE_COLUMNS)},
                CASE WHEN ok AND probability >= {L.AUTO_LINK} AND n_ok = 1 THEN '{L.AUTO}' ELSE '{L.REVIEW}' END
                AS band
            FROM plausible JOIN rivals USING (source_row)
        )
        -- a row linked automatically asks the officer nothing
        SELECT * FROM banded b
        WHERE band = '{L.AUTO}' OR NOT EXISTS (
            SELECT 1 FROM banded a WHERE a.source_row = b.source_row AND a.band = '{L.AUTO}'
        )
    """  # noqa: S608 -- our own table names and constants


def link_roster(
    *,
    people: Path | str,
    roster: Path | str,
    links_out: Path,
    insured_out: Path | None = None,
    remembered: list[tuple[str, str, str]] | None = None,
    threads: int | None = None,
    scratch: Path | None = None,
) -> LinkOutcome:
    """Link the roster snapshot ``roster`` to the registry snapshot ``people``.

    Writes ``links_out`` (:data:`LINK_COLUMNS`: every link and every candidate for the officer)
    and, if asked, ``insured_out`` (:data:`INSURED_COLUMNS`).  ``remembered``: the officer's
    decisions ``(registry NIK, KPJ, 'confirmed'|'rejected')``, applied over the model.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    mark = started

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 3)
        mark = now

    config: dict[str, Any] = duckdb_settings()  # SIGAP_ENGINE_MEMORY_LIMIT: a province's roster spills
    if threads:
        config["threads"] = threads
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(scratch)
    con = duckdb.connect(config=config)
    try:
        _prepare(con, str(people), str(roster))
        lap("prepare")
        if _count(con, "m_right"):
            predictions, pairs = _predict(con, threshold=L.REVIEW_MIN / 10)
            con.execute(f"CREATE TABLE model_links AS {_candidates_sql(predictions)}")
        else:  # every row linked by its NIK: no model to run
            pairs = 0
            ev = ", ".join(f"CAST(NULL AS TINYINT) AS ev_{c}" for c in L.EVIDENCE_COLUMNS)
            con.execute(
                "CREATE TABLE model_links AS SELECT CAST(NULL AS BIGINT) AS source_row, CAST(NULL AS VARCHAR) AS nik,"
                f" CAST(NULL AS DOUBLE) AS probability, CAST(NULL AS DOUBLE) AS match_weight, {ev},"
                " CAST(NULL AS VARCHAR) AS band WHERE FALSE"
            )
        lap("model")
        decided = remembered or []
        con.execute("CREATE TABLE remembered (nik VARCHAR, kpj VARCHAR, decision VARCHAR)")
        if decided:
            con.executemany("INSERT INTO remembered VALUES (?, ?, ?)", decided)
        ev_null = ", ".join(f"CAST(NULL AS TINYINT) AS ev_{c}" for c in L.EVIDENCE_COLUMNS)
        ev_cols = ", ".join(f"ev_{c}" for c in L.EVIDENCE_COLUMNS)
        con.execute(
            f"""
            CREATE TABLE all_links AS
            WITH candidates AS (
                SELECT source_row, nik, 1.0 AS probability, CAST(NULL AS DOUBLE) AS match_weight,
                       CAST(3 AS TINYINT) AS ev_nik, {ev_null.replace("CAST(NULL AS TINYINT) AS ev_nik, ", "")},
                       '{L.NIK}' AS band
                FROM by_nik
                UNION ALL
                SELECT source_row, nik, probability, match_weight, {ev_cols}, band FROM model_links
            ), decided AS (
                -- the officer's word, also for a pair the model no longer proposes
                SELECT r.source_row, m.nik, coalesce(c.probability, 0.0) AS probability, c.match_weight,
                       {", ".join(f"c.ev_{c}" for c in L.EVIDENCE_COLUMNS)}, m.decision AS band
                FROM remembered m JOIN ros_rows r ON r.kpj = m.kpj
                JOIN reg_people p ON p.nik = m.nik
                LEFT JOIN candidates c ON c.source_row = r.source_row AND c.nik = m.nik
            ), merged AS (
                SELECT * FROM decided
                UNION ALL
                SELECT c.* FROM candidates c
                WHERE NOT EXISTS (SELECT 1 FROM decided d WHERE d.source_row = c.source_row AND d.nik = c.nik)
            ), settled AS (
                -- a row the officer confirmed for somebody is nobody else's candidate
                SELECT * FROM merged m
                WHERE m.band IN ('{L.CONFIRMED}', '{L.REJECTED}') OR NOT EXISTS (
                    SELECT 1 FROM decided d WHERE d.source_row = m.source_row AND d.band = '{L.CONFIRMED}'
                )
            )
            SELECT * FROM settled
            """  # noqa: S608 -- our own table names and constants
        )
        select = ", ".join(f"CAST({name} AS {type_}) AS {name}" for name, type_ in LINK_COLUMNS)
        links_out.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"""
            COPY (
                SELECT {select} FROM (
                    SELECT a.source_row, r.kpj, coalesce(r.nik, r.nik_written) AS roster_nik, r.nama AS roster_nama,
                           r.tanggal_lahir AS roster_tanggal_lahir, r.segmen, r.status, a.nik, p.nama, p.tanggal_lahir,
                           p.jenis_kelamin, p.kode_kelurahan, a.probability, a.match_weight, a.band, {ev_cols}
                    FROM all_links a JOIN ros_rows r USING (source_row) JOIN reg_people p ON p.nik = a.nik
                ) ORDER BY source_row, probability DESC, nik
            ) TO {sql_str(str(links_out))} (FORMAT parquet)
            """  # noqa: S608 -- our own table names; the path quoted
        )
        lap("rules")
        if insured_out is not None:
            _write_insured(con, insured_out)
            lap("insured")
        by_band = dict(
            con.execute("SELECT band, count(*) FROM all_links GROUP BY band ORDER BY band").fetchall()
        )
        linked = ", ".join(f"'{b}'" for b in L.LINKED)
        linked_rows = _scalar(
            con,
            f"SELECT count(DISTINCT source_row) FROM all_links WHERE band IN ({linked})",  # noqa: S608 -- constants
        )
        review_rows = _scalar(
            con,
            f"SELECT count(DISTINCT source_row) FROM all_links WHERE band = '{L.REVIEW}' AND source_row NOT IN"  # noqa: S608
            f" (SELECT source_row FROM all_links WHERE band IN ({linked}))",
        )
        return LinkOutcome(
            roster_rows=_count(con, "ros_rows"),
            by_band={str(k): int(v) for k, v in by_band.items()},
            linked_rows=linked_rows,
            review_rows=review_rows,
            compared_pairs=pairs,
            seconds=round(time.perf_counter() - started, 3),
            timings=timings,
        )
    finally:
        con.close()


def _write_insured(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """``out``: the roster as targeting reads it, from ``ros_rows`` and ``all_links`` on ``con``."""
    linked = ", ".join(f"'{b}'" for b in L.LINKED)
    select = ", ".join(f"CAST({name} AS {type_}) AS {name}" for name, type_ in INSURED_COLUMNS)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE insured_rows AS
        SELECT coalesce(l.nik, r.nik) AS nik, r.kpj, r.segmen, r.status, r.source_row
        FROM ros_rows r LEFT JOIN (
            SELECT source_row, arg_max(nik, probability) AS nik FROM all_links
            WHERE band IN ({linked}) GROUP BY source_row
        ) l USING (source_row)
        """  # noqa: S608 -- our own table names
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT {select} FROM ({L.person_status_sql('insured_rows')}) ORDER BY nik)"  # noqa: S608
        f" TO {sql_str(str(out))} (FORMAT parquet)"
    )


def write_insured(
    *, roster: Path | str, links: Path | str, remembered: list[tuple[str, str, str]], out: Path
) -> None:
    """Write the insured file again from a linkage's links file and the officer's decisions (after a
    decision: no model run).  A confirmed pair links; a rejected one does not."""
    con = duckdb.connect(config=duckdb_settings())
    try:
        con.execute(
            "CREATE TABLE ros_rows AS SELECT source_row, kpj, nik, segmen, status"  # noqa: S608 -- path quoted
            f" FROM read_parquet({sql_str(str(roster))})"
        )
        con.execute("CREATE TABLE remembered (nik VARCHAR, kpj VARCHAR, decision VARCHAR)")
        if remembered:
            con.executemany("INSERT INTO remembered VALUES (?, ?, ?)", remembered)
        con.execute(
            f"""
            CREATE TABLE all_links AS
            SELECT l.source_row, l.nik, l.probability,
                   coalesce(m.decision, CASE WHEN l.band IN ('{L.CONFIRMED}', '{L.REJECTED}') THEN '{L.REVIEW}'
                                             ELSE l.band END) AS band
            FROM read_parquet({sql_str(str(links))}) l
            LEFT JOIN remembered m ON m.nik = l.nik AND m.kpj = l.kpj
            """  # noqa: S608 -- path quoted, constants
        )
        # a row confirmed for somebody is nobody else's
        con.execute(
            f"DELETE FROM all_links a WHERE band <> '{L.CONFIRMED}' AND EXISTS (SELECT 1 FROM all_links b"  # noqa: S608
            f" WHERE b.source_row = a.source_row AND b.band = '{L.CONFIRMED}')"
        )
        _write_insured(con, out)
    finally:
        con.close()


def read_links(
    links: Path | str, *, bands: tuple[str, ...], limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows of a links file in the given bands, ordered by roster row then probability."""
    con = duckdb.connect(config=duckdb_settings())
    try:
        wanted = ", ".join(sql_str(b) for b in bands)
        cursor = con.execute(
            f"SELECT * FROM read_parquet({sql_str(str(links))}) WHERE band IN ({wanted})"  # noqa: S608 -- quoted
            " ORDER BY source_row, probability DESC, nik"
            + (f" LIMIT {int(limit)}" if limit is not None else "")
        )
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0
