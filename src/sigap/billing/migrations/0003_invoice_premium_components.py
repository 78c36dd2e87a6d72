# Invoices keep the premium of their lines per programme (JKK, JKM and, when a programme pays it, JHT).
# Invoices issued before carry JKK + JKM at the tariff of their month (sigap.core.tariff): the
# breakdown is kept only where it adds up to the invoice's premium line, otherwise left empty.

from django.db import migrations, models


def backfill(apps, schema_editor):
    from sigap.core.money import Month
    from sigap.core.tariff import DEFAULT_INCOME_BRACKET, monthly_components

    Invoice = apps.get_model("billing", "Invoice")
    InvoiceLine = apps.get_model("billing", "InvoiceLine")
    for invoice in Invoice.objects.select_related("programme").iterator():
        amount = (
            InvoiceLine.objects.filter(invoice_id=invoice.pk, kind="premium")
            .values_list("amount", flat=True)
            .first()
        )
        if amount is None:
            continue
        tariff = (invoice.programme.spec or {}).get("tariff", {})
        parts = monthly_components(
            Month(invoice.month.year, invoice.month.month),
            funding=invoice.programme.funding,
            income_bracket=int(tariff.get("income_bracket", DEFAULT_INCOME_BRACKET)),
            include_jht=bool(tariff.get("include_jht", False)),
        )
        if sum(parts.values()) == amount:
            invoice.premium_components = parts
            invoice.save(update_fields=["premium_components"])


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0002_invoice_supplement"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="premium_components",
            field=models.JSONField(blank=True, default=dict, verbose_name="rincian iuran per peserta"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
