"""The roster import's work by hand, for bench/chain.py: parse the BPJS TK roster, then link it to the
registry with Splink set up as its tutorial does (exact-NIK and birth date + first letter blocking,
EM-trained), on DuckDB.  SIGAP's ``sigap roster import`` does both (ADR 0022).

    python bench/chain_roster_baseline.py ROSTER.csv PEOPLE.parquet OUT.parquet
"""

from __future__ import annotations

import os
import sys

import duckdb

from linkage import tutorial_splink


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
