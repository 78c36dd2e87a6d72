"""Enrolment actions: approval of lists, members, batches, BPJS responses, exits.

Every action is keyword-only, atomic, takes ``acting_user`` and writes one audit row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.accounts.guards import require_region
from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.core import decree as sk
from sigap.core.money import Month, format_tanggal
from sigap.core.programme import ProgrammeSpec
from sigap.enrolment import annex, bulk
from sigap.enrolment import batch as batch_files
from sigap.enrolment import response as response_files
from sigap.enrolment.exits import BATCH_SIZE, chunked_in, chunks, members_exit
from sigap.enrolment.lists import selected_people
from sigap.enrolment.models import (
    BpjsResponse,
    EnrolmentBatch,
    EnrolmentLine,
    Member,
    MemberExit,
)
from sigap.enrolment.selectors import lapsed_niks
from sigap.errors import UserError
from sigap.events import announce_members
from sigap.jobs.lease import kept_fresh
from sigap.programmes.models import Programme, TargetingRun
from sigap.reference import regions

# --------------------------------------------------------------------------- approval (maker-checker)


#: What an officer does to a run, as the refusals say it (``tidak dapat mengajukan``).
_VERBS = {
    "submit": gettext_lazy("mengajukan"),
    "approve": gettext_lazy("menyetujui"),
    "return": gettext_lazy("mengembalikan"),
}


def _lock_run(run: TargetingRun) -> TargetingRun:
    return TargetingRun.objects.select_for_update().select_related("programme").get(pk=run.pk)


def _refuse_frozen(run: TargetingRun, verb: str) -> None:
    if run.state in TargetingRun.IN_FORCE:
        raise UserError(
            _(
                "Penetapan #%(id)s sudah %(state)s (hash daftar %(hash)s): daftar yang disetujui tidak pernah "
                "berubah; tidak dapat %(verb)s (perubahan dibuat dengan penetapan pengganti)."
            )
            % {
                "id": run.pk,
                "state": run.get_state_display(),
                "hash": run.list_sha256[:12],
                "verb": _VERBS[verb],
            }
        )


def _checker(run: TargetingRun, acting_user: Actor, verb: str) -> Any:
    """The approving (or returning) user: named, a Kepala Dinas when the account has a role, and never
    the submitter -- by person, not only by account (:mod:`sigap.accounts.persons`): an account the
    submitter created or asked a role for, or one that created the submitter's, is refused too."""
    from sigap.accounts.guards import role_name
    from sigap.accounts.persons import same_person
    from sigap.accounts.roles import KEPALA_DINAS

    require_region(acting_user, run.programme.region, what="programme region")
    user = stored_user(acting_user)
    if user is None:
        raise UserError(
            _("Untuk %(verb)s penetapan #%(id)s diperlukan pengguna bernama (--as NAMA_PENGGUNA).")
            % {"verb": _VERBS[verb], "id": run.pk}
        )
    role = role_name(user)
    if role is not None and role not in (KEPALA_DINAS, "superuser"):
        raise UserError(
            _("Peran %(role)s tidak boleh memutuskan penetapan #%(id)s: hanya Kepala Dinas.")
            % {"role": role, "id": run.pk}
        )
    if run.submitted_by_id is not None and run.submitted_by_id == user.pk:
        raise UserError(
            _(
                "%(u)s mengajukan penetapan #%(id)s sehingga tidak boleh juga %(verb)s (maker-checker: "
                "pemeriksa tidak pernah sama dengan pengaju)."
            )
            % {"u": user.get_username(), "id": run.pk, "verb": _VERBS[verb]}
        )
    if run.submitted_by is not None and same_person(user, run.submitted_by):
        raise UserError(
            _(
                "Akun %(u)s dibuat atau diberi peran oleh pengaju penetapan #%(id)s (%(maker)s), atau "
                "sebaliknya: satu orang tidak boleh mengajukan dan memutuskan (maker-checker)."
            )
            % {"u": user.get_username(), "id": run.pk, "maker": run.submitted_by.get_username()}
        )
    return user


@transaction.atomic
def run_submit(*, run: TargetingRun, acting_user: Actor = None) -> TargetingRun:
    """Submit a draft (or returned) run for approval."""
    run = _lock_run(run)
    require_region(acting_user, run.programme.region, what="programme region")
    _refuse_frozen(run, "submit")
    if run.state not in (TargetingRun.DRAFT, TargetingRun.RETURNED):
        raise UserError(
            _("Penetapan #%(id)s berstatus %(state)s; hanya draf atau yang dikembalikan yang dapat diajukan.")
            % {"id": run.pk, "state": run.get_state_display()}
        )
    if run.kind == TargetingRun.INITIAL:
        from sigap.programmes.actions import refuse_second_list

        refuse_second_list(run.programme)
    before = {"state": run.state}
    run.state = TargetingRun.SUBMITTED
    run.submitted_by = stored_user(acting_user)
    run.submitted_at = timezone.now()
    run.save(update_fields=["state", "submitted_by", "submitted_at"])
    audit_record(
        acting_user=acting_user, action="run.submit", obj=run, before=before, after={"state": run.state}
    )
    return run


