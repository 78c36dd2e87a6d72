from django.urls import path

from sigap.pengaduan import views

app_name = "pengaduan"
urlpatterns = [
    path("", views.grievance_list, name="list"),
    path("baru/", views.grievance_create, name="create"),
    path("unduh.xlsx", views.grievance_export, name="export"),
    path("batas-waktu/", views.sla_settings, name="sla"),
    path("warga/", views.citizen_file, name="citizen-file"),
    path("warga/tiket/", views.citizen_ticket, name="citizen-ticket"),
    path("cek-tiket/", views.ticket_check, name="ticket-check"),
    path("<str:number>/", views.grievance_detail, name="detail"),
    path("<str:number>/tugaskan/", views.grievance_assign, name="assign"),
    path("<str:number>/jawab/", views.grievance_answer, name="answer"),
    path("<str:number>/tutup/", views.grievance_close, name="close"),
]
