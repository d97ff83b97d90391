"""Small tables of running state rather than configuration: the API's per-key
request counters and the delivery workers' sign of life.

They live in the database (not the cache) so that they need no extra setup
(``migrate`` creates them), are shared by every process, and stay readable
while Redis is down.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """Requests counted for one API key in one fixed window.

    Written only with one atomic upsert (``alerting.api.ratelimit``); rows of
    past windows are removed as new windows start.
    """

    key = models.CharField(max_length=100, primary_key=True, verbose_name=_("key"))
    window = models.BigIntegerField(
        db_index=True,
        help_text=_("Start of the window, in minutes since the epoch."),
        verbose_name=_("window"),
    )
    count = models.BigIntegerField(default=0, verbose_name=_("count"))

    class Meta:
        verbose_name_plural = _("API rate counters")
        verbose_name = _("API rate counter")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class WorkerHeartbeat(models.Model):
    """When a delivery worker (or the sweep) last said it was alive."""

    name = models.CharField(max_length=100, primary_key=True, verbose_name=_("name"))
    seen_at = models.DateTimeField(verbose_name=_("seen at"))

    class Meta:
        verbose_name_plural = _("worker heartbeats")
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.name} seen at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class MetricTally(models.Model):
    """Running totals behind one Prometheus counter, e.g. check results by status.

    ``GET /metrics`` adds the rows of the source table inserted since the last
    scrape (a primary-key range, so every scrape reads a bounded, indexed
    slice) and stores the new totals here, so the counter never goes down when
    old rows are deleted by retention and every web process reports the same.
    A range is counted only once it has settled (observed at an earlier
    scrape, ``METRICS_SETTLE_SECONDS`` ago): a transaction still open when its
    id was handed out has committed by then.
    """

    source = models.CharField(max_length=50, primary_key=True, verbose_name=_("source"))
    counted_to = models.BigIntegerField(
        default=0, help_text=_("Rows up to this id are in the totals."), verbose_name=_("counted to")
    )
    observed_to = models.BigIntegerField(
        default=0, help_text=_("The highest id seen at the last scrape."), verbose_name=_("observed to")
    )
    observed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("observed at"))
    totals = models.JSONField(
        default=dict, help_text=_("Label values (joined by '|') to counts."), verbose_name=_("totals")
    )

    class Meta:
        verbose_name_plural = _("metric tallies")
        verbose_name = _("metric tally")

    def __str__(self) -> str:
        return f"{self.source} up to {self.counted_to}"