@transaction.atomic
def run_return(*, run: TargetingRun, acting_user: Actor, reason: str) -> TargetingRun:
    """Send a submitted run back to its maker with a reason (it may be corrected and resubmitted)."""
    run = _lock_run(run)
    _refuse_frozen(run, "return")
    if run.state != TargetingRun.SUBMITTED:
        raise UserError(
            _("Penetapan #%(id)s berstatus %(state)s; hanya yang sudah diajukan yang dapat dikembalikan.")
            % {"id": run.pk, "state": run.get_state_display()}
        )
    user = _checker(run, acting_user, "return")
    if not reason or not reason.strip():
        raise UserError(_("Mengembalikan penetapan #%(id)s perlu alasan.") % {"id": run.pk})
    before = {"state": run.state}
    run.state = TargetingRun.RETURNED
    run.return_reason = reason.strip()
    run.decided_by = user
    run.decided_at = timezone.now()
    run.save(update_fields=["state", "return_reason", "decided_by", "decided_at"])
    audit_record(
        acting_user=acting_user,
        action="run.return",
        obj=run,
        before=before,
        after={"state": run.state, "reason": run.return_reason},
        note=run.return_reason,
    )
    return run


@dataclass(frozen=True)
class Skipped:
    nik: str
    reason: str  # e.g. "covered by programme X (2026-01..2026-12)"


#: The decree fields of :class:`TargetingRun` (saved at approval).
DECREE_FIELDS = ("sk_number", "sk_date", "sk_place", "sk_signatory_name", "sk_signatory_title")


@dataclass(frozen=True)
class ApprovalResult:
    run: TargetingRun
    members: int
    list_sha256: str
    skipped: list[Skipped] = field(default_factory=list)
    readmitted: list[str] = field(default_factory=list)  # NIKs selected again after a lapse (ADR 0015)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run.pk,
            "programme": self.run.programme.code,
            "kind": self.run.kind,
            "state": self.run.state,
            "members": self.members,
            "list_sha256": self.list_sha256,
            "skipped": len(self.skipped),
            "skipped_people": [{"nik": s.nik, "reason": s.reason} for s in self.skipped],
            "readmitted": self.readmitted,
            "decided_by": self.run.decided_by.get_username() if self.run.decided_by else None,
            "decree": self.run.decree.as_dict() if self.run.decree is not None else None,
        }


def _coverage(programme: Programme) -> tuple[Month, Month]:
    spec = programme.to_spec()
    return spec.coverage_start, spec.coverage_end


def _covered_elsewhere(programme: Programme, niks: set[str]) -> dict[str, str]:
    """NIK -> reason for people already covered by another APBD programme with overlapping coverage."""
    first, last = _coverage(programme)
    overlapping: dict[int, str] = {}
    for other in Programme.objects.filter(funding="APBD").exclude(pk=programme.pk):
        start, end = _coverage(other)
        if start <= last and first <= end:
            overlapping[other.pk] = f"covered by programme {other.code} ({start}..{end})"
    found: dict[str, str] = {}
    rows = (
        Member.objects.filter(programme_id__in=list(overlapping))
        .exclude(state__in=[Member.EXITED, Member.REJECTED])
        .values_list("nik", "programme_id")
    )
    for nik, programme_id in rows.iterator(chunk_size=10_000):
        if nik in niks and nik not in found:
            found[nik] = overlapping[programme_id]
    # a segment the region already funds, imported after the run (ADR 0020)
    from sigap.coverage.selectors import segment_exclusions

    for nik, reason in segment_exclusions(programme, first, last):
        if nik in niks and nik not in found:
            found[nik] = reason
    return found


def list_sha256(rows: Iterable[tuple[int, str, str, dt.date]]) -> str:
    """The frozen list's hash: sha256 of ``rank|nik|nama|tanggal_lahir`` lines, in rank order."""
    digest = hashlib.sha256()
    for rank, nik, nama, born in rows:
        digest.update(f"{rank}|{nik}|{nama}|{born.isoformat()}\n".encode())
    return digest.hexdigest()


