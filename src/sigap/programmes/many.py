"""Many programmes in one pass from the Django side: ``sigap targeting run-many`` and
``sigap registry partition`` (ADR 0017, docs/operations/spark.md).

:func:`targeting_run_many` takes the programmes' stored definitions, gives each its tie-break seed
(:func:`sigap.programmes.actions.tie_break_for`) and the people another APBD programme already
covers, and runs :func:`sigap.engine.many.run_many` on the configured engine
(``SIGAP_ENGINE``).  It writes ``<output>/decisions/programme=<CODE>/*.parquet`` and
``<output>/run-many.json`` (figures, seeds and digests per programme) and one audit row.

It registers no TargetingRun: a pass over the nation produces ~500 draft lists nobody acts on yet.
What people act on comes back into the Django database the usual way -- each Dinas runs (or
re-runs with the pass's seed, ``sigap targeting run --tie-break-seed``) its own programme, whose
run gives the same decisions and digest as the pass's partition for its people, and approves it
(ADR 0013); only approved lists become members.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from sigap.audit.actions import Actor, audit_record
from sigap.core.multiprogramme import ProgrammeRun
from sigap.core.programme import SpecError
from sigap.engine import Engine, targeting_engine
from sigap.engine.many import ManyResult, partition_snapshot, run_many
from sigap.errors import UserError
from sigap.programmes.models import Programme, TargetingRun
from sigap.registry.models import Snapshot


def programmes_for(
    *, codes: Sequence[str] = (), region: str | None = None, fiscal_year: int | None = None
) -> list[Programme]:
    """Programmes named by code, or every programme whose region lies in ``region`` (e.g. ``32``)."""
    if codes:
        found = {p.code: p for p in Programme.objects.filter(code__in=list(codes))}
        missing = [c for c in codes if c not in found]
        if missing:
            raise UserError(f"programme(s) {', '.join(missing)} do not exist (sigap programme apply FILE)")
        return [found[c] for c in codes]
    if not region:
        raise UserError("name the programmes (--programmes A,B) or a region (--region 32)")
    query = Programme.objects.filter(region__startswith=region)
    if fiscal_year is not None:
        query = query.filter(fiscal_year=fiscal_year)
    chosen = list(query.order_by("region", "code"))
    if not chosen:
        raise UserError(f"no programme in region {region}" + (f" for {fiscal_year}" if fiscal_year else ""))
    return chosen


def targeting_run_many(
    *,
    programmes: Sequence[Programme],
    snapshot: Snapshot | None = None,
    roster: Snapshot | None = None,
    people_path: str | None = None,
    output: str | None = None,
    engine: Engine | None = None,
    acting_user: Actor = None,
) -> ManyResult:
    """Decide every person under the programme of their domicile, all ``programmes`` in one pass.

    ``people_path`` (a partitioned snapshot folder or URL, ``sigap registry partition``) replaces
    ``snapshot`` (default: the newest registry snapshot); ``output`` defaults to
    ``DATA_DIR/runs/many-<id>``.
    """
    from sigap.enrolment.selectors import covered_by_other_programmes
    from sigap.programmes.actions import _write_pairs, tie_break_for

    if people_path is None:
        snapshot = snapshot or Snapshot.objects.filter(kind=Snapshot.REGISTRY).order_by("-id").first()
        if snapshot is None:
            raise UserError("no registry snapshot: import a registry first (sigap registry import FILE)")
        people_path = str(snapshot.data_file)
    if roster is None:
        roster = Snapshot.objects.filter(kind=Snapshot.ROSTER).order_by("-id").first()
    runs, seeds, excluded = [], {}, []
    for programme in programmes:
        try:
            spec = programme.to_spec()
        except SpecError as e:
            raise UserError(
                f"programme {programme.code}: stored definition is invalid", details=e.problems
            ) from None
        tie_break, source = tie_break_for(spec, kind=TargetingRun.INITIAL, parent=None)
        runs.append(ProgrammeRun(spec, tie_break))
        seeds[programme.code] = {"seed": tie_break.seed, "source": source}
        if spec.funding == "APBD":
            excluded += [
                (programme.code, nik, reason)
                for nik, reason in covered_by_other_programmes(
                    programme, spec.coverage_start, spec.coverage_end
                )
            ]
    target = output or str(Path(settings.DATA_DIR) / "runs" / f"many-{uuid.uuid4().hex[:12]}")
    local = "://" not in target
    if local:
        Path(target).mkdir(parents=True, exist_ok=True)
    excluded_file = None
    if excluded:
        if not local:
            raise UserError("people covered by other programmes need a local --output folder")
        excluded_file = Path(target) / "excluded.parquet"
        _write_pairs(
            excluded_file,
            {
                "programme": [p for p, _, _ in excluded],
                "nik": [n for _, n, _ in excluded],
                "reason": [r for _, _, r in excluded],
            },
        )
    own = engine is None
    eng = engine if engine is not None else targeting_engine()
    try:
        try:
            result = run_many(
                eng,
                runs,
                people=people_path,
                roster=roster.data_file if roster is not None else None,
                excluded=excluded_file,
                output=f"{target.rstrip('/')}/decisions",
            )
        except ValueError as e:
            raise UserError(str(e)) from None
    finally:
        if own:
            eng.close()
    manifest = {
        **result.as_dict(),
        "snapshot": snapshot.pk if snapshot is not None else None,
        "people_path": people_path,
        "roster": roster.pk if roster is not None else None,
        "tie_breaks": seeds,
    }
    if local:
        (Path(target) / "run-many.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    audit_record(
        acting_user=acting_user,
        action="targeting.run_many",
        object_type="targeting_run_many",
        object_id=Path(target).name,
        after={k: v for k, v in manifest.items() if k != "programmes"}
        | {"programmes": {f.programme: f.decisions_sha256 for f in result.programmes}},
    )
    return result


def snapshot_partition(
    *, snapshot: Snapshot, target: str, engine: Engine | None = None, acting_user: Actor = None
) -> dict[str, Any]:
    """Write ``snapshot`` as ``<target>/provinsi=../kabupaten_kota=../*.parquet`` (local or a URL on Spark)."""
    if snapshot.kind != Snapshot.REGISTRY:
        raise UserError(f"snapshot #{snapshot.pk} is a {snapshot.kind} snapshot, not a registry")
    own = engine is None
    eng = engine if engine is not None else targeting_engine()
    try:
        people = partition_snapshot(eng, snapshot.data_file, target)
        version = eng.version()
    finally:
        if own:
            eng.close()
    audit_record(
        acting_user=acting_user,
        action="registry.partition",
        obj=snapshot,
        after={"target": target, "people": people, "engine": version},
    )
    return {"snapshot": snapshot.pk, "target": target, "people": people}
