"""Grievance actions: SLA policy, file, assign, answer, close, escalate.

Every action is keyword-only, atomic, takes ``acting_user`` (None for the public citizen page and
for the CLI) and writes one audit row.  Clocks are passed in (``now``) so escalation is testable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts.guards import require_area, require_role, role_name
from sigap.accounts.roles import ADMIN_DINAS, OPERATOR_KECAMATAN, OPERATOR_KELURAHAN
from sigap.audit.actions import Actor, actor_label, audit_record, event_area, stored_user
from sigap.audit.models import AuditEvent
from sigap.core import sla
from sigap.core.nik import NikError, parse_nik
from sigap.errors import UserError
from sigap.pengaduan.models import Grievance, SlaPolicy
from sigap.reference import regions
from sigap.registry.reasons import reason_label
from sigap.usulan.errors import FieldError

G = Grievance
MAX_TEXT = 4000
PUBLIC_ACTOR = "publik"  # actor label of rows written by the public pages
_CHUNK = 900  # values per ``__in`` lookup (SQLite's historical 999-variable limit)


def holidays() -> frozenset[dt.date]:
    """Holidays for business-day SLAs: the holiday calendar (``sigap holiday import``, Django admin)."""
    from sigap.holidays.selectors import holiday_dates

    return holiday_dates()


def policy_for(category: str) -> tuple[int, bool]:
    """(days, business days) for a category: the Admin Dinas' policy, else the default."""
    policy = SlaPolicy.objects.filter(category=category).first()
    if policy is not None:
        return policy.days, policy.business_days
    return sla.DEFAULT_SLA_DAYS[category], sla.DEFAULT_BUSINESS_DAYS


@transaction.atomic
def sla_policy_set(*, category: str, days: int, business_days: bool, acting_user: Actor) -> SlaPolicy:
    require_role(acting_user, {ADMIN_DINAS}, "mengatur batas waktu layanan")
    if category not in dict(G.CATEGORIES):
        raise UserError(_("Kategori '%(category)s' tidak dikenal.") % {"category": category})
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= sla.MAX_SLA_DAYS:
        raise UserError(
            _("Batas waktu harus 1 sampai %(max_sla_days)s hari.") % {"max_sla_days": sla.MAX_SLA_DAYS}
        )
    policy = SlaPolicy.objects.select_for_update().filter(category=category).first()
    before = {"days": policy.days, "business_days": policy.business_days} if policy else None
    if policy is None:
        policy = SlaPolicy(category=category)
    policy.days, policy.business_days = days, business_days
    policy.updated_by = stored_user(acting_user)
    policy.save()
    audit_record(
        acting_user=acting_user,
        action="sla.set",
        obj=policy,
        before=before,
        after={"category": category, "days": days, "business_days": business_days},
    )
    return policy


def clean_phone(raw: str) -> str:
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.strip().startswith("+62"):
        digits = "0" + digits[2:]
    return digits


def _snapshot(g: Grievance) -> dict[str, Any]:
    return {
        "number": g.number,
        "state": g.state,
        "category": g.category,
        "kode_kelurahan": g.kode_kelurahan,
        "assigned_to": g.assigned_to.get_username() if g.assigned_to else None,
        "due_at": g.due_at.isoformat() if g.due_at else None,
        "escalated": g.escalated_at is not None,
    }


