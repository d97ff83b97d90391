from django.urls import include, path

from alerting.api.audit import AuditList
from alerting.api.history import AlertsView, IncidentDetail, IncidentList
from alerting.api.responding import AcknowledgeView, UnacknowledgeView

# Routes under /api/v1/ for ingest and the read side (incidents, alerts).
urlpatterns: list = [
    path("alerts", AlertsView.as_view(), name="api-alerts"),
    path("audit", AuditList.as_view(), name="api-audit"),
    path("incidents", IncidentList.as_view(), name="api-incidents"),
    path("incidents/<str:key>", IncidentDetail.as_view(), name="api-incident"),
    path("incidents/<str:key>/acknowledge", AcknowledgeView.as_view(), name="api-incident-acknowledge"),
    path("incidents/<str:key>/unacknowledge", UnacknowledgeView.as_view(), name="api-incident-unacknowledge"),
]

# Configuration resources (operators, groups, monitors, maintenance, alert definitions).
urlpatterns += [path("", include("alerting.api.resources.urls"))]
