"""``sigap invoice``, ``sigap payment``, ``sigap realisation``, ``sigap lapse``: premiums and budget."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from sigap.cli.common import (
    acting_user,
    console,
    emit,
    handle_errors,
    json_option,
    parse_date_option,
    parse_month_option,
    parse_rupiah_option,
    programme_by_code,
    setup_django,
)
from sigap.core.money import Month, format_rupiah
from sigap.core.realisation import COMPONENT_ROW_LABELS
from sigap.errors import UserError

as_option = click.option("--as", "as_user", metavar="USER", help="Username of the acting user (audit log).")


def _invoice_dict(invoice: Any) -> dict[str, Any]:
    from sigap.billing.actions import paid_amount

    paid = paid_amount(invoice)
    return {
        "number": invoice.number,
        "programme": invoice.programme.code,
        "month": str(Month.of(invoice.month)),
        "supplement": invoice.supplement,
        "state": invoice.state,
        "members": invoice.line_count,
        "total": invoice.total,
        "paid": paid,
        "outstanding": invoice.total - paid,
        "due_date": invoice.due_date.isoformat(),
    }


def _invoice_table(rows: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title)
    for col in ("Nomor", "Bulan", "Status", "Peserta", "Jumlah", "Dibayar", "Sisa", "Jatuh tempo"):
        table.add_column(col, justify="right" if col in ("Peserta", "Jumlah", "Dibayar", "Sisa") else "left")
    for r in rows:
        table.add_row(
            r["number"],
            r["month"],
            r["state"],
            f"{r['members']:,}".replace(",", "."),
            format_rupiah(r["total"]),
            format_rupiah(r["paid"]),
            format_rupiah(r["outstanding"]),
            r["due_date"],
        )
    console.print(table)


# --------------------------------------------------------------------------- invoice


@click.group("invoice")
def invoice() -> None:
    """Tagihan iuran bulanan / monthly premium invoices."""


def _month_invoice_command(name: str, action: str, title: str, doc: str) -> None:
    """``sigap invoice <name> --programme X --month YYYY-MM``: one of the month's invoice actions."""

    @invoice.command(name, help=doc)
    @click.option("--programme", "code", required=True, help="Programme code.")
    @click.option("--month", required=True, help="Covered month, YYYY-MM.")
    @as_option
    @json_option
    @handle_errors
    def command(code: str, month: str, as_user: str | None, as_json: bool) -> None:
        setup_django()
        from sigap.billing import actions

        made = getattr(actions, action)(
            programme=programme_by_code(code),
            month=parse_month_option(month, "--month"),
            acting_user=acting_user(as_user),
        )
        emit(_invoice_dict(made), as_json=as_json, human=lambda r: _invoice_table([r], title))


_month_invoice_command(
    "issue",
    "invoice_issue",
    "Tagihan diterbitkan / invoice issued",
    "Issue the month's invoice: one line per covered member.",
)
_month_invoice_command(
    "supplement",
    "invoice_supplement",
    "Tagihan tambahan / supplementary invoice",
    "A supplementary invoice for members covered in the month but on no invoice yet (accepted later).",
)


@invoice.command("list")
@click.option("--programme", "code", help="Only this programme.")
@json_option
@handle_errors
def invoice_list_cmd(code: str | None, as_json: bool) -> None:
    """List invoices with what was paid and what is outstanding."""
    setup_django()
    from sigap.billing.models import Invoice

    qs = Invoice.objects.select_related("programme").order_by("programme__code", "month")
    if code:
        qs = qs.filter(programme=programme_by_code(code))
    rows = [_invoice_dict(i) for i in qs]
    emit(
        {"invoices": rows},
        as_json=as_json,
        human=lambda r: _invoice_table(r["invoices"], "Tagihan / invoices"),
    )


