"""Reads of a targeting run's decisions (Parquet) for the web, the CLI and other apps."""

from __future__ import annotations

from sigap.core import selection
from sigap.core.programme import ProgrammeSpec
from sigap.engine.base import sql_string
from sigap.programmes.models import TargetingRun


def stored_columns(run: TargetingRun) -> list[str]:
    """Column names of the run's decisions file (read from the Parquet footer)."""
    import pyarrow.parquet as pq

    return list(pq.read_schema(run.decisions_file).names)


def decisions_relation(run: TargetingRun, *, language: str = "en") -> str:
    """A parenthesised SQL subquery (DuckDB) with one row per person of ``run`` and the columns
    ``sigap.core.selection.DECISION_OUTPUT_COLUMNS`` (decision, rank, reasons in plain words,
    name, birth date, age, desil, occupation...), rendered from the stored decisions file and the
    run's registry snapshot.  Use it as ``FROM <relation> AS d``.  ``language``: of the reasons
    (``en``, as stored in exports and parsed by code; ``id`` for officers' screens).
    """
    spec = ProgrammeSpec.from_dict(run.spec)
    view = selection.decisions_view_sql(
        spec,
        decisions="decisions_stored",
        people="people",
        selected=run.selected,
        columns=stored_columns(run),
        language=language,
    )
    return (
        f"(WITH decisions_stored AS"  # noqa: S608 -- paths quoted, names fixed
        f" (SELECT * FROM read_parquet({sql_string(str(run.decisions_file))})), "
        f"people AS (SELECT * FROM read_parquet({sql_string(str(run.snapshot.data_file))})) "
        f"SELECT * FROM ({view}) AS v)"
    )