def decree_place_default(programme: Programme) -> str:
    """Where a decree of ``programme`` is usually signed: its region's name without ``Kota``/
    ``Kabupaten`` (``Kota Bekasi`` -> ``Bekasi``).  Only a default: a kabupaten signs in its capital,
    which the officer types."""
    region = regions().get(programme.region)
    if region is None:
        return ""
    name = region.name
    for prefix in ("Kota Administrasi ", "Kabupaten Administrasi ", "Kota ", "Kabupaten "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def check_decree(decree: Mapping[str, Any], *, programme: Programme, today: dt.date) -> sk.Decree:
    """The decree fields (``number``, ``date``, ``place``, ``signatory_name``, ``signatory_title``)
    checked by :func:`sigap.core.decree.make_decree`; a blank place takes :func:`decree_place_default`.
    A problem is a :class:`UserError` naming every field (``details``)."""
    fields = {key: decree.get(key) for key in sk.FIELDS}
    if not sk.one_line(fields[sk.PLACE]):
        fields[sk.PLACE] = decree_place_default(programme)
    try:
        return sk.make_decree(**fields, today=today, fiscal_year=programme.fiscal_year)
    except sk.DecreeError as e:
        raise UserError(
            _("Data Surat Keputusan (SK) program %(code)s belum lengkap atau keliru.")
            % {"code": programme.code},
            details=[f"{sk.LABELS[k]}: {v}" for k, v in e.problems.items()],
        ) from None


def _approvable(run: TargetingRun, acting_user: Actor) -> Any:
    """The approving user, once ``run`` may be approved by them (state, maker-checker); else UserError."""
    _refuse_frozen(run, "approve")
    if run.state != TargetingRun.SUBMITTED:
        raise UserError(
            _("Penetapan #%(id)s berstatus %(state)s; ajukan dulu sebelum disetujui.")
            % {"id": run.pk, "state": run.get_state_display()}
        )
    return _checker(run, acting_user, "approve")


def run_approve_check(*, run: TargetingRun, acting_user: Actor) -> None:
    """Refuse (UserError) as :func:`run_approve` would for the run's state or the approving person,
    before anyone types a decree; changes nothing (``run_approve`` checks again under its lock)."""
    _approvable(TargetingRun.objects.select_related("programme", "submitted_by").get(pk=run.pk), acting_user)


def _insert_members(programme: Programme, run: TargetingRun, people: Sequence[Any]) -> None:
    """One approved :class:`Member` row per person, as plain rows (:func:`sigap.bulk.insert_rows`): the
    columns Django would write, each value in the database's form."""
    from sigap.bulk import insert_rows
    from sigap.enrolment.lists import PERSON_FIELDS

    ops = connection.ops
    created_at = ops.adapt_datetimefield_value(timezone.now())
    born = PERSON_FIELDS.index("tanggal_lahir")
    columns = ("programme_id", "run_id", "state", "kpj", "created_at", *PERSON_FIELDS)

    def row(person: Any) -> tuple[Any, ...]:
        values = [getattr(person, name) for name in PERSON_FIELDS]
        values[born] = ops.adapt_datefield_value(values[born])
        return (programme.pk, run.pk, Member.APPROVED, "", created_at, *values)

    insert_rows(Member, columns, (row(p) for p in people))


@transaction.atomic
def run_approve(
    *, run: TargetingRun, acting_user: Actor, decree: Mapping[str, Any] | None = None
) -> ApprovalResult:
    """Approve a submitted run and freeze its list: one :class:`Member` per selected person.

    ``decree``: the SK that fixes the list (``number``, ``date``, ``place``, ``signatory_name``,
    ``signatory_title``; checked by :func:`check_decree` against today's date), kept on the run and
    printed on the annex.  The web form always asks for it; without it the annex leaves the SK lines
    blank to fill in by hand.

    People already covered by another APBD programme whose coverage overlaps (or already members of
    this programme) are skipped and reported.  A replacement run adds its members to the programme
    of its parent list (an amendment); a person it selects whose membership had lapsed is approved
    again on its existing member row (``readmitted``, ADR 0015).
    """
    run = _lock_run(run)
    user = _approvable(run, acting_user)
    programme = Programme.objects.select_for_update().get(pk=run.programme_id)
    checked = check_decree(decree, programme=programme, today=timezone.localdate()) if decree else None
    if run.kind == TargetingRun.REPLACEMENT:
        parent = run.parent
        if parent is None or parent.programme_id != programme.pk or parent.state not in TargetingRun.IN_FORCE:
            raise UserError(
                _(
                    "Penetapan pengganti #%(id)s harus mengubah daftar yang sudah disetujui dari program %(code)s."
                )
                % {"id": run.pk, "code": programme.code}
            )
    elif run.kind == TargetingRun.INITIAL:
        from sigap.programmes.actions import refuse_second_list

        refuse_second_list(programme)
    people = selected_people(run)
    if len(people) != run.selected:
        raise UserError(
            _(
                "Penetapan #%(id)s: %(selected)s orang terpilih tetapi %(found)s yang ditemukan di snapshot "
                "#%(snap)s (%(file)s)."
            )
            % {
                "id": run.pk,
                "selected": run.selected,
                "found": len(people),
                "snap": run.snapshot_id,
                "file": run.snapshot.data_file,
            }
        )
    missing = [p.nik for p in people if p.tanggal_lahir is None]
    if missing:
        raise UserError(
            _("Penetapan #%(id)s: %(n)s orang terpilih tidak memiliki tanggal lahir.")
            % {"id": run.pk, "n": len(missing)},
            details=missing,
        )
    niks = {p.nik for p in people}
    from sigap.enrolment import lifecycle

    # A person whose membership of this programme lapsed may be selected again by a replacement run
    # (ADR 0015): the same member row is approved again (lifecycle.readmit_lapsed), not a new one.
    again = lapsed_niks(programme) & niks if run.kind == TargetingRun.REPLACEMENT else set()
    skip: dict[str, str] = {
        nik: f"already a member of programme {programme.code}"
        for nik in Member.objects.filter(programme=programme).values_list("nik", flat=True)
        if nik in niks and nik not in again
    }
    for nik, reason in _covered_elsewhere(programme, niks).items():
        skip.setdefault(nik, reason)
    keep = [p for p in people if p.nik not in skip]
    added = [p for p in keep if p.nik not in again]
    _insert_members(programme, run, added)
    readmitted = lifecycle.readmit_lapsed(
        run=run, ranks={p.nik: p.rank for p in keep if p.nik in again}, acting_user=acting_user
    )
    # The list hash covers the member rows this run adds (what its annex prints); people selected again
    # keep the row -- and the hash -- of the list that first selected them.
    digest = list_sha256((p.rank, p.nik, p.nama, p.tanggal_lahir) for p in added)  # type: ignore[misc]
    before = {"state": run.state}
    run.state = TargetingRun.APPROVED
    run.decided_by = user
    run.decided_at = timezone.now()
    run.list_sha256 = digest
    if checked is not None:
        run.sk_number, run.sk_date, run.sk_place = checked.number, checked.date, checked.place
        run.sk_signatory_name, run.sk_signatory_title = checked.signatory_name, checked.signatory_title
    run.save(update_fields=["state", "decided_by", "decided_at", "list_sha256", *DECREE_FIELDS])
    skipped = [Skipped(p.nik, skip[p.nik]) for p in people if p.nik in skip]
    audit_record(
        acting_user=acting_user,
        action="run.approve",
        obj=run,
        before=before,
        after={
            "state": run.state,
            "kind": run.kind,
            "members": len(keep),
            "readmitted": [m.nik for m in readmitted],
            "list_sha256": digest,
            "skipped": len(skipped),
            "skipped_people": [{"nik": s.nik, "reason": s.reason} for s in skipped],
            "decree": checked.as_dict() if checked is not None else None,
        },
        note="; ".join(
            [
                *([f"SK {checked.number} ({checked.date.isoformat()})"] if checked else []),
                *sorted({s.reason for s in skipped}),
            ]
        ),
    )
    # Lifecycle rules (sigap.enrolment.lifecycle): a replacement must still fit the budget; a renewal
    # carries its continuing members over and exits the others from the old programme.
    if run.kind == TargetingRun.REPLACEMENT:
        lifecycle.check_replacement_budget(run=run, on=timezone.localdate())
    elif run.kind == TargetingRun.RENEWAL:
        lifecycle.renewal_carry_over(run=run, acting_user=acting_user)
    announce_members([programme.pk], added=True)
    return ApprovalResult(
        run=run,
        members=len(keep),
        list_sha256=digest,
        skipped=skipped,
        readmitted=[m.nik for m in readmitted],
    )


# --------------------------------------------------------------------------- decree annex


def _kelurahan_name(code: str) -> str:
    region = regions().get(code)
    return region.name if region is not None else code


def _annex_premium(run: TargetingRun) -> dict[str, Any]:
    """The annex's premium figures from the definition the run was made with (``run.spec``): funding,
    covered months, premium per programme for the first month and over the months (JHT included
    when the programme pays it).  Nothing when the stored definition no longer reads."""
    try:
        spec = ProgrammeSpec.from_dict(run.spec)
    except ValueError:
        return {}
    return {
        "funding": spec.funding,
        "coverage": (spec.coverage_start, spec.coverage_end),
        "monthly": spec.monthly_components(spec.coverage_start),
        "period": spec.cost_components(),
    }


def annex_write(*, run: TargetingRun, acting_user: Actor = None) -> dict[str, Path]:
    """Write the daftar nominatif (PDF + XLSX) of an approved list to ``DATA_DIR/runs/<id>/annex/``.

    The members are checked against the frozen list hash first.  Writing the annex discloses personal
    data: one ``annex.export`` audit row.
    """
    run = TargetingRun.objects.select_related("programme", "decided_by").get(pk=run.pk)
    require_region(acting_user, run.programme.region, what="programme region")
    if run.state not in TargetingRun.IN_FORCE or not run.list_sha256:
        raise UserError(
            _(
                "Penetapan #%(id)s berstatus %(state)s: hanya daftar yang disetujui yang memiliki lampiran keputusan."
            )
            % {"id": run.pk, "state": run.get_state_display()}
        )
    rows_src = list(
        Member.objects.filter(run=run)
        .order_by("rank", "nik")
        .values_list(
            "rank",
            "nik",
            "nama",
            "tanggal_lahir",
            "tempat_lahir",
            "jenis_kelamin",
            "kode_kelurahan",
            "pekerjaan",
            "desil",
        )
    )
    digest = list_sha256((r[0], r[1], r[2], r[3]) for r in rows_src)
    if digest != run.list_sha256:
        raise UserError(
            _(
                "Penetapan #%(id)s: peserta tidak lagi cocok dengan hash daftar yang disetujui "
                "(%(now)s != %(approved)s); lampiran tidak dicetak."
            )
            % {"id": run.pk, "now": digest[:12], "approved": run.list_sha256[:12]}
        )
    rows = [
        annex.AnnexRow(
            no=i,
            nik=nik,
            nama=nama,
            tempat_lahir=tempat,
            tanggal_lahir=born,
            jenis_kelamin=sex,
            kelurahan=_kelurahan_name(kel),
            pekerjaan=pekerjaan,
            desil=desil,
        )
        for i, (_, nik, nama, born, tempat, sex, kel, pekerjaan, desil) in enumerate(rows_src, start=1)
    ]
    programme = run.programme
    decided_at = "-"
    if run.decided_at:
        local = timezone.localtime(run.decided_at)
        decided_at = f"{format_tanggal(local.date())} pukul {local:%H.%M}"
    header = annex.AnnexHeader(
        programme_code=programme.code,
        programme_name=programme.name,
        fiscal_year=programme.fiscal_year,
        budget=programme.budget,
        cost_per_person=run.cost_per_person,
        run_id=run.pk,
        run_kind=run.kind,
        list_sha256=run.list_sha256,
        decided_by=run.decided_by.get_username() if run.decided_by else "-",
        decided_at=decided_at,
        tie_break=run.tie_break,
        decree=run.decree,
        place=decree_place_default(programme),
        **_annex_premium(run),
    )
    directory = Path(settings.DATA_DIR) / "runs" / str(run.pk) / "annex"
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".tmp-annex-{uuid.uuid4().hex}")
    tmp.mkdir()
    stem = f"daftar-nominatif-run{run.pk}"
    try:
        with kept_fresh(tmp):  # a large list renders for minutes inside a web request
            started = time.monotonic()
            pages = annex.write_pdf(header, rows, tmp / f"{stem}.pdf")
            pdf_ms = int((time.monotonic() - started) * 1000)
            annex.write_xlsx(header, rows, tmp / f"{stem}.xlsx")
        with transaction.atomic():
            if directory.exists():
                shutil.rmtree(directory)
            os.rename(tmp, directory)
            out = {"pdf": directory / f"{stem}.pdf", "xlsx": directory / f"{stem}.xlsx"}
            audit_record(
                acting_user=acting_user,
                action="annex.export",
                obj=run,
                after={
                    "members": len(rows),
                    "pages": pages,
                    "pdf_ms": pdf_ms,
                    "list_sha256": run.list_sha256,
                    "files": {name: str(path.relative_to(settings.DATA_DIR)) for name, path in out.items()},
                },
            )
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- enrolment batch


