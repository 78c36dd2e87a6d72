"""Reading extracts (CSV / XLSX / Parquet) as a DuckDB relation of raw text columns.

Every reader ends in the same place: a :class:`SourceRelation`, a SELECT giving ``_formula``
(columns whose XLSX cell held a formula without a cached value, else NULL), ``_row_error``
(why a CSV record could not be split into the header's fields, else NULL), ``_long`` (the
lengths of values the reader cut, ``name=length;...``, else NULL) and one VARCHAR column per
known column (NULL when the file lacks it).  Every reader keeps to :class:`ImportLimits`.  :func:`create_rows` runs the row-local
checks over it in a single pass and numbers the rows (header = row 1, first data row = row 2).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.utils.translation import gettext as _

from sigap.core.importlimits import ImportLimits, mb, number
from sigap.core.nik_sql import sql_str
from sigap.core.schema import SOURCE_TEXT_MAX_LENGTH
from sigap.errors import UserError
from sigap.registry.ingest.checks import PREVIEW

CHUNK = 8 * 1024 * 1024
DELIMITERS = ("|", ",", ";", "\t")
DELIMITER_NAMES = {"|": "pipe", ",": "comma", ";": "semicolon", "\t": "tab"}
BATCH_ROWS = 50_000  # rows converted in Python (XLSX, CSV repair) per Parquet write
#: DuckDB's CSV read buffer.  Larger than its default: the row-local pass keeps file order,
#: and fewer, larger batches make that order cheaper to keep (measured: ~20% less CPU).
CSV_BUFFER = 32 * 1024 * 1024

Progress = Callable[..., None]


@dataclass
class SourceFile:
    """What a first pass over the bytes tells: format, hash, text encoding."""

    path: Path
    format: str  # csv | xlsx | parquet
    sha256: str
    size: int
    encoding: str | None = None  # csv only: utf-8 | utf-8-sig | windows-1252 | utf-16
    stats: dict[str, Any] = field(default_factory=dict)


def _windows_1252_table() -> dict[int, str]:
    """Byte -> character for Windows-1252, with its 5 undefined bytes read as Latin-1."""
    table = {}
    for b in range(256):
        try:
            table[b] = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            table[b] = chr(b)
    return table


_CP1252 = str.maketrans({chr(b): c for b, c in _windows_1252_table().items() if chr(b) != c})


def inspect_file(
    path: Path, *, progress: Progress | None = None, limits: ImportLimits | None = None
) -> SourceFile:
    """One streaming pass: sha256 of the bytes, format sniffing, UTF-8 validity.

    The hash runs in a helper thread (hashlib releases the GIL) while this thread reads the
    next chunk and checks the text; pure-ASCII chunks need no decoding.  A file larger than
    ``limits.max_file_bytes`` is refused before it is read.
    """
    limits = limits or ImportLimits()
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise UserError(
                f"{path}: berkas terlalu besar: {mb(size)}, maksimal {mb(limits.max_file_bytes)}"
                f" / the file is {mb(size, lang='en')}, more than the limit of {mb(limits.max_file_bytes, lang='en')}"
            )
        handle = path.open("rb")
    except OSError as e:
        raise UserError(
            _("%(path)s: berkas tidak dapat dibaca (%(why)s)") % {"path": path, "why": e.strerror}
        ) from None
    hasher = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    done = 0
    with handle, ThreadPoolExecutor(max_workers=1) as pool:
        head = handle.read(CHUNK)
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise UserError(_("%(path)s: berkas kosong") % {"path": path})
        fmt = _sniff(path, head)
        chunk = head
        hashing: Future[None] | None = None
        while chunk:
            if hashing is not None:
                hashing.result()
            hashing = pool.submit(hasher.update, chunk)
            if fmt == "csv" and utf8 and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            done += len(chunk)
            if progress:
                progress("Membaca berkas / reading file", done, size)
            chunk = handle.read(CHUNK)
        if hashing is not None:
            hashing.result()
    encoding = None
    if fmt == "csv":
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-16"
        elif utf8:
            encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        else:
            encoding = "windows-1252"
        if encoding != "utf-16" and b"\x00" in head:
            raise UserError(_("%(path)s: bukan berkas CSV, XLSX atau Parquet (isi biner)") % {"path": path})
    return SourceFile(path=path, format=fmt, sha256=hasher.hexdigest(), size=size, encoding=encoding)


def _sniff(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if not head.startswith(b"PK"):
            raise UserError(_("%(path)s: bukan berkas XLSX yang sah (bukan arsip zip)") % {"path": path})
        return "xlsx"
    if head.startswith(b"PAR1") or suffix == ".parquet":
        if not head.startswith(b"PAR1"):
            raise UserError(_("%(path)s: bukan berkas Parquet yang sah") % {"path": path})
        return "parquet"
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(
            _("%(path)s: berkas Excel lama .xls tidak didukung; simpan sebagai .xlsx atau CSV")
            % {"path": path}
        )
    return "csv"


def utf8_copy(source: SourceFile, workdir: Path) -> Path:
    """The CSV as UTF-8 (the file itself when it already is)."""
    if source.encoding in ("utf-8", "utf-8-sig"):
        return source.path
    target = workdir / "source-utf8.csv"
    with source.path.open("rb") as src, target.open("wb") as out:
        if source.encoding == "utf-16":
            reader = codecs.getreader("utf-16")(src, "replace")
            while text := reader.read(CHUNK):
                out.write(text.encode("utf-8"))
        else:
            while chunk := src.read(CHUNK):
                out.write(chunk.decode("latin-1").translate(_CP1252).encode("utf-8"))
    return target


def detect_delimiter(header_line: str) -> str:
    """The candidate delimiter occurring most often outside quotes in the header line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def too_long_line(name: str, row: int, max_line: int) -> str:
    return (
        f"{name}: baris {number(row)} lebih panjang dari {mb(max_line)}"
        f" / line {number(row, lang='en')} is longer than {mb(max_line, lang='en')}"
    )


