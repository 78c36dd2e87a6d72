from django.apps import AppConfig


class HolidaysConfig(AppConfig):
    name = "sigap.holidays"
    label = "holidays"
    verbose_name = "Hari libur nasional dan cuti bersama"
