from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "sigap.status"
    label = "status"
    verbose_name = "Status & agregat"
