from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "sigap.coverage"
    label = "coverage"
    verbose_name = "Cakupan pekerja rentan"
