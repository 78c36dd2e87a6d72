"""The browser import's column-mapping step: uploads waiting for a mapping, previews, checks.

An upload whose header lacks required columns is kept (``DATA_DIR/uploads/<token>/``, the token
being its random folder name) with a note naming the officer who uploaded it, until they map it,
cancel it or the clean-up removes it (``sigap cleanup``: a day after its mapping page was last opened).
Only that officer may open it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sigap.errors import UserError
from sigap.jobs.kinds import UPLOAD_DIR, upload_path, upload_remove
from sigap.registry.columns import column_label
from sigap.registry.ingest.mapping import expected_columns
from sigap.registry.ingest.peek import Peek, peek_file

#: the note beside a waiting upload naming who uploaded it and how it is to be imported
PENDING_FILE = ".sigap-pending.json"
#: how long a waiting upload is kept after its mapping page was last opened (``sigap cleanup``)
PENDING_KEEP = dt.timedelta(hours=24)
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Pending:
    token: str
    upload: str  # relative to DATA_DIR
    kind: str
    reference_date: str  # ISO
    name: str  # the file's name as uploaded
    user: int


def _note(token: str) -> Path:
    return Path(settings.DATA_DIR) / UPLOAD_DIR / token / PENDING_FILE


def pending_add(*, upload: str, kind: str, reference_date: str, name: str, user: Any) -> Pending:
    """Keep an upload for the mapping step: a note beside it names its uploader and import settings."""
    token = Path(upload).parts[1]
    if Path(upload).name == PENDING_FILE:
        raise UserError(_("%(name)s: nama berkas ini tidak dapat dipakai; ganti namanya.") % {"name": name})
    pending = Pending(
        token=token, upload=upload, kind=kind, reference_date=reference_date, name=name, user=user.pk
    )
    _note(token).write_text(json.dumps(asdict(pending)), encoding="utf-8")
    return pending


def pending_get(token: str, *, user: Any) -> Pending | None:
    """The upload waiting under ``token`` for this user (another user's, or none: None)."""
    if not _TOKEN.match(token):
        return None
    try:
        pending = Pending(**json.loads(_note(token).read_text(encoding="utf-8")))
        if pending.user != user.pk or not upload_path(pending.upload).is_file():
            return None
        _note(token).touch()  # in use: the clean-up keeps it another PENDING_KEEP
    except (OSError, ValueError, TypeError, UserError):
        return None
    return pending


def pending_drop(pending: Pending, *, remove: bool) -> None:
    """The upload no longer waits: its import started (``remove=False``) or it was cancelled."""
    if remove:
        upload_remove(pending.upload)
    else:
        _note(pending.token).unlink(missing_ok=True)


def peek_upload(upload: str, *, kind: str, name: str, mapping: dict[str, Any] | None = None) -> Peek:
    from sigap.registry.actions import import_limits

    known, required = expected_columns(kind)
    return peek_file(upload_path(upload), name=name, known=known, required=required, mapping=mapping,
                     limits=import_limits())  # fmt: skip


@dataclass(frozen=True)
class Preview:
    columns: list[tuple[str, str, str]]  # (our column, its label, the file's column)
    rows: list[tuple[int, list[str]]]  # (row number in the file, values in the columns' order)
    problems: list[str]  # in words: file, row, column, reason


def _digits_problem(value: str, what: str) -> str | None:
    text = value.strip()
    if not text:
        return _("%(what)s kosong") % {"what": what}
    if "E+" in text.upper() or "E-" in text.upper():
        return _("%(what)s tertulis dalam notasi ilmiah (digit terakhir hilang di Excel)") % {"what": what}
    if not text.isdigit():
        return _("%(what)s memuat selain angka") % {"what": what}
    if len(text) != 16:
        return _("%(what)s %(n)s digit, seharusnya 16") % {"what": what, "n": len(text)}
    return None


def _desil_problem(value: str) -> str | None:
    text = value.strip()
    if not text:
        return _("desil kosong")
    if not text.isdigit() or not 1 <= int(text) <= 10:
        return _("desil '%(v)s' bukan angka 1 sampai 10") % {"v": text[:20]}
    return None


CHECKS = {
    "nomor_nik": lambda v: _digits_problem(v, "NIK"),
    "nik": lambda v: _digits_problem(v, "NIK"),
    "nomor_kk": lambda v: _digits_problem(v, _("nomor KK")),
    "desil": _desil_problem,
}


def preview(peek: Peek, mapping: dict[str, Any]) -> Preview:
    """The first rows as SIGAP will read them with ``mapping``, and what the import would refuse in
    them (a first look: the import checks every row)."""
    columns = mapping.get("columns", {})
    index = {str(h).strip().lower(): i for i, h in reversed(list(enumerate(peek.header)))}
    shown = [(ours, column_label(ours), theirs) for ours, theirs in columns.items()]
    rows: list[tuple[int, list[str]]] = []
    problems: list[str] = []
    first = peek.header_row + 1
    for n, row in enumerate(peek.rows):
        values = []
        for ours, label, theirs in shown:
            at = index.get(str(theirs).strip().lower())
            value = row[at] if at is not None and at < len(row) else ""
            values.append(value)
            check = CHECKS.get(ours)
            why = check(value) if check else None
            if why:
                problems.append(
                    _("%(file)s, baris %(row)s, kolom '%(col)s' (%(label)s): %(why)s")
                    % {"file": peek.name, "row": first + n, "col": theirs, "label": label, "why": why}
                )
        rows.append((first + n, values))
    return Preview(columns=shown, rows=rows, problems=problems)