def read_header_line(path: Path, *, max_line: int, name: str = "") -> str:
    """The first non-blank line, reading at most ``max_line`` characters of any line."""
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        for line in bounded_lines(f, max_line):
            if line is TOO_LONG:
                raise UserError(too_long_line(name or path.name, 1, max_line))
            if line.strip():
                return line.rstrip("\r\n")
    raise UserError(_("%(path)s: berkas kosong") % {"path": path})


class _TooLong(str):
    """A physical line longer than the limit (its text is never kept)."""


TOO_LONG = _TooLong("")


def bounded_lines(f: Any, max_line: int) -> Iterator[str]:
    """The lines of text file ``f`` as ``for line in f`` gives them, but a line longer than
    ``max_line`` characters is read in pieces, dropped, and given as :data:`TOO_LONG`: memory
    stays bounded whatever the file holds (a "line" can be the whole file)."""
    while line := f.readline(max_line + 1):
        if len(line) <= max_line or line.endswith(("\n", "\r")) and len(line.rstrip("\r\n")) <= max_line:
            yield line
            continue
        while not line.endswith(("\n", "\r")):
            line = f.readline(max_line + 1)
            if not line:
                break
        yield TOO_LONG


def allow_csv_fields(max_line: int) -> None:
    """Let Python's csv module split a line of up to ``max_line`` characters.

    Its own limit (128 KiB per field) is process-wide; raising it changes nothing for other
    readers but the size of a field they accept, and lines longer than ``max_line`` never reach
    it (:func:`bounded_lines`).
    """
    if csv.field_size_limit() < max_line + 1:
        csv.field_size_limit(max_line + 1)


def header_key(name: object) -> str:
    return str(name if name is not None else "").replace("\ufeff", "").strip().lower()


