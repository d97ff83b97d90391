from django.contrib import admin
from django.urls import include, path

from alertsite.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("alerting.api.urls")),
    path("api/v1/", include("integrations.api.urls")),
    path("admin/", admin.site.urls),
]
