"""Roster linkage on DuckDB or Spark: which BPJS TK roster row is which registry person (ADR 0022).

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
and the same birth date, sex and NIK kecamatan (:func:`blocking_counts` counts them).

**One linkage, two engines.**  The model's settings (:func:`model_settings`), the preparation and
the rules are written once, in DuckDB SQL; on DuckDB they run as they are, on Spark
(``SIGAP_ENGINE=spark`` or ``link_roster(engine="spark")``) the SQL goes through the Spark
engine's ``sqlglot`` transpiler and the model through Splink's Spark backend.  Only the database
API differs (:class:`_DuckDBLinkage`, :class:`_SparkLinkage`).  Spark gets DuckDB's own
``jaro_winkler_similarity`` and ``damerau_levenshtein`` as Arrow UDFs (Splink's Scala jar computes
Jaro-Winkler differently: 0.9467 against DuckDB's 0.9578 for TEDIPARMAN/TEDIPRMAN, which moves
pairs across the 0.92 and 0.80 levels) and ``sigap.core.names.match_key`` as an Arrow UDF, so both
engines give the same links (tests/linkage/test_linkage_spark.py).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from duckdb.func import ARROW
from duckdb.sqltypes import VARCHAR

from sigap.core import linkage as L
from sigap.core.names import match_key, with_match_key_sql
from sigap.core.nik_sql import sql_str
from sigap.engine import duckdb_settings, engine_name

if TYPE_CHECKING:
    from sigap.engine.spark_engine import SparkEngine

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

#: Blocking rules, in DuckDB SQL (Splink transpiles them for Spark): each pair compared shares one
#: of these keys, so the comparisons grow with the data, never as registry x roster.
BLOCKING_RULES_SQL: tuple[str, ...] = (
    "l.nik_a = r.nik_a",  # NIK prefix: kecamatan + birth digits
    "l.nik_b = r.nik_b",  # NIK tail: birth digits + serial
    "l.tgl = r.tgl AND l.name3 = r.name3",
    "l.tgl = r.tgl AND l.sex = r.sex AND l.nik_kec = r.nik_kec",
    "l.tgl_swap = r.tgl AND l.name3 = r.name3",
    "l.name_key = r.name_key AND year(l.tgl) = year(r.tgl)",
)


def blocking_rules() -> list[dict[str, Any]]:
    """:data:`BLOCKING_RULES_SQL` as Splink takes them (their dialect named, so any backend can run them)."""
    return [{"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES_SQL]


def model_settings(prior: float) -> Any:
    """The Splink model's settings, the same on every engine: comparisons with fixed m/u
    probabilities, :func:`blocking_rules`; conditions written in DuckDB SQL name their dialect so
    Splink translates them for Spark."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    def level(lv: Any, m: float, u: float, **kw: Any) -> Any:
        return lv.configure(m_probability=m, u_probability=u, **kw)

    def custom(sql: str, label: str) -> Any:
        return cll.CustomLevel(sql, label, base_dialect_str="duckdb")

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
            level(custom("tgl_swap_l = tgl_r", "day and month swapped"), 0.03, 7e-5),
            level(custom("abs(date_diff('day', tgl_l, tgl_r)) <= 366", "within a year"), 0.03, 0.03),
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
        blocking_rules_to_generate_predictions=list[Any](blocking_rules()),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,  # the levels (gamma_*) are the officer's evidence
        additional_columns_to_retain=[],
    )


# -- the two database APIs ---------------------------------------------------------------------