def match_columns(
    *,
    source_name: str,
    header: list[str],
    known: tuple[str, ...],
    required: tuple[str, ...],
    mapping: dict[str, Any],
) -> dict[str, int]:
    """Our column name -> index in the file's header; UserError if a required one is missing."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(header_key(name), i)
    columns = mapping.get("columns", {})
    found: dict[str, int] = {}
    missing = []
    for ours in known:
        theirs = header_key(columns.get(ours, ours))
        if theirs in index:
            found[ours] = index[theirs]
        elif ours in required:
            missing.append(f"{ours} (as '{columns[ours]}')" if ours in columns else ours)
    if missing:
        shown = ", ".join(str(h) for h in header) or _("(tidak ada)")
        raise UserError(
            _("%(name)s: kolom wajib tidak ada: %(missing)s. Kolom yang ditemukan: %(found)s")
            % {"name": source_name, "missing": ", ".join(missing), "found": shown},
            details=[
                _(
                    "Pakai berkas pemetaan kolom (--mapping BERKAS, atau isian Pemetaan kolom di halaman impor) "
                    "untuk memetakan nama kolom kami ke kolom berkas."
                )
            ],
        )
    return found


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class SourceRelation:
    """A SELECT over the file giving ``_formula`` and every known column (VARCHAR, NULL when
    the file lacks it), read straight from the file by DuckDB.

    ``row_column``: the relation has ``source_row`` (XLSX, blank rows skipped); otherwise the
    row number follows from the file order (header = row 1).  ``fallback`` is the same read
    without parallel scanning, used when DuckDB refuses the parallel one.  ``repair`` (CSV
    only) re-reads the file record by record when DuckDB refuses it altogether (a record with
    more fields than the header, an unmatched quote): such records become rejected rows with
    ``_row_error`` set instead of failing the whole import.
    """

    sql: str
    columns: dict[str, str]  # our column -> the file's column
    row_column: bool = False
    fallback: str | None = None
    what: str = "file"  # for error messages: "cannot read as <what>"
    repair: Callable[[], SourceRelation] | None = None


_NO_EXTRA = "NULL::VARCHAR AS _formula, NULL::VARCHAR AS _row_error, NULL::VARCHAR AS _long"


def _relation(reader: str, *, known: tuple[str, ...], found: dict[str, str], extra: str = _NO_EXTRA) -> str:
    """``SELECT`` over ``reader``: known columns by our names, absent ones NULL."""
    cols = [
        f"CAST({_ident(found[c])} AS VARCHAR) AS {c}" if c in found else f"NULL::VARCHAR AS {c}"
        for c in known
    ]
    return f"SELECT {extra}, {', '.join(cols)} FROM {reader}"  # noqa: S608 -- literals quoted via sql_str, names fixed


def load_csv(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    *,
    workdir: Path,
    known: tuple[str, ...],
    required: tuple[str, ...],
    mapping: dict[str, Any],
    limits: ImportLimits,
) -> SourceRelation:
    max_line = limits.max_line_bytes
    allow_csv_fields(max_line)
    text_path = utf8_copy(source, workdir)
    line = read_header_line(text_path, max_line=max_line, name=source.path.name)
    delim = detect_delimiter(line)
    header = next(csv.reader([line], delimiter=delim, quotechar='"'))
    source.stats["delimiter"] = DELIMITER_NAMES[delim]
    found = match_columns(
        source_name=source.path.name, header=header, known=known, required=required, mapping=mapping
    )
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    reader = (
        f"read_csv({sql_str(str(text_path))}, delim={sql_str(delim)}, quote='\"', escape='\"', "
        f"header=true, auto_detect=false, columns={columns}, null_padding=true,"
        # a longer line fails the read; the repair then rejects just that line (TOO_LONG)
        f" max_line_size={max_line}, buffer_size={max(CSV_BUFFER, 2 * max_line)}"
    )
    ours = {k: f"c{v}" for k, v in found.items()}
    columns_found = {k: header[v] for k, v in found.items()}
    what = f"{DELIMITER_NAMES[delim]}-delimited CSV"

    def repair() -> SourceRelation:
        return repair_csv(
            text_path,
            delim=delim,
            header=header,
            found=found,
            known=known,
            workdir=workdir,
            what=what,
            max_line=max_line,
        )

    return SourceRelation(
        sql=_relation(f"{reader}, parallel=true)", known=known, found=ours),
        # quoted line breaks together with short rows: the parallel scanner gives up
        fallback=_relation(f"{reader}, parallel=false)", known=known, found=ours),
        columns=columns_found,
        what=what,
        repair=repair,
    )


#: How many physical lines a quoted value may span before an unmatched quote is assumed.
MAX_RECORD_LINES = 20


def _split_records(
    lines: Iterator[str], *, delim: str, width: int, max_line: int = 0
) -> Iterator[tuple[list[str] | None, str]]:
    """Records of a CSV body as ``(fields, "")`` or ``(None, reason)`` for one that cannot be split.

    Unlike a plain CSV reader, an unmatched quote costs one record, not the rest of the file:
    a record may continue over the next lines only while a quoted value is open, at most
    :data:`MAX_RECORD_LINES` lines, and only if the joined lines split into exactly ``width``
    fields; otherwise the first line alone is the bad record and the next lines are read again.
    Blank lines are skipped (as DuckDB does), so the records are numbered the same way.  A line
    longer than the limit (:data:`TOO_LONG`) is a bad record of its own.
    """
    pending: list[str] = []
    for line in lines:
        if line is TOO_LONG:
            if pending:  # a quoted value open across it: the first pending line is the bad record
                rest = pending[1:]
                pending = []
                yield None, 'a quoted value is never closed (a stray " character?)'
                yield from _split_records(iter(rest), delim=delim, width=width, max_line=max_line)
            yield (
                None,
                f"baris lebih panjang dari {mb(max_line)} / the line is longer than {mb(max_line, lang='en')}",
            )
            continue
        if not pending and not line.strip("\r\n"):
            continue
        pending.append(line)
        text = "".join(pending)
        open_quote = text.count('"') % 2 == 1
        if open_quote and len(pending) < MAX_RECORD_LINES:
            continue
        if open_quote:  # give up on the quote: the first line alone is the bad record
            rest = pending[1:]
            pending = []
            yield None, 'a quoted value is never closed (a stray " character?)'
            yield from _split_records(iter(rest), delim=delim, width=width, max_line=max_line)
            continue
        try:
            fields = next(
                csv.reader([text], delimiter=delim, quotechar='"', doublequote=True, strict=False), []
            )
        except csv.Error:  # a line break inside a value that is not quoted as a whole (x"y<LF>z")
            fields = None
        if fields is None and len(pending) == 1:
            pending = []
            yield None, 'a quote in the middle of a value (a stray " character?)'
            continue
        if fields is None or len(fields) != width and len(pending) > 1:
            # two stray quotes paired up across lines: only the first line is the bad record
            rest = pending[1:]
            pending = []
            yield None, 'a quoted value is never closed (a stray " character?)'
            yield from _split_records(iter(rest), delim=delim, width=width, max_line=max_line)
            continue
        pending = []
        if len(fields) > width:
            yield (
                None,
                f"the row has {len(fields)} fields but the header has {width}"
                f" (a {DELIMITER_NAMES[delim]} inside a value that is not quoted?)",
            )
        else:
            yield fields + [""] * (width - len(fields)), ""
    if pending:  # end of file inside an open quote
        yield None, 'a quoted value is never closed (a stray " character?)'
        yield from _split_records(iter(pending[1:]), delim=delim, width=width, max_line=max_line)


def repair_csv(
    text_path: Path,
    *,
    delim: str,
    header: list[str],
    found: dict[str, int],
    known: tuple[str, ...],
    workdir: Path,
    what: str,
    max_line: int,
) -> SourceRelation:
    """Record-by-record conversion to Parquet, for a CSV that DuckDB cannot read as a whole."""
    out = ParquetRows(workdir / "source-repaired.parquet", found)
    wanted = out.wanted
    with out, text_path.open(encoding="utf-8-sig", newline="") as f:
        lines = bounded_lines(f, max_line)
        for line in lines:  # the header: the first non-blank line (as read_header_line)
            if line is not TOO_LONG and line.strip():
                break
        records = _split_records(lines, delim=delim, width=len(header), max_line=max_line)
        for number, (fields, reason) in enumerate(records, start=2):
            cells: list[str | None] = [fields[i] or None for i in wanted] if fields else [None] * len(wanted)
            out.add(number, cells, error=reason or None)
    return out.relation(known=known, found=found, header=header, what=what)


class ParquetRows:
    """Rows of a source converted in Python (an XLSX sheet, a CSV read record by record) written to
    Parquet in batches: ``source_row``, ``_formula``, ``_row_error``, ``_long`` and the wanted
    columns ``c<i>`` (``found``: our column -> index in the file's header).

    A value longer than its column's limit (``SOURCE_TEXT_MAX_LENGTH``) is kept only as a preview
    and its length goes to ``_long``: a batch holds at most ``BATCH_ROWS`` rows of short values,
    however large the cells (one long XLSX shared string may fill every row of a sheet).
    """

    def __init__(self, target: Path, found: dict[str, int]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.target = target
        self.wanted = wanted = sorted(set(found.values()))
        self.names = [sorted(c for c, j in found.items() if j == i) for i in wanted]
        self.limits = [min(SOURCE_TEXT_MAX_LENGTH.get(c, PREVIEW) for c in names) for names in self.names]
        self.schema = pa.schema(
            [("source_row", pa.int64()), ("_formula", pa.string()), ("_row_error", pa.string())]
            + [("_long", pa.string())]
            + [(f"c{i}", pa.string()) for i in wanted]
        )
        self.writer = pq.ParquetWriter(target, self.schema)
        self.batch: dict[str, list[Any]] = {name: [] for name in self.schema.names}

    def add(
        self,
        number: int,
        cells: list[str | None],
        *,
        formula: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Add one row; True when a batch was written (a moment to report progress)."""
        self.batch["source_row"].append(number)
        self.batch["_formula"].append(formula)
        self.batch["_row_error"].append(error)
        cut: list[str] = []
        for k, (i, cell) in enumerate(zip(self.wanted, cells, strict=True)):
            if cell is not None and len(cell) > self.limits[k]:
                text = cell.strip()
                if len(text) > self.limits[k]:
                    cut.extend(f"{name}={len(text)}" for name in self.names[k])
                    cell = text[:PREVIEW]
            self.batch[f"c{i}"].append(cell)
        self.batch["_long"].append(";".join(cut) if cut else None)
        if len(self.batch["source_row"]) < BATCH_ROWS:
            return False
        self._flush()
        return True

    def _flush(self) -> None:
        import pyarrow as pa

        if self.batch["source_row"]:
            self.writer.write_table(pa.table(self.batch, schema=self.schema))
            for values in self.batch.values():
                values.clear()

    def __enter__(self) -> ParquetRows:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._flush()
        finally:
            self.writer.close()

    def relation(
        self, *, known: tuple[str, ...], found: dict[str, int], header: list[str], what: str
    ) -> SourceRelation:
        """The relation reading the rows written (after the ``with`` block)."""
        return SourceRelation(
            sql=_relation(
                f"read_parquet({sql_str(str(self.target))})",
                known=known,
                found={k: f"c{v}" for k, v in found.items()},
                extra="source_row, _formula, _row_error, _long",
            ),
            columns={k: header[v] for k, v in found.items()},
            row_column=True,
            what=what,
        )


def load_parquet(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    *,
    known: tuple[str, ...],
    required: tuple[str, ...],
    mapping: dict[str, Any],
    limits: ImportLimits,
) -> SourceRelation:
    path = sql_str(str(source.path))
    reader = f"read_parquet({path})"
    try:
        header = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]  # noqa: S608 -- literals quoted via sql_str, names fixed
        counted = con.execute(f"SELECT num_rows FROM parquet_file_metadata({path})").fetchone()  # noqa: S608 -- literals quoted via sql_str, names fixed
    except duckdb.Error as e:
        raise UserError(
            _("%(name)s: berkas Parquet tidak dapat dibaca: %(why)s")
            % {"name": source.path.name, "why": _first_lines(e)}
        ) from None
    rows = int(counted[0]) if counted and counted[0] is not None else 0
    if rows > limits.max_rows:  # known from the file's footer: refused before any row is read
        raise UserError(too_many_rows(source.path.name, rows, limits.max_rows))
    found = match_columns(
        source_name=source.path.name, header=header, known=known, required=required, mapping=mapping
    )
    return SourceRelation(
        sql=_relation(reader, known=known, found={k: header[v] for k, v in found.items()}),
        columns={k: header[v] for k, v in found.items()},
        what="Parquet",
    )