def default_coverage_start(programme: Programme, *, today: dt.date) -> Month:
    """The programme's first covered month, or the month after ``today`` if that is later."""
    return max(_coverage(programme)[0], Month.of(today) + 1)


def batch_export(
    *,
    programme: Programme,
    acting_user: Actor = None,
    coverage_start: Month | None = None,
    today: dt.date | None = None,
) -> EnrolmentBatch:
    """Send every member of ``programme`` in state ``approved`` to BPJS TK in a new numbered batch.

    Writes ``<CODE>-B<nnn>.csv`` and ``.xlsx`` under ``DATA_DIR/batches/<programme id>/``; the batch is
    immutable afterwards.  Members move to ``sent``.
    """
    today = today or dt.date.today()
    first, last = _coverage(programme)
    start = coverage_start or default_coverage_start(programme, today=today)
    if not first <= start <= last:
        raise UserError(
            _(
                "Mulai perlindungan %(start)s di luar masa perlindungan program %(code)s (%(first)s s.d. %(last)s)."
            )
            % {"start": start.nama(), "code": programme.code, "first": first.nama(), "last": last.nama()}
        )
    spec = programme.to_spec()
    index = regions()
    directory = Path(settings.DATA_DIR) / "batches" / str(programme.pk)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    moved: list[Path] = []
    try:
        with kept_fresh(tmp), transaction.atomic():
            programme = Programme.objects.select_for_update().get(pk=programme.pk)
            members = list(
                Member.objects.select_for_update()
                .filter(programme=programme, state=Member.APPROVED)
                .order_by("rank", "nik")
            )
            if not members:
                raise UserError(
                    _("Program %(code)s tidak memiliki peserta disetujui yang menunggu dikirim.")
                    % {"code": programme.code}
                )
            sequence = EnrolmentBatch.objects.filter(programme=programme).count() + 1
            number = f"{programme.code}/B{sequence:03d}"
            stem = f"{programme.code}-B{sequence:03d}"
            mulai = batch_files.ddmmyyyy(start.first_day())
            rows = [
                (
                    m.nik,
                    m.nama,
                    m.tempat_lahir,
                    batch_files.ddmmyyyy(m.tanggal_lahir),
                    m.jenis_kelamin,
                    m.alamat,
                    m.rt,
                    m.rw,
                    _kelurahan_name_in(index, m.kode_kelurahan),
                    m.kode_kelurahan,
                    m.pekerjaan,
                    spec.programmes_label,  # JKK+JKM, or JKK+JKM+JHT when the programme pays JHT
                    str(spec.income_bracket),
                    mulai,
                )
                for m in members
            ]
            batch_files.write_csv(rows, tmp / f"{stem}.csv")
            batch_files.write_xlsx(rows, tmp / f"{stem}.xlsx", title=f"Pendaftaran kolektif {number}")
            digest = file_sha256(tmp / f"{stem}.csv")
            files = {}
            for kind in ("csv", "xlsx"):
                target = directory / f"{stem}.{kind}"
                if target.exists():
                    target.rename(target.with_name(f".stale-{target.name}-{uuid.uuid4().hex[:8]}"))
                os.rename(tmp / f"{stem}.{kind}", target)
                moved.append(target)
                files[kind] = str(target.relative_to(settings.DATA_DIR))
            record = EnrolmentBatch.objects.create(
                programme=programme,
                number=number,
                coverage_start=start.first_day(),
                member_count=len(members),
                files=files,
                sha256=digest,
                exported_on=today,
                created_by=stored_user(acting_user),
            )
            EnrolmentLine.objects.bulk_create(
                [EnrolmentLine(batch=record, member=m) for m in members], batch_size=BATCH_SIZE
            )
            ids = [m.pk for m in members]
            for chunk in chunks(ids):
                Member.objects.filter(pk__in=chunk).update(state=Member.SENT)
            audit_record(
                acting_user=acting_user,
                action="batch.export",
                obj=record,
                after={
                    "number": number,
                    "programme": programme.code,
                    "members": len(members),
                    "coverage_start": str(start),
                    "sha256": digest,
                    "files": files,
                },
            )
        return record
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _kelurahan_name_in(index: Any, code: str) -> str:
    region = index.get(code)
    return region.name if region is not None else ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- BPJS response


