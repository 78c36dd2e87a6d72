from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sigap.billing"
    label = "billing"
    verbose_name = "Tagihan dan pembayaran iuran"
