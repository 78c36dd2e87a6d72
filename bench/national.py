"""Many-programme targeting: the 27 kabupaten/kota of Jawa Barat in one pass, on DuckDB and on Spark.

    .venv/bin/python bench/national.py --people 1000000
    .venv/bin/python bench/national.py --people 3000000 --master local[2]

Builds a synthetic snapshot of N people spread over every desa/kelurahan of Jawa Barat (so Kabupaten
Bogor has ~18x the people of Kota Banjar, as villages go), writes it partitioned by provinsi and
kabupaten/kota, and a BPJS TK roster; gives each kabupaten/kota its own programme (budget ~ 3%
of its people, start month and rules varying); then, in the same run:

(a) DuckDB -- ``sigap.engine.many.run_many`` on ``DuckDBEngine`` (the laptop/server path);
(b) Spark  -- the same on ``SparkEngine`` (``--master``, default ``local[2]``), with the event log on
    so every task's rows read (input + shuffle) are counted afterwards.

Prints both times, whether every programme's figures and decisions digest are equal (exit 1 if
not), and the largest task's share of rows per Spark stage (goal: no task above 2x its stage's
mean).  Spark's start-up (JVM, session) is timed apart from the run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sigap.core.multiprogramme import ProgrammeRun
from sigap.core.programme import ProgrammeSpec
from sigap.core.tiebreak import TieBreak
from sigap.engine import DuckDBEngine
from sigap.engine.many import ManyResult, partition_snapshot, run_many
from sigap.reference import regions
from sigap.synth.snapshot_sql import people_sql, roster_sql

PROVINCE = "32"
COST_12_MONTHS = 201_600


def programmes(people_per_kab: dict[str, int]) -> list[ProgrammeRun]:
    """One programme per kabupaten/kota: budget for ~3% of its people (the cut falls inside the eligible), start month and rules varying."""
    runs = []
    for i, (code, people) in enumerate(sorted(people_per_kab.items())):
        start = 1 + i % 6
        doc: dict[str, Any] = {
            "programme": {
                "code": f"JABAR-{code}-2026",
                "name": f"Program {code}",
                "region": code,
                "fiscal_year": 2026,
                "budget": max(1, people // 30) * COST_12_MONTHS,
                "coverage_start": f"2026-{start:02d}",
            },
            "eligibility": {},
            "priority": {},
        }
        if i % 3 == 1:
            doc["eligibility"]["desil_max"] = 4
            doc["priority"]["order"] = ["desil", "kk_size_desc", "age_desc"]
        if i % 5 == 2:
            doc["eligibility"]["occupations_excluded"] = ["SOPIR"]
        runs.append(ProgrammeRun(ProgrammeSpec.from_dict(doc), TieBreak.seeded(f"bench-{code}")))
    return runs


def task_skew(event_dir: Path) -> list[dict[str, Any]]:
    """Per Spark stage: tasks, rows read (input + shuffle) in total, by the largest task, and its
    ratio to the stage's mean -- from the event log's SparkListenerTaskEnd events."""
    stages: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    writes: set[int] = set()
    for log in sorted(p for p in event_dir.rglob("*") if p.is_file()):  # Spark 4: eventlog_v2_*/events_*
        with log.open() as f:
            for line in f:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue
                kind = event.get("Event")
                if kind == "SparkListenerJobStart":
                    description = (event.get("Properties") or {}).get("spark.job.description") or ""
                    if description.startswith("sigap: write"):
                        writes.update(event.get("Stage IDs", []))
                if kind == "SparkListenerStageCompleted":
                    info = event["Stage Info"]
                    names[info["Stage ID"]] = info.get("Stage Name", "")
                if kind != "SparkListenerTaskEnd" or "Task Metrics" not in event:
                    continue
                metrics = event["Task Metrics"]
                rows = int(metrics.get("Input Metrics", {}).get("Records Read", 0)) + int(
                    metrics.get("Shuffle Read Metrics", {}).get("Total Records Read", 0)
                )
                stages.setdefault(event["Stage ID"], []).append(rows)
    out = []
    for stage, rows in sorted(stages.items()):
        total = sum(rows)
        mean = total / len(rows) if rows else 0
        out.append(
            {
                "stage": stage,
                "pass": stage in writes,
                "name": names.get(stage, "")[:60],
                "tasks": len(rows),
                "rows": total,
                "max_task_rows": max(rows) if rows else 0,
                "max_over_mean": (max(rows) / mean) if mean else 0.0,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]", help="Spark master (local[2], spark://..., sc://...)")
    parser.add_argument("--shuffle-partitions", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()
    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="sigap-national-")
        args.workdir = Path(tmp.name)
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        kelurahan = [r.code for r in regions().descendants(PROVINCE, "desa_kelurahan")]
        with DuckDBEngine(threads=args.threads) as duck:
            duck.copy_to_parquet(people_sql(args.people, kelurahan=kelurahan), work / "people.parquet")
            duck.register_parquet("people", work / "people.parquet")
            duck.copy_to_parquet(roster_sql("people"), work / "roster.parquet")
            written = partition_snapshot(duck, work / "people.parquet", work / "snapshot")
            per_kab = dict(
                duck.fetch("SELECT substr(kode_kelurahan, 1, 4), count(*) FROM people GROUP BY 1")  # type: ignore[arg-type]
            )
        os.sync()
        runs = programmes(per_kab)
        sizes = sorted(per_kab.values())
        print(
            f"snapshot: {written:,} people in {len(per_kab)} kabupaten/kota (smallest {sizes[0]:,}, "
            f"largest {sizes[-1]:,}), partitioned, built in {time.perf_counter() - started:.1f} s"
        )

        t = time.perf_counter()
        with DuckDBEngine(threads=args.threads) as duck:
            on_duckdb = run_many(
                duck,
                runs,
                people=work / "snapshot",
                roster=work / "roster.parquet",
                output=work / "out-duckdb",
            )
        duck_seconds = time.perf_counter() - t
        print(f"DuckDB ({args.threads} threads): {duck_seconds:.2f} s for {on_duckdb.rows:,} decisions")
        result: dict[str, Any] = {"people": args.people, "duckdb_seconds": duck_seconds}
        if not args.skip_spark:
            result.update(spark_phase(args, runs, on_duckdb))
        totals = {
            k: sum(getattr(f, k) for f in on_duckdb.programmes)
            for k in ("selected", "waiting", "ineligible", "cost")
        }
        print("totals:", ", ".join(f"{k} {v:,}" for k, v in totals.items()))
        print(json.dumps(result))
        if result.get("equal") is False:
            sys.exit(1)
    finally:
        if tmp is not None:
            tmp.cleanup()


def spark_phase(args: argparse.Namespace, runs: list[ProgrammeRun], on_duckdb: ManyResult) -> dict[str, Any]:
    from sigap.engine.spark_engine import SparkEngine

    work: Path = args.workdir
    events = work / "spark-events"
    shutil.rmtree(events, ignore_errors=True)
    events.mkdir()
    t = time.perf_counter()
    engine = SparkEngine(
        master=args.master,
        app_name="sigap-bench-national",
        config={
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": str(events),
            "spark.eventLog.compress": "false",
            "spark.sql.shuffle.partitions": str(args.shuffle_partitions),
            # keep the planned partitions so the per-task shares are those of the plan
            "spark.sql.adaptive.coalescePartitions.enabled": "false",
            "spark.driver.memory": "4g",
        },
        stop_session=True,
    )
    engine.fetch("SELECT 1")
    startup = time.perf_counter() - t
    t = time.perf_counter()
    on_spark = run_many(
        engine, runs, people=work / "snapshot", roster=work / "roster.parquet", output=work / "out-spark"
    )
    seconds = time.perf_counter() - t
    tracker = engine.session.sparkContext.statusTracker()
    jobs = len(tracker.getJobIdsForGroup(None))
    engine.close()
    equal = on_spark.programmes == on_duckdb.programmes and on_spark.rows == on_duckdb.rows
    print(f"Spark ({args.master}): start-up {startup:.1f} s, run {seconds:.2f} s, {jobs} jobs", flush=True)
    skew = task_skew(events)
    # the stages of the pass itself (the partitioned write), reading at least 5% of the rows
    busy = [s for s in skew if s["pass"] and s["rows"] >= on_duckdb.rows * 0.05 and s["tasks"] > 1]
    worst = max(busy, key=lambda s: s["max_over_mean"]) if busy else None
    print(f"same figures and digests for all {len(runs)} programmes: {equal}")
    for s in skew:
        flag = "  <- over 2x" if s["max_over_mean"] > 2 and s in busy else ""
        print(
            f"  {'pass' if s['pass'] else 'read'} stage {s['stage']:3d} {s['tasks']:4d} tasks {s['rows']:>12,} rows, largest task "
            f"{s['max_task_rows']:>10,} = {s['max_over_mean']:.2f}x mean{flag}  {s['name']}"
        )
    if worst:
        print(
            f"largest task of the pass (stages reading >= 5% of the rows): {worst['max_over_mean']:.2f}x its "
            f"stage's mean (stage {worst['stage']}; goal <= 2x)"
        )
    return {
        "spark_seconds": seconds,
        "spark_startup_seconds": startup,
        "equal": equal,
        "worst_task_over_mean": worst["max_over_mean"] if worst else None,
        "stages": skew,
    }


if __name__ == "__main__":
    main()
