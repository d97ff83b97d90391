"""Other tools' alert payloads (Alertmanager, Grafana, Uptime Kuma, Uptrends)
turned into check results for the same engine as ``POST /api/v1/alerts``.

Each format module converts a payload into our own check-result objects; the
API's validation and ingest (``alerting.api.ingest``) then do the rest, so a
converted alert is refused or accepted exactly like a submitted one.
"""
