"""Many programmes in one pass from the Django side: ``sigap targeting run-many`` and
``sigap registry partition`` (ADR 0017, docs/operations/spark.md).

:func:`targeting_run_many` takes the programmes' stored definitions, gives each its tie-break seed
(:func:`sigap.programmes.actions.tie_break_for`) and the people another APBD programme already
covers, and runs :func:`sigap.engine.many.run_many` on the configured engine (``SIGAP_ENGINE``).

On a registry snapshot it registers one draft TargetingRun per programme, each exactly the run
``sigap targeting run`` would make (same decisions file layout, digest, summaries and exports; the
pass lists every person of the snapshot once per programme, as each single run does), so each Dinas
submits and approves its own list as usual (ADR 0013): one engine pass instead of one per programme.
On a partitioned snapshot path (``--people``, the nation) it writes only
``<output>/decisions/programme=<CODE>/*.parquet`` with each programme's own people and registers no
run: ~500 runs each listing 285 M people are nobody's list.  Either way ``<output>/run-many.json``
(figures, seeds, digests, run ids) and one audit row.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from sigap.audit.actions import Actor, audit_record
from sigap.core.multiprogramme import ProgrammeRun
from sigap.core.programme import SpecError
from sigap.core.selection import STORED_DECISION_NAMES
from sigap.engine import Engine, default_engine, sql_string, targeting_engine
from sigap.engine.many import ManyResult, partition_snapshot, run_many
from sigap.errors import UserError
from sigap.programmes.models import Programme, TargetingRun
from sigap.registry.models import Snapshot


def programmes_for(
    *, codes: Sequence[str] = (), region: str | None = None, fiscal_year: int | None = None
) -> list[Programme]:
    """Every programme whose region lies in ``region`` (e.g. ``32``), then those named by code."""
    if not codes and not region:
        raise UserError("name the programmes (--programmes A,B or --file FILE) or a region (--region 32)")
    from sigap.coverage.models import SegmentList

    chosen: list[Programme] = []
    if region:  # segments the region already funds are imported lists, never targeted (ADR 0020)
        query = Programme.objects.filter(region__startswith=region).exclude(
            pk__in=SegmentList.objects.values("programme_id")
        )
        if fiscal_year is not None:
            query = query.filter(fiscal_year=fiscal_year)
        chosen = list(query.order_by("region", "code"))
        if not chosen and not codes:
            raise UserError(
                f"no programme in region {region}" + (f" for {fiscal_year}" if fiscal_year else "")
            )
    found = {p.code: p for p in Programme.objects.filter(code__in=list(codes))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise UserError(
            f"programme(s) {', '.join(missing)} do not exist: define them first (sigap programme apply FILE, "
            "or sigap targeting run-many --file FILE)"
        )
    segments = sorted(
        set(
            SegmentList.objects.filter(programme__code__in=list(codes)).values_list(
                "programme__code", flat=True
            )
        )
    )
    if segments:
        raise UserError(
            f"programme(s) {', '.join(segments)} are segment lists the region already funds: nothing to target"
        )
    have = {p.code for p in chosen}
    return chosen + [found[c] for c in dict.fromkeys(codes) if c not in have]


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

    On a registry snapshot (``snapshot``, default the newest) each programme gets its draft
    :class:`TargetingRun`, the run ``sigap targeting run`` would make on the same inputs (its decisions
    list every person of the snapshot; summaries, exports, submit/approve/return, the comparison with
    the list in force): the pass decides, :func:`sigap.programmes.actions.targeting_run` registers.
    ``result.runs`` maps programme code -> run id.  A programme that already has an approved list is
    refused before anything runs (its changes are replacement runs).

    ``people_path`` (a partitioned snapshot folder or URL, ``sigap registry partition``) instead of a
    snapshot: the nation's pass, read only for the programmes' provinces, writes one decisions data
    set partitioned by programme with each programme's own people and registers no run.

    ``output`` defaults to ``DATA_DIR/runs/many-<id>``; it holds ``run-many.json``.
    """
    from sigap.programmes.actions import _write_pairs, refuse_second_list, standing_exclusions, tie_break_for

    register = people_path is None
    if people_path is None:
        snapshot = snapshot or Snapshot.objects.filter(kind=Snapshot.REGISTRY).order_by("-id").first()
        if snapshot is None:
            raise UserError("no registry snapshot: import a registry first (sigap registry import FILE)")
        people_path = str(snapshot.data_file)
        for programme in programmes:
            refuse_second_list(programme)
    if roster is None:
        roster = Snapshot.objects.filter(kind=Snapshot.ROSTER).order_by("-id").first()
    runs, seeds, excluded, sources = [], {}, [], {}
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
        sources[programme.code] = source
        excluded += [(programme.code, nik, reason) for nik, reason in standing_exclusions(programme, spec)]
    pass_id = uuid.uuid4().hex[:12]
    target = output or str(Path(settings.DATA_DIR) / "runs" / f"many-{pass_id}")
    local = "://" not in target
    if register and not local:
        raise UserError(
            "a run-many that registers runs needs a local --output folder (or --people for a data set)"
        )
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
    decisions_out = f"{target.rstrip('/')}/decisions"
    split = Path(target) / "split"
    insured: Path | None = None
    if roster is not None:  # as targeting_run reads it: the roster linked to this registry, if linked
        from sigap.programmes.linkage import insured_file

        insured = insured_file(registry=snapshot, roster=roster) if snapshot is not None else roster.data_file
    own = engine is None
    eng = engine if engine is not None else targeting_engine()
    try:
        try:
            result = run_many(
                eng,
                runs,
                people=people_path,
                roster=insured,
                excluded=excluded_file,
                output=decisions_out,
                everyone=register,
            )
        except ValueError as e:
            raise UserError(str(e)) from None
        if register:
            # each programme's rows as its run's one decisions file, with a one-programme run's columns
            with_exclusions = {code for code, _, _ in excluded}
            split.mkdir(exist_ok=True)
            for run in runs:
                columns = [*STORED_DECISION_NAMES, *(["insured"] if roster is not None else [])]
                if run.code in with_exclusions:
                    columns.append("excluded_reason")
                eng.copy_to_parquet(
                    f"SELECT {', '.join(columns)} FROM many_decisions "  # noqa: S608 -- names fixed, code quoted
                    f"WHERE programme = {sql_string(run.code)}",
                    split / f"{run.code}.parquet",
                )
    finally:
        if own:
            eng.close()
    registered: list[TargetingRun] = []
    if register:
        assert snapshot is not None
        try:
            registered = _register_runs(
                programmes, runs, result, split, sources=sources, snapshot=snapshot, roster=roster,
                pass_id=Path(target).name, acting_user=acting_user,
            )  # fmt: skip
        finally:
            shutil.rmtree(split, ignore_errors=True)
            shutil.rmtree(decisions_out, ignore_errors=True)  # every row is now in a run's own file
        result.runs = {r.programme.code: r.pk for r in registered}
        result.output = target
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


