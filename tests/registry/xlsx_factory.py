"""Hand-built XLSX files (zipfile + XML), for workbooks openpyxl would never write: shared strings of
any size, row numbers that jump, cells far to the right, entries packed a thousand to one."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from sigap.core.schema import SOURCE_COLUMNS

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def shared_cell(ref: str, index: int) -> str:
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def row(number: int, cells: list[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def registry_rows(
    people: list[dict[str, Any]], *, shared: dict[tuple[int, str], int] | None = None
) -> list[str]:
    """The header and ``people`` as rows of inline strings; ``shared[(i, column)]``: person ``i``'s
    ``column`` is that shared string instead."""
    shared = shared or {}
    letters = {c: get_column_letter(i + 1) for i, c in enumerate(SOURCE_COLUMNS)}
    rows = [row(1, [cell(f"{letters[c]}1", c) for c in SOURCE_COLUMNS])]
    for i, person in enumerate(people):
        number = i + 2
        cells = [
            shared_cell(f"{letters[c]}{number}", shared[(i, c)])
            if (i, c) in shared
            else cell(f"{letters[c]}{number}", str(person.get(c, "")))
            for c in SOURCE_COLUMNS
        ]
        rows.append(row(number, cells))
    return rows


def write_xlsx(path: Path, rows: list[str], *, shared: list[str] | None = None) -> Path:
    """A one-sheet workbook whose sheet holds ``rows`` (XML) and, when given, the shared strings."""
    sheet = f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    shared_type = shared_rel = ""
    if shared:
        shared_type = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        shared_rel = f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f"{shared_type}</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Target="xl/workbook.xml"'
            ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="DTSEN" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{shared_rel}</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared:
        items = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{_MAIN}" count="{len(shared)}">{items}</sst>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path
