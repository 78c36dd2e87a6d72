"""Coverage actions: the reference figure of a region (``reference_set``) and the import of a segment
the region already funds (``segment_import``).  Atomic, area-checked, one audit row each (ADR 0020)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts import roles
from sigap.accounts.guards import require_region, require_role
from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.core.money import Month
from sigap.core.programme import ProgrammeSpec
from sigap.coverage.models import ReferenceFigure, SegmentList, SegmentMember
from sigap.coverage.selectors import is_segment
from sigap.errors import UserError
from sigap.programmes.models import Programme
from sigap.reference import regions

SEGMENT_DIR = "segments"
#: Who may enter reference figures and import segments (besides the system and a superuser).
EDITORS = (roles.ADMIN_DINAS,)


def _region_name(code: str) -> str:
    found = regions().get(code)
    return found.name if found is not None else code


def _check_region(code: str) -> str:
    code = str(code or "").strip()
    found = regions().get(code)
    if found is None or len(code) not in (2, 4):
        raise UserError(
            _("Kode wilayah %(code)s bukan kode provinsi atau kabupaten/kota yang dikenal.") % {"code": code}
        )
    return code


def reference_set(
    *,
    region: str,
    year: int,
    estimate: int,
    source: str,
    note: str = "",
    acting_user: Actor = None,
) -> tuple[ReferenceFigure, bool]:
    """Enter or correct the estimate of vulnerable/informal workers of ``region`` in ``year`` (one
    figure per region and year); returns ``(figure, created)``.  The leaders' dashboard reads it at
    once: the figure is part of the version its page cache is keyed by (``sigap.web.pagecache``)."""
    require_role(acting_user, EDITORS, "mengubah angka acuan")
    region = _check_region(region)
    require_region(acting_user, region, what="area code")
    source = " ".join(str(source or "").split())
    problems = []
    if not isinstance(estimate, int) or isinstance(estimate, bool) or estimate <= 0:
        problems.append(_("perkiraan pekerja rentan harus bilangan bulat lebih dari 0"))
    if not 2000 <= int(year) <= 2100:
        problems.append(_("tahun %(year)s tidak masuk akal") % {"year": year})
    if not source:
        problems.append(_("sumber angka wajib diisi (mis. DPRD Kota Bekasi, BPS, Disnaker)"))
    if len(source) > 200:
        problems.append(_("sumber angka paling banyak 200 karakter"))
    if problems:
        raise UserError(_("Angka acuan belum dapat disimpan."), details=problems)
    with transaction.atomic():
        figure = ReferenceFigure.objects.select_for_update().filter(region=region, year=year).first()
        before = (
            {"estimate": figure.estimate, "source": figure.source, "note": figure.note} if figure else None
        )
        created = figure is None
        if figure is None:
            figure = ReferenceFigure(region=region, year=year)
        figure.estimate, figure.source, figure.note = estimate, source, note.strip()
        figure.updated_by = stored_user(acting_user)
        figure.save()
        audit_record(
            acting_user=acting_user,
            action="reference.set",
            obj=figure,
            before=before,
            after={
                "region": region,
                "year": year,
                "estimate": estimate,
                "source": source,
                "note": figure.note,
            },
            area_code=region,
        )
    return figure, created


# --------------------------------------------------------------------------- segments


@dataclass(frozen=True)
class SegmentImportResult:
    programme: Programme
    segment_list: SegmentList
    created: bool  # the programme was created by this import
    replaced: int  # members of the previous list of the programme, replaced by this one

    def as_dict(self) -> dict[str, Any]:
        s = self.segment_list
        return {
            "programme": self.programme.code,
            "created": self.created,
            "list": s.pk,
            "rows": s.rows,
            "accepted": s.accepted,
            "rejected": s.rejected,
            "replaced": self.replaced,
            "segments": s.stats.get("segments", {}),
            "also_funded": s.stats.get("also_funded", {}),
            "report": str(s.report_file) if s.report_file else None,
        }


def _sha256_json(document: Any) -> str:
    from sigap.programmes.actions import _sha256_json as digest

    return digest(document)


def _segment_spec(
    *, code: str, name: str, region: str, fiscal_year: int, budget: int, start: Month
) -> dict[str, Any]:
    from sigap.programmes.actions import spec_document

    spec = ProgrammeSpec(
        code=code, name=name, region=region, fiscal_year=fiscal_year, budget=budget, coverage_start=start
    )
    return spec_document(spec)


def segment_import(
    *,
    path: Path | str,
    code: str,
    fiscal_year: int,
    region: str,
    name: str = "",
    budget: int | None = None,
    start: Month | None = None,
    mapping: dict[str, Any] | None = None,
    acting_user: Actor = None,
) -> SegmentImportResult:
    """Import a list of people the region already funds in a segment as programme ``code`` with
    existing members (``SegmentMember``), checked like every import (rejected rows in the report).

    The programme is created on the first import (funding APBD, coverage from ``start``, default
    January, to December of ``fiscal_year``; ``budget``, default: the premium of the accepted people
    for those months) and its list is replaced by a later import (the earlier list stays recorded).
    A code already used by a programme SIGAP targets is refused.  One ``segment.import`` audit row.
    """
    from sigap.registry.actions import import_limits
    from sigap.registry.ingest import inspect_file
    from sigap.registry.ingest.segment import build_segment

    require_role(acting_user, EDITORS, "mengimpor daftar segmen")
    region = _check_region(region)
    require_region(acting_user, region, what="programme region")
    code = str(code or "").strip().upper()
    if not code or len(code) > 64 or not all(c.isalnum() or c in "-_." for c in code):
        raise UserError(_("Kode program %(code)r tidak sah (huruf, angka, - _ .).") % {"code": code})
    if not 2000 <= int(fiscal_year) <= 2100:
        raise UserError(_("Tahun anggaran %(year)s tidak masuk akal.") % {"year": fiscal_year})
    start = start or Month(int(fiscal_year), 1)
    if start.year != int(fiscal_year):
        raise UserError(
            _("Bulan mulai %(start)s tidak di tahun anggaran %(year)s.")
            % {"start": start, "year": fiscal_year}
        )
    if budget is not None and budget <= 0:
        raise UserError(_("Anggaran segmen harus lebih dari Rp0."))
    existing = Programme.objects.filter(code=code).first()
    if existing is not None:
        if not is_segment(existing):
            raise UserError(
                _("Kode %(code)s sudah dipakai program penetapan sasaran; pilih kode lain untuk segmen ini.")
                % {"code": code}
            )
        if existing.region != region or existing.fiscal_year != int(fiscal_year):
            raise UserError(
                _("Program segmen %(code)s milik wilayah %(region)s tahun %(year)s; pilih kode lain.")
                % {"code": code, "region": existing.region, "year": existing.fiscal_year}
            )
    path = Path(path)
    if not path.is_file():
        raise UserError(_("%(path)s: berkas tidak ditemukan") % {"path": path})
    limits = import_limits()
    source = inspect_file(path, limits=limits)
    root = Path(settings.DATA_DIR) / SEGMENT_DIR
    root.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    final: Path | None = None
    try:
        outcome = build_segment(
            source=source,
            region=region,
            fiscal_year=int(fiscal_year),
            reference_date=timezone.localdate(),
            outdir=workdir,
            scratch=workdir / ".work",
            mapping=mapping,
            limits=limits,
        )
        if outcome.accepted == 0:
            raise UserError(
                _("%(name)s: tidak ada baris yang diterima (%(n)s baris ditolak).")
                % {"name": path.name, "n": outcome.rejected},
                details=[f"{k}: {v}" for k, v in outcome.stats.get("errors_by_code", {}).items()],
            )
        rows = _accepted_rows(workdir / outcome.data_file)
        shutil.rmtree(workdir / ".work", ignore_errors=True)
        segments: dict[str, int] = {}
        for row in rows:
            segments[row["segmen"]] = segments.get(row["segmen"], 0) + 1
        last = Month(int(fiscal_year), 12)
        also = funded_elsewhere(code=code, niks={r["nik"] for r in rows}, first=start, last=last)
        with transaction.atomic():
            programme = Programme.objects.select_for_update().filter(code=code).first()
            created = programme is None
            spec_budget = budget
            if spec_budget is None:
                from sigap.core.tariff import period_cost

                spec_budget = max(len(rows), 1) * period_cost(start, last, funding="APBD")
            spec = _segment_spec(
                code=code, name=name or code, region=region, fiscal_year=int(fiscal_year), budget=spec_budget,
                start=start,
            )  # fmt: skip
            fields = {
                "name": name or (programme.name if programme else code),
                "region": region,
                "fiscal_year": int(fiscal_year),
                "budget": spec_budget,
                "coverage_start": str(start),
                "funding": "APBD",
                "spec": spec,
                "spec_sha256": _sha256_json(spec),
            }
            if programme is None:
                programme = Programme.objects.create(code=code, version=1, **fields)
            else:
                for key, value in fields.items():
                    setattr(programme, key, value)
                programme.version += 1
                programme.save()
            replaced = SegmentMember.objects.filter(programme=programme).count()
            SegmentMember.objects.filter(programme=programme).delete()
            segment_list = SegmentList.objects.create(
                programme=programme,
                source_name=path.name[:255],
                content_sha256=source.sha256,
                rows=outcome.rows,
                accepted=outcome.accepted,
                rejected=outcome.rejected,
                stats={**outcome.stats, "segments": segments, "also_funded": also},
                created_by=stored_user(acting_user),
            )
            final = root / str(segment_list.pk)
            if final.exists():
                shutil.rmtree(final)
            os.rename(workdir, final)
            segment_list.report_path = str(Path(SEGMENT_DIR) / str(segment_list.pk) / outcome.report_file)
            segment_list.save(update_fields=["report_path"])
            first_day = start.first_day()
            _insert_members(
                (
                    programme.pk,
                    segment_list.pk,
                    r["nik"],
                    r["nama"],
                    r["segmen"][:100],
                    r["kode_kelurahan"],
                    r["kpj"] or "",
                    max(r["mulai"], first_day) if r["mulai"] else first_day,
                    r["selesai"],
                    r["source_row"],
                )
                for r in rows
            )
            audit_record(
                acting_user=acting_user,
                action="segment.import",
                obj=programme,
                before={"members": replaced} if not created else None,
                after={
                    "list": segment_list.pk,
                    "source": path.name,
                    "sha256": source.sha256,
                    "rows": outcome.rows,
                    "accepted": outcome.accepted,
                    "rejected": outcome.rejected,
                    "segments": segments,
                    "also_funded": also,
                    "fiscal_year": int(fiscal_year),
                    "budget": spec_budget,
                },
                note=path.name,
            )
        return SegmentImportResult(
            programme=programme, segment_list=segment_list, created=created, replaced=replaced
        )
    except BaseException:
        if final is not None and final.exists():
            shutil.rmtree(final, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def funded_elsewhere(*, code: str, niks: set[str], first: Month, last: Month) -> dict[str, int]:
    """How many of ``niks`` another APBD programme already covers in ``first..last`` (its members not
    exited or rejected, or its segment's members), per programme code.  They are kept on the list (the
    region does fund them there) and counted once in the coverage share; the officer sees the overlap."""
    from sigap.enrolment.models import Member
    from sigap.enrolment.selectors import OPEN_STATES

    found: dict[str, int] = {}
    segment_ids = set(SegmentList.objects.values_list("programme_id", flat=True))
    for other in Programme.objects.filter(funding="APBD").exclude(code=code).order_by("code"):
        try:
            start = Month.parse(other.coverage_start)
        except ValueError:
            continue
        if not (start <= last and first <= Month(other.fiscal_year, 12)):
            continue
        if other.pk in segment_ids:
            theirs = set(SegmentMember.objects.filter(programme=other).values_list("nik", flat=True))
        else:
            members = Member.objects.filter(programme=other, state__in=OPEN_STATES)
            theirs = set(members.values_list("nik", flat=True))
        both = len(niks & theirs)
        if both:
            found[other.code] = both
    return found


_MEMBER_COLUMNS = (
    "programme_id",
    "segment_list_id",
    "nik",
    "nama",
    "segmen",
    "kode_kelurahan",
    "kpj",
    "start_month",
    "end_month",
    "source_row",
)


def _insert_members(rows: Iterable[tuple[Any, ...]]) -> int:
    """Set-based insert of the segment's members (:func:`sigap.bulk.insert_rows`): a model instance per
    row made the import of 40,000 people take 12 s instead of 2 s."""
    from sigap.bulk import insert_rows

    return insert_rows(SegmentMember, _MEMBER_COLUMNS, rows)


def _accepted_rows(path: Path) -> list[dict[str, Any]]:
    """The accepted rows (member-sized: read whole)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        for key in ("mulai", "selesai"):
            if isinstance(row[key], dt.datetime):
                row[key] = row[key].date()
    return rows
