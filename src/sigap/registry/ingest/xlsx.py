"""XLSX extracts: the first sheet converted to Parquet with bounded memory and time.

An XLSX file is a zip archive of XML files, and a 1 MB upload can unpack to gigabytes: one shared
string of 1 GiB, millions of rows, a cell in column XFD that widens every row.  So, before
openpyxl opens anything (:func:`check_archive`):

1. the zip's directory: at most :data:`MAX_ENTRIES` entries (read from the end record, before
   Python builds the list), their unpacked sizes together at most ``xlsx_max_unpacked_bytes``
   (``ZipInfo.file_size``: zipfile never yields more than that, a lie fails the CRC) and no entry
   above 1 MiB packed more than ``xlsx_max_ratio`` to 1;
2. one streaming pass over every XML entry, 1 MiB at a time with C-speed bytes operations only:
   no run of text between two ``<`` (a cell value, a shared string, an attribute) longer than
   ``xlsx_max_cell_bytes``, and at most ``xlsx_max_rows`` ``<row`` elements in any worksheet
   (openpyxl reads every sheet once when it opens the workbook).

Then openpyxl reads in read-only mode (streaming), with the sheet's stated dimensions ignored
(they may lie) and every row cut to the columns we read.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sigap.core.importlimits import MIB, ImportLimits, mb, number
from sigap.errors import UserError
from sigap.registry.ingest.source import (
    ParquetRows,
    Progress,
    SourceFile,
    SourceRelation,
    match_columns,
    too_many_rows,
)

MAX_ENTRIES = 10_000  # a workbook has a few dozen parts
MAX_DIRECTORY_BYTES = 16 * MIB
RATIO_FROM = MIB  # smaller entries are not ratio-checked (short XML packs very well)
SCAN_CHUNK = MIB
XML_SUFFIXES = (".xml", ".rels", ".vml")
HEADER_SEARCH = 20  # how many non-empty rows may stand above the header
HEADER_MAX_ROW = 1_000  # ... within the sheet's first rows
HEADER_COLUMNS = 256  # ... and the header within the first columns

_ROW_MARKS = (b"<row ", b"<row>", b":row ", b":row>")
_CELL = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"')
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError)


def _not_xlsx(name: str, error: BaseException) -> UserError:
    return UserError(
        _("%(name)s: bukan berkas XLSX yang sah (%(kind)s: %(why)s)")
        % {"name": name, "kind": type(error).__name__, "why": error}
    )


def _directory_size(path: Path) -> tuple[int, int] | None:
    """``(entries, central directory bytes)`` from the zip's end record; None when it is not found."""
    with path.open("rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - (65_535 + 22 + 20 + 56)))  # end record + comment, zip64 locator and record
        tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        z64 = tail.rfind(b"PK\x06\x06", 0, at)
        if z64 >= 0 and len(tail) >= z64 + 56:
            entries = int.from_bytes(tail[z64 + 32 : z64 + 40], "little")
            directory = int.from_bytes(tail[z64 + 40 : z64 + 48], "little")
    return entries, directory


def check_archive(path: Path, *, name: str, limits: ImportLimits, scan: bool = True) -> None:
    """Refuse a workbook over the limits (see the module text); ``scan=False``: the zip directory's
    checks only (a reader that reads a bounded start of the parts itself, :mod:`.peek`)."""
    size = _directory_size(path)
    if size is not None and (size[0] > MAX_ENTRIES or size[1] > MAX_DIRECTORY_BYTES):
        raise UserError(
            f"{name}: berkas XLSX berisi terlalu banyak bagian ({number(size[0])}, maksimal {number(MAX_ENTRIES)})"
            f" / the workbook holds too many parts ({number(size[0], lang='en')}, at most"
            f" {number(MAX_ENTRIES, lang='en')})"
        )
    try:
        archive = zipfile.ZipFile(path)
    except _DAMAGED as e:
        raise _not_xlsx(name, e) from None
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > limits.xlsx_max_unpacked_bytes:
            most = mb(limits.xlsx_max_unpacked_bytes)
            raise UserError(
                f"{name}: isi berkas XLSX terlalu besar: {mb(total)} setelah diekstrak, maksimal {most}"
                f" / the workbook unpacks to {mb(total, lang='en')}, more than the limit of"
                f" {mb(limits.xlsx_max_unpacked_bytes, lang='en')}"
            )
        for info in infos:
            if info.file_size > RATIO_FROM and info.file_size > limits.xlsx_max_ratio * max(
                info.compress_size, 1
            ):
                ratio = number(info.file_size // max(info.compress_size, 1))
                raise UserError(
                    f"{name}: berkas XLSX tidak wajar: bagian {info.filename} dimampatkan {ratio}:1"
                    f" ({mb(info.compress_size)} menjadi {mb(info.file_size)}), maksimal {limits.xlsx_max_ratio}:1"
                    f" / part {info.filename} of the workbook is packed {ratio} to 1, more than"
                    f" {limits.xlsx_max_ratio} to 1 (a zip bomb?)"
                )
        try:
            for info in infos if scan else ():
                if not info.is_dir() and info.filename.lower().endswith(XML_SUFFIXES):
                    rows = _scan(archive, info, name=name, limit=limits.xlsx_max_cell_bytes)
                    # openpyxl reads every sheet once when it opens the workbook: each one counts
                    if rows > limits.xlsx_max_rows:
                        raise UserError(
                            too_many_rows(f"{name} ({info.filename})", rows, limits.xlsx_max_rows)
                        )
        except _DAMAGED as e:
            raise _not_xlsx(name, e) from None


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str, limit: int) -> int:
    """One pass over an entry: refuse a text run longer than ``limit``; count the rows of a worksheet."""
    sheet = info.filename.startswith("xl/worksheets/")
    rows = run = 0  # run: bytes since the last "<" (continues into the next chunk)
    tail = b""
    cell = ""  # the last cell reference seen (a worksheet), to name the cell in the message
    with archive.open(info) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            pieces = chunk.split(b"<")
            longest = max(run + len(pieces[0]), max(map(len, pieces[1:]), default=0))
            if longest > limit:
                raise _too_large(name, info.filename, chunk, pieces, run, cell, limit)
            run = len(pieces[-1]) + (run if len(pieces) == 1 else 0)
            if sheet:
                head = tail + chunk[:4]
                rows += sum(chunk.count(mark) + head.count(mark) for mark in _ROW_MARKS)
                tail = chunk[-4:]
                found = _CELL.match(chunk, max(chunk.rfind(b"<c "), 0))
                cell = found.group(1).decode() if found else cell
    return rows


def _too_large(
    name: str, entry: str, chunk: bytes, pieces: list[bytes], run: int, cell: str, limit: int
) -> UserError:
    """The message for a text run over ``limit``, naming the cell when the entry is a worksheet."""
    offset = 0
    for k, piece in enumerate(pieces):
        if len(piece) + (run if k == 0 else 0) > limit:
            break
        offset += len(piece) + 1
    found = _CELL.match(chunk, max(chunk.rfind(b"<c ", 0, offset), 0)) if offset else None
    cell = found.group(1).decode() if found else cell
    where = f"sel {cell}" if entry.startswith("xl/worksheets/") and cell else f"sebuah teks di {entry}"
    where_en = f"cell {cell}" if entry.startswith("xl/worksheets/") and cell else f"a text in {entry}"
    return UserError(
        f"{name}: {where} lebih besar dari {mb(limit)} / {where_en} is larger than {mb(limit, lang='en')}"
    )


# -- cells -------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _is_formula(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return value is not None and not isinstance(value, int | float | bool | dt.date | dt.time | dt.timedelta)


def _guarded(rows: Iterable[Any], name: str) -> Iterator[Any]:
    """``rows``, with any error of a damaged workbook as a UserError."""
    try:
        yield from rows
    except UserError:
        raise
    except Exception as e:  # noqa: BLE001 -- openpyxl raises many kinds on a damaged workbook
        raise _not_xlsx(name, e) from None


def load_xlsx(
    source: SourceFile,
    *,
    workdir: Path,
    known: tuple[str, ...],
    required: tuple[str, ...],
    mapping: dict[str, Any],
    limits: ImportLimits,
    progress: Progress | None = None,
) -> SourceRelation:
    """Convert the first sheet to Parquet in batches (openpyxl read-only), then read that."""
    import openpyxl

    name = source.path.name
    check_archive(source.path, name=name, limits=limits)
    books: list[Any] = []
    try:
        try:
            books.append(openpyxl.load_workbook(source.path, read_only=True, data_only=True))
            books.append(openpyxl.load_workbook(source.path, read_only=True, data_only=False))
            sheets = [book.worksheets[0] for book in books]
        except Exception as e:  # noqa: BLE001 -- openpyxl raises many kinds on a damaged workbook
            raise _not_xlsx(name, e) from None
        for sheet in sheets:
            sheet.reset_dimensions()  # a stated size may lie: neither cut rows nor pad them to it
        return _convert(source, sheets, workdir=workdir, known=known, required=required, mapping=mapping,
                        limits=limits, progress=progress)  # fmt: skip
    finally:
        for book in books:
            book.close()


def _convert(
    source: SourceFile,
    sheets: list[Any],
    *,
    workdir: Path,
    known: tuple[str, ...],
    required: tuple[str, ...],
    mapping: dict[str, Any],
    limits: ImportLimits,
    progress: Progress | None,
) -> SourceRelation:
    name = source.path.name
    # Official workbooks often carry a title, a date or a logo row above the header: the header
    # is the first of the first HEADER_SEARCH non-empty rows that names the required columns.
    values = sheets[0].iter_rows(max_row=HEADER_MAX_ROW, max_col=HEADER_COLUMNS, values_only=True)
    seen = 0
    header: list[str] | None = None
    header_row = 0
    found: dict[str, int] = {}
    first_error: UserError | None = None
    for row_number, row in enumerate(_guarded(values, name), start=1):
        if not any(v is not None and str(v).strip() for v in row):
            continue
        seen += 1
        candidate = [_cell_text(v) or "" for v in row]
        while candidate and not candidate[-1]:
            candidate.pop()
        try:
            found = match_columns(
                source_name=name, header=candidate, known=known, required=required, mapping=mapping
            )
        except UserError as e:
            first_error = first_error or e
            if seen >= HEADER_SEARCH:
                break
            continue
        header, header_row = candidate, row_number
        break
    if header is None:
        if first_error is not None:
            raise first_error
        raise UserError(
            _("%(name)s: lembar pertama buku kerja kosong (tidak ada nilai di %(n)s baris pertamanya)")
            % {"name": name, "n": number(HEADER_MAX_ROW)}
        )
    if seen > 1:
        source.stats["header_row"] = header_row
    out = ParquetRows(workdir / "source.parquet", found)
    wanted = out.wanted
    width = wanted[-1] + 1
    names_at = {i: [c for c, j in found.items() if j == i][0] for i in wanted}
    start = header_row + 1
    rows = zip(
        *(sheet.iter_rows(min_row=start, max_col=width, values_only=True) for sheet in sheets), strict=False
    )
    with out:
        for number_, (row_v, row_f) in enumerate(_guarded(rows, name), start=start):
            if number_ > limits.xlsx_max_rows:  # rows numbered far apart: stop at the limit
                most = limits.xlsx_max_rows
                raise UserError(
                    f"{name}: baris {number(number_)} melewati batas {number(most)} baris"
                    f" / row {number(number_, lang='en')} is beyond the limit of {number(most, lang='en')} rows"
                )
            texts = [_cell_text(row_v[i]) for i in wanted]
            formula_cols = [names_at[i] for i in wanted if _is_formula(row_f[i]) and row_v[i] is None]
            if all(t is None for t in texts) and not formula_cols:
                continue
            if out.add(number_, texts, formula=",".join(formula_cols) or None) and progress:
                progress("Mengonversi XLSX / converting XLSX", number_, None)
    return out.relation(known=known, found=found, header=header, what="XLSX")
