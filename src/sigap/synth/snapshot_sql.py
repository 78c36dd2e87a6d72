"""A registry snapshot and a BPJS TK roster in the snapshot layout, straight from SQL ``range()``.

For engine benches and parity tests that need millions of people across many kabupaten/kota in
seconds (``generate_registry`` makes realistic source extracts, slower and one region at a time).
DuckDB SQL; people are spread evenly over the desa/kelurahan of ``region`` (so a kabupaten with
more villages has more people, as in life), with urban occupation and desil mixes.

>>> sql = people_sql(10, kelurahan=["3275011001", "3201010001"])
>>> "range(0, 10)" in sql
True
"""

from __future__ import annotations

from collections.abc import Sequence

from sigap.core.schema import PERSON_COLUMNS, ROSTER_COLUMNS

# Occupation mix (per mille): many not working, employees, informal workers, a few ASN/TNI/Polri.
OCCUPATION_MIX: tuple[tuple[str, int], ...] = (
    ("PELAJAR/MAHASISWA", 190),
    ("MENGURUS RUMAH TANGGA", 150),
    ("BELUM/TIDAK BEKERJA", 110),
    ("KARYAWAN SWASTA", 170),
    ("WIRASWASTA", 120),
    ("PEDAGANG", 50),
    ("BURUH HARIAN LEPAS", 60),
    ("SOPIR", 25),
    ("TUKANG BATU", 15),
    ("PENSIUNAN", 20),
    ("PEGAWAI NEGERI SIPIL", 20),
    ("TENTARA NASIONAL INDONESIA", 4),
    ("KEPOLISIAN RI", 4),
    ("KARYAWAN HONORER", 12),
    ("PETANI/PEKEBUN", 5),
    ("GURU", 10),
    ("ASISTEN DAPUR", 5),  # not in the KTP list: unknown category
    ("TUKANG JAHIT", 10),
    ("PEMBANTU RUMAH TANGGA", 20),
)
DESIL_MIX: tuple[tuple[int, int], ...] = (
    (1, 60),
    (2, 80),
    (3, 100),
    (4, 110),
    (5, 120),
    (6, 120),
    (7, 110),
    (8, 100),
    (9, 100),
    (10, 100),
)


def _pick(hash_expr: str, mix: Sequence[tuple[object, int]], *, quote: bool) -> str:
    total = sum(w for _, w in mix)
    parts, acc = [], 0
    for value, weight in mix:
        acc += weight
        shown = f"'{value}'" if quote else str(value)
        parts.append(f"WHEN {hash_expr} % {total} < {acc} THEN {shown}")
    return "CASE " + " ".join(parts) + " END"


def people_sql(n: int, *, kelurahan: Sequence[str], offset: int = 0, seed: int = 0) -> str:
    """``n`` people (PERSON_COLUMNS, typed) living in ``kelurahan`` (10-digit codes), NIKs unique
    per ``offset``; ``seed`` changes every drawn value."""
    if not kelurahan:
        raise ValueError("no kelurahan to place people in")
    codes = "[" + ", ".join(f"'{c}'" for c in kelurahan) + "]"
    h = "hash(i, {salt})"

    def draw(salt: int) -> str:
        return h.format(salt=salt * 1000 + seed)

    days = f"least({draw(1)} % 32872, {draw(2)} % 32872)"  # skewed young: min of two draws over 0..90 y
    body = f"""
    SELECT substr(kode_kelurahan, 1, 6) || lpad(CAST(i AS VARCHAR), 10, '0') AS nik,
      substr(kode_kelurahan, 1, 6) || lpad(CAST(i // 4 AS VARCHAR), 10, '0') AS no_kk,
      'ORANG ' || CAST(i AS VARCHAR) AS nama,
      'BANDUNG' AS tempat_lahir,
      CAST(DATE '2025-12-31' - CAST({days} AS INTEGER) AS DATE) AS tanggal_lahir,
      CASE WHEN {draw(3)} % 2 = 0 THEN 'L' ELSE 'P' END AS jenis_kelamin,
      CASE WHEN i % 4 = 0 THEN 'KEPALA KELUARGA' ELSE 'ANAK' END AS hubungan_keluarga,
      'JL. CONTOH NO. ' || CAST(i % 200 AS VARCHAR) AS alamat,
      lpad(CAST(i % 12 AS VARCHAR), 3, '0') AS rt,
      lpad(CAST(i % 9 AS VARCHAR), 3, '0') AS rw,
      substr(kode_kelurahan, 1, 6) AS kode_kecamatan,
      kode_kelurahan,
      {_pick(draw(4), DESIL_MIX, quote=False)} AS desil,
      {_pick(draw(5), OCCUPATION_MIX, quote=True)} AS pekerjaan,
      {draw(6)} % 200 = 0 AS meninggal,
      i + 2 AS source_row
    FROM (
      SELECT i, {codes}[1 + CAST((i // 4) * 7919 % {len(kelurahan)} AS INTEGER)] AS kode_kelurahan
      FROM range({offset}, {offset + n}) AS t(i)
    ) AS s
    """  # noqa: S608 -- generated literals only
    columns = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in PERSON_COLUMNS)
    return f"SELECT {columns} FROM ({body}) AS s"  # noqa: S608 -- generated literals only


def roster_sql(people: str = "people", *, share_percent: int = 12, seed: int = 0) -> str:
    """A roster for the relation ``people``: ``share_percent`` of them, two thirds AKTIF."""
    h = f"hash(nik, {seed})"
    body = f"""
    SELECT nik, lpad(CAST(source_row AS VARCHAR), 11, '0') AS kpj, nama, tanggal_lahir,
      CASE {h} % 3 WHEN 0 THEN 'PU' WHEN 1 THEN 'BPU' ELSE 'JAKON' END AS segmen,
      CASE WHEN {h} % 30 < 20 THEN 'AKTIF' ELSE 'NONAKTIF' END AS status,
      source_row, CAST(NULL AS VARCHAR) AS nik_written
    FROM {people} WHERE hash(nik, {seed + 1}) % 100 < {int(share_percent)}
    """  # noqa: S608 -- generated literals only
    columns = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in ROSTER_COLUMNS)
    return f"SELECT {columns} FROM ({body}) AS s"  # noqa: S608 -- generated literals only
