"""``GET /metrics``: the hub's state in the Prometheus text format.

Everything is read from the database when Prometheus scrapes, by a custom
collector, so any web process on any machine answers the same and no process
keeps counters of its own. Each query is bounded and served by an index:
counters add only the rows inserted since the last scrape (``tallies``), the
outbox gauges read the due messages (a partial index) and the last day's
final ones (status, created), the incident gauge the unresolved incidents (a
partial index), the latency histogram the last window's delivered messages.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from alerting.models import AlertType, CheckStatus, Incident
from alerting.models.incidents import acknowledged_q
from alertsite.health import oldest_due_seconds
from alertsite.observability import tallies
from integrations.delivery.heartbeat import seconds_since_seen
from integrations.models import OUTCOME_UNKNOWN, Integration, IntegrationKind, Message, MessageStatus

FINAL_WINDOW = dt.timedelta(hours=24)
LATENCY_BUCKETS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
# What an attempt led to: delivered; pending (a retry is scheduled); failed;
# expired; unknown (its worker died before the answer was recorded).
OUTCOMES = ("delivered", "pending", "failed", "expired", OUTCOME_UNKNOWN)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield from self.counters(now)
        yield self.messages(now)
        yield self.latency(now)
        yield GaugeMetricFamily(
            "alertsite_oldest_due_message_seconds",
            "How long the oldest due, undelivered message has waited (0 when none is due).",
            value=oldest_due_seconds(),
        )
        yield GaugeMetricFamily(
            "alertsite_integrations_paused",
            "Integrations paused by the delivery circuit breaker now.",
            value=Integration.objects.filter(paused_until__gt=now).count(),
        )
        yield self.incidents(now)
        seen = seconds_since_seen()
        yield GaugeMetricFamily(
            "alertsite_worker_last_seen_seconds",
            "Seconds since a delivery worker (or the sweep) last wrote its heartbeat; +Inf when never.",
            value=math.inf if seen is None else round(seen, 3),
        )

    def counters(self, now: dt.datetime) -> Iterator[Metric]:
        checks = CounterMetricFamily(
            "alertsite_check_results", "Check results received, by status.", labels=["status"]
        )
        counts = tallies.totals(tallies.CHECK_RESULTS, now)
        for status in CheckStatus.values:
            checks.add_metric([status], counts.get((status,), 0))
        yield checks
        alerts = CounterMetricFamily("alertsite_alerts", "Alerts raised, by type.", labels=["type"])
        counts = tallies.totals(tallies.ALERTS, now)
        for type_ in AlertType.values:
            alerts.add_metric([type_], counts.get((type_,), 0))
        yield alerts
        attempts = CounterMetricFamily(
            "alertsite_delivery_attempts",
            "Delivery attempts by integration kind and outcome (the message status the attempt led to; "
            "unknown: its worker died before the answer was recorded).",
            labels=["kind", "outcome"],
        )
        counts = tallies.totals(tallies.ATTEMPTS, now)
        for kind, outcome in _label_pairs(counts, IntegrationKind.values, OUTCOMES):
            attempts.add_metric([kind, outcome], counts.get((kind, outcome), 0))
        yield attempts

    def messages(self, now: dt.datetime) -> Metric:
        gauge = GaugeMetricFamily(
            "alertsite_messages",
            "Messages in the outbox by status and integration kind: pending and sending ones, and those "
            "delivered, failed or expired in the last 24 hours.",
            labels=["status", "kind"],
        )
        owed = [MessageStatus.PENDING, MessageStatus.SENDING]
        final = [MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.EXPIRED]
        counts: dict[tuple[str, str], int] = {}
        for query in (
            Message.objects.filter(status__in=owed),
            Message.objects.filter(status__in=final, created_at__gte=now - FINAL_WINDOW),
        ):
            for row in query.order_by().values("status", "integration__kind").annotate(n=Count("pk")):
                counts[(row["status"], row["integration__kind"])] = row["n"]
        for status, kind in _label_pairs(counts, MessageStatus.values, IntegrationKind.values):
            gauge.add_metric([status, kind], counts.get((status, kind), 0))
        return gauge

    def latency(self, now: dt.datetime) -> Metric:
        window = dt.timedelta(seconds=settings.METRICS_LATENCY_WINDOW_SECONDS)
        delivered = Message.objects.filter(
            status=MessageStatus.DELIVERED, created_at__gte=now - window
        ).exclude(delivered_at=None)
        aggregates = {
            f"le{i}": Count("pk", filter=Q(delivered_at__lte=_plus("created_at", bound)))
            for i, bound in enumerate(LATENCY_BUCKETS)
        }
        took = ExpressionWrapper(F("delivered_at") - F("created_at"), output_field=DurationField())
        row = delivered.order_by().aggregate(total=Count("pk"), took=Sum(took), **aggregates)
        total_seconds = row["took"].total_seconds() if row["took"] is not None else 0.0
        buckets = [(_le(bound), row[f"le{i}"]) for i, bound in enumerate(LATENCY_BUCKETS)]
        buckets.append(("+Inf", row["total"]))
        # A window, not a running total: read it with histogram_quantile() as it is, without rate().
        return HistogramMetricFamily(
            "alertsite_delivery_latency_seconds",
            f"Seconds from an alert being raised to its message being delivered, over the messages "
            f"raised in the last {settings.METRICS_LATENCY_WINDOW_SECONDS} seconds and delivered "
            f"(a window: use it without rate()).",
            buckets=buckets,
            sum_value=round(total_seconds, 3),
        )

    def incidents(self, now: dt.datetime) -> Metric:
        unresolved = Incident.objects.filter(resolved_at__isnull=True)
        row = unresolved.order_by().aggregate(
            total=Count("pk"), acknowledged=Count("pk", filter=acknowledged_q(now))
        )
        gauge = GaugeMetricFamily(
            "alertsite_incidents",
            "Unresolved incidents: open, and acknowledged (someone is on it).",
            labels=["status"],
        )
        gauge.add_metric(["open"], row["total"] - row["acknowledged"])
        gauge.add_metric(["acknowledged"], row["acknowledged"])
        return gauge


def _plus(field: str, seconds: float) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) + Value(dt.timedelta(seconds=seconds)), output_field=DateTimeField())


def _le(bound: float) -> str:
    return repr(float(bound))


def _label_pairs(
    counts: dict[tuple[str, ...], int] | dict[tuple[str, str], int],
    first: Iterable[str],
    second: Iterable[str],
) -> list[tuple[str, ...]]:
    """Every known combination (so a series reads 0 rather than vanishing), and any other seen."""
    pairs = [(a, b) for a in first for b in second]
    seen = [key for key in counts if key not in pairs and len(key) == 2]
    return [*pairs, *sorted(seen)]


_registry = CollectorRegistry(auto_describe=False)
_registry.register(DatabaseCollector())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token: str = settings.METRICS_TOKEN
    if not token:
        # Nothing is exposed unless an operator chose a token.
        return HttpResponse("Not Found\n", status=404, content_type="text/plain")
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        response = HttpResponse("Send the METRICS_TOKEN as 'Authorization: Bearer <token>'.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        response["Content-Type"] = "text/plain"
        return response
    return HttpResponse(generate_latest(_registry), content_type=CONTENT_TYPE_PLAIN_0_0_4)