class _DuckDBLinkage:
    """The linkage's SQL on one DuckDB connection; the model through Splink's DuckDBAPI."""

    dialect = "duckdb"

    def __init__(self, config: dict[str, Any]) -> None:
        self.con = duckdb.connect(config=config)
        # match_key for the names SQL cannot key exactly (not ASCII): see keyed()
        self.con.create_function(
            "sigap_name_key", _name_key_array, [VARCHAR], VARCHAR, type=ARROW, side_effects=False
        )

    def read_parquet(self, name: str, path: str) -> None:
        self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({sql_str(path)})")  # noqa: S608

    def table_from_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(f"{name}_arrow", table)
        self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608 -- our names
        self.con.unregister(f"{name}_arrow")

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def keep(self, name: str) -> None:
        """Tables are tables on DuckDB."""

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def copy(self, sql: str, path: Path) -> None:
        self.con.execute(f"COPY ({sql}) TO {sql_str(str(path))} (FORMAT parquet)")

    def keyed(self, relation: str, column: str) -> str:
        """``relation`` plus ``name_key``: :func:`sigap.core.names.match_key` of ``column``, computed in
        SQL by the engine (a province's 50 million names one by one in Python took five minutes and,
        held as Python lists, ~7 GB beside DuckDB's limit); a non-ASCII name through the Python
        function as an Arrow UDF."""
        return with_match_key_sql(relation, column, other="sigap_name_key")

    def splink_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con.cursor())  # its own cursor: DuckDB 2 keeps one result per cursor

    def close(self, linker: Any = None) -> None:
        self.con.close()


#: Spark SQL functions the linkage's SQL and Splink's Spark SQL call, computed by DuckDB itself
#: (the same numbers as the DuckDB path): name -> (DuckDB SQL over columns a, b; Spark return type).
_SPARK_UDFS: dict[str, tuple[str, str]] = {
    "jaro_winkler": ("jaro_winkler_similarity(a, b)", "double"),  # Splink's SparkDialect spelling
    "jarowinkler_similarity": ("jaro_winkler_similarity(a, b)", "double"),  # sqlglot's spelling of ours
    "damerau_levenshtein": ("damerau_levenshtein(a, b)", "bigint"),
}

_udf_con: duckdb.DuckDBPyConnection | None = None


def _duckdb_pairs(sql: str, a: pa.Array, b: pa.Array) -> pa.Array:
    """``sql`` over the pairs ``(a, b)`` on the Spark worker's DuckDB (Arrow in, Arrow out)."""
    global _udf_con  # noqa: PLW0603 -- one connection per Python worker, made on first use
    if _udf_con is None:
        _udf_con = duckdb.connect(config={"threads": 1})
    pairs = pa.table({"a": a, "b": b})  # noqa: F841 -- read by DuckDB's replacement scan
    return _udf_con.sql(f"SELECT {sql} FROM pairs").to_arrow_table().column(0).combine_chunks()  # noqa: S608


def _pairs_function(sql: str) -> Any:
    def pairs(a: pa.Array, b: pa.Array) -> pa.Array:
        return _duckdb_pairs(sql, a, b)

    return pairs


def _name_key_array(names: pa.Array) -> pa.Array:
    return pa.array(
        [(match_key(n) or None) if n is not None else None for n in names.to_pylist()], pa.string()
    )


