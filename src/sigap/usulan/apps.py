from django.apps import AppConfig


class UsulanConfig(AppConfig):
    name = "sigap.usulan"
    label = "usulan"
    verbose_name = "Usulan perubahan data"
