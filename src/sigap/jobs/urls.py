from django.urls import path

from sigap.jobs import views

app_name = "ops"
urlpatterns = [
    path("proses/", views.jobs, name="jobs"),
    path("pencocokan/", views.linkage_review, name="linkage-review"),
    path("proses/<int:job_id>/", views.job_detail, name="job-detail"),
    path("impor/", views.imports, name="imports"),
    path("impor/pemetaan/<str:token>/", views.import_mapping, name="import-mapping"),
    path("impor/<int:snapshot_id>/", views.snapshot_detail, name="snapshot-detail"),
    path(
        "impor/<int:snapshot_id>/penolakan.<str:fmt>", views.snapshot_rejections, name="snapshot-rejections"
    ),
    path("program/", views.programmes, name="programmes"),
    path("program/<int:programme_id>/", views.programme_detail, name="programme-detail"),
    path("program/<int:programme_id>/jalankan/", views.programme_run, name="programme-run"),
    path("pengguna/", views.users, name="users"),
    path("pengguna/<int:user_id>/aktif/<int:active>/", views.user_active, name="user-active"),
    path(
        "pengguna/permintaan/<int:grant_id>/<str:decision>/",
        views.user_grant_decide,
        name="user-grant-decide",
    ),
]