class _SparkLinkage:
    """The same SQL through :class:`sigap.engine.spark_engine.SparkEngine` (transpiled by ``sqlglot``);
    the model through Splink's SparkAPI.  Runs in a new session of the engine's Spark application
    (its own temporary views and functions), dropped at the end."""

    dialect = "spark"

    def __init__(self, engine: SparkEngine, scratch: Path | None) -> None:
        from pyspark.sql.functions import arrow_udf  # type: ignore[attr-defined]

        from sigap.engine.spark_engine import SparkEngine, _is_connect

        base = engine.session
        self.connect = _is_connect(base)
        session = base if self.connect else base.newSession()
        self.spark = SparkEngine(session=session)
        self.session = session
        for fn_name, (sql, type_) in _SPARK_UDFS.items():
            session.udf.register(fn_name, arrow_udf(_pairs_function(sql), type_))
        session.udf.register("sigap_name_key", arrow_udf(_name_key_array, "string"))
        self._keys = 0
        self.own_checkpoints: Path | None = None
        if not self.connect and session._jsc.sc().getCheckpointDir().isEmpty():
            # Splink writes its intermediate tables there (spark.checkpoint.dir on a cluster: shared storage)
            master = str(session.sparkContext.master)
            if not master.startswith("local"):
                raise ValueError(
                    "the roster linkage on a Spark cluster needs spark.checkpoint.dir (shared storage: hdfs://, s3a://)"
                )
            self.own_checkpoints = Path(tempfile.mkdtemp(prefix="sigap-linkage-", dir=scratch))
            session.sparkContext.setCheckpointDir(str(self.own_checkpoints))

    def read_parquet(self, name: str, path: str) -> None:
        self.spark.register_parquet(name, path)

    def table_from_arrow(self, name: str, table: pa.Table) -> None:
        self.spark.register_arrow(name, table)

    def execute(self, sql: str) -> None:
        self.spark.execute(sql)

    def keep(self, name: str) -> None:
        """Compute ``name`` once and cut its lineage: a temporary view is otherwise computed again at every
        read, and the plans of views over views grow until Spark's analyser runs out of memory."""
        self.session.table(name).localCheckpoint(eager=True).createOrReplaceTempView(name)

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return self.spark.fetch(sql)

    def copy(self, sql: str, path: Path) -> None:
        self.spark.copy_to_parquet(sql, path)

    def keyed(self, relation: str, column: str) -> str:
        """``relation`` plus ``name_key``: :func:`sigap.core.names.match_key` of ``column`` (the Arrow UDF),
        once per distinct name, kept (a view would call the UDF again at every read)."""
        self._keys += 1
        keys = f"name_keys_{self._keys}"
        self.execute(
            f"CREATE TABLE {keys} AS SELECT nama, sigap_name_key(nama) AS name_key FROM"  # noqa: S608 -- our names
            f" (SELECT DISTINCT {column} AS nama FROM {relation} WHERE {column} IS NOT NULL)"
        )
        self.keep(keys)
        return f"SELECT r.*, k.name_key FROM {relation} r LEFT JOIN {keys} k ON k.nama = r.{column}"  # noqa: S608

    def splink_api(self) -> Any:
        from splink import SparkAPI

        # DuckDB's functions are registered above: Splink's Scala jar is not needed (nor wanted)
        return SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.session,
            # Splink's tables as Parquet in the checkpoint folder: each later step starts from files
            break_lineage_method="checkpoint" if self.connect else "parquet",
            register_udfs_automatically=False,
        )

    def close(self, linker: Any = None) -> None:
        if linker is not None:
            linker.table_management.delete_tables_created_by_splink_from_db()
        self.spark.close()
        if self.own_checkpoints is not None:
            shutil.rmtree(self.own_checkpoints, ignore_errors=True)


_Linkage = _DuckDBLinkage | _SparkLinkage


_SWAP = (
    "CASE WHEN day({d}) <= 12 AND day({d}) <> month({d}) THEN make_date(year({d}), day({d}), month({d})) END"
)


#: The blocking columns of both sides (``kec``: the domicile kecamatan on the registry side, the roster
#: NIK's issuing kecamatan on the roster side).
_COMMON = (
    "nik16, substr(nik16, 1, 12) AS nik_a, substr(nik16, 7, 10) AS nik_b, substr(nik16, 1, 6) AS nik_kec,"
    " name_key, substr(name_key, 1, 3) AS name3, tgl, " + _SWAP.format(d="tgl") + " AS tgl_swap"
)


