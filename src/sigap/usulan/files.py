"""Attachment checks: type sniffed from the content (not only the name) and a size limit.

Accepted: PDF, JPEG, PNG, at most :data:`MAX_BYTES`.  The extension must agree with the content,
so ``ktp.pdf`` that is really a PNG (or an executable) is refused with a clear message.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from sigap.core.attachments import KINDS, MAX_BYTES, name_matches, sniff
from sigap.usulan.errors import FieldError

MAX_FILES = 5


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the action sees it (the view reads at most MAX_BYTES + 1 bytes)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    data: bytes
    content_type: str
    extension: str
    sha256: str


def clean_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip()
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*')
    return cleaned[:200] or "lampiran"


def check_upload(upload: Upload) -> CheckedUpload:
    """Validate one upload; raises :class:`UserError` naming the file and the reason."""
    name = clean_name(upload.name)
    if not upload.data:
        raise FieldError(_("Lampiran '%(name)s' kosong.") % {"name": name}, field="lampiran")
    if len(upload.data) > MAX_BYTES:
        raise FieldError(
            _("Lampiran '%(name)s' lebih dari %(mb)s MB.") % {"name": name, "mb": MAX_BYTES // 1024 // 1024},
            field="lampiran",
        )
    content_type = sniff(upload.data)
    if content_type is None:
        raise FieldError(
            _("Lampiran '%(name)s' bukan PDF, JPG, atau PNG (isi berkas diperiksa, bukan hanya namanya).")
            % {"name": name},
            field="lampiran",
        )
    _magic, extensions, stored = KINDS[content_type]
    if not name_matches(name, content_type):
        raise FieldError(
            _(
                "Lampiran '%(name)s': nama berkas tidak cocok dengan isinya (%(content_type)s); gunakan akhiran %(join)s."
            )
            % {"name": name, "content_type": content_type, "join": " atau ".join(extensions)},
            field="lampiran",
        )
    return CheckedUpload(
        name=name,
        data=upload.data,
        content_type=content_type,
        extension=stored,
        sha256=hashlib.sha256(upload.data).hexdigest(),
    )


def check_uploads(uploads: list[Upload]) -> list[CheckedUpload]:
    if len(uploads) > MAX_FILES:
        raise FieldError(
            _("Paling banyak %(max_files)s lampiran per usulan.") % {"max_files": MAX_FILES}, field="lampiran"
        )
    return [check_upload(u) for u in uploads]


def write_file(root: Path, folder: str, checked: CheckedUpload) -> str:
    """Write atomically (temporary name, then rename) under ``root/folder``; the relative path."""
    directory = root / folder
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{uuid.uuid4().hex}{checked.extension}"
    temporary = directory / f".{final.name}.tmp"
    with open(temporary, "wb") as fh:
        fh.write(checked.data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, final)
    return str(final.relative_to(root))
