from django.urls import path

from sigap.coverage import views

app_name = "coverage"
urlpatterns = [
    path("", views.references, name="references"),
    path("segmen/", views.segment_upload, name="segment-import"),
    path("segmen/<int:list_id>/penolakan.<str:fmt>", views.segment_rejections, name="segment-rejections"),
]
