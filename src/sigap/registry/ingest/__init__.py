"""Registry / roster extract ingestion: readers, set-based validation SQL, snapshot files.

Django-free; :func:`sigap.registry.actions.snapshot_import` is the audited entry point.
"""

from __future__ import annotations

from sigap.registry.ingest.build import REPORT_XLSX, BuildOutcome, build_snapshot
from sigap.registry.ingest.mapping import (
    KINDS,
    load_mapping_file,
    mapping_sha256,
    normalise_mapping,
)
from sigap.registry.ingest.source import SourceFile, inspect_file

__all__ = [
    "KINDS",
    "REPORT_XLSX",
    "BuildOutcome",
    "SourceFile",
    "build_snapshot",
    "inspect_file",
    "load_mapping_file",
    "mapping_sha256",
    "normalise_mapping",
]
