"""Packaged boundaries (Jawa Barat) for the dashboard's choropleth map.

The packaged files are gzip GeoJSON under ``sigap/data/batas/`` made by :func:`pack_layer` from
the cahyadsn/wilayah_boundaries export (MIT, notice beside them).  The web layer only ever
sends the features of one region, with no personal data: codes, names and geometry.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

BATAS_DIR = Path(__file__).resolve().parent.parent / "data" / "batas"
LAYERS = {
    "desa_kelurahan": "desa_kelurahan_32.geojson.gz",
    "kabupaten_kota": "kabupaten_kota_32.geojson.gz",
}
#: Province codes whose boundaries are packaged.
COVERED_PROVINCES = frozenset({"32"})


def _round(coords: Any, digits: int) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], digits), round(coords[1], digits)]
    rounded = [_round(c, digits) for c in coords]
    if rounded and isinstance(rounded[0], list) and rounded[0] and isinstance(rounded[0][0], float):
        # a ring: drop points that became equal to their predecessor after rounding
        ring = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
        if len(ring) >= 4:
            return ring
    return rounded


def pack_layer(*, source: Path, target: Path, digits: int = 5) -> int:
    """Copy a GeoJSON layer with coordinates rounded to ``digits`` decimals, gzip; return features."""
    document = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for feature in document["features"]:
        props = feature["properties"]
        geometry = feature["geometry"]
        features.append(
            {
                "type": "Feature",
                "properties": {"kode": str(props["kode"]), "nama": str(props["nama"])},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _round(geometry["coordinates"], digits),
                },
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    target.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return len(features)


def _layer(level: str) -> list[dict[str, Any]]:
    path = BATAS_DIR / LAYERS[level]
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        features: list[dict[str, Any]] = json.load(fh)["features"]
        return features


@functools.lru_cache(maxsize=8)
def _region_layer(region_code: str, level: str) -> tuple[dict[str, Any], ...]:
    # Only the region's features stay in memory (the whole province layer is ~14 MB of JSON).
    return tuple(f for f in _layer(level) if str(f["properties"]["kode"]).startswith(region_code))


def has_boundaries(region_code: str) -> bool:
    return region_code[:2] in COVERED_PROVINCES


def region_features(region_code: str, *, level: str = "desa_kelurahan") -> list[dict[str, Any]]:
    """Features of ``level`` whose code starts with ``region_code`` (empty outside Jawa Barat)."""
    if not region_code.isdigit() or not has_boundaries(region_code):
        return []
    return list(_region_layer(region_code, level))
