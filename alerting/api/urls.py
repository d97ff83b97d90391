from django.urls import include, path

# Routes under /api/v1/ for ingest and the read side (incidents, alerts).
urlpatterns: list = []

# Configuration resources (operators, groups, monitors, maintenance, alert definitions).
urlpatterns += [path("", include("alerting.api.resources.urls"))]
