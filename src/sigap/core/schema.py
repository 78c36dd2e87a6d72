"""Column layouts shared by the generator, the importers and the targeting engine.

``SOURCE_COLUMNS`` is the default DTSEN/DTKS extract layout (DOMAIN.md section 4) plus
``desil`` and ``pekerjaan`` (and an optional ``status_hidup``).  ``PERSON_COLUMNS`` is the
normalised layout of a registry snapshot (Parquet), one row per accepted person.
"""

from __future__ import annotations

SOURCE_COLUMNS: tuple[str, ...] = (
    "iddtks",
    "provinsi",
    "kabupaten_kota",
    "kecamatan",
    "desa_kelurahan",
    "alamat",
    "dusun",
    "rt",
    "rw",
    "nomor_kk",
    "nomor_nik",
    "nama",
    "tanggal_lahir",
    "tempat_lahir",
    "jenis_kelamin",
    "nama_ibu_kandung",
    "hubungan_keluarga",
    "desil",
    "pekerjaan",
)
#: Optional source columns: absent means "alive" / unknown.
OPTIONAL_SOURCE_COLUMNS: tuple[str, ...] = ("status_hidup",)
REQUIRED_SOURCE_COLUMNS: tuple[str, ...] = (
    "kecamatan",
    "desa_kelurahan",
    "nomor_kk",
    "nomor_nik",
    "nama",
    "tanggal_lahir",
    "jenis_kelamin",
    "desil",
    "pekerjaan",
)

#: Snapshot (normalised) person columns and their DuckDB types.
PERSON_COLUMNS: tuple[tuple[str, str], ...] = (
    ("nik", "VARCHAR"),  # 16 digits, unique within a snapshot
    ("no_kk", "VARCHAR"),
    ("nama", "VARCHAR"),
    ("tempat_lahir", "VARCHAR"),
    ("tanggal_lahir", "DATE"),
    ("jenis_kelamin", "VARCHAR"),  # L | P
    ("hubungan_keluarga", "VARCHAR"),
    ("alamat", "VARCHAR"),
    ("rt", "VARCHAR"),
    ("rw", "VARCHAR"),
    ("kode_kecamatan", "VARCHAR"),  # 6 digits, from the address columns
    ("kode_kelurahan", "VARCHAR"),  # 10 digits, from the address columns (domicile)
    ("desil", "TINYINT"),  # 1..10
    ("pekerjaan", "VARCHAR"),  # normalised KTP occupation
    ("meninggal", "BOOLEAN"),
    ("source_row", "BIGINT"),  # row number in the source file (header = row 1)
)

SOURCE_ROSTER_COLUMNS: tuple[str, ...] = (
    "nik",
    "kpj",
    "nama",
    "tanggal_lahir",
    "segmen",
    "status",
)

#: BPJS TK participant roster snapshot columns.
ROSTER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("nik", "VARCHAR"),
    ("kpj", "VARCHAR"),
    ("nama", "VARCHAR"),
    ("tanggal_lahir", "DATE"),
    ("segmen", "VARCHAR"),  # PU | BPU | JAKON
    ("status", "VARCHAR"),  # AKTIF | NONAKTIF
    ("source_row", "BIGINT"),
)

#: Decision rows of a targeting run.
DECISION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("nik", "VARCHAR"),
    ("kode_kelurahan", "VARCHAR"),
    ("decision", "VARCHAR"),  # selected | waiting | ineligible
    ("rank", "BIGINT"),  # priority rank among the eligible (1 = first); NULL if ineligible
    ("cost", "BIGINT"),  # rupiah for the covered months; 0 unless selected
    ("reasons", "VARCHAR"),  # "; "-joined human-readable reasons
)
