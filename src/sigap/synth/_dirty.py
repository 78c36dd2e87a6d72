"""Defects a real extract shows, injected at controlled rates into a clean table.

Each knob draws its own random subset of rows (from its own stream), so a given seed dirties
the same rows whatever the other knobs say. Only the selected rows go through Python.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sigap.synth._knobs import DirtyKnobs
from sigap.synth._registry import RegionPlan, rng_for

TITLES_MALE = ("H.", "H", "DRS.", "IR.", "BPK.")
TITLES_FEMALE = ("HJ.", "HJ", "NY.", "DRA.", "IBU")
SUFFIXES = (", S.PD", ", S.E.", ", S.H.", ", S.KOM", ", A.MD", ", S.SOS", ", M.M.", ", S.AG", ", S.T.")
MUHAMMAD_VARIANTS = ("MUH.", "MOCH.", "MOHAMMAD", "MUHAMAD", "M.", "MOCHAMMAD", "MHD.", "MOH.", "MUCHAMAD")
_OLD_SPELLING = {"NY": "NJ", "SY": "SJ", "KH": "CH", "J": "DJ", "C": "TJ", "Y": "J", "U": "OE"}
_OLD_PATTERN = re.compile("|".join(sorted(_OLD_SPELLING, key=len, reverse=True)))
_CONFUSED = {
    "I": "Y",
    "Y": "I",
    "A": "E",
    "E": "A",
    "O": "U",
    "U": "O",
    "F": "P",
    "P": "F",
    "Z": "J",
    "V": "F",
}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def pick_rows(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Sorted indices of ``round(rate * n)`` distinct rows."""
    k = min(n, int(round(rate * n)))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    return np.sort(rng.choice(n, size=k, replace=False))


def _replace(table: pa.Table, column: str, rows: np.ndarray, values: list[str]) -> pa.Table:
    if len(rows) == 0:
        return table
    mask = np.zeros(table.num_rows, dtype=bool)
    mask[rows] = True
    col = table.column(column).combine_chunks()
    new = pc.replace_with_mask(col, pa.array(mask), pa.array(values, type=pa.string()))
    return table.set_column(table.schema.get_field_index(column), column, new)


# --------------------------------------------------------------------------- NIK


def break_nik(nik: str, kind: int, r: float) -> str:
    """One invalid form of a valid NIK; ``kind`` 0..4, ``r`` a uniform draw for details."""
    if kind == 0:  # wrong length: a lost or an extra digit
        return nik[:-1] if r < 0.6 else nik + str(int(r * 10))
    if kind == 1:  # impossible birth-date digits (month 00 or > 12)
        month = ("00", "13", "14", "21", "31", "99")[int(r * 6)]
        return nik[:8] + month + nik[10:]
    if kind == 2:
        return nik[:12] + "0000"
    if kind == 3:  # Excel shows long numbers like this and keeps only 15 significant digits
        return f"{int(nik):.5E}"
    pos = 6 + int(r * 10)  # letters typed or OCR'd in place of digits
    letter = {"0": "O", "1": "I", "5": "S", "8": "B"}.get(nik[pos], "O")
    return nik[:pos] + letter + nik[pos + 1 :]


def _dirty_nik(table: pa.Table, *, seed: int, rate: float, column: str) -> pa.Table:
    rng = rng_for(seed, f"dirty-nik-{column}")
    rows = pick_rows(rng, table.num_rows, rate)
    kinds = rng.integers(0, 5, len(rows))
    draws = rng.random(len(rows))
    current = table.column(column).take(pa.array(rows)).to_pylist()
    values = [break_nik(v, int(k), float(r)) for v, k, r in zip(current, kinds, draws, strict=True)]
    return _replace(table, column, rows, values)


# --------------------------------------------------------------------------- names


def _typo(name: str, r: float, r2: float) -> str:
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if not letters:
        return name + "A"
    i = letters[int(r * len(letters))]
    op = int(r2 * 4)
    if op == 0 and len(letters) > 1:
        return name[:i] + name[i + 1 :]
    if op == 1:
        return name[:i] + name[i] + name[i:]
    if op == 2 and i + 1 < len(name) and name[i + 1].isalpha() and name[i + 1] != name[i]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    swapped = _CONFUSED.get(name[i], "A" if name[i] != "A" else "E")
    return name[:i] + swapped + name[i + 1 :]


def vary_name(name: str, *, female: bool | None, kind: int, r: float, r2: float) -> str:
    """A variant of ``name`` as another clerk would have typed it; always differs from ``name``.

    ``kind``: 0 typo, 1 title prefix, 2 degree suffix, 3 old spelling, 4 Muhammad variant.
    """
    out = name
    if kind == 4 and name.startswith("MUHAMMAD "):
        out = MUHAMMAD_VARIANTS[int(r * len(MUHAMMAD_VARIANTS))] + name[len("MUHAMMAD") :]
    elif kind in (3, 4):
        out = _OLD_PATTERN.sub(lambda m: _OLD_SPELLING[m.group(0)], name)
    elif kind == 1:
        titles = TITLES_FEMALE if female else TITLES_MALE if female is not None else ("H.", "DRS.")
        out = f"{titles[int(r * len(titles))]} {name}"
    elif kind == 2:
        out = name + SUFFIXES[int(r * len(SUFFIXES))]
    if out == name:
        out = _typo(name, r, r2)
    return out


