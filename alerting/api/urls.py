from django.urls import include, path

from alerting.api.history import AlertsView, IncidentDetail, IncidentList

# Routes under /api/v1/ for ingest and the read side (incidents, alerts).
urlpatterns: list = [
    path("alerts", AlertsView.as_view(), name="api-alerts"),
    path("incidents", IncidentList.as_view(), name="api-incidents"),
    path("incidents/<str:key>", IncidentDetail.as_view(), name="api-incident"),
]

# Configuration resources (operators, groups, monitors, maintenance, alert definitions).
urlpatterns += [path("", include("alerting.api.resources.urls"))]