def too_many_rows(name: str, rows: int, limit: int) -> str:
    return (
        f"{name}: terlalu banyak baris: {number(rows)}, maksimal {number(limit)}"
        f" / too many rows: {number(rows, lang='en')}, more than the limit of {number(limit, lang='en')}"
    )


def _first_lines(error: Exception, lines: int = 3) -> str:
    return " ".join(str(error).strip().splitlines()[:lines])


def load_source(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    *,
    workdir: Path,
    known: tuple[str, ...],
    required: tuple[str, ...],
    mapping: dict[str, Any],
    progress: Progress | None = None,
    limits: ImportLimits | None = None,
) -> SourceRelation:
    """The relation reading any supported format (XLSX is first converted to Parquet)."""
    limits = limits or ImportLimits()
    if source.format == "csv":
        return load_csv(
            con, source, workdir=workdir, known=known, required=required, mapping=mapping, limits=limits
        )
    if source.format == "parquet":
        return load_parquet(con, source, known=known, required=required, mapping=mapping, limits=limits)
    from sigap.registry.ingest.xlsx import load_xlsx

    return load_xlsx(
        source,
        workdir=workdir,
        known=known,
        required=required,
        mapping=mapping,
        progress=progress,
        limits=limits,
    )


def assert_row_local(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse a query whose plan is more than a scan under projections.

    Row numbers come from the order in which rows reach the table; a join (DuckDB plans an
    ``IN`` list of six or more values as one), window or aggregate may reorder them.
    """
    (row,) = con.execute(f"EXPLAIN (FORMAT json) {sql}").fetchall()
    stack = list(json.loads(row[1]))
    while stack:
        node = stack.pop()
        children = node.get("children", [])
        name = str(node.get("name", ""))
        if (
            not (name == "PROJECTION" or name.startswith("READ_") or name.endswith("SCAN"))
            or len(children) > 1
        ):
            raise RuntimeError(f"row-local pass is not a pure projection: plan has {name}")
        stack.extend(children)


def create_rows(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    relation: SourceRelation,
    *,
    select: Callable[[str, str], str],
) -> None:
    """Table ``checked_rows`` from ``select(relation sql, passthrough)`` in one pass over the file,
    and the view ``checked`` adding ``source_row``.

    ``select`` must be a pure projection (no joins, windows or aggregates): with
    ``preserve_insertion_order`` the table then holds the rows in file order even when the file
    is read in parallel, so ``rowid + 2`` is the row's line in the file (header = row 1).
    """
    keep = "source_row, " if relation.row_column else ""
    assert_row_local(con, select(relation.sql, keep))
    try:
        try:
            con.execute(f"CREATE TABLE checked_rows AS {select(relation.sql, keep)}")
        except duckdb.Error as e:
            if relation.fallback is None or "parallel=false" not in str(e):
                raise
            con.execute(f"CREATE OR REPLACE TABLE checked_rows AS {select(relation.fallback, keep)}")
    except duckdb.Error as e:
        if relation.repair is None:
            raise UserError(
                _("%(name)s: tidak dapat dibaca sebagai %(what)s: %(why)s")
                % {"name": source.path.name, "what": relation.what, "why": _first_lines(e)}
            ) from None
        # some records cannot be split: read record by record, reject just those
        source.stats["repaired"] = True
        relation = relation.repair()
        keep = "source_row, "
        try:
            con.execute(f"CREATE OR REPLACE TABLE checked_rows AS {select(relation.sql, keep)}")
        except duckdb.Error as again:
            raise UserError(
                f"{source.path.name}: cannot read as {relation.what}: {_first_lines(again)}"
            ) from None
    row = "" if relation.row_column else "rowid + 2 AS source_row, "
    con.execute(f"CREATE VIEW checked AS SELECT {row}* FROM checked_rows")  # noqa: S608 -- literals quoted via sql_str, names fixed


__all__ = ["SourceFile", "SourceRelation", "create_rows", "detect_delimiter", "inspect_file", "load_source"]
