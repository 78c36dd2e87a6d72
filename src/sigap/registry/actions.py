"""Registry actions: every change is one audited, atomic function."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.core.importlimits import ImportLimits
from sigap.errors import UserError
from sigap.registry.ingest import (
    KINDS,
    build_snapshot,
    inspect_file,
    mapping_sha256,
    normalise_mapping,
)
from sigap.registry.ingest.source import Progress
from sigap.registry.models import ColumnMapping, Snapshot

SNAPSHOT_DIR = "snapshots"


@dataclass(frozen=True)
class ImportResult:
    snapshot: Snapshot
    created: bool  # False: the same content + mapping was imported before; nothing changed
    rows: int
    accepted: int
    rejected: int
    warnings: int
    report_path: Path | None  # absolute path of the rejection report (CSV)

    @classmethod
    def of(cls, snapshot: Snapshot, *, created: bool) -> ImportResult:
        return cls(
            snapshot=snapshot,
            created=created,
            rows=snapshot.rows,
            accepted=snapshot.accepted,
            rejected=snapshot.rejected,
            warnings=snapshot.warnings,
            report_path=snapshot.report_file,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot.pk,
            "created": self.created,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "report": str(self.report_path) if self.report_path else None,
        }


def import_limits() -> ImportLimits:
    """The import limits in force (settings ``SIGAP_IMPORT_*``, docs/security.md "Import limits")."""
    return ImportLimits(
        max_file_bytes=settings.SIGAP_IMPORT_MAX_FILE_BYTES,
        max_rows=settings.SIGAP_IMPORT_MAX_ROWS,
        max_line_bytes=settings.SIGAP_IMPORT_MAX_LINE_BYTES,
        xlsx_max_rows=settings.SIGAP_IMPORT_XLSX_MAX_ROWS,
        xlsx_max_unpacked_bytes=settings.SIGAP_IMPORT_XLSX_MAX_UNPACKED_BYTES,
        xlsx_max_ratio=settings.SIGAP_IMPORT_XLSX_MAX_RATIO,
        xlsx_max_cell_bytes=settings.SIGAP_IMPORT_XLSX_MAX_CELL_BYTES,
    )


def _existing(kind: str, content_sha256: str, mapping_hash: str) -> Snapshot | None:
    return Snapshot.objects.filter(
        kind=kind, content_sha256=content_sha256, mapping_sha256=mapping_hash
    ).first()


def _move_into_place(workdir: Path, final: Path) -> None:
    """Rename the finished work directory to its permanent place (same file system)."""
    if final.exists():
        # left by a crash after a rolled-back transaction reused this id: keep it aside
        final.rename(final.with_name(f".stale-{final.name}-{uuid.uuid4().hex[:8]}"))
    workdir.rename(final)


def snapshot_import(
    *,
    path: Path,
    kind: str = Snapshot.REGISTRY,
    mapping: dict[str, Any] | None = None,
    reference_date: dt.date,
    acting_user: Actor = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a registry (DTSEN) or roster (BPJS TK) extract as an immutable snapshot.

    Validation is set-based (DuckDB); accepted rows become ``snapshots/<id>/<kind>.parquet``,
    every (row, issue) goes to ``snapshots/<id>/rejections.csv`` (+ ``.xlsx``).  Importing the
    same bytes with the same mapping again returns the existing snapshot (``created=False``).
    """
    if kind not in KINDS:
        raise UserError(f"unknown snapshot kind {kind!r}; use one of: {', '.join(KINDS)}")
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    canonical = normalise_mapping(mapping, kind=kind)
    mapping_hash = mapping_sha256(canonical)
    limits = import_limits()
    source = inspect_file(path, progress=progress, limits=limits)
    existing = _existing(kind, source.sha256, mapping_hash)
    if existing is not None:
        return ImportResult.of(existing, created=False)

    root = Path(settings.DATA_DIR) / SNAPSHOT_DIR
    root.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    final: Path | None = None
    try:
        outcome = build_snapshot(
            source=source,
            kind=kind,
            mapping=canonical,
            reference_date=reference_date,
            outdir=workdir,
            scratch=workdir / ".work",
            progress=progress,
            limits=limits,
        )
        shutil.rmtree(workdir / ".work", ignore_errors=True)
        user = stored_user(acting_user)
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                kind=kind,
                source_name=path.name[:255],
                content_sha256=source.sha256,
                mapping_sha256=mapping_hash,
                mapping=canonical,
                reference_date=reference_date,
                rows=outcome.rows,
                accepted=outcome.accepted,
                rejected=outcome.rejected,
                warnings=outcome.warnings,
                region_codes=outcome.region_codes,
                data_path="",
                report_path="",
                stats=outcome.stats,
                created_by=user,
            )
            final = root / str(snapshot.pk)
            _move_into_place(workdir, final)
            relative = Path(SNAPSHOT_DIR) / str(snapshot.pk)
            snapshot.data_path = str(relative / outcome.data_file)
            snapshot.report_path = str(relative / outcome.report_file)
            snapshot.save(update_fields=["data_path", "report_path"])
            audit_record(
                acting_user=acting_user,
                action="snapshot.import",
                obj=snapshot,
                after={
                    "kind": kind,
                    "source_name": snapshot.source_name,
                    "content_sha256": source.sha256,
                    "mapping": canonical,
                    "reference_date": reference_date.isoformat(),
                    "rows": outcome.rows,
                    "accepted": outcome.accepted,
                    "rejected": outcome.rejected,
                    "warnings": outcome.warnings,
                    "region_codes": outcome.region_codes,
                    "data_path": snapshot.data_path,
                },
            )
    except IntegrityError:
        # the same file was imported concurrently: that import wins
        _cleanup(workdir, final)
        existing = _existing(kind, source.sha256, mapping_hash)
        if existing is None:
            raise
        return ImportResult.of(existing, created=False)
    except BaseException:
        _cleanup(workdir, final)
        raise
    return ImportResult.of(snapshot, created=True)


