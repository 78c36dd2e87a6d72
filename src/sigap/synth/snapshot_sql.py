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


def pick(hash_expr: str, mix: Sequence[tuple[object, int]], *, quote: bool) -> str:
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
      {pick(draw(4), DESIL_MIX, quote=False)} AS desil,
      {pick(draw(5), OCCUPATION_MIX, quote=True)} AS pekerjaan,
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


#: Columns of a DTSEN-like source extract, as ``sigap generate`` writes them (pipe-delimited CSV).
SOURCE_COLUMNS = (
    "iddtks", "provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan", "alamat", "dusun", "rt", "rw",
    "nomor_kk", "nomor_nik", "nama", "tanggal_lahir", "tempat_lahir", "jenis_kelamin", "nama_ibu_kandung",
    "hubungan_keluarga", "desil", "pekerjaan", "status_hidup",
)  # fmt: skip
_DAYS = 32_850  # birth dates over 90 years
_PLACES_PER_KECAMATAN = 60  # NIK serials: (block of 90 years) x 60 + the kelurahan's place in its kecamatan


def source_sql(n: int, *, kelurahan: Sequence[str], seed: int = 0) -> str:
    """``n`` people of ``kelurahan`` as a **source extract** (:data:`SOURCE_COLUMNS`, text) with valid,
    unique NIKs: the kecamatan of the address, the birth date (day + 40 for women) and a serial that is
    unique because person ``j`` of a kelurahan gets birth day ``j * 7919 mod 32850`` (a bijection per
    block) and serial ``block * 60 + the kelurahan's place in its kecamatan + 1``.  For benches that
    import a province (50 M people) without generating families person by person."""
    if not kelurahan:
        raise ValueError("no kelurahan to place people in")
    places: dict[str, int] = {}
    rows = []
    for code in sorted(kelurahan):
        place = places.get(code[:6], 0)
        if place >= _PLACES_PER_KECAMATAN:
            raise ValueError(f"more than {_PLACES_PER_KECAMATAN} kelurahan in kecamatan {code[:6]}")
        places[code[:6]] = place + 1
        rows.append(f"('{code}', {place})")
    k = len(rows)
    h = "hash(i, {salt})"

    def draw(salt: int) -> str:
        return h.format(salt=salt * 1000 + seed)

    body = f"""
    WITH kel(code, place) AS (VALUES {", ".join(rows)}),
    numbered AS (SELECT i, i % {k} AS kel_index, i // {k} AS j FROM range(0, {n}) AS t(i)),
    placed AS (
      SELECT n.i, n.j, kel.code, kel.place, {draw(3)} % 2 = 1 AS female,
        CAST(DATE '2025-12-31' - CAST((n.j * 7919) % {_DAYS} AS INTEGER) AS DATE) AS born
      FROM numbered AS n JOIN (SELECT code, place, row_number() OVER (ORDER BY code) - 1 AS idx FROM kel) AS kel
        ON kel.idx = n.kel_index
    )
    SELECT CAST(i + 1 AS VARCHAR) AS iddtks, substr(code, 1, 2) AS provinsi, substr(code, 1, 4) AS kabupaten_kota,
      substr(code, 1, 6) AS kecamatan, code AS desa_kelurahan,
      'JL. CONTOH NO. ' || CAST(i % 200 AS VARCHAR) AS alamat, '' AS dusun,
      lpad(CAST(i % 12 + 1 AS VARCHAR), 3, '0') AS rt, lpad(CAST(i % 9 + 1 AS VARCHAR), 3, '0') AS rw,
      substr(code, 1, 6) || '0101' || lpad(CAST((i // 4) % 1000000 AS VARCHAR), 6, '0') AS nomor_kk,
      substr(code, 1, 6)
        || lpad(CAST(day(born) + CASE WHEN female THEN 40 ELSE 0 END AS VARCHAR), 2, '0')
        || strftime(born, '%m%y')
        || lpad(CAST((j // {_DAYS}) * {_PLACES_PER_KECAMATAN} + place + 1 AS VARCHAR), 4, '0') AS nomor_nik,
      'ORANG ' || CAST(i AS VARCHAR) AS nama, strftime(born, '%Y-%m-%d') AS tanggal_lahir,
      'BANDUNG' AS tempat_lahir, CASE WHEN female THEN 'P' ELSE 'L' END AS jenis_kelamin,
      'IBU ' || CAST(i AS VARCHAR) AS nama_ibu_kandung,
      CASE WHEN i % 4 = 0 THEN 'KEPALA KELUARGA' ELSE 'ANAK' END AS hubungan_keluarga,
      CAST({pick(draw(4), DESIL_MIX, quote=False)} AS VARCHAR) AS desil,
      {pick(draw(5), OCCUPATION_MIX, quote=True)} AS pekerjaan,
      CASE WHEN {draw(6)} % 200 = 0 THEN 'MENINGGAL' ELSE 'HIDUP' END AS status_hidup
    FROM placed
    """  # noqa: S608 -- generated literals only
    return f"SELECT {', '.join(SOURCE_COLUMNS)} FROM ({body}) AS s"  # noqa: S608 -- generated literals only


def source_roster_sql(source: str, *, share_percent: int = 12, seed: int = 0) -> str:
    """A BPJS TK roster extract (``nik|kpj|nama|tanggal_lahir|segmen|status``) for the source relation
    ``source``: ``share_percent`` of its people, two thirds AKTIF."""
    h = f"hash(nomor_nik, {seed})"
    return f"""
    SELECT nomor_nik AS nik, lpad(CAST(iddtks AS VARCHAR), 11, '0') AS kpj, nama, tanggal_lahir,
      CASE {h} % 3 WHEN 0 THEN 'PU' WHEN 1 THEN 'BPU' ELSE 'JAKON' END AS segmen,
      CASE WHEN {h} % 30 < 20 THEN 'AKTIF' ELSE 'NONAKTIF' END AS status
    FROM {source} WHERE hash(nomor_nik, {seed + 1}) % 100 < {int(share_percent)}
    """  # noqa: S608 -- generated literals only
