"""A BPJS Ketenagakerjaan participant roster that overlaps a synthetic registry."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sigap.core.occupations import FORMAL, INFORMAL, lookup
from sigap.core.schema import SOURCE_ROSTER_COLUMNS
from sigap.synth._knobs import DirtyKnobs
from sigap.synth._registry import _ddmmyy, _indonesia, _take, person_names, rng_for

OUTSIDER_SHARE = 0.05  # participants not found in the registry (moved away, other data)
CONSTRUCTION = frozenset(
    {"TUKANG BATU", "KONSTRUKSI", "TUKANG KAYU", "TUKANG LAS/PANDAI BESI", "TUKANG LISTRIK"}
)
_VALID_NIK = r"^[1-9][0-9]{15}$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _categories(pekerjaan: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: category code (0 other, 1 formal, 2 informal) and construction flag."""
    encoded = pc.dictionary_encode(pekerjaan).combine_chunks()
    names = encoded.dictionary.to_pylist()
    cat = np.array([{FORMAL: 1, INFORMAL: 2}.get(lookup(n).category, 0) for n in names] + [0], dtype=np.int8)
    build = np.array([lookup(n).name in CONSTRUCTION for n in names] + [False])
    idx = encoded.indices.fill_null(len(names)).to_numpy()
    return cat[idx], build[idx]


def _int_slice(
    column: pa.ChunkedArray, start: int, stop: int, ok: pa.ChunkedArray, filler: str
) -> np.ndarray:
    text = pc.if_else(ok, column, filler)
    part = pc.utf8_slice_codeunits(text, start=start, stop=stop)
    return np.asarray(pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False))


def _nik_agrees(registry: pa.Table) -> np.ndarray:
    """Rows whose NIK digits match their birth date and sex and whose serial is not 0000."""
    nik, tgl = registry.column("nomor_nik"), registry.column("tanggal_lahir")
    nik_ok = pc.match_substring_regex(nik, _VALID_NIK)
    tgl_ok = pc.match_substring_regex(tgl, _ISO_DATE)
    ddmmyy = _int_slice(nik, 6, 12, nik_ok, "0" * 16)
    serial = _int_slice(nik, 12, 16, nik_ok, "0" * 16)
    year = _int_slice(tgl, 0, 4, tgl_ok, "1900-01-01")
    month = _int_slice(tgl, 5, 7, tgl_ok, "1900-01-01")
    day = _int_slice(tgl, 8, 10, tgl_ok, "1900-01-01")
    female = np.asarray(
        pc.equal(registry.column("jenis_kelamin"), "P").to_numpy(zero_copy_only=False), dtype=bool
    )
    expected = (day + 40 * female) * 10_000 + month * 100 + year % 100
    agrees: np.ndarray = (ddmmyy == expected) & (serial > 0)
    return agrees