def _cleanup(workdir: Path, final: Path | None) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    if final is not None:
        shutil.rmtree(final, ignore_errors=True)


# --------------------------------------------------------------------------- column-mapping profiles

PROFILE_NAME_MAX = 100


def mapping_profile_save(
    *, name: str, kind: str, mapping: dict[str, Any], header: list[str], acting_user: Actor
) -> ColumnMapping:
    """Save (or replace) the area's named column mapping for an extract layout; audited.

    ``mapping`` is checked as a ``--mapping`` file is (:func:`normalise_mapping`); ``header`` is the
    file's header it was made for: an upload with the same header uses the profile without asking.
    The profile belongs to the officer's area (the console: no area).
    """
    from sigap.accounts.scoping import area_prefix
    from sigap.core.columnmatch import header_signature

    name = " ".join(str(name).split())
    if not name:
        raise UserError(_("Nama profil pemetaan kolom wajib diisi."))
    if len(name) > PROFILE_NAME_MAX:
        raise UserError(
            _("Nama profil pemetaan kolom paling banyak %(n)s karakter.") % {"n": PROFILE_NAME_MAX}
        )
    canonical = normalise_mapping(mapping, kind=kind, source=name)
    user = stored_user(acting_user)
    area = area_prefix(acting_user) if user is not None else ""
    with transaction.atomic():
        existing = (
            ColumnMapping.objects.select_for_update().filter(area_code=area, kind=kind, name=name).first()
        )
        before = {"mapping": existing.mapping, "header": existing.header} if existing else None
        profile = existing or ColumnMapping(name=name, kind=kind, area_code=area, created_by=user)
        profile.mapping = canonical
        profile.header = [str(h) for h in header]
        profile.header_signature = header_signature(header)
        profile.save()
        audit_record(
            acting_user=acting_user,
            action="mapping.save",
            obj=profile,
            before=before,
            after={"name": name, "kind": kind, "mapping": canonical, "header": profile.header},
            area_code=area,
        )
    return profile


def mapping_profiles(user: Actor, kind: str) -> Any:
    """The column-mapping profiles an officer may use: their area's and those of the areas above it."""
    from sigap.accounts.scoping import area_prefix

    prefix = area_prefix(user) if stored_user(user) is not None else ""
    found = ColumnMapping.objects.filter(kind=kind)
    if prefix:
        above = [prefix[:n] for n in range(0, len(prefix) + 1)]
        found = found.filter(area_code__in=above)
    return found.order_by("name", "id")


def mapping_profile_for_header(user: Actor, kind: str, header: list[str]) -> ColumnMapping | None:
    """The profile made for exactly this header (the officer's own area first), or None."""
    from sigap.core.columnmatch import header_signature

    matching = list(mapping_profiles(user, kind).filter(header_signature=header_signature(header)))
    matching.sort(key=lambda p: (-len(p.area_code), -p.updated_at.timestamp()))
    return matching[0] if matching else None


def mapping_profile_named(name: str, *, kind: str) -> ColumnMapping:
    """A profile by name for the command line: ``NAME`` or ``AREA/NAME`` when areas share a name."""
    area, sep, plain = name.rpartition("/")
    found = ColumnMapping.objects.filter(kind=kind, name=" ".join(plain.split()))
    if sep:
        found = found.filter(area_code=area.strip())
    profiles = list(found)
    if not profiles:
        raise UserError(
            _("Profil pemetaan kolom %(name)r tidak ada (untuk %(kind)s).")
            % {"name": name, "kind": dict(Snapshot.KINDS)[kind]}
        )
    if len(profiles) > 1:
        raise UserError(
            _("Ada beberapa profil pemetaan kolom bernama %(name)r; sebutkan wilayahnya: %(choices)s")
            % {"name": name, "choices": ", ".join(f"{p.area_code or '-'}/{p.name}" for p in profiles)}
        )
    return profiles[0]
