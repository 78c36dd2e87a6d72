from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("sigap.api.urls", namespace="api-v1")),  # machine clients (docs/api.md)
    path("favicon.ico", RedirectView.as_view(url=static("sigap/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kelola/cakupan/", include("sigap.coverage.urls")),  # reference figures, segments (ADR 0020)
    path("kelola/", include("sigap.jobs.urls")),  # Admin Dinas screens, namespace "ops"
    path("", include("sigap.web.urls")),
]
