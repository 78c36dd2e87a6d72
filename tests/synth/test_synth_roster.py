"""The BPJS TK roster overlaps the registry: formal workers as PU, some informal as BPU, outsiders."""

from __future__ import annotations

import collections
import datetime as dt

from sigap.core.nik import parse_nik
from sigap.core.occupations import lookup
from sigap.core.schema import SOURCE_ROSTER_COLUMNS
from sigap.synth import DirtyKnobs, generate_registry, generate_roster

REF = dt.date(2026, 1, 1)


def test_roster_shape_and_overlap(clean_registry):
    roster = generate_roster(clean_registry, seed=3, insured_share=0.12)
    assert roster.column_names == list(SOURCE_ROSTER_COLUMNS)
    rows = roster.to_pylist()
    alive = clean_registry.num_rows - clean_registry.column("status_hidup").to_pylist().count("MENINGGAL")
    assert abs(len(rows) - 0.12 * alive) <= 0.01 * alive
    niks = [r["nik"] for r in rows]
    kpjs = [r["kpj"] for r in rows]
    assert len(set(niks)) == len(niks)
    assert len(set(kpjs)) == len(kpjs) and all(len(k) == 11 and k.isdigit() for k in kpjs)

    registry = {r["nomor_nik"]: r for r in clean_registry.to_pylist()}
    outside = [r for r in rows if r["nik"] not in registry]
    assert 0.03 < len(outside) / len(rows) < 0.07
    for r in outside:  # outsiders still carry valid NIKs that match their birth date
        assert parse_nik(r["nik"], reference_date=REF).birth_date.isoformat() == r["tanggal_lahir"]

    segmen = collections.defaultdict(collections.Counter)
    for r in rows:
        if r["nik"] in registry:
            person = registry[r["nik"]]
            assert (r["nama"], r["tanggal_lahir"]) == (person["nama"], person["tanggal_lahir"])
            assert person["status_hidup"] == "HIDUP"
            segmen[r["segmen"]][lookup(person["pekerjaan"]).category] += 1
    assert segmen["PU"]["formal"] > 0.9 * sum(segmen["PU"].values())
    assert segmen["BPU"]["informal"] > 0.9 * sum(segmen["BPU"].values())
    assert sum(segmen["PU"].values()) > sum(segmen["BPU"].values())
    status = collections.Counter(r["status"] for r in rows)
    assert set(status) == {"AKTIF", "NONAKTIF"} and status["AKTIF"] > 3 * status["NONAKTIF"]


def test_roster_is_deterministic_and_dirty_names_vary(clean_registry):
    a = generate_roster(clean_registry, seed=4)
    assert a.equals(generate_roster(clean_registry, seed=4))
    dirty = generate_roster(clean_registry, seed=4, dirty=DirtyKnobs(name_typos=0.2))
    assert dirty.column("nik").equals(a.column("nik"))
    changed = sum(
        x != y for x, y in zip(a.column("nama").to_pylist(), dirty.column("nama").to_pylist(), strict=True)
    )
    assert abs(changed / a.num_rows - 0.2) < 0.03


def test_roster_from_a_dirty_registry_uses_only_clean_rows():
    registry = generate_registry(people=5_000, seed=8, dirty=DirtyKnobs.preset())
    roster = generate_roster(registry, seed=8)
    niks = roster.column("nik").to_pylist()
    assert len(set(niks)) == len(niks)
    for nik in niks:
        parse_nik(nik, reference_date=REF)