def generate_roster(
    registry: pa.Table,
    *,
    seed: int = 1,
    insured_share: float = 0.12,
    dirty: DirtyKnobs = DirtyKnobs(),  # noqa: B008 -- frozen dataclass
) -> pa.Table:
    """Participants already insured: mostly formal workers (PU), some informal ones (BPU),
    plus about 5% people absent from ``registry``. Columns: ``SOURCE_ROSTER_COLUMNS``."""
    if not 0.0 <= insured_share <= 1.0:
        raise ValueError(f"insured_share must be between 0 and 1, got {insured_share}")
    rng = rng_for(seed, "roster")
    nik = registry.column("nomor_nik")
    usable = pc.and_(
        pc.match_substring_regex(nik, _VALID_NIK),
        pc.match_substring_regex(registry.column("tanggal_lahir"), _ISO_DATE),
    )
    if "status_hidup" in registry.column_names:
        usable = pc.and_(usable, pc.equal(registry.column("status_hidup"), "HIDUP"))
    ok = np.asarray(usable.to_numpy(zero_copy_only=False), dtype=bool) & _nik_agrees(registry)
    # one row per NIK (a dirty registry repeats some)
    nik_int = _int_slice(nik, 0, 16, pc.match_substring_regex(nik, _VALID_NIK), "0" * 16)
    _, first = np.unique(nik_int, return_index=True)
    unique = np.zeros(len(ok), dtype=bool)
    unique[first] = True
    ok &= unique

    cat, build = _categories(registry.column("pekerjaan"))
    desil = np.asarray(
        pc.cast(registry.column("desil"), pa.int64(), safe=False).to_numpy(zero_copy_only=False)
    )
    people = int(ok.sum())
    target = int(round(insured_share * people))
    outsiders = int(round(OUTSIDER_SHARE * target))
    inside = target - outsiders

    formal_rows = np.flatnonzero(ok & (cat == 1))
    n_formal = min(int(len(formal_rows) * 0.8), int(inside * 0.7))
    chosen_formal = np.sort(rng.choice(formal_rows, size=n_formal, replace=False))
    informal_rows = np.flatnonzero(ok & (cat == 2))
    n_informal = min(len(informal_rows), inside - n_formal)
    chosen_informal = np.empty(0, dtype=np.int64)
    if n_informal:
        w = desil[informal_rows].astype(float)
        chosen_informal = np.sort(rng.choice(informal_rows, size=n_informal, replace=False, p=w / w.sum()))
    rows = np.concatenate([chosen_formal, chosen_informal])
    is_formal = np.concatenate([np.ones(n_formal, dtype=bool), np.zeros(n_informal, dtype=bool)])

    u = rng.random(len(rows))
    segmen_idx = np.where(is_formal, np.where(u < 0.97, 0, 1), np.where(build[rows] & (u < 0.4), 2, 1))
    taken = pa.array(rows)
    nik_in = nik.take(taken)
    nama_in = registry.column("nama").take(taken)
    tgl_in = registry.column("tanggal_lahir").take(taken)
    female_in = np.asarray(
        pc.equal(registry.column("jenis_kelamin").take(taken), "P").to_numpy(zero_copy_only=False)
    )

    # outsiders: valid NIKs with high serials (>= 5001), never equal to a registry NIK
    orng = rng_for(seed, "roster-outsiders")
    all_kec, _, _ = _indonesia()
    female_out = orng.random(outsiders) < 0.4
    ref = np.datetime64("2026-01-01", "D")
    birth = ref - orng.integers(20 * 365, 58 * 365, outsiders)
    nik_out_int = (
        all_kec[orng.integers(0, len(all_kec), outsiders)] * 10**10
        + _ddmmyy(birth, female_out) * 10_000
        + orng.integers(5001, 10_000, outsiders)
    )
    nik_out = pc.cast(pa.array(nik_out_int), pa.string())
    fresh = np.asarray(
        pc.invert(pc.is_in(nik_out, value_set=nik.combine_chunks())).to_numpy(zero_copy_only=False)
    )
    _, first_out = np.unique(nik_out_int, return_index=True)
    keep = np.zeros(outsiders, dtype=bool)
    keep[first_out] = True
    keep &= fresh
    keep_idx = pa.array(np.flatnonzero(keep))
    nama_out = person_names(orng, female_out).take(keep_idx)
    segmen_out = np.where(orng.random(outsiders) < 0.6, 0, 1)[keep]

    n_total = len(rows) + int(keep.sum())
    kpj = 10**10 + rng.choice(9 * 10**10, size=n_total, replace=False)
    status = rng.random(n_total) >= 0.85
    order = rng.permutation(n_total)
    table = pa.table(
        {
            "nik": pa.concat_arrays([nik_in.combine_chunks(), nik_out.take(keep_idx)]),
            "kpj": pc.cast(pa.array(kpj), pa.string()),
            "nama": pa.concat_arrays([nama_in.combine_chunks(), nama_out]),
            "tanggal_lahir": pa.concat_arrays(
                [tgl_in.combine_chunks(), pc.cast(pa.array(birth[keep]), pa.string())]
            ),
            "segmen": _take(["PU", "BPU", "JAKON"], np.concatenate([segmen_idx, segmen_out])),
            "status": _take(["AKTIF", "NONAKTIF"], status.astype(np.int8)),
        }
    ).take(pa.array(order))
    female = np.concatenate([female_in, female_out[keep]])[order]
    table = table.select(list(SOURCE_ROSTER_COLUMNS))
    if not dirty.is_clean:
        from sigap.synth._dirty import dirty_roster

        table = dirty_roster(table, seed=seed, knobs=dirty, female=female)
    return table
