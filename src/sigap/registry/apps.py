from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "sigap.registry"
    label = "registry"
    verbose_name = "Registri"
