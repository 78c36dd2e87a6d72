"""The roster import's work by hand, for bench/chain.py: parse the BPJS TK roster, then link it to the
registry.  SIGAP's ``sigap roster import`` does both (ADR 0022).  Two ways to link:

- ``splink`` (default): Splink set up as its tutorial does (exact-NIK and birth date + first letter
  blocking, EM-trained), on DuckDB.  At a province's size its EM step's pairs outgrow the disk.
- ``sql``: hand-written DuckDB SQL -- the exact NIK first, then for the other rows candidates blocked as
  SIGAP blocks them (NIK prefix, NIK tail, birth date + first letters) scored by NIK edit distance,
  name Jaro-Winkler and birth date, the best candidate above a threshold.  The least work a linkage
  does; it runs at 50 M.

    python bench/chain_roster_baseline.py ROSTER.csv PEOPLE.parquet OUT.parquet [splink|sql]
"""

from __future__ import annotations

import os
import sys

import duckdb

from linkage import tutorial_splink


def hand_written_link(con: duckdb.DuckDBPyConnection) -> str:
    """Links of roster ``r`` to registry ``l`` in plain DuckDB SQL; returns a table shaped like Splink's
    predictions (``uid_l``, ``uid_r``, ``source_dataset_l``, ``match_probability``)."""
    con.execute(
        "CREATE TABLE by_nik AS SELECT r.uid AS uid_r, l.uid AS uid_l FROM r JOIN l ON l.nik = r.nik"
        " WHERE jaro_winkler_similarity(l.nama, r.nama) >= 0.8"
    )
    keys = (
        "uid, nik, nama, tanggal_lahir, substr(nik, 1, 12) AS nik_a, substr(nik, 7, 10) AS nik_b,"
        " substr(nama, 1, 3) AS name3"
    )
    con.execute(f"CREATE TABLE ll AS SELECT {keys} FROM l")  # noqa: S608
    con.execute(
        f"CREATE TABLE rr AS SELECT {keys} FROM r WHERE uid NOT IN (SELECT uid_r FROM by_nik)"  # noqa: S608
    )
    score = (
        "CASE WHEN damerau_levenshtein(l.nik, r.nik) <= 2 THEN 4 ELSE 0 END"
        " + CASE WHEN jaro_winkler_similarity(l.nama, r.nama) >= 0.92 THEN 4"
        " WHEN jaro_winkler_similarity(l.nama, r.nama) >= 0.8 THEN 2 ELSE 0 END"
        " + CASE WHEN l.tanggal_lahir = r.tanggal_lahir THEN 3 ELSE 0 END"
    )
    pairs = " UNION ".join(
        f"SELECT r.uid AS uid_r, l.uid AS uid_l, {score} AS score FROM rr r JOIN ll l ON {on}"  # noqa: S608
        for on in (
            "l.nik_a = r.nik_a",
            "l.nik_b = r.nik_b",
            "l.tanggal_lahir = r.tanggal_lahir AND l.name3 = r.name3",
        )
    )
    con.execute(
        f"CREATE TABLE predictions AS SELECT uid_l, uid_r, 'registry' AS source_dataset_l, 1.0 AS match_probability"  # noqa: S608
        " FROM by_nik UNION ALL"
        f" SELECT arg_max(uid_l, score), uid_r, 'registry', max(score) / 11.0 FROM ({pairs})"
        " WHERE score >= 7 GROUP BY uid_r"
    )
    return "predictions"


def main() -> None:
    src, people, out = sys.argv[1], sys.argv[2], sys.argv[3]
    limit = os.environ.get("SIGAP_ENGINE_MEMORY_LIMIT")
    con = duckdb.connect(config={"memory_limit": limit} if limit else {})
    con.execute(
        "CREATE TABLE r AS SELECT CAST(row_number() OVER () AS VARCHAR) AS uid, nik, kpj,"
        " upper(trim(nama)) AS nama, try_cast(tanggal_lahir AS DATE) AS tanggal_lahir,"
        " upper(trim(segmen)) AS segmen, upper(trim(status)) AS status"
        " FROM read_csv(?, all_varchar = true, header = true)",
        [src],
    )
    con.execute(
        "CREATE TABLE l AS SELECT nik AS uid, nik, nama, tanggal_lahir FROM read_parquet(?)", [people]
    )
    method = sys.argv[4] if len(sys.argv) > 4 else "splink"
    if method == "sql":
        predictions = hand_written_link(con)
    else:
        predictions = tutorial_splink(con)  # bench/linkage.py: the same set-up as its plain-Splink baseline
    con.execute(
        f"COPY (SELECT r.*, p.uid_l AS registry_nik, p.match_probability FROM r LEFT JOIN"  # noqa: S608
        f" (SELECT * FROM {predictions} WHERE source_dataset_l = 'registry') p ON p.uid_r = r.uid)"
        f" TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
    )
    linked = con.execute(
        "SELECT count(*) FROM read_parquet(?) WHERE registry_nik IS NOT NULL", [out]
    ).fetchone()
    print(linked[0] if linked else 0)


if __name__ == "__main__":
    main()
