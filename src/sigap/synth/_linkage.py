"""A registry and a BPJS TK roster whose true links are known, to measure roster linkage.

:func:`linkage_set` starts from a clean :func:`generate_registry` and draws a roster from it with
the defects a real roster shows against the registry (DOMAIN.md section 5, issue 8):

- NIK typos: one digit changed, two adjacent digits swapped, a typo that makes the birth-date
  digits impossible (the row's NIK is then invalid), or no NIK at all;
- names as another clerk typed them: titles (H., HJ., DRS.), degrees (", S.PD"), old spelling,
  Muhammad variants, typos, and compounds written together with a vowel changed
  (IIS SUHENDAR -> IISSAHENDAR);
- birth dates with day and month swapped, or missing;
- a status history: an earlier NONAKTIF row under another KPJ before the AKTIF one;
- namesakes: registry people given the name, sex and birth date of a roster participant
  (different people: their own NIK), and roster participants absent from the registry.

The roster's ``person`` column is the truth: the registry row the participant is (``-1`` for a
participant absent from the registry).  Drop it before showing the roster to the linkage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sigap.synth._dirty import pick_rows, vary_name
from sigap.synth._registry import generate_registry, person_names, rng_for

_VOWELS = "AIUEO"


@dataclass(frozen=True)
class LinkageKnobs:
    """Rates as fractions of roster rows (``namesakes``: of registry people)."""

    roster_share: float = 0.55  # roster rows drawn from the registry, per registry person
    outsiders: float = 0.05  # participants absent from the registry, per roster row
    nik_digit: float = 0.03  # one digit of the NIK changed (a valid-looking NIK)
    nik_swap: float = 0.02  # two adjacent digits swapped
    nik_impossible: float = 0.01  # a typo in the birth-date digits: the NIK is invalid
    nik_missing: float = 0.03  # no NIK
    name_variant: float = 0.10  # title, degree, old spelling, Muhammad variant, typo
    name_joined: float = 0.02  # IIS SUHENDAR -> IISSAHENDAR
    date_swap: float = 0.02  # day and month swapped (day <= 12)
    date_missing: float = 0.02
    history: float = 0.05  # an earlier NONAKTIF row under another KPJ
    namesakes: float = 0.02  # registry people made namesakes of a roster participant


def _swap_adjacent(nik: str, r: float) -> str:
    for shift in range(15):
        i = (int(r * 15) + shift) % 15
        if nik[i] != nik[i + 1]:
            return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]
    return nik


def _change_digit(nik: str, r: float, r2: float) -> str:
    i = int(r * 16)
    new = str((int(nik[i]) + 1 + int(r2 * 9)) % 10)
    if i == 0 and new == "0":
        new = "9"
    return nik[:i] + new + nik[i + 1 :]


def _impossible(nik: str, r: float) -> str:
    month = ("00", "13", "19", "31", "71")[int(r * 5)]
    return nik[:8] + month + nik[10:]


def _joined(name: str, r: float) -> str:
    """Two words written as one with a vowel of the second changed (IIS SUHENDAR -> IISSAHENDAR)."""
    words = name.split(" ")
    if len(words) < 2:
        return vary_name(name, female=None, kind=0, r=r, r2=0.5)
    second = words[1]
    spots = [i for i, ch in enumerate(second) if ch in _VOWELS]
    if spots:
        i = spots[int(r * len(spots))]
        second = second[:i] + _VOWELS[(_VOWELS.index(second[i]) + 1) % 5] + second[i + 1 :]
    return " ".join([words[0] + second, *words[2:]])


def _swap_day_month(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{y}-{d}-{m}" if int(d) <= 12 and d != m else iso


def _ddmmyy(born: dt.date, female: bool) -> str:
    return f"{born.day + (40 if female else 0):02d}{born.month:02d}{born.year % 100:02d}"


def _with_namesakes(
    registry: pa.Table, donors: np.ndarray, rng: np.random.Generator, share: float
) -> pa.Table:
    """Registry people (not donors) given the name, sex and birth date of a donor, with their own NIK."""
    n = registry.num_rows
    free = np.setdiff1d(np.arange(n), donors)
    k = min(len(free), len(donors), int(round(share * n)))
    if k == 0:
        return registry
    takers = np.sort(rng.choice(free, size=k, replace=False))
    givers = rng.choice(donors, size=k, replace=False)
    cols = {
        name: registry.column(name).to_pylist()
        for name in ("nomor_nik", "nama", "tanggal_lahir", "jenis_kelamin")
    }
    used = set(cols["nomor_nik"])
    serials = rng.integers(5001, 10_000, k)
    for taker, giver, serial in zip(takers.tolist(), givers.tolist(), serials.tolist(), strict=True):
        born = dt.date.fromisoformat(cols["tanggal_lahir"][giver])
        female = cols["jenis_kelamin"][giver] == "P"
        base = cols["nomor_nik"][taker][:6] + _ddmmyy(born, female)
        nik = f"{base}{serial:04d}"
        while nik in used:
            serial = 5001 + (serial - 5000) % 4999
            nik = f"{base}{serial:04d}"
        used.add(nik)
        cols["nomor_nik"][taker] = nik
        for name in ("nama", "tanggal_lahir", "jenis_kelamin"):
            cols[name][taker] = cols[name][giver]
    for name, values in cols.items():
        registry = registry.set_column(
            registry.schema.get_field_index(name), name, pa.array(values, pa.string())
        )
    return registry


def linkage_set(
    *,
    people: int,
    seed: int = 1,
    region: str = "3275",
    knobs: LinkageKnobs = LinkageKnobs(),  # noqa: B008
) -> tuple[pa.Table, pa.Table]:
    """``(registry, roster)``: a clean registry (with namesakes) and a roster with a ``person``
    truth column (registry row index, or -1).  Roster columns: ``SOURCE_ROSTER_COLUMNS`` + person."""
    registry = generate_registry(region=region, people=people, seed=seed)
    rng = rng_for(seed, "linkage")
    adults = np.flatnonzero(
        np.asarray(pc.less(registry.column("tanggal_lahir"), "2008-01-01").to_numpy(zero_copy_only=False))
    )
    inside = min(len(adults), int(round(knobs.roster_share * people)))
    chosen = np.sort(rng.choice(adults, size=inside, replace=False))
    registry = _with_namesakes(registry, chosen, rng, knobs.namesakes)

    nik = registry.column("nomor_nik").take(pa.array(chosen)).to_pylist()
    nama = registry.column("nama").take(pa.array(chosen)).to_pylist()
    tgl = registry.column("tanggal_lahir").take(pa.array(chosen)).to_pylist()
    female = [s == "P" for s in registry.column("jenis_kelamin").take(pa.array(chosen)).to_pylist()]
    person = chosen.tolist()

    # participants absent from the registry (valid NIKs with serials the registry never uses)
    outsiders = int(round(knobs.outsiders * inside))
    orng = rng_for(seed, "linkage-outsiders")
    out_female = orng.random(outsiders) < 0.4
    ref = dt.date(2026, 1, 1)
    kec = registry.column("kecamatan").to_pylist()
    known = set(registry.column("nomor_nik").to_pylist())
    out_names = person_names(orng, out_female).to_pylist()
    for i in range(outsiders):
        born = ref - dt.timedelta(days=int(orng.integers(20 * 365, 58 * 365)))
        code = kec[int(orng.integers(0, len(kec)))]
        candidate = f"{code}{_ddmmyy(born, bool(out_female[i]))}{int(orng.integers(5001, 10_000)):04d}"
        if candidate in known:
            continue
        known.add(candidate)
        nik.append(candidate)
        nama.append(out_names[i])
        tgl.append(born.isoformat())
        female.append(bool(out_female[i]))
        person.append(-1)

    n = len(nik)
    drng = rng_for(seed, "linkage-defects")
    draws = drng.random((n, 2))
    taken: set[int] = set()

    def rows(rate: float) -> list[int]:
        return [int(i) for i in pick_rows(drng, n, rate) if int(i) not in taken]

    for i in rows(knobs.nik_missing):
        nik[i] = ""
        taken.add(i)
    for i in rows(knobs.nik_digit):
        nik[i] = _change_digit(nik[i], draws[i, 0], draws[i, 1])
        taken.add(i)
    for i in rows(knobs.nik_swap):
        nik[i] = _swap_adjacent(nik[i], draws[i, 0])
        taken.add(i)
    for i in rows(knobs.nik_impossible):
        nik[i] = _impossible(nik[i], draws[i, 0])
        taken.add(i)
    for i in pick_rows(drng, n, knobs.name_variant).tolist():
        nama[i] = vary_name(
            nama[i], female=female[i], kind=int(draws[i, 1] * 5), r=draws[i, 0], r2=draws[i, 1]
        )
    for i in pick_rows(drng, n, knobs.name_joined).tolist():
        nama[i] = _joined(nama[i], draws[i, 0])
    for i in pick_rows(drng, n, knobs.date_swap).tolist():
        tgl[i] = _swap_day_month(tgl[i])
    for i in pick_rows(drng, n, knobs.date_missing).tolist():
        tgl[i] = ""

    kpj = (10**10 + drng.choice(9 * 10**10, size=2 * n, replace=False)).astype(str).tolist()
    status = np.where(drng.random(n) < 0.85, "AKTIF", "NONAKTIF").tolist()
    segmen = np.where(drng.random(n) < 0.7, "PU", "BPU").tolist()
    history = set(pick_rows(drng, n, knobs.history).tolist())
    out: dict[str, list[object]] = {
        k: [] for k in ("nik", "kpj", "nama", "tanggal_lahir", "segmen", "status", "person")
    }
    for i in drng.permutation(n).tolist():
        records = [(kpj[n + i], "NONAKTIF"), (kpj[i], "AKTIF")] if i in history else [(kpj[i], status[i])]
        for card, state in records:
            out["nik"].append(nik[i])
            out["kpj"].append(card)
            out["nama"].append(nama[i])
            out["tanggal_lahir"].append(tgl[i])
            out["segmen"].append(segmen[i])
            out["status"].append(state)
            out["person"].append(person[i])
    roster = pa.table({k: pa.array(v, pa.int64() if k == "person" else pa.string()) for k, v in out.items()})
    return registry, roster
