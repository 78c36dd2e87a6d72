from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "sigap.claims"
    label = "claims"
    verbose_name = "Kejadian dan klaim BPJS TK"
