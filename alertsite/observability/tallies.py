"""Counters derived from rows, kept monotonic and cheap (see ``alerting.MetricTally``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max, Min

from alerting.models import Alert, CheckResult, MetricTally
from integrations.models import MessageAttempt

SEPARATOR = "|"
# At most this many new rows are read per source and scrape; a backlog (the
# first scrape of a large database) is caught up over the next scrapes.
MAX_ROWS_PER_SCRAPE = 100_000


@dataclass(frozen=True)
class Source:
    name: str
    model: type[models.Model]
    labels: tuple[str, ...]  # ORM paths, grouped by


CHECK_RESULTS = Source("check_results", CheckResult, ("status",))
ALERTS = Source("alerts", Alert, ("alert_type",))
ATTEMPTS = Source("delivery_attempts", MessageAttempt, ("message__integration__kind", "outcome"))
SOURCES = (CHECK_RESULTS, ALERTS, ATTEMPTS)


def totals(source: Source, now: dt.datetime) -> dict[tuple[str, ...], int]:
    """The source's counts by label values, after adding what settled since the last scrape."""
    settle = dt.timedelta(seconds=settings.METRICS_SETTLE_SECONDS)
    with transaction.atomic():
        MetricTally.objects.bulk_create([MetricTally(source=source.name)], ignore_conflicts=True)
        # Concurrent scrapes (several web processes) queue here, so a range is added once.
        tally = MetricTally.objects.select_for_update().get(source=source.name)
        changed = False
        if (
            tally.observed_to > tally.counted_to
            and tally.observed_at is not None
            and now - tally.observed_at >= settle
        ):
            rows = (
                source.model._default_manager.filter(pk__gt=tally.counted_to, pk__lte=tally.observed_to)
                .order_by()
                .values(*source.labels)
                .annotate(n=Count("pk"))
            )
            for row in rows:
                key = SEPARATOR.join(str(row[label] or "") for label in source.labels)
                tally.totals[key] = tally.totals.get(key, 0) + row["n"]
            tally.counted_to = tally.observed_to
            changed = True
        if tally.observed_to <= tally.counted_to:
            manager = source.model._default_manager
            span = manager.filter(pk__gt=tally.counted_to).aggregate(low=Min("pk"), top=Max("pk"))
            if span["top"] is not None:
                # From the lowest new id, not the last counted one: ids need not be dense
                # (a sequence shared with deleted rows, a database restored from elsewhere).
                tally.observed_to = min(span["top"], span["low"] - 1 + MAX_ROWS_PER_SCRAPE)
                tally.observed_at = now
                changed = True
        if changed:
            tally.save()
    return {tuple(key.split(SEPARATOR)): count for key, count in tally.totals.items()}
