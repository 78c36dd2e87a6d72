from django.contrib.auth import views as auth_views
from django.urls import include, path

from sigap.web import approval, auditlog, citizen, dashboard, exportjobs, people, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", auth_views.LoginView.as_view(template_name="sigap/login.html"), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("beranda/<int:programme_id>/peta.geojson", dashboard.dashboard_geojson, name="dashboard-geojson"),
    path("beranda/<int:programme_id>/unduh.xlsx", dashboard.dashboard_export, name="dashboard-export"),
    path("program/", views.programmes, name="programmes"),
    path("runs/<int:run_id>/", views.run_detail, name="run-detail"),
    path("runs/<int:run_id>/peta.geojson", views.run_geojson, name="run-geojson"),
    path("runs/<int:run_id>/unduh/<str:name>/", views.run_export, name="run-export"),
    path("persetujuan/", approval.approvals, name="approvals"),
    path("persetujuan/<int:run_id>/ajukan/", approval.approval_submit, name="approval-submit"),
    path("persetujuan/<int:run_id>/setujui/", approval.approval_approve, name="approval-approve"),
    path("persetujuan/<int:run_id>/kembalikan/", approval.approval_return, name="approval-return"),
    path("persetujuan/<int:run_id>/lampiran.<str:fmt>", approval.annex_download, name="approval-annex"),
    path("persetujuan/<int:run_id>/lampiran/", approval.annex_status, name="approval-annex-status"),
    path("penduduk/", people.person_search_view, name="person-search"),
    path("penduduk/<str:nik>/", people.person_detail, name="person-detail"),
    path("audit/", auditlog.audit_log, name="audit-log"),
    path("audit/unduh.csv", auditlog.audit_export, name="audit-export"),
    path("audit/unduh.xlsx", auditlog.audit_export, {"fmt": "xlsx"}, name="audit-export-xlsx"),
    path("unduhan/<int:job_id>/", exportjobs.export_status, name="export-status"),
    path("unduhan/<int:job_id>/berkas/", exportjobs.export_download, name="export-download"),
    path("cek-status/", citizen.citizen_check, name="citizen-check"),
    path("", include("sigap.enrolment.urls")),
    path("", include("sigap.billing.urls")),
    path("klaim/", include("sigap.claims.urls")),
    path("usulan/", include("sigap.usulan.urls")),
    path("pengaduan/", include("sigap.pengaduan.urls")),
]
