"""The header and first rows of an extract, for the browser's column-mapping step.

Reads only the start of the file (bounded by the import limits): the CSV's first lines, the
XLSX's first rows (after the zip directory's checks of the import, its first sheet's XML and the
shared strings those rows use, read with expat: no DTD or entities, at most ``XML_BUDGET`` per part;
docs/security.md), the Parquet footer and a few rows.  Which row is the header follows the import's rules (:mod:`.source`, :mod:`.xlsx`): the
first non-blank line of a CSV; in a workbook the first non-empty row naming the required columns
(with the mapping, if any) among the first rows, else the first non-empty row.
"""

from __future__ import annotations

import csv
import io
import re
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
    """The first rows of the first sheet, read straight from the parts (not through openpyxl, which
    reads the whole shared-strings table first: ~10 s for a 100,000-row workbook)."""
    from sigap.registry.ingest.xlsx import HEADER_COLUMNS, HEADER_SEARCH, _not_xlsx, check_archive

    check_archive(path, name=name, limits=limits, scan=False)
    try:
        found = _xlsx_first_rows(path, want=HEADER_SEARCH + rows, columns=HEADER_COLUMNS)
    except UserError:
        raise
    except Exception as e:  # noqa: BLE001 -- a damaged workbook fails in many ways
        raise _not_xlsx(name, e) from None
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


# -- a bounded reader of a workbook's first rows ------------------------------------------------

#: uncompressed XML read at most per part: the first rows of a sheet, the first shared strings
XML_BUDGET = 16 * 1024 * 1024
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}


class _Enough(Exception):
    """Stops a parse once it has what it needs."""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _parse(archive: Any, member: str, handlers: dict[str, Any]) -> None:
    """Stream ``member`` through expat with ``handlers`` (no DTD, no entities), at most XML_BUDGET bytes."""
    import xml.parsers.expat

    def refuse(*_args: Any) -> None:
        raise ValueError("a DTD or an entity in a workbook part")

    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    for key, handler in handlers.items():
        setattr(parser, key, handler)
    read = 0
    try:
        with archive.open(member) as stream:
            while read < XML_BUDGET and (chunk := stream.read(64 * 1024)):
                read += len(chunk)
                parser.Parse(chunk, False)
    except _Enough:
        return


def _column(ref: str | None, previous: int) -> int:
    if not ref:
        return previous + 1
    index = 0
    for ch in ref:
        if not ch.isalpha():
            break
        index = index * 26 + (ord(ch.upper()) - 64)
    return index - 1


def _first_sheet(archive: Any) -> str:
    names = set(archive.namelist())
    sheet_rid: list[str] = []
    targets: dict[str, str] = {}

    def workbook_start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "sheet" and not sheet_rid:
            sheet_rid.append(attrs.get(f"{_REL}}}id", ""))
            raise _Enough

    def rels_start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    if "xl/workbook.xml" in names:
        _parse(archive, "xl/workbook.xml", {"StartElementHandler": workbook_start})
    if "xl/_rels/workbook.xml.rels" in names:
        _parse(archive, "xl/_rels/workbook.xml.rels", {"StartElementHandler": rels_start})
    target = targets.get(sheet_rid[0], "") if sheet_rid else ""
    if target:
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member in names:
            return member
    return "xl/worksheets/sheet1.xml"


