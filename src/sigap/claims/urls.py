from django.urls import path

from sigap.claims import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("unduh.xlsx", views.claim_export, name="export"),
    path("kejadian/baru/", views.member_lookup, name="member-lookup"),
    path("peserta/<int:member_id>/kejadian/", views.incident_new, name="incident-new"),
    path("<int:claim_id>/", views.claim_detail, name="detail"),
    path("<int:claim_id>/dokumen/<int:document_id>/", views.document_mark, name="document-mark"),
    path("<int:claim_id>/dokumen/<int:document_id>/unggah/", views.document_upload, name="document-upload"),
    path("<int:claim_id>/dokumen/<int:document_id>/berkas/", views.document_file, name="document-file"),
    path("<int:claim_id>/ajukan/", views.claim_submit, name="submit"),
    path("<int:claim_id>/bayar/", views.claim_pay, name="pay"),
    path("<int:claim_id>/tolak/", views.claim_reject, name="reject"),
    path("<int:claim_id>/manfaat/", views.claim_open, name="open"),
    path("<int:claim_id>/beasiswa/", views.scholarship_add, name="scholarship-add"),
    path(
        "<int:claim_id>/beasiswa/<int:scholarship_id>/", views.scholarship_decide, name="scholarship-decide"
    ),
    path("<int:claim_id>/surat.pdf", views.claim_letter, name="letter"),
]
