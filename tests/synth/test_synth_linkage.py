"""sigap.synth.linkage_set: a registry and a roster whose true links are known (bench/linkage.py)."""

from __future__ import annotations

import datetime as dt

from sigap.core.nik import parse_nik
from sigap.synth import LinkageKnobs, linkage_set


def test_truth_and_defects() -> None:
    registry, roster = linkage_set(people=4_000, seed=3, knobs=LinkageKnobs(namesakes=0.05))
    assert roster.column_names == ["nik", "kpj", "nama", "tanggal_lahir", "segmen", "status", "person"]
    rows = roster.to_pylist()
    niks = registry.column("nomor_nik").to_pylist()
    names = registry.column("nama").to_pylist()
    inside = [r for r in rows if r["person"] >= 0]
    assert 0.9 < len(inside) / len(rows) < 0.97  # ~5% absent from the registry
    same_nik = sum(r["nik"] == niks[r["person"]] for r in inside)
    missing = sum(r["nik"] == "" for r in inside)
    assert 0.85 < same_nik / len(inside) < 0.95 and 0.015 < missing / len(inside) < 0.05
    assert any(r["nama"] != names[r["person"]] for r in inside)
    # an earlier NONAKTIF row under another KPJ precedes the AKTIF row of the same participant
    first: dict[int, str] = {}
    for r in inside:
        if r["person"] in first and r["status"] == "AKTIF":
            assert first[r["person"]] == "NONAKTIF"
        first.setdefault(r["person"], r["status"])
    assert len(set(niks)) == len(niks)  # namesakes keep NIKs of their own
    born = registry.column("tanggal_lahir").to_pylist()
    sexes = registry.column("jenis_kelamin").to_pylist()
    twins = {(n, b, s) for n, b, s in zip(names, born, sexes, strict=True)}
    assert len(twins) < len(names) - 100  # namesakes born the same day
    for nik, day, sex in zip(niks, born, sexes, strict=True):  # namesakes' NIKs agree with their birth date
        parsed = parse_nik(nik, reference_date=dt.date(2026, 1, 1))
        assert parsed.sex == sex and parsed.birth_date.isoformat() == day


def test_same_seed_same_sets() -> None:
    a = linkage_set(people=1_000, seed=5)
    b = linkage_set(people=1_000, seed=5)
    assert a[1].equals(b[1]) and a[0].equals(b[0])