@transaction.atomic
def grievance_file(
    *,
    channel: str,
    category: str,
    text: str,
    kode_kelurahan: str,
    now: dt.datetime,
    nik: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    acting_user: Actor,
) -> Grievance:
    """Register a grievance with a ticket number and its SLA due time.

    ``channel="citizen"`` is the public page (no user; a phone number is required so the citizen
    can check the ticket); ``channel="operator"`` needs an operator or Admin Dinas whose area
    holds the kelurahan.
    """
    if channel not in dict(G.CHANNELS):
        raise UserError(_("Saluran '%(channel)s' tidak dikenal.") % {"channel": channel})
    if channel == G.OPERATOR:
        if acting_user is None:
            raise UserError(_("Pengaduan lewat petugas perlu akun petugas."))
        require_role(acting_user, {OPERATOR_KELURAHAN, OPERATOR_KECAMATAN, ADMIN_DINAS}, "mencatat pengaduan")
    if category not in dict(G.CATEGORIES):
        raise UserError(_("Kategori '%(category)s' tidak dikenal.") % {"category": category})
    text = text.strip()
    if len(text) < 10:
        raise FieldError(_("Isi pengaduan terlalu pendek (paling sedikit 10 huruf)."), field="text")
    if len(text) > MAX_TEXT:
        raise FieldError(
            _("Isi pengaduan terlalu panjang (paling banyak %(max_text)s huruf).") % {"max_text": MAX_TEXT},
            field="text",
        )
    kode_kelurahan = kode_kelurahan.strip()
    region = regions().get(kode_kelurahan)
    if region is None or len(kode_kelurahan) != 10:
        raise FieldError(
            _("'%(kode_kelurahan)s' bukan kode kelurahan/desa yang dikenal.")
            % {"kode_kelurahan": kode_kelurahan},
            field="kode_kelurahan",
        )
    if channel == G.OPERATOR:
        require_area(acting_user, kode_kelurahan)
    nik = nik.strip()
    if nik:
        try:
            nik = parse_nik(nik, reference_date=now.date()).value
        except NikError as e:
            raise FieldError(
                _("NIK tidak sah: %(why)s") % {"why": reason_label(e.code)}, field="nik"
            ) from None
    elif category == G.SANGGAHAN:
        raise FieldError(
            _("Sanggahan atas keputusan sasaran perlu NIK orang yang bersangkutan."), field="nik"
        )
    phone = clean_phone(contact_phone)
    if contact_phone.strip() and not 9 <= len(phone) <= 14:
        raise FieldError(_("Nomor telepon harus 9 sampai 14 angka."), field="contact_phone")
    if channel == G.CITIZEN and not phone:
        raise FieldError(
            _("Nomor telepon wajib diisi agar Anda bisa memeriksa tiket."), field="contact_phone"
        )
    days, business = policy_for(category)
    grievance = G.objects.create(
        channel=channel,
        category=category,
        text=text,
        nik=nik,
        contact_name=" ".join(contact_name.split())[:200],
        contact_phone=phone,
        kode_kelurahan=kode_kelurahan,
        due_at=sla.due_at(now, days=days, business_days=business, holidays=holidays()),
        created_at=now,
        created_by=stored_user(acting_user),
    )
    grievance.number = f"ADU-{timezone.localtime(now).year}-{grievance.pk:06d}"
    grievance.save(update_fields=["number"])
    after = {**_snapshot(grievance), "channel": channel, "sla_days": days, "business_days": business}
    if acting_user is None and channel == G.CITIZEN:
        # The public page has no user; say so instead of the CLI label audit_record would use.
        AuditEvent.objects.create(
            actor=None,
            actor_label=PUBLIC_ACTOR,
            action="grievance.file",
            object_type=G._meta.label_lower,
            object_id=str(grievance.pk),
            after=after,
            area_code=grievance.kode_kelurahan,
        )
    else:
        audit_record(acting_user=acting_user, action="grievance.file", obj=grievance, after=after)
    return grievance


def _locked(grievance: Grievance) -> Grievance:
    return G.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=grievance.pk)


