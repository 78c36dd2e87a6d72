"""Registry import throughput against DuckDB's own CSV -> Parquet copy of the same file.

Usage: python bench/import.py [--people N] [--file CSV] [--dirty] [--repeat N]
Default 3,000,000 people (synthetic, Kota Bekasi).  Goal: our import (with validation) runs
at >= 0.5x the speed of ``COPY (SELECT * FROM read_csv(file)) TO 'x.parquet'``.
Uses a temporary DATA_DIR and a temporary SQLite database.  With --repeat N both sides run
N times (each import into a fresh DATA_DIR) and the best times count: other work on the
machine only ever slows a run down.  Our time is broken down by step (snapshot stats).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REF = dt.date(2026, 1, 1)


def build_csv(path: Path, people: int, *, dirty: bool) -> None:
    try:
        from sigap.synth import DirtyKnobs, generate_registry, write_table
    except ImportError:
        _build_csv_by_hand(path, people)
        return
    knobs = DirtyKnobs.preset() if dirty else DirtyKnobs()
    write_table(generate_registry(region="3275", people=people, seed=1, dirty=knobs), path)


def _build_csv_by_hand(path: Path, people: int) -> None:
    """Fallback when the synthetic generator is absent: plain valid rows in Kota Bekasi."""
    from sigap.core.nik import make_nik
    from sigap.core.schema import SOURCE_COLUMNS
    from sigap.reference import regions

    kelurahan = regions().descendants("3275", "desa_kelurahan")
    rng = random.Random(1)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter="|")
        writer.writerow(SOURCE_COLUMNS)
        for i in range(people):
            kel = rng.choice(kelurahan)
            born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(25_000))
            sex = rng.choice("LP")
            nik = make_nik(kel.code[:6], born, sex, 1 + i % 9999)
            writer.writerow(
                [i, "32", "3275", kel.code[:6], kel.code, "JL", "", "001", "002", f"32750101{i:08d}", nik,
                 f"WARGA {i}", born.isoformat(), "BEKASI", sex, "IBU", "ANAK", 1 + i % 10, "PEDAGANG"]
            )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3_000_000)
    parser.add_argument("--file", type=Path, help="use this CSV instead of generating one")
    parser.add_argument("--dirty", action="store_true", help="generate with the synthetic defect preset")
    parser.add_argument("--repeat", type=int, default=1, help="run both sides N times, keep the best")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sigap-bench-import-"))
    os.environ["SIGAP_DATA_DIR"] = str(tmp / "data")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    import duckdb

    from sigap.registry.actions import snapshot_import
    from sigap.registry.models import Snapshot

    try:
        if args.file:
            source = args.file
        else:
            source = tmp / "registry.csv"
            t = time.perf_counter()
            build_csv(source, args.people, dirty=args.dirty)
            print(f"generated {args.people:,} people in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        size_mb = source.stat().st_size / 1e6

        duck_s = ours_s = float("inf")
        for _ in range(max(args.repeat, 1)):
            t = time.perf_counter()
            con = duckdb.connect()
            con.execute(
                f"COPY (SELECT * FROM read_csv('{source}')) TO '{tmp / 'duckdb.parquet'}' (FORMAT parquet)"
            )
            duck_s = min(duck_s, time.perf_counter() - t)
            rows = con.execute(f"SELECT count(*) FROM '{tmp / 'duckdb.parquet'}'").fetchone()[0]
            con.close()

            Snapshot.objects.all().delete()  # import again, not "already imported"
            t = time.perf_counter()
            result = snapshot_import(path=source, reference_date=REF)
            elapsed = time.perf_counter() - t
            if elapsed < ours_s:
                ours_s, best = elapsed, result

        print(f"file: {source.name}, {size_mb:,.0f} MB, {rows:,} rows")
        print(f"duckdb copy : {duck_s:7.2f} s  {rows / duck_s:12,.0f} rows/s")
        print(f"sigap import: {ours_s:7.2f} s  {rows / ours_s:12,.0f} rows/s  "
              f"(accepted {best.accepted:,}, rejected {best.rejected:,}, warnings {best.warnings:,})")  # fmt: skip
        steps = best.snapshot.stats.get("timings", {})
        build_s = best.snapshot.stats.get("seconds", 0.0)
        print(f"  {'hash, encoding check, bookkeeping':<38}: {ours_s - build_s:.2f} s")
        for step, seconds in steps.items():
            print(f"  {step:<38}: {seconds:.2f} s")
        print(f"speed ratio (ours / duckdb): {duck_s / ours_s:.2f}x  (goal >= 0.5x)")
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