def _prepare(db: _Linkage, people: str, roster: str) -> None:
    db.read_parquet("reg_source", people)
    db.read_parquet("ros_source", roster)
    registry = (
        "(SELECT nik, nama, jenis_kelamin, tanggal_lahir, kode_kecamatan, kode_kelurahan FROM reg_source)"
    )
    db.execute(f"CREATE TABLE reg_people AS {db.keyed(registry, 'nama')}")  # noqa: S608 -- our names
    rows = "(SELECT source_row, kpj, nik, nik_written, nama, tanggal_lahir, segmen, status FROM ros_source)"
    db.execute(f"CREATE TABLE ros_rows AS {db.keyed(rows, 'nama')}")  # noqa: S608 -- our names
    nik_sex = "CASE WHEN TRY_CAST(substr({n}, 7, 2) AS INTEGER) > 40 THEN 'P' WHEN TRY_CAST(substr({n}, 7, 2) AS INTEGER) >= 1 THEN 'L' END"
    # the model compares only roster rows not linked by the NIK rule
    db.execute(
        "CREATE TABLE by_nik AS SELECT r.source_row, p.nik FROM ros_rows r JOIN reg_people p ON p.nik = r.nik"  # noqa: S608
        # the same NIK under a wholly different name is somebody's typo: the model and the officer decide
        " WHERE r.name_key IS NULL OR p.name_key IS NULL"
        f" OR jaro_winkler_similarity(r.name_key, p.name_key) >= {L.NAME_SIMILAR}"
    )
    db.keep("by_nik")
    db.execute(
        f"CREATE TABLE m_right AS SELECT CAST(source_row AS VARCHAR) AS uid, {_COMMON},"  # noqa: S608
        f" {nik_sex.format(n='nik16')} AS sex, substr(nik16, 1, 6) AS kec"
        " FROM (SELECT source_row, coalesce(nik, nik_written) AS nik16, name_key, tanggal_lahir AS tgl FROM ros_rows x"
        "  WHERE NOT EXISTS (SELECT 1 FROM by_nik b WHERE b.source_row = x.source_row))"
    )
    db.keep("m_right")


def _model_left(db: _Linkage) -> None:
    """Table ``m_left``: the registry as the model compares it (made only when some roster row needs the
    model: a registry-sized table)."""
    db.execute(
        f"CREATE TABLE m_left AS SELECT CAST(nik AS VARCHAR) AS uid, {_COMMON}, sex, kec"  # noqa: S608
        " FROM (SELECT nik AS nik16, name_key, tanggal_lahir AS tgl, jenis_kelamin AS sex,"
        " kode_kecamatan AS kec, nik FROM reg_people)"
    )


def _predict(db: _Linkage, *, threshold: float) -> tuple[str, int, Any]:
    """Splink's predictions (name of the table on ``db``), the number of pairs, the linker."""
    from splink import Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    _model_left(db)
    n_left = _count(db, "reg_people")  # m_left has one row per registry person
    prior = min(0.5, 0.8 / max(n_left, 1))
    db_api = db.splink_api()
    left = db_api.register("m_left", table_name="registry")
    right = db_api.register("m_right", table_name="roster")
    linker = Linker([left, right], model_settings(prior), log_level=logging.WARNING)
    result = linker.inference.predict(threshold_match_probability=threshold)
    pairs = _count(db, result.physical_name)
    return result.physical_name, pairs, linker


def _count(db: _Linkage, table: str) -> int:
    return _scalar(db, f"SELECT count(*) FROM {table}")  # noqa: S608 -- our own table names


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


def _open(
    engine: str | SparkEngine | None, config: dict[str, Any], scratch: Path | None
) -> tuple[_Linkage, SparkEngine | None]:
    """The linkage's database: ``engine`` is ``"duckdb"``, ``"spark"``, a Spark engine to run on, or
    None for ``SIGAP_ENGINE`` (:func:`sigap.engine.engine_name`).  Also returns a Spark engine this
    call made (to close)."""
    if engine is None:
        engine = engine_name()
    if engine == "duckdb":
        return _DuckDBLinkage(config), None
    if engine == "spark":
        from sigap.engine import make_spark_engine

        made = make_spark_engine()
        return _SparkLinkage(made, scratch), made
    if isinstance(engine, str):
        raise ValueError(f"engine '{engine}' is not duckdb or spark")
    return _SparkLinkage(engine, scratch), None


