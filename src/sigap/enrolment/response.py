"""BPJS TK response files: read (CSV with , ; | or XLSX), validate every row, plan the answers.

Nothing here writes: :func:`plan` returns the answers to apply or every problem found, each naming
the file, row, column and reason.  ``sigap.enrolment.actions.response_apply`` applies a plan;
``response_import`` reads a file for it, the API passes the rows it was sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

COLUMNS = ("NIK", "KPJ", "STATUS", "ALASAN", "TANGGAL_EFEKTIF")
REQUIRED = ("NIK", "STATUS")
COLUMNS_ORDER = ("NIK", "STATUS", "KPJ", "ALASAN", "TANGGAL_EFEKTIF")
ALIASES = {
    "NIK": "NIK",
    "NOMOR_NIK": "NIK",
    "KPJ": "KPJ",
    "NO_KPJ": "KPJ",
    "NOMOR_KPJ": "KPJ",
    "STATUS": "STATUS",
    "ALASAN": "ALASAN",
    "KETERANGAN": "ALASAN",
    "REASON": "ALASAN",
    "TANGGAL_EFEKTIF": "TANGGAL_EFEKTIF",
    "TGL_EFEKTIF": "TANGGAL_EFEKTIF",
    "EFFECTIVE_DATE": "TANGGAL_EFEKTIF",
}
ACCEPTED, REJECTED = "accepted", "rejected"
STATUSES = {"DITERIMA": ACCEPTED, "ACCEPTED": ACCEPTED, "DITOLAK": REJECTED, "REJECTED": REJECTED}
# An effective date may precede the batch's export date by this much (BPJS back-dates a few days).
EFFECTIVE_DATE_TOLERANCE = dt.timedelta(days=7)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KPJ = re.compile(r"^[0-9A-Za-z]{5,20}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y")


class Answer(NamedTuple):
    row: int
    nik: str
    status: str  # accepted | rejected
    kpj: str
    reason: str
    effective_date: dt.date | None


class Line(NamedTuple):
    """What the database holds for one line of the batch."""

    id: int
    member_id: int
    nik: str
    status: str  # pending | accepted | rejected
    kpj: str
    effective_date: dt.date | None
    reason: str
    member_state: str = ""


@dataclass
class Plan:
    answers: list[tuple[Line, Answer]] = field(default_factory=list)  # lines to answer now
    unchanged: int = 0  # rows that repeat an answer already applied


def _key(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", str(name).strip().upper()).strip("_")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def read_rows(path: Path, content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and data rows (with their 1-based file row number) of a CSV or XLSX file."""
    if content[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "|", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    # Skip blank rows; the first cell (NIK) is usually filled, so the join is rarely needed.
    rows = [
        (i, row) for i, row in enumerate(reader, start=2) if row and (row[0].strip() or "".join(row).strip())
    ]
    return header, rows


def _read_xlsx(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows_iter, ())]
        rows = []
        for i, values in enumerate(rows_iter, start=2):
            cells = [_text(v) for v in values]
            if any(cells):
                rows.append((i, cells))
        return header, rows
    finally:
        workbook.close()


