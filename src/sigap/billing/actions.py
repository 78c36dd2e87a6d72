"""Billing actions: issue invoices, record and reverse payments, reverse lines, reconcile, lapse check.

Every action is keyword-only, atomic and writes its audit row in the same transaction.  Money rows
are never edited: corrections are reversal entries.

Choices made here (tested in tests/billing):

* Issuing the same month twice is refused with a message naming the existing invoice (an invoice is a
  document sent to BPJS TK; a second one for the same month would be a duplicate claim).  Advance
  payments reuse invoices that already exist and issue only the missing months.
* A member-month counts as *paid* when the invoice carrying its (not reversed) premium line is fully
  paid.  A partial payment pays the invoice, not particular members.
* A line reversal on a paid invoice leaves a credit (paid > total); such an invoice cannot be
  reconciled until the payment is corrected (reversed and recorded again with the right amount).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.audit.actions import Actor, audit_record, stored_user
from sigap.billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from sigap.billing.selectors import (
    BILLED_STATES,
    Sp2dDifference,
    member_periods,
    paid_ledger,
    sp2d_differences,
    sp2d_payment,
)
from sigap.core import coverage
from sigap.core.money import Month, format_rupiah
from sigap.enrolment.models import CoveragePeriod, Member
from sigap.errors import UserError
from sigap.events import announce_money
from sigap.holidays.selectors import holiday_dates
from sigap.programmes.models import Programme

ADVANCE_MONTHS = (3, 6, 12)


def _bulan(month: Month | str) -> str:
    """``Januari 2026`` (the month's name in the active language) for messages."""
    found = Month.parse(month) if isinstance(month, str) else month
    return date_format(found.first_day(), "F Y")


def invoice_number(programme: Programme, month: Month, supplement: int = 0) -> str:
    """``SIGAP-2026/INV/2026-02``; a supplementary invoice adds ``/T1``, ``/T2`` (tambahan)."""
    return f"{programme.code}/INV/{month}" + (f"/T{supplement}" if supplement else "")


def paid_amount(invoice: Invoice) -> int:
    return int(invoice.allocations.aggregate(s=Sum("amount"))["s"] or 0)


# --------------------------------------------------------------------------- invoices


def _insert_lines(invoice: Invoice, month: Month, amount: int) -> int:
    """One premium line per covered member not yet billed for the month (a premium line that was not
    reversed), built in the database (INSERT ... SELECT; portable).  The month's first invoice skips
    that test: no line of the month can exist before it."""
    line, member, period = InvoiceLine._meta.db_table, Member._meta.db_table, CoveragePeriod._meta.db_table
    first = month.first_day()
    sql = (
        f"INSERT INTO {line} (invoice_id, member_id, month, amount, kind, reverses_id, reason) "  # noqa: S608 -- table names from model meta, values bound
        f"SELECT %s, m.id, %s, %s, %s, NULL, '' FROM {member} m "
        f"WHERE m.programme_id = %s AND m.state IN (%s, %s) AND EXISTS ("
        f"SELECT 1 FROM {period} p WHERE p.member_id = m.id AND p.start_month <= %s "
        f"AND (p.end_month IS NULL OR p.end_month >= %s))"
    )
    params: list[Any] = [
        invoice.pk,
        first,
        amount,
        InvoiceLine.PREMIUM,
        invoice.programme_id,
        *BILLED_STATES,
        first,
        first,
    ]
    if invoice.supplement:
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {line} b WHERE b.member_id = m.id AND b.month = %s AND b.kind = %s"  # noqa: S608 -- table names from model meta, values bound
            f" AND NOT EXISTS (SELECT 1 FROM {line} r WHERE r.reverses_id = b.id))"
        )
        params += [first, InvoiceLine.PREMIUM]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _issue(*, programme: Programme, month: Month, acting_user: Actor, supplement: int = 0) -> Invoice:
    spec = programme.to_spec()
    if month.year != programme.fiscal_year or month < spec.coverage_start:
        raise UserError(
            _("%(code)s: %(month)s di luar masa perlindungan program (%(first)s s.d. %(last)s).")
            % {
                "code": programme.code,
                "month": _bulan(month),
                "first": _bulan(spec.coverage_start),
                "last": _bulan(spec.coverage_end),
            }
        )
    components = spec.monthly_components(month)
    amount = sum(components.values())
    invoice = Invoice.objects.create(
        programme=programme,
        month=month.first_day(),
        supplement=supplement,
        number=invoice_number(programme, month, supplement),
        state=Invoice.DRAFT,
        due_date=coverage.due_date(month, holiday_dates()),
        premium_components=components,
    )
    count = _insert_lines(invoice, month, amount)
    if count == 0:
        if supplement:
            raise UserError(
                _(
                    "%(code)s: semua peserta yang dilindungi pada %(month)s sudah ada di tagihan; tagihan "
                    "tambahan tidak diperlukan."
                )
                % {"code": programme.code, "month": _bulan(month)}
            )
        raise UserError(
            _("%(code)s: tidak ada peserta yang dilindungi pada %(month)s; tidak ada yang ditagih.")
            % {"code": programme.code, "month": _bulan(month)}
        )
    invoice.line_count = count
    invoice.total = count * amount
    invoice.state = Invoice.ISSUED
    invoice.issued_at = timezone.now()
    invoice.issued_by = stored_user(acting_user)
    invoice.save(update_fields=["line_count", "total", "state", "issued_at", "issued_by"])
    audit_record(
        acting_user=acting_user,
        action="invoice.issue",
        obj=invoice,
        before={"state": Invoice.DRAFT},
        after={
            "state": invoice.state,
            "number": invoice.number,
            "month": str(month),
            "supplement": supplement,
            "lines": count,
            "premium": amount,
            "premium_components": components,
            "component_totals": invoice.component_totals(),
            "total": invoice.total,
            "due_date": invoice.due_date.isoformat(),
        },
    )
    return invoice


