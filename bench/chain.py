"""The chain an officer waits for, timed as whole commands: import -> targeting -> approve.

    .venv/bin/python bench/chain.py --people 3000000
    .venv/bin/python bench/chain.py --people 3000000 --database postgres://postgres@127.0.0.1:5432/sigap_bench_chain
    .venv/bin/python bench/chain.py --people 50000000 --region 32 --budget 20000000000 --memory-limit 5GB \
        --workdir /big/disk

``--region`` is the programme's region: a kabupaten/kota (a ``sigap generate`` extract) or a province
(``32``: the same source layout written by DuckDB SQL, people spread evenly over its desa/kelurahan).

Each step is SIGAP's own command run as a user runs it (a fresh ``sigap`` process: Django start-up,
database writes, files, audit rows), timed with its peak RSS, beside a hand-written baseline of the same
work run the same way (a fresh Python process with DuckDB, and sqlite3/psycopg for the rows people
act on), in the same run on the same files:

- ``sigap registry import`` / ``roster import``  vs  DuckDB ``read_csv`` -> typed, de-duplicated Parquet;
  the roster import also links the roster to the registry (ADR 0022), so it is shown a second time beside
  ``chain_roster_baseline.py``: the same parse plus Splink as its tutorial sets it up (EM-trained);
- ``sigap targeting run``  vs  one DuckDB script: eligibility (domicile, desil, informal occupation, age,
  not deceased, not AKTIF at BPJS TK), priority rank, budget cut; writes decisions.parquet,
  beneficiaries.csv and waiting_list.csv;
- ``sigap run approve``  vs  the selected people inserted as member rows in the database, the public
  status file (keyed hash of NIK + KK, sorted) written by DuckDB, and the dashboard's counts per
  kelurahan x desil x occupation inserted as rows.

The baseline's eligible and selected counts are checked against SIGAP's.  Goals (issue 7): every step
<= 3x its baseline at 3 M people; <= 2x and peak RSS <= 8 GB at 50 M.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
SIGAP = str(Path(PYTHON).with_name("sigap"))


def run_child(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, float, str]:
    """(wall seconds, the child's own peak RSS in MB via ``wait4``, stdout) of one whole process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err[-3000:]}{out[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out


def last_json(out: str) -> dict[str, Any]:
    return json.loads(out.strip().splitlines()[-1])


BASELINE_IMPORT = """
import sys, duckdb
src, out, kind = sys.argv[1], sys.argv[2], sys.argv[3]
import os
con = duckdb.connect(config={'memory_limit': os.environ['SIGAP_ENGINE_MEMORY_LIMIT']} if os.environ.get('SIGAP_ENGINE_MEMORY_LIMIT') else {})
if kind == "registry":
    sql = '''
    SELECT nomor_nik AS nik, nomor_kk AS no_kk, upper(trim(nama)) AS nama, tempat_lahir,
           coalesce(try_strptime(tanggal_lahir, '%Y-%m-%d'), try_strptime(tanggal_lahir, '%d-%m-%Y'),
                    try_strptime(tanggal_lahir, '%d/%m/%Y'))::DATE AS tanggal_lahir,
           upper(left(trim(jenis_kelamin), 1)) AS jenis_kelamin, hubungan_keluarga, alamat, rt, rw,
           left(desa_kelurahan, 6) AS kode_kecamatan, desa_kelurahan AS kode_kelurahan,
           try_cast(desil AS TINYINT) AS desil, upper(trim(pekerjaan)) AS pekerjaan,
           coalesce(upper(trim(status_hidup)) = 'MENINGGAL', false) AS meninggal
    FROM read_csv(?, all_varchar = true, delim = '|', header = true)
    WHERE regexp_full_match(nomor_nik, '[0-9]{16}')
    QUALIFY count(*) OVER (PARTITION BY nomor_nik) = 1
    '''
else:
    sql = '''
    SELECT nik, kpj, upper(trim(nama)) AS nama, try_cast(tanggal_lahir AS DATE) AS tanggal_lahir,
           upper(trim(segmen)) AS segmen, upper(trim(status)) AS status
    FROM read_csv(?, all_varchar = true, header = true) WHERE regexp_full_match(nik, '[0-9]{16}')
    '''
con.execute(f"COPY ({sql.replace('?', repr(src))}) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
print(con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0])
"""

BASELINE_TARGETING = """
import json, sys, duckdb
people, roster, outdir, informal, risks, budget, per_person, region = (
    sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5]),
    int(sys.argv[6]), int(sys.argv[7]), sys.argv[8])
import os
con = duckdb.connect(config={'memory_limit': os.environ['SIGAP_ENGINE_MEMORY_LIMIT']} if os.environ.get('SIGAP_ENGINE_MEMORY_LIMIT') else {})
con.execute("CREATE TEMP TABLE occ AS SELECT * FROM (VALUES " + ", ".join(
    "(" + repr(n) + ", " + str(int(risks[n])) + ")" for n in informal) + ") t(name, risk)")
places = budget // per_person
con.execute(f'''
CREATE TEMP TABLE decided AS
WITH insured AS (SELECT DISTINCT nik FROM read_parquet('{roster}') WHERE status = 'AKTIF'),
e AS (
  SELECT p.nik, p.nama, p.jenis_kelamin, p.tanggal_lahir, p.kode_kecamatan, p.kode_kelurahan, p.desil,
         p.pekerjaan, o.risk,
         date_diff('year', p.tanggal_lahir, DATE '2026-01-01')
           - CASE WHEN strftime(p.tanggal_lahir, '%m-%d') > '01-01' THEN 1 ELSE 0 END AS age,
         (p.kode_kelurahan LIKE '{region}%' AND p.desil BETWEEN 1 AND 5 AND o.name IS NOT NULL
          AND NOT coalesce(p.meninggal, false) AND i.nik IS NULL) AS ok
  FROM read_parquet('{people}') p LEFT JOIN occ o ON o.name = p.pekerjaan LEFT JOIN insured i ON i.nik = p.nik
),
ranked AS (
  SELECT *, CASE WHEN ok AND age BETWEEN 18 AND 60 THEN
    row_number() OVER (PARTITION BY (ok AND age BETWEEN 18 AND 60)
                       ORDER BY desil, risk DESC, tanggal_lahir, nik) END AS rank
  FROM e
)
SELECT *, CASE WHEN rank IS NULL THEN 'ineligible' WHEN rank <= {places} THEN 'selected' ELSE 'waiting' END
  AS decision FROM ranked
''')
con.execute(f"COPY (SELECT nik, decision, rank FROM decided) TO '{outdir}/decisions.parquet' (FORMAT parquet)")
for name, decision in (("beneficiaries", "selected"), ("waiting_list", "waiting")):
    con.execute(f'''COPY (SELECT rank, nik, nama, jenis_kelamin, tanggal_lahir, age, kode_kecamatan,
        kode_kelurahan, desil, pekerjaan FROM decided WHERE decision = '{decision}' ORDER BY rank)
        TO '{outdir}/{name}.csv' (FORMAT csv, HEADER)''')
counts = dict(con.execute("SELECT decision, count(*) FROM decided GROUP BY 1").fetchall())
print(json.dumps(counts))
"""

BASELINE_APPROVE = """
import hashlib, sys, duckdb
decisions, people, outdir, database = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
import os
con = duckdb.connect(config={'memory_limit': os.environ['SIGAP_ENGINE_MEMORY_LIMIT']} if os.environ.get('SIGAP_ENGINE_MEMORY_LIMIT') else {})
rows = con.execute(f'''SELECT d.rank, p.nik, p.no_kk, p.nama, p.tempat_lahir, p.tanggal_lahir, p.jenis_kelamin,
    p.kode_kelurahan, p.pekerjaan, p.desil FROM read_parquet('{decisions}') d
    JOIN read_parquet('{people}') p USING (nik) WHERE d.decision = 'selected' ORDER BY d.rank''').fetchall()
inner, outer = hashlib.sha256(b"inner|k").hexdigest(), hashlib.sha256(b"outer|k").hexdigest()
key = f"left(sha256('{outer}' || sha256('{inner}' || p.nik || '|' || p.no_kk)), 32)"
con.execute(f'''COPY (SELECT {key} AS lookup, d.decision AS status, d.rank, p.kode_kelurahan
    FROM read_parquet('{decisions}') d JOIN read_parquet('{people}') p USING (nik)
    WHERE d.decision <> 'selected' AND p.no_kk IS NOT NULL ORDER BY lookup)
    TO '{outdir}/status.parquet' (FORMAT parquet, ROW_GROUP_SIZE 1024)''')
# the leaders' dashboard counts per kelurahan x desil x occupation, as SIGAP stores them at approval
cells = con.execute(f'''SELECT p.kode_kelurahan, p.desil, coalesce(p.pekerjaan, ''), count(*),
    count(*) FILTER (WHERE d.decision = 'selected'), count(*) FILTER (WHERE d.decision = 'waiting')
    FROM read_parquet('{decisions}') d JOIN read_parquet('{people}') p USING (nik) GROUP BY ALL''').fetchall()
cell_table = ("CREATE TABLE bench_cell (kode_kelurahan varchar(10), desil smallint, pekerjaan varchar(100),"
              " people int, selected int, waiting int)")
if database.startswith("postgres"):
    import psycopg
    with psycopg.connect(database, autocommit=False) as db:
        db.execute("DROP TABLE IF EXISTS bench_member")
        db.execute("CREATE TABLE bench_member (id bigserial primary key, rank int, nik varchar(16), no_kk varchar(16),"
                   " nama varchar(200), tempat_lahir varchar(100), tanggal_lahir date, jenis_kelamin varchar(1),"
                   " kode_kelurahan varchar(10), pekerjaan varchar(100), desil smallint, UNIQUE (nik))")
        with db.cursor().copy("COPY bench_member (rank, nik, no_kk, nama, tempat_lahir, tanggal_lahir,"
                              " jenis_kelamin, kode_kelurahan, pekerjaan, desil) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        db.execute("DROP TABLE IF EXISTS bench_cell")
        db.execute(cell_table)
        with db.cursor().copy("COPY bench_cell FROM STDIN") as copy:
            for r in cells:
                copy.write_row(r)
        db.commit()
else:
    import sqlite3
    db = sqlite3.connect(database)
    db.execute("DROP TABLE IF EXISTS bench_member")
    db.execute("CREATE TABLE bench_member (id integer primary key, rank int, nik text UNIQUE, no_kk text, nama text,"
               " tempat_lahir text, tanggal_lahir text, jenis_kelamin text, kode_kelurahan text, pekerjaan text,"
               " desil int)")
    db.executemany("INSERT INTO bench_member (rank, nik, no_kk, nama, tempat_lahir, tanggal_lahir, jenis_kelamin,"
                   " kode_kelurahan, pekerjaan, desil) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   [(*r[:5], str(r[5]), *r[6:]) for r in rows])
    db.execute("DROP TABLE IF EXISTS bench_cell")
    db.execute(cell_table)
    db.executemany("INSERT INTO bench_cell VALUES (?,?,?,?,?,?)", cells)
    db.commit()
print(len(rows))
"""


def generate(people: int, region: str, registry: Path, roster: Path, env: dict[str, str]) -> None:
    """The source extracts: ``sigap generate`` for a kabupaten/kota (families, names, dirty data); for a
    province, DuckDB SQL writing the same source layout with valid unique NIKs
    (:func:`sigap.synth.snapshot_sql.source_sql`; person by person, 50 M would take an hour here)."""
    if len(region) == 4:
        cmd = [SIGAP, "generate", str(registry), "--people", str(people), "--region", region,
               "--roster", str(roster), "--json"]  # fmt: skip
        run_child(cmd, env)
        return
    import duckdb

    from sigap.reference import regions
    from sigap.synth.snapshot_sql import source_roster_sql, source_sql

    kelurahan = [r.code for r in regions().descendants(region, "desa_kelurahan")]
    sql = source_sql(people, kelurahan=kelurahan)
    con = duckdb.connect()
    con.execute(f"COPY ({sql}) TO '{registry}' (FORMAT csv, HEADER, DELIMITER '|')")
    con.execute(f"COPY ({source_roster_sql(f'({sql})')}) TO '{roster}' (FORMAT csv, HEADER, DELIMITER '|')")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=3_000_000)
    parser.add_argument("--database", default="", help="DATABASE_URL (default: a new SQLite file)")
    parser.add_argument("--workdir", default="", help="where files go (default: a temporary folder)")
    parser.add_argument("--budget", type=int, default=2_000_000_000)
    parser.add_argument("--region", default="3275", help="the programme's region: kabupaten/kota or province")
    parser.add_argument(
        "--memory-limit",
        default="",
        help="SIGAP_ENGINE_MEMORY_LIMIT for SIGAP and the baselines' DuckDB (e.g. 5GB)",
    )
    parser.add_argument(
        "--link-baseline",
        choices=("splink", "sql"),
        default="splink",
        help="the roster import's linking baseline: plain Splink as its tutorial sets it up, or hand-written "
        "DuckDB SQL (bench/chain_roster_baseline.py; at 50 M plain Splink's EM pairs outgrow the disk)",
    )
    parser.add_argument(
        "--skip-link-baseline",
        action="store_true",
        help="do not run the roster import's linking baseline (plain Splink: at 50 M its blocked pairs "
        "spilled > 60 GB of disk and failed)",
    )
    args = parser.parse_args()

    from sigap.core import occupations as occ

    work = Path(args.workdir or tempfile.mkdtemp(prefix="sigap-chain-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"data-{args.people}"
    if data.exists():
        import shutil

        shutil.rmtree(data)
    data.mkdir()
    registry, roster = work / f"registry-{args.people}.csv", work / f"roster-{args.people}.csv"
    env = {**os.environ, "SIGAP_DATA_DIR": str(data), "SIGAP_DEBUG": "0"}
    if args.memory_limit:
        env["SIGAP_ENGINE_MEMORY_LIMIT"] = args.memory_limit
    if args.database:
        env["DATABASE_URL"] = args.database
        if args.database.startswith("postgres"):
            import psycopg

            name = args.database.rsplit("/", 1)[1]
            admin = args.database.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
    else:
        env.pop("DATABASE_URL", None)
    baseline_db = args.database or str(work / "baseline.sqlite3")

    if not registry.exists() or not roster.exists():
        print(f"generating {args.people:,} people in {args.region} ...", flush=True)
        generate(args.people, args.region, registry, roster, env)
    run_child([SIGAP, "manage", "migrate", "-v0"], env)
    run_child(
        [
            SIGAP,
            "user",
            "create",
            "bench.kadis",
            "--role",
            "kepala_dinas",
            "--area",
            args.region,
            "--password-stdin",
        ],
        env,
        stdin="bench-password-1234\n",
    )
    programme = work / "programme.toml"
    template = run_child([SIGAP, "programme", "template"], env)[2]
    programme.write_text(
        template.replace("budget = 2_000_000_000", f"budget = {args.budget}").replace(
            'region = "3275"', f'region = "{args.region}"'
        )
    )

    rows: list[tuple[str, float, float, float, float]] = []

    def step(name: str, ours: list[str], base: list[str], stdin: str | None = None) -> tuple[str, str]:
        wall, rss, out = run_child(ours, env, stdin)
        bwall, brss, bout = run_child(base, env)
        rows.append((name, wall, rss, bwall, brss))
        print(
            f"{name:<28} {wall:8.2f} s {rss:8.0f} MB | baseline {bwall:8.2f} s {brss:8.0f} MB | "
            f"ratio {wall / bwall:5.2f}",
            flush=True,
        )
        return out, bout

    base_dir = work / f"baseline-{args.people}"
    base_dir.mkdir(exist_ok=True)

    def baseline(code: str, *argv: str) -> list[str]:
        path = work / f"baseline_{abs(hash(code))}.py"
        path.write_text(textwrap.dedent(code))
        return [PYTHON, str(path), *argv]

    out, _ = step(
        "registry import",
        [SIGAP, "registry", "import", str(registry), "--json"],
        baseline(BASELINE_IMPORT, str(registry), str(base_dir / "people.parquet"), "registry"),
    )
    print("  snapshot:", {k: last_json(out).get(k) for k in ("rows", "accepted", "rejected")}, flush=True)
    step(
        "roster import",
        [SIGAP, "roster", "import", str(roster), "--json"],
        baseline(BASELINE_IMPORT, str(roster), str(base_dir / "roster.parquet"), "roster"),
    )
    # SIGAP's roster import also links the roster to the registry (ADR 0022): beside the parse-only
    # baseline above, the same work by hand -- parse + Splink as its tutorial sets it up
    _name, wall, rss, _bwall, _brss = rows[-1]
    links = base_dir / "links.parquet"
    if args.skip_link_baseline:
        print(f"{'  vs parse + link':<28} skipped (--skip-link-baseline)", flush=True)
    else:
        started = time.perf_counter()
        try:
            bwall, brss, bout = run_child(
                [PYTHON, str(HERE / "chain_roster_baseline.py"), str(roster), str(base_dir / "people.parquet"),
                 str(links), args.link_baseline],
                env,
            )  # fmt: skip
        except SystemExit as failed:  # e.g. its blocked pairs outgrow the disk at a province's size
            reason = [line for line in str(failed).splitlines() if "Error" in line][-1:] or ["?"]
            print(
                f"{'  vs parse + ' + args.link_baseline:<28} {wall:8.2f} s {rss:8.0f} MB | baseline FAILED after "
                f"{time.perf_counter() - started:.0f} s: {reason[0][:200]}",
                flush=True,
            )
        else:
            rows.append(("roster import, vs parse + link", wall, rss, bwall, brss))
            linked = bout.strip().splitlines()[-1] if bout.strip() else "?"
            print(
                f"{'  vs parse + ' + args.link_baseline:<28} {wall:8.2f} s {rss:8.0f} MB | baseline {bwall:8.2f} s "
                f"{brss:8.0f} MB | ratio {wall / bwall:5.2f} (baseline linked {linked} roster rows)",
                flush=True,
            )
    run_child([SIGAP, "programme", "apply", str(programme), "--json"], env)
    informal = occ.names_in("informal")
    risks = {name: occ.lookup(name).risk for name in informal}
    out, bout = step(
        "targeting run",
        [SIGAP, "targeting", "run", "--programme", "SIGAP-2026", "--json"],
        baseline(
            BASELINE_TARGETING,
            str(base_dir / "people.parquet"),
            str(base_dir / "roster.parquet"),
            str(base_dir),
            json.dumps(informal),
            json.dumps(risks),
            str(args.budget),
            "201600",
            args.region,
        ),
    )
    run = last_json(out)
    counts = json.loads(bout.strip().splitlines()[-1])
    check = {
        "selected": (run["selected"], counts.get("selected", 0)),
        "waiting": (run["waiting"], counts.get("waiting", 0)),
    }
    print("same decisions as the baseline:", {k: v[0] == v[1] for k, v in check.items()}, check, flush=True)
    run_child([SIGAP, "run", "submit", str(run["run"]), "--json"], env)
    step(
        "run approve",
        [SIGAP, "run", "approve", str(run["run"]), "--as", "bench.kadis", "--json"],
        baseline(
            BASELINE_APPROVE,
            str(base_dir / "decisions.parquet"),
            str(base_dir / "people.parquet"),
            str(base_dir),
            baseline_db,
        ),
    )
    # the parse-only roster baseline is not the same work (no linkage): its line is shown, not judged
    worst = max(r[1] / r[3] for r in rows if r[0] != "roster import")
    peak = max(max(r[2] for r in rows), 0)
    print(
        json.dumps(
            {
                "people": args.people,
                "database": "postgresql" if args.database.startswith("postgres") else "sqlite",
                "worst_ratio": round(worst, 2),
                "peak_rss_mb": round(peak),
                "steps": [
                    {
                        "step": r[0],
                        "seconds": round(r[1], 2),
                        "rss_mb": round(r[2]),
                        "baseline_seconds": round(r[3], 2),
                        "ratio": round(r[1] / r[3], 2),
                    }
                    for r in rows
                ],
            }
        )
    )


if __name__ == "__main__":
    main()