def digest(header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]]) -> str:
    """The sha256 of rows that came without a file (the API): the bytes of the CSV answer file holding
    them (UTF-8, ``,``, ``\\n``), so the same answer pushed twice is recognised as a repeat."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(cells for _row, cells in rows)
    return hashlib.sha256(text.getvalue().encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date | None:
    if _ISO.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def plan(
    *,
    name: str,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    lines: Mapping[str, Line],
    batch_number: str,
    exported_on: dt.date,
    today: dt.date,
    other_batches: Mapping[str, str],
    kpj_holders: Mapping[str, set[str]],
) -> tuple[Plan, list[str]]:
    """Check every row against the batch; returns the plan and the list of problems (empty if none).

    ``lines``: NIK -> line of this batch; ``other_batches``: NIK -> batch number, for NIKs of this file
    that are in another batch; ``kpj_holders``: KPJ -> NIKs of members already holding it.
    """
    problems: list[str] = []
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        canonical = ALIASES.get(_key(raw))
        if canonical and canonical not in columns:
            columns[canonical] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return Plan(), [
            _("%(name)s: kolom %(missing)s tidak ada (diharapkan %(expected)s)")
            % {"name": name, "missing": ", ".join(missing), "expected": ", ".join(COLUMNS)}
        ]

    # Absent optional columns read an empty cell appended after the last column.
    width = max(columns.values()) + 1
    i_nik, i_status, i_kpj, i_reason, i_date = (columns.get(c, width) for c in COLUMNS_ORDER)
    padding = [""] * (width + 1)
    earliest = exported_on - EFFECTIVE_DATE_TOLERANCE
    seen_nik: dict[str, int] = {}
    seen_kpj: dict[str, int] = {}
    result = Plan()
    count = 0
    for row, values in rows:
        count += 1
        if len(values) <= width:
            values = values + padding[len(values) :]
        nik = values[i_nik].strip().replace(" ", "")
        status_raw = values[i_status].strip()
        kpj = values[i_kpj].strip().replace(" ", "")
        reason = values[i_reason].strip()
        date_raw = values[i_date].strip()
        before = len(problems)
        line = None
        if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
            problems.append(_at(name, row, "NIK") + _("'%(nik)s' bukan NIK 16 digit") % {"nik": nik})
        elif nik in seen_nik:
            problems.append(
                _at(name, row, "NIK")
                + _("sama dengan baris %(first)s (NIK %(nik)s)") % {"first": seen_nik[nik], "nik": nik}
            )
        else:
            seen_nik[nik] = row
            line = lines.get(nik)
            if line is None:
                other = other_batches.get(nik)
                problems.append(
                    _at(name, row, "NIK")
                    + (
                        _("NIK %(nik)s ada di batch %(other)s, bukan di batch %(batch)s")
                        % {"nik": nik, "other": other, "batch": batch_number}
                        if other
                        else _("NIK %(nik)s tidak dikenal (tidak ada di batch %(batch)s)")
                        % {"nik": nik, "batch": batch_number}
                    )
                )
        status = STATUSES.get(status_raw.upper()) or STATUSES.get(_key(status_raw))
        if status is None:
            problems.append(
                _at(name, row, "STATUS")
                + _("'%(value)s' bukan DITERIMA/ACCEPTED atau DITOLAK/REJECTED") % {"value": status_raw}
            )
        effective: dt.date | None = None
        if date_raw:
            effective = parse_date(date_raw)
            if effective is None:
                problems.append(
                    _at(name, row, "TANGGAL_EFEKTIF")
                    + _("'%(value)s' bukan tanggal (TTTT-BB-HH)") % {"value": date_raw}
                )
            elif effective > today:
                problems.append(
                    _at(name, row, "TANGGAL_EFEKTIF")
                    + _("%(day)s masih di masa depan (hari ini %(today)s)")
                    % {"day": effective.isoformat(), "today": today.isoformat()}
                )
            elif effective < earliest:
                problems.append(
                    _at(name, row, "TANGGAL_EFEKTIF")
                    + _("%(day)s sebelum batch %(batch)s diekspor (%(exported)s, toleransi %(days)s hari)")
                    % {
                        "day": effective.isoformat(),
                        "batch": batch_number,
                        "exported": exported_on.isoformat(),
                        "days": EFFECTIVE_DATE_TOLERANCE.days,
                    }
                )
        if status == ACCEPTED:
            if not kpj:
                problems.append(_at(name, row, "KPJ") + _("pendaftaran yang diterima perlu nomor KPJ"))
            elif not _KPJ.match(kpj):
                problems.append(
                    _at(name, row, "KPJ") + _("'%(kpj)s' bukan nomor KPJ (5-20 huruf/angka)") % {"kpj": kpj}
                )
            elif kpj in seen_kpj:
                problems.append(
                    _at(name, row, "KPJ")
                    + _("KPJ %(kpj)s juga ada di baris %(first)s") % {"kpj": kpj, "first": seen_kpj[kpj]}
                )
            else:
                seen_kpj[kpj] = row
                holders = kpj_holders.get(kpj)
                if holders and (holders := holders - {nik}):
                    problems.append(
                        _at(name, row, "KPJ")
                        + _("KPJ %(kpj)s sudah milik peserta lain (NIK %(niks)s)")
                        % {"kpj": kpj, "niks": ", ".join(sorted(holders))}
                    )
            if not date_raw:
                problems.append(
                    _at(name, row, "TANGGAL_EFEKTIF") + _("pendaftaran yang diterima perlu tanggal efektif")
                )
        elif status == REJECTED:
            if not reason:
                problems.append(_at(name, row, "ALASAN") + _("pendaftaran yang ditolak perlu alasan"))
            kpj = ""
        if len(problems) != before or line is None or status is None:
            continue
        answer = Answer(row, nik, status, kpj, reason if status == REJECTED else "", effective)
        if line.status != "pending":
            same = (line.status, line.kpj, line.effective_date, line.reason) == (
                answer.status,
                answer.kpj,
                answer.effective_date,
                answer.reason,
            )
            if same:
                result.unchanged += 1
            else:
                problems.append(
                    Problem(
                        _(
                            "%(name)s: baris %(row)s: NIK %(nik)s sudah dijawab (%(before)s); berkas berikutnya "
                            "tidak boleh menjawab berbeda (%(now)s)"
                        )
                        % {
                            "name": name,
                            "row": row,
                            "nik": nik,
                            "before": _describe(line.status, line.kpj, line.reason),
                            "now": _describe(status, kpj, reason),
                        },
                        kind=ANSWERED_DIFFERENTLY,
                    )
                )
            continue
        result.answers.append((line, answer))
    if count == 0:
        problems.append(_("%(name)s: tidak ada baris data") % {"name": name})
    return result, problems


#: The kind of problem of a line answered before and answered differently now (the API's 409).
ANSWERED_DIFFERENTLY = "answered_differently"


class Problem(str):
    """A problem's text (in the active language) with a kind a program can test (``ANSWERED_DIFFERENTLY``)."""

    kind: str

    def __new__(cls, text: str, *, kind: str = "") -> Problem:
        problem = super().__new__(cls, text)
        problem.kind = kind
        return problem


def _describe(status: str, kpj: str, reason: str) -> str:
    return (
        _("diterima, KPJ %(kpj)s") % {"kpj": kpj}
        if status == ACCEPTED
        else _("ditolak: %(reason)s") % {"reason": reason}
    )


def _at(name: str, row: int, column: str) -> str:
    """``jawaban.csv: baris 12, kolom KPJ: `` -- where a problem is, before what it is."""
    return _("%(name)s: baris %(row)s, kolom %(column)s: ") % {"name": name, "row": row, "column": column}