def link_roster(
    *,
    people: Path | str,
    roster: Path | str,
    links_out: Path,
    insured_out: Path | None = None,
    remembered: list[tuple[str, str, str]] | None = None,
    threads: int | None = None,
    scratch: Path | None = None,
    engine: str | SparkEngine | None = None,
) -> LinkOutcome:
    """Link the roster snapshot ``roster`` to the registry snapshot ``people``.

    Writes ``links_out`` (:data:`LINK_COLUMNS`: every link and every candidate for the officer)
    and, if asked, ``insured_out`` (:data:`INSURED_COLUMNS`).  ``remembered``: the officer's
    decisions ``(registry NIK, KPJ, 'confirmed'|'rejected')``, applied over the model.
    ``engine``: ``"duckdb"``, ``"spark"`` or a :class:`~sigap.engine.spark_engine.SparkEngine`;
    default ``SIGAP_ENGINE``.  ``threads`` and ``scratch`` are DuckDB's.
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
    db, made = _open(engine, config, scratch)
    linker = None
    try:
        _prepare(db, str(people), str(roster))
        lap("prepare")
        if _count(db, "m_right"):
            predictions, pairs, linker = _predict(db, threshold=L.REVIEW_MIN / 10)
            db.execute(f"CREATE TABLE model_links AS {_candidates_sql(predictions)}")
        else:  # every row linked by its NIK: no model to run
            pairs = 0
            ev = ", ".join(f"CAST(NULL AS TINYINT) AS ev_{c}" for c in L.EVIDENCE_COLUMNS)
            db.execute(
                "CREATE TABLE model_links AS SELECT CAST(NULL AS BIGINT) AS source_row, CAST(NULL AS VARCHAR) AS nik,"
                f" CAST(NULL AS DOUBLE) AS probability, CAST(NULL AS DOUBLE) AS match_weight, {ev},"
                " CAST(NULL AS VARCHAR) AS band WHERE FALSE"
            )
        db.keep("model_links")
        lap("model")
        db.table_from_arrow(
            "remembered",
            pa.table(
                [pa.array([d[i] for d in remembered or []], pa.string()) for i in range(3)],
                names=["nik", "kpj", "decision"],
            ),
        )
        ev_null = ", ".join(f"CAST(NULL AS TINYINT) AS ev_{c}" for c in L.EVIDENCE_COLUMNS)
        ev_cols = ", ".join(f"ev_{c}" for c in L.EVIDENCE_COLUMNS)
        db.execute(
            f"""
            CREATE TABLE all_links AS
            WITH candidates AS (
                SELECT source_row, nik, CAST(1.0 AS DOUBLE) AS probability, CAST(NULL AS DOUBLE) AS match_weight,
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
        db.keep("all_links")
        select = ", ".join(f"CAST({name} AS {type_}) AS {name}" for name, type_ in LINK_COLUMNS)
        links_out.parent.mkdir(parents=True, exist_ok=True)
        db.copy(
            f"""
            SELECT {select} FROM (
                SELECT a.source_row, r.kpj, coalesce(r.nik, r.nik_written) AS roster_nik, r.nama AS roster_nama,
                       r.tanggal_lahir AS roster_tanggal_lahir, r.segmen, r.status, a.nik, p.nama, p.tanggal_lahir,
                       p.jenis_kelamin, p.kode_kelurahan, a.probability, a.match_weight, a.band, {ev_cols}
                FROM all_links a JOIN ros_rows r USING (source_row) JOIN reg_people p ON p.nik = a.nik
            ) ORDER BY source_row, probability DESC, nik
            """,  # noqa: S608 -- our own table names
            links_out,
        )
        lap("rules")
        if insured_out is not None:
            _write_insured(db, insured_out)
            lap("insured")
        by_band = dict(db.fetch("SELECT band, count(*) FROM all_links GROUP BY band ORDER BY band"))
        linked = ", ".join(f"'{b}'" for b in L.LINKED)
        linked_rows = _scalar(
            db,
            f"SELECT count(DISTINCT source_row) FROM all_links WHERE band IN ({linked})",  # noqa: S608 -- constants
        )
        review_rows = _scalar(
            db,
            f"SELECT count(DISTINCT source_row) FROM all_links a WHERE band = '{L.REVIEW}' AND NOT EXISTS"  # noqa: S608
            f" (SELECT 1 FROM all_links b WHERE b.source_row = a.source_row AND b.band IN ({linked}))",
        )
        return LinkOutcome(
            roster_rows=_count(db, "ros_rows"),
            by_band={str(k): int(v) for k, v in by_band.items()},
            linked_rows=linked_rows,
            review_rows=review_rows,
            compared_pairs=pairs,
            seconds=round(time.perf_counter() - started, 3),
            timings=timings,
        )
    finally:
        db.close(linker)
        if made is not None:
            made.close()


def blocking_counts(*, people: Path | str, roster: Path | str) -> list[dict[str, Any]]:
    """The pairs each blocking rule adds (Splink's ``count_comparisons_from_blocking_rules``, exact,
    on DuckDB): ``blocking_rule``, ``marginal`` (pairs no earlier rule made), ``cumulative`` and
    ``cartesian`` (registry x roster rows entering the model, what no blocking would compare)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    db = _DuckDBLinkage(duckdb_settings())
    try:
        _prepare(db, str(people), str(roster))
        _model_left(db)
        api = db.splink_api()
        tables = [api.register("m_left", table_name="registry"), api.register("m_right", table_name="roster")]
        counts = count_comparisons_from_blocking_rules(
            tables,
            blocking_rules=blocking_rules(),
            link_type="link_only",
            unique_id_column_name="uid",
            record_sample_proportion=1.0,
        )
        cartesian = _count(db, "m_left") * _count(db, "m_right")
        return [
            {
                "blocking_rule": str(c["blocking_rule"]),
                "marginal": int(c["marginal_comparison_count"]),
                "cumulative": int(c["cumulative_comparison_count"]),
                "cartesian": cartesian,
            }
            for c in counts
        ]
    finally:
        db.close()


def _write_insured(db: _Linkage, out: Path) -> None:
    """``out``: the roster as targeting reads it, from ``ros_rows`` and ``all_links`` on ``db``."""
    linked = ", ".join(f"'{b}'" for b in L.LINKED)
    select = ", ".join(f"CAST({name} AS {type_}) AS {name}" for name, type_ in INSURED_COLUMNS)
    db.execute(
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
    db.copy(f"SELECT {select} FROM ({L.person_status_sql('insured_rows')}) ORDER BY nik", out)  # noqa: S608


def write_insured(
    *, roster: Path | str, links: Path | str, remembered: list[tuple[str, str, str]], out: Path
) -> None:
    """Write the insured file again from a linkage's links file and the officer's decisions (after a
    decision: no model run, on DuckDB whatever the engine: the files are roster-sized).  A confirmed
    pair links; a rejected one does not."""
    db = _DuckDBLinkage(duckdb_settings())
    con = db.con
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
        _write_insured(db, out)
    finally:
        db.close()


def read_links(
    links: Path | str,
    *,
    bands: tuple[str, ...],
    limit: int | None = None,
    pair: tuple[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Rows of a links file in the given bands, ordered by roster row then probability; ``pair``:
    only the rows of this (roster row, registry NIK) -- read by the engine, not in Python (a
    province's links file holds millions of rows)."""
    con = duckdb.connect(config=duckdb_settings())
    try:
        wanted = ", ".join(sql_str(b) for b in bands)
        where = f"band IN ({wanted})"
        params: list[Any] = []
        if pair is not None:
            where += " AND source_row = ? AND nik = ?"
            params = [int(pair[0]), str(pair[1])]
        cursor = con.execute(
            f"SELECT * FROM read_parquet({sql_str(str(links))}) WHERE {where}"  # noqa: S608 -- quoted
            " ORDER BY source_row, probability DESC, nik"
            + (f" LIMIT {int(limit)}" if limit is not None else ""),
            params,
        )
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _scalar(db: _Linkage, sql: str) -> int:
    rows = db.fetch(sql)
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0
