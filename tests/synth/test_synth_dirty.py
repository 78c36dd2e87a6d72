"""Each dirty knob injects about its rate of the intended defect, and nothing else."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sigap.core.nik import NikError, parse_nik
from sigap.reference import regions
from sigap.synth import DirtyKnobs, generate_registry
from sigap.synth._dirty import break_nik, other_date_format, vary_name

REF = dt.date(2026, 1, 1)
N = 20_000
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _dirty(**rates: float):
    return generate_registry(region="3275", people=N, seed=11, dirty=DirtyKnobs(**rates))


def _close(count: int, rate: float) -> bool:
    return abs(count / N - rate) <= 0.1 * rate + 0.002


def test_knobs_validate_and_preset_is_modest():
    with pytest.raises(ValueError):
        DirtyKnobs(invalid_nik=1.5)
    preset = DirtyKnobs.preset()
    assert not preset.is_clean and DirtyKnobs().is_clean
    assert all(0 < getattr(preset, f) <= 0.05 for f in ("invalid_nik", "duplicate_rows", "name_typos"))


def test_invalid_nik_rate_and_kinds(clean_registry):
    table = _dirty(invalid_nik=0.05)
    codes = []
    for nik in table.column("nomor_nik").to_pylist():
        try:
            parse_nik(nik, reference_date=REF)
        except NikError as e:
            codes.append(e.code)
    assert _close(len(codes), 0.05)
    assert {"nik_length", "nik_birth_date", "nik_serial", "nik_scientific", "nik_not_digits"} <= set(codes)
    assert any(re.fullmatch(r"\d\.\d{5}E\+15", n) for n in table.column("nomor_nik").to_pylist())
    # other columns untouched
    assert table.column("nama").equals(clean_registry.column("nama"))


@pytest.mark.parametrize("kind", range(5))
def test_break_nik_always_invalid(kind):
    for r in (0.0, 0.3, 0.59, 0.61, 0.99):
        with pytest.raises(NikError):
            parse_nik(break_nik("3275014507900001", kind, r), reference_date=REF)


def test_duplicate_rows_are_exact_copies(clean_registry):
    table = _dirty(duplicate_rows=0.02)
    rows = table.to_pylist()
    assert len(rows) == N + round(0.02 * N)
    seen: dict[str, dict] = {}
    copies = 0
    for row in rows:
        if row["iddtks"] in seen:
            assert row == seen[row["iddtks"]]
            copies += 1
        seen[row["iddtks"]] = row
    assert copies == round(0.02 * N)
    assert len(seen) == N
    # interleaved, not all appended at the end
    earlier: set[str] = set()
    copy_positions = []
    for i, row in enumerate(rows):
        if row["iddtks"] in earlier:
            copy_positions.append(i)
        earlier.add(row["iddtks"])
    assert min(copy_positions) < N // 2


def test_name_typos_rate_and_variants(clean_registry):
    table = _dirty(name_typos=0.1)
    clean = clean_registry.column("nama").to_pylist()
    dirty = table.column("nama").to_pylist()
    changed = [(c, d) for c, d in zip(clean, dirty, strict=True) if c != d]
    assert _close(len(changed), 0.1)
    assert any(d.startswith(("H. ", "HJ. ", "H ", "HJ ")) for _, d in changed)
    assert any(", S." in d or ", M.M." in d or ", A.MD" in d for _, d in changed)
    assert any(("OE" in d or "DJ" in d or "TJ" in d) and "OE" not in c for c, d in changed)
    assert any(c.startswith("MUHAMMAD ") and not d.startswith("MUHAMMAD ") for c, d in changed)


def test_vary_name_always_differs():
    for name in ("A", "AA", "SITI", "MUHAMMAD IQBAL", "BUDI SANTOSO", "XX QQ"):
        for kind in range(5):
            for r in (0.0, 0.5, 0.99):
                assert vary_name(name, female=None, kind=kind, r=r, r2=r) != name


def test_mixed_dates_rate_and_same_day(clean_registry):
    table = _dirty(mixed_dates=0.08)
    clean = clean_registry.column("tanggal_lahir").to_pylist()
    dirty = table.column("tanggal_lahir").to_pylist()
    changed = [(c, d) for c, d in zip(clean, dirty, strict=True) if c != d]
    assert _close(len(changed), 0.08)
    shapes = set()
    for c, d in changed:
        assert not ISO.match(d)
        if re.fullmatch(r"\d{2}-\d{2}-\d{4}", d):
            back, shape = dt.datetime.strptime(d, "%d-%m-%Y").date(), "dmy-"
        elif re.fullmatch(r"\d{2}/\d{2}/\d{4}", d):
            back, shape = dt.datetime.strptime(d, "%d/%m/%Y").date(), "dmy/"
        elif re.fullmatch(r"\d{8}", d):
            back, shape = dt.datetime.strptime(d, "%Y%m%d").date(), "ymd"
        else:
            back, shape = dt.date(1899, 12, 30) + dt.timedelta(days=int(d)), "excel"
        assert back.isoformat() == c
        shapes.add(shape)
    assert shapes == {"dmy-", "dmy/", "ymd", "excel"}
    assert other_date_format("1990-07-05", 3) == "33059"  # Excel's serial for 5 Jul 1990


def test_region_names_rate_and_resolvable(clean_registry):
    index = regions()
    table = _dirty(region_names=0.05)
    clean = clean_registry.select(["kecamatan", "desa_kelurahan"]).to_pylist()
    dirty = table.select(["kecamatan", "desa_kelurahan"]).to_pylist()
    changed = [(c, d) for c, d in zip(clean, dirty, strict=True) if c != d]
    assert _close(len(changed), 0.05)
    for c, d in changed:
        assert not d["kecamatan"].isdigit() and not d["desa_kelurahan"].isdigit()
        kec = index.resolve(d["kecamatan"], parent="3275")
        assert kec is not None and kec.code == c["kecamatan"]
        kel = index.resolve(d["desa_kelurahan"], parent=kec.code)
        assert kel is not None and kel.code == c["desa_kelurahan"]
