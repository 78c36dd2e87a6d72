from django.apps import AppConfig


class PengaduanConfig(AppConfig):
    name = "sigap.pengaduan"
    label = "pengaduan"
    verbose_name = "Pengaduan"