@transaction.atomic
def invoice_issue(*, programme: Programme, month: Month, acting_user: Actor = None) -> Invoice:
    """Issue the invoice for ``month``: one line per covered member (state active or exited, with a
    coverage period including the month).  Issuing a month that already has an invoice is refused."""
    Programme.objects.select_for_update().get(pk=programme.pk)  # serialise issuing per programme
    existing = Invoice.objects.filter(programme=programme, month=month.first_day(), supplement=0).first()
    if existing is not None:
        raise UserError(
            _(
                "%(code)s: tagihan %(month)s sudah diterbitkan sebagai %(number)s (%(n)s peserta, %(total)s, "
                "%(state)s); koreksi dibuat dengan baris pembalikan; peserta yang diterima kemudian masuk "
                "tagihan tambahan."
            )
            % {
                "code": programme.code,
                "month": _bulan(month),
                "number": existing.number,
                "n": existing.line_count,
                "total": format_rupiah(existing.total),
                "state": existing.get_state_display(),
            }
        )
    invoice = _issue(programme=programme, month=month, acting_user=acting_user)
    _refresh_dashboard(programme)
    return invoice


def _refresh_dashboard(programme: Programme) -> None:
    """The leaders' dashboard shows realisation and premiums per month (``sigap.events``: the read
    models rebuild once the billing change is committed; it never slows down or rolls back the change)."""
    announce_money(programme)


@transaction.atomic
def invoice_supplement(*, programme: Programme, month: Month, acting_user: Actor = None) -> Invoice:
    """A supplementary invoice for ``month``: the members covered in the month who are on no invoice
    for it yet (BPJS TK accepted them, with an effective date in the month, after the month's invoice
    was issued).  Needs the month's invoice; refused when nobody is missing."""
    Programme.objects.select_for_update().get(pk=programme.pk)
    issued = list(Invoice.objects.filter(programme=programme, month=month.first_day()).order_by("supplement"))
    if not issued:
        raise UserError(
            _(
                "%(code)s: %(month)s belum punya tagihan; terbitkan dulu tagihan bulan itu (memuat semua peserta)."
            )
            % {"code": programme.code, "month": _bulan(month)}
        )
    invoice = _issue(
        programme=programme, month=month, acting_user=acting_user, supplement=issued[-1].supplement + 1
    )
    _refresh_dashboard(programme)
    return invoice


