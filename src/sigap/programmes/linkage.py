"""Roster linkage: which BPJS TK participants are which registry people (ADR 0022).

Actions (audited): :func:`roster_link` links a roster snapshot to a registry snapshot
(``sigap.engine.linkage``: the NIK rule, then a Splink model and SIGAP's rules); :func:`link_decide`
records the officer's "same person" / "not the same person" on a candidate pair, remembered by
(NIK, KPJ) for every later linkage.  Selectors: :func:`review_queue` (the candidates waiting for
the officer, with probability and evidence), :func:`insured_file` (the roster as targeting reads it:
linked rows carry the registry NIK).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.core import linkage as L
from sigap.engine import linkage as engine_linkage
from sigap.errors import UserError
from sigap.programmes.models import LinkDecision, RosterLinkage
from sigap.registry.models import Snapshot

LINKAGE_DIR = "linkages"


def _newest(kind: str) -> Snapshot | None:
    return Snapshot.objects.filter(kind=kind).order_by("-id").first()


def remembered_decisions() -> list[tuple[str, str, str]]:
    """Every decision of the officer as ``(NIK, KPJ, decision)``."""
    return [(n, k, d) for n, k, d in LinkDecision.objects.values_list("nik", "kpj", "decision")]


def roster_link(
    *, roster: Snapshot | None = None, registry: Snapshot | None = None, acting_user: Actor = None
) -> RosterLinkage:
    """Link ``roster`` (default: the newest roster snapshot) to ``registry`` (default: the newest
    registry snapshot).  The officer's earlier decisions apply (ADR 0022)."""
    roster = roster or _newest(Snapshot.ROSTER)
    registry = registry or _newest(Snapshot.REGISTRY)
    if roster is None or registry is None:
        raise UserError(
            _(
                "Pencocokan membutuhkan satu registri DTSEN dan satu daftar peserta BPJS TK yang sudah diimpor."
            )
        )
    if roster.kind != Snapshot.ROSTER or registry.kind != Snapshot.REGISTRY:
        raise UserError(
            _("Snapshot #%(roster)s harus daftar peserta BPJS TK dan #%(registry)s registri DTSEN.")
            % {"roster": roster.pk, "registry": registry.pk}
        )
    root = Path(settings.DATA_DIR) / LINKAGE_DIR
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    final: Path | None = None
    try:
        outcome = engine_linkage.link_roster(
            people=registry.data_file,
            roster=roster.data_file,
            links_out=work / "links.parquet",
            insured_out=work / "insured-1.parquet",
            remembered=remembered_decisions(),
            scratch=work / ".work",
        )
        shutil.rmtree(work / ".work", ignore_errors=True)
        with transaction.atomic():
            linkage = RosterLinkage.objects.create(
                roster=roster,
                registry=registry,
                folder="",
                stats={
                    "roster_rows": outcome.roster_rows,
                    "linked_rows": outcome.linked_rows,
                    "review_rows": outcome.review_rows,
                    "by_band": outcome.by_band,
                    "compared_pairs": outcome.compared_pairs,
                    "seconds": outcome.seconds,
                    "timings": outcome.timings,
                    "auto_link": L.AUTO_LINK,
                    "review_min": L.REVIEW_MIN,
                },
                created_by=stored_user(acting_user),
            )
            final = root / str(linkage.pk)
            work.rename(final)
            linkage.folder = f"{LINKAGE_DIR}/{linkage.pk}"
            linkage.save(update_fields=["folder"])
            audit_record(
                acting_user=acting_user,
                action="roster.link",
                obj=linkage,
                after={"roster": roster.pk, "registry": registry.pk, **linkage.stats},
            )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if final is not None:
            shutil.rmtree(final, ignore_errors=True)
        raise
    return linkage


def link_imported_roster(*, roster: Snapshot, acting_user: Actor = None) -> RosterLinkage | None:
    """After a roster import (CLI or browser): link it to the newest registry snapshot, once per pair
    (the same file imported again keeps its linkage).  None when no registry was imported yet."""
    registry = _newest(Snapshot.REGISTRY)
    if registry is None or roster.kind != Snapshot.ROSTER:
        return None
    existing = current_linkage(registry=registry, roster=roster)
    return existing or roster_link(roster=roster, registry=registry, acting_user=acting_user)


def current_linkage(*, registry: Snapshot, roster: Snapshot) -> RosterLinkage | None:
    """The newest linkage of exactly these two snapshots."""
    return RosterLinkage.objects.filter(registry=registry, roster=roster).order_by("-id").first()


def insured_file(*, registry: Snapshot, roster: Snapshot) -> Path:
    """The roster as targeting reads it: the newest linkage's insured file (linked rows carry the
    registry NIK; one row per person), else the roster itself (exact NIK only)."""
    linkage = current_linkage(registry=registry, roster=roster)
    return linkage.insured_file if linkage is not None else roster.data_file


