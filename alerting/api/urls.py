from django.urls import path  # noqa: F401

# Routes under /api/v1/ for ingest and the read side (incidents, alerts).
urlpatterns: list = []
