"""Reading extracts (CSV / XLSX / Parquet) as a DuckDB relation of raw text columns.

Every reader ends in the same place: a :class:`SourceRelation`, a SELECT giving ``_formula``
(columns whose XLSX cell held a formula without a cached value, else NULL), ``_row_error``
(why a CSV record could not be split into the header's fields, else NULL) and one VARCHAR
column per known column (NULL when the file lacks it).  :func:`create_rows` runs the row-local
checks over it in a single pass and numbers the rows (header = row 1, first data row = row 2).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from sigap.core.nik_sql import sql_str
from sigap.errors import UserError

CHUNK = 8 * 1024 * 1024
DELIMITERS = ("|", ",", ";", "\t")
DELIMITER_NAMES = {"|": "pipe", ",": "comma", ";": "semicolon", "\t": "tab"}
XLSX_BATCH = 50_000
HEADER_SEARCH = 20  # XLSX: how many non-empty rows may stand above the header
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


def inspect_file(path: Path, *, progress: Progress | None = None) -> SourceFile:
    """One streaming pass: sha256 of the bytes, format sniffing, UTF-8 validity.

    The hash runs in a helper thread (hashlib releases the GIL) while this thread reads the
    next chunk and checks the text; pure-ASCII chunks need no decoding.
    """
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as e:
        raise UserError(f"{path}: cannot read the file ({e.strerror})") from None
    hasher = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    done = 0
    with handle, ThreadPoolExecutor(max_workers=1) as pool:
        head = handle.read(CHUNK)
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise UserError(f"{path}: the file is empty")
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
            raise UserError(f"{path}: not a CSV, XLSX or Parquet file (binary content)")
    return SourceFile(path=path, format=fmt, sha256=hasher.hexdigest(), size=size, encoding=encoding)


def _sniff(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if not head.startswith(b"PK"):
            raise UserError(f"{path}: not a valid XLSX file (it is not a zip archive)")
        return "xlsx"
    if head.startswith(b"PAR1") or suffix == ".parquet":
        if not head.startswith(b"PAR1"):
            raise UserError(f"{path}: not a valid Parquet file")
        return "parquet"
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"{path}: old Excel .xls files are not supported; save it as .xlsx or CSV")
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


def read_header_line(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        for line in f:
            if line.strip():
                return line.rstrip("\r\n")
    raise UserError(f"{path}: the file is empty")


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
        shown = ", ".join(str(h) for h in header) or "(none)"
        raise UserError(
            f"{source_name}: missing required columns: {', '.join(missing)}. Columns found: {shown}",
            details=["use --mapping FILE to map our column names to the file's columns"],
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


_NO_EXTRA = "NULL::VARCHAR AS _formula, NULL::VARCHAR AS _row_error"


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
) -> SourceRelation:
    text_path = utf8_copy(source, workdir)
    line = read_header_line(text_path)
    delim = detect_delimiter(line)
    header = next(csv.reader([line], delimiter=delim, quotechar='"'))
    source.stats["delimiter"] = DELIMITER_NAMES[delim]
    found = match_columns(
        source_name=source.path.name, header=header, known=known, required=required, mapping=mapping
    )
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    reader = (
        f"read_csv({sql_str(str(text_path))}, delim={sql_str(delim)}, quote='\"', escape='\"', "
        f"header=true, auto_detect=false, columns={columns}, null_padding=true, buffer_size={CSV_BUFFER}"
    )
    ours = {k: f"c{v}" for k, v in found.items()}
    columns_found = {k: header[v] for k, v in found.items()}
    what = f"{DELIMITER_NAMES[delim]}-delimited CSV"

    def repair() -> SourceRelation:
        return repair_csv(
            text_path, delim=delim, header=header, found=found, known=known, workdir=workdir, what=what
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


def _split_records(lines: Iterator[str], *, delim: str, width: int) -> Iterator[tuple[list[str] | None, str]]:
    """Records of a CSV body as ``(fields, "")`` or ``(None, reason)`` for one that cannot be split.

    Unlike a plain CSV reader, an unmatched quote costs one record, not the rest of the file:
    a record may continue over the next lines only while a quoted value is open, at most
    :data:`MAX_RECORD_LINES` lines, and only if the joined lines split into exactly ``width``
    fields; otherwise the first line alone is the bad record and the next lines are read again.
    Blank lines are skipped (as DuckDB does), so the records are numbered the same way.
    """
    pending: list[str] = []
    for line in lines:
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
            yield from _split_records(iter(rest), delim=delim, width=width)
            continue
        fields = next(csv.reader([text], delimiter=delim, quotechar='"', doublequote=True, strict=False), [])
        if len(fields) != width and len(pending) > 1:
            # two stray quotes paired up across lines: only the first line is the bad record
            rest = pending[1:]
            pending = []
            yield None, 'a quoted value is never closed (a stray " character?)'
            yield from _split_records(iter(rest), delim=delim, width=width)
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
        yield from _split_records(iter(pending[1:]), delim=delim, width=width)


def repair_csv(
    text_path: Path,
    *,
    delim: str,
    header: list[str],
    found: dict[str, int],
    known: tuple[str, ...],
    workdir: Path,
    what: str,
) -> SourceRelation:
    """Record-by-record conversion to Parquet, for a CSV that DuckDB cannot read as a whole."""
    wanted = sorted(set(found.values()))
    out = _ParquetRows(workdir / "source-repaired.parquet", wanted)
    with out, text_path.open(encoding="utf-8", newline="") as f:
        next(f, None)  # header
        records = _split_records(iter(f), delim=delim, width=len(header))
        for number, (fields, reason) in enumerate(records, start=2):
            cells: list[str | None] = [fields[i] or None for i in wanted] if fields else [None] * len(wanted)
            out.add(number, cells, error=reason or None)
    return out.relation(known=known, found=found, header=header, what=what)


class _ParquetRows:
    """Rows of a source converted in Python (an XLSX sheet, a CSV read record by record) written to
    Parquet in batches: ``source_row``, ``_formula``, ``_row_error`` and the wanted columns ``c<i>``."""

    def __init__(self, target: Path, wanted: list[int]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.target, self.wanted = target, wanted
        self.schema = pa.schema(
            [("source_row", pa.int64()), ("_formula", pa.string()), ("_row_error", pa.string())]
            + [(f"c{i}", pa.string()) for i in wanted]
        )
        self.writer = pq.ParquetWriter(target, self.schema)
        self.batch: dict[str, list[Any]] = {name: [] for name in self.schema.names}

    def add(
        self, number: int, cells: list[str | None], *, formula: str | None = None, error: str | None = None
    ) -> bool:
        """Add one row; True when a batch was written (a moment to report progress)."""
        self.batch["source_row"].append(number)
        self.batch["_formula"].append(formula)
        self.batch["_row_error"].append(error)
        for i, cell in zip(self.wanted, cells, strict=True):
            self.batch[f"c{i}"].append(cell)
        if len(self.batch["source_row"]) < XLSX_BATCH:
            return False
        self._flush()
        return True

    def _flush(self) -> None:
        import pyarrow as pa

        if self.batch["source_row"]:
            self.writer.write_table(pa.table(self.batch, schema=self.schema))
            for values in self.batch.values():
                values.clear()

    def __enter__(self) -> _ParquetRows:
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
        return SourceRelation(
            sql=_relation(
                f"read_parquet({sql_str(str(self.target))})",
                known=known,
                found={k: f"c{v}" for k, v in found.items()},
                extra="source_row, _formula, _row_error",
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
) -> SourceRelation:
    reader = f"read_parquet({sql_str(str(source.path))})"
    try:
        header = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]  # noqa: S608 -- literals quoted via sql_str, names fixed
    except duckdb.Error as e:
        raise UserError(f"{source.path.name}: not a readable Parquet file: {_first_lines(e)}") from None
    found = match_columns(
        source_name=source.path.name, header=header, known=known, required=required, mapping=mapping
    )
    return SourceRelation(
        sql=_relation(reader, known=known, found={k: header[v] for k, v in found.items()}),
        columns={k: header[v] for k, v in found.items()},
        what="Parquet",
    )


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


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[Any, ...], tuple[Any, ...]]]:
    """(excel row number, cached values, formulas-or-values) for every row of the first sheet."""
    import openpyxl

    books = []
    try:
        books.append(openpyxl.load_workbook(path, read_only=True, data_only=True))
        books.append(openpyxl.load_workbook(path, read_only=True, data_only=False))
        values = books[0].worksheets[0].iter_rows(values_only=True)
        formulas = books[1].worksheets[0].iter_rows(values_only=True)
        for number, (row_v, row_f) in enumerate(zip(values, formulas, strict=False), start=1):
            yield number, row_v, row_f
    except UserError:
        raise
    except Exception as e:  # noqa: BLE001 -- openpyxl raises many kinds on a damaged workbook
        raise UserError(f"{path.name}: not a valid XLSX file ({type(e).__name__}: {e})") from None
    finally:
        for book in books:
            book.close()


def load_xlsx(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    *,
    workdir: Path,
    known: tuple[str, ...],
    required: tuple[str, ...],
    mapping: dict[str, Any],
    progress: Progress | None = None,
) -> SourceRelation:
    """Convert the first sheet to Parquet in batches (openpyxl read-only), then read that."""

    rows = _xlsx_rows(source.path)
    # Official workbooks often carry a title, a date or a logo row above the header: the header
    # is the first of the first HEADER_SEARCH non-empty rows that names the required columns.
    seen: list[tuple[int, tuple[Any, ...], tuple[Any, ...]]] = []
    header: list[str] | None = None
    found: dict[str, int] = {}
    first_error: UserError | None = None
    for item in rows:
        if not any(v is not None and str(v).strip() for v in item[1]):
            continue
        seen.append(item)
        candidate = [_cell_text(v) or "" for v in item[1]]
        try:
            found = match_columns(
                source_name=source.path.name,
                header=candidate,
                known=known,
                required=required,
                mapping=mapping,
            )
        except UserError as e:
            first_error = first_error or e
            if len(seen) >= HEADER_SEARCH:
                break
            continue
        header = candidate
        break
    if header is None:
        if first_error is not None:
            raise first_error
        raise UserError(f"{source.path.name}: the workbook's first sheet is empty")
    if len(seen) > 1:
        source.stats["header_row"] = seen[-1][0]
    wanted = sorted(set(found.values()))
    names_at = {i: [c for c, j in found.items() if j == i][0] for i in wanted}
    out = _ParquetRows(workdir / "source.parquet", wanted)
    with out:
        for number, row_v, row_f in rows:
            texts = [_cell_text(row_v[i]) if i < len(row_v) else None for i in wanted]
            formula_cols = [
                names_at[i]
                for i in wanted
                if i < len(row_f) and _is_formula(row_f[i]) and (i >= len(row_v) or row_v[i] is None)
            ]
            if all(t is None for t in texts) and not formula_cols:
                continue
            if out.add(number, texts, formula=",".join(formula_cols) or None) and progress:
                progress("Mengonversi XLSX / converting XLSX", number, None)
    return out.relation(known=known, found=found, header=header, what="XLSX")


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
) -> SourceRelation:
    """The relation reading any supported format (XLSX is first converted to Parquet)."""
    if source.format == "csv":
        return load_csv(con, source, workdir=workdir, known=known, required=required, mapping=mapping)
    if source.format == "parquet":
        return load_parquet(con, source, known=known, required=required, mapping=mapping)
    return load_xlsx(
        con, source, workdir=workdir, known=known, required=required, mapping=mapping, progress=progress
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
                f"{source.path.name}: cannot read as {relation.what}: {_first_lines(e)}"
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
