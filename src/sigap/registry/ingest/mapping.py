"""Column mappings: our column names -> the names used in a given extract."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sigap.core.schema import (
    OPTIONAL_SOURCE_COLUMNS,
    REQUIRED_SOURCE_COLUMNS,
    SOURCE_COLUMNS,
    SOURCE_ROSTER_COLUMNS,
)
from sigap.errors import UserError

REGISTRY, ROSTER = "registry", "roster"
KINDS = (REGISTRY, ROSTER)

#: Roster columns that must be present (tanggal_lahir is optional in a roster).
REQUIRED_ROSTER_COLUMNS: tuple[str, ...] = ("nik", "kpj", "nama", "segmen", "status")


def expected_columns(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(all known columns, required columns)`` for a snapshot kind."""
    if kind == REGISTRY:
        return SOURCE_COLUMNS + OPTIONAL_SOURCE_COLUMNS, REQUIRED_SOURCE_COLUMNS
    if kind == ROSTER:
        return SOURCE_ROSTER_COLUMNS, REQUIRED_ROSTER_COLUMNS
    raise UserError(
        _("Jenis snapshot %(kind)r tidak dikenal; pilih salah satu: %(known)s")
        % {"kind": kind, "known": ", ".join(KINDS)}
    )


def load_mapping_file(path: Path) -> dict[str, Any]:
    """Read a TOML or JSON mapping file ``{"columns": {"nomor_nik": "NIK", ...}}``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UserError(
            _("%(path)s: berkas pemetaan tidak dapat dibaca (%(why)s)") % {"path": path, "why": e.strerror}
        ) from None
    text = raw.decode("utf-8-sig", errors="replace")
    try:
        if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
            doc = json.loads(text)
        else:
            doc = tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as e:
        raise UserError(
            _("%(path)s: bukan berkas pemetaan TOML atau JSON yang sah: %(why)s") % {"path": path, "why": e}
        ) from None
    if not isinstance(doc, dict):
        raise UserError(
            _("%(path)s: berkas pemetaan harus berisi tabel/objek dengan kunci 'columns'") % {"path": path}
        )
    return doc


def normalise_mapping(
    mapping: dict[str, Any] | None, *, kind: str, source: str = "mapping"
) -> dict[str, Any]:
    """Validate a mapping and return its canonical form ``{"columns": {ours: theirs}}``."""
    known, _required = expected_columns(kind)
    if not mapping:
        return {"columns": {}}
    columns = mapping.get("columns") if isinstance(mapping, dict) else None
    if not isinstance(columns, dict):
        raise UserError(
            _("%(source)s: diharapkan tabel 'columns' yang memetakan nama kolom kami ke kolom berkas")
            % {"source": source}
        )
    problems = []
    out: dict[str, str] = {}
    for ours, theirs in columns.items():
        key = str(ours).strip().lower()
        if key not in known:
            problems.append(
                _("kolom %(ours)r tidak dikenal (yang dikenal: %(known)s)")
                % {"ours": ours, "known": ", ".join(known)}
            )
        elif not isinstance(theirs, str) or not theirs.strip():
            problems.append(
                _("kolom %(ours)r harus dipetakan ke nama kolom yang tidak kosong") % {"ours": ours}
            )
        else:
            out[key] = theirs.strip()
    if problems:
        raise UserError(_("%(source)s: pemetaan kolom tidak sah") % {"source": source}, details=problems)
    return {"columns": dict(sorted(out.items()))}


def mapping_sha256(mapping: dict[str, Any]) -> str:
    canonical = json.dumps(mapping, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
