from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sigap.web"
    label = "web"
    verbose_name = "Web"
