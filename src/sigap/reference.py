"""Reference data packaged with SIGAP (loaded once, read-only)."""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from importlib import resources

from sigap.core.regions import Region, RegionIndex


@cache
def regions() -> RegionIndex:
    """The Kemendagri 2025 region codes of all Indonesia (MIT, cahyadsn/wilayah)."""
    blob = resources.files("sigap.data").joinpath("wilayah/kode_wilayah.csv.gz").read_bytes()
    rows = csv.reader(io.StringIO(gzip.decompress(blob).decode("utf-8")))
    header = next(rows)
    code, name, level = header.index("kode"), header.index("nama"), header.index("tingkat")
    return RegionIndex(Region(r[code], r[name], r[level]) for r in rows)
