"""Spreadsheet formula injection ("CSV injection"): the one rule for every CSV file SIGAP writes.

A spreadsheet program opening a CSV file runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``), and some do so after a leading tab or
carriage return too.  Registry values, uploaded headers and file names and text typed by officers
all reach SIGAP's CSV files, so every text cell goes through this module: a text starting with one
of :data:`FORMULA_STARTS` gets a leading single quote (OWASP's advice), which a spreadsheet shows as
text and never evaluates; every other text is written unchanged (a NIK, a KPJ or an amount starts
with a digit and is untouched).

* Python writers use :func:`writer` (a ``csv.writer`` whose text cells pass :func:`cell`), or
  :func:`cell` / :func:`cells` directly.
* Set-based DuckDB ``COPY ... TO`` (millions of rows, no Python loop) uses :func:`cell_sql`, the same
  rule as a SQL expression.

Numbers (``int``, ``float``) are not text and are left alone.  XLSX files are safe without this:
XlsxWriter's ``write_string`` stores text, never a formula.

>>> cell("=1+1")
"'=1+1"
>>> cell("SITI AMINAH")
'SITI AMINAH'
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

#: First characters that make a spreadsheet read a CSV cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: What is put in front of such a cell.
QUOTE = "'"


def cell(value: str) -> str:
    """``value`` with a leading ``'`` when it starts with a formula character, else unchanged.

    Idempotent: the result never starts with a formula character, so a second pass changes nothing.
    """
    return QUOTE + value if value[:1] in FORMULA_STARTS else value


def cells(row: Iterable[object]) -> list[object]:
    """Every ``str`` of ``row`` through :func:`cell`; numbers, ``None`` and the rest unchanged."""
    return [cell(v) if isinstance(v, str) else v for v in row]


def _sql_char(char: str) -> str:
    return f"'{char}'" if char.isprintable() and char != "'" else f"chr({ord(char)})"


def cell_sql(expr: str) -> str:
    """The DuckDB expression applying :func:`cell` to the VARCHAR ``expr`` (NULL stays NULL).

    ``expr`` appears three times: pass a column name or another cheap expression.

    >>> cell_sql("nama")
    "CASE WHEN left(nama, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || nama ELSE nama END"
    """
    starts = ", ".join(_sql_char(c) for c in FORMULA_STARTS)
    quote = "'" + QUOTE.replace("'", "''") + "'"
    return f"CASE WHEN left({expr}, 1) IN ({starts}) THEN {quote} || {expr} ELSE {expr} END"


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


class SafeWriter:
    """A ``csv.writer`` whose text cells pass :func:`cell`; ``writerow`` returns what the file's
    ``write`` returned (so a streaming response can yield it).

    A line break inside a cell is always quoted: Python's writer quotes only the characters of its
    ``lineterminator``, so with ``"\\n"`` a bare carriage return would end the row in a spreadsheet
    and start a new one whose first cell escaped :func:`cell`.  Such a (rare) row is written with
    every field quoted; the columns are the same.
    """

    def __init__(self, fh: _Writable, **fmtparams: Any) -> None:
        self._writer = csv.writer(fh, **fmtparams)
        terminator = self._writer.dialect.lineterminator
        self._breaks = tuple(c for c in "\r\n" if c not in terminator)
        self._quoted = csv.writer(fh, **{**fmtparams, "quoting": csv.QUOTE_ALL}) if self._breaks else None

    def writerow(self, row: Iterable[object]) -> Any:
        values = cells(row)
        if self._quoted is not None and any(
            isinstance(v, str) and any(c in v for c in self._breaks) for v in values
        ):
            return self._quoted.writerow(values)
        return self._writer.writerow(values)

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(fh: _Writable, **fmtparams: Any) -> SafeWriter:
    """Like ``csv.writer(fh, **fmtparams)``, with every text cell made safe by :func:`cell`."""
    return SafeWriter(fh, **fmtparams)
