from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "sigap.enrolment"
    label = "enrolment"
    verbose_name = "Kepesertaan"