def dirty_names(
    table: pa.Table, *, seed: int, rate: float, column: str = "nama", female: np.ndarray | None = None
) -> pa.Table:
    rng = rng_for(seed, f"dirty-names-{column}")
    rows = pick_rows(rng, table.num_rows, rate)
    kinds = rng.choice(5, size=len(rows), p=[0.4, 0.15, 0.15, 0.15, 0.15])
    r1, r2 = rng.random(len(rows)), rng.random(len(rows))
    current = table.column(column).take(pa.array(rows)).to_pylist()
    sexes = [None] * len(rows) if female is None else female[rows].tolist()
    values = [
        vary_name(v, female=s, kind=int(k), r=float(a), r2=float(b))
        for v, s, k, a, b in zip(current, sexes, kinds, r1, r2, strict=True)
    ]
    return _replace(table, column, rows, values)


# --------------------------------------------------------------------------- dates


def other_date_format(iso: str, kind: int) -> str:
    """``iso`` (YYYY-MM-DD) as DD-MM-YYYY, DD/MM/YYYY, YYYYMMDD or an Excel serial number."""
    y, m, d = iso[:4], iso[5:7], iso[8:10]
    if kind == 0:
        return f"{d}-{m}-{y}"
    if kind == 1:
        return f"{d}/{m}/{y}"
    if kind == 2:
        return f"{y}{m}{d}"
    return str((dt.date(int(y), int(m), int(d)) - _EXCEL_EPOCH).days)


def _dirty_dates(table: pa.Table, *, seed: int, rate: float, column: str) -> pa.Table:
    rng = rng_for(seed, f"dirty-dates-{column}")
    rows = pick_rows(rng, table.num_rows, rate)
    kinds = rng.integers(0, 4, len(rows))
    current = table.column(column).take(pa.array(rows)).to_pylist()
    values = [other_date_format(v, int(k)) for v, k in zip(current, kinds, strict=True)]
    return _replace(table, column, rows, values)


# --------------------------------------------------------------------------- regions


def _region_name(name: str, prefix: str, r: float) -> str:
    if r < 0.5:
        return name.upper()
    if r < 0.8:
        return name
    return f"{prefix} {name.upper()}"


def _dirty_regions(table: pa.Table, *, seed: int, rate: float, plan: RegionPlan) -> pa.Table:
    rng = rng_for(seed, "dirty-regions")
    rows = pick_rows(rng, table.num_rows, rate)
    r1, r2 = rng.random(len(rows)), rng.random(len(rows))
    kec_names = dict(zip(plan.kecamatan_codes, plan.kecamatan_names, strict=True))
    kel_names = dict(zip(plan.kelurahan_codes, plan.kelurahan_names, strict=True))
    kec = table.column("kecamatan").take(pa.array(rows)).to_pylist()
    kel = table.column("desa_kelurahan").take(pa.array(rows)).to_pylist()
    kec_values = [_region_name(kec_names[c], "KEC.", float(r)) for c, r in zip(kec, r1, strict=True)]
    kel_values = [
        _region_name(kel_names[c], "KEL." if c[6] == "1" else "DESA", float(r))
        for c, r in zip(kel, r2, strict=True)
    ]
    table = _replace(table, "kecamatan", rows, kec_values)
    return _replace(table, "desa_kelurahan", rows, kel_values)


# --------------------------------------------------------------------------- duplicates


def duplicate_rows(table: pa.Table, *, seed: int, rate: float) -> pa.Table:
    """Add ``round(rate * rows)`` exact copies: half right after their original, half anywhere."""
    rng = rng_for(seed, "dirty-duplicates")
    n = table.num_rows
    source = pick_rows(rng, n, rate)
    if len(source) == 0:
        return table
    anywhere = rng.integers(0, n, len(source))
    after = np.where(rng.random(len(source)) < 0.5, source, anywhere)
    keys = np.concatenate([2 * np.arange(n), 2 * after + 1])
    rows = np.concatenate([np.arange(n), source])[np.argsort(keys, kind="stable")]
    return table.take(pa.array(rows))


# --------------------------------------------------------------------------- entry points


def dirty_registry(table: pa.Table, *, plan: RegionPlan, seed: int, knobs: DirtyKnobs) -> pa.Table:
    female = np.asarray(pc.equal(table.column("jenis_kelamin"), "P").to_numpy(zero_copy_only=False))
    if knobs.region_names:
        table = _dirty_regions(table, seed=seed, rate=knobs.region_names, plan=plan)
    if knobs.mixed_dates:
        table = _dirty_dates(table, seed=seed, rate=knobs.mixed_dates, column="tanggal_lahir")
    if knobs.name_typos:
        table = dirty_names(table, seed=seed, rate=knobs.name_typos, female=female)
    if knobs.invalid_nik:
        table = _dirty_nik(table, seed=seed, rate=knobs.invalid_nik, column="nomor_nik")
    if knobs.duplicate_rows:
        table = duplicate_rows(table, seed=seed, rate=knobs.duplicate_rows)
    return table


def dirty_roster(table: pa.Table, *, seed: int, knobs: DirtyKnobs, female: np.ndarray | None) -> pa.Table:
    seed = seed + 7919  # roster defects independent of the registry's
    if knobs.mixed_dates:
        table = _dirty_dates(table, seed=seed, rate=knobs.mixed_dates, column="tanggal_lahir")
    if knobs.name_typos:
        table = dirty_names(table, seed=seed, rate=knobs.name_typos, female=female)
    if knobs.invalid_nik:
        table = _dirty_nik(table, seed=seed, rate=knobs.invalid_nik, column="nik")
    if knobs.duplicate_rows:
        table = duplicate_rows(table, seed=seed, rate=knobs.duplicate_rows)
    return table
