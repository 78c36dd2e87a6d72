from django.urls import path

from sigap.usulan import views

app_name = "usulan"
urlpatterns = [
    path("", views.usulan_list, name="list"),
    path("baru/", views.usulan_create, name="create"),
    path("unduh.xlsx", views.usulan_export, name="export"),
    path("diterima/", views.accepted_list, name="accepted"),
    path("diterima/unduh.<str:fmt>", views.accepted_export, name="accepted-export"),
    path("diterima/terapkan/", views.accepted_apply, name="accepted-apply"),
    path("<str:number>/", views.usulan_detail, name="detail"),
    path("<str:number>/verifikasi/", views.usulan_verify, name="verify"),
    path("<str:number>/terima/", views.usulan_accept, name="accept"),
    path("<str:number>/tolak/", views.usulan_reject, name="reject"),
    path("<str:number>/lampiran/", views.usulan_attach, name="attach"),
    path("<str:number>/lampiran/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
