"""Inbound sources: other tools' alert payloads turned into check results.

``InboundSource`` holds the per-format setting (the monitor key template);
``InboundPayload`` keeps the last few payloads each format received, with the
answer they got, so the admin can show what a sending tool really sends. No
request header but the content type and the user agent is kept: never the
Authorization header.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundFormat(models.TextChoices):
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager"
    GRAFANA = "grafana", "Grafana"
    UPTIME_KUMA = "uptime-kuma", "Uptime Kuma"
    UPTRENDS = "uptrends", "Uptrends"


class InboundSource(models.Model):
    format = models.CharField(
        max_length=20, choices=InboundFormat.choices, unique=True, verbose_name=_("format")
    )
    monitor_key_template = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "Which monitor a received alert is for, e.g. {alertname}/{instance}. "
            "Empty means the format's default."
        ),
        verbose_name=_("monitor key template"),
    )

    class Meta:
        verbose_name_plural = _("inbound sources")
        ordering = ["format"]
        verbose_name = _("inbound source")

    def __str__(self) -> str:
        return self.get_format_display()


class InboundPayload(models.Model):
    """One received payload (the body as parsed JSON, cut at 64 KB) and its answer."""

    format = models.CharField(max_length=20, choices=InboundFormat.choices, verbose_name=_("format"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))
    api_key = models.ForeignKey(
        "alerting.ApiKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("api key"),
    )
    content_type = models.CharField(max_length=200, blank=True, verbose_name=_("content type"))
    user_agent = models.CharField(max_length=200, blank=True, verbose_name=_("user agent"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    body_truncated = models.BooleanField(default=False, verbose_name=_("body truncated"))
    status_code = models.PositiveSmallIntegerField(verbose_name=_("status code"))
    answer = models.JSONField(default=dict, verbose_name=_("answer"))

    class Meta:
        verbose_name_plural = _("received payloads")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["format", "-id"], name="inbound_payload_recent")]
        verbose_name = _("received payload")

    def __str__(self) -> str:
        return f"{self.format} {self.received_at:%Y-%m-%d %H:%M:%S} ({self.status_code})"
