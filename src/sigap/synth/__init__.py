"""Synthetic DTSEN-like registry extracts and BPJS TK rosters for any kabupaten/kota.

>>> from sigap.synth import DirtyKnobs, generate_registry, generate_roster, write_table
>>> registry = generate_registry(region="3275", people=1_000, seed=1)
>>> registry.num_rows
1000
>>> roster = generate_roster(registry, seed=1)
>>> roster.column_names
['nik', 'kpj', 'nama', 'tanggal_lahir', 'segmen', 'status']

Clean output (the default) is fully valid: NIKs agree with sex and birth date, kelurahan
codes are real and under the region. :class:`DirtyKnobs` injects the defects real extracts show.
"""

from __future__ import annotations

from sigap.synth._knobs import DirtyKnobs
from sigap.synth._linkage import LinkageKnobs, linkage_set
from sigap.synth._pools import RURAL_DESIL_WEIGHTS, URBAN_DESIL_WEIGHTS
from sigap.synth._registry import REGISTRY_COLUMNS, RegionPlan, generate_registry, region_plan
from sigap.synth._roster import generate_roster
from sigap.synth._write import XLSX_MAX_ROWS, table_format, write_table

__all__ = [
    "REGISTRY_COLUMNS",
    "RURAL_DESIL_WEIGHTS",
    "URBAN_DESIL_WEIGHTS",
    "XLSX_MAX_ROWS",
    "DirtyKnobs",
    "LinkageKnobs",
    "RegionPlan",
    "generate_registry",
    "generate_roster",
    "linkage_set",
    "region_plan",
    "table_format",
    "write_table",
]
