"""Member and enrolment pages (names live in the ``web`` namespace; included from sigap.web.urls)."""

from django.urls import path

from sigap.enrolment import views

urlpatterns = [
    path("keuangan/", views.money_home, name="money"),
    path("keuangan/<int:programme_id>/peserta/", views.member_list, name="member-list"),
    path("keuangan/<int:programme_id>/peserta.xlsx", views.member_export, name="member-export"),
    path("keuangan/peserta/<int:member_id>/", views.member_detail, name="member-detail"),
    path("keuangan/<int:programme_id>/batch/", views.batch_list, name="batch-list"),
    path("keuangan/batch/<int:batch_id>/", views.batch_detail, name="batch-detail"),
    path("keuangan/batch/<int:batch_id>/unduh/<str:kind>/", views.batch_download, name="batch-download"),
    path("keuangan/<int:programme_id>/keluar/", views.exits_page, name="exits"),
]