@invoice.command("reconcile")
@click.argument("number")
@as_option
@json_option
@handle_errors
def invoice_reconcile_cmd(number: str, as_user: str | None, as_json: bool) -> None:
    """Mark a paid invoice as reconciled with BPJS TK's statement (it is then frozen)."""
    setup_django()
    from sigap.billing.actions import invoice_reconcile
    from sigap.billing.models import Invoice

    found = Invoice.objects.filter(number=number).first()
    if found is None:
        raise UserError(f"there is no invoice '{number}'")
    result = _invoice_dict(invoice_reconcile(invoice=found, acting_user=acting_user(as_user)))
    emit(result, as_json=as_json, human=lambda r: _invoice_table([r], "Direkonsiliasi / reconciled"))


# --------------------------------------------------------------------------- payment


@click.group("payment")
def payment() -> None:
    """Pembayaran iuran (SP2D) / premium payments."""


def _payment_dict(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kind": p.kind,
        "programme": p.programme.code,
        "sp2d_number": p.sp2d_number,
        "sp2d_date": p.sp2d_date.isoformat(),
        "amount": p.amount,
        "allocations": {a.invoice.number: a.amount for a in p.allocations.select_related("invoice")},
    }


def _payment_human(r: dict[str, Any]) -> None:
    label = (
        "Pembayaran dicatat / payment recorded"
        if r["kind"] == "payment"
        else "Pembayaran dibatalkan / reversed"
    )
    console.print(
        f"{label}: SP2D {r['sp2d_number']} {r['sp2d_date']} {format_rupiah(r['amount'])}", highlight=False
    )
    for number, amount in r["allocations"].items():
        console.print(f"  {number}: {format_rupiah(amount)}", highlight=False)


@payment.command("record")
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option("--sp2d", "sp2d_number", required=True, help="SP2D number (unique).")
@click.option("--date", "sp2d_date", required=True, help="SP2D date, YYYY-MM-DD.")
@click.option("--amount", required=True, help="Amount in rupiah (168000000 or Rp168.000.000).")
@click.option("--invoice", "invoices", multiple=True, help="Invoice number to pay (repeatable).")
@click.option("--months", type=click.Choice(["3", "6", "12"]), help="Advance payment for 3, 6 or 12 months.")
@click.option("--exact", is_flag=True, help="Refuse unless the amount equals the outstanding balance.")
@as_option
@json_option
@handle_errors
def payment_record_cmd(
    code: str,
    sp2d_number: str,
    sp2d_date: str,
    amount: str,
    invoices: tuple[str, ...],
    months: str | None,
    exact: bool,
    as_user: str | None,
    as_json: bool,
) -> None:
    """Record an SP2D disbursement and allocate it to invoices (oldest unpaid first)."""
    setup_django()
    from sigap.billing.actions import payment_record

    rupiah = parse_rupiah_option(amount, "--amount")
    result = payment_record(
        programme=programme_by_code(code),
        sp2d_number=sp2d_number,
        sp2d_date=parse_date_option(sp2d_date, "--date"),
        amount=rupiah,
        invoices=list(invoices) or None,
        months=int(months) if months else None,
        exact=exact,
        acting_user=acting_user(as_user),
    )
    emit(_payment_dict(result), as_json=as_json, human=_payment_human)


@payment.command("reverse")
@click.argument("sp2d_number")
@click.option("--reason", required=True, help="Why the payment is cancelled.")
@click.option("--date", "on", help="Date of the correction (default: today).")
@as_option
@json_option
@handle_errors
def payment_reverse_cmd(
    sp2d_number: str, reason: str, on: str | None, as_user: str | None, as_json: bool
) -> None:
    """Cancel a recorded payment with a reversal entry (re-opens its invoices)."""
    setup_django()
    from sigap.billing.actions import payment_reverse
    from sigap.billing.models import Payment

    found = Payment.objects.filter(sp2d_number=sp2d_number, kind=Payment.PAYMENT).first()
    if found is None:
        raise UserError(f"there is no payment with SP2D number '{sp2d_number}'")
    result = payment_reverse(
        payment=found, reason=reason, date=parse_date_option(on, "--date"), acting_user=acting_user(as_user)
    )
    emit(_payment_dict(result), as_json=as_json, human=_payment_human)


