"""Many programmes in one pass on any engine, and registry snapshots partitioned by region.

:func:`run_many` runs :func:`sigap.core.multiprogramme.multi_decisions_sql` over a snapshot and
writes ONE decisions data set partitioned by programme (``<output>/programme=<CODE>/*.parquet``),
then reads back each programme's figures and decisions digest (the same digest rule as a
targeting run, :func:`sigap.core.selection.decisions_fingerprint`).  On DuckDB it is a laptop's
province; on Spark (``SIGAP_ENGINE=spark``) the nation's ~500 programmes, ranked and cut in
parallel (no stage of the plan is a single partition).

:func:`partition_snapshot` writes a snapshot as ``<target>/provinsi=32/kabupaten_kota=3275/...``
so a city reads only its folder (:func:`snapshot_part`) and Spark reads the nation in parallel;
people without a domicile code go to ``provinsi=00/kabupaten_kota=0000``.

Paths are local folders or, on Spark, any URL the cluster writes (``s3a://``, ``gs://``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sigap.core import selection
from sigap.core.multiprogramme import ProgrammeRun, multi_decisions_sql
from sigap.engine.base import Engine, sql_string

#: Partition columns of a partitioned snapshot, and their value when the domicile code is missing.
PARTITION_COLUMNS = (("provinsi", 2, "00"), ("kabupaten_kota", 4, "0000"))


def partition_snapshot(engine: Engine, source: Path | str, target: Path | str) -> int:
    """Write the snapshot at ``source`` (a file or a partitioned folder) to ``target`` partitioned by
    provinsi and kabupaten/kota; return the number of people written."""
    engine.register_parquet("snapshot_source", source)
    existing = {c for c, _, _ in PARTITION_COLUMNS}
    columns = [c for c in engine.columns("snapshot_source") if c not in existing]
    keys = ", ".join(
        f"COALESCE(substr(kode_kelurahan, 1, {n}), {sql_string(missing)}) AS {name}"
        for name, n, missing in PARTITION_COLUMNS
    )
    sql = f"SELECT {', '.join(columns)}, {keys} FROM snapshot_source"  # noqa: S608 -- names from the file
    return engine.copy_to_partitioned_parquet(sql, target, partition_by=[c for c, _, _ in PARTITION_COLUMNS])


def snapshot_part(root: Path | str, region: str) -> str:
    """The folder of ``region`` (a provinsi or kabupaten/kota code) in a partitioned snapshot."""
    if len(region) not in (2, 4) or not region.isdigit():
        raise ValueError(f"'{region}' is not a provinsi or kabupaten/kota code")
    path = f"{str(root).rstrip('/')}/provinsi={region[:2]}"
    return path if len(region) == 2 else f"{path}/kabupaten_kota={region}"


@dataclass
class ProgrammeFigures:
    """One programme's outcome in a many-programme pass."""

    programme: str
    region: str
    people: int = 0
    eligible: int = 0
    selected: int = 0
    waiting: int = 0
    ineligible: int = 0
    cost_per_person: int = 0
    cost: int = 0
    budget: int = 0
    remaining: int = 0
    tie_break_seed: str = ""
    decisions_sha256: str = ""


@dataclass
class ManyResult:
    """What :func:`run_many` did: rows written, people outside every programme's region, per-programme
    figures."""

    output: str
    engine: str
    rows: int
    snapshot_people: int
    outside: int
    seconds: float
    programmes: list[ProgrammeFigures] = field(default_factory=list)
    #: Programme code -> TargetingRun id, when the pass was registered as runs (sigap.programmes.many).
    runs: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_many(
    engine: Engine,
    runs: Sequence[ProgrammeRun],
    *,
    people: Path | str,
    output: Path | str,
    roster: Path | str | None = None,
    excluded: Path | str | None = None,
    everyone: bool = False,
) -> ManyResult:
    """Decide every person of the snapshot ``people`` under the programme of their domicile.

    ``roster``: a BPJS TK roster snapshot; ``excluded``: Parquet of ``(programme, nik, reason)``
    (e.g. people covered by another programme).  A partitioned snapshot is read only for the
    provinces of the programmes (partition pruning).  ``everyone``: each programme's partition also
    lists every person outside its region, as its own run's decisions file does
    (:func:`sigap.core.multiprogramme.multi_decisions_sql`); the whole snapshot is read, and a
    programme's figures are then its own run's.
    """
    started = time.perf_counter()
    engine.register_parquet("many_people_all", people)
    if "provinsi" in engine.columns("many_people_all") and not everyone:
        provinces = ", ".join(sql_string(p) for p in sorted({r.spec.region[:2] for r in runs}))
        engine.execute(
            "CREATE OR REPLACE VIEW many_people AS SELECT * FROM many_people_all "  # noqa: S608 -- quoted
            f"WHERE provinsi IN ({provinces})"
        )
    else:
        engine.execute("CREATE OR REPLACE VIEW many_people AS SELECT * FROM many_people_all")
    if roster is not None:
        engine.register_parquet("many_insured", roster)
    if excluded is not None:
        engine.register_parquet("many_excluded", excluded)
    sql = multi_decisions_sql(
        runs,
        people="many_people",
        insured="many_insured" if roster is not None else None,
        excluded="many_excluded" if excluded is not None else None,
        everyone=everyone,
    )
    rows = engine.copy_to_partitioned_parquet(sql, output, partition_by=["programme"])
    engine.register_parquet("many_decisions", output)
    total = int(engine.fetch("SELECT count(*) FROM many_people")[0][0])
    # people in some programme's region: their rows do not fail the domicile rule (bit 0)
    inside = (
        int(engine.fetch("SELECT count(*) FROM many_decisions WHERE fails % 2 = 0")[0][0])
        if everyone
        else rows
    )
    counts = engine.fetch(
        "SELECT programme, decision, count(*), CAST(COALESCE(sum(cost), 0) AS BIGINT) "
        "FROM many_decisions GROUP BY programme, decision"
    )
    columns = engine.columns("many_decisions")
    digests = {
        str(code): selection.decisions_fingerprint(int(n), str(checksum))
        for code, n, checksum in engine.fetch(
            selection.digest_sql(
                "many_decisions", columns=columns, dialect=engine.dialect, group_by="programme"
            )
        )
    }
    figures = {
        r.code: ProgrammeFigures(
            programme=r.code,
            region=r.spec.region,
            cost_per_person=r.cost(),
            budget=r.spec.budget,
            tie_break_seed=r.tie_break.seed,
            decisions_sha256=digests.get(r.code, ""),
        )
        for r in runs
    }
    for code, decision, n, cost in counts:
        f = figures[str(code)]
        setattr(f, str(decision), int(n))
        f.people += int(n)
        f.cost += int(cost)
    for f in figures.values():
        f.eligible = f.selected + f.waiting
        f.remaining = f.budget - f.cost
        if f.cost != f.selected * f.cost_per_person or f.remaining < 0:
            raise RuntimeError(f"programme {f.programme}: totals do not add up ({f})")
    return ManyResult(
        output=str(output),
        engine=engine.version(),
        rows=rows,
        snapshot_people=total,
        outside=total - inside,
        seconds=time.perf_counter() - started,
        programmes=[figures[r.code] for r in runs],
    )