@dataclass(frozen=True)
class Candidate:
    """One pair in the officer's queue."""

    source_row: int
    kpj: str
    roster_nik: str
    roster_nama: str
    roster_tanggal_lahir: dt.date | None
    segmen: str
    status: str
    nik: str
    nama: str
    tanggal_lahir: dt.date | None
    kode_kelurahan: str
    probability: float
    evidence: list[str]

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key in ("roster_tanggal_lahir", "tanggal_lahir"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def review_queue(*, linkage: RosterLinkage, acting_user: Actor = None) -> list[Candidate]:
    """Pairs waiting for the officer: band ``review``, not decided yet (by NIK and KPJ).  Personal
    data: the look is audited."""
    decided = set(LinkDecision.objects.values_list("nik", "kpj"))
    rows = engine_linkage.read_links(linkage.links_file, bands=(L.REVIEW,))
    queue = [
        Candidate(
            source_row=int(r["source_row"]),
            kpj=r["kpj"] or "",
            roster_nik=r["roster_nik"] or "",
            roster_nama=r["roster_nama"] or "",
            roster_tanggal_lahir=r["roster_tanggal_lahir"],
            segmen=r["segmen"] or "",
            status=r["status"] or "",
            nik=r["nik"],
            nama=r["nama"] or "",
            tanggal_lahir=r["tanggal_lahir"],
            kode_kelurahan=r["kode_kelurahan"] or "",
            probability=round(float(r["probability"]), 4),
            evidence=L.evidence_codes({c: r[f"ev_{c}"] for c in L.EVIDENCE_COLUMNS}),
        )
        for r in rows
        if (r["nik"], r["kpj"]) not in decided
    ]
    audit_record(
        acting_user=acting_user,
        action="roster.link_review",
        obj=linkage,
        after={"candidates": len(queue)},
    )
    return queue


def link_decide(
    *,
    linkage: RosterLinkage,
    source_row: int,
    nik: str,
    decision: str,
    note: str = "",
    acting_user: Actor = None,
) -> LinkDecision:
    """The officer's word on a candidate pair of ``linkage`` (``confirmed`` or ``rejected``).

    Remembered by (NIK, KPJ) for every later linkage; the linkage's insured file is written again so
    that the next targeting run sees it.  Audited (before/after)."""
    if decision not in L.DECISIONS:
        raise UserError(
            _("Keputusan harus 'confirmed' (orang yang sama) atau 'rejected' (bukan orang yang sama).")
        )
    rows = engine_linkage.read_links(linkage.links_file, bands=L.BANDS, pair=(int(source_row), nik))
    if not rows:
        raise UserError(
            _("Baris %(row)s daftar BPJS TK dan NIK %(nik)s bukan pasangan calon pada pencocokan #%(id)s.")
            % {"row": source_row, "nik": nik, "id": linkage.pk}
        )
    row = rows[0]
    kpj = row["kpj"] or ""
    if not kpj:
        raise UserError(
            _("Baris %(row)s tidak memiliki nomor KPJ: keputusan tidak dapat diingat.") % {"row": source_row}
        )
    evidence = L.evidence_codes({c: row[f"ev_{c}"] for c in L.EVIDENCE_COLUMNS})
    with transaction.atomic():
        previous = LinkDecision.objects.select_for_update().filter(nik=nik, kpj=kpj).first()
        before = {"decision": previous.decision, "note": previous.note} if previous else None
        saved, _created = LinkDecision.objects.update_or_create(
            nik=nik,
            kpj=kpj,
            defaults={
                "decision": decision,
                "probability": row["probability"],
                "evidence": evidence,
                "note": note,
                "linkage": linkage,
                "decided_at": timezone.now(),
                "decided_by": stored_user(acting_user),
            },
        )
        version = linkage.insured_version + 1
        out = Path(settings.DATA_DIR) / linkage.folder / f"insured-{version}.parquet"
        engine_linkage.write_insured(
            roster=linkage.roster.data_file,
            links=linkage.links_file,
            remembered=remembered_decisions(),
            out=out,
        )
        linkage.insured_version = version
        linkage.save(update_fields=["insured_version"])
        audit_record(
            acting_user=acting_user,
            action=f"roster.link_{'confirm' if decision == L.CONFIRMED else 'reject'}",
            obj=saved,
            before=before,
            after={
                "nik": nik,
                "kpj": kpj,
                "source_row": int(source_row),
                "linkage": linkage.pk,
                "decision": decision,
                "probability": row["probability"],
                "evidence": evidence,
                "note": note,
            },
        )
    return saved
