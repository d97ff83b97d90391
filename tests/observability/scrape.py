"""Scraping ``/metrics`` and reading it with Prometheus' own text parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

REQUIRED = {
    "alertsite_check_results": "counter",
    "alertsite_alerts": "counter",
    "alertsite_messages": "gauge",
    "alertsite_delivery_attempts": "counter",
    "alertsite_delivery_latency_seconds": "histogram",
    "alertsite_oldest_due_message_seconds": "gauge",
    "alertsite_integrations_paused": "gauge",
    "alertsite_incidents": "gauge",
    "alertsite_worker_last_seen_seconds": "gauge",
}

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample by name and labels; checks each required family is there,
    typed and documented (# HELP)."""
    families = {family.name: family for family in text_string_to_metric_families(text)}
    for name, kind in REQUIRED.items():
        assert name in families, f"{name} missing"
        assert families[name].type == kind, (name, families[name].type)
        assert families[name].documentation.strip(), f"{name} has no HELP"
    samples: Samples = {}
    for family in families.values():
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]
