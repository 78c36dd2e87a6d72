from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "sigap.jobs"
    label = "jobs"
    verbose_name = "Proses latar"
