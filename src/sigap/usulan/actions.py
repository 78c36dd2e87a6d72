"""Data-update request actions: file, verify (kecamatan), accept / reject (Dinas), mark applied.

Every action is keyword-only, atomic, takes ``acting_user`` and writes one audit row.  The
kelurahan of a request must lie inside the actor's area (``acting_user=None`` is the CLI/system
and sees the whole region).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts.guards import area_of, require_area, require_role, role_name
from sigap.accounts.roles import ADMIN_DINAS, OPERATOR_KECAMATAN, OPERATOR_KELURAHAN
from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.core.nik import NikError, parse_nik
from sigap.errors import UserError
from sigap.reference import regions
from sigap.registry.reasons import reason_label
from sigap.usulan.errors import FieldError
from sigap.usulan.files import MAX_FILES, CheckedUpload, Upload, check_uploads, write_file
from sigap.usulan.models import Attachment, DataUpdateRequest

R = DataUpdateRequest

#: Proposed fields per kind: (required, optional).
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    R.BARU: (
        ("tanggal_lahir", "jenis_kelamin", "alamat"),
        ("nomor_kk", "tempat_lahir", "rt", "rw", "pekerjaan", "desil"),
    ),
    R.DESIL: (("desil",), ()),
    R.PEKERJAAN: (("pekerjaan",), ()),
    R.ALAMAT: (("alamat",), ("rt", "rw")),
    R.MENINGGAL: (("tanggal_meninggal",), ()),
    R.PINDAH: (("kode_kelurahan_baru",), ("alamat", "rt", "rw")),
    R.LAINNYA: ((), ()),
}
FIELD_LABELS = {
    "tanggal_lahir": "tanggal lahir",
    "jenis_kelamin": "jenis kelamin",
    "alamat": "alamat",
    "nomor_kk": "nomor KK",
    "tempat_lahir": "tempat lahir",
    "rt": "RT",
    "rw": "RW",
    "pekerjaan": "pekerjaan",
    "desil": "desil",
    "tanggal_meninggal": "tanggal meninggal",
    "kode_kelurahan_baru": "kelurahan tujuan",
}


def _clean_date(value: Any, label: str, *, field: str, today: dt.date) -> str:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise FieldError(
                _("%(label)s: '%(value)s' bukan tanggal (contoh 2026-03-20).")
                % {"label": label, "value": value},
                field=field,
            ) from None
    if day.year < 1900 or day > today:
        raise FieldError(
            _("%(label)s: tanggal %(day)s tidak masuk akal.") % {"label": label, "day": day.isoformat()},
            field=field,
        )
    return day.isoformat()


def clean_proposed(kind: str, proposed: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """The proposed values this kind needs, checked; unknown or empty keys are dropped."""
    required, optional = FIELDS[kind]
    out: dict[str, Any] = {}
    for key in required + optional:
        raw = proposed.get(key)
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, ""):
            if key in required:
                raise FieldError(
                    _("Isian '%(field)s' wajib untuk usulan jenis ini.") % {"field": FIELD_LABELS[key]},
                    field=key,
                )
            continue
        if key in ("tanggal_lahir", "tanggal_meninggal"):
            out[key] = _clean_date(value, FIELD_LABELS[key], field=key, today=today)
        elif key == "desil":
            try:
                desil = int(value)
            except (TypeError, ValueError):
                raise FieldError(
                    _("Desil '%(value)s' harus angka 1 sampai 10.") % {"value": value}, field=key
                ) from None
            if not 1 <= desil <= 10:
                raise FieldError(
                    _("Desil '%(value)s' harus angka 1 sampai 10.") % {"value": value}, field=key
                )
            out[key] = desil
        elif key == "jenis_kelamin":
            if str(value).upper() not in ("L", "P"):
                raise FieldError(_("Jenis kelamin harus L atau P."), field=key)
            out[key] = str(value).upper()
        elif key == "nomor_kk":
            if not (str(value).isdigit() and len(str(value)) == 16):
                raise FieldError(
                    _("Nomor KK '%(value)s' harus 16 digit angka.") % {"value": value}, field=key
                )
            out[key] = str(value)
        elif key == "kode_kelurahan_baru":
            region = regions().get(str(value))
            if region is None or len(region.code) != 10:
                raise FieldError(
                    _("Kelurahan tujuan '%(value)s' bukan kode kelurahan/desa yang dikenal.")
                    % {"value": value},
                    field=key,
                )
            out[key] = region.code
        elif key in ("rt", "rw"):
            if not (str(value).isdigit() and len(str(value)) <= 3):
                raise FieldError(
                    _("%(field)s '%(value)s' harus angka (paling banyak 3 digit).")
                    % {"field": FIELD_LABELS[key], "value": value},
                    field=key,
                )
            out[key] = str(value).zfill(3)
        else:
            out[key] = str(value)[:300]
    return out


def _number(request: DataUpdateRequest) -> str:
    return f"USL-{timezone.localtime(request.created_at).year}-{request.pk:06d}"


def _snapshot(request: DataUpdateRequest) -> dict[str, Any]:
    return {
        "number": request.number,
        "kind": request.kind,
        "state": request.state,
        "kode_kelurahan": request.kode_kelurahan,
        "proposed": request.proposed,
    }


@transaction.atomic
def usulan_submit(
    *,
    kind: str,
    kode_kelurahan: str,
    nik: str = "",
    nama: str = "",
    proposed: Mapping[str, Any] | None = None,
    note: str = "",
    uploads: Sequence[Upload] = (),
    acting_user: Actor,
) -> DataUpdateRequest:
    """File a request (operator kelurahan/kecamatan, or Admin Dinas) with optional attachments.

    Everything is checked before anything is written: a bad attachment stores neither the
    request nor any file.
    """
    require_role(acting_user, {OPERATOR_KELURAHAN, OPERATOR_KECAMATAN, ADMIN_DINAS}, "mengajukan usulan")
    if kind not in dict(R.KINDS):
        raise UserError(_("Jenis usulan '%(kind)s' tidak dikenal.") % {"kind": kind})
    kode_kelurahan = kode_kelurahan.strip()
    region = regions().get(kode_kelurahan)
    if region is None or len(kode_kelurahan) != 10:
        raise FieldError(
            _("'%(kode_kelurahan)s' bukan kode kelurahan/desa yang dikenal.")
            % {"kode_kelurahan": kode_kelurahan},
            field="kode_kelurahan",
        )
    require_area(acting_user, kode_kelurahan)
    nik = nik.strip()
    if nik:
        try:
            nik = parse_nik(nik, reference_date=timezone.localdate()).value
        except NikError as e:
            raise FieldError(
                _("NIK tidak sah: %(why)s") % {"why": reason_label(e.code)}, field="nik"
            ) from None
    elif kind != R.BARU:
        raise FieldError(_("NIK wajib diisi (kecuali untuk usulan penduduk baru)."), field="nik")
    nama = " ".join(nama.split()).upper()[:200]
    if kind == R.BARU and not nama:
        raise FieldError(_("Nama wajib diisi untuk usulan penduduk baru."), field="nama")
    note = note.strip()
    if kind == R.LAINNYA and not note:
        raise FieldError(_("Usulan jenis 'lainnya' perlu keterangan."), field="note")
    if nik and R.objects.filter(nik=nik, kind=kind, state__in=(R.DIAJUKAN, R.DIVERIFIKASI)).exists():
        raise UserError(
            _("Sudah ada usulan '%(kind)s' untuk NIK %(nik)s yang sedang diproses.")
            % {"kind": dict(R.KINDS)[kind], "nik": nik}
        )
    cleaned = clean_proposed(kind, proposed or {}, today=timezone.localdate())
    checked = check_uploads(list(uploads))

    request = R.objects.create(
        kind=kind,
        nik=nik,
        nama=nama,
        kode_kelurahan=kode_kelurahan,
        proposed=cleaned,
        note=note[:2000],
        created_by=stored_user(acting_user),
    )
    request.number = _number(request)
    request.save(update_fields=["number"])
    with _stored(request, checked, acting_user):
        audit_record(
            acting_user=acting_user,
            action="usulan.submit",
            obj=request,
            after={**_snapshot(request), "attachments": [c.name for c in checked]},
            note=note[:200],
        )
    return request


@contextlib.contextmanager
def _stored(
    request: DataUpdateRequest, checked: Sequence[CheckedUpload], acting_user: Actor
) -> Iterator[None]:
    """Write the files and their rows; if anything in the block fails, delete the files again."""
    root = Path(settings.DATA_DIR)
    written: list[Path] = []
    try:
        for item in checked:
            rel = write_file(root, f"usulan/{request.number}", item)
            written.append(root / rel)
            Attachment.objects.create(
                request=request,
                original_name=item.name,
                content_type=item.content_type,
                size=len(item.data),
                sha256=item.sha256,
                path=rel,
                uploaded_by=stored_user(acting_user),
            )
        yield
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


@transaction.atomic
def usulan_attachments_add(
    *, request: DataUpdateRequest, uploads: Sequence[Upload], acting_user: Actor
) -> list[Attachment]:
    """Add supporting documents to a pending request (e.g. the kecamatan asked for a letter)."""
    require_role(acting_user, {OPERATOR_KELURAHAN, OPERATOR_KECAMATAN, ADMIN_DINAS}, "menambah lampiran")
    request = _locked(request)
    require_area(acting_user, request.kode_kelurahan)
    if request.state not in (R.DIAJUKAN, R.DIVERIFIKASI):
        raise UserError(
            _("%(number)s sudah diputuskan; lampiran tidak bisa ditambah.") % {"number": request.number}
        )
    if not uploads:
        raise UserError(_("Pilih paling sedikit satu berkas."))
    existing = request.attachments.count()
    if existing + len(uploads) > MAX_FILES:
        raise UserError(
            _("Paling banyak %(max_files)s lampiran per usulan (sudah ada %(existing)s).")
            % {"max_files": MAX_FILES, "existing": existing}
        )
    checked = check_uploads(list(uploads))
    before = request.attachments.count()
    with _stored(request, checked, acting_user):
        audit_record(
            acting_user=acting_user,
            action="usulan.attach",
            obj=request,
            after={"number": request.number, "attachments": [c.name for c in checked]},
        )
    return list(request.attachments.order_by("id")[before:])


def _locked(request: DataUpdateRequest) -> DataUpdateRequest:
    return R.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def usulan_verify(*, request: DataUpdateRequest, note: str = "", acting_user: Actor) -> DataUpdateRequest:
    """The kecamatan checked the request (documents, field visit): on to the Dinas."""
    require_role(acting_user, {OPERATOR_KECAMATAN, ADMIN_DINAS}, "memverifikasi usulan")
    request = _locked(request)
    require_area(acting_user, request.kode_kelurahan)
    if request.state != R.DIAJUKAN:
        raise UserError(
            _("%(number)s berstatus '%(state)s'; hanya usulan yang diajukan bisa diverifikasi.")
            % {"number": request.number, "state": request.get_state_display()}
        )
    before = _snapshot(request)
    request.state = R.DIVERIFIKASI
    request.verified_at = timezone.now()
    request.verified_by = stored_user(acting_user)
    request.save(update_fields=["state", "verified_at", "verified_by"])
    audit_record(
        acting_user=acting_user,
        action="usulan.verify",
        obj=request,
        before=before,
        after=_snapshot(request),
        note=note.strip()[:500],
    )
    return request


@transaction.atomic
def usulan_accept(*, request: DataUpdateRequest, note: str = "", acting_user: Actor) -> DataUpdateRequest:
    """The Dinas accepts a verified request; it is applied at the next registry snapshot.

    A ``meninggal`` request for a current member also records the member's exit (date of death),
    through :func:`sigap.enrolment.actions.member_exit`.
    """
    from sigap.enrolment.exits import member_exit
    from sigap.enrolment.models import Member, MemberExit

    require_role(acting_user, {ADMIN_DINAS}, "menerima usulan")
    request = _locked(request)
    require_area(acting_user, request.kode_kelurahan)
    if request.state != R.DIVERIFIKASI:
        raise UserError(
            _(
                "%(number)s berstatus '%(state)s'; hanya usulan yang sudah diverifikasi kecamatan bisa diterima."
            )
            % {"number": request.number, "state": request.get_state_display()}
        )
    before = _snapshot(request)
    request.state = R.DITERIMA
    request.decided_at = timezone.now()
    request.decided_by = stored_user(acting_user)
    request.save(update_fields=["state", "decided_at", "decided_by"])
    exits: list[str] = []
    elsewhere = 0
    if request.kind == R.MENINGGAL and request.nik:
        died = dt.date.fromisoformat(request.proposed["tanggal_meninggal"])
        open_members = Member.objects.filter(
            nik=request.nik, state__in=(Member.APPROVED, Member.SENT, Member.ACTIVE), exit__isnull=True
        )
        # only memberships inside the deciding officer's area end here; another region's programme
        # learns of the death through its own data (a NIK typo must not end a stranger's cover)
        area = area_of(acting_user)
        current = open_members.filter(kode_kelurahan__startswith=area).select_related("programme")
        elsewhere = open_members.exclude(kode_kelurahan__startswith=area).count()
        for member in current:
            member_exit(
                member=member,
                date=died,
                reason=MemberExit.DIED,
                source="death_report",
                note=f"usulan {request.number}",
                acting_user=acting_user,
            )
            exits.append(member.programme.code)
    audit_record(
        acting_user=acting_user,
        action="usulan.accept",
        obj=request,
        before=before,
        after={**_snapshot(request), "member_exits": exits, "outside_area_not_exited": elsewhere},
        note=note.strip()[:500],
    )
    return request


@transaction.atomic
def usulan_reject(*, request: DataUpdateRequest, reason: str, acting_user: Actor) -> DataUpdateRequest:
    """Refuse a request with a reason: the kecamatan (before verifying) or the Dinas."""
    require_role(acting_user, {OPERATOR_KECAMATAN, ADMIN_DINAS}, "menolak usulan")
    reason = reason.strip()
    if not reason:
        raise UserError(_("Alasan penolakan wajib diisi."))
    request = _locked(request)
    require_area(acting_user, request.kode_kelurahan)
    role = role_name(acting_user)
    allowed_states = (R.DIAJUKAN,) if role == OPERATOR_KECAMATAN else (R.DIAJUKAN, R.DIVERIFIKASI)
    if request.state not in allowed_states:
        raise UserError(
            _("%(number)s berstatus '%(state)s' dan tidak bisa ditolak oleh Anda.")
            % {"number": request.number, "state": request.get_state_display()}
        )
    before = _snapshot(request)
    request.state = R.DITOLAK
    request.reason = reason[:2000]
    request.decided_at = timezone.now()
    request.decided_by = stored_user(acting_user)
    request.save(update_fields=["state", "reason", "decided_at", "decided_by"])
    audit_record(
        acting_user=acting_user,
        action="usulan.reject",
        obj=request,
        before=before,
        after=_snapshot(request),
        note=reason[:500],
    )
    return request


@transaction.atomic
def usulan_mark_applied(*, requests: Sequence[DataUpdateRequest], acting_user: Actor) -> int:
    """The Dinas sent these accepted requests to the registry update: mark them applied."""
    require_role(acting_user, {ADMIN_DINAS}, "menandai usulan sudah diterapkan")
    ids = [r.pk for r in requests]
    if not ids:
        raise UserError(_("Pilih paling sedikit satu usulan."))
    locked = list(R.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    wrong = [r.number or str(r.pk) for r in locked if r.state != R.DITERIMA or r.applied_at is not None]
    if wrong or len(locked) != len(set(ids)):
        raise UserError(
            _("Hanya usulan yang diterima dan belum diterapkan yang bisa ditandai: %(numbers)s")
            % {"numbers": ", ".join(wrong)}
        )
    for r in locked:
        require_area(acting_user, r.kode_kelurahan)
    now = timezone.now()
    R.objects.filter(pk__in=ids).update(applied_at=now, applied_by=stored_user(acting_user))
    for r in locked:
        audit_record(
            acting_user=acting_user,
            action="usulan.apply",
            obj=r,
            after={"number": r.number, "applied_at": now.isoformat()},
        )
    return len(locked)
