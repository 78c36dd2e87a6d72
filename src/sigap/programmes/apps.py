from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "sigap.programmes"
    label = "programmes"
    verbose_name = "Program"