def _date_styles(archive: Any) -> set[int]:
    """Indices of the cell styles that show a number as a date."""
    if "xl/styles.xml" not in set(archive.namelist()):
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = {"cellXfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            custom[int(attrs.get("numFmtId", "0") or 0)] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            inside["cellXfs"] = True
        elif local == "xf" and inside["cellXfs"]:
            formats.append(int(attrs.get("numFmtId", "0") or 0))

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            raise _Enough

    _parse(archive, "xl/styles.xml", {"StartElementHandler": start, "EndElementHandler": end})

    def is_date(fmt: int) -> bool:
        if fmt in _DATE_FORMATS:
            return True
        code = re.sub(r'"[^"]*"|\[[^\]]*\]', "", custom.get(fmt, "")).lower()
        return bool(code) and any(ch in code for ch in "dy") and "0.0" not in code

    return {i for i, fmt in enumerate(formats) if is_date(fmt)}


def _xlsx_first_rows(path: Path, *, want: int, columns: int) -> list[tuple[int, list[str]]]:
    """``(row number, cell texts)`` of the first ``want`` non-empty rows of the first sheet, the cells
    written as the import writes them (numbers without ``.0``, dates as ``YYYY-MM-DD``)."""
    import zipfile

    from openpyxl.utils.datetime import from_excel

    from sigap.registry.ingest.xlsx import _cell_text

    with zipfile.ZipFile(path) as archive:
        sheet = _first_sheet(archive)
        raw: list[tuple[int, dict[int, tuple[str, str, int]]]] = []
        state: dict[str, Any] = {"row": None, "number": 0, "col": -1, "cell": None, "text": None}

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "row":
                state["number"] = int(attrs.get("r") or state["number"] + 1)
                state["row"], state["col"] = {}, -1
            elif local == "c" and state["row"] is not None:
                state["col"] = _column(attrs.get("r"), state["col"])
                state["cell"] = (attrs.get("t", "n"), int(attrs.get("s", "0") or 0))
            elif local in ("v", "t") and state["cell"] is not None:
                state["text"] = []

        def text(data: str) -> None:
            if state["text"] is not None:
                state["text"].append(data)

        def end(tag: str) -> None:
            local = _local(tag)
            if local in ("v", "t") and state["text"] is not None:
                state["value"] = "".join(state["text"])
                state["text"] = None
            elif local == "c" and state["cell"] is not None:
                kind, style = state["cell"]
                value = state.pop("value", "")
                if value != "" and state["col"] < columns:
                    state["row"][state["col"]] = (kind, value, style)
                state["cell"] = None
            elif local == "row" and state["row"] is not None:
                if state["row"]:
                    raw.append((state["number"], state["row"]))
                state["row"] = None
                if len(raw) >= want:
                    raise _Enough

        _parse(archive, sheet, {"StartElementHandler": start, "EndElementHandler": end,
                                "CharacterDataHandler": text})  # fmt: skip
        needed = {
            int(v) for _n, cells in raw for kind, v, _s in cells.values() if kind == "s" and v.isdigit()
        }
        strings: list[str] = []
        if needed and "xl/sharedStrings.xml" in set(archive.namelist()):
            item: dict[str, Any] = {"parts": None, "phonetic": False}

            def s_start(tag: str, attrs: dict[str, str]) -> None:
                local = _local(tag)
                if local == "si":
                    item["parts"] = []
                elif local == "rPh":
                    item["phonetic"] = True

            def s_text(data: str) -> None:
                if item["parts"] is not None and not item["phonetic"]:
                    item["parts"].append(data)

            def s_end(tag: str) -> None:
                local = _local(tag)
                if local == "rPh":
                    item["phonetic"] = False
                elif local == "si":
                    strings.append("".join(item["parts"] or []))
                    item["parts"] = None
                    if len(strings) > max(needed):
                        raise _Enough

            _parse(archive, "xl/sharedStrings.xml", {"StartElementHandler": s_start, "EndElementHandler": s_end,
                                                     "CharacterDataHandler": s_text})  # fmt: skip
        dates = _date_styles(archive) if any(k == "n" for _n, c in raw for k, _v, _s in c.values()) else set()

    def cell(kind: str, value: str, style: int) -> str:
        if kind == "s":
            index = int(value) if value.isdigit() else -1
            return strings[index] if 0 <= index < len(strings) else ""
        if kind == "b":
            return "TRUE" if value.strip() in ("1", "true") else "FALSE"
        if kind == "n":
            try:
                number = float(value)
            except ValueError:
                return value
            if style in dates:
                try:
                    return _cell_text(from_excel(number)) or ""
                except (ValueError, OverflowError):
                    return value
            return _cell_text(int(number) if number.is_integer() and abs(number) < 1e17 else number) or ""
        return value

    out = []
    for number, cells in raw:
        width = max(cells) + 1
        texts = [cell(*cells[i]) if i in cells else "" for i in range(width)]
        while texts and not texts[-1].strip():
            texts.pop()
        if texts:
            out.append((number, texts))
    return out