def _register_runs(
    programmes: Sequence[Programme],
    runs: Sequence[ProgrammeRun],
    result: ManyResult,
    split: Path,
    *,
    sources: dict[str, str],
    snapshot: Snapshot,
    roster: Snapshot | None,
    pass_id: str,
    acting_user: Actor,
) -> list[TargetingRun]:
    """One draft run per programme from its file in ``split``: all of them or none."""
    from sigap.programmes.actions import Decided, targeting_run

    figures = {f.programme: f for f in result.programmes}
    registered: list[TargetingRun] = []
    try:
        with transaction.atomic(), default_engine() as local:
            for programme, run in zip(programmes, runs, strict=True):
                made = targeting_run(
                    programme=programme,
                    snapshot=snapshot,
                    roster=roster,
                    acting_user=acting_user,
                    engine=local,
                    decided=Decided(
                        file=split / f"{run.code}.parquet",
                        tie_break=run.tie_break,
                        seed_source=sources[run.code],
                        engine=result.engine,
                        many=pass_id,
                    ),
                )
                registered.append(made)
                f = figures[run.code]
                if (made.people, made.selected, made.waiting, made.cost) != (
                    f.people,
                    f.selected,
                    f.waiting,
                    f.cost,
                ):
                    raise RuntimeError(f"programme {run.code}: the run's figures are not the pass's ({f})")
    except BaseException:
        for made in registered:  # their rows are rolled back: so are their folders
            shutil.rmtree(made.decisions_file.parent, ignore_errors=True)
        raise
    return registered


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