@dataclass(frozen=True)
class ResponseResult:
    batch: str
    source: str
    sha256: str
    duplicate: bool  # the same file was imported before: nothing changed
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0  # rows repeating an answer already applied
    pending: int = 0  # lines of the batch still without an answer
    batch_state: str = ""
    runs_enrolled: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duration_ms: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "source": self.source,
            "sha256": self.sha256,
            "duplicate": self.duplicate,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "unchanged": self.unchanged,
            "pending": self.pending,
            "batch_state": self.batch_state,
            "runs_enrolled": self.runs_enrolled,
            "notes": self.notes,
            "duration_ms": self.duration_ms,
        }


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: a 100,000-row import makes a few hundred thousand tuples
    that are all alive until the end, so the collector's full passes would only rescan them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def response_import(
    *,
    batch: EnrolmentBatch,
    path: Path,
    acting_user: Actor = None,
    today: dt.date | None = None,
) -> ResponseResult:
    """Apply BPJS TK's answer file for ``batch`` (CSV or XLSX keyed by NIK) with :func:`response_apply`:
    all rows valid, or nothing.  The same file again changes nothing (recognised by its sha256)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as e:
        raise UserError(
            _("%(path)s: berkas tidak dapat dibaca (%(why)s).") % {"path": path, "why": e.strerror}
        ) from None
    name = path.name
    with _gc_paused():
        try:
            header, rows = response_files.read_rows(path, content)
        except Exception as e:  # noqa: BLE001 -- any unreadable file is the user's input problem
            raise UserError(
                _("%(name)s: berkas tidak dapat dibaca sebagai CSV atau XLSX (%(why)s).")
                % {"name": name, "why": e}
            ) from None
        return response_apply(
            batch=batch,
            source=name,
            header=header,
            rows=rows,
            sha256=hashlib.sha256(content).hexdigest(),
            acting_user=acting_user,
            today=today,
        )


def response_apply(
    *,
    batch: EnrolmentBatch,
    source: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    sha256: str | None = None,
    acting_user: Actor = None,
    today: dt.date | None = None,
) -> ResponseResult:
    """Apply BPJS TK's answer for ``batch``: ``header`` names the columns (NIK, STATUS, KPJ, ALASAN,
    TANGGAL_EFEKTIF or their other names), ``rows`` are (row number, cells); problems name ``source``
    and the row number.  All rows valid, or nothing.

    Accepted: member ``active`` with its KPJ and a coverage period from the month of the effective
    date.  Rejected: member ``rejected`` with an exit (reason ``rejected``) so it can be replaced.
    The same answer again changes nothing: ``sha256`` identifies it (the file's bytes; without it, the
    rows as a CSV answer file would hold them, :func:`sigap.enrolment.response.digest`).  The answer
    file import and the API call this once their rows are read.
    """
    started = time.monotonic()
    today = today or dt.date.today()
    digest = sha256 or response_files.digest(header, rows)
    name = source
    with transaction.atomic(), _gc_paused():
        batch = EnrolmentBatch.objects.select_for_update().select_related("programme").get(pk=batch.pk)
        earlier = BpjsResponse.objects.filter(batch=batch, content_sha256=digest).first()
        if earlier is not None:
            pending = EnrolmentLine.objects.filter(batch=batch, status=EnrolmentLine.PENDING).count()
            return ResponseResult(
                batch=batch.number,
                source=name,
                sha256=digest,
                duplicate=True,
                pending=pending,
                batch_state=batch.state,
                notes=[
                    _(
                        "%(name)s sudah pernah diimpor untuk batch %(number)s pada %(at)s: tidak ada yang berubah."
                    )
                    % {
                        "name": name,
                        "number": batch.number,
                        "at": date_format(timezone.localtime(earlier.created_at), "j F Y H.i"),
                    }
                ],
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        lines = _batch_lines(batch)
        nik_col = next(
            (i for i, h in enumerate(header) if response_files.ALIASES.get(response_files._key(h)) == "NIK"),
            None,
        )
        unknown = (
            sorted({row[nik_col].strip() for _, row in rows if nik_col < len(row)} - lines.keys())
            if nik_col is not None
            else []
        )
        other_batches: dict[str, str] = {}
        for chunk in chunks(unknown):
            for nik, number in (
                EnrolmentLine.objects.filter(member__nik__in=chunk)
                .exclude(batch=batch)
                .values_list("member__nik", "batch__number")
            ):
                other_batches.setdefault(nik, number)
        kpj_holders: dict[str, set[str]] = {}
        for kpj, nik in Member.objects.exclude(kpj="").values_list("kpj", "nik").iterator(chunk_size=20_000):
            kpj_holders.setdefault(kpj, set()).add(nik)
        exported_on = batch.exported_on or timezone.localtime(batch.created_at).date()
        plan, problems = response_files.plan(
            name=name,
            header=header,
            rows=rows,
            lines=lines,
            batch_number=batch.number,
            exported_on=exported_on,
            today=today,
            other_batches=other_batches,
            kpj_holders=kpj_holders,
        )
        if problems:
            if len(problems) == 1:
                raise UserError(
                    _("%(problem)s; tidak ada yang diterapkan.") % {"problem": problems[0]}, details=problems
                )
            raise UserError(
                _("%(name)s: %(n)s masalah ditemukan; tidak ada yang diterapkan.")
                % {"name": name, "n": len(problems)},
                details=problems,
            )
        accepted = [(line, a) for line, a in plan.answers if a.status == response_files.ACCEPTED]
        rejected = [(line, a) for line, a in plan.answers if a.status == response_files.REJECTED]
        notes: list[str] = []
        for line, _answer in accepted:
            if line.member_state != Member.SENT:
                notes.append(
                    _("NIK %(nik)s: diterima BPJS TK tetapi status peserta %(state)s; tidak diaktifkan.")
                    % {
                        "nik": line.nik,
                        "state": dict(Member.STATES).get(line.member_state, line.member_state),
                    }
                )
        bulk.apply_answers(
            [
                (
                    line.id,
                    line.member_id,
                    a.status,
                    a.kpj,
                    a.effective_date,
                    a.reason,
                    a.effective_date.replace(day=1) if a.effective_date else None,  # coverage month
                    a.status == response_files.ACCEPTED and line.member_state == Member.SENT,
                )
                for line, a in plan.answers
            ]
        )
        exits = [line.member_id for line, _answer in rejected if line.member_state == Member.SENT]
        if exits:
            members_exit(
                members=list(chunked_in(lambda chunk: Member.objects.filter(pk__in=chunk), exits)),
                date=today,
                reason=MemberExit.REJECTED,
                source="bpjs_response",
                note=f"ditolak BPJS TK (batch {batch.number}, {name})",
                notes={
                    line.member_id: f"ditolak BPJS TK: {a.reason} (batch {batch.number}, {name})"
                    for line, a in rejected
                },
                acting_user=acting_user,
                refresh_read_models=False,  # refreshed once below
            )
        pending = EnrolmentLine.objects.filter(batch=batch, status=EnrolmentLine.PENDING).count()
        before_state = batch.state
        if pending == 0 and batch.state != EnrolmentBatch.ANSWERED:
            batch.state = EnrolmentBatch.ANSWERED
            batch.save(update_fields=["state"])
        runs_enrolled = _enrol_finished_runs(batch, acting_user=acting_user)
        announce_members([batch.programme_id])
        record = BpjsResponse.objects.create(
            batch=batch,
            source_name=name[:255],
            content_sha256=digest,
            accepted=len(accepted),
            rejected=len(rejected),
            created_by=stored_user(acting_user),
        )
        result = ResponseResult(
            batch=batch.number,
            source=name,
            sha256=digest,
            duplicate=False,
            accepted=len(accepted),
            rejected=len(rejected),
            unchanged=plan.unchanged,
            pending=pending,
            batch_state=batch.state,
            runs_enrolled=runs_enrolled,
            notes=notes,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        audit_record(
            acting_user=acting_user,
            action="batch.response",
            obj=batch,
            before={"state": before_state},
            after={**result.as_dict(), "response": record.pk},
            note=name,
        )
    return result


def _batch_lines(batch: EnrolmentBatch) -> dict[str, response_files.Line]:
    """NIK -> line of ``batch`` (one joined query read with a plain cursor: 100,000 lines in well under 1 s)."""
    qn = connection.ops.quote_name
    lines, members = qn(EnrolmentLine._meta.db_table), qn(Member._meta.db_table)
    sql = (
        f"SELECT l.id, l.member_id, m.nik, l.status, l.kpj, l.effective_date, l.reason, m.state "  # noqa: S608
        f"FROM {lines} AS l JOIN {members} AS m ON m.id = l.member_id WHERE l.batch_id = %s"
    )
    found: dict[str, response_files.Line] = {}
    make = response_files.Line._make  # the columns above are in Line's field order
    with connection.cursor() as cursor:
        cursor.execute(sql, [batch.pk])
        for row in cursor.fetchall():
            if isinstance(row[5], str):  # SQLite returns dates as text
                row = (*row[:5], dt.date.fromisoformat(row[5]), *row[6:])
            found[row[2]] = make(row)
    return found


def _enrol_finished_runs(batch: EnrolmentBatch, *, acting_user: Actor) -> list[int]:
    """Runs of this batch's members whose every member has an answer move to ``enrolled``."""
    run_ids = set(
        Member.objects.filter(enrolment_lines__batch=batch).values_list("run_id", flat=True).distinct()
    )
    done = []
    for run in TargetingRun.objects.select_for_update().filter(pk__in=run_ids, state=TargetingRun.APPROVED):
        if Member.objects.filter(run=run, state__in=[Member.APPROVED, Member.SENT]).exists():
            continue
        run.state = TargetingRun.ENROLLED
        run.save(update_fields=["state"])
        audit_record(
            acting_user=acting_user,
            action="run.enrolled",
            obj=run,
            before={"state": TargetingRun.APPROVED},
            after={"state": run.state, "batch": batch.number},
        )
        done.append(run.pk)
    return sorted(done)
