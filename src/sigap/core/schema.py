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

#: BPJS TK participant roster snapshot columns: every readable row of the file (ADR 0022); ``nik``
#: holds a valid NIK only.
ROSTER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("nik", "VARCHAR"),
    ("kpj", "VARCHAR"),
    ("nama", "VARCHAR"),
    ("tanggal_lahir", "DATE"),
    ("segmen", "VARCHAR"),  # PU | BPU | JAKON
    ("status", "VARCHAR"),  # AKTIF | NONAKTIF (NULL: unreadable, warned)
    ("source_row", "BIGINT"),
    ("nik_written", "VARCHAR"),  # the digits of an invalid NIK (nik is then NULL), for the linkage
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

# -- text lengths ---------------------------------------------------------------------------
#
# Defined once: the import refuses a row whose value is longer (one report line naming row,
# column and length), and the Django models take their ``max_length`` from here, so a value the
# import accepted always fits the database -- PostgreSQL refuses a longer one (DataError), SQLite
# would quietly keep it.  Lengths are characters of the value with surrounding spaces trimmed.

#: Text kept on each :class:`sigap.enrolment.models.Member` (copied from the snapshot at approval;
#: ``kpj`` from BPJS TK).
MEMBER_TEXT_MAX_LENGTH: dict[str, int] = {
    "nik": 16,
    "no_kk": 16,
    "nama": 200,
    "tempat_lahir": 100,
    "jenis_kelamin": 1,
    "alamat": 300,
    "rt": 4,
    "rw": 4,
    "kode_kelurahan": 10,
    "pekerjaan": 100,
    "kpj": 20,
}
_M = MEMBER_TEXT_MAX_LENGTH
_CODE = 40  # a value checked for its form anyway (NIK, dates, ...): only a bound for the report

#: Every column of a registry extract (``SOURCE_COLUMNS`` + ``OPTIONAL_SOURCE_COLUMNS``) and of a
#: BPJS TK roster (``SOURCE_ROSTER_COLUMNS``).  A column copied onto a Member has the Member's length.
SOURCE_TEXT_MAX_LENGTH: dict[str, int] = {
    # registry
    "iddtks": 64,
    "provinsi": 100,
    "kabupaten_kota": 100,
    "kecamatan": 100,
    "desa_kelurahan": 100,
    "alamat": _M["alamat"],
    "dusun": 100,
    "rt": _M["rt"],
    "rw": _M["rw"],
    "nomor_kk": _CODE,
    "nomor_nik": _CODE,
    "nama": _M["nama"],
    "tanggal_lahir": _CODE,
    "tempat_lahir": _M["tempat_lahir"],
    "jenis_kelamin": _CODE,
    "nama_ibu_kandung": 200,
    "hubungan_keluarga": 100,
    "desil": _CODE,
    "pekerjaan": _M["pekerjaan"],
    "status_hidup": _CODE,
    # BPJS TK roster (nama and tanggal_lahir as above)
    "nik": _CODE,
    "kpj": _M["kpj"],
    "segmen": _CODE,
    "status": _CODE,
}
