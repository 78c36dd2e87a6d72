"""How large an imported extract may be: limits checked before and while the file is read.

A hostile or broken upload must neither exhaust memory or disk nor run for hours: an XLSX file is a
zip archive that a 1 MB upload can unpack to gigabytes; one CSV line can be the whole file.  The
defaults fit the largest real extracts (a province's DTSEN registry as CSV or Parquet, a full Excel
sheet); settings (``SIGAP_IMPORT_*``, docs/security.md "Import limits") may change them.  Sizes are
bytes here and shown in MB to people (:func:`mb`).
"""

from __future__ import annotations

from dataclasses import dataclass

KIB, MIB, GIB = 1024, 1024**2, 1024**3

#: Excel's own limit: a sheet has at most 1,048,576 rows.
EXCEL_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class ImportLimits:
    #: the file as given (CSV, XLSX or Parquet)
    max_file_bytes: int = 16 * GIB
    #: data rows of a CSV or Parquet extract (more than any province's registry)
    max_rows: int = 100_000_000
    #: one physical line of a CSV file (a real registry line is well under 1 KB; up to this size a
    #: value too long for its column is reported with its column, a longer line as a whole)
    max_line_bytes: int = 8 * MIB
    #: rows of an XLSX sheet
    xlsx_max_rows: int = EXCEL_MAX_ROWS
    #: the XLSX zip entries unpacked, together (``ZipInfo.file_size``; a full sheet is ~1.5 GB)
    xlsx_max_unpacked_bytes: int = 2 * GIB
    #: unpacked / packed size of one XLSX zip entry larger than 1 MiB (real sheets: under 30)
    xlsx_max_ratio: int = 100
    #: one XLSX cell (its XML text; Excel itself holds at most 32,767 characters in a cell)
    xlsx_max_cell_bytes: int = 256 * KIB


def number(n: int, *, lang: str = "id") -> str:
    """``2000000`` -> ``2.000.000`` (Bahasa Indonesia) or ``2,000,000`` (English)."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "id" else text


def mb(size: int, *, lang: str = "id") -> str:
    """A size in bytes as MB for people: ``2.048 MB``, ``0,25 MB`` (English: ``2,048 MB``, ``0.25 MB``)."""
    value = size / MIB
    if value >= 10 or value == int(value):
        return f"{number(round(value), lang=lang)} MB"
    text = f"{max(value, 0.01):.2f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if lang == "id" else text) + " MB"