@transaction.atomic
def grievance_assign(*, grievance: Grievance, assignee: Any, acting_user: Actor) -> Grievance:
    """Admin Dinas hands an open (or already assigned) grievance to an officer."""
    require_role(acting_user, {ADMIN_DINAS}, "menugaskan pengaduan")
    g = _locked(grievance)
    require_area(acting_user, g.kode_kelurahan)
    if g.state not in G.PENDING_STATES:
        raise UserError(
            _("%(number)s sudah %(state)s; tidak bisa ditugaskan lagi.")
            % {"number": g.number, "state": g.get_state_display().lower()}
        )
    assignee_pk = getattr(assignee, "pk", None)
    user = (
        get_user_model().objects.filter(pk=assignee_pk, is_active=True).first()
        if assignee_pk is not None
        else None
    )
    if user is None:
        raise UserError(_("Petugas tidak dikenal atau tidak aktif."))
    if not (getattr(user, "is_superuser", False) or role_name(user) == ADMIN_DINAS):
        raise UserError(_("Pengaduan hanya bisa ditugaskan ke Admin Dinas."))
    before = _snapshot(g)
    g.assigned_to = user
    g.state = G.ASSIGNED
    g.save(update_fields=["assigned_to", "state"])
    audit_record(acting_user=acting_user, action="grievance.assign", obj=g, before=before, after=_snapshot(g))
    return g


@transaction.atomic
def grievance_answer(*, grievance: Grievance, answer: str, now: dt.datetime, acting_user: Actor) -> Grievance:
    """Record the answer the citizen/operator will see."""
    require_role(acting_user, {ADMIN_DINAS}, "menjawab pengaduan")
    answer = answer.strip()
    if len(answer) < 10:
        raise UserError(_("Jawaban terlalu pendek (paling sedikit 10 huruf)."))
    g = _locked(grievance)
    require_area(acting_user, g.kode_kelurahan)
    if g.state not in G.PENDING_STATES:
        raise UserError(
            _("%(number)s sudah %(state)s.") % {"number": g.number, "state": g.get_state_display().lower()}
        )
    before = _snapshot(g)
    g.answer = answer[:MAX_TEXT]
    g.answered_at = now
    g.state = G.ANSWERED
    g.save(update_fields=["answer", "answered_at", "state"])
    audit_record(
        acting_user=acting_user,
        action="grievance.answer",
        obj=g,
        before=before,
        after={**_snapshot(g), "late": sla.is_late(due=g.due_at, now=now, answered=False)},
        note=answer[:500],
    )
    return g


@transaction.atomic
def grievance_close(*, grievance: Grievance, now: dt.datetime, acting_user: Actor) -> Grievance:
    require_role(acting_user, {ADMIN_DINAS}, "menutup pengaduan")
    g = _locked(grievance)
    require_area(acting_user, g.kode_kelurahan)
    if g.state != G.ANSWERED:
        raise UserError(
            _("%(number)s: hanya pengaduan yang sudah dijawab bisa ditutup.") % {"number": g.number}
        )
    before = _snapshot(g)
    g.state = G.CLOSED
    g.closed_at = now
    g.save(update_fields=["state", "closed_at"])
    audit_record(acting_user=acting_user, action="grievance.close", obj=g, before=before, after=_snapshot(g))
    return g


@transaction.atomic
def grievances_escalate(*, now: dt.datetime, acting_user: Actor = None) -> list[Grievance]:
    """Mark every unanswered grievance past its due time as escalated to the Kepala Dinas.

    Idempotent: a grievance is escalated once (``escalated_at``); running twice changes nothing.
    Set-based: one UPDATE per chunk of tickets and one ``grievance.escalate`` audit row each, written
    in bulk (same fields as :func:`audit_record`).
    """
    late = list(
        G.objects.select_for_update(of=("self",))
        .select_related("assigned_to")
        .filter(G.late_q(now), escalated_at__isnull=True)
        .order_by("due_at", "pk")
    )
    ids = [g.pk for g in late]
    for start in range(0, len(ids), _CHUNK):
        G.objects.filter(pk__in=ids[start : start + _CHUNK]).update(escalated_at=now)
    user, label, object_type = stored_user(acting_user), actor_label(acting_user), G._meta.label_lower
    events = []
    for g in late:
        g.escalated_at = now
        events.append(
            AuditEvent(
                actor=user,
                actor_label=label,
                action="grievance.escalate",
                object_type=object_type,
                object_id=str(g.pk),
                after={**_snapshot(g), "late_by_hours": int((now - g.due_at).total_seconds() // 3600)},
                area_code=event_area(obj=g, acting_user=acting_user),
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return late
