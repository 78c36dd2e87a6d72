"""The header and first rows of an extract, for the browser's column-mapping step.

Reads only the start of the file (bounded by the import limits): the CSV's first lines, the
XLSX's first rows (after the same archive checks as the import), the Parquet footer and a few
rows.  Which row is the header follows the import's rules (:mod:`.source`, :mod:`.xlsx`): the
first non-blank line of a CSV; in a workbook the first non-empty row naming the required columns
(with the mapping, if any) among the first rows, else the first non-empty row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sigap.core.importlimits import ImportLimits, mb
from sigap.errors import UserError
from sigap.registry.ingest.source import (
    DELIMITER_NAMES,
    TOO_LONG,
    _sniff,
    allow_csv_fields,
    bounded_lines,
    detect_delimiter,
    match_columns,
    too_long_line,
)

SAMPLE_ROWS = 5
#: bytes of a CSV read to decide its text encoding for the preview
HEAD_BYTES = 1024 * 1024


@dataclass
class Peek:
    """What the officer sees before mapping: the file's column names and a few rows under them."""

    name: str
    format: str  # csv | xlsx | parquet
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    header_row: int = 1  # the header's row number in the file (1 = first line)
    delimiter: str | None = None  # csv: pipe | comma | semicolon | tab

    def missing(
        self, *, known: tuple[str, ...], required: tuple[str, ...], mapping: dict[str, Any]
    ) -> list[str]:
        """Required columns the header lacks with ``mapping`` (our names); [] when it can be imported."""
        try:
            match_columns(
                source_name=self.name, header=self.header, known=known, required=required, mapping=mapping
            )
        except UserError:
            columns = mapping.get("columns", {})
            keys = {str(h).replace("\ufeff", "").strip().lower() for h in self.header}
            return [c for c in required if str(columns.get(c, c)).strip().lower() not in keys]
        return []


def peek_file(
    path: Path,
    *,
    name: str | None = None,
    known: tuple[str, ...] = (),
    required: tuple[str, ...] = (),
    mapping: dict[str, Any] | None = None,
    rows: int = SAMPLE_ROWS,
    limits: ImportLimits | None = None,
) -> Peek:
    """The header and the first ``rows`` data rows of ``path``; UserError (in words) if unreadable."""
    limits = limits or ImportLimits()
    name = name or path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as e:
        raise UserError(
            _("%(path)s: berkas tidak dapat dibaca (%(why)s)") % {"path": name, "why": e.strerror}
        ) from None
    if size > limits.max_file_bytes:
        raise UserError(
            _("%(name)s: berkas terlalu besar: %(size)s, maksimal %(limit)s")
            % {"name": name, "size": mb(size), "limit": mb(limits.max_file_bytes)}
        )
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UserError(_("%(path)s: berkas kosong") % {"path": name})
    fmt = _sniff(Path(name), head)
    if fmt == "csv":
        return _peek_csv(path, head, name=name, rows=rows, limits=limits)
    if fmt == "parquet":
        return _peek_parquet(path, name=name, rows=rows)
    return _peek_xlsx(path, name=name, rows=rows, limits=limits, known=known, required=required,
                      mapping=mapping or {})  # fmt: skip


def _encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if e.start < len(head) - 4:
            return "cp1252"
    return "utf-8-sig"


def _peek_csv(path: Path, head: bytes, *, name: str, rows: int, limits: ImportLimits) -> Peek:
    max_line = limits.max_line_bytes
    allow_csv_fields(max_line)
    encoding = _encoding(head)
    lines: list[str] = []
    header_row = 0
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        for number, line in enumerate(bounded_lines(f, max_line), start=1):
            if line is TOO_LONG:
                raise UserError(too_long_line(name, number, max_line))
            if not lines and not line.strip():
                continue
            header_row = header_row or number
            if line.strip():
                lines.append(line)
            if len(lines) > rows:
                break
    if not lines:
        raise UserError(_("%(path)s: berkas kosong") % {"path": name})
    delim = detect_delimiter(lines[0].rstrip("\r\n"))
    parsed = list(csv.reader(io.StringIO("".join(lines)), delimiter=delim, quotechar='"'))
    header = [h.replace("\ufeff", "") for h in parsed[0]] if parsed else []
    return Peek(name=name, format="csv", header=header, rows=parsed[1 : rows + 1], header_row=header_row,
                delimiter=DELIMITER_NAMES[delim])  # fmt: skip


def _peek_parquet(path: Path, *, name: str, rows: int) -> Peek:
    import duckdb

    from sigap.core.nik_sql import sql_str

    try:
        con = duckdb.connect()
        try:
            relation = con.sql(f"SELECT * FROM read_parquet({sql_str(str(path))}) LIMIT {int(rows)}")  # noqa: S608 -- quoted
            header = [str(c) for c in relation.columns]
            data = [["" if v is None else str(v) for v in row] for row in relation.fetchall()]
        finally:
            con.close()
    except duckdb.Error as e:
        raise UserError(
            _("%(name)s: berkas Parquet tidak dapat dibaca: %(why)s")
            % {"name": name, "why": " ".join(str(e).split())[:300]}
        ) from None
    return Peek(name=name, format="parquet", header=header, rows=data)


def _peek_xlsx(
    path: Path,
    *,
    name: str,
    rows: int,
    limits: ImportLimits,
    known: tuple[str, ...],
    required: tuple[str, ...],
    mapping: dict[str, Any],
) -> Peek:
    import openpyxl

    from sigap.registry.ingest.xlsx import (
        HEADER_COLUMNS,
        HEADER_MAX_ROW,
        HEADER_SEARCH,
        _cell_text,
        _guarded,
        _not_xlsx,
        check_archive,
    )

    check_archive(path, name=name, limits=limits)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 -- openpyxl raises many kinds on a damaged workbook
        raise _not_xlsx(name, e) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        values = sheet.iter_rows(max_row=HEADER_MAX_ROW, max_col=HEADER_COLUMNS, values_only=True)
        found: list[tuple[int, list[str]]] = []
        for number, row in enumerate(_guarded(values, name), start=1):
            cells = [_cell_text(v) or "" for v in row]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                found.append((number, cells))
            if len(found) >= HEADER_SEARCH + rows:
                break
    finally:
        book.close()
    if not found:
        raise UserError(_("%(name)s: lembar pertama buku kerja kosong") % {"name": name})
    # the row naming the required columns; else the widest of the first rows (a title row above
    # the header has one cell)
    head = found[: min(HEADER_SEARCH, max(1, len(found) - 1))]
    at = max(range(len(head)), key=lambda i: (sum(1 for c in head[i][1] if c.strip()), -i))
    if required:
        for i, (_number, cells) in enumerate(head):
            try:
                match_columns(source_name=name, header=cells, known=known, required=required, mapping=mapping)
            except UserError:
                continue
            at = i
            break
    header_row, header = found[at]
    data = [cells + [""] * (len(header) - len(cells)) for _n, cells in found[at + 1 : at + 1 + rows]]
    return Peek(name=name, format="xlsx", header=header, rows=data, header_row=header_row)
