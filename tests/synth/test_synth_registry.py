"""The clean synthetic registry: valid NIKs, real regions, coherent families, plausible people."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from sigap.core.nik import make_nik, parse_nik
from sigap.core.occupations import lookup
from sigap.core.schema import SOURCE_COLUMNS
from sigap.errors import UserError
from sigap.reference import regions
from sigap.synth import DirtyKnobs, generate_registry, write_table

REF = dt.date(2026, 1, 1)


def _rows(table: pa.Table) -> list[dict[str, str]]:
    return table.to_pylist()


def _age(birth: str) -> int:
    b = dt.date.fromisoformat(birth)
    return REF.year - b.year - ((REF.month, REF.day) < (b.month, b.day))


def test_columns_are_the_source_layout_all_strings(clean_registry):
    assert clean_registry.column_names == [*SOURCE_COLUMNS, "status_hidup"]
    assert all(f.type == pa.string() for f in clean_registry.schema)
    assert clean_registry.num_rows == 20_000
    required = [c for c in SOURCE_COLUMNS if c != "dusun"]
    for name in required:
        assert clean_registry.column(name).null_count == 0, name


def test_every_nik_is_valid_and_agrees_with_sex_and_birth_date(clean_registry):
    rows = _rows(clean_registry)
    for row in rows:
        nik = parse_nik(row["nomor_nik"], reference_date=REF)
        assert nik.birth_date.isoformat() == row["tanggal_lahir"]
        assert nik.sex == row["jenis_kelamin"]
        assert row["nomor_nik"] == make_nik(nik.kecamatan_code, nik.birth_date, nik.sex, int(nik.serial))
    niks = [r["nomor_nik"] for r in rows]
    assert len(set(niks)) == len(niks)
    # serials count from 0001 within each (kecamatan, birth date) prefix
    by_prefix = collections.defaultdict(list)
    for n in niks:
        by_prefix[n[:12]].append(int(n[12:]))
    assert all(sorted(s) == list(range(1, len(s) + 1)) for s in by_prefix.values())


def test_nik_kecamatan_mostly_domicile_others_real(clean_registry):
    index = regions()
    rows = _rows(clean_registry)
    own = sum(r["nomor_nik"][:6] == r["kecamatan"] for r in rows) / len(rows)
    assert 0.78 <= own <= 0.92
    moved = {r["nomor_nik"][:6] for r in rows if r["nomor_nik"][:6] != r["kecamatan"]}
    assert len(moved) > 100
    assert all(index.get(code) is not None and index[code].level == "kecamatan" for code in moved)


def test_region_codes_are_real_and_under_the_region(clean_registry):
    index = regions()
    kelurahan = {r.code for r in index.descendants("3275", "desa_kelurahan")}
    seen = set()
    for row in _rows(clean_registry):
        assert (row["provinsi"], row["kabupaten_kota"]) == ("32", "3275")
        assert row["desa_kelurahan"] in kelurahan
        assert row["kecamatan"] == row["desa_kelurahan"][:6]
        assert len(row["rt"]) == 3 and len(row["rw"]) == 3 and row["rt"].isdigit()
        seen.add(row["desa_kelurahan"])
    assert len(seen) >= 0.9 * len(kelurahan)


def test_families_share_kk_address_and_desil(clean_registry):
    families = collections.defaultdict(list)
    for row in _rows(clean_registry):
        families[row["nomor_kk"]].append(row)
    assert 4_500 < len(families) < 7_000
    for kk, members in families.items():
        assert len(kk) == 16 and kk.isdigit() and kk[:6] == members[0]["kecamatan"]
        assert 1 <= len(members) <= 7
        for key in ("alamat", "desa_kelurahan", "rt", "rw", "desil"):
            assert len({m[key] for m in members}) == 1, (kk, key)
        roles = [m["hubungan_keluarga"] for m in members]
        assert roles.count("KEPALA KELUARGA") == 1 and roles[0] == "KEPALA KELUARGA"
        assert roles.count("ISTRI") + roles.count("SUAMI") <= 1
    roles = collections.Counter(r["hubungan_keluarga"] for r in _rows(clean_registry))
    assert set(roles) == {"KEPALA KELUARGA", "ISTRI", "SUAMI", "ANAK", "ORANG TUA", "FAMILI LAIN"}
    assert roles["ISTRI"] > 10 * roles["SUAMI"]


def test_children_carry_their_mothers_name(clean_registry):
    families = collections.defaultdict(list)
    for row in _rows(clean_registry):
        families[row["nomor_kk"]].append(row)
    checked = 0
    for members in families.values():
        wives = [m for m in members if m["hubungan_keluarga"] == "ISTRI"]
        if wives:
            for child in (m for m in members if m["hubungan_keluarga"] == "ANAK"):
                assert child["nama_ibu_kandung"] == wives[0]["nama"]
                checked += 1
    assert checked > 1_000


def test_values_are_in_their_domains(clean_registry):
    rows = _rows(clean_registry)
    assert {r["jenis_kelamin"] for r in rows} == {"L", "P"}
    assert {r["desil"] for r in rows} == {str(d) for d in range(1, 11)}
    assert all(lookup(r["pekerjaan"]).category != "unknown" for r in rows)
    assert all(r["nama"] == r["nama"].upper() and r["nama"].strip() for r in rows)
    assert all(r["nama_ibu_kandung"].isupper() for r in rows)
    dead = sum(r["status_hidup"] == "MENINGGAL" for r in rows) / len(rows)
    assert {r["status_hidup"] for r in rows} == {"HIDUP", "MENINGGAL"}
    assert 0.002 < dead < 0.01
    places = collections.Counter(r["tempat_lahir"] for r in rows)
    assert places.most_common(1)[0][0] == "BEKASI"
    assert all(0 <= _age(r["tanggal_lahir"]) <= 90 for r in rows)


def test_ages_and_occupations_are_plausible(clean_registry):
    rows = _rows(clean_registry)
    for r in rows:
        age = _age(r["tanggal_lahir"])
        if age < 5:
            assert r["pekerjaan"] == "BELUM/TIDAK BEKERJA"
        elif age < 18:
            assert r["pekerjaan"] in ("PELAJAR/MAHASISWA", "BELUM/TIDAK BEKERJA")
        if r["hubungan_keluarga"] in ("KEPALA KELUARGA", "ISTRI", "SUAMI"):
            assert age >= 17
    adults = [r for r in rows if 18 <= _age(r["tanggal_lahir"]) <= 60]
    women = [r for r in adults if r["jenis_kelamin"] == "P"]
    irt = sum(r["pekerjaan"] == "MENGURUS RUMAH TANGGA" for r in women) / len(women)
    assert 0.15 < irt < 0.5

    def share(category: str, desil: set[str]) -> float:
        group = [r for r in adults if r["desil"] in desil]
        return sum(lookup(r["pekerjaan"]).category == category for r in group) / len(group)

    assert share("informal", {"1", "2", "3"}) > 1.3 * share("informal", {"9", "10"})
    assert share("formal", {"9", "10"}) > 3 * share("formal", {"1", "2", "3"})
    assert share("aparat", {"9", "10"}) > share("aparat", {"1", "2", "3"})
    # the programme's target group is large: informal workers aged 18-60 in desil 1..5
    target = [r for r in adults if int(r["desil"]) <= 5 and lookup(r["pekerjaan"]).category == "informal"]
    assert len(target) > 0.08 * len(rows)


def test_desil_is_skewed_for_a_city_and_configurable(clean_registry):
    heads = [r for r in _rows(clean_registry) if r["hubungan_keluarga"] == "KEPALA KELUARGA"]
    counts = collections.Counter(int(r["desil"]) for r in heads)
    assert counts[10] > 2.5 * counts[1]
    assert 0.02 < counts[1] / len(heads) < 0.07
    poor = generate_registry(people=2_000, seed=3, desil_weights=[1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    assert set(poor.column("desil").to_pylist()) == {"1", "2"}
    with pytest.raises(UserError):
        generate_registry(people=100, desil_weights=[1, 2, 3])


def test_a_kabupaten_gets_its_own_codes_and_more_farmers():
    table = generate_registry(region="3201", people=5_000, seed=2)
    rows = table.to_pylist()
    assert all(r["desa_kelurahan"].startswith("3201") and r["kabupaten_kota"] == "3201" for r in rows)
    farmers = sum(r["pekerjaan"] in ("PETANI/PEKEBUN", "BURUH TANI/PERKEBUNAN") for r in rows)
    assert farmers > 0.04 * len(rows)
    assert any(r["dusun"] for r in rows)  # desa have dusun


@pytest.mark.parametrize("region", ["32", "327501", "9999", "Atlantis", ""])
def test_bad_region_is_a_user_error(region):
    with pytest.raises(UserError, match="kabupaten/kota"):
        generate_registry(region=region, people=10)


def test_region_by_name():
    table = generate_registry(region="Kota Bandung", people=50)
    assert set(table.column("kabupaten_kota").to_pylist()) == {"3273"}


def test_deterministic_byte_identical_output(tmp_path: Path):
    knobs = DirtyKnobs.preset()
    a = generate_registry(people=3_000, seed=5, dirty=knobs)
    b = generate_registry(people=3_000, seed=5, dirty=knobs)
    c = generate_registry(people=3_000, seed=6, dirty=knobs)
    assert a.equals(b)
    assert not a.equals(c)
    for suffix in ("csv", "parquet"):
        write_table(a, tmp_path / f"a.{suffix}")
        write_table(b, tmp_path / f"b.{suffix}")
        assert (tmp_path / f"a.{suffix}").read_bytes() == (tmp_path / f"b.{suffix}").read_bytes()


def test_dirty_knobs_do_not_move_clean_values(clean_registry):
    dirty = generate_registry(people=20_000, seed=11, dirty=DirtyKnobs(name_typos=0.1))
    assert dirty.column("nomor_nik").equals(clean_registry.column("nomor_nik"))
    assert not dirty.column("nama").equals(clean_registry.column("nama"))


def test_csv_is_pipe_delimited_with_header_and_round_trips(tmp_path: Path, clean_registry):
    path = tmp_path / "out" / "registry.csv"
    small = clean_registry.slice(0, 500)
    write_table(small, path)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == "|".join(small.column_names)
    back = pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(delimiter="|"),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(small.column_names, pa.string())),
    )
    assert back.column("nomor_nik").equals(small.column("nomor_nik"))
    assert back.column("nama").equals(small.column("nama"))
    assert [t.name for t in tmp_path.joinpath("out").iterdir()] == ["registry.csv"]  # no temp file left


def test_parquet_and_xlsx_round_trip(tmp_path: Path, clean_registry):
    import openpyxl

    small = clean_registry.slice(0, 200)
    write_table(small, tmp_path / "r.parquet")
    assert pq.read_table(tmp_path / "r.parquet").equals(small)
    write_table(small, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == small.column_names
    assert [r[10] for r in rows[1:]] == small.column("nomor_nik").to_pylist()  # NIK kept as text


def test_xlsx_refuses_big_tables_and_unknown_suffix(tmp_path: Path):
    big = pa.table({"a": pa.array(np.zeros(200_001, dtype=np.int8)).cast(pa.string())})
    with pytest.raises(UserError, match="too many for Excel"):
        write_table(big, tmp_path / "big.xlsx")
    with pytest.raises(UserError, match="format"):
        write_table(big, tmp_path / "big.json")
    assert list(tmp_path.iterdir()) == []
