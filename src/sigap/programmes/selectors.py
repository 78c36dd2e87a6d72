"""Reads of a targeting run's decisions (Parquet) for the web, the CLI and other apps."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sigap.core import selection
from sigap.core.programme import ProgrammeSpec
from sigap.engine.base import sql_string
from sigap.programmes.models import Programme, TargetingRun


def stored_columns(run: TargetingRun) -> list[str]:
    """Column names of the run's decisions file (read from the Parquet footer)."""
    import pyarrow.parquet as pq

    return list(pq.read_schema(run.decisions_file).names)


def decisions_relation(
    run: TargetingRun, *, language: str = "en", people_columns: Collection[str] = ()
) -> str:
    """A parenthesised SQL subquery (DuckDB) with one row per person of ``run`` and the columns
    ``sigap.core.selection.DECISION_OUTPUT_COLUMNS`` (decision, rank, reasons in plain words,
    name, birth date, age, desil, occupation...), rendered from the stored decisions file and the
    run's registry snapshot.  Use it as ``FROM <relation> AS d``.  ``language``: of the reasons
    (``en``, as stored in exports and parsed by code; ``id`` for officers' screens);
    ``people_columns``: more registry columns to carry (read in the same join).
    """
    spec = ProgrammeSpec.from_dict(run.spec)
    view = selection.decisions_view_sql(
        spec,
        decisions="decisions_stored",
        people="people",
        selected=run.selected,
        columns=stored_columns(run),
        language=language,
        people_columns=people_columns,
    )
    return (
        f"(WITH decisions_stored AS"  # noqa: S608 -- paths quoted, names fixed
        f" (SELECT * FROM read_parquet({sql_string(str(run.decisions_file))})), "
        f"people AS (SELECT * FROM read_parquet({sql_string(str(run.snapshot.data_file))})) "
        f"SELECT * FROM ({view}) AS v)"
    )


def list_in_force(programme: Programme) -> TargetingRun | None:
    """The programme's list in force: its newest approved (or enrolled) run -- the initial list or the
    replacement that amended it.  Draft, submitted and returned runs are previews and never count (ADR 0013)."""
    return (
        TargetingRun.objects.filter(programme=programme, state__in=TargetingRun.IN_FORCE)
        .select_related("programme", "snapshot")
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class Comparison:
    """A preview run beside the programme's list in force (what approving it would change)."""

    in_force: TargetingRun
    enters: int  # selected by the preview, not on the list in force
    leaves: int  # on the list in force, not selected by the preview (a full list would drop them)
    members_now: int  # on the list in force today (not exited)
    members_after: int
    cost_change: int  # rupiah a year more (+) or less (-) than the list in force commits

    @property
    def replaces(self) -> bool:
        return self.leaves > 0


def compare_with_list_in_force(run: TargetingRun) -> Comparison | None:
    """How ``run`` differs from its programme's list in force; None when it is the list in force (or
    there is none).  A replacement adds people to the list; an initial list would replace it."""
    from sigap.engine import default_engine
    from sigap.enrolment.models import Member

    in_force = list_in_force(run.programme)
    if in_force is None or in_force.pk == run.pk or not run.decisions_file.is_file():
        return None
    current = set(
        Member.objects.filter(programme=run.programme)
        .exclude(state__in=[Member.EXITED, Member.REJECTED])
        .values_list("nik", flat=True)
    )
    with default_engine() as engine:
        chosen = {
            nik
            for (nik,) in engine.iter_rows(
                f"SELECT nik FROM read_parquet({sql_string(str(run.decisions_file))})"  # noqa: S608 -- quoted
                f" WHERE decision = '{selection.SELECTED}'"
            )
        }
    enters = len(chosen - current)
    adds = run.kind == TargetingRun.REPLACEMENT
    leaves = 0 if adds else len(current - chosen)
    after = len(current) + enters - leaves
    cost_change = run.cost if adds else run.cost - in_force.cost
    return Comparison(in_force, enters, leaves, len(current), after, cost_change)
