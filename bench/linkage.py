"""Roster linkage benchmark: SIGAP's linkage beside exact-NIK and plain-Splink baselines, same run.

    .venv/bin/python bench/linkage.py --people 50000 --people 1000000

For each size, ``sigap.synth.linkage_set`` generates a Kota Bekasi registry and a BPJS TK roster
whose true links are known (NIK typos, adjacent-digit swaps, impossible-date typos, missing NIKs,
name variants with titles and old spelling, compounds written together, swapped day/month, missing
birth dates, NONAKTIF rows before the AKTIF one, namesakes born the same day, participants absent
from the registry).  The files are laid out as the import writes them (every roster row kept, a
valid NIK in ``nik``, the digits of an invalid one in ``nik_written``).  Then, on the same files:

(a) exact NIK      -- a roster row is the registry person with the same valid NIK;
(b) plain Splink   -- Splink's library comparisons on the raw columns (NIK Levenshtein, NameComparison,
                      DateOfBirthComparison), blocking on NIK and on birth date + first letter of the
                      name, u by random sampling (seeded), m by EM, every pair >= 0.9 a link;
(c) SIGAP          -- ``sigap.engine.linkage.link_roster``: NIK rule + the configured model + rules;
                      links = bands nik, auto (the review queue is counted apart);
(d) SIGAP on Spark -- with ``--engine spark`` (or ``both``): the same linkage through Splink's Spark
                      backend (``SIGAP_SPARK_MASTER``, default ``local[2]``; ``SIGAP_SPARK_CONF``),
                      its time and scores beside DuckDB's, and whether its links equal DuckDB's.

The blocking rules' pairs (``blocking_counts``: marginal per rule, total, and registry x roster) are
printed for each size.

Pairs (roster row, registry person) are scored against the truth: precision, recall, F1, seconds.
Goal for SIGAP: F1 >= 0.99 and precision >= 0.995 at 50,000 and 1,000,000 people.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from sigap.core.nik_sql import nik_issue_sql
from sigap.engine.linkage import blocking_counts, link_roster
from sigap.synth import linkage_set

REF = dt.date(2026, 1, 1)


def build_files(people: int, seed: int, folder: Path) -> dict[str, object]:
    started = time.perf_counter()
    registry, roster = linkage_set(people=people, seed=seed)
    generated = time.perf_counter() - started
    con = duckdb.connect()
    con.register("reg", registry)
    con.register("ros", roster)
    con.execute(
        f"""COPY (SELECT nomor_nik AS nik, nama, jenis_kelamin, CAST(tanggal_lahir AS DATE) AS tanggal_lahir,
                   kecamatan AS kode_kecamatan, desa_kelurahan AS kode_kelurahan, row_number() OVER () - 1 AS person
            FROM reg) TO '{folder / "people.parquet"}' (FORMAT parquet)"""
    )
    issue = nik_issue_sql("nik", REF)
    con.execute(
        f"""COPY (SELECT CASE WHEN {issue} IS NULL THEN nik END AS nik, kpj, nama,
                   TRY_CAST(nullif(tanggal_lahir, '') AS DATE) AS tanggal_lahir, segmen, status,
                   CAST(row_number() OVER () + 1 AS BIGINT) AS source_row,
                   CASE WHEN {issue} IS NOT NULL AND nik <> '' THEN nik END AS nik_written, person
            FROM ros) TO '{folder / "roster.parquet"}' (FORMAT parquet)"""
    )
    truth = con.execute(
        f"""SELECT r.source_row, p.nik FROM '{folder / "roster.parquet"}' r
            JOIN '{folder / "people.parquet"}' p ON p.person = r.person"""
    ).fetchall()
    con.close()
    return {"generated_s": round(generated, 1), "registry": registry.num_rows, "roster": roster.num_rows,
            "truth": set(truth)}  # fmt: skip


def score(predicted: set[tuple[int, str]], truth: set[tuple[int, str]]) -> dict[str, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "links": len(predicted), "false_links": len(predicted - truth), "missed": len(truth - predicted)}  # fmt: skip


def exact_nik(folder: Path) -> set[tuple[int, str]]:
    con = duckdb.connect()
    rows = con.execute(
        f"""SELECT r.source_row, p.nik FROM '{folder / "roster.parquet"}' r
            JOIN '{folder / "people.parquet"}' p ON p.nik = r.nik"""
    ).fetchall()
    con.close()
    return set(rows)


def tutorial_splink(con: duckdb.DuckDBPyConnection) -> str:
    """Splink as its tutorial sets it up, on the raw columns of tables ``l`` (registry) and ``r``
    (roster), each ``uid, nik, nama, tanggal_lahir``: EM-trained, blocking on NIK and on birth date +
    first letter.  Returns the predictions' table name (pairs at p >= 0.9).  Also the roster-import
    baseline of bench/chain_roster_baseline.py."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    first = "substr(nama, 1, 1)"
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=[
            cl.LevenshteinAtThresholds("nik", [1, 2]),
            cl.NameComparison("nama"),
            cl.DateOfBirthComparison("tanggal_lahir", input_is_string=False),
        ],
        blocking_rules_to_generate_predictions=[block_on("nik"), block_on("tanggal_lahir", first)],
    )
    db_api = DuckDBAPI(connection=con.cursor())
    linker = Linker([db_api.register("l", table_name="registry"), db_api.register("r", table_name="roster")],
                    settings, log_level=logging.ERROR)  # fmt: skip
    linker.training.estimate_probability_two_random_records_match([block_on("nik")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("nik"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("tanggal_lahir", first))
    return str(linker.inference.predict(threshold_match_probability=0.9).physical_name)


def plain_splink(folder: Path) -> set[tuple[int, str]]:
    """Splink as its tutorial sets it up, on the raw columns."""
    con = duckdb.connect()
    con.execute(
        f"""CREATE TABLE l AS SELECT nik AS uid, nik, nama, tanggal_lahir FROM '{folder / "people.parquet"}'"""
    )
    con.execute(
        f"""CREATE TABLE r AS SELECT CAST(source_row AS VARCHAR) AS uid, coalesce(nik, nik_written) AS nik, nama,
                   tanggal_lahir FROM '{folder / "roster.parquet"}'"""
    )
    predictions = tutorial_splink(con)
    rows = con.execute(
        f"SELECT CAST(uid_r AS BIGINT), uid_l FROM {predictions}"
        " WHERE source_dataset_l = 'registry' AND source_dataset_r = 'roster'"
    ).fetchall()
    con.close()
    return set(rows)


def sigap(
    folder: Path, engine: Any = "duckdb", out: str = "links"
) -> tuple[set[tuple[int, str]], dict[str, object]]:
    outcome = link_roster(
        people=folder / "people.parquet", roster=folder / "roster.parquet", links_out=folder / f"{out}.parquet",
        insured_out=folder / f"{out}-insured.parquet", scratch=folder / "tmp", engine=engine,
    )  # fmt: skip
    links = pq.read_table(folder / f"{out}.parquet", columns=["source_row", "nik", "band"])
    linked = pa.compute.is_in(links.column("band"), value_set=pa.array(["nik", "auto", "confirmed"]))
    chosen = links.filter(linked)
    return set(zip(chosen.column("source_row").to_pylist(), chosen.column("nik").to_pylist(), strict=True)), {
        "review_rows": outcome.review_rows, "compared_pairs": outcome.compared_pairs, "by_band": outcome.by_band,
        "timings": outcome.timings,
    }  # fmt: skip


def review_truth(folder: Path, truth: set[tuple[int, str]], out: str = "links") -> dict[str, int]:
    links = pq.read_table(folder / f"{out}.parquet", columns=["source_row", "nik", "band"]).to_pylist()
    queue = {(r["source_row"], r["nik"]) for r in links if r["band"] == "review"}
    return {"review_pairs": len(queue), "review_pairs_true": len(queue & truth)}


def run(
    people: int,
    seed: int,
    skip_plain: bool,
    skip_sigap: bool = False,
    keep: Path | None = None,
    engines: tuple[str, ...] = ("duckdb",),
    spark: object = None,
) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-linkage-") as tmp:
        folder = Path(tmp) if keep is None else keep / str(people)
        folder.mkdir(parents=True, exist_ok=True)
        data = build_files(people, seed, folder)
        truth = data.pop("truth")
        assert isinstance(truth, set)
        out: dict[str, object] = {"people": people, **data, "true_links": len(truth)}
        started = time.perf_counter()
        out["exact_nik"] = {
            **score(exact_nik(folder), truth),
            "seconds": round(time.perf_counter() - started, 2),
        }
        if not skip_plain:
            started = time.perf_counter()
            out["plain_splink"] = {
                **score(plain_splink(folder), truth), "seconds": round(time.perf_counter() - started, 2)
            }  # fmt: skip
        out["blocking"] = blocking_counts(people=folder / "people.parquet", roster=folder / "roster.parquet")
        for engine in engines if not skip_sigap else ():
            name = "sigap" if engine == "duckdb" else f"sigap_{engine}"
            started = time.perf_counter()
            predicted, detail = sigap(folder, spark if engine == "spark" else engine, out=f"links-{engine}")
            seconds = round(time.perf_counter() - started, 2)
            out[name] = {
                **score(predicted, truth),
                "seconds": seconds,
                **detail,
                **review_truth(folder, truth, f"links-{engine}"),
            }
        if {"duckdb", "spark"} <= set(engines) and not skip_sigap:
            columns = ["source_row", "nik", "band", "probability"]
            duck = pq.read_table(folder / "links-duckdb.parquet", columns=columns).to_pylist()
            spark_rows = pq.read_table(folder / "links-spark.parquet", columns=columns).to_pylist()
            # the rows in order, bands exactly; probabilities are sums of logarithms: equal to the last bit or two
            same = len(duck) == len(spark_rows) and all(
                (d["source_row"], d["nik"], d["band"]) == (s["source_row"], s["nik"], s["band"])
                and abs(d["probability"] - s["probability"]) <= 1e-12
                for d, s in zip(duck, spark_rows, strict=True)
            )
            out["spark_links_equal_duckdb"] = same
        return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, action="append", help="registry size (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-plain", action="store_true", help="leave out the plain-Splink baseline")
    parser.add_argument("--skip-sigap", action="store_true", help="leave out SIGAP's linkage")
    parser.add_argument("--keep", type=Path, help="keep the files in this folder (to look at the links)")
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark", "both"),
        default="duckdb",
        help="SIGAP's linkage on DuckDB, Spark or both",
    )
    args = parser.parse_args()
    engines = ("duckdb", "spark") if args.engine == "both" else (args.engine,)
    spark = None
    if "spark" in engines:
        from sigap.engine import make_spark_engine

        started = time.perf_counter()
        spark = make_spark_engine()
        print(f"spark session {spark.version()} started in {time.perf_counter() - started:.1f} s")
    for people in args.people or [50_000, 1_000_000]:
        result = run(people, args.seed, args.skip_plain, args.skip_sigap, args.keep, engines, spark)
        print(json.dumps(result, default=str))
        blocking = result["blocking"]
        assert isinstance(blocking, list)
        print(f"{people:>9,} blocking: pairs per rule {[b['marginal'] for b in blocking]}, total"
              f" {blocking[-1]['cumulative']:,} of {blocking[-1]['cartesian']:,} registry x roster")  # fmt: skip
        for name in ("exact_nik", "plain_splink", "sigap", "sigap_spark"):
            if name in result:
                r = result[name]
                assert isinstance(r, dict)
                print(f"{people:>9,} {name:<13} precision {r['precision']:.4f} recall {r['recall']:.4f}"
                      f" F1 {r['f1']:.4f}  {r['seconds']:>7.2f} s  (false {r['false_links']}, missed {r['missed']})")  # fmt: skip
        if "spark_links_equal_duckdb" in result:
            print(f"{people:>9,} Spark links == DuckDB links: {result['spark_links_equal_duckdb']}")


if __name__ == "__main__":
    main()