# --------------------------------------------------------------------------- realisation, lapse

REALISATION_FIGURES = (
    ("allocated", "Pagu / allocated"),
    ("paid", "Dibayar / paid"),
    ("outstanding", "Tagihan belum dibayar / outstanding invoiced"),
    ("committed", "Komitmen belum ditagih / committed, not invoiced"),
    ("remaining", "Sisa / remaining"),
    ("invoiced", "Ditagih / invoiced"),
    ("cost_per_new_member", "Biaya per peserta baru / per new member"),
    ("cost_to_fill", "Biaya memenuhi kuota / cost to fill the quota"),
)


@click.command("realisation")
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option("--on", "on", help="As of this date, YYYY-MM-DD (default: today).")
@click.option("--target", type=int, help="Also price reaching this many members.")
@json_option
@handle_errors
def realisation_cmd(code: str, on: str | None, target: int | None, as_json: bool) -> None:
    """Realisasi anggaran / budget realisation of a programme's fiscal year."""
    setup_django()
    from sigap.billing.selectors import realisation

    r = realisation(
        programme=programme_by_code(code), on=parse_date_option(on, "--on"), target=target
    ).as_dict()
    r["programme"] = code

    def human(r: dict[str, Any]) -> None:
        table = Table(title=f"Realisasi anggaran / budget realisation {code} {r['fiscal_year']} ({r['on']})")
        table.add_column("")
        table.add_column("", justify="right")
        for key, label in REALISATION_FIGURES:
            table.add_row(label, format_rupiah(r[key]))
        if r["target"] is not None:
            table.add_row(
                f"Biaya mencapai {r['target']} peserta / cost to target", format_rupiah(r["cost_to_target"])
            )
        table.add_row("Peserta / members", f"{r['members']:,}".replace(",", "."))
        table.add_row("Kuota / quota", f"{r['quota']:,}".replace(",", "."))
        table.add_row("Anggaran habis / runs out", r["runs_out"] or "-")
        for component, parts in r["by_component"].items():
            label = COMPONENT_ROW_LABELS.get(component, component)
            table.add_row(
                f"{label}: ditagih + terikat / invoiced + committed",
                f"{format_rupiah(parts['invoiced'])} + {format_rupiah(parts['committed'])}",
            )
        console.print(table)
        console.print(
            f"{format_rupiah(r['paid'])} + {format_rupiah(r['outstanding'])} + {format_rupiah(r['committed'])} + "
            f"{format_rupiah(r['remaining'])} = {format_rupiah(r['allocated'])}",
            highlight=False,
        )

    emit(r, as_json=as_json, human=human)


@click.group("lapse")
def lapse() -> None:
    """Kepesertaan berakhir karena tunggakan / lapse for non-payment."""


@lapse.command("check")
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option("--on", "on", required=True, help="Date of the check, YYYY-MM-DD.")
@as_option
@json_option
@handle_errors
def lapse_check_cmd(code: str, on: str, as_user: str | None, as_json: bool) -> None:
    """Exit members with more than 3 consecutive unpaid months (payments dated up to --on)."""
    setup_django()
    from sigap.billing.actions import lapse_check

    report = lapse_check(
        programme=programme_by_code(code), on=parse_date_option(on, "--on"), acting_user=acting_user(as_user)
    ).as_dict()

    def human(r: dict[str, Any]) -> None:
        console.print(
            f"Diperiksa / checked: {r['checked']}; berakhir / lapsed: {len(r['lapsed'])}", highlight=False
        )
        for row in r["lapsed"][:50]:
            console.print(
                f"  {row['nik']}: unpaid {row['first_unpaid']}..{row['lapse_month']}, "
                f"ended {row['lapsed_on']} (arrears payable until {row['arrears_payable_until']})",
                highlight=False,
            )

    emit(report, as_json=as_json, human=human)


def register(cli: click.Group) -> None:
    cli.add_command(invoice)
    cli.add_command(payment)
    cli.add_command(realisation_cmd)
    cli.add_command(lapse)
