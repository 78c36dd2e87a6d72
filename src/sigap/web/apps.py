from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sigap.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        from sigap.web import checks  # noqa: F401 -- registers the deployment checks