def _set_state_from_balance(invoice: Invoice, acting_user: Actor, reason: str) -> None:
    """issued <-> paid according to the balance; audited when it changes."""
    if invoice.state not in (Invoice.ISSUED, Invoice.PAID):
        return
    paid = paid_amount(invoice)
    new = Invoice.PAID if paid >= invoice.total else Invoice.ISSUED
    if new != invoice.state:
        before = invoice.state
        invoice.state = new
        invoice.save(update_fields=["state"])
        audit_record(
            acting_user=acting_user,
            action="invoice.state",
            obj=invoice,
            before={"state": before},
            after={"state": new, "paid": paid, "total": invoice.total},
            note=reason,
        )


@transaction.atomic
def invoice_reconcile(*, invoice: Invoice, acting_user: Actor = None) -> Invoice:
    """paid -> reconciled (matched against BPJS TK's statement); afterwards the invoice is frozen."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.state != Invoice.PAID:
        raise UserError(
            _("%(number)s berstatus %(state)s; hanya tagihan lunas yang dapat direkonsiliasi.")
            % {"number": invoice.number, "state": invoice.get_state_display()}
        )
    paid = paid_amount(invoice)
    if paid != invoice.total:
        raise UserError(
            _(
                "%(number)s: dibayar %(paid)s padahal jumlahnya %(total)s (kelebihan %(credit)s); batalkan "
                "pembayaran lalu catat jumlah yang benar."
            )
            % {
                "number": invoice.number,
                "paid": format_rupiah(paid),
                "total": format_rupiah(invoice.total),
                "credit": format_rupiah(paid - invoice.total),
            }
        )
    invoice.state = Invoice.RECONCILED
    invoice.reconciled_at = timezone.now()
    invoice.reconciled_by = stored_user(acting_user)
    invoice.save(update_fields=["state", "reconciled_at", "reconciled_by"])
    audit_record(
        acting_user=acting_user,
        action="invoice.reconcile",
        obj=invoice,
        before={"state": Invoice.PAID},
        after={"state": invoice.state, "total": invoice.total},
    )
    return invoice


@transaction.atomic
def invoice_line_reverse(*, line: InvoiceLine, reason: str, acting_user: Actor = None) -> InvoiceLine:
    """Add a negative line cancelling ``line`` (e.g. a member billed for a month after death)."""
    if not reason.strip():
        raise UserError(_("Pembatalan baris tagihan perlu alasan."))
    invoice = Invoice.objects.select_for_update().get(pk=line.invoice_id)
    line = InvoiceLine.objects.select_related("member").get(pk=line.pk)
    who = _("%(number)s, peserta %(nik)s") % {"number": invoice.number, "nik": line.member.nik}
    if invoice.state == Invoice.RECONCILED:
        raise UserError(_("%(who)s: tagihan sudah direkonsiliasi dan tidak dapat diubah.") % {"who": who})
    if line.kind != InvoiceLine.PREMIUM:
        raise UserError(_("%(who)s: hanya baris iuran yang dapat dibatalkan.") % {"who": who})
    if InvoiceLine.objects.filter(reverses=line).exists():
        raise UserError(_("%(who)s: baris ini sudah dibatalkan.") % {"who": who})
    reversal = InvoiceLine.objects.create(
        invoice=invoice,
        member=line.member,
        month=line.month,
        amount=-line.amount,
        kind=InvoiceLine.REVERSAL,
        reverses=line,
        reason=reason,
    )
    before = {"total": invoice.total, "line_count": invoice.line_count}
    invoice.total -= line.amount
    invoice.line_count -= 1
    invoice.save(update_fields=["total", "line_count"])
    audit_record(
        acting_user=acting_user,
        action="invoice.line_reverse",
        obj=invoice,
        before=before,
        after={"total": invoice.total, "line_count": invoice.line_count, "member": line.member.nik},
        note=reason,
    )
    _set_state_from_balance(invoice, acting_user, "line reversed")
    return reversal


# --------------------------------------------------------------------------- payments


def _describe(payment: Payment) -> str:
    return _("pembayaran #%(id)s (%(code)s, tanggal SP2D %(day)s, %(amount)s, dicatat %(at)s)") % {
        "id": payment.pk,
        "code": payment.programme.code,
        "day": date_format(payment.sp2d_date, "j F Y"),
        "amount": format_rupiah(payment.amount),
        "at": date_format(timezone.localtime(payment.recorded_at), "j F Y H.i"),
    }


def _duplicate(sp2d_number: str) -> UserError | None:
    earlier = sp2d_payment(sp2d_number)
    if earlier is None:
        return None
    return UserError(
        _("SP2D %(number)s sudah dicatat sebagai %(earlier)s; tidak ada yang dicatat.")
        % {"number": sp2d_number, "earlier": _describe(earlier)}
    )


def _advance_months(programme: Programme, months: int) -> list[Month]:
    """The ``months`` months starting at the oldest month not fully paid (or the next to invoice)."""
    unpaid = Invoice.objects.filter(programme=programme, state=Invoice.ISSUED).order_by("month").first()
    last = Invoice.objects.filter(programme=programme).order_by("-month").first()
    if unpaid is not None:
        start = Month.of(unpaid.month)
    elif last is not None:
        start = Month.of(last.month) + 1
    else:
        start = programme.to_spec().coverage_start
    wanted = [start + i for i in range(months)]
    end = Month(programme.fiscal_year, 12)
    if wanted[-1] > end:
        raise UserError(
            _(
                "%(code)s: pembayaran di muka %(n)s bulan mulai %(start)s akan sampai %(until)s, melewati tahun "
                "anggaran (bulan terakhir %(end)s)."
            )
            % {
                "code": programme.code,
                "n": months,
                "start": _bulan(start),
                "until": _bulan(wanted[-1]),
                "end": _bulan(end),
            }
        )
    return wanted


@transaction.atomic
def payment_record(
    *,
    programme: Programme,
    sp2d_number: str,
    sp2d_date: dt.date,
    amount: int,
    invoices: Sequence[str] | None = None,
    months: int | None = None,
    exact: bool = False,
    acting_user: Actor = None,
) -> Payment:
    """Record an SP2D disbursement and allocate it to invoices (oldest first).

    ``invoices``: invoice numbers to pay (default: the oldest unpaid issued invoices).  ``months``: an
    advance for 3, 6 or 12 months -- the missing invoices are issued first with the members known now.
    ``exact``: the amount must equal the outstanding balance of the targeted invoices.  Partial payments
    leave the last invoice issued with a balance; more than can be allocated is refused.  The same SP2D
    number twice is refused (unique constraint, so concurrent submissions cannot both succeed).
    """
    sp2d_number = (sp2d_number or "").strip()
    if not sp2d_number:
        raise UserError(_("Nomor SP2D wajib diisi."))
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise UserError(_("SP2D %(number)s: jumlah harus rupiah bulat di atas 0.") % {"number": sp2d_number})
    if invoices and months:
        raise UserError(_("Sebutkan tagihan atau pembayaran di muka dalam bulan, tidak keduanya."))
    if months is not None and months not in ADVANCE_MONTHS:
        raise UserError(_("Pembayaran di muka untuk 3, 6 atau 12 bulan, bukan %(n)s.") % {"n": months})
    if (dup := _duplicate(sp2d_number)) is not None:
        raise dup
    Programme.objects.select_for_update().get(pk=programme.pk)

    if months:
        targets: list[Invoice] = []
        for month in _advance_months(programme, months):
            found = list(Invoice.objects.filter(programme=programme, month=month.first_day()))
            targets.extend(found or [_issue(programme=programme, month=month, acting_user=acting_user)])
    elif invoices:
        targets = []
        for number in dict.fromkeys(n.strip() for n in invoices):
            inv = Invoice.objects.filter(number=number).first()
            if inv is None:
                raise UserError(
                    _("SP2D %(sp2d)s: tagihan %(number)s tidak ada.")
                    % {"sp2d": sp2d_number, "number": number}
                )
            if inv.programme_id != programme.pk:
                raise UserError(
                    _("SP2D %(sp2d)s: tagihan %(number)s milik program lain.")
                    % {"sp2d": sp2d_number, "number": number}
                )
            targets.append(inv)
    else:
        targets = list(
            Invoice.objects.filter(programme=programme, state=Invoice.ISSUED).order_by("month", "supplement")
        )
        if not targets:
            raise UserError(
                _("%(code)s: tidak ada tagihan belum lunas untuk SP2D %(sp2d)s.")
                % {"code": programme.code, "sp2d": sp2d_number}
            )
    targets = list(
        Invoice.objects.select_for_update()
        .filter(pk__in=[t.pk for t in targets])
        .order_by("month", "supplement")
    )
    for inv in targets:
        if inv.state == Invoice.RECONCILED:
            raise UserError(
                _("SP2D %(sp2d)s: tagihan %(number)s sudah direkonsiliasi; tidak dapat ditambah pembayaran.")
                % {"sp2d": sp2d_number, "number": inv.number}
            )
        if inv.state == Invoice.DRAFT:
            raise UserError(
                _("SP2D %(sp2d)s: tagihan %(number)s masih draf, belum diterbitkan.")
                % {"sp2d": sp2d_number, "number": inv.number}
            )
    balances = [(inv, inv.total - paid_amount(inv)) for inv in targets]
    payable = sum(max(0, b) for _, b in balances)
    names = ", ".join(inv.number for inv in targets)
    if exact and amount != payable:
        raise UserError(
            _("SP2D %(sp2d)s: jumlah %(amount)s tidak sama dengan sisa tagihan %(payable)s pada %(names)s.")
            % {
                "sp2d": sp2d_number,
                "amount": format_rupiah(amount),
                "payable": format_rupiah(payable),
                "names": names,
            }
        )
    if amount > payable:
        raise UserError(
            _(
                "SP2D %(sp2d)s: %(amount)s lebih dari sisa tagihan %(payable)s pada %(names)s; kelebihan bayar "
                "%(over)s ditolak (tidak ada yang dicatat)."
            )
            % {
                "sp2d": sp2d_number,
                "amount": format_rupiah(amount),
                "payable": format_rupiah(payable),
                "names": names,
                "over": format_rupiah(amount - payable),
            }
        )

    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                programme=programme,
                kind=Payment.PAYMENT,
                sp2d_number=sp2d_number,
                sp2d_date=sp2d_date,
                amount=amount,
                recorded_by=stored_user(acting_user),
            )
    except IntegrityError:
        dup = _duplicate(sp2d_number)
        if dup is None:
            raise
        raise dup from None
    left = amount
    allocations = []
    for inv, balance in balances:
        if left == 0:
            break
        share = min(left, max(0, balance))
        if share:
            allocations.append(PaymentAllocation(payment=payment, invoice=inv, amount=share))
            left -= share
    PaymentAllocation.objects.bulk_create(allocations)
    audit_record(
        acting_user=acting_user,
        action="payment.record",
        obj=payment,
        after={
            "sp2d_number": sp2d_number,
            "sp2d_date": sp2d_date.isoformat(),
            "amount": amount,
            "allocations": {a.invoice.number: a.amount for a in allocations},
            "advance_months": months,
        },
    )
    for a in allocations:
        _set_state_from_balance(a.invoice, acting_user, f"SP2D {sp2d_number}")
    _refresh_dashboard(programme)
    return payment


class PaymentConflict(UserError):
    """An SP2D number already recorded as another payment: ``payment`` is the recorded one,
    ``differences`` what the new one changes (see :func:`payment_post`)."""

    def __init__(self, message: str, *, payment: Payment, differences: list[Sp2dDifference]) -> None:
        super().__init__(message, details=[_difference_text(d) for d in differences])
        self.payment = payment
        self.differences = differences


_SP2D_FIELDS = {
    "programme": gettext_lazy("program"),
    "sp2d_date": gettext_lazy("tanggal SP2D"),
    "amount": gettext_lazy("jumlah"),
}


def _difference_text(d: Sp2dDifference) -> str:
    def shown(value: str | int | dt.date) -> str:
        if isinstance(value, dt.date):
            return date_format(value, "j F Y")
        return format_rupiah(value) if isinstance(value, int) else value

    return _("%(field)s: tercatat %(recorded)s, dikirim %(sent)s") % {
        "field": _SP2D_FIELDS[d.field],
        "recorded": shown(d.recorded),
        "sent": shown(d.sent),
    }


@dataclass(frozen=True)
class PaymentPosted:
    payment: Payment
    created: bool  # False: this SP2D was recorded before, as the same payment; nothing changed


def payment_post(
    *,
    programme: Programme,
    sp2d_number: str,
    sp2d_date: dt.date,
    amount: int,
    invoices: Sequence[str] | None = None,
    months: int | None = None,
    exact: bool = False,
    acting_user: Actor = None,
) -> PaymentPosted:
    """Record an SP2D sent by a system that may send it again (the finance system through the API).

    Idempotent by SP2D number: the same payment again (same programme, SP2D date and amount) returns
    the recorded one and changes nothing -- no second payment, allocation or audit row; a different
    payment under a recorded number is refused with :class:`PaymentConflict` naming each difference (a
    recorded payment never changes: it is reversed and the correct SP2D recorded).  Otherwise
    :func:`payment_record`, which itself refuses any second use of a number: an officer typing a number
    twice is told so.
    """
    number = (sp2d_number or "").strip()
    if (recorded := sp2d_payment(number)) is not None:
        return _replayed(recorded, programme=programme, sp2d_date=sp2d_date, amount=amount)
    try:
        payment = payment_record(
            programme=programme,
            sp2d_number=number,
            sp2d_date=sp2d_date,
            amount=amount,
            invoices=invoices,
            months=months,
            exact=exact,
            acting_user=acting_user,
        )
    except UserError:
        if (
            number and (recorded := sp2d_payment(number)) is not None
        ):  # recorded meanwhile by a concurrent post
            return _replayed(recorded, programme=programme, sp2d_date=sp2d_date, amount=amount)
        raise
    return PaymentPosted(payment, created=True)


def _replayed(recorded: Payment, *, programme: Programme, sp2d_date: dt.date, amount: int) -> PaymentPosted:
    differences = sp2d_differences(recorded, programme=programme.code, sp2d_date=sp2d_date, amount=amount)
    if differences:
        raise PaymentConflict(
            _(
                "SP2D %(number)s sudah dicatat sebagai %(earlier)s, berbeda dengan yang dikirim (%(what)s); "
                "tidak ada yang dicatat. Pembayaran yang tercatat tidak pernah diubah: batalkan lalu catat SP2D "
                "yang benar dengan nomornya sendiri."
            )
            % {
                "number": recorded.sp2d_number,
                "earlier": _describe(recorded),
                "what": ", ".join(str(_SP2D_FIELDS[d.field]) for d in differences),
            },
            payment=recorded,
            differences=differences,
        )
    return PaymentPosted(recorded, created=False)


@transaction.atomic
def payment_reverse(
    *, payment: Payment, reason: str, acting_user: Actor = None, date: dt.date | None = None
) -> Payment:
    """Cancel a payment with a reversal payment (negative amount and allocations); re-opens invoices."""
    if not reason.strip():
        raise UserError(_("Pembatalan pembayaran perlu alasan."))
    payment = Payment.objects.select_for_update().select_related("programme").get(pk=payment.pk)
    if payment.kind != Payment.PAYMENT:
        raise UserError(
            _("SP2D %(sp2d)s: pembatalan tidak dapat dibatalkan lagi.") % {"sp2d": payment.sp2d_number}
        )
    if Payment.objects.filter(reverses=payment).exists():
        raise UserError(_("SP2D %(sp2d)s sudah dibatalkan.") % {"sp2d": payment.sp2d_number})
    allocations = list(payment.allocations.select_related("invoice"))
    invoices = {
        inv.pk: inv
        for inv in Invoice.objects.select_for_update().filter(pk__in=[a.invoice_id for a in allocations])
    }
    frozen = [inv.number for inv in invoices.values() if inv.state == Invoice.RECONCILED]
    if frozen:
        raise UserError(
            _(
                "SP2D %(sp2d)s membayar tagihan yang sudah direkonsiliasi (%(numbers)s); tidak dapat dibatalkan."
            )
            % {"sp2d": payment.sp2d_number, "numbers": ", ".join(sorted(frozen))}
        )
    reversal = Payment.objects.create(
        programme=payment.programme,
        kind=Payment.REVERSAL,
        sp2d_number=payment.sp2d_number,
        sp2d_date=date or timezone.localdate(),
        amount=-payment.amount,
        reverses=payment,
        reason=reason,
        recorded_by=stored_user(acting_user),
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(payment=reversal, invoice=invoices[a.invoice_id], amount=-a.amount)
        for a in allocations
    )
    audit_record(
        acting_user=acting_user,
        action="payment.reverse",
        obj=payment,
        before={"amount": payment.amount},
        after={"reversal": reversal.pk, "amount": reversal.amount},
        note=reason,
    )
    for inv in invoices.values():
        _set_state_from_balance(inv, acting_user, f"SP2D {payment.sp2d_number} reversed")
    return reversal


# --------------------------------------------------------------------------- ledger and lapse


@dataclass
class LapseReport:
    programme: str
    on: dt.date
    checked: int = 0
    lapsed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "on": self.on.isoformat(),
            "checked": self.checked,
            "lapsed": self.lapsed,
        }


@transaction.atomic
def lapse_check(*, programme: Programme, on: dt.date, acting_user: Actor = None) -> LapseReport:
    """Exit every active member whose membership lapsed by ``on`` (more than 3 unpaid months).

    Only months of the programme count (``member_periods``: nothing after December of its fiscal year),
    only payments dated up to ``on`` count, and arrears paid after their window do not count
    (``sigap.core.coverage``).  A member's current membership starts with its latest coverage period:
    a lapse before it (ended, then reinstated or selected again) is history, not a new lapse.
    """
    from sigap.enrolment.exits import member_exit

    report = LapseReport(programme=programme.code, on=on)
    active = dict(Member.objects.filter(programme=programme, state=Member.ACTIVE).values_list("id", "nik"))
    report.checked = len(active)
    ledger = paid_ledger(programme=programme, on=on)
    periods = member_periods(None, programme=programme)
    due: list[tuple[int, coverage.Lapse]] = []
    holidays = holiday_dates()
    for member_id in active:
        own = periods.get(member_id, [])
        found = coverage.lapse(
            periods=own,
            paid=ledger.get(member_id, {}),
            on=on,
            holidays=holidays,
            since=max((p.start for p in own), default=None),
        )
        if found is not None:
            due.append((member_id, found))
    members = Member.objects.in_bulk([m for m, _ in due])
    for member_id, found in due:
        note = (
            f"{found.first_unpaid}..{found.lapse_month} unpaid; protection ended after {found.last_paid}; "
            f"arrears payable until {found.arrears_payable_until.isoformat()}"
        )
        member_exit(
            member=members[member_id],
            date=found.lapsed_on,
            reason="lapsed",
            source="billing",
            note=note,
            acting_user=acting_user,
        )
        report.lapsed.append(
            {
                "nik": active[member_id],
                "last_paid": str(found.last_paid),
                "first_unpaid": str(found.first_unpaid),
                "lapse_month": str(found.lapse_month),
                "lapsed_on": found.lapsed_on.isoformat(),
                "arrears_payable_until": found.arrears_payable_until.isoformat(),
            }
        )
    audit_record(
        acting_user=acting_user,
        action="billing.lapse_check",
        obj=programme,
        after={"on": on.isoformat(), "checked": report.checked, "lapsed": len(report.lapsed)},
    )
    return report
